"""Issue 3: milestones, targets and programmes of the plan, and variants of the milestone blocks."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from conftest import GOLDEN, extract_text
from golden_util import check_golden
from provenance_util import span_problems

MILESTONE_COLUMNS = ["milestone_id", "theme", "programme", "programme_id", "section_id", "sequence", "workstream",
                     "description", "date_text", "due_start", "due_end", "due_precision", "due_qualifier", "is_tbc",
                     "status", "status_text", "n_targets", "is_overdue_at_publication", "paragraph_ids",
                     "char_start", "char_end", "line_start", "line_end", "rule_id"]
TARGET_COLUMNS = ["target_id", "milestone_id", "sequence", "text", "label", "value", "unit", "subject", "due_start",
                  "due_end", "due_precision", "status", "status_text", "paragraph_id", "char_start", "char_end",
                  "line_start", "line_end", "rule_id"]
PROGRAMME_COLUMNS = ["programme_id", "theme", "programme", "section_id", "sequence", "has_milestone_section",
                     "n_milestones", "n_complete", "n_partial", "commitments_pending_text", "notes", "paragraph_id",
                     "char_start", "char_end", "line_start", "line_end"]


def by_line(plan, line):
    """The milestone whose span starts at raw line `line`."""
    [m] = [m for m in plan.tables["milestones"] if m.line_start == line]
    return m


def test_counts(plan):
    ms = plan.tables["milestones"]
    assert len(ms) == 219
    assert Counter(m.status for m in ms) == {"planned": 162, "complete": 54, "partial": 3}
    assert sum(m.is_tbc for m in ms) == 1
    assert sum(m.due_qualifier == "from" for m in ms) == 1
    assert len(plan.tables["milestone_targets"]) == 18
    assert len({m.milestone_id for m in ms}) == 219


def test_milestones_golden(plan):
    check_golden(GOLDEN / "milestones.csv", plan.tables["milestones"], MILESTONE_COLUMNS)


def test_targets_golden(plan):
    check_golden(GOLDEN / "milestone_targets.csv", plan.tables["milestone_targets"], TARGET_COLUMNS)


def test_programmes_golden(plan):
    progs = plan.tables["programmes"]
    assert len(progs) == 46
    assert sum(p.n_milestones for p in progs) == 219
    check_golden(GOLDEN / "programmes.csv", progs, PROGRAMME_COLUMNS)


# Hand-checked against the plan text: (first description line, programme, theme, date_text, due_start, due_end,
# precision, qualifier, is_tbc, status, status_text, workstream).
SPOT = [
    (113, "Frontline digitisation", "Digitise", "July 2021", date(2021, 7, 1), date(2021, 7, 31), "month", None, False,
     "complete", "(complete)", None),
    (645, "Adult social care digital transformation", "Digitise", "October 2021", date(2021, 10, 1),
     date(2021, 10, 31), "month", None, False, "complete", "(compete)", None),
    (1319, "Medical devices safety", "Connect", "from March 2023", date(2023, 3, 1), date(2023, 3, 31), "month", "from",
     False, "planned", None, None),
    (2048, "Digital transformation of screening", "Transform", "TBC", None, None, None, None, True, "planned", None,
     None),
    (948, "Electronic triage, referrals and bookings", "Connect", "June 2021", date(2021, 6, 1), date(2021, 6, 30),
     "month", None, False, "complete", "(complete)", "e-RS optimisation (digital referrals and consultations)"),
    (2180, "Supporting people at home", "Transform", "July 2021", date(2021, 7, 1), date(2021, 7, 31), "month", None,
     False, "complete", "(complete)", "Digital pathways"),
    (2433, "NHS AI Lab", "Transform", "September 2021", date(2021, 9, 1), date(2021, 9, 30), "month", None, False,
     "complete", "(complete)", "AI Skunkworks"),
    (2215, "Supporting people at home", "Transform",
     "50,000 by June 2021 (complete); 80,000 by September 2021; 150,000 by December 2021; 300,000 by Mar 2022",
     date(2022, 3, 1), date(2022, 3, 31), "month", None, False, "partial", None, "Regional scale plans"),
    (128, "Frontline digitisation", "Digitise", "Wave A - December 2021; Wave B - February 2022", date(2022, 2, 1),
     date(2022, 2, 28), "month", None, False, "planned", None, None),
]


@pytest.mark.parametrize("row", SPOT, ids=[str(r[0]) for r in SPOT])
def test_hand_checked_milestones(plan, row):
    line, programme, theme, date_text, start, end, precision, qualifier, tbc, status, status_text, workstream = row
    m = by_line(plan, line)
    assert (m.programme, m.theme, m.date_text) == (programme, theme, date_text)
    assert (m.due_start, m.due_end, m.due_precision, m.due_qualifier, m.is_tbc) == (start, end, precision, qualifier, tbc)
    assert (m.status, m.status_text, m.workstream) == (status, status_text, workstream)


def test_multi_paragraph_description_and_span(plan):
    m = by_line(plan, 137)  # three description paragraphs, then "Date: March 2022"
    assert len(m.paragraph_ids) == 4 and m.line_end == 143
    assert m.description.startswith("32 Digital Aspirants") and m.description.endswith("onto the programme.")
    text = plan.tables["documents"][0].text
    assert text[m.char_start:m.char_end].endswith("Date: March 2022")


def test_partial_milestones_and_targets(plan):
    partial = [m for m in plan.tables["milestones"] if m.status == "partial"]
    assert [m.n_targets for m in partial] == [2, 3, 4]
    targets = {t.text: t for t in plan.tables["milestone_targets"]}
    t = targets["5 regions by September 2021 (complete)"]
    assert (t.label, t.value, t.unit, t.subject, t.status, t.due_end) == ("5 regions", 5, "count", "regions", "complete",
                                                                          date(2021, 9, 30))
    t = targets["40% by March 2022"]
    assert (t.label, t.value, t.unit, t.subject) == ("40%", 40, "percent", None)
    t = targets["Wave A - December 2021"]
    assert (t.label, t.value, t.unit, t.subject, t.due_start) == ("Wave A", None, None, None, date(2021, 12, 1))
    t = targets["300,000 by Mar 2022"]
    assert (t.value, t.unit, t.due_end) == (300000, "count", date(2022, 3, 31))
    t = targets["All regions by April 2022"]
    assert (t.value, t.subject) == (None, "regions")
    t = targets["70 trust boards by April 2022"]
    assert t.subject == "trust boards"


def test_overdue_at_publication(plan):
    overdue = [m for m in plan.tables["milestones"] if m.is_overdue_at_publication]
    assert all(m.due_end < date(2021, 12, 1) and m.status != "complete" for m in overdue)
    assert len(overdue) == 10


def test_programme_pending_statements_and_notes(plan):
    progs = {p.programme: p for p in plan.tables["programmes"]}
    assert progs["General practice data for planning and research"].commitments_pending_text.endswith("available in Q3")
    assert progs["Digital child health and maternity"].n_milestones == 0
    assert "quarter 1 of the 2022 to 2023 financial year" in progs["Digital child health and maternity"].commitments_pending_text
    assert progs["GP IT futures"].notes == [
        "These milestones are awaiting formal sign-off from the programme board and are therefore subject to change."]
    assert not progs["Innovation Lab"].has_milestone_section and progs["Innovation Lab"].n_milestones == 0
    assert sum(not p.has_milestone_section for p in progs.values()) == 12


def test_quality_has_no_errors_and_true_warnings(plan):
    quality = plan.tables["quality"]
    assert not [q for q in quality if q.severity == "error"]
    assert [(q.code, q.evidence, q.line) for q in quality] == [
        ("status_misspelt", "Date: October 2021 (compete)", 647)]


def test_milestone_ids_are_stable_across_versions(plan, plan_text):
    """Ids come from programme and description, not position: deleting an earlier milestone keeps the others' ids."""
    first = by_line(plan, 113)
    text = plan_text.replace(
        "A single mechanism for systems and providers to bid for funds established, with a unified investment pot and "
        "single joined up proportionate assurance regime.\n\nDate: July 2021 (complete)\n\n\n", "")
    got = extract_text(text)
    ids = {m.milestone_id for m in got.tables["milestones"]}
    assert first.milestone_id not in ids
    assert ids == {m.milestone_id for m in plan.tables["milestones"]} - {first.milestone_id}


