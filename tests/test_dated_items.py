"""Milestones that state their own dates: a milestone sub-section with no date line, whose items
end (or start) with their date ("Thing one – March 2025", "Thing two (June 2025)").

The rules are `dated_items` in rules/milestones.yaml. A sub-section with a date line is read as
before: its leftover text never becomes milestones of this kind.
"""
from __future__ import annotations

from datetime import date

import pytest

from conftest import extract_html, extract_text, milestone_plan
from pipeline.milestone_rules import milestone_rules
from provenance_util import span_problems

D = date

ITEMS = [  # (item text, description, date_text, due_start, due_end, status text, rule)
    ("Thing one – March 2025", "Thing one", "March 2025", D(2025, 3, 1), D(2025, 3, 31), None, "dash"),
    ("Thing one - March 2025.", "Thing one", "March 2025", D(2025, 3, 1), D(2025, 3, 31), None, "dash"),
    ("Thing two (June 2025)", "Thing two", "June 2025", D(2025, 6, 1), D(2025, 6, 30), None, "bracket"),
    ("Thing (phase 2) – Q3 2025/26", "Thing (phase 2)", "Q3 2025/26", D(2025, 10, 1), D(2025, 12, 31), None, "dash"),
    ("Thing three: 31 March 2026", "Thing three", "31 March 2026", D(2026, 3, 31), D(2026, 3, 31), None, "colon"),
    ("Thing: by end of 2026", "Thing", "by end of 2026", D(2026, 1, 1), D(2026, 12, 31), None, "colon"),
    ("Thing four by March 2026.", "Thing four by March 2026", "by March 2026", D(2026, 3, 1), D(2026, 3, 31), None,
     "time_word"),  # a sentence keeps its date words
    ("Roll out to all trusts in 2027", "Roll out to all trusts in 2027", "in 2027", D(2027, 1, 1), D(2027, 12, 31),
     None, "time_word"),
    ("Thing one – March 2025 (complete)", "Thing one", "March 2025", D(2025, 3, 1), D(2025, 3, 31), "(complete)",
     "dash"),
    ("Thing one – March 2025 ✓", "Thing one", "March 2025", D(2025, 3, 1), D(2025, 3, 31), "✓", "dash"),
    ("March 2025: Thing one", "March 2025: Thing one", "March 2025", D(2025, 3, 1), D(2025, 3, 31), None, "date_first_colon"),
    ("Q1 2026 – Thing two", "Q1 2026 – Thing two", "Q1 2026", D(2026, 1, 1), D(2026, 3, 31), None, "date_first_dash"),
    ("Workstream A: thing – May 2025", "Workstream A: thing", "May 2025", D(2025, 5, 1), D(2025, 5, 31), None, "dash"),
    ("Pilot: 1 April 2025 – 31 March 2026", "Pilot", "1 April 2025 – 31 March 2026", D(2025, 4, 1), D(2026, 3, 31),
     None, "colon"),  # the longest date that ends the item
    ("Pilot – 2024 - 2026", "Pilot", "2024 - 2026", D(2024, 1, 1), D(2026, 12, 31), None, "dash"),
    # a flag beside the date, inside the bracket or before the separator
    ("Thing two (June 2025, complete)", "Thing two", "June 2025", D(2025, 6, 1), D(2025, 6, 30), "complete",
     "bracket"),
    ("Thing two (June 2025 - delayed).", "Thing two", "June 2025", D(2025, 6, 1), D(2025, 6, 30), "- delayed",
     "bracket"),
    ("June 2025 (complete): Thing two", "June 2025 (complete): Thing two", "June 2025", D(2025, 6, 1),
     D(2025, 6, 30), "(complete)", "date_first_colon"),
    ("Q1 2026 ✓ – Thing two", "Q1 2026 ✓ – Thing two", "Q1 2026", D(2026, 1, 1), D(2026, 3, 31), "✓",
     "date_first_dash"),
]
NOT_ITEMS = [
    "Phase 2 – Wave A",  # no date after the dash
    "Thing (see note)",
    "March 2025",  # a date and no description
    "Thing – March 2025 and more",  # the date does not end it
    "In March 2025 we will start.",  # a date that does not end or head the item
    "Thing (June 2025) and more",
    "March 2025 – ",
    "Thing (June 2025, London)",  # after a comma only a status is a flag
    "(complete): Thing two",  # a flag and no date
]


@pytest.mark.parametrize("text,description,date_text,start,end,flag,rule", ITEMS, ids=[i[0] for i in ITEMS])
def test_an_item_that_states_its_date(text, description, date_text, start, end, flag, rule):
    item = milestone_rules().dated_item(text)
    assert item is not None
    period = item.value.period
    got = (text[item.description_start:item.description_end], item.value.date_text, period.start, period.end,
           item.value.flag.text if item.value.flag else None, item.rule_id)
    assert got == (description, date_text, start, end, flag, f"milestone.dated_item.{rule}")


