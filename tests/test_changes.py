"""Issue 7: what changed between versions of a plan (milestone_changes, programme_changes).

The versions are built by precise edits in tests/versions.py; the expected changes below
are written by hand from those edits (slip_days counted on a calendar), and the diff must
find exactly them and nothing else.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from conftest import PLAN, extract_text
from pipeline.changes import Version, compare_series, compare_versions, versions_of
from versions import V1, V2, V3, extracted, texts

FLAGS = ("is_completed_now", "is_reopened", "is_status_changed", "is_date_changed", "is_reworded",
         "is_programme_changed", "is_programme_renamed")
C, R, S, D, W, P, N = FLAGS  # completed, reopened, status, date, reworded, programme changed, programme renamed


def version(name: str) -> Version:
    t = extracted()[name].tables
    return versions_of(t["documents"], t["milestones"], t["programmes"])[name.removesuffix(".txt")]


@pytest.fixture(scope="module")
def series():
    """compare_series over the three versions, given in scrambled order."""
    ex = extracted()
    names = [V3, V1, V2]
    rows = {k: [r for n in names for r in ex[n].tables[k]] for k in ("documents", "milestones", "programmes")}
    return compare_series(rows["documents"], rows["milestones"], rows["programmes"])


def one(descriptions, key: str) -> str:
    hits = [d for d in descriptions if key in d]
    assert len(hits) == 1, (key, hits)
    return hits[0]


def observed(rows):
    """The non-unchanged rows as (change, old key text, new key text, flags, slip_days)."""
    return [(r.change, r.from_description, r.to_description, {f for f in FLAGS if getattr(r, f)}, r.slip_days)
            for r in rows if r.change != "unchanged"]


def check_exactly(rows, expected):
    got = observed(rows)
    assert len(got) == len(expected), [(g[0], (g[2] or g[1])[:50]) for g in got]
    for change, old_key, new_key, flags, slip in expected:
        match = [g for g in got if g[0] == change and (old_key is None or (g[1] and old_key in g[1]))
                 and (new_key is None or (g[2] and new_key in g[2]))]
        assert len(match) == 1, (change, old_key, new_key, match)
        g = match[0]
        assert (g[3], g[4]) == (set(flags), slip), (old_key or new_key, g[3], g[4])
        assert (g[1] is None) == (change == "added") and (g[2] is None) == (change == "removed")


# v1 -> v2, written from the edits in versions.v2_text (slip = new due_end - old due_end).
EXPECTED_V2 = [
    ("modified", "Round 1 (existing commitments)", "Round 1 (existing commitments)", {C, S}, 0),
    ("modified", "Prioritisation and the identification", "Prioritisation and the identification", {C, S, D}, 62),  # 30 Nov 21 -> 31 Jan 22
    ("modified", "Formal onboarding to the Digital Aspirant", "Formal onboarding to the Digital Aspirant", {D}, 92),  # Wave B: 28 Feb -> 31 May
    ("modified", "By March 2025, 95% of NHS secondary", "By March 2025, 95% of NHS secondary", {S}, 0),  # planned -> partial
    ("modified", "What Good Looks Like Guidance published", "together with case studies for ICSs", {W}, 0),
    ("modified", "Results from first What Good Looks Like", "Results from first What Good Looks Like", {D}, 212),  # 31 Jan -> 31 Aug (summer)
    ("modified", "A prototype of the Digital Backlog Tool", "A prototype of the Digital Backlog Tool", {D}, 181),  # 31 Dec -> 30 Jun (Q1 22/23)
    ("modified", "Trial of reimbursement models", "Trial of reimbursement models", {D}, 15),  # 30 Apr -> 15 May
    ("modified", "The riskiest 15%", "The riskiest 15%", {D}, 91),  # 31 Mar -> 30 Jun (Q2 2022)
    ("modified", "The future strategy for cyber security", "The cyber security strategy for health", {W}, 0),
    ("modified", "PODAC care staff will have streamlined", "PODAC care staff will have streamlined", {D}, None),  # -> TBC
    ("modified", "All relevant NHS organisations have initiated", "All relevant NHS organisations have initiated", {D}, 365),  # -> 2024/25
    ("modified", "Embedded digital learning content", "Digital learning content embedded", {W, N}, 0),
    ("modified", "Established sustainable supply models", "Sustainable supply models established", {W, N}, 0),
    ("modified", "Alpha research and design work completed.", "Alpha research and design work completed.", {R, S, D}, 365),
    ("modified", "Nationally, digital safety assurance", "Nationally, digital safety assurance", {D}, -90),  # 31 Mar 23 -> 31 Dec 22
    ("modified", "Cloud community of practice established", "A cloud community of practice has been", {D, W}, 90),
    ("modified", "Cloud strategy for NHS published.", "Cloud strategy for NHS published.", {D}, 334),  # 31 Jan -> 31 Dec (late 2022)
    ("modified", "Cloud procurement framework published.", "Cloud procurement framework published.", {D}, 91),  # from June 2022
    ("modified", "A dashboard showing urgent and emergency", "A dashboard showing urgent and emergency", {P}, 0),
    ("added", None, "Cloud security good practice guide", set(), None),
    ("added", None, "AI ethics - Guidance on the ethical use", set(), None),
    ("removed", "Three-year digital roadmap for each of the PODAC", None, set(), None),
    ("removed", "Internet facing services policy published", None, set(), None),
]

# v2 -> v3, from versions.v3_text.
PATHOLOGY = ["Pathology specifications successfully tested", "Blood sciences and pathology bounded code list",
             "Pathology Test and Results published", "Pathology test and results standard included",
             "Implementation and compliance with pathology"]
EXPECTED_V3 = [
    ("modified", "The riskiest 15%", "The riskiest 15%", {D}, 184),  # 30 Jun -> 31 Dec (Q4 2022)
    ("modified", "A prototype of the Digital Backlog Tool", "A prototype of the Digital Backlog Tool", {C, S}, 0),
    ("modified", "PODAC care staff will have streamlined", "PODAC care staff will have streamlined", {D}, None),  # TBC ->
    ("removed", "Cloud security good practice guide", None, set(), None),
] + [("modified", key, key, {P}, 0) for key in PATHOLOGY]


def pair(rows, old, new):
    return [r for r in rows if (r.from_doc_id, r.to_doc_id) == (old.removesuffix(".txt"), new.removesuffix(".txt"))]


def test_the_versions_extract_cleanly():
    for name, got in extracted().items():
        assert [q.code for q in got.tables["quality"]] == ["status_misspelt"], name
    counts = {n: (len(g.tables["milestones"]), len(g.tables["programmes"])) for n, g in extracted().items()}
    assert counts == {V1: (219, 46), V2: (219, 46), V3: (218, 45)}


def test_plan_compared_with_itself_is_unchanged(plan):
    v = versions_of(plan.tables["documents"], plan.tables["milestones"], plan.tables["programmes"])
    [same] = v.values()
    result = compare_versions(same, same)
    assert len(result.milestone_changes) == 219
    assert Counter(r.change for r in result.milestone_changes) == {"unchanged": 219}
    assert not any(getattr(r, f) for r in result.milestone_changes for f in FLAGS)
    assert all(r.from_milestone_id == r.to_milestone_id and r.similarity == 1.0 and r.slip_days in (0, None)
               and r.rule_id == "diff.match.exact" for r in result.milestone_changes)
    assert Counter(r.change for r in result.programme_changes) == {"unchanged": 46}
    assert result.findings == []


def test_republished_copy_is_unchanged(plan_text):
    """The same plan under a later date and file name: a two-version series, every row unchanged."""
    later = plan_text.replace("Published 1 December 2021", "Published 1 March 2022")
    a, b = extract_text(plan_text, name=V1), extract_text(later, name="copy-2022-03-01.txt")
    t = {k: a.tables[k] + b.tables[k] for k in ("documents", "milestones", "programmes")}
    mc, pc, q = compare_series(t["documents"], t["milestones"], t["programmes"])
    assert Counter(r.change for r in mc) == {"unchanged": 219}
    assert {(r.from_doc_id, r.to_doc_id) for r in mc} == {("nhsx-delivery-plan-2021-12-01", "copy-2022-03-01")}
    assert Counter(r.change for r in pc) == {"unchanged": 46} and q == []


def test_v1_to_v2_finds_exactly_the_edits(series):
    mc, pc, q = series
    rows = pair(mc, V1, V2)
    check_exactly(rows, EXPECTED_V2)
    assert Counter(r.change for r in rows) == {"unchanged": 197, "modified": 20, "added": 2, "removed": 2}
    # the renamed programme's other milestones are unchanged, flagged as renamed
    renamed = [r for r in rows if r.is_programme_renamed]
    assert len(renamed) == 9 and {r.from_programme for r in renamed} == {"Digital readiness"}
    assert {r.to_programme for r in renamed} == {"Digital skills and readiness"}
    assert Counter(r.change for r in renamed) == {"unchanged": 7, "modified": 2}
    assert not [x for x in q if x.doc_id == "nhsx-delivery-plan-2022-04-01"]


def test_v2_to_v3_finds_exactly_the_edits(series):
    mc, _, _ = series
    rows = pair(mc, V2, V3)
    check_exactly(rows, EXPECTED_V3)
    assert Counter(r.change for r in rows) == {"unchanged": 210, "modified": 8, "removed": 1}
    moved = [r for r in rows if r.is_programme_changed]
    assert {(r.from_programme, r.to_programme) for r in moved} == {("Pathology standards", "Standards and interoperability")}


def test_due_dates_and_ids_on_both_sides(series):
    mc, _, _ = series
    descriptions = {r.to_description: r for r in pair(mc, V1, V2) if r.to_description}
    rows = {key: descriptions[one(descriptions, key)] for key in (
        "A prototype of the Digital Backlog Tool", "PODAC care staff will have streamlined", "Cloud procurement framework",
        "Prioritisation and the identification", "Digital learning content embedded", "A dashboard showing urgent")}
    r = rows["A prototype of the Digital Backlog Tool"]
    assert (r.from_date_text, r.to_date_text) == ("December 2021", "Q1 2022/23")
    assert (r.from_due_start, r.from_due_end, r.to_due_start, r.to_due_end) == (
        date(2021, 12, 1), date(2021, 12, 31), date(2022, 4, 1), date(2022, 6, 30))
    assert r.from_milestone_id == r.to_milestone_id == "who-pays-for-what-557c25bc10"
    r = rows["PODAC care staff will have streamlined"]
    assert (r.from_due_end, r.to_due_end, r.to_date_text) == (date(2022, 9, 30), None, "TBC")
    r = rows["Cloud procurement framework"]
    assert (r.to_due_start, r.to_due_end) == (date(2022, 6, 1), date(2022, 6, 30))
    r = rows["Prioritisation and the identification"]
    assert (r.from_status, r.to_status) == ("planned", "complete")
    r = rows["Digital learning content embedded"]
    assert r.from_milestone_id.startswith("digital-readiness-") and r.to_milestone_id.startswith("digital-skills-and-readiness-")
    assert r.rule_id == "diff.match.similar" and r.similarity == 1.0  # the same words, reordered
    r = rows["A dashboard showing urgent"]
    assert (r.from_programme_id, r.to_programme_id) == ("burden-reduction", "digital-in-urgent-and-emergency-care")
    reworded = {r.to_description[:30]: r.similarity for r in pair(mc, V1, V2) if r.is_reworded}
    assert all(0.6 < s <= 1 for s in reworded.values()), reworded


def test_programme_changes(series):
    _, pc, _ = series
    v2 = pair(pc, V1, V2)
    assert Counter(r.change for r in v2) == {"unchanged": 44, "renamed": 2}
    assert {(r.from_programme, r.to_programme) for r in v2 if r.change == "renamed"} == {
        ("Digital readiness", "Digital skills and readiness"),
        ("Commercial function", "Digital procurement and vendor management")}
    readiness = next(r for r in v2 if r.from_programme == "Digital readiness")
    assert (readiness.from_n_milestones, readiness.to_n_milestones, readiness.n_milestones_kept) == (9, 9, 9)
    commercial = next(r for r in v2 if r.from_programme == "Commercial function")
    assert (commercial.from_n_milestones, commercial.n_milestones_kept) == (0, 0)  # matched on its text
    burden = next(r for r in v2 if r.from_programme == "Burden reduction")
    assert (burden.change, burden.from_n_milestones, burden.to_n_milestones, burden.n_milestones_kept) == ("unchanged", 4, 3, 3)
    v3 = pair(pc, V2, V3)
    assert Counter(r.change for r in v3) == {"unchanged": 45, "removed": 1}
    [gone] = [r for r in v3 if r.change == "removed"]
    assert (gone.from_programme, gone.to_programme_id, gone.merged_into_programme) == (
        "Pathology standards", None, "Standards and interoperability")
    assert gone.doc_id == "nhsx-delivery-plan-2022-04-01" and gone.programme == "Pathology standards"


def test_series_pairs_and_a_milestone_that_slipped_twice(series):
    mc, pc, q = series
    assert sorted({(r.from_doc_id, r.to_doc_id) for r in mc}) == [
        ("nhsx-delivery-plan-2021-12-01", "nhsx-delivery-plan-2022-04-01"),
        ("nhsx-delivery-plan-2022-04-01", "nhsx-delivery-plan-2022-08-01")]
    assert {r.plan_id for r in mc} == {"nhsx-delivery-plan"}
    # follow each milestone from pair to pair and count its slips
    nxt = {(r.from_doc_id, r.from_milestone_id): r for r in mc if r.from_milestone_id and r.to_milestone_id}
    starts = [r for r in mc if r.from_doc_id == "nhsx-delivery-plan-2021-12-01" and r.to_milestone_id and r.from_milestone_id]
    twice = []
    for r in starts:
        slips, here = [], r
        while here is not None:
            if here.slip_days and here.slip_days > 0:
                slips.append(here.slip_days)
            here = nxt.get((here.to_doc_id, here.to_milestone_id))
        if len(slips) > 1:
            twice.append((r.from_description[:30], slips))
    assert twice == [("The riskiest 15% have received", [91, 184])]
    assert q == []


def test_deterministic(series):
    ex = extracted()
    rows = {k: [r for n in (V1, V2, V3) for r in ex[n].tables[k]] for k in ("documents", "milestones", "programmes")}
    again = compare_series(rows["documents"], rows["milestones"], rows["programmes"])
    key = lambda r: (r.from_doc_id, r.change_id)  # noqa: E731
    assert sorted(again[0], key=key) == sorted(series[0], key=key)
    assert sorted(again[1], key=key) == sorted(series[1], key=key)


def test_change_ids_are_unique_and_generic_span_is_the_existing_side(series):
    mc, pc, _ = series
    for rows in (mc, pc):
        keys = [(r.from_doc_id, r.to_doc_id, r.change_id) for r in rows]
        assert len(keys) == len(set(keys))
    for r in mc:
        side = "from" if r.change == "removed" else "to"
        assert r.doc_id == getattr(r, f"{side}_doc_id")
        assert (r.char_start, r.char_end, r.line_start, r.line_end, r.paragraph_ids) == tuple(
            getattr(r, f"{side}_{c}") for c in ("char_start", "char_end", "line_start", "line_end", "paragraph_ids"))
        assert r.description == getattr(r, f"{side}_description")


def test_texts_are_built_from_the_plan():
    t = texts()
    assert t[V1] == PLAN.read_text(encoding="utf-8")
    assert "Published 1 April 2022" in t[V2] and "Published 1 August 2022" in t[V3]


@pytest.mark.parametrize("title,plan_id", [
    ("NHSX Delivery Plan", "nhsx-delivery-plan"),
    ("NHSX Delivery Plan 2022", "nhsx-delivery-plan"),
    ("NHSX Delivery Plan: March 2022 update", "nhsx-delivery-plan"),
    ("NHSX Delivery Plan (updated)", "nhsx-delivery-plan"),
    ("NHSX delivery plan - version 2", "nhsx-delivery-plan"),
    ("Digital Delivery Plan 2022 to 2025", "digital-delivery-plan"),
    ("Data Saves Lives", "data-saves-lives"),
    ("2022", "2022"),
])
def test_plan_id_ignores_the_edition(title, plan_id):
    from pipeline.series import plan_key

    assert plan_key(title) == plan_id


def edit_lines(text: str, edits: dict[int, str]) -> str:
    """Return `text` with 1-based lines replaced (line numbers of the plan, which the edits keep)."""
    lines = text.split("\n")
    for n, new in edits.items():
        lines[n - 1] = new
    return "\n".join(lines)


def test_status_written_another_way_and_case_only_renames(plan, plan_text):
    """Completion before the date, a status with no date, a target completed, a programme renamed only in case."""
    assert plan_text.split("\n")[232] == "Date: December 2021" and plan_text.split("\n")[237] == "Date: January 2022"
    later = edit_lines(plan_text.replace("Published 1 December 2021", "Published 1 June 2022"), {
        233: "Date: Completed December 2021",
        238: "Date: Complete",
        829: "70 trust boards by April 2022 (complete)",  # a partial milestone stays partial
        448: "GP IT Futures",
        815: "All regions by April 2022\n\nAll ICSs by April 2023",  # a planned target added: dates, not status
    })
    b = extract_text(later, name="plan-2022-06-01.txt")
    t = {k: plan.tables[k] + b.tables[k] for k in ("documents", "milestones", "programmes")}
    mc, pc, _ = compare_series(t["documents"], t["milestones"], t["programmes"])
    changed = {r.from_line_start: r for r in mc if r.change != "unchanged"}
    by_date_line = {r.from_line_end: r for r in changed.values()}
    completed, no_date, target = by_date_line[233], by_date_line[238], by_date_line[831]
    assert (completed.is_completed_now, completed.is_date_changed, completed.slip_days) == (True, False, 0)
    assert (no_date.is_completed_now, no_date.is_date_changed, no_date.slip_days) == (True, False, None)
    assert (target.from_status, target.to_status) == ("partial", "partial")
    assert (target.is_status_changed, target.is_date_changed, target.is_completed_now) == (True, False, False)
    added = by_date_line[815]
    assert (added.is_status_changed, added.is_date_changed, added.to_status) == (False, True, "partial")
    assert len(changed) == 4
    assert not any(r.is_programme_renamed for r in mc)
    assert Counter(r.change for r in pc) == {"unchanged": 46}