# -- variants of the milestone blocks -----------------------------------------

BLOCKS = """Plan of Things
Published 5 June 2024

Build - overview

Text.

Widget programme

Background

Why widgets.

COMMITMENT MILESTONES

Widgets: First widget shipped.
Date: 30 September 2024 (Completed)

Second widget designed.

It has a second paragraph.

  • with a list
  * and a star bullet

Date: Q3 2024/25

Third widget: trial.
Date: spring 2025 (Complete)

Fourth widget.

Date: Q2 2026
Fifth widget.

Date: 2027

Sixth widget.

Date: TBC

Seventh widget.

Dates:

50% by winter 2025

All factories - 2026 (complete)

These milestones are subject to approval.

Gadget programme

Background

Gadgets.

Commitment milestones

Commitments will be available in quarter 2 of the 2024 to 2025 financial year.

Spanner programme

Background

No milestones here.
"""


def test_block_variants():
    got = extract_text(BLOCKS)
    ms = got.tables["milestones"]
    assert [m.description.split("\n")[0] for m in ms] == [
        "Widgets: First widget shipped.", "Second widget designed.", "Third widget: trial.", "Fourth widget.",
        "Fifth widget.", "Sixth widget.", "Seventh widget."]
    got_rows = [(m.due_start, m.due_end, m.due_precision, m.status, m.status_text, m.is_tbc) for m in ms]
    assert got_rows == [
        (date(2024, 9, 30), date(2024, 9, 30), "day", "complete", "(Completed)", False),
        (date(2024, 10, 1), date(2024, 12, 31), "quarter", "planned", None, False),
        (date(2025, 3, 1), date(2025, 5, 31), "season", "complete", "(Complete)", False),
        (date(2026, 4, 1), date(2026, 6, 30), "quarter", "planned", None, False),
        (date(2027, 1, 1), date(2027, 12, 31), "year", "planned", None, False),
        (None, None, None, "planned", None, True),
        (date(2026, 1, 1), date(2026, 12, 31), "year", "partial", None, False),
    ]
    assert [m.workstream for m in ms][:3] == ["Widgets", None, "Third widget"]
    assert len(ms[1].paragraph_ids) == 4  # two paragraphs, a list, the date line
    targets = got.tables["milestone_targets"]
    assert [(t.label, t.value, t.unit, t.subject, t.due_end, t.status) for t in targets] == [
        ("50%", 50, "percent", None, date(2026, 2, 28), "planned"),
        ("All factories", None, None, "factories", date(2026, 12, 31), "complete")]
    progs = {p.programme: p for p in got.tables["programmes"]}
    assert progs["Widget programme"].notes == ["These milestones are subject to approval."]
    assert progs["Gadget programme"].commitments_pending_text.startswith("Commitments will be available")
    assert progs["Gadget programme"].has_milestone_section and progs["Gadget programme"].n_milestones == 0
    assert not progs["Spanner programme"].has_milestone_section
    assert not [q for q in got.tables["quality"] if q.severity == "error"]


