"""The mentions stage's shortcuts give what the plain way gives: the window tokenizer, and window Docs
that leave out the words no match may contain (pipeline/mentions/live_words.py)."""
from __future__ import annotations

import random

import pytest

from pipeline.mentions.live_words import LiveWords, word_tests
from pipeline.mentions.nlp import TOKEN_RE, WindowTokenizer, matchers


@pytest.mark.parametrize("text", ["By the  end of Q3, 2021/22: £1,000.5m\n(v1.2.3)", "  x", "",
                                  "٣2 ²x ½ İstanbul"])
def test_the_pipeline_tokenizes_like_the_windows(text):
    m = matchers()
    assert isinstance(m.nlp.tokenizer, WindowTokenizer)
    doc = m.nlp(text)
    tokens = [mt.span() for mt in TOKEN_RE.finditer(text)]
    assert [t.text for t in doc] == [text[a:b] for a, b in tokens]
    assert [bool(t.whitespace_) for t in doc] == [b < len(text) and text[b].isspace() for _, b in tokens]


def test_phrase_patterns_are_window_tokens():
    m = matchers()
    assert [t.text for t in m.nlp.make_doc("by the end of")] == ["by", "the", "end", "of"]
    assert [t.text for t in m.nlp.make_doc("up-to")] == ["up", "-", "to"]


def test_word_tests_drop_what_is_not_the_words_own():
    pattern = [{"LOWER": "march", "SPACY": False}, {"TEXT": {"REGEX": "^\\d{4}$"}, "OP": "?"}, {"FLAG20": True}]
    assert word_tests([pattern]) == [{"LOWER": "march"}, {"TEXT": {"REGEX": "^\\d{4}$"}}, {"FLAG20": True}]
    assert word_tests([pattern, [{"POS": "NOUN"}]]) is None  # a tag is the token's, not the word's
    assert word_tests([[{"LOWER": "x", "OP": "!"}]]) is None  # a negated test stands for the words that fail it
    assert word_tests([[{"OP": "?"}]]) is None  # a wildcard


def test_live_words():
    m = matchers()
    live = LiveWords(m.nlp.vocab, [[{"LOWER": "march"}, {"TEXT": {"REGEX": "^\\d{4}$"}, "OP": "?"}]],
                     [m.nlp.make_doc("by the End of")])
    words = ["March", "2021", "digital", "THE", "end", "21", "march"]
    assert live(words) == [True, True, False, True, True, False, True]
    assert live(words) == [True, True, False, True, True, False, True]  # remembered, the same
    every = LiveWords(m.nlp.vocab, [[{"POS": "NOUN"}]], [])
    assert every(["digital", "x"]) == [True, True]


def test_words_are_left_out_only_where_a_separator_stops_matches_as_they_do():
    from pipeline.mentions.nlp import SEPARATOR, exact_pruning

    m = matchers()
    assert m.temporal_live is not None and m.quantity_live is not None
    assert m.temporal_live([SEPARATOR]) == m.quantity_live([SEPARATOR]) == [False]
    live = LiveWords(m.nlp.vocab, [[{"LOWER": "march"}, {"IS_DIGIT": False, "OP": "*"}]], [])
    assert live([SEPARATOR]) == [True] and exact_pruning(live) is None  # '\n' passes the second test
    live = LiveWords(m.nlp.vocab, [[{"LOWER": "march"}, {"IS_ALPHA": True, "OP": "*"}]], [])
    assert exact_pruning(live) is live


def _windows(m, text: str, live: bool):
    spans = [(0, len(text))]
    t_anchors, q_anchors = m.anchors(text)
    w = m.rules.windows
    return (m.window_doc(text, spans, t_anchors, w.temporal.before, w.temporal.after,
                         m.temporal_live if live else None),
            m.window_doc(text, spans, q_anchors, w.quantity.before, w.quantity.after,
                         m.quantity_live if live else None))


def _found(m, text: str, live: bool):
    twd, qwd = _windows(m, text, live)
    return (sorted((r.id, s, e) for r, s, e in m.matches(m.temporal, twd)), sorted(m.phrases(m.prefixes, twd)),
            sorted((r.id, s, e) for r, s, e in m.matches(m.quantity, qwd)), sorted(m.phrases(m.comparators, qwd)))


