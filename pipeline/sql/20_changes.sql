-- Issue 7: analysts' views over milestone_changes and programme_changes.
-- Run after the tables are loaded (every pipeline/sql/*.sql, in name order).

-- Slippage per programme for each pair of consecutive versions (matched milestones only;
-- the programme is the one in the later version).
CREATE OR REPLACE VIEW slip_by_programme AS
SELECT
    plan_id,
    from_doc_id,
    to_doc_id,
    to_programme_id AS programme_id,
    to_programme AS programme,
    count(*) AS n_milestones_compared,
    count(*) FILTER (WHERE slip_days > 0) AS n_slipped,
    count(*) FILTER (WHERE slip_days < 0) AS n_brought_forward,
    count(*) FILTER (WHERE is_completed_now) AS n_completed_now,
    CAST(coalesce(sum(slip_days) FILTER (WHERE slip_days > 0), 0) AS BIGINT) AS total_slip_days,
    avg(slip_days) FILTER (WHERE slip_days > 0) AS mean_slip_days,
    max(slip_days) AS max_slip_days
FROM milestone_changes
WHERE change IN ('modified', 'unchanged')
GROUP BY ALL
ORDER BY plan_id, from_doc_id, total_slip_days DESC, programme;

-- Each matched milestone followed through the series: one row per step (version pair),
-- lineage_id naming the version and milestone where the chain starts.
CREATE OR REPLACE VIEW milestone_lineage AS
WITH RECURSIVE steps AS (
    SELECT c.from_doc_id || '/' || c.from_milestone_id AS lineage_id, 1 AS step, c.*
    FROM milestone_changes c
    WHERE c.from_milestone_id IS NOT NULL AND c.to_milestone_id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM milestone_changes p
        WHERE p.to_doc_id = c.from_doc_id AND p.to_milestone_id = c.from_milestone_id
          AND p.from_milestone_id IS NOT NULL)
    UNION ALL
    SELECT s.lineage_id, s.step + 1 AS step, n.*
    FROM steps s
    JOIN milestone_changes n
      ON n.from_doc_id = s.to_doc_id AND n.from_milestone_id = s.to_milestone_id
    WHERE n.to_milestone_id IS NOT NULL
)
SELECT * FROM steps;

-- Milestones that slipped (new due end later than the old one) in more than one version pair.
CREATE OR REPLACE VIEW milestones_slipped_repeatedly AS
SELECT
    plan_id,
    lineage_id,
    arg_min(from_doc_id, step) AS first_doc_id,
    arg_min(from_milestone_id, step) AS first_milestone_id,
    arg_max(to_doc_id, step) AS last_doc_id,
    arg_max(to_milestone_id, step) AS last_milestone_id,
    arg_max(to_programme, step) AS programme,
    arg_max(to_description, step) AS description,
    count(*) FILTER (WHERE slip_days > 0) AS n_slips,
    CAST(sum(slip_days) FILTER (WHERE slip_days > 0) AS BIGINT) AS total_slip_days,
    arg_min(from_due_end, step) AS first_due_end,
    arg_max(to_due_end, step) AS last_due_end,
    arg_min(from_date_text, step) || ' -> ' ||
        string_agg(to_date_text, ' -> ' ORDER BY step) AS date_history
FROM milestone_lineage
GROUP BY plan_id, lineage_id
HAVING count(*) FILTER (WHERE slip_days > 0) > 1
ORDER BY total_slip_days DESC, lineage_id;

-- Milestones completed in the later version of each pair.
CREATE OR REPLACE VIEW newly_completed AS
SELECT
    plan_id,
    from_doc_id,
    to_doc_id,
    to_milestone_id AS milestone_id,
    to_programme AS programme,
    to_description AS description,
    from_date_text,
    to_date_text,
    from_due_end,
    to_due_end,
    slip_days
FROM milestone_changes
WHERE is_completed_now
ORDER BY plan_id, from_doc_id, to_doc_id, change_id;
