"""Layout forms a new plan version may use, each in a tiny plan: a revision-history table outside the
milestone sections, a pipe table inside a code fence, a milestone table with a title row above its
header, Markdown emphasis around a date label in a text file, and a target list of one bare date.

Each case gives the milestones of the same plan without the form (or written the plain way), with
exact findings, and keeps provenance: every row's span is its evidence.
"""
from __future__ import annotations

from datetime import date

import pytest

from conftest import extract_html, extract_text
from pipeline.document import InputError
from pipeline.markdown import closes_fence
from pipeline.structure import structure_rules
from provenance_util import span_problems
from test_milestone_tables import MD_PROSE, MD_TABLE, PROSE, THEAD, codes, md, milestones, page
from test_milestones import BLOCKS


def findings(tables) -> list[tuple]:
    return [(q.severity, q.code, q.rule_id, q.evidence) for q in tables.tables["quality"]]


# --- a revision history outside the milestone sections ------------------------------------------------------
# The loader writes a table whose header names a description and a date column as milestones; in the preamble
# (before the first theme) or in end matter its rows are the table's text: one info finding per table, no
# error. Inside a theme or programme they are date lines out of place: an error each, as in prose.

def html_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    cells = lambda tag, row: "".join(f"<{tag}>{c}</{tag}>" for c in row)  # noqa: E731
    return "<table>\n" + "\n".join([f"<tr>{cells('th', header)}</tr>", *(f"<tr>{cells('td', r)}</tr>" for r in rows)]) \
        + "\n</table>"


def md_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    line = lambda row: "| " + " | ".join(row) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "---|" * len(header), *(line(r) for r in rows)])


# (header, rows, the date line the loader writes for the first row when it reads the table as a milestone
# table, else None: then each copy of the table is one info finding there)
REVISION_TABLES = {
    "date-action": (("Date", "Action"), [("1 June 2024", "First published"), ("5 June 2024", "Dates revised")],
                    "Date: 1 June 2024"),
    "version-date-action": (("Version", "Date", "Action"), [("1.0", "1 June 2024", "First published"),
                                                             ("1.1", "5 June 2024", "Dates revised")], "Date: 1 June 2024"),
    "date-change": (("Date", "Change"), [("1 June 2024", "First published")], None),
    "version-date-changes": (("Version", "Date", "Changes"), [("1.0", "1 June 2024", "First published")], None),
    "action-due-date-status": (("Action", "Due date", "Status"), [("Review the plan", "July 2024", "complete")],
                               "Due date: July 2024 (complete)"),
}


def html_with_revision_tables(milestone_html: str, table: str) -> str:
    """The plan page with `table` before the first theme and again at its end, in end matter."""
    return page(milestone_html).replace("<h2>Build - overview</h2>", f"<h2>Document control</h2>\n{table}\n"
                                        "<h2>Build - overview</h2>").replace(
        "</main>", f"<h2>Document history</h2>\n{table}\n</main>")


def md_with_revision_tables(milestone_md: str, table: str) -> str:
    return md(milestone_md).replace("## Build - overview", f"## Document control\n\n{table}\n\n## Build - overview") \
        + f"\n## Document history\n\n{table}\n"


@pytest.mark.parametrize("name", sorted(REVISION_TABLES))
@pytest.mark.parametrize("milestones_as", ["prose", "table"])
def test_html_revision_history_is_no_milestone_and_no_error(name, milestones_as):
    header, rows, date_line = REVISION_TABLES[name]
    section = PROSE if milestones_as == "prose" else THEAD
    got = extract_html(html_with_revision_tables(section, html_table(header, rows)))
    want = extract_html(page(PROSE))
    assert milestones(got) == milestones(want) and len(milestones(got)) == 3
    info = ("info", "table_outside_milestones", "html.table.milestones", date_line)
    assert findings(got) == ([info, info] if date_line else [])
    assert span_problems(got) == []


