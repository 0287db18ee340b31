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
    """A row whose span is off by one character is reported."""
    bad = plan.tables["milestones"][0].model_copy(update={"char_start": plan.tables["milestones"][0].char_start + 1})
    broken = type(plan)(plan.doc_id, {**plan.tables, "milestones": [bad]})
    assert len(span_problems(broken, only="milestones")) == 1
