"""Issue 4: temporal_expressions of the plan, and variants that prove the rules are general."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from conftest import GOLDEN, extract_text
from golden_util import check_golden
from mention_util import TEMPLATE, mentions_in, on_line

COLUMNS = ["expression_id", "paragraph_id", "milestone_id", "section_path", "text", "kind", "start_date", "end_date",
           "precision", "qualifier", "is_relative", "resolution", "char_start", "char_end", "line_start", "line_end",
           "rule_id", "period_rule_id"]
D = date


def test_golden(plan):
    check_golden(GOLDEN / "temporal_expressions.csv", plan.tables["temporal_expressions"], COLUMNS)


def test_counts_by_kind(plan):
    rows = plan.tables["temporal_expressions"]
    assert len(rows) == 349
    assert Counter(r.kind for r in rows) == {"month": 267, "financial_year": 39, "range": 20, "date": 7, "year": 6,
                                             "financial_quarter": 4, "part_of_year": 4, "season": 2}
    assert sum(r.is_relative for r in rows) == 13
    assert Counter(r.resolution for r in rows) == {"explicit": 329, "publication_date": 17, "paragraph_context": 3}


# (raw line, text, kind, start, end, precision, qualifier, resolution, period form): every expression the issue
# lists, found on the plan with its values, checked by hand against the text.
REQUIRED = [
    (143, "March 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", None, "explicit", "period.month_year"),
    (56, "beyond March 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "after", "explicit", "period.month_year"),
    (2225, "by Mar 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "by", "explicit", "period.month_year"),
    (1759, "by 30 September 2021", "date", D(2021, 9, 30), D(2021, 9, 30), "day", "by", "explicit",
     "period.day_month_year"),
    (2236, "by 17 May", "date", D(2021, 5, 17), D(2021, 5, 17), "day", "by", "paragraph_context", "period.day_month"),
    (2240, "on 19 July", "date", D(2021, 7, 19), D(2021, 7, 19), "day", "in", "publication_date", "period.day_month"),
    (809, "by April 2022", "month", D(2022, 4, 1), D(2022, 4, 30), "month", "by", "explicit", "period.month_year"),
    (645, "from March 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "from", "explicit", "period.month_year"),
    (834, "from January 2022", "month", D(2022, 1, 1), D(2022, 1, 31), "month", "from", "explicit",
     "period.month_year"),
    (56, "the 2021 to 2022 financial year", "financial_year", D(2021, 4, 1), D(2022, 3, 31), "financial_year", None,
     "explicit", "period.financial_year_words"),
    (2389, "the 2022 to 23 financial year", "financial_year", D(2022, 4, 1), D(2023, 3, 31), "financial_year", None,
     "explicit", "period.financial_year_words"),
    (1659, "in quarter 3 of the 2021 to 2022 financial year", "financial_quarter", D(2021, 10, 1), D(2021, 12, 31),
     "quarter", "in", "explicit", "period.financial_quarter_words"),
    (1807, "in quarter 1 of the 2022 to 2023 financial year", "financial_quarter", D(2022, 4, 1), D(2022, 6, 30),
     "quarter", "in", "explicit", "period.financial_quarter_words"),
    (1491, "in Q3", "financial_quarter", D(2021, 10, 1), D(2021, 12, 31), "quarter", "in", "publication_date",
     "period.bare_quarter"),
    (879, "during winter 2021", "season", D(2021, 12, 1), D(2022, 2, 28), "season", "in", "explicit", "period.season"),
    (871, "in spring 2021", "season", D(2021, 3, 1), D(2021, 5, 31), "season", "in", "explicit", "period.season"),
    (2568, "in early 2022", "part_of_year", D(2022, 1, 1), D(2022, 4, 30), "part_of_year", "in", "explicit",
     "period.part_of_year"),
    (2441, "by early 2022", "part_of_year", D(2022, 1, 1), D(2022, 4, 30), "part_of_year", "by", "explicit",
     "period.part_of_year"),
    (1781, "later in 2021", "part_of_year", D(2021, 9, 1), D(2021, 12, 31), "part_of_year", None, "explicit",
     "period.part_of_year"),
    (2441, "2024-2030", "range", D(2024, 1, 1), D(2030, 12, 31), "year", None, "explicit", "period.year_range"),
    (2114, "in 2021 and 2022", "range", D(2021, 1, 1), D(2022, 12, 31), "year", "in", "explicit", "period.year_range"),
    (56, "the next 3 years", "range", D(2021, 12, 1), D(2024, 11, 30), "year", None, "publication_date",
     "period.relative_span"),
    (614, "over the next 3 years", "range", D(2021, 12, 1), D(2024, 11, 30), "year", "in", "publication_date",
     "period.relative_span"),
    (62, "the past 18 months", "range", D(2020, 6, 1), D(2021, 11, 30), "month", None, "publication_date",
     "period.relative_span"),
    (94, "in the coming year", "range", D(2021, 12, 1), D(2022, 11, 30), "year", "in", "publication_date",
     "period.relative_span"),
    (1552, "this year", "year", D(2021, 1, 1), D(2021, 12, 31), "year", None, "publication_date",
     "period.relative_unit"),
    (56, "up until the end of March 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "until", "explicit",
     "period.month_year"),
    (517, "the financial years 2021 to 2024", "range", D(2021, 4, 1), D(2024, 3, 31), "financial_year", None,
     "explicit", "period.financial_years_range"),
    (881, "October to December 2021", "range", D(2021, 10, 1), D(2021, 12, 31), "month", None, "explicit",
     "period.month_range_year"),
    (1431, "in the early 1980s", "range", D(1980, 1, 1), D(1983, 12, 31), "decade", "in", "explicit",
     "period.decade"),
    (877, "From April", "month", D(2022, 4, 1), D(2022, 4, 30), "month", "from", "paragraph_context",
     "period.month_no_year"),
    (785, "2019", "year", D(2019, 1, 1), D(2019, 12, 31), "year", None, "explicit", "period.year"),
    (3, "1 December 2021", "date", D(2021, 12, 1), D(2021, 12, 1), "day", None, "explicit", "period.day_month_year"),
]


@pytest.mark.parametrize("row", REQUIRED, ids=[f"{r[0]}:{r[1]}" for r in REQUIRED])
def test_required_expressions(plan, row):
    line, text, kind, start, end, precision, qualifier, resolution, form = row
    r = on_line(plan, "temporal_expressions", line, text)
    assert (r.kind, r.start_date, r.end_date, r.precision, r.qualifier) == (kind, start, end, precision, qualifier)
    assert (r.resolution, r.period_rule_id) == (resolution, form)
    assert r.is_relative == (form.startswith("period.relative"))
    assert r.rule_id.startswith("temporal.")


def test_every_date_line_is_an_expression_with_the_milestone_dates(plan):
    """The Date: and target lines give exactly the milestone's due dates: one normaliser for both tables."""
    rows = plan.tables["temporal_expressions"]
    paras = {p.paragraph_id: p for p in plan.tables["paragraphs"]}
    milestones = {m.milestone_id: m for m in plan.tables["milestones"]}
    targets = {t.paragraph_id: t for t in plan.tables["milestone_targets"]}
    by_para: dict[str, list] = {}
    for r in rows:
        by_para.setdefault(r.paragraph_id, []).append(r)
    date_lines = [p for p in paras.values() if p.kind == "date_line"]
    assert len(date_lines) == 213
    for p in date_lines:
        found = by_para.get(p.paragraph_id, [])
        m = milestones[found[0].milestone_id] if found else None
        if p.text == "Date: TBC":
            assert not found
            continue
        assert len(found) == 1, p.text
        assert p.text.startswith("Date: " + found[0].text)
        assert (found[0].start_date, found[0].end_date) == (m.due_start, m.due_end)
    for pid, t in targets.items():
        [r] = [r for r in by_para[pid] if r.char_end == paras[pid].char_start + len(t.text.split(" (")[0])]
        assert (r.start_date, r.end_date, r.milestone_id) == (t.due_start, t.due_end, t.milestone_id)