def test_windows_without_dead_words_find_what_the_whole_windows_find(plan_text):
    m = matchers()
    pruned, whole = _found(m, plan_text, True), _found(m, plan_text, False)
    assert all(pruned) and pruned == whole
    twd_pruned, _ = _windows(m, plan_text, True)
    twd_whole, _ = _windows(m, plan_text, False)
    assert twd_pruned.words == twd_whole.words and len(twd_pruned.doc) < 0.8 * len(twd_whole.doc)


def test_windows_without_dead_words_on_random_text(plan_text):
    m = matchers()
    words = sorted(set(plan_text.split()))
    rng = random.Random(11)
    rule_words = sorted(m.temporal_words | m.quantity_words) + ["by", "the", "end", "of", "more", "than", "to", "-",
                                                                 "2021", "3", "£5m", "40%", "1,000s", "NHS", "111"]
    for _ in range(200):
        text = " ".join(rng.choice(rule_words if rng.random() < 0.5 else words) for _ in range(rng.randint(1, 40)))
        assert _found(m, text, True) == _found(m, text, False), text


def test_the_reader_remembers_subjects_by_the_text_it_reads():
    from pipeline.mentions.quantities import QuantityReader

    reader = QuantityReader(matchers())
    text = "300 new GP practices were opened"
    assert reader.subject(text, 3, len(text), False) == (4, 20, True)
    assert reader.subject("So " + text, 6, len(text) + 3, False) == (7, 23, True)  # remembered, placed anew
    assert reader.subject(text, 3, 10, False) == (4, 10, False)  # the paragraph ends after 'new GP': other text
    assert len(reader.subjects) == 2


@pytest.mark.parametrize("text, after_of, expected", [
    (" of the all the further more other extra additional new GP practices were opened", True, "new GP practices"),
    (" further more other extra additional further more other a b c d e f g h", False, None),
    (" 2D cross-cutting trusts, (the boards) agreed", False, "2D cross-cutting trusts"),
    (" proof  of concept\u00a0projects", False, "proof  of concept\u00a0projects"),
])
def test_a_subject_is_read_from_the_first_pieces_or_all_the_words(text, after_of, expected):
    """QuantityReader reads a subject's words from the first white-space pieces of the text, and from all of it
    when many words are skipped before the subject."""
    from pipeline.mentions.quantities import QuantityReader

    span = QuantityReader(matchers()).subject(text, 0, len(text), after_of)
    assert (text[span[0]:span[1]] if span else None) == expected


def test_a_repeated_run_is_matched_once_and_found_in_order_everywhere(plan_text):
    """A window Doc holds each distinct run once; its matches are those (in the same order) of a Doc of every run."""
    from dataclasses import replace

    from pipeline.mentions.nlp import SEPARATOR
    from pipeline.mentions.temporal import candidates

    m = matchers()
    for wd, live, matcher, phrases in zip(_windows(m, plan_text, True), (m.temporal_live, m.quantity_live),
                                          (m.temporal, m.quantity), (m.prefixes, m.comparators)):
        kept = [k and w != SEPARATOR for w, k in zip(wd.words, live(wd.words))]
        doc, runs, distinct, first, at = m.run_doc(wd.words, wd.spaces, kept, distinct=False)
        every = replace(wd, doc=doc, runs=runs, distinct=distinct, first=first, at=at)
        assert len(wd.first) < len(first)  # the plan repeats runs
        assert m.matches(matcher, wd) == m.matches(matcher, every)
        assert m.phrases(phrases, wd) == m.phrases(phrases, every)
        if matcher is m.temporal:  # the candidates of a distinct run, placed at each occurrence
            assert [sorted(c) for c in candidates(m, wd)] == [sorted(c) for c in candidates(m, every)]


def _window_tokens_one_by_one(text: str, windows):
    """The plain way: each window tokenised on its own by TOKEN_RE, then a separator."""
    from pipeline.mentions.nlp import SEPARATOR

    out: tuple[list, ...] = ([], [], [], [], [], [])
    words, spaces, starts, ends, para, separators = out
    for a, b, pi in windows:
        found = list(TOKEN_RE.finditer(text, a, b))
        for k, mt in enumerate(found):
            words.append(mt.group())
            starts.append(mt.start())
            ends.append(mt.end())
            spaces.append(k == len(found) - 1 or mt.end() < found[k + 1].start())
            para.append(pi)
        separators.append(len(words))
        words.append(SEPARATOR)
        starts.append(b)
        ends.append(b)
        spaces.append(False)
        para.append(-1)
    return out


