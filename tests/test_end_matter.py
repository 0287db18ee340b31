"""End matter after the last programme (annexes, glossary, references, document history, contact details),
and front matter before the first theme.

An end-matter heading (rules/structure.yaml headings.end_matter) closes the open theme, programme and
sub-section and opens an `end_matter` section holding everything below it until the next theme heading:
nothing in it is a milestone, a programme note or an unplaced paragraph. Each small plan is written as
plain text, HTML and Markdown; with end matter appended it gives exactly the milestones, programmes and
findings of the same plan without it.
"""
from __future__ import annotations

import html as html_lib

import pytest

from conftest import extract_text
from pipeline.load import normalise
from pipeline.structure import StructureRuleFile, _check, structure_rules
from provenance_util import span_problems
from rule_util import rule_problems, shipped

# A plan is a list of blocks: ("h", level, text) is a heading (h1-h4, '#' * level), ("p", text) a paragraph.
PLAN = [
    ("h", 1, "Widget Plan"), ("p", "Published 5 June 2024"),
    ("h", 2, "Build - overview"), ("p", "Building things."),
    ("h", 2, "Gadget programme"), ("h", 3, "Background"), ("p", "Why gadgets."),
    ("h", 3, "Commitment milestones"), ("p", "Gadget designed."), ("p", "Date: March 2025"),
    ("h", 2, "Widget programme"), ("h", 3, "Background"), ("p", "Why widgets."),
    ("h", 3, "Delivery approach"), ("p", "How widgets."),
    ("h", 3, "Commitment milestones"),
    ("p", "First widget shipped."), ("p", "Date: 30 September 2024 (complete)"),
    ("p", "Second widget designed."), ("p", "Date: Q3 2024/25"),
]


def render(blocks: list[tuple], form: str) -> tuple[str, str]:
    """Return (file name, text) of `blocks` written as plain text, HTML or Markdown."""
    if form == "txt":
        return "plan.txt", "\n\n".join(b[-1] for b in blocks) + "\n"
    if form == "md":
        return "plan.md", "\n\n".join("#" * b[1] + " " + b[2] if b[0] == "h" else b[1] for b in blocks) + "\n"
    body = "\n".join(f"<h{b[1]}>{html_lib.escape(b[2])}</h{b[1]}>" if b[0] == "h" else
                     b[1] if b[1].startswith("<table>") else f"<p>{html_lib.escape(b[1])}</p>" for b in blocks)
    return "plan.html", f"<!DOCTYPE html>\n<html><head><title>Widget Plan</title></head>\n<body><main>\n{body}\n" \
                        "</main></body></html>\n"


def extract(blocks: list[tuple], form: str):
    name, text = render(blocks, form)
    return extract_text(text, name=name)


def problems(tables, form: str, blocks: list[tuple]) -> list[str]:
    """Provenance problems; for plain text the raw lines that the rows name are checked too."""
    return span_problems(tables, normalise(render(blocks, form)[1]).split("\n") if form == "txt" else None)


def end_sections(tables) -> list[tuple]:
    return [(s.title, s.rule_id, s.level) for s in tables.tables["sections"] if s.kind == "end_matter"]


def findings(tables) -> list[tuple]:
    return [(q.severity, q.code, q.rule_id, q.evidence) for q in tables.tables["quality"]]


FORMS = ["txt", "html", "md"]

# One heading and a paragraph below it: heading -> (its end-matter rule id, the paragraph).
ONE_HEADING = {
    "Annex A: Glossary": ("annex", "API: application programming interface."),
    "Appendix 1": ("annex", "Supporting tables are published separately."),
    "Annex": ("annex", "Supporting tables."),
    "7. Glossary": ("glossary", "API: application programming interface."),
    "ABBREVIATIONS": ("abbreviations", "ICS - integrated care system"),
    "Acronyms": ("abbreviations", "ICS - integrated care system"),
    "References": ("references", "The NHS Long Term Plan, published January 2019."),
    "Document history": ("document_history", "Version 1.0 was first published in June 2024."),
    "Revision history": ("document_history", "Dates revised in the second version."),
    "Version history": ("document_history", "First version."),
    "Document control": ("document_history", "Owner: the plan team."),
    "Change log": ("document_history", "Nothing changed yet."),
    "Contact us": ("contact", "Write to the plan team."),
    "Further information": ("contact", "See the website."),
    "Acknowledgements": ("acknowledgements", "With thanks to everyone who helped."),
}

