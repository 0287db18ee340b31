"""The fast paths of the warm path give what the plain definitions give.

Each shortcut taken for speed (anchor scan, window tokens, subject offsets, column-wise
contract checks) is compared here with the straightforward way of computing the same
thing, on tricky inputs, so that a later change cannot make them drift apart.
"""
from __future__ import annotations

import random
import re

import pytest

from pipeline.mentions.nlp import CASE_SHIFTS, TOKEN_RE, matchers, trie_branches


def reference_anchors(m, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Anchors by the plain definition: one scan for any digit run or anchor word, then drop those inside a word."""
    words = sorted(m.temporal_words | m.quantity_words)
    scan = re.compile("|".join([r"[0-9]\d*"] + trie_branches(words)), re.IGNORECASE)
    t_digits = m.rules.classes[m.rules.windows.temporal.digits]
    q_digits = m.rules.classes[m.rules.windows.quantity.digits]
    temporal, quantity = [], []
    for mt in scan.finditer(text.lower() if len(text.lower()) == len(text) else text):
        a, b = mt.span()
        w = mt.group().lower()
        if (a and text[a - 1].isalpha()) or (not w[0].isdigit() and b < len(text) and text[b].isalpha()):
            continue
        t_class, q_class = (t_digits, q_digits) if w[0].isdigit() else (m.temporal_words, m.quantity_words)
        if w in t_class:
            temporal.append((a, b))
        if w in q_class:
            quantity.append((a, b))
    return temporal, quantity


ANCHOR_CASES = [
    # text, temporal anchors, quantity anchors
    ("By March 2022, someone often met the mayor.", [(3, 8), (9, 13)], [(9, 13)]),  # 'one', 'ten', 'may' inside words
    ("Q3 2021 and A2021 and ٣2021", [(0, 1), (3, 7), (23, 27)], [(3, 7), (23, 27)]),  # '3' after Q, 2021 after A
    ("three-fold, q² and 2021q", [(12, 13), (19, 23), (23, 24)], [(0, 5), (19, 23)]),  # '²' is not a letter
    ("MARCH İstanbul 5 years", [(0, 5), (17, 22)], [(15, 16)]),  # lower-casing 'İ' changes the length
]


@pytest.mark.parametrize("text, temporal, quantity", ANCHOR_CASES)
def test_anchors(text, temporal, quantity):
    m = matchers()
    assert m.anchors(text) == (temporal, quantity) == reference_anchors(m, text)


def test_case_shifts_are_those_of_the_unicode_data():
    """The byte scan of anchor words holds only for a text without CASE_SHIFTS: these must be every character
    that is not ASCII and whose lower case is longer, or is ASCII."""
    shifts = [c for c in map(chr, range(0x80, 0x110000))
              if (low := c.lower()) != c and (len(low) != 1 or low.isascii())]
    assert shifts == list(CASE_SHIFTS)


@pytest.mark.parametrize("text", ["by march 2022 or the Kelvin-sign ＫMARCH", "İMARCH 2021", "MARCH? 2021¿may",
                                  "mAy\u212a", "été May-2021"])
def test_byte_and_regex_word_scans_agree(text):
    m = matchers()
    assert m.word_bytes is not None
    found = sorted(m.digit_anchors(text, text.encode("ascii", "replace")) + m.scanned_words(text))
    assert m.anchors(text) == ([(a, b) for a, b, k in found if k & 1], [(a, b) for a, b, k in found if k & 2])
    if not any(ch in text for ch in CASE_SHIFTS):
        assert m.word_anchors(text, text.encode("ascii", "replace")) == m.scanned_words(text)


def test_anchors_match_the_plain_definition_on_random_text(plan_text):
    m = matchers()
    assert m.anchors(plan_text) == reference_anchors(m, plan_text)
    words = sorted(m.temporal_words | m.quantity_words)
    pieces = words + [w.upper() for w in words] + ["2021", "3", "٣", "²", "é", "İ", "ſ", "K", "x", "-", " ", "\n", "ß",
                                                   "some", "often", "Q", "_", "ж", "\u00a0"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "-", "1"]) for _ in range(rng.randint(1, 10)))
        assert m.anchors(text) == reference_anchors(m, text), text


@pytest.mark.parametrize("text", ["Up 1,000,0000 to 3.5% (v1.2.3) by £140m.", "a_b  c\t2021.", "x", "٣2 ²x ½"])
def test_window_tokens_are_the_token_regex_tokens(text):
    m = matchers()
    wd = m.window_doc(text, [(0, len(text))], [(0, 1)], 0, len(text))
    tokens = [mt.span() for mt in TOKEN_RE.finditer(text)]
    assert wd.words == [text[a:b] for a, b in tokens] + ["\n"]
    assert list(zip(wd.starts, wd.ends))[:-1] == tokens
    assert wd.spaces[:-1] == [tokens[k + 1][0] > tokens[k][1] for k in range(len(tokens) - 1)] + [True]
    assert [t.text for t in wd.doc] == wd.words


@pytest.mark.parametrize("text, pos, after_of, expected", [
    ("300 new GP practices were opened", 3, False, "new GP practices"),
    ("40% of the trust boards  agreed", 3, True, "trust boards"),
    ("12 proof  of concept projects", 2, False, "proof  of concept projects"),
    ("5 of them", 1, True, None),
])
def test_subject_offsets(text, pos, after_of, expected):
    from pipeline.mentions.quantities import QuantityReader

    span = QuantityReader(matchers()).subject(text, pos, len(text), after_of)
    assert (text[span[0]:span[1]] if span else None) == expected


def test_column_wise_span_checks_agree_with_the_row_checks(plan, monkeypatch):
    """A sound table passes the column-wise checks; a broken one reports what the row-by-row checks report."""
    import pipeline.validate as validate
    from pipeline.batch import to_arrow

    tables = to_arrow(plan)
    assert validate.check_spans(tables) == []
    sound = [name for name in tables if "char_start" in tables[name].schema.names]
    assert validate._sound_spans(tables) >= set(sound) - {"quality"}  # quality's spans may be null: row by row

    rng = random.Random(3)
    reported = 0
    for _ in range(200):
        broken = dict(tables)
        name = rng.choice(sound)
        t = broken[name]
        column = rng.choice(["char_start", "char_end", "line_start", "line_end"])
        values = t.column(column).to_pylist()
        i = rng.randrange(len(values))
        if values[i] is None:
            continue
        values[i] += rng.choice([-1, 1, 10 ** 6])
        broken[name] = t.set_column(t.schema.get_field_index(column), t.schema.field(column), [values])
        found = validate.check_spans(broken)
        reported += bool(found)
        with monkeypatch.context() as patch:
            patch.setattr(validate, "_sound_spans", lambda *args: set())
            assert found == validate.check_spans(broken)
    assert reported > 150  # most shifts break a span; the few that do not (a line end moved within bounds) agree too


def test_a_document_leaves_no_reference_cycles(plan_bytes):
    """Extracting a document leaves nothing for the cyclic collector: its objects are freed as soon as the
    tables are, and no collector pause (12-22 ms on the plan, every few documents) lands in the warm path.
    A recursive closure in a stage (a cycle through its own cell) is what this catches."""
    import gc

    from pipeline.batch import extract_bytes

    assert extract_bytes("plan.txt", plan_bytes, allow_empty=False).error is None  # builds the rules and caches
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(2):
            assert extract_bytes("plan.txt", plan_bytes, allow_empty=False).error is None
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_an_outcome_carries_the_sha256_of_its_bytes(plan_bytes):
    """extract_bytes takes the hash from the documents row (the loader's) rather than hashing the bytes again:
    it is still the SHA-256 of the bytes it was given, for extracted and rejected input alike."""
    import hashlib

    from pipeline.batch import extract_bytes

    for data in (plan_bytes, plan_bytes.replace(b"Date:", b"Dated:"), b"   \n"):
        outcome = extract_bytes("plan.txt", data, allow_empty=False)
        assert outcome.sha256 == hashlib.sha256(data).hexdigest()
    assert extract_bytes("plan.txt", b"   \n", allow_empty=False).error is not None