def test_no_overlaps_and_longest_span(plan):
    rows = sorted(plan.tables["temporal_expressions"], key=lambda r: r.char_start)
    for a, b in zip(rows, rows[1:]):
        assert a.char_end <= b.char_start, (a.text, b.text)
    line = [r.text for r in rows if r.line_start == 1759]
    assert line == ["by 30 September 2021"]  # one expression, not "30", "September" and "2021"


def test_milestone_and_section_of_rows(plan):
    r = on_line(plan, "temporal_expressions", 834, "from January 2022")
    [m] = [m for m in plan.tables["milestones"] if m.milestone_id == r.milestone_id]
    assert (m.programme, m.line_start, r.paragraph_id in m.paragraph_ids) == ("Digital readiness", 834, True)
    assert r.section_path == "Digitise > Digital readiness > Commitment milestones"
    r = on_line(plan, "temporal_expressions", 56, "the next 3 years")
    assert r.milestone_id is None and r.section_path == "Duration"


def test_years_of_document_names_are_not_expressions(plan):
    assert not [r for r in plan.tables["temporal_expressions"] if r.line_start == 1559]  # "... Care Act 2012"


# -- variants: other phrasings and other years ----------------------------------------------------------

# (body, expected rows as (text, kind, start, end, qualifier, resolution)), published 1 December 2021.
VARIANTS = [
    ("We will deliver this by 2021/22.", [("by 2021/22", "financial_year", D(2021, 4, 1), D(2022, 3, 31), "by", "explicit")]),
    ("Reviewed in Q1 2023.", [("in Q1 2023", "quarter", D(2023, 1, 1), D(2023, 3, 31), "in", "explicit")]),
    ("Due in Q3 2022/23.", [("in Q3 2022/23", "financial_quarter", D(2022, 10, 1), D(2022, 12, 31), "in", "explicit")]),
    ("Live in the third quarter of 2024.",
     [("in the third quarter of 2024", "quarter", D(2024, 7, 1), D(2024, 9, 30), "in", "explicit")]),
    ("Agreed for the financial year 2023/24.",
     [("the financial year 2023/24", "financial_year", D(2023, 4, 1), D(2024, 3, 31), None, "explicit")]),
    ("Spend in 2023-24 rises.", [("in 2023-24", "financial_year", D(2023, 4, 1), D(2024, 3, 31), "in", "explicit")]),
    ("Work through summer 2023 and autumn of 2024.",
     [("summer 2023", "season", D(2023, 6, 1), D(2023, 8, 31), None, "explicit"),
      ("autumn of 2024", "season", D(2024, 9, 1), D(2024, 11, 30), None, "explicit")]),
    ("A pilot in winter 2023 then mid-2024 and by the end of 2025.",
     [("in winter 2023", "season", D(2023, 12, 1), D(2024, 2, 29), "in", "explicit"),
      ("mid-2024", "part_of_year", D(2024, 5, 1), D(2024, 8, 31), None, "explicit"),
      ("by the end of 2025", "year", D(2025, 1, 1), D(2025, 12, 31), "by", "explicit")]),
    ("From 1 April 2022 until 31 March 2023.",  # one range, as "From September 2022 to March 2023" is
     [("From 1 April 2022 until 31 March 2023", "range", D(2022, 4, 1), D(2023, 3, 31), "from", "explicit")]),
    ("From 1 April 2022, and until 31 March 2023.",
     [("From 1 April 2022", "date", D(2022, 4, 1), D(2022, 4, 1), "from", "explicit"),
      ("until 31 March 2023", "date", D(2023, 3, 31), D(2023, 3, 31), "until", "explicit")]),
    ("Launched on 1st April 2022 and on April 5, 2022.",
     [("on 1st April 2022", "date", D(2022, 4, 1), D(2022, 4, 1), "in", "explicit"),
      ("on April 5, 2022", "date", D(2022, 4, 5), D(2022, 4, 5), "in", "explicit")]),
    ("Signed on 01/04/2022, 2022-04-05 and 31.03.2023.",
     [("on 01/04/2022", "date", D(2022, 4, 1), D(2022, 4, 1), "in", "explicit"),
      ("2022-04-05", "date", D(2022, 4, 5), D(2022, 4, 5), None, "explicit"),
      ("31.03.2023", "date", D(2023, 3, 31), D(2023, 3, 31), None, "explicit")]),
    ("Between 2025 and 2027 we expand; the 2030s follow.",
     [("Between 2025 and 2027", "range", D(2025, 1, 1), D(2027, 12, 31), None, "explicit"),
      ("the 2030s", "range", D(2030, 1, 1), D(2039, 12, 31), None, "explicit")]),
    ("From September 2022 to March 2023 we test.",
     [("From September 2022 to March 2023", "range", D(2022, 9, 1), D(2023, 3, 31), "from", "explicit")]),
    ("Since 2019 and before 2030, not after June 2031.",
     [("Since 2019", "year", D(2019, 1, 1), D(2019, 12, 31), "since", "explicit"),
      ("before 2030", "year", D(2030, 1, 1), D(2030, 12, 31), "before", "explicit"),
      ("after June 2031", "month", D(2031, 6, 1), D(2031, 6, 30), "after", "explicit")]),
    ("Next year we grow; last year we did not; this financial year is tight.",
     [("Next year", "year", D(2022, 1, 1), D(2022, 12, 31), None, "publication_date"),
      ("last year", "year", D(2020, 1, 1), D(2020, 12, 31), None, "publication_date"),
      ("this financial year", "financial_year", D(2021, 4, 1), D(2022, 3, 31), None, "publication_date")]),
    ("Over the next two years, and within the next 6 months, later this year.",
     [("Over the next two years", "range", D(2021, 12, 1), D(2023, 11, 30), "in", "publication_date"),
      ("within the next 6 months", "range", D(2021, 12, 1), D(2022, 5, 31), "in", "publication_date"),
      ("later this year", "part_of_year", D(2021, 9, 1), D(2021, 12, 31), None, "publication_date")]),
    ("In March 2023 we met, and by 4 May we agreed; on 9 June we signed.",
     [("In March 2023", "month", D(2023, 3, 1), D(2023, 3, 31), "in", "explicit"),
      ("by 4 May", "date", D(2023, 5, 4), D(2023, 5, 4), "by", "paragraph_context"),
      ("on 9 June", "date", D(2023, 6, 9), D(2023, 6, 9), "in", "paragraph_context")]),
    ("The app went live on 2 August, ahead of schedule.",
     [("on 2 August", "date", D(2021, 8, 2), D(2021, 8, 2), "in", "publication_date")]),
    ("The rollout starts from February.",
     [("from February", "month", D(2022, 2, 1), D(2022, 2, 28), "from", "publication_date")]),
    ("Milestones are set for the 2024 to 25 financial year.",
     [("the 2024 to 25 financial year", "financial_year", D(2024, 4, 1), D(2025, 3, 31), None, "explicit")]),
    ("Work between the 2023 to 2024 financial year and the 2025 to 2026 financial year.",
     [("the 2023 to 2024 financial year", "financial_year", D(2023, 4, 1), D(2024, 3, 31), None, "explicit"),
      ("the 2025 to 2026 financial year", "financial_year", D(2025, 4, 1), D(2026, 3, 31), None, "explicit")]),
    ("Commitments will be available in quarter 2 of the 2023 to 2024 financial year.",
     [("in quarter 2 of the 2023 to 2024 financial year", "financial_quarter", D(2023, 7, 1), D(2023, 9, 30), "in",
       "explicit")]),
    ("Confirmed commitments will be available in Q4.",
     [("in Q4", "financial_quarter", D(2022, 1, 1), D(2022, 3, 31), "in", "publication_date")]),
    ("The service is built on the 2020 to 2021 financial year work.",
     [("the 2020 to 2021 financial year", "financial_year", D(2020, 4, 1), D(2021, 3, 31), None, "explicit")]),
    ("Due in the first half of 2023, early in 2024 and over the next decade.",
     [("in the first half of 2023", "part_of_year", D(2023, 1, 1), D(2023, 6, 30), "in", "explicit"),
      ("early in 2024", "part_of_year", D(2024, 1, 1), D(2024, 4, 30), None, "explicit"),
      ("over the next decade", "range", D(2021, 12, 1), D(2031, 11, 30), "in", "publication_date")]),
    ("As of April 2022, by end-2022 and at the end of 2024.",
     [("As of April 2022", "month", D(2022, 4, 1), D(2022, 4, 30), "from", "explicit"),
      ("by end-2022", "part_of_year", D(2022, 10, 1), D(2022, 12, 31), "by", "explicit"),
      ("at the end of 2024", "part_of_year", D(2024, 10, 1), D(2024, 12, 31), "in", "explicit")]),
    ("The peak was in winter 2021/22.",
     [("in winter 2021/22", "season", D(2021, 12, 1), D(2022, 2, 28), "in", "explicit")]),
    ("It runs 24/7, splits 50/50 and scored 22/23.", []),
    ("We may publish plans and march forward, and may 2 sites join.", []),
    ("Under the Data Protection Act 2018 and the NHS Act 2006.", []),
    ("Over the coming months and in future years.", []),
]


