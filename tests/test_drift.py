"""Issue 6: format drift. Variants of the plan (and of small plans) that a new version may bring.

Already covered elsewhere, not repeated here: CRLF+BOM+NBSP, UTF-16 and cp1252 (test_structure),
heading letter case upper/lower/title, programmes removed and renamed (test_structure), the
milestone block forms and status spellings on 'Date:' lines (test_milestones), HTML
variants (test_html_variants).
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import extract_text, milestone_plan
from pipeline.milestones import description_key
from provenance_util import span_problems


def view(tables) -> list[tuple]:
    """The milestones as values, white space and punctuation of descriptions folded."""
    return [(m.milestone_id, m.theme, m.programme, description_key(m.description), m.date_text, m.due_start, m.due_end,
             m.due_precision, m.is_tbc, m.status, m.status_text, m.workstream, m.n_targets)
            for m in tables.tables["milestones"]]


def kinds(tables) -> list[str]:
    return [p.kind for p in tables.tables["paragraphs"]]


def lines_map(text: str, fn) -> str:
    return "\n".join(fn(line) for line in text.split("\n"))


# -- white space, bullets, headings, blank lines over the whole plan ----------

WHOLE_PLAN = {
    "tabs-for-indents": lambda t: lines_map(t, lambda ln: re.sub(r"^  ", "\t", ln)),
    "tab-after-date": lambda t: re.sub(r"(?m)^Date: ", "Date:\t", t),
    "trailing-spaces-and-tabs": lambda t: lines_map(t, lambda ln: ln + (" \t " if ln.strip() else "  ")),
    "nbsp-everywhere": lambda t: re.sub(r"(?m)^(Date:) ", "\\1\u00a0", t).replace("Commitment milestones",
                                                                                  "Commitment\u00a0milestones"),
    "bom-crlf-tabs-trailing": lambda t: "\ufeff" + lines_map(t, lambda ln: re.sub(r"^  ", "\t", ln) + " ").replace(
        "\n", "\r\n"),
    "bullet-black-circle": lambda t: re.sub(r"(?m)^  • ", "  ● ", t),
    "bullet-hyphen": lambda t: re.sub(r"(?m)^  • ", "  - ", t),
    "bullet-star": lambda t: re.sub(r"(?m)^  • ", "  * ", t),
    "bullet-unindented": lambda t: re.sub(r"(?m)^  • ", "• ", t),
    "milestones-heading-Title-Case": lambda t: re.sub(r"(?m)^Commitment milestones$", "Commitment Milestones", t),
    "milestones-heading-mixed-case": lambda t: re.sub(r"(?m)^Commitment milestones$", "cOMMITMENT mILESTONES", t),
    "milestones-heading-two-spaces": lambda t: re.sub(r"(?m)^Commitment milestones$", "Commitment  milestones", t),
    "one-blank-line-everywhere": lambda t: re.sub(r"\n{3,}", "\n\n", t),
    "two-blank-lines-everywhere": lambda t: re.sub(r"\n{2,}", "\n\n\n", t),
    "no-blank-line-around-dates": lambda t: re.sub(r"(?m)^(Dates?:.*)\n\n+", "\\1\n", re.sub(r"\n\n+(Dates?:)", "\n\\1", t)),
}


@pytest.mark.parametrize("name", sorted(WHOLE_PLAN))
def test_whole_plan_variant_gives_the_same_milestones(plan, plan_text, name):
    got = extract_text(WHOLE_PLAN[name](plan_text))
    assert view(got) == view(plan)
    assert [(t.milestone_id, t.label, t.due_end, t.status) for t in got.tables["milestone_targets"]] == \
        [(t.milestone_id, t.label, t.due_end, t.status) for t in plan.tables["milestone_targets"]]
    assert [(s.kind, s.title.replace("\u00a0", " ").lower().split()) for s in got.tables["sections"]] == \
        [(s.kind, s.title.replace("\u00a0", " ").lower().split()) for s in plan.tables["sections"]]
    assert [q.code for q in got.tables["quality"] if q.code != "encoding"] == ["status_misspelt"]
    assert span_problems(got) == []


@pytest.mark.parametrize("name", [n for n in sorted(WHOLE_PLAN) if n.startswith(("bullet", "tabs", "trailing"))])
def test_bullets_and_indents_keep_paragraph_kinds(plan, plan_text, name):
    assert kinds(extract_text(WHOLE_PLAN[name](plan_text))) == kinds(plan)


# -- programmes added, emptied, pending ---------------------------------------

NEW_PROGRAMME = """Digital pharmacy records

