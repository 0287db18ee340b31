"""The shared blank spaCy pipeline and the compiled matchers, built once per process.

Speed: a paragraph is matched only in windows around anchors (digits or anchor-class words,
found by one regex derived from the rule vocabularies). The windows of a whole document are
tokenised by a fast regex (the pipeline's own tokenizer, WindowTokenizer, gives the same tokens) and
assembled into one `Doc(vocab, words, spaces)`, so each matcher runs once per document. The Doc leaves
out the words that no match may contain (live_words.py) and holds runs of the others, separated by a
whitespace token; a match is kept only inside one run. A run that recurs (the same words and spaces, or
words that pass the same tests: "by 2,000" and "by 3,000") is in the Doc once, and its matches stand
for every occurrence.

Token classes become lexeme flags (spaCy's FLAG19…FLAG63 attributes): `{"LOWER": {"IN": "@month"}}`
compiles to `{"FLAGnn": true}`, which the Matcher tests in C instead of calling a Python
predicate per token. Literal IN / NOT_IN lists and REGEX tests compile the same way.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any, Callable, Iterable, Optional

from .live_words import LiveWords
from .starts import StartGroups, start_kind
from .rules import MentionRules, TokenClass, TokenRule, mention_rules
from .spacy_import import import_spacy

# Tokens: a numeral (thousands groups, decimals, version dots), a run of letters, or one other character.
# The first branch is a shortcut, not a token kind: a run of ASCII letters that no other letter follows is the
# run of letters that the third branch would match there (an ASCII letter is no digit), found with a bitmap
# test per character instead of the Unicode category tests of [^\W\d_].
TOKEN_RE = re.compile(r"[A-Za-z]+(?![^\W\d_])|\d+(?:,\d{3}(?!\d))*(?:\.\d+)*|[^\W\d_]+|\S")
# The same tokens as split pieces: [gap, token, gap, token, ..., gap], the gaps being white space or empty.
TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
# A digit anchor: a run of digits from its first ASCII digit.
DIGITS_RE = re.compile(r"[0-9]\d*")
# A byte table that makes the ASCII digits "0" and every other byte a space.
DIGIT_MARKS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
# The characters whose lower case is not one character, or is an ASCII letter though they are not ASCII
# (test_case_shifts_are_those_of_the_unicode_data checks this): in a text without them, text.lower() has the ASCII letters of the text
# lower-cased, where the text has them, and no others.
CASE_SHIFTS = "\u0130\u212a"
SEPARATOR = "\n"
RUN_RE = re.compile(rb"\x01+")  # a run of kept tokens, in the bytes of a list of booleans
FIRST_FLAG, LAST_FLAG = 19, 63


@dataclass
class WindowDoc:
    """The tokens of every window of a document, each with its place in documents.text, and the Doc matched.

    The lists hold every window token (and a separator after each window). The tokens that may be inside a
    match (LiveWords) form runs of consecutive window tokens; the Doc holds each distinct run once (a plan
    repeats its phrases: "March 2022" forty times; words that pass the same tests stand in for each other),
    a separator after each, and a match of a distinct run stands for a match at every place where the run
    occurs. The Doc's words may be stand-ins: a token's own word is in `words`.
    """

    doc: Any
    words: list[str]
    spaces: list[bool]
    starts: list[int]
    ends: list[int]
    para: list[int]  # index into the paragraph list, -1 for a separator
    runs: list[tuple[int, int]]  # per run, in reading order: (index of its first token in the lists, distinct run)
    distinct: list[int]  # per Doc token: its distinct run, -1 for a separator
    first: list[int]  # per distinct run: the Doc index of its first token
    at: list[int]  # per distinct run: the index in the lists of its first occurrence's first token

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]

    def in_runs(self, matcher, label_of: dict[int, Any]) -> list[list[tuple[Any, int, int]]]:
        """Return, per distinct run, (label_of[key], start, end) of the matches of `matcher` inside it, as indexes
        from the run's first token, in the order the matcher gives them.

        The matcher finds a run's matches as it would alone (a separator ends every partial match, see
        `exact_pruning`), and those of one run before those of the next.
        """
        distinct, first = self.distinct, self.first
        local: list[list[tuple[Any, int, int]]] = [[] for _ in first]
        for key, s, e in matcher(self.doc):
            u = distinct[s]
            if u >= 0 and u == distinct[e - 1]:
                local[u].append((label_of[key], s - first[u], e - first[u]))
        return local

    def found(self, matcher, label_of: dict[int, Any]) -> list[tuple[Any, int, int]]:
        """Return (label_of[key], start, end) of the matches of `matcher` that lie inside one run, as indexes of the
        lists, in the order the matcher gives them on a Doc of all the runs."""
        local = self.in_runs(matcher, label_of)
        out: list[tuple[Any, int, int]] = []
        for i, u in self.runs:
            if local[u]:
                out += [(label, i + s, i + e) for label, s, e in local[u]]
        return out


@dataclass
class Matchers:
    """The compiled machinery: nlp, matchers, phrase matchers, anchor regexes, rule lookups."""

    nlp: Any
    rules: MentionRules
    temporal: Any
    quantity: Any
    prefixes: Any  # PhraseMatcher of the temporal prefix phrases
    comparators: Any
    word_re: re.Pattern  # an anchor word with the character before it (see scanned_words)
    word_re_i: re.Pattern  # the same, for a text whose lower-casing changes its length
    temporal_words: frozenset[str]
    quantity_words: frozenset[str]
    bank: Any = None
    temporal_live: Optional[LiveWords] = None  # the words that a temporal pattern or prefix phrase may contain
    quantity_live: Optional[LiveWords] = None
    # The quantity rules split by role, each matched on a Doc of its own words: the few words that an amount
    # may contain make a Doc a sixth the size of the one that the traps (and comparator phrases) need.
    amounts: Any = None  # Matcher of the quantity rules of role "quantity"
    amount_live: Optional[LiveWords] = None  # the words an `amounts` match may contain
    traps: Any = None  # Matcher of the other quantity rules (role "trap"), matched on the quantity_live Doc
    temporal_starts: Optional[StartGroups] = None  # the temporal rules grouped by their start tests
    rule_of: dict[int, TokenRule] = field(default_factory=dict)
    order_of: dict[str, int] = field(default_factory=dict)
    phrase_label: dict[int, str] = field(default_factory=dict)
    # An anchor scan's hit → kind_of(hit); it grows with the distinct digit runs seen, as the class memos do.
    anchor_kind: dict[str, int] = field(default_factory=dict)
    # A byte table that lower-cases the letters of the anchor words and makes every other byte a space, and the
    # anchor words as bytes → kind_of(word); word_bytes is None when an anchor word is not ASCII (see word_anchors).
    word_bytes: Optional[bytes] = None
    word_kind: dict[bytes, int] = field(default_factory=dict)

    def anchors(self, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Return the (start, end) of the temporal and the quantity anchors of `text`, in reading order.

        An anchor is a digit run or an anchor word, not preceded by a letter (a word not followed
        by one either). Both are found in the text's ASCII bytes (a byte per character), in C
        loops that build no match object per word or per character tried.
        """
        ascii = text.encode("ascii", "replace")
        found = self.digit_anchors(text, ascii)
        if self.word_bytes is not None and not any(ch in text for ch in CASE_SHIFTS):
            found += self.word_anchors(text, ascii)
        else:
            found += self.scanned_words(text)
        found.sort()
        return [(a, b) for a, b, k in found if k & 1], [(a, b) for a, b, k in found if k & 2]

    def digit_anchors(self, text: str, ascii: bytes) -> list[tuple[int, int, int]]:
        """Return (start, end, kind_of) of the digit runs of `text` (whose ASCII bytes are `ascii`) that no letter
        precedes, in reading order."""
        marks = ascii.translate(DIGIT_MARKS)  # only the ASCII digits are "0": one memchr finds the next run
        kind, match = self.anchor_kind, DIGITS_RE.match
        out = []
        a = marks.find(48)
        while a >= 0:
            run = match(text, a).group()  # the text's own run: it may go on in other digits ("2٣")
            b = a + len(run)
            if not (a and text[a - 1].isalpha()):  # else inside a word ("A2021")
                k = kind.get(run)
                if k is None:
                    k = kind[run] = self.kind_of(run)
                out.append((a, b, k))
            a = marks.find(48, b)
        return out

    def word_anchors(self, text: str, ascii: bytes) -> list[tuple[int, int, int]]:
        """Return (start, end, kind_of) of the anchor words of `text`, whose ASCII bytes are `ascii`, that no letter
        touches, in reading order (the text has none of CASE_SHIFTS: its ASCII letters lower-cased are those of
        text.lower()).

        The words' letters, lower-cased, split at every other byte, give the maximal runs of those letters, as
        the scan regex finds them; each run that is an anchor word is then found after the one before it.
        """
        letters = ascii.translate(self.word_bytes)
        padded = b" " + letters + b" "  # a piece w is " w " in it, at the offset of w in the text
        kind, n = self.word_kind, len(text)
        out = []
        at = 0
        for w in filter(kind.__contains__, letters.split(b" ")):
            a = padded.find(b" " + w + b" ", at)
            b = at = a + len(w)
            if not ((a and text[a - 1].isalpha()) or (b < n and text[b].isalpha())):  # else inside a word
                out.append((a, b, kind[w]))
        return out

    def scanned_words(self, text: str) -> list[tuple[int, int, int]]:
        """Return what word_anchors returns, found by a regex scan of text.lower() (of `text` case-insensitively when
        lower-casing changes its length): for a text with CASE_SHIFTS or anchor words that are not ASCII."""
        low = text.lower()
        n = len(text)
        out = []
        # The newline stands for the character before the text, so a match's start is its word's start in `text`.
        for mt in self.word_re.finditer("\n" + low) if len(low) == n else self.word_re_i.finditer("\n" + text):
            a, b = mt.start(), mt.end() - 1
            if not ((a and text[a - 1].isalpha()) or (b < n and text[b].isalpha())):  # else inside a word
                out.append((a, b, self.kind_of(mt.group()[1:].lower())))
        return out

    def kind_of(self, hit: str) -> int:
        """Return what an anchor scan's hit (a digit run or a lower-case anchor word) anchors: 1 temporal, 2 quantity,
        3 both, 0 neither (a digit run outside the windows' digit classes)."""
        if hit[0].isdigit():
            t_class = self.rules.classes[self.rules.windows.temporal.digits]
            q_class = self.rules.classes[self.rules.windows.quantity.digits]
        else:
            t_class, q_class = self.temporal_words, self.quantity_words
        return (hit in t_class) | (hit in q_class) << 1

    @staticmethod
    def window_spans(text: str, paragraphs: list[tuple[int, int]], anchors: list[tuple[int, int]], before: int,
                     after: int) -> list[tuple[int, int, int]]:
        """Return (start, end, paragraph index) of the windows around `anchors` (sorted), overlapping ones merged,
        each within its paragraph and widened to whole words so that no token is cut."""
        para_starts = [ps for ps, _ in paragraphs]
        spans: list[tuple[int, int, int]] = []  # (start, end, paragraph)
        # The open window is kept in locals, not as a list to update: one tuple per window, no max()/min() calls.
        last_a = last_b = last_pi = -1
        for a0, b0 in anchors:
            pi = bisect_right(para_starts, a0) - 1
            if pi < 0:
                continue
            ps, pe = paragraphs[pi]
            if a0 >= pe:
                continue
            a, b = a0 - before, b0 + after
            if a < ps:
                a = ps
            if b > pe:
                b = pe
            if pi == last_pi and a <= last_b:
                if b > last_b:
                    last_b = b
            else:
                if last_pi >= 0:
                    spans.append((last_a, last_b, last_pi))
                last_a, last_b, last_pi = a, b, pi
        if last_pi >= 0:
            spans.append((last_a, last_b, last_pi))
        out = []
        for a, b, pi in spans:
            ps, pe = paragraphs[pi]
            while a > ps and not text[a - 1].isspace():
                a -= 1
            while b < pe and not text[b].isspace():
                b += 1
            out.append((a, b, pi))
        return out

    def window_doc(self, text: str, paragraphs: list[tuple[int, int]], anchors: list[tuple[int, int]],
                   before: int, after: int, live: Optional[LiveWords] = None) -> WindowDoc:
        """Return the WindowDoc of the windows around `anchors` (sorted) in `paragraphs` ((start, end) in `text`).

        Its Doc leaves out the words that `live` says no match may contain (None: it leaves out none).
        """
        return self.window_docs(text, paragraphs, anchors, before, after, [live])[0]

    def window_docs(self, text: str, paragraphs: list[tuple[int, int]], anchors: list[tuple[int, int]],
                    before: int, after: int, lives: list[Optional[LiveWords]]) -> list[WindowDoc]:
        """Return, per LiveWords of `lives`, the WindowDoc of the same windows (see window_doc); they share the
        token lists, so a token index means the same token in each."""
        words, spaces, starts, ends, para, separators = window_tokens(
            text, self.window_spans(text, paragraphs, anchors, before, after))
        out = []
        for live in lives:
            kept = live.kept(words) if live is not None else bytearray(b"\x01" * len(words))
            for i in separators:
                kept[i] = False
            # Without `live` the separator may pass a token test (see exact_pruning): a run's matches might then
            # depend on the run before it, so no run stands for another.
            doc, runs, distinct, first, at = (self.run_doc(live.stand_ins(words), spaces, kept) if live is not None
                                              else self.run_doc(words, spaces, kept, distinct=False))
            out.append(WindowDoc(doc, words, spaces, starts, ends, para, runs, distinct, first, at))
        return out

    def run_doc(self, words: list[Any], spaces: list[bool], kept: list[bool],
                distinct: bool = True) -> tuple[Any, list[tuple[int, int]], list[int], list[int], list[int]]:
        """Return the Doc of each distinct run of consecutive kept tokens followed by a separator, the runs
        (index of the first token in `words`, distinct run), each Doc token's distinct run (-1 for the
        separators), each distinct run's first Doc token and the index in `words` of its first occurrence.

        Two runs are the same when their words and trailing-space flags are (all that a token test reads; the
        words may be the orths of stand-ins, see LiveWords); with `distinct` false every run counts as distinct.
        """
        from spacy.tokens import Doc

        doc_words: list[str] = []
        doc_spaces: list[bool] = []
        runs: list[tuple[int, int]] = []
        of_token: list[int] = []
        first: list[int] = []
        at: list[int] = []
        number: dict[Any, int] = {}
        for r, mt in enumerate(RUN_RE.finditer(bytes(kept))):  # the runs of 1s, found in C
            i, j = mt.span()
            run_words, run_spaces = words[i:j], spaces[i:j]
            key = (tuple(run_words), tuple(run_spaces)) if distinct else r
            u = number.get(key)
            if u is None:
                u = number[key] = len(first)
                first.append(len(doc_words))
                at.append(i)
                doc_words += run_words
                doc_words.append(SEPARATOR)
                doc_spaces += run_spaces
                doc_spaces.append(False)
                of_token += [u] * (j - i)
                of_token.append(-1)
            runs.append((i, u))
        return Doc(self.nlp.vocab, words=doc_words, spaces=doc_spaces), runs, of_token, first, at

    def matches(self, matcher, wd: WindowDoc) -> list[tuple[TokenRule, int, int]]:
        """Return (rule, start, end) of every match of `matcher` inside one window."""
        return wd.found(matcher, self.rule_of)

    def phrases(self, matcher, wd: WindowDoc) -> list[tuple[str, int, int]]:
        """Return (label, start, end) of every phrase match inside one window."""
        return wd.found(matcher, self.phrase_label)