@pytest.mark.parametrize("flag,status,finding", [
    ("(complete)", "complete", None),
    ("(completed)", "complete", None),
    ("(Complete)", "complete", None),
    ("(COMPLETE)", "complete", None),
    ("(compete)", "complete", "status_misspelt"),
    ("( complete )", "complete", None),
    ("[complete]", "complete", None),
    ("[ Completed ]", "complete", None),
    ("(Complete.)", "complete", None),
    ("– complete", "complete", None),
    ("- complete", "complete", None),
    ("— Completed.", "complete", None),
    ("(achieved)", "complete", None),
    ("(done)", "complete", None),
    ("(delivered)", "complete", None),
    ("(on track)", "planned", None),
    ("- on track", "planned", None),
    ("(partially complete)", "planned", "status_partially_complete"),
    ("(Partly completed)", "planned", "status_partially_complete"),
    ("(delayed)", "planned", "status_delayed"),
    ("(Delayed.)", "planned", "status_delayed"),
    ("– delayed", "planned", "status_delayed"),
    ("(see note)", "planned", "unknown_status_flag"),
    ("[provisional]", "planned", "unknown_status_flag"),
    ("(completed early)", "complete", None),  # the first words name the status
    ("(complete - March 2027)", "complete", None),
    ("(Complete, ahead of schedule)", "complete", None),
    ("Complete", "complete", None),  # a known word alone after the date
    ("(revised from January 2027)", "planned", "unknown_status_flag"),
    ("✓", "complete", None),  # ticks and crosses
    ("✔", "complete", None),
    ("(✓)", "complete", None),
    ("✅", "complete", None),
    ("✗", "planned", None),
    ("❌", "planned", None),
    ("(Green)", "planned", "status_rag"),  # a RAG rating is how delivery goes, not whether it is done
    ("[Amber]", "planned", "status_rag"),
    ("- Amber/Red", "planned", "status_rag"),
    ("(RAG Red)", "planned", "status_rag"),
    ("Red", "planned", "status_rag"),
    ("(Blue)", "complete", "status_rag"),  # BRAG: blue is done
])
def test_status_spellings(flag, status, finding):
    text = BLOCKS.replace("Date: 2027", f"Date: 2027 {flag}")
    got = extract_text(text)
    m = [m for m in got.tables["milestones"] if m.description == "Fifth widget."][0]
    assert (m.status, m.status_text, m.date_text, m.due_end) == (status, flag, "2027", date(2027, 12, 31))
    codes = [q.code for q in got.tables["quality"]]
    assert codes == ([finding] if finding else [])