Background

Pharmacy records go digital.

Commitment milestones

Pharmacy record pilot live in 3 regions.

Date: Q4 2022/23

Pharmacy records: all pharmacies connected.

Dates:

50% by March 2023 (completed)

All pharmacies by March 2024


"""


def test_programme_added(plan, plan_text):
    got = extract_text(plan_text.replace("\nDigital nursing\n", "\n" + NEW_PROGRAMME + "Digital nursing\n", 1))
    progs = [p.programme for p in got.tables["programmes"]]
    assert len(progs) == 47 and progs[progs.index("Digital pharmacy records") + 1] == "Digital nursing"
    new = [m for m in got.tables["milestones"] if m.programme == "Digital pharmacy records"]
    assert [(m.theme, m.due_start, m.due_end, m.status, m.workstream, m.n_targets) for m in new] == [
        ("Connect", date(2023, 1, 1), date(2023, 3, 31), "planned", None, 0),
        ("Connect", date(2024, 3, 1), date(2024, 3, 31), "partial", "Pharmacy records", 2)]
    old = {m.milestone_id for m in plan.tables["milestones"]}
    assert old <= {m.milestone_id for m in got.tables["milestones"]} and len(got.tables["milestones"]) == 221
    assert len(got.tables["milestone_targets"]) == 20


def programme_milestones(text: str, programme: str) -> tuple[int, int]:
    """Return the line range of a programme's milestone blocks: after its heading, up to the next programme."""
    lines = text.split("\n")
    start = lines.index(programme)
    head = next(i for i in range(start, len(lines)) if lines[i].strip().lower() == "commitment milestones")
    end = next(i for i in range(head + 1, len(lines)) if i + 2 < len(lines) and lines[i].strip()
               and lines[i + 2].strip() == "Background")
    return head + 1, end


@pytest.mark.parametrize("replacement,pending", [
    ("", None),
    ("Commitments will be available in quarter 4 of the 2021 to 2022 financial year.\n\n",
     "Commitments will be available in quarter 4 of the 2021 to 2022 financial year."),
], ids=["emptied", "pending-statement"])
def test_programme_with_no_milestones(plan, plan_text, replacement, pending):
    lines = plan_text.split("\n")
    a, b = programme_milestones(plan_text, "Digital nursing")
    got = extract_text("\n".join(lines[:a]) + "\n\n" + replacement + "\n".join(lines[b:]))
    prog = next(p for p in got.tables["programmes"] if p.programme == "Digital nursing")
    assert (prog.has_milestone_section, prog.n_milestones, prog.commitments_pending_text) == (True, 0, pending)
    assert len(got.tables["milestones"]) == 219 - 8
    assert not [q for q in got.tables["quality"] if q.severity == "error"]


# -- date forms and status flags, in a small plan -----------------------------

def small_plan(block: str) -> str:
    return milestone_plan(f"Thing done.\n\n{block}")