@pytest.mark.parametrize("body,expected", VARIANTS, ids=[v[0][:40] for v in VARIANTS])
def test_variants(body, expected):
    ts, _, _ = mentions_in(body)
    got = [(r.text, r.kind, r.start_date, r.end_date, r.qualifier, r.resolution) for r in ts]
    assert got == expected


# The forms an unseen version may use, in prose: each spans its whole text and gives the values (and the period
# form) that the same text gives on a Date: line (tests/test_drift.py DATE_FORMS).
# (body, expected rows as (text, kind, start, end, precision, qualifier, period form)), published 1 December 2021.
NEW_FORMS = [
    ("Pressures peak in winter 2021/22 and in Winter 2022-23.",
     [("in winter 2021/22", "season", D(2021, 12, 1), D(2022, 2, 28), "season", "in", "period.season_financial_year"),
      ("in Winter 2022-23", "season", D(2022, 12, 1), D(2023, 2, 28), "season", "in", "period.season_financial_year")]),
    ("Due in Q3 FY22/23 and Q4 22/23.",
     [("in Q3 FY22/23", "financial_quarter", D(2022, 10, 1), D(2022, 12, 31), "quarter", "in",
       "period.financial_quarter_short"),
      ("Q4 22/23", "financial_quarter", D(2023, 1, 1), D(2023, 3, 31), "quarter", None, "period.financial_quarter_short")]),
    ("Costs from Mar-22 rose, and in March '23 fell.",
     [("from Mar-22", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "from", "period.month_short_year"),
      ("in March '23", "month", D(2023, 3, 1), D(2023, 3, 31), "month", "in", "period.month_short_year")]),
    ("Done by end of March 2022 or at the end of March 2023, not end of March 2024.",
     [("by end of March 2022", "month", D(2022, 3, 1), D(2022, 3, 31), "month", "by", "period.month_year"),
      ("at the end of March 2023", "month", D(2023, 3, 1), D(2023, 3, 31), "month", "in", "period.end_of_month"),
      ("end of March 2024", "month", D(2024, 3, 1), D(2024, 3, 31), "month", None, "period.end_of_month")]),
    ("From June 2022 onwards we grow, and June 2023 onwards we hold; 2025 onward too.",
     [("From June 2022 onwards", "month", D(2022, 6, 1), D(2022, 6, 30), "month", "from", "period.month_year"),
      ("June 2023 onwards", "month", D(2023, 6, 1), D(2023, 6, 30), "month", "from", "period.month_year"),
      ("2025 onward", "year", D(2025, 1, 1), D(2025, 12, 31), "year", "from", "period.year")]),
    ("Delivered in H1 2025 and H2 2024, and by H2 2022/23.",
     [("in H1 2025", "part_of_year", D(2025, 1, 1), D(2025, 6, 30), "part_of_year", "in", "period.half_year"),
      ("H2 2024", "part_of_year", D(2024, 7, 1), D(2024, 12, 31), "part_of_year", None, "period.half_year"),
      ("by H2 2022/23", "part_of_year", D(2022, 10, 1), D(2023, 3, 31), "part_of_year", "by",
       "period.financial_half_year")]),
    ("We will report in FY2022/23 and in FY23/24.",
     [("in FY2022/23", "financial_year", D(2022, 4, 1), D(2023, 3, 31), "financial_year", "in", "period.financial_year"),
      ("in FY23/24", "financial_year", D(2023, 4, 1), D(2024, 3, 31), "financial_year", "in",
       "period.financial_year_short")]),
    ("The plan covers 2022-25.",
     [("2022-25", "range", D(2022, 1, 1), D(2025, 12, 31), "year", None, "period.year_range_short")]),
    ("The plan covers 2022-23.",
     [("2022-23", "financial_year", D(2022, 4, 1), D(2023, 3, 31), "financial_year", None, "period.financial_year")]),
    ("Live in early 2023, and done by end of 2022.",
     [("in early 2023", "part_of_year", D(2023, 1, 1), D(2023, 4, 30), "part_of_year", "in", "period.part_of_year"),
      ("by end of 2022", "year", D(2022, 1, 1), D(2022, 12, 31), "year", "by", "period.year")]),
]


