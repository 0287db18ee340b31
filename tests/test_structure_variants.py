"""Issues 2/3/6: layouts that move the plan's structure without changing its content.

Programmes with an introduction before their sub-sections, long or question-like programme
headings, numbered themes, sub-sections and programmes, a programme whose name ends in
"overview", and date lines written another way ("Date - …", "Due date: …", "When: …", a bare "Date:"
with its value on the line below). Each either gives the plan's own milestones, or a small
plan shows the rule, including where it must not fire.
"""
from __future__ import annotations

import itertools
import re

import pytest

from conftest import extract_text
from pipeline.milestones import description_key
from provenance_util import span_problems


def content(tables) -> list[tuple]:
    """Milestones by content: what survives a renumbered programme title (ids and titles come from it)."""
    return [(m.theme, description_key(m.description), m.date_text, m.due_start, m.due_end, m.due_precision, m.is_tbc,
             m.status, m.status_text, m.workstream, m.n_targets) for m in tables.tables["milestones"]]


def numbered(pattern: str, fmt: str, cycle: int = 0):
    """Return a transform that numbers every line matching `pattern` in turn (1, 2, … or 1..cycle over), formatting with `fmt`."""
    def apply(text: str) -> str:
        counter = itertools.cycle(range(1, cycle + 1)) if cycle else itertools.count(1)
        return re.sub(pattern, lambda m: fmt.format(n=next(counter), line=m.group(0)), text)
    return apply


INTRO = "This programme is introduced in a sentence before its background.\n\nA second paragraph of introduction.\n\n"

SAME_MILESTONES = {
    "intro-before-background": lambda t: re.sub(r"(?m)^(Background)$", INTRO.replace("\\", r"\\") + r"\1", t),
    "numbered-themes": numbered(r"(?m)^.+ - overview$", "{n}. {line}"),
    "numbered-sub-sections": numbered(r"(?m)^(?:Background|Delivery approach|Commitment milestones)$", "12.{n} {line}", cycle=3),
    "numbered-programmes": lambda t: numbered(r"(?m)^[^\n]+(?=\n\nBackground$)", "{n}. {line}")(t),
    "date-dash": lambda t: re.sub(r"(?m)^Date: ", "Date - ", t),
    "date-en-dash": lambda t: re.sub(r"(?m)^Date: ", "Date – ", t),
    "due-date": lambda t: re.sub(r"(?m)^Date: ", "Due date: ", t),
    "target-date-upper": lambda t: re.sub(r"(?m)^Date: ", "TARGET DATE: ", t),
    "when": lambda t: re.sub(r"(?m)^Date: ", "When: ", t),
    "timing": lambda t: re.sub(r"(?m)^Date: ", "Timing – ", t),
    "by-when-on-own-line": lambda t: re.sub(r"(?m)^Date: ", "By when:\n", t),
    "date-label-on-own-line": lambda t: re.sub(r"(?m)^Date: ", "Date:\n", t),
    "date-label-then-blank-line": lambda t: re.sub(r"(?m)^Date: ", "Date:\n\n", t),
    "sub-section-headings-with-colons": lambda t: re.sub(r"(?m)^(Background|Delivery approach|Commitment milestones)$",
                                                         r"\1:", t),
    "programme-headings-with-colons": lambda t: re.sub(r"(?m)^([^\n]+)(?=\n\nBackground$)", r"\1:", t),
    "key-milestones": lambda t: re.sub(r"(?m)^Commitment milestones$", "Key milestones", t),
    "date-on-the-description-line": lambda t: re.sub(r"(?m)([.!?)])\n\n+(Date: )", r"\1 \2", t),
    "soft-hyphens-and-zero-width-spaces": lambda t: t.replace("Date: Dec", "\u200bDate: Dec").replace(
        "December", "Decem\u00adber"),
}


@pytest.mark.parametrize("name", sorted(SAME_MILESTONES))
def test_layout_variant_gives_the_same_milestones(plan, plan_text, name):
    got = extract_text(SAME_MILESTONES[name](plan_text))
    assert content(got) == content(plan)
    kinds = [s.kind for s in got.tables["sections"]]
    assert kinds.count("programme") == 46 and kinds.count("theme") == 4
    assert [s.theme for s in got.tables["sections"] if s.kind == "theme"] == \
        ["Digitise", "Connect", "Transform", "Operational functions"]
    assert [q.code for q in got.tables["quality"]] == ["status_misspelt"]
    assert span_problems(got) == []