DATE_FORMS = [  # (date text, due_start, due_end, precision, is_tbc, rule)
    ("30 September 2024", date(2024, 9, 30), date(2024, 9, 30), "day", False, "period.day_month_year"),
    ("1st April 2025", date(2025, 4, 1), date(2025, 4, 1), "day", False, "period.day_month_year"),
    ("April 1, 2025", date(2025, 4, 1), date(2025, 4, 1), "day", False, "period.month_day_year"),
    ("March 2025", date(2025, 3, 1), date(2025, 3, 31), "month", False, "period.month_year"),
    ("Mar 2025", date(2025, 3, 1), date(2025, 3, 31), "month", False, "period.month_year"),
    ("Sept 2025", date(2025, 9, 1), date(2025, 9, 30), "month", False, "period.month_year"),
    ("Feb. 2026", date(2026, 2, 1), date(2026, 2, 28), "month", False, "period.month_year"),
    ("03/2025", date(2025, 3, 1), date(2025, 3, 31), "month", False, "period.numeric_month_year"),
    ("end March 2025", date(2025, 3, 1), date(2025, 3, 31), "month", False, "period.end_of_month"),
    ("by end March 2025", date(2025, 3, 1), date(2025, 3, 31), "month", False, "period.end_of_month"),
    ("March and April 2025", date(2025, 3, 1), date(2025, 4, 30), "month", False, "period.month_range_year"),
    ("Q1 2025", date(2025, 1, 1), date(2025, 3, 31), "quarter", False, "period.calendar_quarter"),
    ("quarter 4 2025", date(2025, 10, 1), date(2025, 12, 31), "quarter", False, "period.calendar_quarter"),
    ("Q3 2024/25", date(2024, 10, 1), date(2024, 12, 31), "quarter", False, "period.financial_quarter"),
    ("Q1 2025-26", date(2025, 4, 1), date(2025, 6, 30), "quarter", False, "period.financial_quarter"),
    ("quarter 1 of the 2022 to 2023 financial year", date(2022, 4, 1), date(2022, 6, 30), "quarter", False,
     "period.financial_quarter_words"),
    ("spring 2025", date(2025, 3, 1), date(2025, 5, 31), "season", False, "period.season"),
    ("Winter 2024", date(2024, 12, 1), date(2025, 2, 28), "season", False, "period.season"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "year", False, "period.year"),
    ("2024/25", date(2024, 4, 1), date(2025, 3, 31), "financial_year", False, "period.financial_year"),
    ("TBC", None, None, None, True, "period.tbc"),
    ("tbc", None, None, None, True, "period.tbc"),
    ("To be confirmed", None, None, None, True, "period.tbc"),
    ("from March 2023", date(2023, 3, 1), date(2023, 3, 31), "month", False, "period.month_year"),
    ("December 2021 to March 2022", date(2021, 12, 1), date(2022, 3, 31), "month", False, "period.month_year_range"),
    ("2024-2030", date(2024, 1, 1), date(2030, 12, 31), "year", False, "period.year_range"),
    # forms an unseen version may use (the reviewer's list), each hand-checked
    ("winter 2021/22", date(2021, 12, 1), date(2022, 2, 28), "season", False, "period.season_financial_year"),
    ("Winter 2022-23", date(2022, 12, 1), date(2023, 2, 28), "season", False, "period.season_financial_year"),
    ("summer 2021/22", date(2021, 6, 1), date(2021, 8, 31), "season", False, "period.season_financial_year"),
    ("Q3 FY22/23", date(2022, 10, 1), date(2022, 12, 31), "quarter", False, "period.financial_quarter_short"),
    ("Q4 22/23", date(2023, 1, 1), date(2023, 3, 31), "quarter", False, "period.financial_quarter_short"),
    ("Q1 FY2022/23", date(2022, 4, 1), date(2022, 6, 30), "quarter", False, "period.financial_quarter"),
    ("Mar-22", date(2022, 3, 1), date(2022, 3, 31), "month", False, "period.month_short_year"),
    ("Sept-2022", date(2022, 9, 1), date(2022, 9, 30), "month", False, "period.month_short_year"),
    ("March '22", date(2022, 3, 1), date(2022, 3, 31), "month", False, "period.month_short_year"),
    ("end of March 2022", date(2022, 3, 1), date(2022, 3, 31), "month", False, "period.end_of_month"),
    ("end-March 2022", date(2022, 3, 1), date(2022, 3, 31), "month", False, "period.end_of_month"),
    ("by the end of March 2022", date(2022, 3, 1), date(2022, 3, 31), "month", False, "period.month_year"),
    ("June 2022 onwards", date(2022, 6, 1), date(2022, 6, 30), "month", False, "period.month_year"),
    ("H1 2025", date(2025, 1, 1), date(2025, 6, 30), "part_of_year", False, "period.half_year"),
    ("H2 2024", date(2024, 7, 1), date(2024, 12, 31), "part_of_year", False, "period.half_year"),
    ("H1 2022/23", date(2022, 4, 1), date(2022, 9, 30), "part_of_year", False, "period.financial_half_year"),
    ("H2 FY22/23", date(2022, 10, 1), date(2023, 3, 31), "part_of_year", False, "period.financial_half_year"),
    ("FY2022/23", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False, "period.financial_year"),
    ("FY22/23", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False, "period.financial_year_short"),
    ("2022-25", date(2022, 1, 1), date(2025, 12, 31), "year", False, "period.year_range_short"),
    ("2021-22", date(2021, 4, 1), date(2022, 3, 31), "financial_year", False, "period.financial_year"),
    ("early 2023", date(2023, 1, 1), date(2023, 4, 30), "part_of_year", False, "period.part_of_year"),
    ("by end of 2022", date(2022, 1, 1), date(2022, 12, 31), "year", False, "period.year"),
    ("by the end of 2022", date(2022, 1, 1), date(2022, 12, 31), "year", False, "period.year"),
    # forms of later plan versions, each hand-checked. Parts of a month: early 1-10, mid 11-20, late 21-end.
    ("mid-March 2022", date(2022, 3, 11), date(2022, 3, 20), "part_of_month", False, "period.part_of_month"),
    ("mid March 2022", date(2022, 3, 11), date(2022, 3, 20), "part_of_month", False, "period.part_of_month"),
    ("the middle of March 2022", date(2022, 3, 11), date(2022, 3, 20), "part_of_month", False,
     "period.part_of_month"),
    ("early March 2022", date(2022, 3, 1), date(2022, 3, 10), "part_of_month", False, "period.part_of_month"),
    ("early-March 2022", date(2022, 3, 1), date(2022, 3, 10), "part_of_month", False, "period.part_of_month"),
    ("late March 2022", date(2022, 3, 21), date(2022, 3, 31), "part_of_month", False, "period.part_of_month"),
    ("late February 2024", date(2024, 2, 21), date(2024, 2, 29), "part_of_month", False, "period.part_of_month"),
    ("by late April 2023", date(2023, 4, 21), date(2023, 4, 30), "part_of_month", False, "period.part_of_month"),
    ("mid-2022", date(2022, 5, 1), date(2022, 8, 31), "part_of_year", False, "period.part_of_year"),  # a year's part
    ("late 2022", date(2022, 9, 1), date(2022, 12, 31), "part_of_year", False, "period.part_of_year"),
    # "end of" a financial year or a quarter is that period (as "by end of 2022" is the year) ...
    ("end of 2022/23", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False, "period.end_of_period"),
    ("the end of FY22/23", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False, "period.end_of_period"),
    ("end of the 2022 to 2023 financial year", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False,
     "period.end_of_period"),
    ("by the end of 2022/23", date(2022, 4, 1), date(2023, 3, 31), "financial_year", False, "period.financial_year"),
    ("end of Q3 2022/23", date(2022, 10, 1), date(2022, 12, 31), "quarter", False, "period.end_of_period"),
    ("by the end of Q3 2022/23", date(2022, 10, 1), date(2022, 12, 31), "quarter", False,
     "period.financial_quarter"),
    ("end of Q4 2021", date(2021, 10, 1), date(2021, 12, 31), "quarter", False, "period.end_of_period"),
    ("end of the third quarter of 2022/23", date(2022, 10, 1), date(2022, 12, 31), "quarter", False,
     "period.end_of_period"),
    # ... while "end of" a calendar year stays its last part, and "end of" a month keeps its own form
    ("end of 2022", date(2022, 10, 1), date(2022, 12, 31), "part_of_year", False, "period.part_of_year"),
    ("end of March 2023", date(2023, 3, 1), date(2023, 3, 31), "month", False, "period.end_of_month"),
    # weeks named by their first day: 7 days from it
    ("w/c 7 March 2022", date(2022, 3, 7), date(2022, 3, 13), "week", False, "period.week_commencing"),
    ("W/C 28 February 2022", date(2022, 2, 28), date(2022, 3, 6), "week", False, "period.week_commencing"),
    ("w/c 7/3/2022", date(2022, 3, 7), date(2022, 3, 13), "week", False, "period.week_commencing_numeric"),
    ("week commencing 7 March 2022", date(2022, 3, 7), date(2022, 3, 13), "week", False, "period.week_commencing"),
    ("week beginning 7th March 2022", date(2022, 3, 7), date(2022, 3, 13), "week", False, "period.week_commencing"),
    ("w/b 27 December 2021", date(2021, 12, 27), date(2022, 1, 2), "week", False, "period.week_commencing"),
    # open-ended suffixes (qualifier from: test_date_qualifiers)
    ("2022 and beyond", date(2022, 1, 1), date(2022, 12, 31), "year", False, "period.year"),
    ("March 2023 and onwards", date(2023, 3, 1), date(2023, 3, 31), "month", False, "period.month_year"),
    # ordinal quarters in digits
    ("1st quarter of 2023", date(2023, 1, 1), date(2023, 3, 31), "quarter", False, "period.calendar_quarter"),
    ("the 3rd quarter of 2022/23", date(2022, 10, 1), date(2022, 12, 31), "quarter", False,
     "period.financial_quarter"),
    ("Q1 of 2023", date(2023, 1, 1), date(2023, 3, 31), "quarter", False, "period.calendar_quarter"),
    # a range of two days: one period, first day to last
    ("1 April 2022 – 31 March 2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.day_range"),
    ("1 April 2022 - 31 March 2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.day_range"),
    ("from 1 April 2022 to 31 March 2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.day_range"),
    ("between 1 April 2022 and 31 March 2023", date(2022, 4, 1), date(2023, 3, 31), "day", False,
     "period.day_range"),
    ("1st April 2022 until 30th June 2022", date(2022, 4, 1), date(2022, 6, 30), "day", False, "period.day_range"),
    # ... whose first day leaves out the year, or the month and year, that it shares with the last day; a first
    # day whose month is later in the year than the last day's is in the year before
    ("1 April to 30 June 2022", date(2022, 4, 1), date(2022, 6, 30), "day", False, "period.day_range_same_year"),
    ("1 December to 31 January 2023", date(2022, 12, 1), date(2023, 1, 31), "day", False,
     "period.day_range_same_year"),
    ("between 1 April and 30 June 2022", date(2022, 4, 1), date(2022, 6, 30), "day", False,
     "period.day_range_same_year"),
    ("1st April until 30th June, 2022", date(2022, 4, 1), date(2022, 6, 30), "day", False,
     "period.day_range_same_year"),
    ("1 – 31 March 2023", date(2023, 3, 1), date(2023, 3, 31), "day", False, "period.day_range_same_month"),
    ("1-7 March 2022", date(2022, 3, 1), date(2022, 3, 7), "day", False, "period.day_range_same_month"),
    ("from 4 to 8 July 2022", date(2022, 7, 4), date(2022, 7, 8), "day", False, "period.day_range_same_month"),
    ("between 1 and 15 May 2023", date(2023, 5, 1), date(2023, 5, 15), "day", False, "period.day_range_same_month"),
    ("1st to 7th March 2022", date(2022, 3, 1), date(2022, 3, 7), "day", False, "period.day_range_same_month"),
    ("28 – 29 February 2024", date(2024, 2, 28), date(2024, 2, 29), "day", False, "period.day_range_same_month"),
    # ... and two numeric days (UK order, as period.numeric_date)
    ("01/04/2022 – 31/03/2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.numeric_day_range"),
    ("01/04/2022 to 31/03/2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.numeric_day_range"),
    ("between 1/4/2022 and 30/6/2022", date(2022, 4, 1), date(2022, 6, 30), "day", False,
     "period.numeric_day_range"),
    ("01.04.2022 - 31.03.2023", date(2022, 4, 1), date(2023, 3, 31), "day", False, "period.numeric_day_range"),
]
# Texts that name no period, by decision (each leaves the due date empty with an unparsed_date error):
NOT_DATES = [
    "24/7",            # a pair of numbers whose second does not follow the first is not a financial year
    "50/50",
    "22/23",           # a two-digit pair needs FY or a quarter before it ("22/23" may be a score)
    "FY22",            # one two-digit financial year: the year it starts or the year it ends?
    "Q3 FY23",
    "spring 2021/22",  # neither spring 2021 nor spring 2022 lies wholly inside the financial year 2021/22
    "2022-21",         # a descending pair
    "H3 2024",
    "Mar 22",          # a month then a bare two-digit number may be the 22nd of March
    "Q5 2022",         # no fifth quarter
    "w/c",             # a week needs its first day ...
    "w/c March 2022",  # ... not a month
    "end of",
    "the end of the day",
    "end of Q5 2022",
    "from 1 April 2022 to 31 March 2021",  # descending: no range
    "1 April 2022 to 1 April 2022",         # one day is no range of two
    "1 April 2022 and 31 March 2023",       # "and" joins a range only after "between": these are two days
    "by 2022 and beyond",                   # by and from at once
    "mid-March",       # no year, and a date line has no context to take it from ("by mid-March" in prose does)
    "1 April to 30 June",  # ... nor for a range of days ("1 April to 30 June" in prose takes one)
    "1 – 31 March",
    "1 – 31",                    # two numbers, no month
    "31 to 1 March 2023",        # descending ranges of days: none
    "31 March to 1 March 2023",  # (a first day of the same month is in the same year)
    "01/04/2022 – 31/03/2021",
    "1 and 15 May 2023",         # "and" joins a range only after "between"
    "Pages 1 to 30 March 2023",  # pages, not days
    "Q1 – Q2 2023",    # a range of quarters is not read
    "last spring",     # relative: a date line has no publication date to anchor it
]


