"""Milestones set out as a table (HTML <table>, Markdown pipe table) read as the same milestones in prose.

Each variant is a small plan whose milestone sub-section is a table; its expected reading is the
same plan with the milestones in the prose form ("description", then "Date: …"), extracted by
the same pipeline. Provenance: every row's span is its evidence, and a milestone's lines are the
raw lines of its table row. A whole-plan variant rewrites every milestone sub-section of the plan
(text, and its HTML page) as a table.
"""
from __future__ import annotations

import html as html_lib
import re

import pytest

from conftest import extract_html, extract_text
from pipeline.html_rules import HtmlRuleFile
from pipeline.markdown import MarkdownRuleFile
from pipeline.rules import RULES_DIR
from provenance_util import span_problems
from rule_util import rule_problems
from test_structure_variants import content


def milestones(tables) -> list[tuple]:
    """What a reader sees of each milestone and its targets."""
    targets: dict[str, list] = {}
    for t in tables.tables["milestone_targets"]:
        targets.setdefault(t.milestone_id, []).append((t.text, t.due_end, t.status))
    return [(m.description, m.date_text, m.due_start, m.due_end, m.status, m.status_text, m.is_tbc,
             m.n_targets, targets.get(m.milestone_id, [])) for m in tables.tables["milestones"]]


def codes(tables) -> list[str]:
    return [q.code for q in tables.tables["quality"]]


# --- HTML ------------------------------------------------------------------------------------------------

def page(milestone_html: str, background: str = "<p>Why widgets.</p>", sub: str = "<h3>Commitment milestones</h3>") -> str:
    return f"""<!DOCTYPE html>
<html><head><title>Widget Plan</title></head>
<body><main>
<h1>Widget Plan</h1>
<p>Published 5 June 2024</p>
<h2>Build - overview</h2>
<p>Building things.</p>
<h2>Widget programme</h2>
<h3>Background</h3>
{background}
{sub}
{milestone_html}
<h2>Gadget programme</h2>
<h3>Background</h3>
<p>Gadgets.</p>
</main></body></html>
"""


def prose(*items: tuple[str, str]) -> str:
    """Milestones in the prose form: each (description, date line) as two paragraphs."""
    return "\n".join(f"<p>{d}</p>\n<p>{when}</p>" for d, when in items)


PROSE = prose(("First widget shipped.", "Date: 30 September 2024 (complete)"),
              ("Second widget designed.", "Date: Q3 2024/25"),
              ("Factories opened.", "Date: TBC"))

THEAD = """<table>
<thead><tr><th>Milestone</th><th>Date</th><th>Status</th></tr></thead>
<tbody>
<tr><td>First widget shipped.</td><td>30 September 2024</td><td>complete</td></tr>
<tr><td>Second widget designed.</td><td>Q3 2024/25</td><td></td></tr>
<tr><td>Factories opened.</td><td>TBC</td><td></td></tr>
</tbody>
</table>"""