@pytest.mark.parametrize("name", sorted(REVISION_TABLES))
@pytest.mark.parametrize("milestones_as", ["prose", "table"])
def test_markdown_revision_history_is_no_milestone_and_no_error(name, milestones_as):
    header, rows, date_line = REVISION_TABLES[name]
    section = MD_PROSE if milestones_as == "prose" else MD_TABLE
    got = extract_text(md_with_revision_tables(section, md_table(header, rows)), name="plan.md")
    want = extract_text(md(MD_PROSE), name="plan.md")
    assert milestones(got) == milestones(want) and len(milestones(got)) == 3
    info = ("info", "table_outside_milestones", "md.table.milestones", date_line)
    assert findings(got) == ([info, info] if date_line else [])
    assert span_problems(got) == []


MILESTONE_TABLE = (("Milestone", "Date"), [("Thing one", "March 2025"), ("Thing two", "June 2025")])
UNCONSUMED = [("error", "unconsumed_date_line", None, "Date: March 2025"),
              ("error", "unconsumed_date_line", None, "Date: June 2025")]


# form -> (the table written in it, a paragraph, a sub-section heading, the plan with a Background, its reader)
FORM_PARTS = {
    "html": (html_table, "<p>{}</p>", "<h3>{}</h3>", lambda background: page(PROSE, background=background),
             extract_html),
    "md": (md_table, "{}", "#### {}", lambda background: md(MD_PROSE, background=background),
           lambda source: extract_text(source, name="plan.md")),
}


@pytest.mark.parametrize("where", ["background", "delivery-approach", "theme-intro"])
@pytest.mark.parametrize("form", sorted(FORM_PARTS))
def test_a_milestone_table_inside_a_theme_outside_a_milestone_section_is_an_error_per_row(form, where):
    """Only in the preamble or end matter is such a table a revision history: inside a theme or programme its
    rows are milestones whose section was missed, an error each, as date lines in prose are."""
    write_table, para, sub, plan, read = FORM_PARTS[form]
    table, why = write_table(*MILESTONE_TABLE), para.format("Why widgets.")
    inside = {"background": f"{why}\n\n{table}", "delivery-approach": f"{why}\n\n{sub.format('Delivery approach')}\n\n{table}"}
    source = plan(inside.get(where, why))
    if where == "theme-intro":
        intro = para.format("Building things.")
        source = source.replace(intro, f"{intro}\n\n{table}", 1)
    got, want = read(source), read(plan(why))
    assert milestones(got) == milestones(want)
    assert findings(got) == UNCONSUMED
    assert span_problems(got) == []


@pytest.mark.parametrize("where", ["html", "md"])
def test_a_prose_date_line_outside_a_milestone_section_is_still_an_error(where):
    """Only the lines the loader wrote for a table row are the table's text; a date line written as prose
    outside a milestone section may be a milestone whose sub-section heading was missed."""
    if where == "html":
        got = extract_html(page(PROSE, background="<p>Why widgets.</p>\n<p>Date: 1 June 2024</p>"))
    else:
        got = extract_text(md(MD_PROSE, background="Why widgets.\n\nDate: 1 June 2024"), name="plan.md")
    assert findings(got) == [("error", "unconsumed_date_line", None, "Date: 1 June 2024")]


# --- a pipe table inside a code fence ----------------------------------------------------------------------

FENCED = {
    "backticks": "```\n{table}\n```",
    "tildes-with-info-string": "~~~text\n{table}\n~~~",
    "longer-fence-holding-a-shorter-one": "````\n```\n{table}\n```\n````",
    "unclosed-runs-to-the-end": "```\n{table}",
}
CODE_TABLE = "| Milestone | Date |\n|---|---|\n| **Code** widget. | March 2025 |\n# not a heading"


@pytest.mark.parametrize("name", sorted(FENCED))
def test_a_pipe_table_in_a_code_fence_stays_code(name):
    code = FENCED[name].format(table=CODE_TABLE)
    if name.startswith("unclosed"):
        source = md(MD_PROSE) + "\n" + code + "\n"
    else:
        source = md(MD_PROSE, background="Why widgets.\n\n" + code)
    got = extract_text(source, name="plan.md")
    assert milestones(got) == milestones(extract_text(md(MD_PROSE), name="plan.md"))
    text = got.tables["documents"][0].text
    assert CODE_TABLE in text  # kept as written: no markup taken out, no row rewritten
    assert "not a heading" not in [s.title for s in got.tables["sections"]]
    assert span_problems(got) == []