# Forms of later plan versions, in prose: (body, expected rows as (text, kind, start, end, precision, qualifier,
# resolution, period form)), published 1 December 2021. Near-misses expect only what they do name.
PLAN_VERSION_FORMS = [
    ("Growth in mid-March 2022, early March 2022 and late March 2022.",
     [("in mid-March 2022", "part_of_month", D(2022, 3, 11), D(2022, 3, 20), "part_of_month", "in", "explicit",
       "period.part_of_month"),
      ("early March 2022", "part_of_month", D(2022, 3, 1), D(2022, 3, 10), "part_of_month", None, "explicit",
       "period.part_of_month"),
      ("late March 2022", "part_of_month", D(2022, 3, 21), D(2022, 3, 31), "part_of_month", None, "explicit",
       "period.part_of_month")]),
    ("By the middle of March 2022, mid March 2022 and early-March 2022.",
     [("By the middle of March 2022", "part_of_month", D(2022, 3, 11), D(2022, 3, 20), "part_of_month", "by",
       "explicit", "period.part_of_month"),
      ("mid March 2022", "part_of_month", D(2022, 3, 11), D(2022, 3, 20), "part_of_month", None, "explicit",
       "period.part_of_month"),
      ("early-March 2022", "part_of_month", D(2022, 3, 1), D(2022, 3, 10), "part_of_month", None, "explicit",
       "period.part_of_month")]),
    ("In March 2023 we start, and by mid-April we finish.",
     [("In March 2023", "month", D(2023, 3, 1), D(2023, 3, 31), "month", "in", "explicit", "period.month_year"),
      ("by mid-April", "part_of_month", D(2023, 4, 11), D(2023, 4, 20), "part_of_month", "by", "paragraph_context",
       "period.part_of_month_no_year")]),
    ("Tests run mid-2022, and late is late.",
     [("mid-2022", "part_of_year", D(2022, 5, 1), D(2022, 8, 31), "part_of_year", None, "explicit",
       "period.part_of_year")]),
    ("Done by the end of 2022/23, at the end of Q3 2022/23 and end of Q4 2021.",
     [("by the end of 2022/23", "financial_year", D(2022, 4, 1), D(2023, 3, 31), "financial_year", "by", "explicit",
       "period.financial_year"),
      ("at the end of Q3 2022/23", "financial_quarter", D(2022, 10, 1), D(2022, 12, 31), "quarter", "in", "explicit",
       "period.end_of_period"),
      ("end of Q4 2021", "quarter", D(2021, 10, 1), D(2021, 12, 31), "quarter", None, "explicit",
       "period.end_of_period")]),
    ("Agreed by end of 2022/23, not at the end of the day.",
     [("by end of 2022/23", "financial_year", D(2022, 4, 1), D(2023, 3, 31), "financial_year", "by", "explicit",
       "period.financial_year")]),
    ("Meet w/c 7 March 2022, w/c 7/3/2022 and in the week commencing 14 March 2022.",
     [("w/c 7 March 2022", "range", D(2022, 3, 7), D(2022, 3, 13), "week", None, "explicit",
       "period.week_commencing"),
      ("w/c 7/3/2022", "range", D(2022, 3, 7), D(2022, 3, 13), "week", None, "explicit",
       "period.week_commencing_numeric"),
      ("in the week commencing 14 March 2022", "range", D(2022, 3, 14), D(2022, 3, 20), "week", "in", "explicit",
       "period.week_commencing")]),
    ("Training in the week beginning 4 April 2022; the w/c column is blank.",
     [("in the week beginning 4 April 2022", "range", D(2022, 4, 4), D(2022, 4, 10), "week", "in", "explicit",
       "period.week_commencing")]),
    ("In May 2022 we test; go-live w/c 13 June.",
     [("In May 2022", "month", D(2022, 5, 1), D(2022, 5, 31), "month", "in", "explicit", "period.month_year"),
      ("w/c 13 June", "range", D(2022, 6, 13), D(2022, 6, 19), "week", None, "paragraph_context",
       "period.week_commencing_day_month")]),
    ("Funded for 2022 and beyond, from March 2023 and onwards, and in 2024 and beyond.",
     [("2022 and beyond", "year", D(2022, 1, 1), D(2022, 12, 31), "year", "from", "explicit", "period.year"),
      ("from March 2023 and onwards", "month", D(2023, 3, 1), D(2023, 3, 31), "month", "from", "explicit",
       "period.month_year"),
      ("in 2024 and beyond", "year", D(2024, 1, 1), D(2024, 12, 31), "year", "from", "explicit", "period.year")]),
    ("Sites in 2021 and 2022 and others.",  # "and" before a year is no suffix: the range stays
     [("in 2021 and 2022", "range", D(2021, 1, 1), D(2022, 12, 31), "year", "in", "explicit", "period.year_range")]),
    ("Due in the 1st quarter of 2023, the 3rd quarter of 2022/23 and Q1 of 2023.",
     [("in the 1st quarter of 2023", "quarter", D(2023, 1, 1), D(2023, 3, 31), "quarter", "in", "explicit",
       "period.calendar_quarter"),
      ("the 3rd quarter of 2022/23", "financial_quarter", D(2022, 10, 1), D(2022, 12, 31), "quarter", None,
       "explicit", "period.financial_quarter"),
      ("Q1 of 2023", "quarter", D(2023, 1, 1), D(2023, 3, 31), "quarter", None, "explicit",
       "period.calendar_quarter")]),
    ("Not in Q5 2022.",
     [("2022", "year", D(2022, 1, 1), D(2022, 12, 31), "year", None, "explicit", "period.year")]),
    ("Open from 1 April 2022 to 31 March 2023.",
     [("from 1 April 2022 to 31 March 2023", "range", D(2022, 4, 1), D(2023, 3, 31), "day", "from", "explicit",
       "period.day_range")]),
    ("Runs 1 April 2022 – 31 March 2023, and between 1st May 2023 and 30th June 2023.",
     [("1 April 2022 – 31 March 2023", "range", D(2022, 4, 1), D(2023, 3, 31), "day", None, "explicit",
       "period.day_range"),
      ("between 1st May 2023 and 30th June 2023", "range", D(2023, 5, 1), D(2023, 6, 30), "day", None, "explicit",
       "period.day_range")]),
    ("Not from 1 April 2022 to 31 March 2021.",  # descending: two days, no range
     [("from 1 April 2022", "date", D(2022, 4, 1), D(2022, 4, 1), "day", "from", "explicit",
       "period.day_month_year"),
      ("31 March 2021", "date", D(2021, 3, 31), D(2021, 3, 31), "day", None, "explicit", "period.day_month_year")]),
    ("Signed on 1 April 2022 and 31 March 2023.",  # "and" without "between": two days
     [("on 1 April 2022", "date", D(2022, 4, 1), D(2022, 4, 1), "day", "in", "explicit", "period.day_month_year"),
      ("31 March 2023", "date", D(2023, 3, 31), D(2023, 3, 31), "day", None, "explicit", "period.day_month_year")]),
    ("The service has been live since last spring; next summer and this winter it grows.",
     [("since last spring", "season", D(2021, 3, 1), D(2021, 5, 31), "season", "since", "publication_date",
       "period.relative_season"),
      ("next summer", "season", D(2022, 6, 1), D(2022, 8, 31), "season", None, "publication_date",
       "period.relative_season"),
      ("this winter", "season", D(2021, 12, 1), D(2022, 2, 28), "season", None, "publication_date",
       "period.relative_season")]),
    ("We expect this fall in waiting times, and a spring in our step.", []),
    # Ranges of days whose first day leaves out what it shares with the last. With no year, a range takes the
    # year of its last day from the paragraph's other dates, as "17 May" does; a first day whose month is later
    # in the year than the last day's is in the year before. Near-misses expect only what they do name.
    ("Open 1 April to 30 June 2022, and 1 December to 31 January 2023.",
     [("1 April to 30 June 2022", "range", D(2022, 4, 1), D(2022, 6, 30), "day", None, "explicit",
       "period.day_range_same_year"),
      ("1 December to 31 January 2023", "range", D(2022, 12, 1), D(2023, 1, 31), "day", None, "explicit",
       "period.day_range_same_year")]),
    ("Between 1 April and 30 June 2022 we test, then 1st July – 31st August, 2022 onwards.",
     [("Between 1 April and 30 June 2022", "range", D(2022, 4, 1), D(2022, 6, 30), "day", None, "explicit",
       "period.day_range_same_year"),
      ("1st July – 31st August, 2022 onwards", "range", D(2022, 7, 1), D(2022, 8, 31), "day", "from", "explicit",
       "period.day_range_same_year")]),
    ("Runs 1 – 31 March 2023, then 1-7 March 2022 and by 1st to 7th May 2022.",
     [("1 – 31 March 2023", "range", D(2023, 3, 1), D(2023, 3, 31), "day", None, "explicit",
       "period.day_range_same_month"),
      ("1-7 March 2022", "range", D(2022, 3, 1), D(2022, 3, 7), "day", None, "explicit",
       "period.day_range_same_month"),
      ("by 1st to 7th May 2022", "range", D(2022, 5, 1), D(2022, 5, 7), "day", "by", "explicit",
       "period.day_range_same_month")]),
    ("Open from 4 to 8 July 2022 and between 1 and 15 May 2023.",
     [("from 4 to 8 July 2022", "range", D(2022, 7, 4), D(2022, 7, 8), "day", "from", "explicit",
       "period.day_range_same_month"),
      ("between 1 and 15 May 2023", "range", D(2023, 5, 1), D(2023, 5, 15), "day", None, "explicit",
       "period.day_range_same_month")]),
    ("Runs 01/04/2022 – 31/03/2023, from 01/04/2023 to 31/03/2024 and 01.04.2024 - 31.03.2025.",
     [("01/04/2022 – 31/03/2023", "range", D(2022, 4, 1), D(2023, 3, 31), "day", None, "explicit",
       "period.numeric_day_range"),
      ("from 01/04/2023 to 31/03/2024", "range", D(2023, 4, 1), D(2024, 3, 31), "day", "from", "explicit",
       "period.numeric_day_range"),
      ("01.04.2024 - 31.03.2025", "range", D(2024, 4, 1), D(2025, 3, 31), "day", None, "explicit",
       "period.numeric_day_range")]),
    ("In May 2022 we open 1 April to 30 June and 1 – 31 July.",
     [("In May 2022", "month", D(2022, 5, 1), D(2022, 5, 31), "month", "in", "explicit", "period.month_year"),
      ("1 April to 30 June", "range", D(2022, 4, 1), D(2022, 6, 30), "day", None, "paragraph_context",
       "period.day_range_no_year"),
      ("1 – 31 July", "range", D(2022, 7, 1), D(2022, 7, 31), "day", None, "paragraph_context",
       "period.day_range_no_year")]),
    ("In March 2023 we run 1 December to 31 January.",
     [("In March 2023", "month", D(2023, 3, 1), D(2023, 3, 31), "month", "in", "explicit", "period.month_year"),
      ("1 December to 31 January", "range", D(2022, 12, 1), D(2023, 1, 31), "day", None, "paragraph_context",
       "period.day_range_no_year")]),
    ("Not 31 to 1 March 2023, nor 01/04/2022 – 31/03/2021.",  # descending: no range
     [("1 March 2023", "date", D(2023, 3, 1), D(2023, 3, 1), "day", None, "explicit", "period.day_month_year"),
      ("01/04/2022", "date", D(2022, 4, 1), D(2022, 4, 1), "day", None, "explicit", "period.numeric_date"),
      ("31/03/2021", "date", D(2021, 3, 31), D(2021, 3, 31), "day", None, "explicit", "period.numeric_date")]),
    ("Signed 1 and 15 May 2023.",  # "and" without "between"
     [("15 May 2023", "date", D(2023, 5, 15), D(2023, 5, 15), "day", None, "explicit", "period.day_month_year")]),
    ("Read pages 1 to 30 March 2023, or see sections 2 – 4 May.",  # page numbers, not days (the veto)
     [("30 March 2023", "date", D(2023, 3, 30), D(2023, 3, 30), "day", None, "explicit", "period.day_month_year"),
      ("4 May", "date", D(2023, 5, 4), D(2023, 5, 4), "day", None, "paragraph_context", "period.day_month")]),
    ("Staffed 24/7.", []),
]