def window_tokens(text: str, windows: list[tuple[int, int, int]]) -> tuple[list[str], list[bool], list[int], list[int],
                                                                        list[int], list[int]]:
    """Return the tokens of `windows` ((start, end, paragraph index) in `text`) and a separator after each window:
    (words, trailing-space flags, starts, ends, paragraph indexes, the separators' indexes).

    A window's last token counts as followed by white space and a separator as not; a separator's start and
    end are its window's end, and its paragraph index -1.
    """
    if not windows:
        return [], [], [], [], [], []
    # One split of all the windows, each followed by a mark (a character the text lacks, a token of its own,
    # which ends a token as the end of the text does), gives every token and the gaps between them, and their
    # offsets are the running sum of the pieces' lengths: C loops, not a match object per token. The mark's
    # "length" is the step to the next window's start (negative where widened windows overlap). The mark need
    # only be absent from the windows (a small part of the text): any such mark gives the same tokens.
    slices = [text[a:b] for a, b, _ in windows]
    inside = "".join(slices)
    # "\0" is tried alone first: the tuple of all the other candidates would cost more than the scan.
    mark = "\0" if "\0" not in inside else next(ch for ch in map(chr, range(0xE000, 0xF900)) if ch not in inside)
    pieces = TOKEN_SPLIT_RE.split(mark.join(slices) + mark)
    words = pieces[1::2]  # token k is pieces[2k+1], the gap after it pieces[2k+2]
    lengths = list(map(len, pieces))
    para: list[int] = []
    separators: list[int] = []
    find = words.index
    i = 0
    for k, (_, b, pi) in enumerate(windows):
        s = find(mark, i)
        para += [pi] * (s - i)
        para.append(-1)
        separators.append(s)
        lengths[2 * s + 1] = (windows[k + 1][0] if k + 1 < len(windows) else b) - b
        i = s + 1
    offsets = list(accumulate(lengths, initial=windows[0][0]))
    starts, ends, spaces = offsets[1:-1:2], offsets[2::2], list(map(bool, pieces[2::2]))
    i = 0
    for s, (_, b, _) in zip(separators, windows):
        if s > i:
            spaces[s - 1] = True
        words[s], ends[s], spaces[s] = SEPARATOR, b, False
        i = s + 1
    return words, spaces, starts, ends, para, separators