@pytest.mark.parametrize("text, windows", [
    ("12,345 and 1.5. Q3 2021/22 ", [(0, 6, 0), (7, 11, 0), (11, 16, 1), (16, 27, 1)]),  # touching, trailing gap
    ("alpha beta 2021 gamma", [(0, 15, 0), (6, 21, 0), (21, 21, 0)]),  # overlapping, empty
    ("x\x00y 12\x00,345", [(0, 11, 0)]),  # the text has the first mark
    ("  ", [(0, 2, 3)]),
])
def test_window_tokens_are_each_windows_own(text, windows):
    from pipeline.mentions.nlp import window_tokens

    assert window_tokens(text, windows) == _window_tokens_one_by_one(text, windows)


def test_window_tokens_of_the_plan(plan_text):
    from pipeline.mentions.nlp import window_tokens

    m = matchers()
    spans = [(0, len(plan_text))]
    w = m.rules.windows
    for anchors, window in zip(m.anchors(plan_text), (w.temporal, w.quantity)):
        windows = m.window_spans(plan_text, spans, anchors, window.before, window.after)
        assert window_tokens(plan_text, windows) == _window_tokens_one_by_one(plan_text, windows)


def test_anchor_reach():
    from pipeline.mentions.live_words import anchor_reach

    per_cent = [{"FLAG20": True}, {"FLAG21": True, "OP": "*"}, {"LOWER": "per"}, {"LOWER": "cent"}]
    assert anchor_reach([per_cent]) == (["FLAG20", "FLAG21"], 2)  # 'cent' is two tokens from the number at most
    name = [{"IS_ALPHA": True}, {"IS_TITLE": True, "FLAG22": False}, {"FLAG23": True}]
    assert anchor_reach([per_cent, name]) == (["FLAG20", "FLAG21", "FLAG23"], 2)
    assert anchor_reach([[{"LOWER": "x"}, {"FLAG20": True, "OP": "?"}]]) is None  # no anchor every match has
    assert anchor_reach([[{"FLAG20": True}, {"IS_ALPHA": True, "OP": "*"}]]) is None  # a match may run on


def test_words_out_of_reach_are_left_out(plan_text):
    """Quantity windows leave out live words out of reach of an anchor (the matches stay those of the whole
    windows: test_windows_without_dead_words_find_what_the_whole_windows_find)."""
    m = matchers()
    wd = _windows(m, plan_text, True)[1]
    live = m.quantity_live
    kept = live.kept(wd.words)
    assert sum(kept) < sum(live(wd.words))
    reach = live.reach
    try:
        live.reach = None
        assert len(m.window_doc(plan_text, [(0, len(plan_text))], m.anchors(plan_text)[1], m.rules.windows.quantity.before,
                                m.rules.windows.quantity.after, live).doc) > len(wd.doc)
    finally:
        live.reach = reach


def test_a_word_stands_in_for_the_words_that_pass_the_same_tests():
    m = matchers()
    live = LiveWords(m.nlp.vocab, [[{"LOWER": "march"}, {"TEXT": {"REGEX": "^\\d{4}$"}, "OP": "?"}]],
                     [m.nlp.make_doc("by the End of")])
    words = ["2021", "March", "1999", "march", "21", "x", "by", "By", "digital"]
    assert live(words) == [True, True, True, True, False, False, True, True, False]
    strings = m.nlp.vocab.strings
    assert [strings[o] for o in live.stand_ins(words)] == ["2021", "March", "2021", "March", "21", "21", "by", "By", "21"]
    every = LiveWords(m.nlp.vocab, [[{"POS": "NOUN"}]], [])
    every(["a", "b"])
    assert [strings[o] for o in every.stand_ins(["a", "b"])] == ["a", "b"]  # a test that is not the word's own: no stand-ins


