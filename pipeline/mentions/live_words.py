"""Which words can lie inside a match: a window Doc holds only those, so the matchers test fewer tokens.

Every token of a Matcher match passes the token test of its pattern position, and every token of a
PhraseMatcher match is a word of a phrase. A word that passes no test of any pattern and is no phrase
word (most words of prose: "digital", "services") can be in no match, so the window Docs leave it out:
the words on either side of it become separate runs of the Doc, and a match is one run's.
The matchers' cost is per token of the Doc and per pattern; on the plan the temporal Doc has a third
fewer tokens.
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


class LiveWords:
    """Tells which words may be inside a match of some patterns or phrases; remembers each word's answer.

    spaCy evaluates the tests itself: each pattern token is a one-token pattern of a Matcher, run over a
    Doc of the words not seen before. A word's answer depends on the rules only, never on the document.
    """

    def __init__(self, vocab, patterns: Iterable[list[dict[str, Any]]], phrase_docs: Iterable[Any]):
        from spacy.matcher import Matcher

        self.vocab = vocab
        tests = word_tests(patterns)
        self.every_word = tests is None
        self.matcher = None
        if tests:
            self.matcher = Matcher(vocab, validate=False)
            self.matcher.add("word", [[t] for t in tests])
        self.phrase_words = frozenset(t.lower_ for d in phrase_docs for t in d)
        self.known: dict[str, bool] = {}

    def __call__(self, words: list[str]) -> list[bool]:
        """Return, for each word, whether it may be inside a match."""
        known = self.known
        out = [known.get(w) for w in words]
        if None in out:
            new = list(dict.fromkeys(w for w, k in zip(words, out) if k is None))
            if self.every_word:
                passed = set(range(len(new)))
            elif self.matcher is None:
                passed = set()
            else:
                from spacy.tokens import Doc

                passed = {s for _, s, _ in self.matcher(Doc(self.vocab, words=new))}
            for i, w in enumerate(new):
                known[w] = i in passed or w.lower() in self.phrase_words
            out = [known[w] for w in words]
        return out