class WindowTokenizer:
    """The pipeline's tokenizer: a text's tokens are TOKEN_RE's (the window tokens), each with its trailing-space flag.

    The window Docs are assembled from the same tokens, so a phrase pattern made by this tokenizer lines up
    with them. Registered as "planextract.window_tokenizer" (see `blank_pipeline`): spaCy's English tokenizer
    is never used, and building it (its prefix, suffix and infix regexes and its 1,300 exceptions, each a
    lexeme) was most of the cost of spacy.blank("en").
    """

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        """Return the Doc of `text`'s tokens (white space between them kept only as the trailing-space flags)."""
        from spacy.tokens import Doc

        pieces = TOKEN_SPLIT_RE.split(text)
        return Doc(self.vocab, words=pieces[1::2], spaces=[bool(gap) for gap in pieces[2::2]])


def blank_pipeline():
    """Return spacy.blank("en") with WindowTokenizer as its tokenizer (through spaCy's tokenizer registry)."""
    spacy = import_spacy()

    name = "planextract.window_tokenizer"
    if name not in spacy.registry.tokenizers:
        spacy.registry.tokenizers.register(name, func=lambda: lambda nlp: WindowTokenizer(nlp.vocab))
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": name}}})


def membership(cls: TokenClass) -> Callable[[str], bool]:
    """Return a test of `text in cls` for a flag getter, without the class's memo.

    spaCy calls each flag getter once per new lexeme, for every word of every window; a word class (most
    of them) needs no regex scan, and the memo would only store what the lexeme flag stores already.
    """
    words, regexes = cls.words, cls.regexes
    if not regexes:
        return lambda text: text.lower() in words
    if not words and len(regexes) == 1:
        match = regexes[0].match
        return lambda text: match(text) is not None
    return lambda text: text.lower() in words or any(r.match(text) for r in regexes)


