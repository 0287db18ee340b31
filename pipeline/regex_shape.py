"""What a regex can match, read from its parsed pattern: which characters can start or end a match, which
characters every match holds, and which ones a match of the whole text can hold. Rule tests use them to skip a regex on a text that it cannot match.

Each answer is exact or "not known" (every character may start a match, no character is required): the
parser is `re`'s own, private one, so anything unexpected in it means "not known" and costs only speed.
`one_of` joins patterns tried in turn into one regex.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence, TypeVar

T = TypeVar("T")


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


class NotKnown(Exception):
    """A regex construct whose first characters start_class does not work out."""


def start_class(regex: re.Pattern) -> Optional[re.Pattern]:
    """Return a one-character regex (a class, with `regex`'s flags) that every first character of a match of
    `regex.match` matches, or None when that is not known: the regex can match an empty text, or what can come
    first is a lookaround, a back-reference, a negated class, any character or a group with its own flags."""
    try:  # the parser that `re` compiles with: private, so anything unexpected means "not known"
        from re import _constants as c, _parser
        return _class_of(_first_items(_parser.parse(regex.pattern, regex.flags), c), regex.flags)
    except (ImportError, AttributeError, TypeError, ValueError, re.error, NotKnown):
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
    except (ImportError, AttributeError, TypeError, ValueError, re.error, NotKnown):
        return None


def span_class(regex: re.Pattern) -> Optional[re.Pattern]:
    """Return a one-character regex (a negated class, with `regex`'s flags) that matches every character that no
    match of `regex.match` can hold, when every match spans the whole text: the pattern ends with '$' or '\\Z', not
    MULTILINE ('$' may leave out a final newline). None when that is not so or not known (any character, a negated
    class, a back-reference, a group with its own flags). See may_span."""
    items = read_whole_text(regex, _span_items)
    return re.compile("[^" + "".join(dict.fromkeys(items)) + "]", regex.flags) if items else None


def read_whole_text(regex: re.Pattern, read: Callable[[Sequence, Any], T]) -> Optional[T]:
    """Return read(parsed pattern, `re`'s constants) when every match of
    `regex.match` spans the whole text (the pattern ends with '$' or '\\Z', not MULTILINE); None when that is
    not so, or when `read` raises NotKnown (or the private parser is not as expected)."""
    if regex.flags & re.MULTILINE:
        return None
    try:
        from re import _constants as c, _parser
        tree = _parser.parse(regex.pattern, regex.flags)
        if not len(tree) or tree[-1] not in ((c.AT, c.AT_END), (c.AT, c.AT_END_STRING)):
            return None
        return read(tree, c)
    except (ImportError, AttributeError, TypeError, ValueError, re.error, NotKnown):
        return None


def may_span(outside: Optional[re.Pattern], text: str) -> bool:
    """Whether a regex whose every match spans the whole text can match `text`, by the class `outside` of the
    characters no match holds (span_class; None: any text may match). A final newline is not looked at."""
    return outside is None or outside.search(text, 0, len(text) - text.endswith("\n")) is None


def _span_items(seq: Sequence, c) -> list[str]:
    """Return class items for every character that parsed sequence `seq` can consume; zero-width items (anchors,
    lookarounds) consume none. Raise NotKnown on any other construct."""
    items: list[str] = []
    for op, av in seq:
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue
        if op is c.LITERAL or op is c.IN:
            items += _first_items([(op, av)], c)[0]
        elif op is c.SUBPATTERN:
            if av[1] or av[2]:  # (?i:...): its own flags
                raise NotKnown(op)
            items += _span_items(av[-1], c)
        elif op is c.ATOMIC_GROUP:
            items += _span_items(av, c)
        elif op is c.BRANCH:
            for branch in av[1]:
                items += _span_items(branch, c)
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
            items += _span_items(av[2], c)
        else:
            raise NotKnown(op)
    return items


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
    one when `backwards`, whether `seq` can match an empty text); `c` is re's constants. Raise NotKnown on
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
                    raise NotKnown(kind)
            return items, False
        if op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
            if op is c.SUBPATTERN and (av[1] or av[2]):  # (?i:...): its own flags
                raise NotKnown(op)
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
            raise NotKnown(op)
        items += sub
        if not nullable:
            return items, False
    return items, True


# Numbered back-references and conditionals (not an escaped "\(" before "?("): groups would renumber.
_COMBINE_UNSAFE = re.compile(r"\\[1-9]|(?<!\\)\(\?\(")


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