@pytest.mark.parametrize("line", [
    "```make extract``` runs it.",  # inline code at the start of a line: a backtick info string holds no backtick
    "```make extract```",
    "``` `make` ```",
    "````a``b",
])
def test_a_line_starting_with_inline_code_opens_no_fence(line):
    got = extract_text(md(MD_PROSE, background="Why widgets.\n\n" + line), name="plan.md")
    assert milestones(got) == milestones(extract_text(md(MD_PROSE), name="plan.md"))
    assert span_problems(got) == []


@pytest.mark.parametrize("closing, closes", [
    ("```", True),
    ("   ```", True),  # up to 3 spaces of indentation
    ("```` ", True),  # longer, trailing space
    ("    ```", False),  # 4 spaces: a line of the code, as in CommonMark
    ("``", False),
    ("``` x", False),
    ("~~~", False),
])
def test_what_closes_a_backtick_fence(closing, closes):
    assert closes_fence(closing, "```") == closes
    source = md(MD_PROSE, background=f"Why widgets.\n\n```\ncode\n{closing}")
    if closes:
        assert milestones(extract_text(source, name="plan.md")) == milestones(extract_text(md(MD_PROSE), name="plan.md"))
    else:  # an unclosed fence runs to the end of the file: the milestones are code
        with pytest.raises(InputError, match="no milestones found"):
            extract_text(source, name="plan.md")


def test_markdown_outside_a_fence_is_still_read_after_it():
    source = md(MD_TABLE, background="Why widgets.\n\n```\n| Milestone | Date |\n```\n\n**Bold** words.")
    got = extract_text(source, name="plan.md")
    assert milestones(got) == milestones(extract_text(md(MD_PROSE), name="plan.md"))
    assert "Bold words." in [p.text for p in got.tables["paragraphs"]]


# --- a milestone table whose header is not its first row ----------------------------------------------------
# rules: milestone_tables.header_search_rows (3): the rows above the header are the table's text.

TITLE = "<tr><th colspan='3'>Widget milestones 2024</th></tr>"
TITLED_PROSE = "<p>Widget milestones 2024</p>\n" + PROSE
HTML_TITLED = {
    "title-row-in-thead": (THEAD.replace("<thead>", "<thead>" + TITLE), TITLED_PROSE),
    "caption-like-first-row": (THEAD.replace("<thead>", "<tr><td colspan='3'>Widget milestones 2024</td></tr>\n<thead>"),
                               TITLED_PROSE),
    "two-rows-above": (THEAD.replace("<thead>", "<thead>" + TITLE + "<tr><td>Owner: NHSX</td><td></td><td></td></tr>"),
                       "<p>Widget milestones 2024</p>\n<p>Owner: NHSX</p>\n" + PROSE),
}


@pytest.mark.parametrize("name", sorted(HTML_TITLED))
def test_html_header_below_a_title_row(name):
    table, same = HTML_TITLED[name]
    got, want = extract_html(page(table)), extract_html(page(same))
    assert milestones(got) == milestones(want)
    assert milestones(got)[0][0] == "Widget milestones 2024\n\nFirst widget shipped." if name != "two-rows-above" \
        else milestones(got)[0][0] == "Widget milestones 2024\n\nOwner: NHSX\n\nFirst widget shipped."
    assert codes(got) == codes(want)
    assert span_problems(got) == []


def test_html_header_past_the_search_rows_is_no_milestone_table():
    rows_above = "".join(f"<tr><td colspan='3'>Title line {n}</td></tr>" for n in range(1, 4))
    got = extract_html(page(THEAD.replace("<thead>", rows_above + "<thead>")), allow_empty=True)
    assert milestones(got) == []
    texts = [p.text for p in got.tables["paragraphs"]]
    assert texts[texts.index("Title line 1"):texts.index("Title line 1") + 5] == [
        "Title line 1", "Title line 2", "Title line 3", "Milestone", "Date"]