class _FlagBank:
    """Allocates lexeme flags to token tests; identical tests share one flag.

    There are 45 flags (FLAG19…FLAG63): class references get them first, then literal sets by how often
    they are used. A test left without a flag stays a spaCy predicate (IN list or REGEX): same result, slower.
    """

    def __init__(self, vocab, classes: dict[str, TokenClass]):
        self.vocab = vocab
        self.classes = classes
        self.by_key: dict[tuple, int] = {}

    @staticmethod
    def tests(pattern: list[dict[str, Any]]) -> Iterable[tuple]:
        """Yield the flaggable tests of a pattern as keys: ("class", name) or ("set", lower, words)."""
        for token in pattern:
            for attr, value in token.items():
                if not isinstance(value, dict) or attr.upper() not in ("LOWER", "ORTH", "TEXT", "NORM"):
                    continue
                for op, arg in value.items():
                    if isinstance(arg, str) and arg.startswith("@") and op in ("IN", "NOT_IN", "REGEX"):
                        yield ("class", arg[1:])
                    elif op in ("IN", "NOT_IN") and isinstance(arg, list):
                        lower = attr.upper() in ("LOWER", "NORM")
                        yield ("set", lower, frozenset(a.lower() for a in arg) if lower else frozenset(arg))

    def allocate(self, patterns: list[list[dict[str, Any]]]) -> None:
        counts: dict[tuple, int] = {}
        for pattern in patterns:
            for key in self.tests(pattern):
                counts[key] = counts.get(key, 0) + 1
        order = sorted(counts, key=lambda k: (k[0] != "class", -counts[k], repr(k)))
        for fid, key in zip(range(FIRST_FLAG, LAST_FLAG + 1), order):
            if key[0] == "class":
                getter = membership(self.classes[key[1]])
            else:
                words, lower = key[2], key[1]
                getter = (lambda ws: lambda t: t.lower() in ws)(words) if lower else (lambda ws: lambda t: t in ws)(words)
            self.vocab.add_flag(getter, fid)
            self.by_key[key] = fid

    @staticmethod
    def predicate(cls: TokenClass, op: str) -> str:
        """Return a spaCy REGEX (on TEXT) that tests class membership (or, for NOT_IN, its absence) without a flag."""
        parts = [f"(?:{r.pattern})" for r in cls.regexes]
        if cls.words:
            parts.append("(?i:^(?:" + "|".join(re.escape(w) for w in sorted(cls.words)) + ")$)")
        either = "|".join(parts) or "(?!)"
        return f"^(?!(?:{either}))" if op == "NOT_IN" else f"(?:{either})"


