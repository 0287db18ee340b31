"""Issue 4: the mention rules are data, validated strictly; compiling them to lexeme flags changes nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.rules import RULES_DIR, RuleError


def test_flags_are_only_an_optimisation(plan_bytes):
    """Every pattern compiled without lexeme flags (plain spaCy REGEX / IN tests) finds exactly the same matches."""
    from spacy.matcher import Matcher

    from conftest import PLAN
    from pipeline.load import load_document
    from pipeline.mentions.nlp import _FlagBank, compile_pattern, matchers
    from pipeline.segment import segment

    doc = load_document(PLAN.name, plan_bytes)
    seg = segment(doc)
    m = matchers()
    spans = [(p.char_start, p.char_end) for p in seg.paragraphs]
    t_anchors, q_anchors = m.anchors(doc.text)
    unflagged = _FlagBank(m.nlp.vocab, m.rules.classes)
    w = m.rules.windows
    for rules, fast, anchors, win in ((m.rules.temporal, m.temporal, t_anchors, w.temporal),
                                      (m.rules.quantity, m.quantity, q_anchors, w.quantity)):
        wd = m.window_doc(doc.text, spans, anchors, win.before, win.after)
        slow = Matcher(m.nlp.vocab)  # validates the compiled patterns against spaCy's schema
        for r in rules:
            slow.add(r.id, [compile_pattern(r.pattern, unflagged)])
        found = sorted(fast(wd.doc))
        assert found and found == sorted(slow(wd.doc))


def broken_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    with open(rules / "temporal.jsonl", "a", encoding="utf-8") as f:
        f.write('{"id": "temporal.year", "role": "expression", "pattern": [{"TEXT": {"REGEX": "@no_such_class"}}]}\n')
        f.write('{"id": "temporal.odd", "role": "quantity", "pattern": [{"LOWER": "x", "OP": "!!"}]}\n')
    text = (rules / "mentions.yaml").read_text(encoding="utf-8")
    text = text.replace("  ordinal_suffix: {words: [st, nd, rd, th]}",
                        "  ordinal_suffix: {words: [st, nd, rd, th], regex: '^x$'}\n  shapeless: {regex: '(unclosed'}")
    (rules / "mentions.yaml").write_text(text, encoding="utf-8")
    text = (rules / "quantities.yaml").read_text(encoding="utf-8")
    text = text.replace("  over: [percent, GBP,", "  over: [furlongs, GBP,").replace("  suffixes: [s]\n",
                                                                                      "  suffixes: [s, zz]\n")
    (rules / "quantities.yaml").write_text(text, encoding="utf-8")
    return rules


def test_bad_rules_are_reported_together(tmp_path):
    from pipeline.mentions.rules import load_mention_rules

    with pytest.raises(RuleError) as err:
        load_mention_rules(broken_rules(tmp_path))
    problems = "\n".join(err.value.problems)
    assert "classes.ordinal_suffix" in problems and "exactly one of" in problems
    assert "furlongs" in problems
    assert "plural_numbers.suffixes: 'zz' is no duration abbreviation" in problems
    # Schema problems stop the load before patterns are read; fix them and the pattern problems show, all together.
    rules = tmp_path / "rules"
    text = (rules / "mentions.yaml").read_text(encoding="utf-8").replace(", regex: '^x$'}", "}")
    (rules / "mentions.yaml").write_text(text, encoding="utf-8")
    text = (rules / "quantities.yaml").read_text(encoding="utf-8").replace("furlongs", "percent").replace("[s, zz]",
                                                                                                     "[s]")
    (rules / "quantities.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_mention_rules(rules)
    problems = "\n".join(err.value.problems)
    assert "duplicate rule id 'temporal.year'" in problems
    assert "unknown class @no_such_class" in problems
    assert "temporal.odd: role 'quantity'" in problems
    assert "classes.shapeless: bad regex" in problems
    assert "temporal.odd" in problems and "OP" in problems


def test_cli_help_does_not_import_spacy():
    import subprocess
    import sys

    code = "import sys, pipeline.cli, pipeline.run, pipeline.mentions; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_token_test_has_a_flag():
    """The rules fit the 45 lexeme flags, so no pattern falls back to a Python predicate per token."""
    from pipeline.mentions.nlp import _FlagBank, matchers

    m = matchers()
    tests = {k for r in m.rules.temporal + m.rules.quantity for k in _FlagBank.tests(r.pattern)}
    compiled = [t for matcher_rules in (m.rules.temporal, m.rules.quantity) for t in matcher_rules]
    assert tests and all(k in m.bank.by_key for k in tests), sorted(map(repr, tests - set(m.bank.by_key)))
    assert compiled