# Each kind of end matter: (blocks appended after the last milestone, [(title, rule id)] of its end-matter sections).
END_MATTER = {
    title.lower().replace(" ", "-").replace(".", ""): ([("h", 2, title), ("p", text)], [(title, "end_matter." + kind)])
    for title, (kind, text) in ONE_HEADING.items()
} | {
    "annex-b-dash-glossary-of-terms": ([("h", 2, "Annex B – Glossary of terms"), ("h", 3, "API"),
                                        ("p", "Application programming interface.")],
                                       [("Annex B – Glossary of terms", "end_matter.annex")]),
    "appendices-then-appendix": ([("h", 2, "Appendices"), ("h", 3, "Appendix A: Data"), ("p", "Tables.")],
                                 [("Appendices", "end_matter.annex"), ("Appendix A: Data", "end_matter.annex")]),
    "glossary-with-terms-as-headings": ([("h", 2, "Glossary"), ("h", 3, "Shared care record"),
                                         ("p", "A record that every service sees.")], [("Glossary", "end_matter.glossary")]),
    "glossary-then-contact": ([("h", 2, "Glossary"), ("p", "API: application programming interface."),
                               ("h", 2, "Contact us"), ("p", "Write to us.")],
                              [("Glossary", "end_matter.glossary"), ("Contact us", "end_matter.contact")]),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", sorted(END_MATTER))
def test_end_matter_after_the_last_milestone_is_its_own_section(name, form):
    blocks, want_sections = END_MATTER[name]
    base, got = extract(PLAN, form), extract(PLAN + blocks, form)
    assert len(base.tables["milestones"]) == 3 and findings(base) == []
    assert got.tables["milestones"] == base.tables["milestones"]
    assert got.tables["programmes"] == base.tables["programmes"]  # the same spans and notes: none
    assert findings(got) == []
    assert end_sections(got) == [(title, rule_id, 1) for title, rule_id in want_sections]
    # Every paragraph of the end matter, its headings too, sits in an end-matter section or below one.
    sections = {s.section_id: s for s in got.tables["sections"]}
    n_before = len(base.tables["paragraphs"])
    for p in got.tables["paragraphs"][n_before:]:
        s = sections[p.section_id]
        assert s.kind == "end_matter" or sections[s.parent_id].kind == "end_matter", p.text
        assert (s.theme, s.programme) == (None, None)
    assert problems(got, form, PLAN + blocks) == []


# --- a revision history in the end matter -------------------------------------------------------------------
# Its date lines are the end matter's text: no milestone and no error. A table the loader writes as milestone
# prose is one info finding (table_outside_milestones, as anywhere outside a milestone section); date lines
# written as prose are one info finding for the section (date_lines_in_end_matter).

REVISION_ROWS = [("1 June 2024", "First published"), ("5 June 2024", "Dates revised")]


def revision_table(form: str) -> tuple:
    if form == "md":
        return ("p", "| Date | Action |\n|---|---|\n" + "\n".join(f"| {d} | {a} |" for d, a in REVISION_ROWS))
    return ("p", "<table>\n<tr><th>Date</th><th>Action</th></tr>\n"
            + "\n".join(f"<tr><td>{d}</td><td>{a}</td></tr>" for d, a in REVISION_ROWS) + "\n</table>")


@pytest.mark.parametrize("form", ["html", "md"])
def test_a_revision_table_in_end_matter_gives_no_milestones_and_one_info(form):
    base = extract(PLAN, form)
    got = extract(PLAN + [("h", 2, "Document history"), revision_table(form)], form)
    assert got.tables["milestones"] == base.tables["milestones"]
    assert got.tables["programmes"] == base.tables["programmes"]
    rule = "html.table.milestones" if form == "html" else "md.table.milestones"
    assert findings(got) == [("info", "table_outside_milestones", rule, "Date: 1 June 2024")]
    assert end_sections(got) == [("Document history", "end_matter.document_history", 1)]
    assert problems(got, form, PLAN + [("h", 2, "Document history"), revision_table(form)]) == []


@pytest.mark.parametrize("form", FORMS)
def test_revision_history_in_prose_in_end_matter_is_one_info(form):
    history = [("h", 2, "Revision history"), ("p", "First published."), ("p", "Date: 1 June 2024"),
               ("p", "Dates revised."), ("p", "Date: 5 June 2024")]
    base, got = extract(PLAN, form), extract(PLAN + history, form)
    assert got.tables["milestones"] == base.tables["milestones"]
    assert findings(got) == [("info", "date_lines_in_end_matter", "end_matter.document_history", "Date: 1 June 2024")]
    assert problems(got, form, PLAN + history) == []


@pytest.mark.parametrize("form", FORMS)
def test_without_its_heading_a_revision_history_is_read_as_milestones(form):
    """What the end-matter heading changes: the same lines under the last milestones are milestones."""
    got = extract(PLAN + [("p", "First published."), ("p", "Date: 1 June 2024")], form)
    assert [m.description for m in got.tables["milestones"]][-1] == "First published."


# --- a theme after end matter, and front matter ---------------------------------------------------------------

SECOND_THEME = [("h", 2, "Connect - overview"), ("p", "Connecting things."),
                ("h", 2, "Link programme"), ("h", 3, "Background"), ("p", "Why links."),
                ("h", 3, "Commitment milestones"), ("p", "Links made."), ("p", "Date: June 2025")]


@pytest.mark.parametrize("form", FORMS)
def test_a_theme_heading_after_end_matter_opens_a_theme_again(form):
    blocks = PLAN + [("h", 2, "Annex A: Glossary"), ("p", "API: application programming interface.")] + SECOND_THEME
    got = extract(blocks, form)
    want = extract(PLAN + SECOND_THEME, form)
    assert [(m.theme, m.programme, m.description) for m in got.tables["milestones"]] == \
        [(m.theme, m.programme, m.description) for m in want.tables["milestones"]]
    assert [m.programme for m in got.tables["milestones"]][-1] == "Link programme"
    assert [(s.kind, s.title) for s in got.tables["sections"] if s.level == 1] == [
        ("theme", "Build - overview"), ("end_matter", "Annex A: Glossary"), ("theme", "Connect - overview")]
    assert findings(got) == []
    assert problems(got, form, blocks) == []


FRONT_MATTER = [("h", 2, "Foreword"), ("p", "A word from the minister."), ("h", 2, "Contents"),
                ("p", "Executive summary"), ("p", "Glossary"), ("h", 2, "Executive summary"), ("p", "In short."),
                ("h", 2, "Glossary"), ("p", "API: application programming interface.")]


@pytest.mark.parametrize("form", FORMS)
def test_front_matter_before_the_first_theme_is_the_preamble(form):
    """Foreword, Contents and Executive summary, and even a glossary, before the first theme are preamble."""
    blocks = PLAN[:2] + FRONT_MATTER + PLAN[2:]
    base, got = extract(PLAN, form), extract(blocks, form)
    assert [(m.programme, m.description, m.date_text) for m in got.tables["milestones"]] == \
        [(m.programme, m.description, m.date_text) for m in base.tables["milestones"]]
    assert end_sections(got) == []
    assert [s.title for s in got.tables["sections"] if s.kind == "preamble"] == \
        ["Foreword", "Contents", "Executive summary", "Glossary", "Executive summary", "Glossary"]
    assert findings(got) == []
    assert problems(got, form, blocks) == []


@pytest.mark.parametrize("form", FORMS)
def test_a_contents_line_that_names_a_theme_makes_no_end_matter(form):
    """A contents list naming a theme opens that theme early (a known limit, as before); the glossary line
    below it is no end matter, since end matter only follows a programme."""
    contents = [("h", 2, "Contents"), ("p", "Build - overview"), ("p", "Glossary"), ("h", 2, "Glossary"),
                ("p", "API: application programming interface.")]
    base, got = extract(PLAN, form), extract(PLAN[:2] + contents + PLAN[2:], form)
    assert [(m.programme, m.description, m.date_text) for m in got.tables["milestones"]] == \
        [(m.programme, m.description, m.date_text) for m in base.tables["milestones"]]
    assert end_sections(got) == [] and findings(got) == []
    assert [s.title for s in got.tables["sections"] if s.kind == "theme"] == ["Build - overview"] * 2


# --- near misses ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("title", ["Glossary service", "Glossary", "References"])
def test_a_programme_named_like_end_matter_is_a_programme(title, form):
    """A sub-section heading below it makes it a programme: the structure, not the name, decides."""
    blocks = PLAN + [("h", 2, title), ("h", 3, "Background"), ("p", "Why."),
                     ("h", 3, "Commitment milestones"), ("p", "Terms agreed."), ("p", "Date: May 2025")]
    got = extract(blocks, form)
    assert [p.programme for p in got.tables["programmes"]] == ["Gadget programme", "Widget programme", title]
    assert [m.description for m in got.tables["milestones"]][-1] == "Terms agreed."
    assert end_sections(got) == [] and findings(got) == []
    assert problems(got, form, blocks) == []


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("description", ["Publish the glossary.", "Glossary", "Contact us"])
def test_a_milestone_that_names_end_matter_is_a_milestone(description, form):
    """A description written as a paragraph ('Glossary', then its date line) is a milestone's, in any form."""
    got = extract(PLAN + [("p", description), ("p", "Date: May 2025")], form)
    assert [(m.description, m.date_text) for m in got.tables["milestones"]][-1] == (description, "May 2025")
    assert end_sections(got) == [] and findings(got) == []


@pytest.mark.parametrize("form", FORMS)
def test_references_inside_a_background_stay_a_small_heading(form):
    """Inside a programme, a 'References' heading followed by more of its sub-sections is a heading of the
    sub-section, not end matter: the programme goes on below it."""
    at = PLAN.index(("p", "Why widgets."))
    blocks = PLAN[:at + 1] + [("h", 4, "References"), ("p", "The 2019 review of widgets.")] + PLAN[at + 1:]
    base, got = extract(PLAN, form), extract(blocks, form)
    assert [(m.programme, m.description) for m in got.tables["milestones"]] == \
        [(m.programme, m.description) for m in base.tables["milestones"]]
    assert end_sections(got) == [] and findings(got) == []
    sections = {s.section_id: s for s in got.tables["sections"]}
    ref = next(s for s in got.tables["sections"] if s.title == "References")
    assert (ref.kind, sections[ref.parent_id].title, ref.programme) == ("heading", "Background", "Widget programme")


# --- the plan itself -----------------------------------------------------------------------------------------

def test_the_plan_with_end_matter_appended_keeps_its_milestones(plan, plan_text):
    appended = plan_text.rstrip("\n") + "\n\nAnnex A: Glossary\n\nCIDC\n\nCentre for Improving Data Collaboration.\n\n" \
        "ICS\n\nIntegrated care system.\n\nDocument history\n\nVersion 1.0\n\nDate: 1 December 2021\n\n" \
        "First published.\n"
    got = extract_text(appended, name=f"{plan.tables['documents'][0].doc_id}.txt")
    assert len(got.tables["milestones"]) == 219
    assert got.tables["milestones"] == plan.tables["milestones"]
    assert got.tables["programmes"] == plan.tables["programmes"]
    info = ("info", "date_lines_in_end_matter", "end_matter.document_history", "Date: 1 December 2021")
    assert findings(got) == findings(plan) + [info]
    assert end_sections(got) == [("Annex A: Glossary", "end_matter.annex", 1),
                                 ("Document history", "end_matter.document_history", 1)]
    assert span_problems(got, normalise(appended).split("\n")) == []


# --- the rules -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("heading,rule_id", [
    ("Annex A: Glossary", "end_matter.annex"), ("ANNEX B – GLOSSARY OF TERMS", "end_matter.annex"),
    ("Appendix 1", "end_matter.annex"), ("Appendix IV - Data tables", "end_matter.annex"),
    ("Annexe C Programme summaries", "end_matter.annex"), ("Appendices", "end_matter.annex"),
    ("2. Glossary", "end_matter.glossary"), ("Glossary of terms:", "end_matter.glossary"),
    ("List of abbreviations", "end_matter.abbreviations"), ("Acronyms and abbreviations", "end_matter.abbreviations"),
    ("Bibliography", "end_matter.references"), ("Notes and references", "end_matter.references"),
    ("Amendment record", "end_matter.document_history"), ("Changelog", "end_matter.document_history"),
    ("Contact details", "end_matter.contact"), ("Acknowledgments", "end_matter.acknowledgements"),
    # Near misses: other words after the name, or a sentence.
    ("Glossary service", None), ("Appendix management system", None), ("Annex to the data strategy", None),
    ("References to the Long Term Plan", None), ("Contact centre modernisation", None), ("Publish the glossary.", None),
    ("Document history review", None), ("Introduction", None), ("Foreword", None), ("Contents", None),
])
def test_end_matter_rules(heading, rule_id):
    rules = structure_rules()
    assert rules.end_matter_of_words(rules.words(heading)) == rule_id