@pytest.mark.parametrize("name", ["numbered-programmes", "programme-headings-with-colons"])
def test_programme_keys_survive_numbering_and_colons(plan, plan_text, name):
    """programme_id (and so milestone_id) leaves numbering and a closing colon out; the name keeps the numbering."""
    got = extract_text(SAME_MILESTONES[name](plan_text))
    assert [p.programme_id for p in got.tables["programmes"]] == [p.programme_id for p in plan.tables["programmes"]]
    assert [m.milestone_id for m in got.tables["milestones"]] == [m.milestone_id for m in plan.tables["milestones"]]
    names = [p.programme for p in got.tables["programmes"]]
    if name == "programme-headings-with-colons":
        assert names == [p.programme for p in plan.tables["programmes"]]
    else:
        assert names[0] == "1. " + plan.tables["programmes"][0].programme


def test_a_repeated_sub_section_warns_of_a_missed_programme_heading():
    text = small_plan(programme("First programme") + """Second programme, whose heading is a sentence.

Background

Why.

Commitment milestones

Other thing.

Date: June 2024
""")
    got = extract_text(text)
    assert titles(got, "programme") == ["First programme"]
    assert [(q.code, q.rule_id) for q in got.tables["quality"]] == [
        ("unplaced_paragraph", "programme.note"),  # the unrecognised heading, after the first programme's last date
        ("repeated_subsection", "subsection.background"), ("repeated_subsection", "subsection.milestones")]


def test_intro_paragraphs_belong_to_the_programme(plan, plan_text):
    got = extract_text(SAME_MILESTONES["intro-before-background"](plan_text))
    sections = {s.section_id: s for s in got.tables["sections"]}
    intros = [p for p in got.tables["paragraphs"] if p.text.startswith("This programme is introduced")]
    assert len(intros) == 46
    assert {sections[p.section_id].kind for p in intros} == {"programme"}
    assert [s.title for s in got.tables["sections"] if s.kind == "programme"] == \
        [s.title for s in plan.tables["sections"] if s.kind == "programme"]


@pytest.mark.parametrize("name", ["date-label-on-own-line", "date-label-then-blank-line"])
def test_a_date_label_and_its_value_are_read_as_one_date_line(plan, plan_text, name):
    """The label and its value stay paragraphs of their own; the milestone spans both."""
    got = extract_text(SAME_MILESTONES[name](plan_text))
    paras = {p.paragraph_id: p for p in got.tables["paragraphs"]}
    dated = [p for p in paras.values() if p.kind == "date_line"]
    assert len(dated) == 2 * 213
    assert {p.rule_id for p in dated} == {"kind.date_label"}
    assert sum(p.text == "Date:" for p in dated) == 213
    simple = [m for m in got.tables["milestones"] if m.n_targets == 0]
    assert len(simple) == 213
    for m in simple:
        label, value = (paras[pid] for pid in m.paragraph_ids[-2:])
        assert (label.text, value.text.startswith(m.date_text)) == ("Date:", True)
        assert (m.char_end, m.line_end) == (value.char_end, value.line_end)


def small_plan(programmes: str, preface: str = "") -> str:
    return f"""Small Plan
Published 2 January 2024

Make - overview

Making things.

{programmes}"""


def programme(title: str, intro: str = "", milestones: str = "Thing done.\n\nDate: May 2024",
              background: str = "Why.") -> str:
    return f"""{title}

{intro}Background

{background}

Delivery approach

How.

Commitment milestones

{milestones}

"""


def titles(tables, kind: str) -> list[str]:
    return [s.title for s in tables.tables["sections"] if s.kind == kind]


LONG_TITLE = "Making sure that every person in every part of the country can see and use their own health record"