@pytest.mark.parametrize("body,expected", PLAN_VERSION_FORMS, ids=[v[0][:40] for v in PLAN_VERSION_FORMS])
def test_plan_version_forms_in_prose(body, expected):
    ts, qs, _ = mentions_in(body)
    got = [(r.text, r.kind, r.start_date, r.end_date, r.precision, r.qualifier, r.resolution, r.period_rule_id)
           for r in ts]
    assert got == expected
    assert all(r.is_relative == (r.resolution == "publication_date") for r in ts)
    assert [q.text for q in qs] == []  # no number of a date is a quantity ("1" of "1st", "7" of "w/c 7/3/2022")


def test_a_range_of_quarters_is_not_a_range_of_days():
    """"Q1 – Q2 2023" reads as it did before day ranges: two quarters, the first from the second's year."""
    ts, _, _ = mentions_in("Work in Q1 – Q2 2023.")
    assert [(r.text, r.period_rule_id) for r in ts] == [("in Q1", "period.bare_quarter"),
                                                        ("Q2 2023", "period.calendar_quarter")]


# (publication date, text, first day, last day): "this" holds the publication day (else is nearest to it),
# "next" starts after it, "last" ends before it.
RELATIVE_SEASONS = [
    ("15 January 2022", "this winter", D(2021, 12, 1), D(2022, 2, 28)),
    ("15 January 2022", "last winter", D(2020, 12, 1), D(2021, 2, 28)),
    ("15 January 2022", "next winter", D(2022, 12, 1), D(2023, 2, 28)),
    ("15 January 2022", "this spring", D(2022, 3, 1), D(2022, 5, 31)),
    ("15 January 2022", "last autumn", D(2021, 9, 1), D(2021, 11, 30)),
    ("10 June 2030", "this summer", D(2030, 6, 1), D(2030, 8, 31)),
    ("10 June 2030", "last summer", D(2029, 6, 1), D(2029, 8, 31)),
    ("10 June 2030", "next summer", D(2031, 6, 1), D(2031, 8, 31)),
    ("10 June 2030", "previous spring", D(2030, 3, 1), D(2030, 5, 31)),
]