@pytest.mark.parametrize("written,date_text,status,status_text", [
    ("(complete).", "2027", "complete", "(complete)"),  # a closing stop after the flag
    ("(Complete)*", "2027", "complete", "(Complete)"),  # a footnote mark
    ("*", "2027", "planned", None),
    ("Completed 2027", "2027", "complete", "Completed"),  # the flag first
    ("Complete - 2027", "2027", "complete", "Complete -"),
    ("Delivered 2027", "2027", "complete", "Delivered"),
    ("(complete) 2027", "2027", "complete", "(complete)"),
    ("✓ 2027", "2027", "complete", "✓"),
    ("✔.", "2027", "complete", "✔"),
])
def test_status_written_around_the_date(written, date_text, status, status_text):
    line = f"Date: 2027 {written}" if not written.endswith("2027") else f"Date: {written}"
    got = extract_text(BLOCKS.replace("Date: 2027", line))
    m = [m for m in got.tables["milestones"] if m.description == "Fifth widget."][0]
    assert (m.date_text, m.status, m.status_text, m.due_end) == (date_text, status, status_text, date(2027, 12, 31))
    assert got.tables["quality"] == []


@pytest.mark.parametrize("line,status,status_text", [
    ("Date: 2027, complete", "complete", "complete"),  # after a comma or semicolon: the words are the flag
    ("Date: 2027; on track.", "planned", "on track."),
    ("Date: 2027,complete", "complete", "complete"),
    ("Date: 2027, Amber/Red", "planned", "Amber/Red"),
])
def test_a_status_after_a_comma(line, status, status_text):
    got = extract_text(BLOCKS.replace("Date: 2027", line))
    m = [m for m in got.tables["milestones"] if m.description == "Fifth widget."][0]
    assert (m.date_text, m.status, m.status_text, m.due_end) == ("2027", status, status_text, date(2027, 12, 31))
    assert [q.code for q in got.tables["quality"]] == (["status_rag"] if "Amber" in line else [])


@pytest.mark.parametrize("line,status,due_end,codes", [
    ("Date: late 2027", "planned", date(2027, 12, 31), []),  # 'late' is a delay word, but 'late 2027' is a date
    ("Date: Complete", "complete", None, ["missing_date"]),  # a status and no date
    ("Date: (done)", "complete", None, ["missing_date"]),
])
def test_date_lines_that_look_like_flags(line, status, due_end, codes):
    got = extract_text(BLOCKS.replace("Date: 2027", line))
    m = [m for m in got.tables["milestones"] if m.description == "Fifth widget."][0]
    assert (m.status, m.due_end) == (status, due_end)
    assert [q.code for q in got.tables["quality"]] == codes


@pytest.mark.parametrize("status_line,status,status_text", [
    ("Status: Complete", "complete", "Complete"),
    ("(complete)", "complete", "(complete)"),
    ("Status - delivered.", "complete", "delivered."),
    ("Status: on track", "planned", "on track"),
    ("✓", "complete", "✓"),
])
def test_a_status_on_its_own_line_belongs_to_the_milestone_above(status_line, status, status_text):
    got = extract_text(BLOCKS.replace("Date: 2027", f"Date: 2027\n\n{status_line}"))
    ms = {m.description: m for m in got.tables["milestones"]}
    fifth = ms["Fifth widget."]
    assert (fifth.status, fifth.status_text) == (status, status_text)
    paras = {p.paragraph_id: p for p in got.tables["paragraphs"]}
    assert paras[fifth.paragraph_ids[-1]].text == status_line
    assert not any(d.startswith(status_line) for d in ms)
    assert got.tables["quality"] == []
    assert span_problems(got) == []