# Each variant: (the milestone table, the equivalent prose, findings expected beyond the prose's).
HTML_VARIANTS = {
    "thead-tbody-status": (THEAD, PROSE),
    "td-header-no-thead": (THEAD.replace("<thead>", "").replace("</thead>", "").replace("<tbody>", "")
                           .replace("</tbody>", "").replace("<th>", "<td>").replace("</th>", "</td>"), PROSE),
    "status-bracketed-and-th-row-headers": (
        THEAD.replace("<td>complete</td>", "<td>(complete)</td>").replace("<tr><td>First widget shipped.</td>",
                                                                           "<tr><th>First widget shipped.</th>"),
        PROSE),
    # A caption is a block above the rows: one naming the sub-section heads it, as its h3 would.
    "caption": (THEAD.replace("<table>", "<table><caption>Commitment milestones</caption>", 1), PROSE, ""),
    "header-words-with-colons-and-case": (
        THEAD.replace("<th>Milestone</th><th>Date</th><th>Status</th>",
                      "<th>Key MILESTONES:</th><th>Timescale</th><th>Progress</th>"),
        PROSE.replace("Date: ", "Timescale: ")),
    "header-not-a-date-label": (
        THEAD.replace("<th>Date</th>", "<th>When</th>").replace("<th>Milestone</th>", "<th>Deliverable</th>"), PROSE),
    "due-date-header-is-the-label": (THEAD.replace("<th>Date</th>", "<th>Due date</th>"),
                                     PROSE.replace("Date: ", "Due date: ")),
    "status-column-first": (
        """<table><tr><th>Status</th><th>Commitment</th><th>Deadline</th></tr>
<tr><td>Complete</td><td>First widget shipped.</td><td>30 September 2024</td></tr>
<tr><td></td><td>Second widget designed.</td><td>Q3 2024/25</td></tr>
<tr><td></td><td>Factories opened.</td><td>TBC</td></tr></table>""",
        PROSE.replace("Date: ", "Deadline: ").replace("(complete)", "(Complete)")),
    "multi-paragraph-description-and-lists": (
        """<table><tr><th>Action</th><th>Date</th></tr>
<tr><td><p>First widget shipped.</p><p>With a second paragraph.</p></td><td>30 September 2024 (complete)</td></tr>
<tr><td>Second widget designed:<ul><li>one</li><li>two</li></ul></td><td><p>Q3 2024/25</p></td></tr>
</table>""",
        "<p>First widget shipped.</p><p>With a second paragraph.</p><p>Date: 30 September 2024 (complete)</p>\n"
        "<p>Second widget designed:</p><ul><li>one</li><li>two</li></ul><p>Date: Q3 2024/25</p>"),
    "date-cell-with-targets": (
        """<table><tr><th>Milestone</th><th>Date</th></tr>
<tr><td>Factories opened.</td><td>50% by winter 2025<br>All factories - 2026 (complete)</td></tr>
<tr><td>Plants opened.</td><td><ul><li>Half by 2025</li><li>All by 2026</li></ul></td></tr>
</table>""",
        "<p>Factories opened.</p><p>Dates:</p><p>50% by winter 2025</p><p>All factories - 2026 (complete)</p>\n"
        "<p>Plants opened.</p><p>Dates:</p><ul><li>Half by 2025</li><li>All by 2026</li></ul>"),
    # A status beside a target list is written after the list, where prose would have it: reported, not lost.
    "targets-with-a-status": (
        """<table><tr><th>Milestone</th><th>Date</th><th>Status</th></tr>
<tr><td>Factories opened.</td><td>50% by winter 2025<br>All factories - 2026</td><td>complete</td></tr>
</table>""",
        "<p>Factories opened.</p><p>Dates:</p><p>50% by winter 2025</p><p>All factories - 2026</p><p>(complete)</p>"),
    "empty-date-cell": (
        """<table><tr><th>Milestone</th><th>Date</th><th>Status</th></tr>
<tr><td>First widget shipped.</td><td></td><td></td></tr>
<tr><td>Second widget designed.</td><td></td><td>complete</td></tr>
<tr><td>Factories opened.</td><td>TBC</td><td></td></tr></table>""",
        "<p>First widget shipped.</p><p>Date:</p>\n<p>Second widget designed.</p><p>Date: (complete)</p>\n"
        "<p>Factories opened.</p><p>Date: TBC</p>"),
    # A cell spanning the date column has no date: its row is a paragraph of text, as in prose.
    "colspan-row-is-text": (
        """<table><tr><th>Milestone</th><th>Date</th></tr>
<tr><td colspan="2">Phase one</td></tr>
<tr><td>First widget shipped.</td><td>30 September 2024 (complete)</td></tr>
<tr><td colspan="2"></td></tr>
<tr><td>Second widget designed.</td><td>Q3 2024/25</td></tr></table>""",
        "<p>Phase one</p>\n<p>First widget shipped.</p><p>Date: 30 September 2024 (complete)</p>\n"
        "<p>Second widget designed.</p><p>Date: Q3 2024/25</p>"),
    "other-column-is-labelled-description": (
        """<table><tr><th>Milestone</th><th>Owner</th><th>Date</th></tr>
<tr><td>First widget shipped.</td><td>NHSX</td><td>30 September 2024 (complete)</td></tr>
<tr><td>Second widget designed.</td><td></td><td>Q3 2024/25</td></tr></table>""",
        "<p>First widget shipped.</p><p>Owner: NHSX</p><p>Date: 30 September 2024 (complete)</p>\n"
        "<p>Second widget designed.</p><p>Date: Q3 2024/25</p>"),
    # A cell spanning rows stands in each of them.
    "rowspan-date-cell": (
        """<table><tr><th>Milestone</th><th>Date</th><th>Status</th></tr>
<tr><td>First widget shipped.</td><td rowspan="2">Q3 2024/25</td><td>complete</td></tr>
<tr><td>Second widget designed.</td><td></td></tr>
<tr><td>Factories opened.</td><td>TBC</td><td></td></tr></table>""",
        prose(("First widget shipped.", "Date: Q3 2024/25 (complete)"), ("Second widget designed.", "Date: Q3 2024/25"),
              ("Factories opened.", "Date: TBC"))),
    "header-row-repeated-in-the-body": (
        THEAD.replace("<tbody>", "<tbody>\n<tr><td>Milestone</td><td>Date</td><td>Status</td></tr>"), PROSE),
}