@pytest.mark.parametrize("form", DATE_FORMS, ids=[f[0] for f in DATE_FORMS])
def test_date_forms(form):
    when, start, end, precision, tbc, rule = form
    [m] = extract_text(small_plan(f"Date: {when}")).tables["milestones"]
    assert (m.date_text, m.due_start, m.due_end, m.due_precision, m.is_tbc, m.rule_id) == (when, start, end, precision,
                                                                                          tbc, rule)


@pytest.mark.parametrize("when,qualifier", [
    ("June 2022 onwards", "from"), ("from June 2022 onwards", "from"), ("2023 onward", "from"),
    ("from March 2023", "from"), ("June 2022", None), ("by end of 2022", None),
    ("2022 and beyond", "from"), ("March 2023 and onwards", "from"), ("2024 and onward", "from"),
    ("in 2022 and beyond", "from"),  # "in" gives way to the suffix (rules/periods.yaml suffix_overrides)
    ("from 1 April 2022 to 31 March 2023", "from"), ("mid-March 2022", None), ("w/c 7 March 2022", None),
    ("from 4 to 8 July 2022", "from"), ("from 1 April to 30 June 2022", "from"), ("1 – 31 March 2023", None),
    ("from 01/04/2022 to 31/03/2023", "from"),
])
def test_date_qualifiers(when, qualifier):
    """'X onwards' is 'from X': the milestone's due_qualifier says so (only 'from' is kept there)."""
    [m] = extract_text(small_plan(f"Date: {when}")).tables["milestones"]
    assert (m.date_text, m.due_qualifier, m.due_end is not None) == (when, qualifier, True)