# (the table, the first milestone's description: the text keeps a line for each raw line, so the title row's
# cell paragraph, then a blank line for the delimiter row and one for the header row)
MD_TITLED = {
    "title-as-the-pipe-header": ("| Widget milestones 2024 | | |\n|---|---|---|\n" + MD_TABLE.replace("|---|---|---|\n", ""),
                                 "Widget milestones 2024\n\n\n\nFirst widget shipped."),
    "two-rows-above": ("| Widget milestones 2024 | | |\n|---|---|---|\n| Owner: NHSX | | |\n"
                       + MD_TABLE.replace("|---|---|---|\n", ""),
                       "Widget milestones 2024\n\n\nOwner: NHSX\n\n\nFirst widget shipped."),
}


@pytest.mark.parametrize("name", sorted(MD_TITLED))
def test_markdown_header_below_a_title_row(name):
    """A pipe table's header is its first row by syntax; one converted from a page may carry the page
    table's title there, its real header in the first body rows."""
    table, first = MD_TITLED[name]
    source = md(table)
    got, want = extract_text(source, name="plan.md"), extract_text(md(MD_PROSE), name="plan.md")
    assert [m[1:] for m in milestones(got)] == [m[1:] for m in milestones(want)]
    assert [m[0] for m in milestones(got)] == [first, "Second widget designed.", "Factories opened."]
    assert codes(got) == codes(want)
    assert span_problems(got) == []
    raw = source.split("\n")
    assert [raw[m.line_end - 1] for m in got.tables["milestones"]] == [
        line for line in MD_TABLE.split("\n")[2:]]


# --- Markdown emphasis around a date label in a text file --------------------------------------------------

@pytest.mark.parametrize("line, date_text, due_end, status", [
    ("*Date:* 2027", "2027", date(2027, 12, 31), "planned"),
    ("**Date:** 2027", "2027", date(2027, 12, 31), "planned"),
    ("_Date_: 2027", "2027", date(2027, 12, 31), "planned"),
    ("__Date__: 2027 (complete)", "2027", date(2027, 12, 31), "complete"),
    ("**Due date:** Q3 2027/28", "Q3 2027/28", date(2027, 12, 31), "planned"),
    ("**Date:**\n\n2027", "2027", date(2027, 12, 31), "planned"),  # a bare label, its value below
    ("**Dates:**\n\n50% by 2027", "50% by 2027", date(2027, 12, 31), "planned"),
    # the whole line in emphasis: the closing marker is no part of the date
    ("**Date: 2027**", "2027", date(2027, 12, 31), "planned"),
    ("__Date: 2027__", "2027", date(2027, 12, 31), "planned"),
    ("_Date: 2027_", "2027", date(2027, 12, 31), "planned"),
    ("__Due date: Q3 2027/28__", "Q3 2027/28", date(2027, 12, 31), "planned"),
    ("__Date: 2027 (complete)__", "2027", date(2027, 12, 31), "complete"),
])
def test_emphasis_around_a_date_label_in_text(line, date_text, due_end, status):
    source = BLOCKS.replace("Date: 2027", line)
    got = extract_text(source)
    [m] = [m for m in got.tables["milestones"] if m.description == "Fifth widget."]
    assert (m.date_text, m.due_end, m.status) == (date_text, due_end, status)
    text = got.tables["documents"][0].text
    assert text[m.char_start:m.char_end] == "Fifth widget.\n\n" + line
    assert got.tables["quality"] == []
    assert span_problems(got, source.split("\n")) == []


@pytest.mark.parametrize("line, kind", [
    ("* Date: 2027", "list"),  # a bullet, not emphasis
    ("**Date:**", "date_line"),  # a bare label: no date (a closing marker is no value)
    ("Date: *", "date_line"),
])
def test_what_emphasis_markers_are_not(line, kind):
    got = extract_text(BLOCKS.replace("Date: 2027", line))
    [p] = [p for p in got.tables["paragraphs"] if p.text == line]
    assert p.kind == kind


