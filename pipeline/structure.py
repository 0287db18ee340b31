"""Structure rules (rules/structure.yaml), validated and compiled once per process."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Pattern(StrictModel):
    id: str
    pattern: str


class _Subsection(StrictModel):
    id: str
    name: str
    pattern: str
    holds_milestones: bool = False


class _Shape(StrictModel):
    id: str
    max_chars: int
    max_words: int
    not_ending: str
    not_starting: str


class _Programme(StrictModel):
    id: str
    max_intro_paragraphs: int
    max_chars: int
    max_words: int
    not_ending: str


class _ThemeByStructure(StrictModel):
    id: str
    max_intro_paragraphs: int


class _Headings(StrictModel):
    numbering: _Pattern
    closing: _Pattern
    theme: _Pattern
    theme_by_structure: _ThemeByStructure
    subsections: list[_Subsection]
    programme: _Programme
    shape: _Shape


class _Kinds(StrictModel):
    date_line: _Pattern
    date_label: _Pattern
    inline_date_line: _Pattern
    dates_header: _Pattern
    list_item: _Pattern
    numbered_item: _Pattern


class _DocumentRules(StrictModel):
    published: _Pattern


class StructureRuleFile(StrictModel):
    version: int
    document: _DocumentRules
    headings: _Headings
    paragraph_kinds: _Kinds


@dataclass(frozen=True)
class Subsection:
    id: str
    name: str
    regex: re.Pattern
    holds_milestones: bool


class StructureRules:
    """Compiled structure rules: what a heading, a theme, a sub-section and a date line look like."""

    def __init__(self, data: StructureRuleFile):
        flags = re.IGNORECASE
        self.data = data
        self.published_re = re.compile(data.document.published.pattern, flags)
        self.numbering_re = re.compile(data.headings.numbering.pattern, flags)
        self.closing_re = re.compile(data.headings.closing.pattern)
        self.theme = data.headings.theme
        self.theme_by_structure = data.headings.theme_by_structure
        self.theme_re = re.compile(data.headings.theme.pattern, flags)
        self.theme_ends = last_chars(self.theme_re)  # most headings do not end as a theme heading does
        self.subsections = tuple(
            Subsection(s.id, s.name, re.compile(s.pattern, flags), s.holds_milestones) for s in data.headings.subsections
        )
        self.programme = data.headings.programme
        self.programme_not_ending = re.compile(self.programme.not_ending)
        shape = data.headings.shape
        self.shape = shape
        self.not_ending = re.compile(shape.not_ending)
        self.not_ending_ends, self.programme_not_ending_ends = last_chars(self.not_ending), last_chars(self.programme_not_ending)
        self.not_starting = re.compile(shape.not_starting)
        kinds = data.paragraph_kinds
        self.kinds = kinds
        self.date_line_re = re.compile(kinds.date_line.pattern, flags)
        self.date_label_re = re.compile(kinds.date_label.pattern, flags)
        # One search per line: a sentence end followed by a whole date line (its leading ^ dropped).
        self.inline_date_re = re.compile(kinds.inline_date_line.pattern + "(?=" + kinds.date_line.pattern.removeprefix("^")
                                         + ")", flags)
        self.inline_date_needs = required_chars(self.inline_date_re)  # most lines have no ':' or dash: no search
        self.dates_header_re = re.compile(kinds.dates_header.pattern, flags)
        self.list_item_re = re.compile(kinds.list_item.pattern)
        self.numbered_item_re = re.compile(kinds.numbered_item.pattern)
        # One match per line instead of one per rule: the first alternative that matches names the kind,
        # as trying the rules in turn would (None: they cannot be combined; see one_of).
        self.date_kind_re = one_of({"dates_header": kinds.dates_header.pattern, "date_line": kinds.date_line.pattern,
                                    "date_label": kinds.date_label.pattern}, flags)
        self.item_re = one_of({"list_item": kinds.list_item.pattern, "numbered_item": kinds.numbered_item.pattern}, 0)
        # Most lines start with a character that no date kind (no list item) can start with: a dict lookup
        # of that character settles them without the regex (see first_chars).
        self.date_kind_starts = first_chars(self.date_kind_re)
        self.item_starts = first_chars(self.item_re)
        # A closing colon is looked for in every short line and heading; its regex can only match at the end.
        self.closing_ends = last_chars(self.closing_re)

    def words(self, text: str) -> str:
        """Return a heading's words: white space folded, any numbering before them and colon after them left out."""
        t = self.without_closing(" ".join(text.split()))
        m = self.numbering_re.match(t)
        return t[m.end():] if m else t

    def heading_text(self, text: str) -> str:
        """Return a heading as a name: as written, less a closing colon ("Cyber security:" → "Cyber security")."""
        return self.without_closing(text.strip())

    def has_closing(self, text: str) -> bool:
        """Whether `text` ends with a closing colon (heading.closing)."""
        return may_end(self.closing_ends, text) and self.closing_re.search(text) is not None

    def without_closing(self, text: str) -> str:
        """Return `text` less its closing colon (heading.closing), if any."""
        return self.closing_re.sub("", text) if may_end(self.closing_ends, text) else text

    def subsection(self, text: str) -> Optional[Subsection]:
        """Return the sub-section that heading `text` names, or None."""
        return self.subsection_of_words(self.words(text))

    def subsection_of_words(self, words: str) -> Optional[Subsection]:
        """Return the sub-section that a heading's `words` (see words()) name, or None."""
        for sub in self.subsections:
            if sub.regex.match(words):
                return sub
        return None

    def theme_name(self, text: str) -> Optional[str]:
        """Return the theme named by heading `text` ('Digitise - overview' → 'Digitise'), or None."""
        return self.theme_of_words(self.words(text))

    def theme_of_words(self, words: str) -> Optional[str]:
        """Return the theme that a heading's `words` (see words()) name, or None."""
        m = self.theme_re.match(words) if may_end(self.theme_ends, words) else None
        return m.group("theme").strip() if m else None

    def names_heading(self, text: str) -> bool:
        """Whether `text` names a theme or a sub-section."""
        words = self.words(text)
        return bool(self.theme_of_words(words)) or self.subsection_of_words(words) is not None

    def looks_like_heading(self, text: str) -> bool:
        """Whether a one-line paragraph has the shape of a heading in plain text."""
        t = text.strip()
        return (
            0 < len(t) <= self.shape.max_chars
            and len(t.split()) <= self.shape.max_words
            and not (may_end(self.not_ending_ends, t) and self.not_ending.search(t))
            and not self.not_starting.match(t)
        )


    def may_head_programme(self, text: str) -> bool:
        """Whether a one-line paragraph that is not heading-shaped may still be a programme heading."""
        t = text.strip()
        p = self.programme
        return 0 < len(t) <= p.max_chars and len(t.split()) <= p.max_words \
            and not (may_end(self.programme_not_ending_ends, t) and self.programme_not_ending.search(t)) \
            and not self.not_starting.match(t)


