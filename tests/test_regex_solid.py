"""regex_solid: the most non-space characters a whole-text match can hold, read from the parsed pattern."""
import random
import re

import pytest

from pipeline.regex_solid import max_solid, max_solid_before, solid_cover, solid_fits


@pytest.mark.parametrize("pattern, flags, expected", [
    (r"^deadline:\s*\w{1,20}$", 0, 29),          # 9 + 20; \s* holds no solid character
    (r"^(?:due|by)\s+[A-Z][a-z]{0,8}\s+\d{4}$", 0, 3 + 1 + 8 + 4),
    (r"^a[ \t]+b$", 0, 2),                          # a class of white space only
    (r"^a\u00a0b$", 0, 3),                          # a no-break space is counted: it is not ASCII white space
    (r"^.{0,5}\Z", 0, 5),
    (r"^(?=x)x{2}$", 0, 2),                          # a look-ahead holds nothing
    (r"^a+$", 0, None),                             # unbounded
    (r"^(a)\1$", 0, None),                          # a back-reference: not known
    (r"^abc", 0, None),                             # a match need not span the text
    (r"^abc$", re.MULTILINE, None),
])
def test_max_solid(pattern, flags, expected):
    assert max_solid(re.compile(pattern, flags)) == expected


@pytest.mark.parametrize("pattern, group, expected", [
    (r"^\*{0,2}(?P<w>status)", "w", 2),
    (r"^(?:no|yes)\s+(?P<w>x)", "w", 3),
    (r"^(?:a(?P<w>x)|b)", "w", None),               # in a branch
    (r"^a*(?P<w>x)", "w", None),                    # after an unbounded repeat
    (r"^a(?P<w>x)", "missing", None),
])
def test_max_solid_before(pattern, group, expected):
    assert max_solid_before(re.compile(pattern), group) == expected


@pytest.mark.parametrize("text, count", [
    ("abc def ghi", 4), ("a  b  c  d  e  f", 3), ("   abc", 2), ("ab", 5), ("x" * 50, 10),
    ("a\u00a0\u00a0\u00a0\u00a0\u00a0b c", 2), ("é  é  é  é", 3),
])
def test_solid_cover_holds_the_first_count_solid_characters(text, count):
    end = solid_cover(text, count)
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    assert len([i for i in solid if i < end]) >= min(count, len(solid))


def test_max_solid_rules_out_only_texts_that_cannot_match():
    """A text with more solid characters than the bound never matches; shorter ones are left to the regex."""
    rng = random.Random(7)
    regex = re.compile(r"^(?:due|by)?\s*(?:[A-Z][a-z]{0,3}\s+)?\d{1,4}\s*[:.]?$", re.IGNORECASE)
    bound = max_solid(regex)
    assert bound == 3 + 4 + 4 + 1
    alphabet = "abDuey 19:.\u00a0\t\n"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        if not solid_fits(bound, text):
            assert regex.match(text) is None, text