@pytest.mark.parametrize("title", [
    LONG_TITLE,  # 20 words: longer than a heading's shape (14)
    "What does a shared care record give a patient?",
    "3. Shared care records",
    "Data platform overview",  # ends like a theme, but holds sub-sections
], ids=["twenty-words", "question", "numbered", "ends-in-overview"])
def test_programme_headings_known_by_the_sub_sections_below(title):
    got = extract_text(small_plan(programme("First programme") + programme(title)))
    assert titles(got, "programme") == ["First programme", title]
    assert titles(got, "theme") == ["Make - overview"]
    assert [m.programme for m in got.tables["milestones"]] == ["First programme", title]
    assert span_problems(got) == []


def test_first_programme_of_a_theme_may_have_an_introduction():
    got = extract_text(small_plan(programme("Only programme", intro="An introduction.\n\nAnd more.\n\n")))
    assert titles(got, "programme") == ["Only programme"]


def test_a_small_heading_before_the_next_sub_section_is_not_a_programme():
    """Inside Background, a short heading, its text, then 'Delivery approach': one programme, not two."""
    text = small_plan(programme("First programme", background="Why.\n\nOur starting point\n\nSome context for it."))
    got = extract_text(text)
    assert titles(got, "programme") == ["First programme"]
    assert titles(got, "heading") == ["Our starting point"]
    assert titles(got, "subsection") == ["Background", "Delivery approach", "Commitment milestones"]


def test_a_line_of_text_before_a_sub_section_the_programme_lacks_stays_text():
    text = small_plan(programme("First programme", background="Why it matters to us and to the people we serve, in "
                                                           "more words than a heading has"))
    got = extract_text(text)
    assert titles(got, "programme") == ["First programme"]
    last_bg = [p for p in got.tables["paragraphs"] if p.text.startswith("Why it matters")]
    assert [p.kind for p in last_bg] == ["text"]


@pytest.mark.parametrize("line,is_date_line", [
    ("Date: May 2024", True),
    ("Dates: May 2024", True),
    ("Date - May 2024", True),
    ("Date — May 2024", True),
    ("Due date: May 2024", True),
    ("Delivery date: May 2024", True),
    ("Due: May 2024", True),
    ("Deadline – May 2024", True),
    ("Timescale: May 2024", True),
    ("Date： May 2024", True),
    ("date: may 2024", True),
    ("Date-driven work starts in May 2024.", False),
    ("Dated records are kept until May 2024.", False),
    ("Update: May 2024", False),
])
def test_date_line_forms(line, is_date_line):
    got = extract_text(small_plan(programme("First programme", milestones=f"Thing done.\n\n{line}\n\nOther thing.\n\n"
                                                                           "Date: June 2024")))
    kinds = {p.text: p.kind for p in got.tables["paragraphs"]}
    assert (kinds[line] == "date_line") is is_date_line
    assert len(got.tables["milestones"]) == (2 if is_date_line else 1)


def test_an_unknown_date_label_warns_that_milestones_may_have_merged():
    got = extract_text(small_plan(programme("First programme", milestones="Thing done.\n\nLaunch: July 2024\n\n"
                                                                          "Other thing.\n\nDate: June 2024")))
    assert len(got.tables["milestones"]) == 1
    found = [(q.code, q.severity, q.rule_id) for q in got.tables["quality"]]
    assert found == [("suspect_date_line", "warning", "milestone.suspect_date_line")]
    assert "'Launch'" in got.tables["quality"][0].message


@pytest.mark.parametrize("line", ["Launch: soon", "Note: this depends on funding", "Owner: NHS England"])
def test_a_label_without_a_date_is_not_suspect(line):
    got = extract_text(small_plan(programme("First programme", milestones=f"Thing done.\n\n{line}\n\nDate: June 2024")))
    assert [q.code for q in got.tables["quality"]] == []


def test_a_bare_date_label_with_no_value_warns():
    got = extract_text(small_plan(programme("First programme", milestones="Thing done.\n\nDate:\n\nOther thing.\n\n"
                                                                          "Date: June 2024")))
    first, second = got.tables["milestones"]
    assert (first.description, first.date_text, first.due_end) == ("Thing done.", "", None)
    assert second.due_end is not None
    assert [q.code for q in got.tables["quality"]] == ["missing_date"]
    assert span_problems(got) == []