@pytest.mark.parametrize("published,text,start,end", RELATIVE_SEASONS, ids=[f"{r[0]}:{r[1]}" for r in RELATIVE_SEASONS])
def test_relative_seasons_count_from_the_publication_date(published, text, start, end):
    ts, _, _ = mentions_in(f"Work grows {text}.", published=f"Published {published}")
    assert [(r.text, r.start_date, r.end_date, r.kind, r.resolution) for r in ts] == [
        (text, start, end, "season", "publication_date")]


@pytest.mark.parametrize("body,expected", NEW_FORMS, ids=[v[0][:40] for v in NEW_FORMS])
def test_new_forms_in_prose(body, expected):
    ts, qs, _ = mentions_in(body)
    got = [(r.text, r.kind, r.start_date, r.end_date, r.precision, r.qualifier, r.period_rule_id) for r in ts]
    assert got == expected
    assert all(r.resolution == "explicit" and not r.is_relative for r in ts)
    assert [q.text for q in qs] == []  # no number of a date is a quantity ("22" of "Mar-22", "1" of "H1")


def test_new_forms_on_date_lines_are_expressions_with_the_milestone_dates():
    """The new forms on Date: lines: one expression each, the whole date text, with the milestone's due dates."""
    forms = ["winter 2021/22", "Q3 FY22/23", "Q4 22/23", "Mar-22", "end of March 2022", "June 2022 onwards",
             "H1 2025", "H2 2024", "FY2022/23", "FY22/23", "2022-25", "early 2023", "by end of 2022", "H1 2022/23",
             "mid-March 2022", "end of 2022/23", "end of Q3 2022/23", "w/c 7 March 2022", "w/c 7/3/2022",
             "2022 and beyond", "1st quarter of 2023", "1 April 2022 – 31 March 2023",
             "between 1 April 2022 and 31 March 2023", "1 April to 30 June 2022", "1 December to 31 January 2023",
             "1 – 31 March 2023", "from 4 to 8 July 2022", "between 1 and 15 May 2023", "01/04/2022 – 31/03/2023",
             "01/04/2022 to 31/03/2023", "01.04.2022 - 31.03.2023"]
    blocks = "\n\n".join(f"Widget {i} shipped.\n\nDate: {f} (complete)" for i, f in enumerate(forms))
    text = TEMPLATE.format(body="Intro.", published="Published 1 December 2021").replace(
        "Widget shipped.\n\nDate: March 2022", blocks)
    got = extract_text(text)
    ms = got.tables["milestones"]
    assert [m.date_text for m in ms] == forms and all(m.due_end for m in ms)
    assert got.tables["quality"] == []
    by_milestone = {}
    for r in got.tables["temporal_expressions"]:
        by_milestone.setdefault(r.milestone_id, []).append(r)
    for m in ms:
        [r] = by_milestone[m.milestone_id]
        assert (r.text, r.start_date, r.end_date, r.period_rule_id) == (m.date_text, m.due_start, m.due_end, m.rule_id)