@pytest.mark.parametrize("name", sorted(HTML_VARIANTS))
def test_html_milestone_table_reads_as_prose(name):
    table, same, *sub = HTML_VARIANTS[name]
    got, want = extract_html(page(table, sub=sub[0] if sub else "<h3>Commitment milestones</h3>")), extract_html(page(same))
    assert milestones(got) == milestones(want)
    assert milestones(got), "the variant has milestones"
    assert codes(got) == codes(want)
    assert [p.kind for p in got.tables["paragraphs"]] == [p.kind for p in want.tables["paragraphs"]]
    assert span_problems(got) == []


def test_a_status_beside_a_target_list_is_reported_not_lost():
    table, _ = HTML_VARIANTS["targets-with-a-status"]
    got = extract_html(page(table))
    [finding] = [q for q in got.tables["quality"] if q.code == "unplaced_paragraph"]
    assert finding.evidence == "(complete)"


def row_lines(source: str, needle: str) -> tuple[int, int]:
    """Return the raw lines (1-based) of the <tr> holding `needle`."""
    at = source.index(needle)
    start = source.rindex("<tr", 0, at)
    end = source.index("</tr>", at)
    return source.count("\n", 0, start) + 1, source.count("\n", 0, end) + 1


def test_html_rows_keep_their_raw_lines_and_cells():
    table = """<table>
  <tr><th>Milestone</th><th>Due date</th><th>Status</th></tr>
  <tr>
    <td>First widget
      shipped.</td>
    <td>30 September 2024</td>
    <td>complete</td>
  </tr>
  <tr><td>Second widget designed.</td><td>Q3 2024/25</td><td></td></tr>
</table>"""
    source = page(table)
    got = extract_html(source)
    text = got.tables["documents"][0].text
    first, second = got.tables["milestones"]
    assert (first.line_start, first.line_end) == row_lines(source, "First widget")
    assert (second.line_start, second.line_end) == row_lines(source, "Second widget")
    assert text[first.char_start:first.char_end] == "First widget shipped.\n\nDue date: 30 September 2024 (complete)"
    paras = {p.paragraph_id: p for p in got.tables["paragraphs"]}
    desc, date = (paras[i] for i in first.paragraph_ids)
    assert desc.source_locator.endswith("tr:nth-of-type(2) > td:nth-of-type(1)")
    assert date.source_locator.endswith("tr:nth-of-type(2)")  # the date line holds the date and the status cell
    assert paras[second.paragraph_ids[1]].source_locator.endswith("tr:nth-of-type(3) > td:nth-of-type(2)")
    assert "Milestone" not in text  # the header row is not written: its words are the labels
    assert span_problems(got) == []