def unparsed(when: str):
    """The first milestone and the quality codes of a small plan whose first date line is `when`."""
    got = extract_text(small_plan(f"Date: {when}\n\nOther thing.\n\nDate: 2030"))  # not last: that is truncation
    return got.tables["milestones"][0], [q.code for q in got.tables["quality"]]


@pytest.mark.parametrize("when", NOT_DATES)
def test_texts_that_name_no_period(when):
    m, codes = unparsed(when)
    assert (m.date_text, m.due_start, m.due_end, m.rule_id, codes) == (when, None, None, "kind.date_line",
                                                                         ["unparsed_date"])


@pytest.mark.parametrize("flag,status,finding", [
    ("(complete)", "complete", None),
    ("(completed)", "complete", None),
    ("(Complete)", "complete", None),
    ("(compete)", "complete", "status_misspelt"),
    ("[complete]", "complete", None),
    ("(Complete.)", "complete", None),
    ("- complete", "complete", None),
    ("– complete", "complete", None),
    ("(achieved)", "complete", None),
    ("(on track)", "planned", None),
    ("(partially complete)", "planned", "status_partially_complete"),
    ("(delayed)", "planned", "status_delayed"),
    ("", "planned", None),
])
def test_status_spellings_on_target_lines(flag, status, finding):
    got = extract_text(small_plan(f"Dates:\n\n40% by March 2024 {flag}\n\nAll regions by April 2025 {flag}"))
    [m] = got.tables["milestones"]
    targets = got.tables["milestone_targets"]
    assert [t.status for t in targets] == [status, status] and m.status == status
    assert [q.code for q in got.tables["quality"]] == ([finding, finding] if finding else [])


