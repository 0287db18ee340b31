"""How many characters other than white space a match of a whole-text regex can hold, read from its parsed
pattern: a text with more of them cannot match ('Deadline: July 2023' is a line of a few words; a paragraph
of a hundred is ruled out by counting, not by the regex's backtracking over it).

The answer is exact or "not known" (None): the parser is `re`'s own, private one, so anything unexpected in
it means "not known" and costs only speed (as in pipeline/regex_shape.py).
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from .regex_shape import NotKnown, read_whole_text

# The ASCII characters str.isspace() (and so `re`'s \\s, and str.split()) takes as white space.
_ASCII_SPACES = bytes(c for c in range(128) if chr(c).isspace())
# White space that no case folding can make another character: a literal of it matches only itself.
_PLAIN_SPACES = frozenset(" \t\n\r\f\v")


def max_solid(regex: re.Pattern) -> Optional[int]:
    """Return the most characters other than white space a match of `regex.match` can hold when every such
    match spans the whole text (the pattern ends with '$' or '\\Z', not MULTILINE; '$' may leave out a final
    newline, which is white space); None when that is not so, not bounded or not known. See solid_fits."""
    return read_whole_text(regex, _solid)


def max_solid_before(regex: re.Pattern, group: str) -> Optional[int]:
    """Return the most characters other than white space that a match of `regex.match` can hold before named
    group `group` starts, when the group is on the pattern's one path (in no repeat, branch or look-around);
    None when it is not, or that is not bounded or not known."""
    gid = regex.groupindex.get(group)
    if gid is None:
        return None
    try:
        from re import _constants as c, _parser
        return _before(_parser.parse(regex.pattern, regex.flags), gid, c)
    except (ImportError, AttributeError, TypeError, ValueError, re.error, NotKnown):
        return None


def solid_cover(text: str, count: int) -> int:
    """Return an end `e` such that text[:e] holds the first `count` characters of `text` other than white space
    (all of them when it has fewer): twice `count` when that prefix holds them (a prose line does), else where
    the count-th ends."""
    if 2 * count >= len(text):
        return len(text)
    if _solid_count(text[:2 * count]) >= count:  # counted in a few C calls, not matched run by run
        return 2 * count
    return _SOLID_RUNS[count].match(text).end()


def _solid_count(text: str) -> int:
    """Return how many characters of `text` are not white space."""
    if text.isascii():  # (a flag of the string) white space deleted in one pass over its bytes
        return len(text.encode("ascii").translate(None, _ASCII_SPACES))
    return len("".join(text.split()))


class _SolidRuns(dict):
    """A regex for each count n: up to n characters other than white space, with the white space between them."""

    def __missing__(self, n: int) -> re.Pattern:
        """Return (and keep) the regex for `n`."""
        regex = self[n] = re.compile(r"(?:\s*\S){0,%d}" % n)
        return regex


_SOLID_RUNS = _SolidRuns()


def solid_fits(bound: Optional[int], text: str) -> bool:
    """Whether `text` holds at most `bound` characters other than white space (max_solid; None: no bound)."""
    return bound is None or len(text) <= bound or _solid_count(text) <= bound


def _only_space(op, av, c) -> bool:
    """Whether one-character item (op, av) matches white space only (\\s, or an ASCII white-space character as written)."""
    if op is c.LITERAL:
        return chr(av) in _PLAIN_SPACES
    if op is c.IN:
        return all(kind is c.CATEGORY and value in (c.CATEGORY_SPACE, c.CATEGORY_UNI_SPACE)
                   or kind is c.LITERAL and chr(value) in _PLAIN_SPACES for kind, value in av)
    return False


def _before(seq: Sequence, gid: int, c) -> int:
    """Return the most characters other than white space that parsed sequence `seq` consumes before group `gid`
    starts; raise NotKnown when the group is not on its one path."""
    total = 0
    for op, av in seq:
        if op is c.SUBPATTERN and av[0] == gid:
            return total
        if op is c.SUBPATTERN and _holds(av[-1], gid, c):
            return total + _before(av[-1], gid, c)
        if _holds([(op, av)], gid, c):
            raise NotKnown(op)  # in a repeat, a branch or a look-around
        total += _solid([(op, av)], c)
    raise NotKnown(gid)


def _holds(seq: Sequence, gid: int, c) -> bool:
    """Whether parsed sequence `seq` holds group `gid` anywhere; raise NotKnown on a construct not read here."""
    for op, av in seq:
        if op is c.SUBPATTERN:
            if av[0] == gid or _holds(av[-1], gid, c):
                return True
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
            if _holds(av[2], gid, c):
                return True
        elif op is c.BRANCH:
            if any(_holds(branch, gid, c) for branch in av[1]):
                return True
        elif op is c.ATOMIC_GROUP:
            if _holds(av, gid, c):
                return True
        elif op is c.ASSERT or op is c.ASSERT_NOT:
            if _holds(av[1], gid, c):
                return True
        elif op is c.GROUPREF_EXISTS:
            raise NotKnown(op)
    return False


def _solid(seq: Sequence, c) -> int:
    """Return the most characters other than white space that parsed sequence `seq` can consume; raise
    NotKnown on an unbounded one or on any construct not read here."""
    total = 0
    for op, av in seq:
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue  # zero-width
        if op is c.LITERAL or op is c.NOT_LITERAL or op is c.IN or op is c.ANY:
            total += 0 if _only_space(op, av, c) else 1
        elif op is c.SUBPATTERN:
            total += _solid(av[-1], c)
        elif op is c.ATOMIC_GROUP:
            total += _solid(av, c)
        elif op is c.BRANCH:
            total += max(_solid(branch, c) for branch in av[1])
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
            body = _solid(av[2], c)
            if body and av[1] == c.MAXREPEAT:
                raise NotKnown(op)
            total += body * av[1] if body else 0
        else:
            raise NotKnown(op)
    return total