class CharTest(dict):
    """Whether a character is in a class of characters (a one-character regex): a dict from the character to a
    bool, filled on first sight; with no class (None), every character is in it."""

    def __init__(self, class_re: Optional[re.Pattern]):
        super().__init__()
        self.class_re = class_re

    def __missing__(self, ch: str) -> bool:
        ok = self[ch] = self.class_re is None or self.class_re.match(ch) is not None
        return ok


def first_chars(regex: Optional[re.Pattern]) -> CharTest:
    """Return the test of whether a match of `regex.match` can start with a character.

    Exact: the class comes from the regex's parsed pattern (start_class) and is compiled with its
    flags, so `re` itself applies the regex's case folding. When it cannot be worked out (or `regex`
    is None), every character may start a match.
    """
    return CharTest(start_class(regex) if regex is not None else None)


def last_chars(regex: re.Pattern) -> CharTest:
    """Return the test of whether a match of `regex.search` can end with a character (see end_class and
    may_end); every character when that cannot be worked out."""
    return CharTest(end_class(regex))


def may_end(ends: CharTest, text: str) -> bool:
    """Whether a regex whose every match ends at the end of the text ('$': at the very end, or before a final
    newline) can match `text`, by the test `ends` of its last character (last_chars)."""
    return not text or ends[text[-1]] or text[-1] == "\n" and (len(text) < 2 or ends[text[-2]])


class _NotKnown(Exception):
    """A regex construct whose first characters start_class does not work out."""


