"""The temporal rules matched by start group (pipeline/mentions/starts.py) find what one Matcher of them all finds."""
from __future__ import annotations

import random

from pipeline.mentions.nlp import matchers
from pipeline.mentions.starts import start_kind, start_tests


def _by_run(local):
    return [sorted((rule.id, s, e) for rule, s, e in run) for run in local]


def _temporal_doc(m, text):
    w = m.rules.windows.temporal
    return m.window_doc(text, [(0, len(text))], m.anchors(text)[0], w.before, w.after, m.temporal_live)


def test_start_tests_and_kinds():
    assert start_tests([{"LOWER": "a", "OP": "?"}, {"FLAG20": True, "SPACY": False}, {"LOWER": "b"}]) == \
        [{"LOWER": "a"}, {"FLAG20": True}]
    assert start_tests([{"LOWER": "a", "OP": "*"}]) is None  # no required position: a match may start anywhere
    assert start_tests([{"LOWER": "a", "OP": "!"}, {"LOWER": "b"}]) is None
    assert start_kind([{"TEXT": {"REGEX": "^\\d+$"}, "SPACY": False}, {"LOWER": "s"}]) == "shape"
    assert start_kind([{"LOWER": {"IN": "@month"}}, {"TEXT": {"REGEX": "^\\d+$"}}]) == "word"


def test_start_groups_find_what_the_temporal_matcher_finds(plan_text):
    m = matchers()
    assert m.temporal_starts is not None and len(m.temporal_starts.matchers) == 2
    wd = _temporal_doc(m, plan_text)
    grouped = _by_run(m.temporal_starts.in_runs(wd, m.rule_of))
    assert any(grouped) and grouped == _by_run(wd.in_runs(m.temporal, m.rule_of))
    rng = random.Random(7)
    words = sorted(set(plan_text.split()))
    rule_words = sorted(m.temporal_words) + ["by", "the", "end", "of", "to", "-", "/", ".", ",", "2021", "21", "3",
                                             "Q3", "FY", "H1", "1st", "1990s", "21/22", "2021-22", "1.4.2021"]
    for _ in range(300):
        text = " ".join(rng.choice(rule_words if rng.random() < 0.6 else words) for _ in range(rng.randint(1, 30)))
        wd = _temporal_doc(m, text)
        assert _by_run(m.temporal_starts.in_runs(wd, m.rule_of)) == _by_run(wd.in_runs(m.temporal, m.rule_of)), text