@pytest.mark.parametrize("block,expected", [
    ("Thing done. Date: May 2024\n\nOther thing (phase one). Due date - June 2024 (complete)",
     [("Thing done.", "May 2024", "planned"), ("Other thing (phase one).", "June 2024", "complete")]),
    ("Thing done, with Mr. Date: no date here.\n\nDate: May 2024", [("Thing done, with Mr. Date: no date here.",
                                                                   "May 2024", "planned")]),
    ("Thing done.\n\nDates:\n\nMarch 2025: 40%\n\nMarch 2026 - 65% (complete)",
     [("Thing done.", "March 2025: 40%; March 2026 - 65% (complete)", "partial")]),
    ("Thing done.\n\nDates:\n\n40% by March 2025\n\nStandards published. Date: TBC",
     [("Thing done.", "40% by March 2025", "planned"), ("Standards published.", "TBC", "planned")]),
], ids=["same-line", "not-a-date-line", "date-first-targets", "after-targets"])
def test_dates_written_inside_a_line(block, expected):
    got = extract_text(small_plan(programme("First programme", milestones=block)))
    assert [(m.description, m.date_text, m.status) for m in got.tables["milestones"]] == expected
    assert got.tables["quality"] == []
    assert span_problems(got) == []


def test_date_first_targets_read_label_and_date():
    got = extract_text(small_plan(programme("First programme", milestones="Thing done.\n\nDates:\n\nMarch 2025: 40%")))
    [t] = got.tables["milestone_targets"]
    assert (t.label, t.value, t.unit, str(t.due_end), t.rule_id) == ("40%", 40.0, "percent", "2025-03-31",
                                                                     "target.date_first")


def test_themes_known_by_the_programmes_that_follow_them(plan, plan_text):
    """A later edition drops '- overview': the headings that programmes follow are the themes, and quality says so."""
    got = extract_text(re.sub(r"(?m)^(.+) - overview$", r"\1", plan_text))
    assert content(got) == content(plan)
    themes = [s for s in got.tables["sections"] if s.kind == "theme"]
    assert [(s.title, s.theme, s.rule_id) for s in themes] == [
        (t, t, "heading.theme_by_structure") for t in ["Digitise", "Connect", "Transform", "Operational functions"]]
    assert [s.title for s in got.tables["sections"] if s.kind == "preamble"] == \
        [s.title for s in plan.tables["sections"] if s.kind == "preamble"]
    assert [q.code for q in got.tables["quality"]] == ["themes_by_structure", "status_misspelt"]
    assert span_problems(got) == []


def programme_with(title: str, headings: list[str], milestones: str = "Thing done.\n\nDate: May 2024") -> str:
    """A programme whose sub-sections have the given headings; the last one holds the milestones."""
    body = "".join(f"{h}\n\nSome text.\n\n" for h in headings[:-1])
    return f"{title}\n\n{body}{headings[-1]}\n\n{milestones}\n\n"


@pytest.mark.parametrize("headings,rules", [
    (["Context", "Our approach", "Milestones"], ["subsection.context", "subsection.delivery_approach",
                                                 "subsection.milestones"]),
    (["The challenge", "Objectives", "Approach", "Key deliverables"],
     ["subsection.context", "subsection.objectives", "subsection.delivery_approach", "subsection.milestones"]),
    (["Aims and objectives", "How we will deliver it", "Timeline"],
     ["subsection.objectives", "subsection.delivery_approach", "subsection.milestones"]),
    (["Progress to date", "What we will deliver and when"], ["subsection.progress", "subsection.milestones"]),
    (["What we have achieved so far", "Expected benefits", "Key dates"],
     ["subsection.progress", "subsection.outcomes", "subsection.milestones"]),
    (["Risks and dependencies", "Timescales"], ["subsection.risks", "subsection.milestones"]),
    (["1. Context", "2. Outcomes and benefits", "3. Delivery milestones"],
     ["subsection.context", "subsection.outcomes", "subsection.milestones"]),
], ids=lambda v: "|".join(v) if not v[0].startswith("subsection.") else "")
def test_sub_sections_named_another_way_make_the_programme(headings, rules):
    got = extract_text(small_plan(programme_with("First programme", headings) + programme_with("Second programme", headings)))
    assert titles(got, "programme") == ["First programme", "Second programme"]
    subs = [(s.title, s.rule_id) for s in got.tables["sections"] if s.kind == "subsection"]
    assert subs == list(zip(headings, rules)) * 2
    assert [(m.programme, m.description) for m in got.tables["milestones"]] == [
        ("First programme", "Thing done."), ("Second programme", "Thing done.")]
    assert got.tables["quality"] == []
    assert span_problems(got) == []