def start_class(regex: re.Pattern) -> Optional[re.Pattern]:
    """Return a one-character regex (a class, with `regex`'s flags) that every first character of a match of
    `regex.match` matches, or None when that is not known: the regex can match an empty text, or what can come
    first is a lookaround, a back-reference, a negated class, any character or a group with its own flags."""
    try:  # the parser that `re` compiles with: private, so anything unexpected means "not known"
        from re import _constants as c, _parser
        return _class_of(_first_items(_parser.parse(regex.pattern, regex.flags), c), regex.flags)
    except (ImportError, AttributeError, TypeError, ValueError, re.error, _NotKnown):
        return None


def end_class(regex: re.Pattern) -> Optional[re.Pattern]:
    """Return a one-character regex (a class, with `regex`'s flags) that the last character of every match of
    `regex.search` matches, when the pattern ends with '$' (not MULTILINE: every match ends at the end of the
    text or before a final newline); None when that is not so or not known (as start_class, read backwards)."""
    if regex.flags & re.MULTILINE:
        return None
    try:
        from re import _constants as c, _parser
        tree = _parser.parse(regex.pattern, regex.flags)
        if not len(tree) or tree[-1] != (c.AT, c.AT_END):
            return None
        return _class_of(_first_items(tree[:-1], c, backwards=True), regex.flags)
    except (ImportError, AttributeError, TypeError, ValueError, re.error, _NotKnown):
        return None


def required_chars(regex: re.Pattern) -> tuple[str, ...]:
    """Return strings of characters such that every match of `regex` holds a character of each: the items of the
    pattern that must match a character without case folding (':' in '^[^:]{2,90}?\\s*:'); () when none is known.

    Exact: only characters that have no other case are taken, so `re` matches them as written whatever its flags.
    """
    try:
        from re import _constants as c, _parser
        found = _required(_parser.parse(regex.pattern, regex.flags), c)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):
        return ()
    # Sets with white space last: nearly every text holds a space, so another set rules out more texts sooner.
    return tuple("".join(sorted(chars)) for chars in sorted(found, key=lambda chars: any(ch.isspace() for ch in chars)))


def may_hold(needed: tuple[str, ...], text: str) -> bool:
    """Whether `text` holds a character of each string `needed` (see required_chars)."""
    for chars in needed:  # loops of `in` (a memchr each), not any(): about three times faster than a class search
        for ch in chars:
            if ch in text:
                break
        else:
            return False
    return True


def _uncased(code: int) -> bool:
    ch = chr(code)
    return ch.lower() == ch == ch.upper() and ch.casefold() == ch


def _required(seq: Sequence, c) -> list[frozenset[str]]:
    """Return the character sets (see required_chars) of the items of parsed sequence `seq` that must match a
    character; optional, zero-width, cased or other items are passed over: they add nothing."""
    out: list[frozenset[str]] = []
    for op, av in seq:
        if op is c.LITERAL and _uncased(av):
            out.append(frozenset(chr(av)))
        elif op is c.IN and all(kind is c.LITERAL and _uncased(value) for kind, value in av):
            out.append(frozenset(chr(value) for _, value in av))
        elif op is c.SUBPATTERN and not (av[1] or av[2]) or op is c.ATOMIC_GROUP:
            out += _required(av[-1] if op is c.SUBPATTERN else av, c)
        elif op is c.BRANCH:  # every branch must hold one of its own: one of their first sets
            firsts = [_required(branch, c)[:1] for branch in av[1]]
            if all(firsts):
                out.append(frozenset().union(*(first[0] for first in firsts)))
        elif (op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT) and av[0] > 0:
            out += _required(av[2], c)
        elif op is c.ASSERT:  # a lookahead or lookbehind that holds matches characters of the text too
            out += _required(av[1], c)
    return out


def _class_of(found: tuple[list[str], bool], flags: int) -> Optional[re.Pattern]:
    """Return the class of the items `_first_items` found, or None when the sequence can match an empty text."""
    items, nullable = found
    if nullable or not items:
        return None
    return re.compile("[" + "".join(dict.fromkeys(items)) + "]", flags)


