"""Number words (rules/numbers.yaml), compiled once: 'twenty-five' → 25, 'three hundred' → 300.

Shared by the period grammar and the quantity rules, so a number word means the same everywhere.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from .rules import StrictModel, load_ruleset


class NumberRuleFile(StrictModel):
    version: int
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    scale_suffixes: dict[str, int]


_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


class NumberWords:
    """Compiled number vocabulary with the parser that interprets it."""

    def __init__(self, data: NumberRuleFile):
        self.data = data
        self.small = {**data.units, **data.tens}
        self.scales = data.scales
        self.words = sorted(set(self.small) | set(self.scales), key=lambda w: (-len(w), w))

    def digits(self, text: str) -> Optional[float]:
        """Return the value of a written numeral ('12,000', '34.5'), or None."""
        t = text.strip()
        return float(t.replace(",", "")) if _DIGITS.match(t) else None

    def words_value(self, text: str) -> Optional[float]:
        """Return the value of a number in words ('twenty-five', 'three hundred and ten', 'a million'), or None.

        A group is [tens] [units], optionally times 'hundred'; a scale of a thousand or more closes the
        group. 'and' may only follow 'hundred' or a scale, a hyphen only join tens and units.
        """
        parts = re.findall(r"[a-z]+|-", text.lower())
        units, tens = self.data.units, self.data.tens
        total, group, last = 0.0, 0.0, None  # last: None, "unit", "ten", "hundred", "scale", "and", "-"
        for w in parts:
            if w == "-":
                if last != "ten":
                    return None
                last = "-"
            elif w == "and":
                if last not in ("hundred", "scale"):
                    return None
                last = "and"
            elif w in units:
                if last == "unit" or last in ("ten", "-") and units[w] >= 10:
                    return None
                group += units[w]
                last = "unit"
            elif w in tens:
                if last in ("unit", "ten", "-"):
                    return None
                group += tens[w]
                last = "ten"
            elif w in self.scales:
                if last in ("and", "-"):
                    return None
                if self.scales[w] == 100:
                    if last == "hundred":
                        return None
                    group = (group or 1) * 100
                    last = "hundred"
                else:
                    total += (group or 1) * self.scales[w]
                    group = 0.0
                    last = "scale"
            else:
                return None
        if last in (None, "and", "-"):
            return None
        return total + group

    def value(self, text: str) -> Optional[float]:
        """Return the value of digits or number words, or None."""
        v = self.digits(text)
        return v if v is not None else self.words_value(text)


@lru_cache(maxsize=None)
def number_words() -> NumberWords:
    """Return the process-wide compiled number words from rules/numbers.yaml."""
    return NumberWords(load_ruleset("numbers.yaml", NumberRuleFile))
