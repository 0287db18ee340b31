"""Patterns grouped by the words their matches may start with: each group is matched only from those words on.

spaCy's Matcher starts a state for every pattern at every token of a Doc and tests its first token there;
on a temporal window Doc that is most of the matching's cost, and most tokens start no pattern ("the",
",", "financial"). A match of a pattern starts at a token that passes one of its start tests (the tests of
its positions up to its first required one), and it depends only on the tokens from its start on up to the
separator after its run (the separator passes no test: see nlp.exact_pruning). So the patterns are split
into groups, a Matcher each (the temporal rules by `start_kind`: numbers and dates, or words); a group is
matched on a Doc of, for each distinct run of a window Doc, the tokens from the first one that may start
the group on (runs without one are left out). Each pattern so finds the matches that it finds on the window
Doc, in another order. A window Doc's tokens are mostly words that start no temporal pattern, and each
token is tried by only its group's patterns, so the two Docs cost less to match than the window Doc.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from .live_words import REQUIRED, word_tests


def start_tests(pattern: list[dict[str, Any]]) -> Optional[list[dict[str, Any]]]:
    """Return the one-token tests that the first token of a match of `pattern` passes one of (each the test of a
    position up to the first required one, as word_tests gives it; a `{n,m}` position counts as optional even
    when n >= 1, which only adds start tests), or None when a match may start at any word
    (no position is required, or a start test is not the word's own, negated or a wildcard)."""
    for k, token in enumerate(pattern):
        if token.get("OP") in REQUIRED:
            return word_tests([pattern[:k + 1]])
    return None


def start_kind(pattern: list[dict[str, Any]]) -> str:
    """Return "shape" when every start position of the (source) pattern tests a token shape only (REGEX tests:
    numbers, dates), else "word": the two kinds start at different tokens, so their groups' Docs overlap little."""
    for token in pattern:
        tests = {a: v for a, v in token.items() if a.upper() not in ("OP", "SPACY")}
        if not tests or any(not (isinstance(v, dict) and set(v) == {"REGEX"}) for v in tests.values()):
            return "word"
        if token.get("OP") in REQUIRED:
            return "shape"
    return "word"


class StartGroups:
    """The patterns of a Matcher split into named groups, a Matcher each; remembers the groups that may start at
    each word (a word's answer depends on the rules only, as LiveWords' does)."""

    def __init__(self, vocab, patterns: Iterable[tuple[str, list[dict[str, Any]], Any]]):
        """`patterns`: (match key string, compiled pattern, group name) in rule order; a group may start at a word
        where one of its patterns may."""
        from spacy.matcher import Matcher

        self.vocab = vocab
        groups: dict[Any, list] = {}  # name → [keys and patterns, start tests by repr or None]
        for key, pattern, name in patterns:
            tests = start_tests(pattern)
            group = groups.setdefault(name, [[], {}])
            group[0].append((key, pattern))
            group[1] = None if tests is None or group[1] is None else {**group[1], **{repr(t): t for t in tests}}
        self.matchers: list[Any] = []
        self.anywhere = 0  # the bits of the groups that may start at any word
        self.tester = Matcher(vocab, validate=False)  # a one-token pattern per start test
        self.bits_of: dict[int, int] = {}  # a tester key → the bits of the groups that its test starts
        if len(groups) > len(_BIT):
            raise ValueError(f"{len(groups)} start groups: at most {len(_BIT)} (a word's groups are the bits of a byte)")
        for g, (members, tests) in enumerate(groups.values()):
            matcher = Matcher(vocab, validate=False)
            for key, pattern in members:
                matcher.add(key, [pattern])
            self.matchers.append(matcher)
            if tests is None:
                self.anywhere |= 1 << g
                continue
            for r, t in tests.items():
                label = vocab.strings.add(f"start:{r}")
                if label not in self.bits_of:
                    self.tester.add(f"start:{r}", [[t]])
                self.bits_of[label] = self.bits_of.get(label, 0) | 1 << g
        self.starts: dict[int, int] = {}  # a word's orth → the bits of the groups that may start at it

    def learn(self, new: list[int]) -> None:
        """Remember, for each of the words `new` (orths not seen before), the bits of the groups that may start at it."""
        from spacy.tokens import Doc

        bits = [self.anywhere] * len(new)
        if len(self.tester):
            for key, s, _ in self.tester(Doc(self.vocab, words=new)):
                bits[s] |= self.bits_of[key]
        self.starts.update(zip(new, bits))

    def in_runs(self, wd, label_of: dict[int, Any]) -> list[list[tuple[Any, int, int]]]:
        """Return, per distinct run of the WindowDoc `wd`, (label_of[key], start, end) of the matches of the
        grouped patterns inside it, as indexes from the run's first token: the matches that WindowDoc.in_runs
        gives with a Matcher of all the patterns, in another order (group by group).

        A run's words are read from wd.doc, as orths: they may be stand-ins, which pass the same tests as the
        words they stand for (these patterns' tests are among those of the LiveWords that chose them).
        """
        from spacy.attrs import ORTH
        from spacy.tokens import Doc

        spaces, first, at = wd.spaces, wd.first, wd.at
        orths = wd.doc.to_array(ORTH).tolist()
        starts = self.starts
        try:
            table = bytes(map(starts.__getitem__, orths))  # map: no bytecode per word
        except KeyError:  # a word not seen before
            self.learn(list(dict.fromkeys(w for w in orths if w not in starts)))
            table = bytes(map(starts.__getitem__, orths))
        ends = [f - 1 for f in first[1:]] + [len(orths) - 1]  # a separator follows each run
        local: list[list[tuple[Any, int, int]]] = [[] for _ in first]
        for g, matcher in enumerate(self.matchers):
            find = table.translate(_BIT[g]).find
            # A Doc of the suffixes of the runs from their first token that may start the group, each followed by a
            # separator (Spans of one Doc would cost more: the Matcher reads a Span's tokens through Python).
            doc_words: list[int] = []
            doc_spaces: list[bool] = []
            segment: list[int] = []  # per Doc token: the index of its suffix, -1 for a separator
            suffixes: list[tuple[int, int]] = []  # (run, the index in the run of its first token minus its Doc index)
            for u, (f, b) in enumerate(zip(first, ends)):
                i = find(1, f, b)
                if i < 0:
                    continue
                suffixes.append((u, i - f - len(doc_words)))
                segment += [len(suffixes) - 1] * (b - i)
                segment.append(-1)
                doc_words += orths[i:b]
                doc_words.append(orths[b])  # the separator
                doc_spaces += spaces[at[u] + i - f:at[u] + b - f]
                doc_spaces.append(False)
            if not doc_words:
                continue
            for key, s, e in matcher(Doc(self.vocab, words=doc_words, spaces=doc_spaces)):
                x = segment[s]
                if x >= 0 and x == segment[e - 1]:
                    u, shift = suffixes[x]
                    local[u].append((label_of[key], s + shift, e + shift))
        return local


# bytes.translate tables that keep one bit of a word's group bits as a 0/1 byte
_BIT = [bytes((c >> b) & 1 for c in range(256)) for b in range(8)]