@pytest.mark.parametrize("block", [
    "Dates:\n\n40% by March 2024 (complete)\n\nAll regions by April 2025",
    "Dates:\n40% by March 2024 (complete)\nAll regions by April 2025",
    "Dates:\n\n• 40% by March 2024 (complete)\n• All regions by April 2025",
    "Dates:\n\n  - 40% by March 2024 (complete)\n  - All regions by April 2025",
    "Dates:\n\n* 40% by March 2024 (complete)\n\n* All regions by April 2025",
], ids=["one-a-paragraph", "consecutive-lines", "bullets", "hyphen-bullets", "star-bullets-apart"])
def test_target_list_layouts(block):
    got = extract_text(small_plan(block))
    [m] = got.tables["milestones"]
    assert (m.status, m.due_end, m.n_targets, m.date_text) == ("partial", date(2025, 4, 30), 2,
                                                               "40% by March 2024 (complete); All regions by April 2025")
    assert [(t.text, t.label, t.value, t.status) for t in got.tables["milestone_targets"]] == [
        ("40% by March 2024 (complete)", "40%", 40, "complete"), ("All regions by April 2025", "All regions", None,
                                                                  "planned")]
    assert got.tables["quality"] == [] and span_problems(got) == []


def test_a_list_after_dates_that_is_not_targets_stays_a_list():
    got = extract_text(small_plan("Dates:\n\n• first we plan\n• then we build\n\nDate: May 2024"))
    assert "list" in kinds(got)
    assert "dates_without_targets" in [q.code for q in got.tables["quality"]]


def test_bad_period_rules_are_reported_together(tmp_path):
    """The new sections of rules/periods.yaml are checked when they load: every problem is reported at once."""
    from pipeline.periods import PeriodRules, _check
    from rule_util import rule_problems, shipped

    rules = shipped("periods.yaml")
    rules["parts_of_month"]["late"] = [21, 32]
    rules["parts_of_month"]["mid"] = [20, 11]
    rules["week_commencing"]["days"] = 0
    rules["suffix_overrides"] = ["in", "during"]  # "during" is a qualifier's words, not the qualifier it gives
    rules["end_of"]["kinds"] = ["financial_year", "fortnight"]
    rules["end_of"]["pattern"] = "(?:the\\s+)?end(?:\\s+of"
    rules["end_of"]["id"] = "period.year"
    said = "\n".join(rule_problems(tmp_path, "periods.yaml", PeriodRules, _check, rules))
    for problem in ("parts_of_month.late: days 21..32", "parts_of_month.mid: days 20..11",
                    "week_commencing.days", "suffix_overrides: 'during'", "end_of.kinds: unknown kind 'fortnight'",
                    "bad regex", "duplicate rule id 'period.year'"):
        assert problem in said, problem
    assert "suffix_overrides: 'in'" not in said