def test_html_a_cell_spanning_rows_adds_its_lines():
    table = """<table><tr><th>Milestone</th><th>Date</th></tr>
<tr><td>First widget shipped.</td><td rowspan="2">Q3 2024/25</td></tr>
<tr><td>Second widget designed.</td></tr></table>"""
    source = page(table)
    first, second = extract_html(source).tables["milestones"]
    assert (first.line_start, first.line_end) == row_lines(source, "First widget")
    assert (second.line_start, second.line_end) == (row_lines(source, "First widget")[0],
                                                    row_lines(source, "Second widget")[1])
    assert first.due_end == second.due_end


NOT_MILESTONES = [
    "<table><tr><th>Name</th><th>Date</th></tr><tr><td>Bob</td><td>March 2022</td></tr></table>",
    "<table><tr><th>Milestone</th><th>Owner</th></tr><tr><td>Widgets shipped.</td><td>NHSX</td></tr></table>",
    "<table><tr><td>Widgets shipped.</td><td>March 2022</td></tr></table>",
    "<table><tr><th>Date</th><th>Milestone</th></tr></table>",  # a header and no rows
]


@pytest.mark.parametrize("table", NOT_MILESTONES, ids=["no-milestone-column", "no-date-column", "no-header", "no-rows"])
def test_html_other_tables_stay_paragraphs(table):
    """A table whose header does not name a milestone and a date column is read cell by cell, as before;
    in Background it adds no milestone."""
    got = extract_html(page(PROSE, background="<p>Why widgets.</p>\n" + table))
    want = extract_html(page(PROSE))
    assert milestones(got) == milestones(want)
    cells = [html_lib.unescape(c) for c in re.findall(r"<t[hd]>([^<]+)</t[hd]>", table)]
    texts = [p.text for p in got.tables["paragraphs"]]
    start = texts.index("Why widgets.") + 1
    assert texts[start:start + len(cells)] == cells
    assert span_problems(got) == []


# --- Markdown --------------------------------------------------------------------------------------------

def md(milestone_md: str, background: str = "Why widgets.") -> str:
    return f"""# Widget Plan

Published 5 June 2024

## Build - overview

Building things.

### Widget programme

#### Background

{background}

#### Commitment milestones

{milestone_md}

### Gadget programme

#### Background

Gadgets.
"""


MD_PROSE = ("First widget shipped.\n\nDate: 30 September 2024 (complete)\n\n"
            "Second widget designed.\n\nDate: Q3 2024/25\n\nFactories opened.\n\nDate: TBC")
MD_TABLE = """| Milestone | Date | Status |
|---|---|---|
| First widget shipped. | 30 September 2024 | complete |
| Second widget designed. | Q3 2024/25 | |
| Factories opened. | TBC | |"""

MD_VARIANTS = {
    "pipes-both-ends": (MD_TABLE, MD_PROSE),
    "alignment-colons": (MD_TABLE.replace("|---|---|---|", "| :--- | :---: | ---: |"), MD_PROSE),
    "no-outer-pipes": ("\n".join(line.strip().strip("|").strip() for line in MD_TABLE.split("\n")), MD_PROSE),
    "ragged-rows": (MD_TABLE.replace("| Q3 2024/25 | |", "| Q3 2024/25").replace("| TBC | |", "| TBC |"), MD_PROSE),
    "escaped-pipes-and-inline-markup": (
        MD_TABLE.replace("First widget shipped.", "**First** widget \\| gadget [shipped](https://example.org).")
        .replace("Second widget designed.", "Second `widget` designed."),
        MD_PROSE.replace("First widget shipped.", "First widget | gadget shipped.")
        .replace("Second widget designed.", "Second widget designed.")),
    "deadline-header": (MD_TABLE.replace("| Date |", "| Deadline |"), MD_PROSE.replace("Date: ", "Deadline: ")),
    "when-header": (MD_TABLE.replace("| Date |", "| When |"), MD_PROSE),
    "br-in-cells": ("| Commitments | Date |\n|--|--|\n"
                    "| First widget shipped.<br><br>With a second paragraph. | 30 September 2024 (complete) |\n"
                    "| Factories opened. | 50% by winter 2025<br/>All factories - 2026 (complete) |",
                    "First widget shipped.\n\nWith a second paragraph.\n\nDate: 30 September 2024 (complete)\n\n"
                    "Factories opened.\n\nDates:\n\n50% by winter 2025\n\nAll factories - 2026 (complete)"),
    "targets-with-a-status": ("| Milestone | Date | Status |\n|-|-|-|\n"
                              "| Factories opened. | 50% by winter 2025<br>All factories - 2026 | complete |",
                              "Factories opened.\n\nDates:\n\n50% by winter 2025\n\nAll factories - 2026\n\n(complete)"),
    "empty-date-cell": ("| Milestone | Date | Status |\n|-|-|-|\n| First widget shipped. | | |\n"
                        "| Second widget designed. | | complete |\n| Factories opened. | TBC | |",
                        "First widget shipped.\n\nDate:\n\nSecond widget designed.\n\nDate: (complete)\n\n"
                        "Factories opened.\n\nDate: TBC"),
}