@pytest.mark.parametrize("text", NOT_ITEMS)
def test_what_is_not_an_item_with_a_date(text):
    assert milestone_rules().dated_item(text) is None


@pytest.mark.parametrize("text,items", [
    ("• One – May 2025\n• Two – June 2025", ["One – May 2025", "Two – June 2025"]),
    ("- One – May 2025\n  continued – June 2025", ["One – May 2025\n  continued – June 2025"]),
    ("We will deliver:\n1. One (May 2025)\n2) Two (June 2025)", ["One (May 2025)", "Two (June 2025)"]),
    ("We will deliver\n• One (May 2025)", ["We will deliver", "One (May 2025)"]),  # no colon: the line is an item
    ("One – May 2025", ["One – May 2025"]),
    ("One thing\nwrapped – May 2025", ["One thing\nwrapped – May 2025"]),
])
def test_the_items_of_a_paragraph(text, items):
    assert [text[a:b] for a, b in milestone_rules().items_of(text)] == items


def small_plan(milestones: str, heading: str = "Key milestones") -> str:
    return milestone_plan(milestones, heading)


LAYOUTS = {
    "bullets": "• Thing one – March 2025\n• Thing two – June 2025 (complete)",
    "numbered with a lead-in": "We will deliver:\n\n1. Thing one (March 2025)\n2. Thing two (June 2025) (complete)",
    "paragraphs": "Thing one by March 2025.\n\nThing two by June 2025 (complete).",
    "date first": "March 2025: Thing one\n\nJune 2025: Thing two (complete)",
    "lead-in dates": "By March 2025:\n• Thing one\n\nBy June 2025:\n• Thing two (complete)",
    "lead-in dates as paragraphs": "March 2025:\n\n- Thing one\n\nJune 2025:\n\n- Thing two (complete)",
    "flag in the bracket": "Thing one (March 2025).\n\nThing two (June 2025, complete).",
    "date first, flagged": "March 2025: Thing one\n\nJune 2025 (complete): Thing two",
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_sub_section_of_dated_items(name):
    got = extract_text(small_plan(LAYOUTS[name]))
    ms = got.tables["milestones"]
    assert [(m.due_start, m.due_end, m.status, m.n_targets) for m in ms] == [
        (D(2025, 3, 1), D(2025, 3, 31), "planned", 0), (D(2025, 6, 1), D(2025, 6, 30), "complete", 0)]
    assert [m.description.split(" by ")[0].split(": ")[-1].rstrip(".") for m in ms] == ["Thing one", "Thing two"]
    assert [(q.severity, q.code) for q in got.tables["quality"]] == [("info", "dated_item")] * 2
    assert {q.rule_id.rsplit(".", 1)[0] for q in got.tables["quality"]} == {"milestone.dated_item"}
    assert [p.n_milestones for p in got.tables["programmes"]] == [2]
    raw = small_plan(LAYOUTS[name]).split("\n")
    assert span_problems(got, raw) == []


def test_each_milestone_of_a_list_keeps_its_own_line():
    got = extract_text(small_plan("• Thing one – March 2025\n• Thing two – June 2025"))
    one, two = got.tables["milestones"]
    text = got.tables["documents"][0].text
    assert (text[one.char_start:one.char_end], one.line_start, one.line_end) == ("Thing one – March 2025", 16, 16)
    assert (text[two.char_start:two.char_end], two.line_start, two.line_end) == ("Thing two – June 2025", 17, 17)
    assert one.paragraph_ids == two.paragraph_ids
    assert one.milestone_id != two.milestone_id


def test_a_page_with_a_list_of_dated_items():
    page = """<html><head><title>Small Plan</title></head><body><main>
<h1>Small Plan</h1>
<p>Published 2 January 2024</p>
<h2>Make - overview</h2>
<p>Making.</p>
<h3>Thing programme</h3>
<h4>Background</h4>
<p>Why.</p>
<h4>Key milestones</h4>
<ul>
  <li>Thing one – March 2025</li>
  <li>Thing two (June 2025)</li>
</ul>
</main></body></html>
"""
    got = extract_html(page)
    ms = got.tables["milestones"]
    assert [(m.description, m.date_text, m.line_start, m.line_end) for m in ms] == [
        ("Thing one", "March 2025", 11, 11), ("Thing two", "June 2025", 12, 12)]
    assert span_problems(got) == []


def test_a_sub_section_with_a_date_line_reads_no_dated_items():
    """Where milestones close with date lines, a dated sentence after the last is a leftover, as before."""
    got = extract_text(small_plan("Thing one.\n\nDate: March 2025\n\nThing two – June 2025"))
    assert [m.description for m in got.tables["milestones"]] == ["Thing one."]
    assert [q.code for q in got.tables["quality"]] == ["suspect_date_line", "unplaced_paragraph"]


def test_a_pending_statement_is_no_dated_item():
    got = extract_text(small_plan("Thing one – March 2025\n\nMore milestones will be published in Q3 2025."))
    assert [m.description for m in got.tables["milestones"]] == ["Thing one"]
    [prog] = got.tables["programmes"]
    assert prog.commitments_pending_text == "More milestones will be published in Q3 2025."


def test_a_list_with_an_item_that_names_no_date_is_not_read():
    got = extract_text(small_plan("• Thing one – March 2025\n• Thing two\n\nThing three.\n\nDate: June 2025"))
    assert [m.description for m in got.tables["milestones"]] == ["• Thing one – March 2025\n• Thing two\n\nThing three."]


def test_a_plan_that_ends_with_a_dated_item_is_not_truncated():
    """An item ending in its date has no closing stop, and is no description cut off."""
    got = extract_text(small_plan("• Thing one – March 2025\n• Thing two and more of it – June 2025"))
    assert len(got.tables["milestones"]) == 2


def test_a_lead_in_date_is_the_date_of_the_items_below_it_that_state_none():
    text = small_plan("In Q1 2025/26:\n• Thing one\n• Thing two – June 2025\n• Thing three ✓")
    got = extract_text(text)
    ms = got.tables["milestones"]
    assert [(m.description, m.date_text, m.due_start, m.due_end, m.status) for m in ms] == [
        ("Thing one", "In Q1 2025/26", D(2025, 4, 1), D(2025, 6, 30), "planned"),
        ("Thing two", "June 2025", D(2025, 6, 1), D(2025, 6, 30), "planned"),  # its own date
        ("Thing three", "In Q1 2025/26", D(2025, 4, 1), D(2025, 6, 30), "complete")]
    assert [q.rule_id for q in got.tables["quality"]] == [
        "milestone.dated_item.lead_in", "milestone.dated_item.dash", "milestone.dated_item.lead_in"]
    assert span_problems(got, text.split("\n")) == []


@pytest.mark.parametrize("lead", ["We will deliver:", "Thing:", "By then:"])
def test_a_lead_in_that_is_no_date_dates_nothing(lead):
    got = extract_text(small_plan(f"{lead}\n• Thing one\n• Thing two\n\nThing three.\n\nDate: June 2025"))
    assert [m.description for m in got.tables["milestones"]] == [f"{lead}\n• Thing one\n• Thing two\n\nThing three."]


def test_a_plan_that_ends_with_a_list_without_stops_is_not_truncated():
    """A list item needs no closing stop: the last paragraph is a note left over, not a description cut off."""
    got = extract_text(small_plan("Thing one.\n\nDate: March 2025\n\n• Another thing we will do\n• And one more thing here"))
    assert [m.description for m in got.tables["milestones"]] == ["Thing one."]
    assert [q.code for q in got.tables["quality"]] == ["unplaced_paragraph"]


def test_a_plan_that_ends_mid_sentence_is_still_truncated():
    from pipeline.document import InputError

    with pytest.raises(InputError, match="truncated"):
        extract_text(small_plan("Thing one.\n\nDate: March 2025\n\nAnother thing we will do and then the"))


def test_an_item_under_a_lead_in_that_starts_with_a_status_word_keeps_its_words():
    got = extract_text(small_plan("By March 2025:\n• Complete the migration\n• Complete the rest (complete)"))
    assert [(m.description, m.status, m.status_text) for m in got.tables["milestones"]] == [
        ("Complete the migration", "planned", None), ("Complete the rest", "complete", "(complete)")]


def test_lines_without_markers_that_each_state_a_date_are_items():
    text = small_plan("Thing one – March 2025\nThing two – June 2025")
    got = extract_text(text)
    assert [(m.description, m.date_text, m.line_start) for m in got.tables["milestones"]] == [
        ("Thing one", "March 2025", 16), ("Thing two", "June 2025", 17)]
    assert span_problems(got, text.split("\n")) == []


def test_a_wrapped_sentence_is_one_item():
    got = extract_text(small_plan("We will do the first thing and then\nthe second thing by March 2025."))
    assert [m.description for m in got.tables["milestones"]] == [
        "We will do the first thing and then\nthe second thing by March 2025"]


def test_a_lead_in_dates_the_list_items_below_it_across_blank_lines():
    got = extract_text(small_plan("By March 2025:\n\n• Thing one\n\n• Thing two\n\nThing three."))
    assert [(m.description, m.date_text) for m in got.tables["milestones"]] == [
        ("Thing one", "By March 2025"), ("Thing two", "By March 2025")]
    lead = [p for p in got.tables["paragraphs"] if p.text == "By March 2025:"][0]
    assert [q.message for q in got.tables["quality"] if q.code == "dated_item"] == [
        f"milestone read from an item with the date of its lead-in ({lead.paragraph_id}), 'By March 2025'; no date line"] * 2
    assert [q.code for q in got.tables["quality"]] == ["dated_item", "dated_item", "unplaced_paragraph"]