def test_a_range_of_days_with_no_year_and_no_other_date_takes_the_publication_year():
    """As "on 19 July" does: the occurrence nearest the publication date (1 December 2021)."""
    ts, _, _ = mentions_in("Open 1 to 30 June.")
    assert [(r.text, r.start_date, r.end_date, r.resolution, r.period_rule_id) for r in ts] == [
        ("1 to 30 June", D(2021, 6, 1), D(2021, 6, 30), "publication_date", "period.day_range_no_year")]


def test_other_publication_date_moves_relative_and_yearless_expressions():
    ts, _, _ = mentions_in("Over the next 3 years, and from 2 August.", published="Published 10 June 2030")
    assert [(r.text, r.start_date, r.end_date) for r in ts] == [
        ("Over the next 3 years", D(2030, 6, 10), D(2033, 6, 9)),
        ("from 2 August", D(2030, 8, 2), D(2030, 8, 2))]


def test_milestone_date_line_lends_its_year_to_the_description():
    text = TEMPLATE.format(body="Intro.", published="Published 1 December 2021").replace(
        "Widget shipped.\n\nDate: March 2022", "Widget shipped by 17 May.\n\nDate: May 2024")
    got = extract_text(text)
    [r] = [r for r in got.tables["temporal_expressions"] if r.text == "by 17 May"]
    assert (r.start_date, r.resolution, r.milestone_id is not None) == (D(2024, 5, 17), "paragraph_context", True)