def compile_pattern(pattern: list[dict[str, Any]], bank: _FlagBank) -> list[dict]:
    """Return `pattern` with class references and literal set tests replaced by lexeme flags."""
    out = []
    for token in pattern:
        new: dict[str, Any] = {}
        for attr, value in token.items():
            if not isinstance(value, dict) or attr.upper() not in ("LOWER", "ORTH", "TEXT", "NORM"):
                new[attr] = value
                continue
            rest = {}
            for op, arg in value.items():
                key = next(iter(_FlagBank.tests([{attr: {op: arg}}])), None)
                flag = bank.by_key.get(key) if key else None
                if flag is not None:
                    new[f"FLAG{flag}"] = op != "NOT_IN"
                elif key and key[0] == "class":
                    # Several shape tests on one token would clash under TEXT; spaCy allows one REGEX per attribute.
                    target = "TEXT" if "REGEX" not in new.get("TEXT", {}) else "ORTH"
                    new.setdefault(target, {})["REGEX"] = bank.predicate(bank.classes[key[1]], op)
                else:
                    rest[op] = arg
            if rest:
                new.setdefault(attr, {}).update(rest)
        out.append(new)
    return out


def exact_pruning(live: LiveWords) -> Optional[LiveWords]:
    """Return `live` when window Docs may leave out the words it rejects without changing a match, else None.

    A left-out word passes no token test, so the Matcher's partial matches all end there; in the Doc a
    separator stands in its place, and the Matcher does exactly the same there only if the separator
    passes no test either: then no match depends on which of the two follows a run.
    """
    return None if live([SEPARATOR])[0] else live