@pytest.mark.parametrize("name", sorted(MD_VARIANTS))
def test_markdown_pipe_table_reads_as_prose(name):
    table, same = MD_VARIANTS[name]
    source = md(table)
    got, want = extract_text(source, name="variant.md"), extract_text(md(same), name="variant.md")
    assert milestones(got) == milestones(want)
    assert milestones(got), "the variant has milestones"
    assert codes(got) == codes(want)
    assert [p.kind for p in got.tables["paragraphs"]] == [p.kind for p in want.tables["paragraphs"]]
    assert span_problems(got) == []
    raw = source.split("\n")
    rows = [i + 1 for i, line in enumerate(raw) if "|" in line and not re.match(r"^[\s|:-]+$", line)][1:]
    assert [(m.line_start, m.line_end) for m in got.tables["milestones"]] == [(n, n) for n in rows]


MD_NOT_MILESTONES = [
    "| Name | Date |\n|---|---|\n| Bob | March 2022 |",
    "| Milestone | Owner |\n|---|---|\n| Widgets shipped. | NHSX |",
    "| Milestone | Date |\n| Widgets shipped. | March 2022 |",  # no delimiter row: not a table
    "| Milestone | Date |\n|---|---|---|\n| Widgets shipped. | March 2022 |",  # delimiter of another width
    "| Milestone | Date |\n|---|---|",  # no row
]


@pytest.mark.parametrize("table", MD_NOT_MILESTONES, ids=["no-milestone-column", "no-date-column", "no-delimiter-row", "delimiter-of-another-width", "no-rows"])
def test_markdown_other_tables_stay_as_they_are(table):
    got = extract_text(md(MD_PROSE, background="Why widgets.\n\n" + table), name="variant.md")
    want = extract_text(md(MD_PROSE), name="variant.md")
    assert milestones(got) == milestones(want)
    assert table in got.tables["documents"][0].text  # its lines are the raw lines
    assert span_problems(got) == []


# --- the whole plan --------------------------------------------------------------------------------------

def as_tables(plan, raw_lines: list[str], row, table) -> str:
    """Return the raw text with each milestone sub-section's milestones replaced by one table: `table(rows)`
    its lines, `row(milestone, target texts)` the line of each row. The lines the milestones stood on go."""
    targets: dict[str, list[str]] = {}
    for t in plan.tables["milestone_targets"]:
        targets.setdefault(t.milestone_id, []).append(t.text)
    by_section: dict[str, list] = {}
    for m in plan.tables["milestones"]:
        by_section.setdefault(m.section_id, []).append(m)
    out: list = list(raw_lines)
    for ms in by_section.values():
        first, last = ms[0].line_start - 1, ms[-1].line_end
        out[first:last] = [None] * (last - first)
        out[first] = "\n".join(table([row(m, targets.get(m.milestone_id, [])) for m in ms]))
    return "\n".join(line for line in out if line is not None)