@pytest.mark.parametrize("line, value", [
    ("__Date: 2027__", "2027"),
    ("__Date: phase_two__", "phase_two"),  # an underscore inside the value stays
    ("Date: phase_two_", "phase_two_"),  # no opening marker: the closing one is the value's own
    ("Date: __init__", "__init__"),
    ("**Date:** snake_case_", "snake_case_"),
])
def test_a_closing_underscore_comes_off_a_date_line_only_when_one_opens_it(line, value):
    assert structure_rules().date_line_re.match(line).group("value") == value


# --- a target list of one bare date ------------------------------------------------------------------------

@pytest.mark.parametrize("written, date_text, due_end, status", [
    ("Dates:\n\n2027", "2027", date(2027, 12, 31), "planned"),
    ("Dates:\n2027", "2027", date(2027, 12, 31), "planned"),
    ("Dates:\n\n2027 (complete)", "2027", date(2027, 12, 31), "complete"),
    ("Date:\n\n2027", "2027", date(2027, 12, 31), "planned"),  # as a bare 'Date:' label has long been read
    ("Dates:\n\n50% by 2027", "50% by 2027", date(2027, 12, 31), "planned"),  # a target stays a target
])
def test_a_dates_header_over_one_bare_date_is_the_due_date(written, date_text, due_end, status):
    source = BLOCKS.replace("Date: 2027", written)
    got = extract_text(source)
    ms = got.tables["milestones"]
    [m] = [m for m in ms if m.description == "Fifth widget."]
    assert (m.date_text, m.due_end, m.status, m.n_targets) == (date_text, due_end, status, 1 if "%" in written else 0)
    assert [m.description for m in ms][4:6] == ["Fifth widget.", "Sixth widget."]
    assert got.tables["documents"][0].text[m.char_start:m.char_end] == "Fifth widget.\n\n" + written
    assert got.tables["quality"] == []
    assert span_problems(got, source.split("\n")) == []


def test_two_bare_dates_under_dates_are_left_as_they_are():
    """Which of two bare dates is due is not said: 'Dates:' has no target, as before."""
    got = extract_text(BLOCKS.replace("Date: 2027", "Dates:\n\n2027\n\n2028"))
    [m] = [m for m in got.tables["milestones"] if m.description == "Fifth widget."]
    assert (m.date_text, m.due_end) == ("", None)
    assert [(q.severity, q.code) for q in got.tables["quality"]] == [("error", "dates_without_targets")]


# --- a list marker before a milestone's description --------------------------------------------------------

@pytest.mark.parametrize("written", ["• Fifth widget.", "- Fifth widget.", "1. Fifth widget.", "(a) Fifth widget."])
def test_a_list_marker_is_not_part_of_the_description(written):
    """A description that is one list item starts after its marker; the milestone's span does too."""
    got = extract_text(BLOCKS.replace("Fifth widget.", written))
    [m] = [m for m in got.tables["milestones"] if m.description.startswith("Fifth widget")]
    text = got.tables["documents"][0].text
    assert (m.description, text[m.char_start:m.char_start + 13]) == ("Fifth widget.", "Fifth widget.")
    [plain] = [m for m in extract_text(BLOCKS).tables["milestones"] if m.description == "Fifth widget."]
    assert m.milestone_id == plain.milestone_id  # the id hashes the description, marker left out
    assert span_problems(got) == []


@pytest.mark.parametrize("written,description", [
    ("- Fifth widget.\n- Sixth widget.", "- Fifth widget.\n- Sixth widget."),  # a list of items stays as written
    ("• Workstream A: fifth widget.", "Workstream A: fifth widget."),
    ("Fifth widget - in two parts.", "Fifth widget - in two parts."),
    ("a. Fifth widget.", "Fifth widget."),
    ("i.e. fifth widget.", "i.e. fifth widget."),
])
def test_which_list_markers_a_description_loses(written, description):
    got = extract_text(BLOCKS.replace("Fifth widget.", written))
    [m] = [m for m in got.tables["milestones"] if "ifth widget" in m.description]
    assert m.description == description
    assert span_problems(got) == []
