"""Issue 4: precision and recall of temporal_expressions and quantities against hand labels (tests/labels/).

A prediction counts as found (span) when its text equals a label's text in the same paragraph, and as right
(value) when its values equal the label's too. The floors below are the measured figures: the test fails if
the extractor gets worse on the sample, and the sample's draw is re-checked so the labels stay a random sample.
"""
from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

LABELS = Path(__file__).resolve().parent / "labels" / "mentions_sample.jsonl"
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                "million|billion|zero|half|double\\w*|doubl\\w*|tripl\\w*|\\w*fold|dozen")
TIME_WORDS = ("january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|"
              "apr|jun|jul|aug|sep|sept|oct|nov|dec|spring|summer|autumn|winter|quarter|years?|months?|weeks?|days?|"
              "next|last|past|coming|previous|current|today|now|currently|early|late|later|mid")
DATE_RE = re.compile(rf"\d|\b(?:{TIME_WORDS})\b", re.I)
QTY_RE = re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.I)

# Measured on the samples (see the module docstring): (precision, recall) at span level and at value level.
FLOORS = {
    ("temporal", "dates"): {"span": (1.0, 1.0), "value": (1.0, 1.0)},
    ("quantities", "quantities"): {"span": (1.0, 1.0), "value": (1.0, 1.0)},
    # "During this year" (p0612) means the financial year named just before it; the rule anchors it to the
    # publication date (calendar 2021), as the issue asks: right span, wrong period (16/17 values right).
    ("temporal", "prose"): {"span": (1.0, 1.0), "value": (0.94, 0.94)},
    ("quantities", "prose"): {"span": (1.0, 1.0), "value": (1.0, 1.0)},
}


def labels():
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("//")]


def test_samples_are_the_seeded_draws(plan):
    paras = plan.tables["paragraphs"]
    dpop = [p.paragraph_id for p in paras if DATE_RE.search(p.text)]
    qpop = [p.paragraph_id for p in paras if QTY_RE.search(p.text)]
    ppop = [p.paragraph_id for p in paras if p.kind not in ("date_line", "target_line", "dates_header")
            and (DATE_RE.search(p.text) or QTY_RE.search(p.text))]
    draws = {("temporal", "dates"): random.Random(4001).sample(dpop, 60),
             ("quantities", "quantities"): random.Random(4002).sample(qpop, 60),
             ("temporal", "prose"): random.Random(4003).sample(ppop, 40),
             ("quantities", "prose"): random.Random(4003).sample(ppop, 40)}
    by_id = {p.paragraph_id: p for p in paras}
    for key, ids in draws.items():
        rows = [r for r in labels() if (r["task"], r["sample"]) == key]
        assert sorted(r["paragraph_id"] for r in rows) == sorted(ids), key
        for r in rows:
            assert by_id[r["paragraph_id"]].text.startswith(r["starts"]) and by_id[r["paragraph_id"]].line_start == r["line"]


def values(task: str, row) -> tuple:
    if task == "temporal":
        return (row.text, row.start_date, row.end_date)
    return (row.text, pytest.approx(row.value), row.unit)


def expected_values(task: str, label: dict) -> tuple:
    if task == "temporal":
        return (label["text"], date.fromisoformat(label["start_date"]), date.fromisoformat(label["end_date"]))
    return (label["text"], label["value"], label["unit"])


def score(plan, task: str, sample: str) -> dict:
    table = "temporal_expressions" if task == "temporal" else "quantities"
    counts = {"pred": 0, "gold": 0, "span": 0, "value": 0}
    errors = []
    for lab in (r for r in labels() if (r["task"], r["sample"]) == (task, sample)):
        pred = [r for r in plan.tables[table] if r.paragraph_id == lab["paragraph_id"]]
        gold = list(lab["expected"])
        counts["pred"] += len(pred)
        counts["gold"] += len(gold)
        for r in pred:
            match = next((g for g in gold if g["text"] == r.text), None)
            if match is None:
                errors.append(("false positive", lab["paragraph_id"], r.text))
                continue
            gold.remove(match)
            counts["span"] += 1
            if values(task, r) == expected_values(task, match):
                counts["value"] += 1
            else:
                errors.append(("wrong value", lab["paragraph_id"], r.text, values(task, r), expected_values(task, match)))
        errors.extend(("missed", lab["paragraph_id"], g["text"]) for g in gold)
    out = {}
    for level in ("span", "value"):
        p = counts[level] / counts["pred"] if counts["pred"] else 1.0
        r = counts[level] / counts["gold"] if counts["gold"] else 1.0
        out[level] = (p, r)
    return {"counts": counts, "scores": out, "errors": errors}


@pytest.mark.parametrize("task,sample", sorted(FLOORS))
def test_precision_and_recall(plan, task, sample):
    result = score(plan, task, sample)
    print(task, sample, result["counts"], result["scores"], result["errors"])
    for level, (p_floor, r_floor) in FLOORS[(task, sample)].items():
        p, r = result["scores"][level]
        assert p >= p_floor and r >= r_floor, (level, p, r, result["errors"])
