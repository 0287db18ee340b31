"""The bench's synthetic plan versions (bench/synth.py): they extract, they differ, and they are deterministic."""
from __future__ import annotations

import sys

import pytest

from conftest import PLAN, ROOT, extract_text

sys.path.insert(0, str(ROOT))  # bench/ is a folder of the repo, not an installed package
from bench import synth  # noqa: E402


@pytest.fixture(scope="module")
def three():
    return list(synth.variants(3, seed=8))


def test_variants_are_deterministic(three):
    again = list(synth.variants(3, seed=8))
    assert [(v.name, v.text) for v in again] == [(v.name, v.text) for v in three]
    other_seed = list(synth.variants(3, seed=9))
    assert [v.text for v in other_seed] != [v.text for v in three]


def test_variants_differ_from_each_other_and_the_plan(three):
    base = PLAN.read_text(encoding="utf-8")
    texts = [v.text for v in three]
    assert len(set(texts)) == 3 and base not in texts
    assert len({v.name for v in three}) == 3
    assert len({v.published for v in three}) == 3


def test_variants_extract_with_the_plans_structure(plan, three):
    base_programmes = [p.programme for p in plan.tables["programmes"]]
    for v in three:
        tables = extract_text(v.text, name=v.name).tables
        [doc] = tables["documents"]
        assert doc.doc_id == v.name.removesuffix(".txt") and doc.published_date == v.published
        assert doc.title == plan.tables["documents"][0].title
        programmes = [p.programme for p in tables["programmes"]]
        assert sorted(programmes) == sorted(base_programmes)  # reordered, none lost or invented
        assert programmes != base_programmes
        assert len(tables["milestones"]) == len(plan.tables["milestones"])
        assert all(m.due_end is not None or m.is_tbc for m in tables["milestones"])
        codes = {q.code for q in tables["quality"]}
        assert codes <= {q.code for q in plan.tables["quality"]}, codes


def test_dates_shift_by_whole_months():
    assert synth.shift_dates("Date: November 2021 (complete)", 3) == "Date: February 2022 (complete)"
    assert synth.shift_dates("by Sept 2021, the 2021 to 2022 financial year", 12) == "by Sep 2022, the 2022 to 2023 financial year"
    assert synth.shift_dates("31 January 2022", 1) == "28 February 2022"
    assert synth.shift_dates("ISO 27001 and NHS 111", 24) == "ISO 27001 and NHS 111"