def test_without_a_publication_date_relative_expressions_are_findings():
    ts, _, got = mentions_in("Over the next 3 years and on 19 July, then in March 2024.", published="")
    assert [(r.text, r.start_date, r.resolution) for r in ts] == [
        ("on 19 July", D(2024, 7, 19), "paragraph_context"), ("in March 2024", D(2024, 3, 1), "explicit")]
    assert [(q.code, q.evidence) for q in got.tables["quality"]] == [
        ("no_publication_date", None), ("unanchored_temporal", "Over the next 3 years")]


def test_hard_wrapped_lines_and_html_spaces():
    ts, _, _ = mentions_in("The plan runs until 30\u00a0September\n2024, then stops.")
    assert [(r.text, r.start_date, r.qualifier) for r in ts] == [("until 30 September\n2024", D(2024, 9, 30), "until")]


def test_deterministic(plan_bytes):
    from pipeline.run import extract_document

    a = extract_document("p.txt", plan_bytes).tables["temporal_expressions"]
    b = extract_document("p.txt", plan_bytes).tables["temporal_expressions"]
    assert a == b


# -- known failures, grouped by cause ------------------------------------------------------------------

KNOWN = [
    pytest.param("Budget for FY22 is set.", "FY22", marks=pytest.mark.xfail(
        reason="one two-digit financial year (FY22) is ambiguous (year ending or starting) and not read", strict=True)),
]


@pytest.mark.xfail(reason="a relative expression is anchored to the publication date, never to a date the text has "
                          "just named ('During this year' after 'the 2021 to 2022 financial year')", strict=True)
def test_known_failure_anaphoric_this_year(plan):
    r = on_line(plan, "temporal_expressions", 1437, "During this year")
    assert (r.start_date, r.end_date) == (D(2021, 4, 1), D(2022, 3, 31))


@pytest.mark.parametrize("body,text", KNOWN)
def test_known_failures(body, text):
    ts, _, _ = mentions_in(body)
    assert text in [r.text for r in ts]


def shift_years(text: str) -> str:
    """Return the plan with every year one later ('2021 to 22' → '2022 to 23'), in one pass."""
    def later(m):
        if m.group("yy"):
            return f"{int(m.group('y')) + 1}{m.group('sep')}{(int(m.group('yy')) + 1) % 100:02d}"
        return str(int(m.group("y")) + 1)

    return re.sub(r"(?<![\d,.])\b(?P<y>19[5-9]\d|20\d\d)(?:(?P<sep>\s*(?:to|/|-)\s*)(?P<yy>\d\d)(?!\d))?\b(?!\d|,\d)",
                  later, text)


def test_a_plan_published_a_year_later_moves_every_date_by_a_year(plan, plan_text):
    """The same plan with every year one later: the same expressions, each one year later (nothing is pinned)."""
    later = extract_text(shift_years(plan_text), name="nhsx-delivery-plan-2022-12-01.txt")
    assert later.tables["documents"][0].published_date == D(2022, 12, 1)
    a, b = plan.tables["temporal_expressions"], later.tables["temporal_expressions"]
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.kind, x.precision, x.qualifier, x.resolution, x.rule_id) == (y.kind, y.precision, y.qualifier,
                                                                               y.resolution, y.rule_id), (x.text, y.text)
        if x.period_rule_id == "period.decade":  # "the early 1980s" is not a year
            assert (x.start_date, x.end_date) == (y.start_date, y.end_date)
            continue
        for d1, d2 in ((x.start_date, y.start_date), (x.end_date, y.end_date)):
            assert (d2.year - d1.year, d2.month) == (1, d1.month) and d2.day in (d1.day, d1.day + 1, d1.day - 1), (x.text, y.text)
    qa, qb = plan.tables["quantities"], later.tables["quantities"]
    assert [(q.text, q.value, q.unit, q.subject) for q in qa] == [(q.text, q.value, q.unit, q.subject) for q in qb]


@pytest.mark.parametrize("text, kind, qualifier", [
    ("Q3 2022 onwardſ", "quarter", "from"),   # 'ſ' is 's' to a case-insensitive rule; lower() keeps it
    ("ſpring 2023", "season", None),
    ("BY MARCH 2022", "month", "by"),
    ("\u0130n progress", None, None),  # 'İ'.lower() is two characters: read as no period, not a KeyError
])
def test_words_are_looked_up_as_a_case_insensitive_rule_reads_them(text, kind, qualifier):
    from pipeline.periods import grammar

    period = grammar().parse(text)
    assert (period.kind, period.qualifier) == (kind, qualifier) if kind else period is None
