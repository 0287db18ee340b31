"""The provenance invariant, for every row of every table of the plan."""
from __future__ import annotations

import pytest

from pipeline.load import normalise
from pipeline.models import table_models
from provenance_util import span_problems


@pytest.mark.parametrize("table", sorted(table_models()))
def test_every_row_spans_its_evidence(plan, plan_text, table):
    """documents.text[char_start:char_end] is the row's evidence, and the raw lines hold it."""
    assert span_problems(plan, normalise(plan_text).split("\n"), only=table) == []


def test_every_table_carries_doc_id(plan):
    for table, rows in plan.tables.items():
        for row in rows:
            assert row.doc_id == "nhsx-delivery-plan-2021-12-01", table


def test_the_check_can_fail(plan):
    """A row whose span is off by one character is reported; so is one that runs past its last paragraph."""
    first = plan.tables["milestones"][0]
    bad = first.model_copy(update={"char_start": first.char_start + 1})
    broken = type(plan)(plan.doc_id, {**plan.tables, "milestones": [bad]})
    assert span_problems(broken, only="milestones") == [
        "milestones: span: text[char_start:char_end] does not startswith description: rows 0"]
    bad = first.model_copy(update={"char_end": first.char_end + 2})
    broken = type(plan)(plan.doc_id, {**plan.tables, "milestones": [bad]})
    assert span_problems(broken, only="milestones") == [
        "milestones: span: span does not start in the first paragraph and end a line of the last: rows 0"]


def raw_lines(text: str) -> list[str]:
    return normalise(text).split("\n")


# -- change tables: both sides of every row, each against its own document (issue 7) --

CHANGE_SIDES = {"milestone_changes": "description", "programme_changes": "programme"}


def check_span(text: str, lines: list[str], span: tuple, evidence: str, mode: str, where) -> None:
    """Assert that text[char_start:char_end] is the evidence and raw lines line_start..line_end hold it."""
    char_start, char_end, line_start, line_end = span
    piece = text[char_start:char_end]
    assert 0 <= char_start < char_end <= len(text), where
    assert (piece == evidence) if mode == "equals" else piece.startswith(evidence), (where, piece[:80], evidence[:80])
    held = "\n".join(lines[line_start - 1:line_end])
    assert piece.split("\n")[0] in held and piece.split("\n")[-1] in held, (where, line_start, line_end)


@pytest.mark.parametrize("table", sorted(CHANGE_SIDES))
def test_change_rows_span_both_sides(table):
    """The generic span (doc_id) and the from_/to_ spans each point at their own version's text."""
    from pipeline.changes import compare_series
    from versions import extracted, texts

    ex = extracted()
    docs = {d.doc_id: d for e in ex.values() for d in e.tables["documents"]}
    raw = {name.removesuffix(".txt"): raw_lines(text) for name, text in texts().items()}
    rows = {k: [r for e in ex.values() for r in e.tables[k]] for k in ("documents", "milestones", "programmes")}
    mc, pc, _ = compare_series(rows["documents"], rows["milestones"], rows["programmes"])
    paragraphs = {e.doc_id: {p.paragraph_id: p for p in e.tables["paragraphs"]} for e in ex.values()}
    changes = {"milestone_changes": mc, "programme_changes": pc}[table]
    meta = table_models()[table].table
    assert meta.evidence == CHANGE_SIDES[table] and changes
    seen = set()
    for row in changes:
        check_span(docs[row.doc_id].text, raw[row.doc_id], (row.char_start, row.char_end, row.line_start, row.line_end),
                   getattr(row, meta.evidence), meta.evidence_mode, (table, row.change_id))
        for side in ("from", "to"):
            doc_id = getattr(row, f"{side}_doc_id")
            if getattr(row, f"{side}_char_start") is None:
                assert row.change == ("added" if side == "from" else "removed"), row
                continue
            span = tuple(getattr(row, f"{side}_{c}") for c in ("char_start", "char_end", "line_start", "line_end"))
            check_span(docs[doc_id].text, raw[doc_id], span, getattr(row, f"{side}_{meta.evidence}"),
                       meta.evidence_mode, (table, side, row.change_id))
            ids = getattr(row, f"{side}_paragraph_ids" if table == "milestone_changes" else f"{side}_paragraph_id")
            first = paragraphs[doc_id][ids[0] if isinstance(ids, list) else ids]
            assert first.char_start == span[0] and first.line_start == span[2], (table, side, row.change_id)
            seen.add((side, row.change))
    assert {("from", "removed"), ("to", "added"), ("from", "modified"), ("to", "modified")} <= seen or table == "programme_changes"
