"""Which words can lie inside a match: a window Doc holds only those, so the matchers test fewer tokens.

Every token of a Matcher match passes the token test of its pattern position, and every token of a
PhraseMatcher match is a word of a phrase. A word that passes no test of any pattern and is no phrase
word (most words of prose: "digital", "services") can be in no match, so the window Docs leave it out:
the words on either side of it become separate runs of the Doc, and a match is one run's.
The matchers' cost is per token of the Doc and per pattern; on the plan the temporal Doc has a third
fewer tokens.

A live word is left out too where it is out of reach: when every match has, within `reach` tokens of each
of its tokens, an anchor (a token that passes a lexeme-flag test at a position that no match skips, see
`anchor_reach`), a live word farther than that from every anchor is in no match either, unless a phrase
may contain it. Most of a quantity window's words are live (a trap pattern takes any word before a
title-case word and a number), and this leaves out a sixth of them on the plan.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

# Token attributes that are properties of the word itself (of the lexeme), so a one-word Doc tests them as
# any Doc does. OP (how often a token repeats) and SPACY (whether white space follows) are dropped: a test
# without them is weaker, so it keeps every word it would have kept with them.
LEXICAL = {"ORTH", "TEXT", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "IS_ALPHA", "IS_ASCII", "IS_DIGIT",
           "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE",
           "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL"}
DROPPED = {"OP", "SPACY"}
FLAG_RE = re.compile(r"^FLAG\d+$")


def word_tests(patterns: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    """Return the token tests of `patterns` as one-token patterns, or None when a test is not the word's own.

    None (every word may be in a match) when a token tests something of its place in the text (a POS tag,
    an extension attribute), or is negated (OP "!": it stands for tokens that fail the test).
    """
    tests = []
    for pattern in patterns:
        for token in pattern:
            if token.get("OP") == "!":
                return None
            test = {}
            for attr, value in token.items():
                name = attr.upper()
                if name in DROPPED:
                    continue
                if name not in LEXICAL and not FLAG_RE.match(name):
                    return None
                test[attr] = value
            if not test:
                return None  # a wildcard: every word passes
            tests.append(test)
    return tests


REPEATED = {"+", "*"}
REQUIRED = {None, "+"}


def anchor_reach(patterns: Iterable[list[dict[str, Any]]]) -> tuple[list[str], int] | None:
    """Return (anchor flags, reach): in every match of `patterns`, each token is at most `reach` tokens from one
    that passes the test {flag: True} of one of the anchor flags; None when the patterns give no such bound.

    A pattern's anchors are its positions that test a lexeme flag true; one of them must be required (no
    match skips it), and a repeated position must be an anchor (else a match could run on without one).
    A token is then at most one more token from a required anchor than there are positions between them that
    are not anchors (an anchor between them, if present, is nearer).
    """
    flags: set[str] = set()
    reach = 0
    for pattern in patterns:
        anchor = [any(FLAG_RE.match(a.upper()) and v is True for a, v in t.items()) for t in pattern]
        ops = [t.get("OP") for t in pattern]
        required = [k for k, (is_anchor, op) in enumerate(zip(anchor, ops)) if is_anchor and op in REQUIRED]
        if not required or any(op not in REQUIRED | {"?", "*"} for op in ops) \
                or any(op in REPEATED and not is_anchor for is_anchor, op in zip(anchor, ops)):
            return None
        for k in range(len(pattern)):
            if not anchor[k]:
                reach = max(reach, min(1 + sum(not a for a in anchor[min(k, r) + 1:max(k, r)]) for r in required))
        flags.update(a.upper() for t, is_anchor in zip(pattern, anchor) if is_anchor
                     for a, v in t.items() if FLAG_RE.match(a.upper()) and v is True)
    return sorted(flags), reach


class LiveWords:
    """Tells which words may be inside a match of some patterns or phrases; remembers each word's answer.

    spaCy evaluates the tests itself: each pattern token is a one-token pattern of a Matcher, run over a
    Doc of the words not seen before. A word's answer depends on the rules only, never on the document.

    It also tells which word stands for a word: the first one seen that passes the same tests (and, for a
    phrase word, is the same word). The matchers treat the two alike wherever they stand with the same
    trailing space ("2,000" and "3,000", "March" and "April" often), so a run of stand-ins matches as
    the run does.
    """

    def __init__(self, vocab, patterns: Iterable[list[dict[str, Any]]], phrase_docs: Iterable[Any],
                 in_reach: bool = True):
        from spacy.matcher import Matcher

        patterns = list(patterns)
        self.vocab = vocab
        tests = word_tests(patterns)
        self.every_word = tests is None
        self.matcher = None
        if tests:
            self.matcher = Matcher(vocab, validate=False)
            for k, test in enumerate({repr(t): t for t in tests}.values()):  # a label per distinct test
                self.matcher.add(f"test{k}", [[test]])
        self.phrase_words = frozenset(t.lower_ for d in phrase_docs for t in d)
        self.known: dict[str, bool] = {}
        self.stand_in: dict[str, int] = {}  # a word → the orth (lexeme id) of the word that stands for it
        self.first_of: dict[tuple, int] = {}  # (tests passed, phrase word or None) → the orth of the first word seen
        found = anchor_reach(patterns) if in_reach and not self.every_word else None
        self.reach = found[1] if found else None
        # The words that pass an anchor flag; a word of the kind no match may contain is no anchor's either.
        self.anchors = LiveWords(vocab, [[{flag: True}] for flag in found[0]], [], False) if found else None
        self.codes: dict[str, int] = {}  # a word's answers: 1 live, 2 anchor, 4 phrase word

    def __call__(self, words: list[str]) -> list[bool]:
        """Return, for each word, whether it may be inside a match."""
        known = self.known
        out = [known.get(w) for w in words]
        if None in out:
            self.learn(list(dict.fromkeys(w for w, k in zip(words, out) if k is None)))
            out = [known[w] for w in words]
        return out

    def learn(self, new: list[str]) -> None:
        """Remember, for each of the words `new` (not seen before), whether it may be inside a match and the word
        that stands for it."""
        passed: list[set] = [set() for _ in new]
        if self.every_word:  # the tests are not all the words' own: each word stands for itself only
            passed = [{w} for w in new]
        elif self.matcher is not None:
            from spacy.tokens import Doc

            for key, s, _ in self.matcher(Doc(self.vocab, words=new)):
                passed[s].add(key)
        for w, keys in zip(new, passed):
            phrase = w.lower() in self.phrase_words
            self.known[w] = bool(keys) or phrase
            key = (frozenset(keys), w if phrase else None)
            if key not in self.first_of:
                self.first_of[key] = self.vocab.strings.add(w)  # stored: a Doc may be made of orths
            self.stand_in[w] = self.first_of[key]

    def stand_ins(self, words: list[str]) -> list[int]:
        """Return, for each word (one already asked about), the orth of the word that stands for it (a Doc is made
        faster of orths than of strings: no string to hash)."""
        return list(map(self.stand_in.__getitem__, words))  # map: no bytecode per word

    def kept(self, words: list[str]) -> bytearray:
        """Return, per token of consecutive `words` (runs, separated by words that are not live), 1 where it may
        be inside a match, else 0: a live word within `reach` tokens of an anchor, or a phrase word."""
        codes = self.codes
        try:
            table = bytes(map(codes.__getitem__, words))  # map: no bytecode per word, and no list to test for None
        except KeyError:  # a word not seen before
            new = list(dict.fromkeys(w for w in words if w not in codes))
            anchors = self.anchors(new) if self.anchors is not None else [False] * len(new)
            for w, live, anchor in zip(new, self(new), anchors):
                codes[w] = live | (live and anchor) << 1 | (live and w.lower() in self.phrase_words) << 2
            table = bytes(map(codes.__getitem__, words))
        live = int.from_bytes(table.translate(_BIT[0]), "little")
        if self.reach is None:
            return bytearray(live.to_bytes(len(words), "little"))
        # One byte per token: a shift by 8 bits moves a mark to the next token. A mark carried over a run's end
        # keeps a word that is in reach of no anchor of its own run: kept for nothing, but harmless.
        anchor = near = int.from_bytes(table.translate(_BIT[1]), "little")
        for k in range(1, self.reach + 1):
            near |= anchor << 8 * k | anchor >> 8 * k
        near |= int.from_bytes(table.translate(_BIT[2]), "little")
        return bytearray((live & near).to_bytes(len(words), "little"))


# bytes.translate tables that keep one bit of a word's code as a 0/1 byte
_BIT = [bytes((c >> b) & 1 for c in range(256)) for b in range(3)]