def _first_items(seq: Sequence, c, backwards: bool = False) -> tuple[list[str], bool]:
    """Return (class items that can match the first character of a match of parsed sequence `seq`, or its last
    one when `backwards`, whether `seq` can match an empty text); `c` is re's constants. Raise _NotKnown on
    any other construct."""
    categories = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_NOT_DIGIT: r"\D", c.CATEGORY_SPACE: r"\s",
                  c.CATEGORY_NOT_SPACE: r"\S", c.CATEGORY_WORD: r"\w", c.CATEGORY_NOT_WORD: r"\W"}
    items: list[str] = []
    for op, av in (reversed(seq) if backwards else seq):
        if op is c.AT:  # ^, $, \b: zero width, the next item comes first
            continue
        if op is c.LITERAL:
            items.append(f"\\U{av:08x}")
            return items, False
        if op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    items.append(f"\\U{value:08x}")
                elif kind is c.RANGE:
                    items.append(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
                elif kind is c.CATEGORY and value in categories:
                    items.append(categories[value])
                else:  # a negated class, or a category of another kind
                    raise _NotKnown(kind)
            return items, False
        if op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
            if op is c.SUBPATTERN and (av[1] or av[2]):  # (?i:...): its own flags
                raise _NotKnown(op)
            sub, nullable = _first_items(av[-1] if op is c.SUBPATTERN else av, c, backwards)
        elif op is c.BRANCH:
            nullable = False
            sub = []
            for branch in av[1]:
                first, empty = _first_items(branch, c, backwards)
                sub += first
                nullable = nullable or empty
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
            sub, nullable = _first_items(av[2], c, backwards)
            nullable = nullable or av[0] == 0
        else:
            raise _NotKnown(op)
        items += sub
        if not nullable:
            return items, False
    return items, True


_COMBINE_UNSAFE = re.compile(r"\\[1-9]|\(\?\(")  # numbered back-references and conditionals: groups would renumber


def one_of(patterns: dict[str, str], flags: int) -> Optional[re.Pattern]:
    """Return one regex trying `patterns` (name → pattern) in turn, each in a group of its name, so that
    `match(...).lastgroup` names the first that matches at the start, as matching each in turn would find it;
    None when that cannot be done (a pattern refers to its groups by number, or uses another's group names)."""
    if any(_COMBINE_UNSAFE.search(p) for p in patterns.values()):
        return None
    try:
        return re.compile("|".join(f"(?P<{name}>{p})" for name, p in patterns.items()), flags)
    except re.error:  # a group name used twice, or a global flag inside one pattern
        return None


def _check(rules: StructureRuleFile, problems: list[str]) -> None:
    h = rules.headings
    pats = {rules.document.published.id: rules.document.published.pattern, h.theme.id: h.theme.pattern,
            h.numbering.id: h.numbering.pattern, h.closing.id: h.closing.pattern, h.programme.id + ".not_ending": h.programme.not_ending}
    pats.update({s.id: s.pattern for s in rules.headings.subsections})
    k = rules.paragraph_kinds
    pats.update({p.id: p.pattern for p in (k.date_line, k.date_label, k.inline_date_line, k.dates_header, k.list_item, k.numbered_item)})
    pats[rules.headings.shape.id + ".not_ending"] = rules.headings.shape.not_ending
    pats[rules.headings.shape.id + ".not_starting"] = rules.headings.shape.not_starting
    check_regexes(pats, problems, "structure", re.IGNORECASE)  # most are matched ignoring case
    unique_ids([p for p in pats if "." in p and not p.endswith(("not_ending", "not_starting"))]
               + [h.programme.id, h.theme_by_structure.id],
               problems, "structure")
    if h.programme.max_intro_paragraphs < 0:
        problems.append(f"{h.programme.id}: max_intro_paragraphs must be 0 or more")
    if not re.search(r"\(\?P<theme>", rules.headings.theme.pattern):
        problems.append(f"{rules.headings.theme.id}: pattern needs a (?P<theme>…) group")
    if not any(s.holds_milestones for s in rules.headings.subsections):
        problems.append("headings.subsections: no sub-section holds_milestones")


@lru_cache(maxsize=None)
def structure_rules() -> StructureRules:
    """Return the process-wide compiled structure rules."""
    return StructureRules(load_ruleset("structure.yaml", StructureRuleFile, _check))