def trie_branches(words: Iterable[str]) -> list[str]:
    """Return the top-level branches of a regex character trie of `words` (fast to scan: no backtracking)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return [re.escape(ch) + build(child) for ch, child in sorted(trie.items()) if ch]


def anchor_words(rules: MentionRules, names: Iterable[str]) -> frozenset[str]:
    """Return the lower-case anchor words of the named classes (single alphabetic words)."""
    return frozenset(w for n in names for w in rules.classes[n].words if w.isalpha())


@lru_cache(maxsize=None)
def matchers() -> Matchers:
    """Return the process-wide blank pipeline and compiled matchers (built on first use)."""
    import_spacy()
    from spacy.matcher import Matcher, PhraseMatcher

    rules = mention_rules()
    nlp = blank_pipeline()
    bank = _FlagBank(nlp.vocab, rules.classes)
    bank.allocate([r.pattern for r in rules.temporal + rules.quantity])
    # The source patterns were validated against spaCy's schema at load; the compiled ones use flag
    # attributes that the schema does not list, so the matchers do not validate again.
    m = Matchers(nlp, rules, Matcher(nlp.vocab, validate=False), Matcher(nlp.vocab, validate=False),
                 PhraseMatcher(nlp.vocab, attr="LOWER"),
                 PhraseMatcher(nlp.vocab, attr="LOWER"), re.compile(""), re.compile(""),
                 anchor_words(rules, rules.windows.temporal.anchors), anchor_words(rules, rules.windows.quantity.anchors))
    # An anchor word is found with the character before it, which is none of the words' letters, and is
    # not followed by one of them: the pattern opens with a character class, so the regex engine skips
    # ahead to the characters that may stand before a word instead of trying every letter of every word.
    # (A word inside a longer word that has other letters is dropped by anchors().)
    words = sorted(m.temporal_words | m.quantity_words)
    letters = "".join(sorted({ch for w in words for ch in w}))
    word = f"[^{re.escape(letters)}](?:{'|'.join(trie_branches(words))})(?![{re.escape(letters)}])" if words else "(?!)"
    m.word_re = re.compile(word)
    if all(w.isascii() for w in words) and "?" not in letters:  # "?" stands for each non-ASCII character there
        m.word_bytes = bytes(ord(chr(c).lower()) if c < 128 and chr(c).lower() in letters else 32 for c in range(256))
    m.word_kind = {w.encode(): m.kind_of(w) for w in words}
    m.bank = bank
    m.word_re_i = re.compile(word, re.IGNORECASE)
    compiled: dict[str, list[list[dict]]] = {"temporal": [], "quantity": []}
    m.amounts, m.traps = Matcher(nlp.vocab, validate=False), Matcher(nlp.vocab, validate=False)
    for name, matcher, group in (("temporal", m.temporal, rules.temporal), ("quantity", m.quantity, rules.quantity)):
        for i, rule in enumerate(group):
            key = nlp.vocab.strings.add(rule.id)
            m.rule_of[key] = rule
            m.order_of[rule.id] = i
            compiled[name].append(compile_pattern(rule.pattern, bank))
            matcher.add(rule.id, [compiled[name][-1]])
            if name == "quantity":
                (m.amounts if rule.role == "quantity" else m.traps).add(rule.id, [compiled[name][-1]])
    v = rules.vocab
    phrase_sets = {"prefix": list(rules.temporal_prefixes)}
    for comparator, phrases in v.comparators.items():
        phrase_sets[f"before:{comparator}"] = phrases
    for comparator, phrases in v.trailing_comparators.items():
        phrase_sets[f"after:{comparator}"] = phrases
    phrase_sets["filler"] = v.comparator_fillers
    phrase_docs: dict[str, list] = {"temporal": [], "quantity": []}
    for label, phrases in phrase_sets.items():
        key = nlp.vocab.strings.add(label)
        m.phrase_label[key] = label
        name = "temporal" if label == "prefix" else "quantity"
        docs = [nlp.make_doc(p) for p in phrases]
        phrase_docs[name].extend(docs)
        (m.prefixes if name == "temporal" else m.comparators).add(label, docs)
    m.temporal_live = exact_pruning(LiveWords(nlp.vocab, compiled["temporal"], phrase_docs["temporal"]))
    if m.temporal_live is not None:  # else a run's matches may depend on what follows it (see exact_pruning)
        m.temporal_starts = StartGroups(nlp.vocab, [(r.id, p, start_kind(r.pattern))
                                                    for r, p in zip(rules.temporal, compiled["temporal"])])
    m.quantity_live = exact_pruning(LiveWords(nlp.vocab, compiled["quantity"], phrase_docs["quantity"]))
    m.amount_live = exact_pruning(LiveWords(nlp.vocab, [p for p, r in zip(compiled["quantity"], rules.quantity)
                                                        if r.role == "quantity"], []))
    return m

