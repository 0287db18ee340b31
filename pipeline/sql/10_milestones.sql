-- Views over the milestone tables in plan.duckdb, for the questions analysts ask first.
-- {fy_start_month} is the first month of the UK financial year, from rules/periods.yaml.

-- One row per milestone with a due date: the calendar quarter and the UK financial quarter its due period ends in.
CREATE VIEW milestone_due_quarters AS
SELECT
    m.doc_id,
    m.milestone_id,
    m.theme,
    m.programme,
    m.status,
    m.due_end,
    year(m.due_end) || '-Q' || quarter(m.due_end) AS due_quarter,
    (year(m.due_end) - CASE WHEN month(m.due_end) < {fy_start_month} THEN 1 ELSE 0 END) AS due_financial_year_start,
    ((month(m.due_end) - {fy_start_month} + 12) % 12) // 3 + 1 AS due_financial_quarter_number,
    (year(m.due_end) - CASE WHEN month(m.due_end) < {fy_start_month} THEN 1 ELSE 0 END) || '/'
        || lpad(CAST((year(m.due_end) - CASE WHEN month(m.due_end) < {fy_start_month} THEN 1 ELSE 0 END + 1) % 100 AS VARCHAR), 2, '0')
        || ' Q' || (((month(m.due_end) - {fy_start_month} + 12) % 12) // 3 + 1) AS due_financial_quarter
FROM milestones AS m
WHERE m.due_end IS NOT NULL;

-- Milestones due per calendar quarter (of due_end), by status: what is due next quarter, and what is done.
CREATE VIEW milestones_due_by_quarter AS
SELECT
    doc_id,
    due_quarter,
    count(*) AS n_milestones,
    count(*) FILTER (WHERE status = 'complete') AS n_complete,
    count(*) FILTER (WHERE status = 'partial') AS n_partial,
    count(*) FILTER (WHERE status = 'planned') AS n_planned
FROM milestone_due_quarters
GROUP BY doc_id, due_quarter
ORDER BY doc_id, due_quarter;

-- Milestones due per UK financial quarter (of due_end), by status.
CREATE VIEW milestones_due_by_financial_quarter AS
SELECT
    doc_id,
    due_financial_quarter,
    count(*) AS n_milestones,
    count(*) FILTER (WHERE status = 'complete') AS n_complete,
    count(*) FILTER (WHERE status = 'partial') AS n_partial,
    count(*) FILTER (WHERE status = 'planned') AS n_planned
FROM milestone_due_quarters
GROUP BY doc_id, due_financial_quarter
ORDER BY doc_id, due_financial_quarter;

-- Milestone status per theme and programme, with the number still open (not complete) and the TBC ones.
CREATE VIEW status_by_programme AS
SELECT
    p.doc_id,
    p.theme,
    p.programme,
    p.programme_id,
    p.sequence AS programme_sequence,
    count(m.milestone_id) AS n_milestones,
    count(m.milestone_id) FILTER (WHERE m.status = 'complete') AS n_complete,
    count(m.milestone_id) FILTER (WHERE m.status = 'partial') AS n_partial,
    count(m.milestone_id) FILTER (WHERE m.status = 'planned') AS n_planned,
    count(m.milestone_id) FILTER (WHERE m.status <> 'complete') AS n_open,
    count(m.milestone_id) FILTER (WHERE m.is_tbc) AS n_tbc,
    count(m.milestone_id) FILTER (WHERE m.is_overdue_at_publication) AS n_overdue_at_publication
FROM programmes AS p
LEFT JOIN milestones AS m ON m.doc_id = p.doc_id AND m.programme_id = p.programme_id
GROUP BY p.doc_id, p.theme, p.programme, p.programme_id, p.sequence
ORDER BY p.doc_id, p.sequence;

-- Milestone status per theme.
CREATE VIEW status_by_theme AS
SELECT
    doc_id,
    theme,
    CAST(sum(n_milestones) AS BIGINT) AS n_milestones,
    CAST(sum(n_complete) AS BIGINT) AS n_complete,
    CAST(sum(n_partial) AS BIGINT) AS n_partial,
    CAST(sum(n_planned) AS BIGINT) AS n_planned,
    CAST(sum(n_open) AS BIGINT) AS n_open
FROM status_by_programme
GROUP BY doc_id, theme
ORDER BY doc_id, min(programme_sequence);

-- Milestones whose due period ended before the document was published and that were not complete.
CREATE VIEW overdue_at_publication AS
SELECT
    m.doc_id,
    d.published_date,
    m.theme,
    m.programme,
    m.milestone_id,
    m.description,
    m.date_text,
    m.due_end,
    d.published_date - m.due_end AS days_overdue,
    m.status,
    m.line_start,
    m.line_end
FROM milestones AS m
JOIN documents AS d USING (doc_id)
WHERE m.is_overdue_at_publication
ORDER BY m.doc_id, days_overdue DESC, m.milestone_id;

-- Every milestone with the source text it came from: the span of documents.text and its raw-file lines.
CREATE VIEW milestone_sources AS
SELECT
    m.doc_id,
    m.milestone_id,
    d.source_file,
    m.line_start,
    m.line_end,
    substring(d.text, m.char_start + 1, m.char_end - m.char_start) AS source_text
FROM milestones AS m
JOIN documents AS d USING (doc_id);