def cell_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def plan_as_md_tables(plan, plan_text: str) -> str:
    def row(m, targets):
        date = "<br>".join(targets) if targets else m.date_text
        status = (m.status_text or "").strip("()[]")
        return f"| {cell_md(m.description)} | {cell_md(date)} | {status} |"

    return as_tables(plan, plan_text.split("\n"), row, lambda rows: ["| Milestone | Date | Status |", "|---|---|---|", *rows])


@pytest.fixture(scope="module")
def md_tables_plan(plan, plan_text):
    return extract_text(plan_as_md_tables(plan, plan_text), name="nhsx-delivery-plan-2021-12-01.md")


def test_whole_plan_as_markdown_tables_gives_the_same_milestones(plan, plan_text, md_tables_plan):
    source = plan_as_md_tables(plan, plan_text)
    assert source.count("| Milestone | Date | Status |") == len({m.section_id for m in plan.tables["milestones"]})
    got = md_tables_plan
    assert content(got) == content(plan)
    assert [(t.text, t.due_end, t.status) for t in got.tables["milestone_targets"]] == \
        [(t.text, t.due_end, t.status) for t in plan.tables["milestone_targets"]]
    assert [(p.programme_id, p.n_milestones, p.n_complete, p.commitments_pending_text)
            for p in got.tables["programmes"]] == \
        [(p.programme_id, p.n_milestones, p.n_complete, p.commitments_pending_text) for p in plan.tables["programmes"]]
    assert codes(got) == codes(plan) == ["status_misspelt"]
    assert span_problems(got) == []
    raw = source.split("\n")
    for m in got.tables["milestones"]:
        assert m.line_start == m.line_end and raw[m.line_start - 1].startswith("| ")


def cell_html(text: str) -> str:
    """A description as the paragraphs of a cell, its line breaks as <br>: the row stays on one line."""
    return "".join(f"<p>{'<br>'.join(html_lib.escape(line) for line in p.split(chr(10)))}</p>" for p in text.split("\n\n"))


def test_whole_plan_page_as_html_tables_gives_the_same_milestones(plan_html, plan_html_bytes):
    def row(m, targets):
        date = "<br>".join(html_lib.escape(t) for t in targets) if targets else html_lib.escape(m.date_text)
        status = (m.status_text or "").strip("()[]")
        return f"<tr><td>{cell_html(m.description)}</td><td>{date}</td><td>{status}</td></tr>"

    source = as_tables(plan_html, plan_html_bytes.decode("utf-8").split("\n"), row,
                       lambda rows: ["<table><tr><th>Milestone</th><th>Date</th><th>Status</th></tr>", *rows, "</table>"])
    got = extract_html(source, name="nhsx-delivery-plan-2021-12-01.html")
    assert source.count("<th>Milestone</th>") == len({m.section_id for m in plan_html.tables["milestones"]})
    assert content(got) == content(plan_html)
    assert codes(got) == codes(plan_html)
    assert span_problems(got) == []
    raw = source.split("\n")
    for m in got.tables["milestones"]:
        assert m.line_start == m.line_end and raw[m.line_start - 1].startswith("<tr><td>")


# --- the rules -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, schema", [("html.yaml", HtmlRuleFile), ("markdown.yaml", MarkdownRuleFile)])
def test_table_rules_are_validated(tmp_path, name, schema):
    from pipeline.html_rules import _check as html_check
    from pipeline.markdown import _check as md_check

    check = html_check if name == "html.yaml" else md_check
    text = (RULES_DIR / name).read_text(encoding="utf-8")
    text = text.replace("role: date", "role: status", 1).replace("date_label: 'Date'", "date_label: 'Owner'")
    text = re.sub(r"(header: ')\(\?:\(\?:due", r"\1(?:(?:(due", text, count=1)
    said = "\n".join(rule_problems(tmp_path, name, schema, check, text))
    assert "bad regex" in said and "date_label 'Owner' is not a date label" in said
    assert "no column rule has role 'date'" in said
