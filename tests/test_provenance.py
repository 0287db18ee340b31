"""The provenance invariant, for every row of every table of the plan."""
from __future__ import annotations

import pytest

from pipeline.models import table_models


def raw_lines(plan_text: str) -> list[str]:
    from pipeline.load import normalise

    return normalise(plan_text).split("\n")


@pytest.mark.parametrize("table", sorted(table_models()))
def test_every_row_spans_its_evidence(plan, plan_text, table):
    """documents.text[char_start:char_end] is the row's evidence, and the raw lines hold it."""
    meta = table_models()[table].table
    text = plan.tables["documents"][0].text
    lines = raw_lines(plan_text)
    rows = plan.tables.get(table, [])
    for row in rows:
        if row.char_start is None:
            assert meta.span_nullable, f"{table}: row without a span"
            continue
        span = text[row.char_start:row.char_end]
        assert 0 <= row.char_start < row.char_end <= len(text), row
        if meta.evidence:
            evidence = getattr(row, meta.evidence)
            if meta.evidence_mode == "equals":
                assert span == evidence, (table, row)
            else:
                assert span.startswith(evidence), (table, span[:80], evidence[:80])
        held = "\n".join(lines[row.line_start - 1:row.line_end])
        first_line = span.split("\n")[0]
        assert first_line in held, (table, row.line_start, first_line)
        assert span.split("\n")[-1] in held, (table, row.line_end)


def test_every_table_carries_doc_id(plan):
    for table, rows in plan.tables.items():
        for row in rows:
            assert row.doc_id == "nhsx-delivery-plan-2021-12-01", table