def test_a_one_token_candidate_reads_alike_whatever_follows_it(plan_text):
    """QuantityReader.read_at remembers a one-token candidate's reading by its word alone: read gives the same
    reading whatever the word's trailing-space flag and the word after it; but for a fraction word that is a
    share alone ("half of trusts", not "half an hour"), which read_at remembers with the word after it."""
    from pipeline.mentions.quantities import QuantityReader

    m = matchers()
    reader = QuantityReader(m)
    rules = m.rules.vocab
    followers = ["", "of", "more", "s", "%", "-", "per", "cent", "million", "m", "quarters", "times", "years",
                 *rules.plural_numbers.followers, *rules.fractions.followers]
    words = sorted({mt.group() for mt in TOKEN_RE.finditer(plan_text)})
    words += ["1,000s", "3", "one", "twice", "£", "a", "half", "third", "1m", "0", "001", "2.5", "three"]
    for w in words:
        if w.lower() in reader.alone:
            continue
        readings = {reader.read([w], [space], follower) for space in (True, False) for follower in followers}
        assert len(readings) == 1, (w, readings)
        assert reader.read_at([w, "of"], [False, True], 0, 1) == readings.pop()
    for w in ["half", "Half"]:
        assert reader.read_at([w, "of"], [True, True], 0, 1).value == 0.5
        assert reader.read_at([w, "an"], [True, True], 0, 1) is None
        assert reader.read_at([w, "of"], [True, True], 0, 1).value == 0.5


def test_the_quantity_rules_split_by_role_find_what_all_of_them_find(plan_text):
    """find_quantities matches the traps on the quantity Doc and the amounts on a Doc of their own words (of the
    same windows): together they find what every quantity rule finds on the whole windows, and the amounts' Doc
    is the smaller."""
    m = matchers()
    spans = [(0, len(plan_text))]
    w = m.rules.windows.quantity
    anchors = m.anchors(plan_text)[1]
    qwd, awd = m.window_docs(plan_text, spans, anchors, w.before, w.after, [m.quantity_live, m.amount_live])
    whole = m.window_doc(plan_text, spans, anchors, w.before, w.after)
    assert qwd.words is awd.words and len(awd.doc) * 3 < len(qwd.doc)
    split = m.matches(m.traps, qwd) + m.matches(m.amounts, awd)
    assert {r.role for r, _, _ in m.matches(m.traps, qwd)} == {"trap"}
    assert {r.role for r, _, _ in m.matches(m.amounts, awd)} == {"quantity"}
    assert sorted((r.id, s, e) for r, s, e in split) == sorted((r.id, s, e) for r, s, e in m.matches(m.quantity, whole))


def test_a_reading_is_built_as_the_dataclass_would_build_it():
    """Reading's own __init__ (one update of the instance dict) takes the fields in order, with their defaults,
    and the reading stays frozen."""
    import dataclasses
    import inspect

    from pipeline.mentions.quantities import Reading

    params = list(inspect.signature(Reading.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in params] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(Reading)]
    r = Reading(3.0, "count", None, (0, 1), True, False, False, False)
    assert dataclasses.replace(r, is_bare=False) == Reading(3.0, "count", None, (0, 1), False, False, False, False)
    assert hash(r) == hash(Reading(3.0, "count", None, (0, 1), True, False, False, False))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 4.0  # type: ignore[misc]


def test_an_expression_is_built_as_the_dataclass_would_build_it():
    """Expression's own __init__ takes the fields in order, and the expression stays frozen."""
    import dataclasses
    import inspect

    from pipeline.mentions.temporal import Expression

    params = list(inspect.signature(Expression.__init__).parameters)[1:]
    assert params == [f.name for f in dataclasses.fields(Expression)]
    x = Expression(3, 9, 0, "temporal.month_year", None)
    assert dataclasses.replace(x, char_end=10) == Expression(3, 10, 0, "temporal.month_year", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        x.char_start = 4  # type: ignore[misc]


def test_expressions_chosen_per_run_are_those_chosen_all_at_once(plan_text, monkeypatch):
    """find_expressions chooses a recurring run's expressions once per distinct text; choosing every candidate of
    the document at once (its way when runs overlap) gives the same expressions, on the plan and on random text."""
    from datetime import date

    from pipeline.mentions import temporal

    m = matchers()
    words = sorted(set(plan_text.split()))
    rng = random.Random(5)
    rule_words = sorted(m.temporal_words) + ["by", "the", "end", "of", "from", "early", "March", "2022", "Q3", "."]
    texts = [plan_text] + [" ".join(rng.choice(rule_words if rng.random() < 0.6 else words)
                                    for _ in range(rng.randint(1, 60))) for _ in range(100)]
    for text in texts:
        twd, _ = _windows(m, text, True)
        per_run = temporal.find_expressions(m, text, twd, date(2021, 12, 1))
        with monkeypatch.context() as patch:
            patch.setattr(temporal, "run_spans", lambda wd, local: None)
            assert temporal.find_expressions(m, text, twd, date(2021, 12, 1)) == per_run, text[:200]