def test_next_steps_after_the_milestones_is_a_sub_section_of_its_own():
    """Text under 'Next steps' is no milestone and no programme note: the milestone sub-section ends at it."""
    got = extract_text(small_plan(programme_with("First programme", ["Background", "Milestones"],
                                                 "Thing done.\n\nDate: May 2024\n\nNext steps\n\nWe will review it.")))
    assert [(s.title, s.rule_id) for s in got.tables["sections"] if s.kind == "subsection"] == [
        ("Background", "subsection.background"), ("Milestones", "subsection.milestones"),
        ("Next steps", "subsection.next_steps")]
    [p] = got.tables["programmes"]
    assert (p.n_milestones, p.notes) == (1, [])
    assert got.tables["quality"] == []


@pytest.mark.parametrize("heading", ["Introduction", "Summary", "Overview"])
def test_words_that_head_a_document_are_not_sub_sections(heading):
    """Under a programme they are small headings; they never make the heading above them a programme."""
    got = extract_text(small_plan(programme("First programme", background=f"Why.\n\n{heading}\n\nMore on why.")))
    assert titles(got, "programme") == ["First programme"]
    assert titles(got, "heading") == [heading]


@pytest.mark.parametrize("heading", ["Next steps", "Progress to date", "Objectives"])
def test_a_sub_section_heading_with_milestones_below_it_stays_in_the_milestone_sub_section(plan, plan_text, heading):
    """Inside a milestone sub-section, a heading that names another sub-section but has date lines below it
    (before the next section) is a small heading of the milestones: none of them is lost."""
    third = [m for m in plan.tables["milestones"] if m.programme == plan.tables["programmes"][0].programme][2]
    at = third.char_start
    got = extract_text(plan_text[:at] + f"{heading}\n\n" + plan_text[at:])
    assert [(m.programme, m.date_text, m.due_end) for m in got.tables["milestones"]] == \
        [(m.programme, m.date_text, m.due_end) for m in plan.tables["milestones"]]
    assert [q.code for q in got.tables["quality"]] == ["status_misspelt"]


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("Scope\n\n", "Scope\n\nContext\n\nThe plan sits within the wider strategy.\n\n", 1),
    lambda t: t.replace("Duration\n\n", "Objectives\n\n", 1),
    lambda t: t.replace("Duration\n\n", "Next steps\n\n", 1),
], ids=["context-in-preamble", "objectives-in-preamble", "next-steps-in-preamble"])
def test_a_preamble_heading_that_names_a_sub_section_makes_no_programme(plan, plan_text, edit):
    """With themes known by structure (no '- overview'), 'Objectives' under a preamble heading is no sign of a
    programme (opens_programme: false): the themes and programmes are the plan's own."""
    got = extract_text(edit(plan_text.replace(" - overview\n", "\n")))
    assert [p.programme for p in got.tables["programmes"]] == [p.programme for p in plan.tables["programmes"]]
    assert [m.theme for m in got.tables["milestones"]] == [m.theme for m in plan.tables["milestones"]]


@pytest.mark.parametrize("line, is_date_line", [
    ("When: March 2022", True),
    ("By when – Q3 2022/23", True),
    ("TIMING: spring 2023", True),
    ("When the pilot ends: the trusts report.", False),  # a clause, not a label
    ("Whenever: possible", False),
    ("Timings were agreed: March 2022", False),
    ("When-ready: 2023", False),  # a dash needs a space before it
])
def test_when_and_timing_label_a_date_line(line, is_date_line):
    """The labels of a milestone table's date column (rules/html.yaml) label a prose date line too."""
    from pipeline.structure import structure_rules

    assert (structure_rules().date_line_re.match(line) is not None) == is_date_line