def test_end_matter_rules_are_validated_together(tmp_path):
    data = shipped("structure.yaml")
    data["headings"]["end_matter"] += [{"id": "end_matter.glossary", "pattern": "^terms$"},
                                       {"id": "end_matter.broken", "pattern": "^(annex$"}]
    problems = "\n".join(rule_problems(tmp_path, "structure.yaml", StructureRuleFile, _check, data))
    assert "duplicate rule id 'end_matter.glossary'" in problems and "end_matter.broken: bad regex" in problems


def test_a_one_line_description_that_reads_as_end_matter_with_text_below_it_is_a_milestone():
    blocks = PLAN + [("p", "Further information"), ("p", "Published on the website."), ("p", "Date: May 2025")]
    got = extract(blocks, "txt")
    assert [m.description for m in got.tables["milestones"]][-1] == "Further information\n\nPublished on the website."
    assert end_sections(got) == [] and findings(got) == []


# Inside a milestone sub-section, an end-matter heading with milestones (date lines) below it, after text or
# after other milestones, before the next theme or end-matter heading: a small heading, read as any other
# small heading there is ("Phase two"), not end matter that would drop those milestones.
MORE_MILESTONES = {
    "text-then-a-milestone": [("p", "See the website for the details."), ("p", "Third widget tested."),
                              ("p", "Date: May 2025")],
    "two-milestones": [("p", "Third widget tested."), ("p", "Date: May 2025"),
                       ("p", "Fourth widget tested."), ("p", "Date: June 2025")],
    "a-dates-header": [("p", "See the website."), ("p", "Third widget tested."), ("p", "Dates:"),
                       ("p", "Half by May 2025")],
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("heading", ["Further information", "References", "Glossary", "Annex A"])
@pytest.mark.parametrize("below", sorted(MORE_MILESTONES))
def test_an_end_matter_heading_with_milestones_below_it_in_a_milestone_section_is_a_small_heading(below, heading, form):
    blocks = PLAN + [("h", 3, heading)] + MORE_MILESTONES[below]
    got = extract(blocks, form)
    same = extract(PLAN + [("h", 3, "Phase two")] + MORE_MILESTONES[below], form)
    assert end_sections(got) == [] and findings(got) == findings(same)
    assert [(m.description.replace(heading, "Phase two"), m.date_text, m.due_end) for m in got.tables["milestones"]] \
        == [(m.description, m.date_text, m.due_end) for m in same.tables["milestones"]]
    assert len(got.tables["milestones"]) == len(extract(PLAN, form).tables["milestones"]) + below.startswith("two") + 1
    assert problems(got, form, blocks) == []