@pytest.mark.parametrize("flag,severity,message,rule", [
    ("(partially complete)", "warning", 'status flag "(partially complete)" says partly complete; read as planned '
     "(a single date or target is complete or not; only a milestone with targets is partial)",
     "status.partially_complete"),
    ("(delayed)", "info", 'status flag "(delayed)" says delayed; read as planned', "status.delayed"),
    ("(see note)", "warning", "status flag (see note) not recognised; read as planned", "status.flag"),
    ("(Amber)", "info", 'status flag "(Amber)" is a RAG rating; read as planned', "status.rag"),
    ("[Blue]", "info", 'status flag "[Blue]" is a BRAG rating (blue: done); read as complete', "status.brag_blue"),
])
def test_status_flag_findings_say_what_the_flag_said(flag, severity, message, rule):
    got = extract_text(BLOCKS.replace("Date: 2027", f"Date: 2027 {flag}"))
    [q] = got.tables["quality"]
    assert (q.severity, q.message, q.rule_id, q.evidence) == (severity, message, rule, f"Date: 2027 {flag}")


@pytest.mark.parametrize("value,date_text,status_text", [
    ("2027 - February", "2027 - February", None),  # a dash before a word that is no status is no flag
    ("Wave A - 2027", "Wave A - 2027", None),
    ("2027 (2028)", "2027 (2028)", None),  # a bracketed date is no flag
    ("2027, London", "2027, London", None),  # after a comma, only a status is a flag
    ("1 March, 2027", "1 March, 2027", None),
])
def test_what_is_not_a_status_flag(value, date_text, status_text):
    from pipeline.milestone_rules import milestone_rules

    v = milestone_rules().date_value(value)
    assert (v.date_text, v.flag.text if v.flag else None) == (date_text, status_text)


def test_unparsed_date_is_an_error_finding_not_a_crash():
    got = extract_text(BLOCKS.replace("Date: 2027", "Date: sometime soon"))
    m = [m for m in got.tables["milestones"] if m.description == "Fifth widget."][0]
    assert (m.due_start, m.date_text, m.is_tbc) == (None, "sometime soon", False)
    assert [(q.severity, q.code) for q in got.tables["quality"]] == [("error", "unparsed_date")]


@pytest.mark.parametrize("description,workstream", [
    ("e-RS optimisation (digital referrals and consultations): Capability developed.",
     "e-RS optimisation (digital referrals and consultations)"),
    ("Electronic Prescription Service (EPS) – Next Generation: The technical uplift.",
     "Electronic Prescription Service (EPS) – Next Generation"),
    ("AI Skunkworks - 5 Proof of Concepts (PoC) completed.", "AI Skunkworks"),
    ("Skunkworks -Twenty proof of concept projects delivered.", "Skunkworks"),
    ("Digital pathways: Hypertension - trailblazer wave completed.", "Digital pathways"),
    ("A single mechanism for systems and providers to bid for funds established.", None),
    ("Roll-out will complete in these regions:\n• London\n• the North West", None),
    ("Plans agreed with all regions for roll-out of the new service, with a long label before it: done.", None),
], ids=["colon", "dash-inside-colon-label", "dash", "dash-no-space", "colon-then-dash", "none", "lead-in-to-list", "too-long"])
def test_workstream_prefixes(description, workstream):
    from pipeline.milestone_rules import milestone_rules

    assert milestone_rules().workstream(description) == workstream


@pytest.mark.parametrize("line", [
    "Complete the migration.",  # a description that starts with a status word
    "Green plans published by all trusts.",  # ... or with a RAG word
    "Blue light services connected",
    "Delivered via the new platform",
    "Red Book guidance updated.",
])
def test_a_sentence_that_starts_with_a_status_word_is_no_status_line(line):
    """A line on its own after a date line is a status only when its words are a status phrase (or are
    labelled or bracketed): otherwise it is the next milestone's description."""
    got = extract_text(BLOCKS.replace("Date: 2027", f"Date: 2027\n\n{line}\n\nDate: 2028"))
    ms = {m.description: m for m in got.tables["milestones"]}
    assert (ms["Fifth widget."].status, ms["Fifth widget."].status_text) == ("planned", None)
    assert ms[line].due_end == date(2028, 12, 31)
    assert got.tables["quality"] == []
