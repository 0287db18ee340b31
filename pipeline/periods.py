"""Period grammar: a date text becomes a first day, a last day and a precision.

The grammar (month names, seasons, financial-year rules, the forms and their ids) lives
in `rules/periods.yaml`; this module compiles it and resolves matches. It is the one
normaliser of periods: milestone date lines and mentions in prose both go through `parse`.
Nothing depends on today's date: a text with no year ("17 May", "Q3") needs a context
period or a publication date, and a relative text ("the next 3 years") the publication date.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, Optional, Union

from pydantic import ConfigDict, Field

from .numbers import number_words
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Form(StrictModel):
    id: str
    pattern: str
    kind: str
    precision: str
    resolver: Optional[str] = None
    anchor: Literal["none", "context", "publication"] = "none"
    qualified: bool = False  # the form names a period only after a qualifier ("from April", not "April")


class _Rule(StrictModel):
    id: str
    pattern: str


class _FYStart(StrictModel):
    month: int
    day: int


class _Settings(StrictModel):
    financial_year_start: _FYStart
    century: int  # the century of a two-digit year ("FY22/23", "Mar-22")


class _Qualifier(StrictModel):
    """A qualifier phrase that only qualifies some kinds of period ("on" a day)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    as_: str = Field(alias="as")
    kinds: list[str]


class _Unit(StrictModel):
    months: Optional[int] = None
    days: Optional[int] = None
    precision: str
    plural: bool = False


class _Weeks(StrictModel):
    words: list[str]  # the words before a day that name the week starting on it ("w/c")
    days: int


class _EndOf(StrictModel):
    id: str
    pattern: str  # the lead words, matched at the start of the text
    kinds: list[str]  # the kinds of period the rest must name


class _Relative(StrictModel):
    units: dict[str, _Unit]
    directions: dict[str, Literal["forward", "backward"]]
    deictic: dict[str, int]


class PeriodRules(StrictModel):
    version: int
    settings: _Settings
    months: dict[int, list[str]]
    seasons: dict[str, tuple[int, int]]
    parts_of_year: dict[str, tuple[int, int]]
    parts_of_month: dict[str, tuple[int, int]]
    week_commencing: _Weeks
    qualifiers: dict[str, Union[str, _Qualifier]]
    suffix_qualifiers: dict[str, str]
    suffix_overrides: list[str]
    end_of: _EndOf
    parts_of_decade: dict[str, tuple[int, int]]
    quarter_ordinals: dict[str, int]
    bare_quarter: Literal["financial", "calendar"]
    relative: _Relative
    tbc: _Rule
    forms: list[_Form]


@dataclass(frozen=True)
class Period:
    """A resolved period: what a date text names, as first and last day."""

    # kind: date, part_of_month, month, range, quarter, financial_quarter, financial_year, season, part_of_year,
    # year, tbc
    kind: str
    start: Optional[date]
    end: Optional[date]
    precision: Optional[str]
    rule_id: str
    qualifier: Optional[str] = None
    is_tbc: bool = False
    is_relative: bool = False
    resolution: str = "explicit"  # explicit, paragraph_context or publication_date


# The characters other than ASCII letters that `re` matches to an ASCII letter ignoring case (these four, over every
# code point), though lower() does not make them that letter: 'İ'.lower() is two characters, 'ı' and 'ſ' stay as they
# are. A rule's words are looked up as the regex read them, not as a KeyError.
_CASE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(matched: str) -> str:
    """Return the lower-case key of words that a case-insensitive rule matched: the word as the regex read it."""
    return matched.translate(_CASE_FOLD).lower()


def _alt(words) -> str:
    """Regex alternation of `words`, longest first so 'sept' wins over 'sep'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """Return `day` moved by `months` calendar months, clamped to the end of a shorter month."""
    m0 = day.year * 12 + day.month - 1 + months
    year, month = divmod(m0, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class PeriodGrammar:
    """Compiled period forms; `parse` resolves a whole date text to a Period."""

    def __init__(self, rules: PeriodRules):
        self.rules = rules
        self.month_of = {name: num for num, names in rules.months.items() for name in names}
        month_raw = _alt(self.month_of)
        slots = {
            "MONTH": f"(?P<month>{month_raw})",
            "MONTHRAW": month_raw,
            "SEASON": f"(?P<season>{_alt(rules.seasons)})",
            "PART": f"(?P<part>{_alt(rules.parts_of_year)})",
            "MPART": f"(?P<mpart>{_alt(rules.parts_of_month)})",
            "WEEK": f"(?:the\\s+)?(?:{_alt(rules.week_commencing.words)})",
            "DPART": f"(?P<dpart>{_alt(rules.parts_of_decade)})",
            "YEAR": r"(?P<year>(?:19|20)\d{2})",
            "YEAR2": r"(?P<year2>(?:19|20)\d{2})",
            "YY": r"(?P<yy>(?:19|20)?\d{2})",
            "YY1": r"(?P<yy1>\d{2})",
            "HN": r"(?P<half>[12])",
            "DAY": r"(?P<day>[0-3]?\d)",
            "DAY2": r"(?P<day2>[0-3]?\d)",
            "MONTH2": f"(?P<month2>{month_raw})",
            "BETWEEN": r"(?P<between>between\s+)?",
            "AND": r"(?(between)\s+and\s+|\s*(?:to|-|–|—|until)\s*)",
            "QN": r"(?P<q>[1-4])",
            "N": rf"(?P<n>\d+|{_alt(number_words().small)})",
            "UNIT": f"(?P<unit>{_alt(rules.relative.units)})",
            "DIR": f"(?P<dir>{_alt(rules.relative.directions)})",
            "THIS": f"(?P<this>{_alt(rules.relative.deictic)})",
        }
        self.forms = []
        for form in rules.forms:
            pattern = re.sub(r"\{([A-Z][A-Z0-9]*)\}", lambda m: slots[m.group(1)], form.pattern)
            self.forms.append((form, re.compile(pattern, re.IGNORECASE)))
        self.tbc = re.compile(rules.tbc.pattern, re.IGNORECASE)
        self.qualifier_re = re.compile(rf"^(?P<q>{_alt(rules.qualifiers)})\s+", re.IGNORECASE)
        self.suffix_re = re.compile(rf"\s+(?P<q>{_alt(rules.suffix_qualifiers)})$", re.IGNORECASE)
        self.end_of_re = re.compile(rules.end_of.pattern, re.IGNORECASE)
        self.ordinal_quarter_re = re.compile(rf"^(?:the\s+)?(?P<o>{_alt(rules.quarter_ordinals)})\s+quarter\b", re.IGNORECASE)
        self.fy_month = rules.settings.financial_year_start.month
        self.fy_day = rules.settings.financial_year_start.day
        self._cache: dict = {}

    # -- public API ---------------------------------------------------------
    def parse(self, text: str, context: Optional[tuple[date, date]] = None,
              published: Optional[date] = None) -> Optional[Period]:
        """Return the Period that the whole of `text` names ('from March 2023', 'TBC'), or None.

        `context` is the period of another dated expression nearby (the same paragraph) and
        `published` the publication date; forms that need them match only when they are given.
        """
        key = (text, context, published)
        if key not in self._cache:  # a plan repeats its dates ("March 2022" forty times)
            self._cache[key] = self._parse(text, context, published)
        return self._cache[key]

    def _parse(self, text: str, context: Optional[tuple[date, date]], published: Optional[date]) -> Optional[Period]:
        value = text.strip().strip(".").strip()
        qualifier, only_kinds = None, None
        m = self.qualifier_re.match(value)
        if m:
            qualifier = self.rules.qualifiers[re.sub(r"\s+", " ", _fold(m.group("q")))]
            if isinstance(qualifier, _Qualifier):
                qualifier, only_kinds = qualifier.as_, qualifier.kinds
            value = value[m.end():]
        sm = self.suffix_re.search(value)
        if sm:
            suffix = self.rules.suffix_qualifiers[re.sub(r"\s+", " ", _fold(sm.group("q")))]
            if qualifier is not None and qualifier != suffix and qualifier not in self.rules.suffix_overrides:
                return None  # "by June 2022 onwards" says two things
            qualifier, value = suffix, value[:sm.start()]
        if self.tbc.fullmatch(value):
            return Period("tbc", None, None, None, self.rules.tbc.id, qualifier, True)
        period = self.read(value, qualifier, only_kinds, context, published)
        if period is None:
            period = self.read_end_of(value, qualifier, only_kinds, context, published)
        return period

    def read_end_of(self, value: str, qualifier: Optional[str], only_kinds: Optional[list[str]],
                    context: Optional[tuple[date, date]], published: Optional[date]) -> Optional[Period]:
        """Return the period that "end of <period>" names (the period itself, rules end_of), or None."""
        em = self.end_of_re.match(value)
        if not em or em.end() == len(value):
            return None
        period = self.read(value[em.end():], qualifier, only_kinds, context, published)
        if period is None or period.kind not in self.rules.end_of.kinds:
            return None
        return replace(period, rule_id=self.rules.end_of.id)

    def read(self, value: str, qualifier: Optional[str], only_kinds: Optional[list[str]],
             context: Optional[tuple[date, date]], published: Optional[date]) -> Optional[Period]:
        """Return the Period of the first form that reads the whole of `value` (its qualifiers already stripped
        into `qualifier`), or None."""
        om = self.ordinal_quarter_re.match(value)
        if om:
            value = f"quarter {self.rules.quarter_ordinals[_fold(om.group('o'))]}" + value[om.end():]
        for form, regex in self.forms:
            if form.anchor == "publication" and published is None:
                continue
            if form.anchor == "context" and context is None and published is None:
                continue
            if form.qualified and qualifier is None:
                continue
            fm = regex.fullmatch(value)
            if not fm:
                continue
            if form.anchor == "none":
                anchor, resolution = None, "explicit"
            elif form.anchor == "context" and context is not None:
                anchor, resolution = context, "paragraph_context"
            else:
                anchor, resolution = (published, published), "publication_date"
            period = self.resolve(form.resolver or form.kind, fm.groupdict(), form.id, form.precision, anchor)
            if period is not None and only_kinds is not None and period.kind not in only_kinds:
                return None  # "build on the 2020 to 2021 financial year": not a time preposition
            if period is not None:
                return Period(period.kind, period.start, period.end, period.precision, period.rule_id, qualifier,
                              is_relative=form.anchor == "publication", resolution=resolution)
        return None

    def financial_year(self, start_year: int) -> tuple[date, date]:
        """Return the first and last day of the financial year starting in `start_year`."""
        first = date(start_year, self.fy_month, self.fy_day)
        last = date(start_year + 1, self.fy_month, self.fy_day).toordinal() - 1
        return first, date.fromordinal(last)

    def financial_year_of(self, day: date) -> int:
        """Return the start year of the financial year containing `day`."""
        return day.year if (day.month, day.day) >= (self.fy_month, self.fy_day) else day.year - 1

    def months_span(self, year: int, first_month: int, last_month: int) -> tuple[date, date]:
        """Return first and last day of months first..last; a wrap (12..2) ends next year."""
        end_year = year + 1 if last_month < first_month else year
        return date(year, first_month, 1), _month_end(end_year, last_month)

    def resolve(self, kind: str, g: dict, rule_id: str, precision: str,
                anchor: Optional[tuple[date, date]] = None) -> Optional[Period]:
        """Return the Period for one matched form's groups, or None when the values are impossible.

        `kind` names the resolver; `anchor` is the (first, last) day that a form without a year,
        or a relative form, takes its time from.
        """
        try:
            year = int(g["year"]) if g.get("year") else None
            if year is None and g.get("yy1"):
                year = self.rules.settings.century + int(g["yy1"])
            month = None
            if g.get("month_num") or g.get("month"):
                month = int(g["month_num"]) if g.get("month_num") else self.month_of[_fold(g["month"]).rstrip(".")]
            if kind == "date":
                if year is None:
                    year = self.year_within(anchor, month, int(g["day"]))
                day = date(year, month, int(g["day"]))
                return Period(kind, day, day, precision, rule_id)
            if kind == "month":
                if year is None:
                    year = self.year_within(anchor, month)
                return Period(kind, date(year, month, 1), _month_end(year, month), precision, rule_id)
            if kind == "part_of_month":
                if year is None:
                    year = self.year_within(anchor, month)
                first, last = self.rules.parts_of_month[re.sub(r"\s+", " ", _fold(g["mpart"]))]
                end = min(date(year, month, 1) + timedelta(days=last - 1), _month_end(year, month))
                return Period(kind, date(year, month, first), end, precision, rule_id)
            if kind == "week":
                if year is None:
                    year = self.year_within(anchor, month, int(g["day"]))
                first = date(year, month, int(g["day"]))
                return Period("range", first, first + timedelta(days=self.rules.week_commencing.days - 1), precision,
                              rule_id)
            if kind == "day_range":
                return self.day_range(g, year, month, precision, rule_id, anchor)
            if kind == "range":
                m1, m2 = self.month_of[_fold(g["month"])], self.month_of[_fold(g["month2"])]
                first_year = year - 1 if m2 < m1 else year
                return Period(kind, date(first_year, m1, 1), _month_end(year, m2), precision, rule_id)
            if kind == "month_year_range":
                m1, m2 = self.month_of[_fold(g["month"])], self.month_of[_fold(g["month2"])]
                start, end = date(year, m1, 1), _month_end(int(g["year2"]), m2)
                return Period("range", start, end, precision, rule_id) if start <= end else None
            if kind == "year_range_short":
                # "2022-25": the end year in the start's century; a consecutive pair ("2022-23") is a financial year
                year2 = year // 100 * 100 + int(g["yy2"])
                return Period("range", date(year, 1, 1), date(year2, 12, 31), precision, rule_id) if year2 > year + 1 \
                    else None
            if kind == "year_range":
                year2 = int(g["year2"])
                return Period("range", date(year, 1, 1), date(year2, 12, 31), precision, rule_id) if year < year2 else None
            if kind == "financial_year_range":
                year2 = int(g["year2"])
                if year2 <= year:
                    return None
                return Period("range", self.financial_year(year)[0], self.financial_year(year2 - 1)[1], precision, rule_id)
            if kind == "decade":
                decade = int(g["decade"])
                first, last = self.rules.parts_of_decade[_fold(g["dpart"])] if g.get("dpart") else (0, 9)
                return Period("range", date(decade + first, 1, 1), date(decade + last, 12, 31), precision, rule_id)
            if kind == "quarter":
                q = int(g["q"])
                return Period(kind, date(year, 3 * q - 2, 1), _month_end(year, 3 * q), precision, rule_id)
            if kind == "bare_quarter":
                if self.rules.bare_quarter == "financial":
                    return self.financial_quarter(self.financial_year_of(anchor[0]), int(g["q"]), precision, rule_id)
                return self.resolve("quarter", {"q": g["q"], "year": str(anchor[0].year)}, rule_id, precision)
            if kind in ("financial_year", "financial_quarter"):
                if not self.pair_follows(year, g):
                    return None
                first, last = self.financial_year(year)
                if kind == "financial_year":
                    return Period(kind, first, last, precision, rule_id)
                return self.financial_quarter(year, int(g["q"]), precision, rule_id)
            if kind in ("half", "financial_half"):
                half = int(g["half"])
                if kind == "half":
                    start, end = self.months_span(year, 6 * half - 5, 6 * half)
                    return Period("part_of_year", start, end, precision, rule_id)
                if not self.pair_follows(year, g):
                    return None
                first = add_months(self.financial_year(year)[0], 6 * (half - 1))
                return Period("part_of_year", first, add_months(first, 6) - timedelta(days=1), precision, rule_id)
            if kind == "financial_year_season":
                # "winter 2021/22": the season's occurrence that lies wholly inside the financial year
                if not self.pair_follows(year, g):
                    return None
                first_m, last_m = self.rules.seasons[_fold(g["season"])]
                fy_first, fy_last = self.financial_year(year)
                for y in (year, year + 1):
                    start, end = self.months_span(y, first_m, last_m)
                    if fy_first <= start and end <= fy_last:
                        return Period("season", start, end, precision, rule_id)
                return None
            if kind == "season":
                first_m, last_m = self.rules.seasons[_fold(g["season"])]
                start, end = self.months_span(year, first_m, last_m)
                return Period(kind, start, end, precision, rule_id)
            if kind == "part_of_year":
                first_m, last_m = self.rules.parts_of_year[re.sub(r"\s+", " ", _fold(g["part"]))]
                start, end = self.months_span(year, first_m, last_m)
                return Period(kind, start, end, precision, rule_id)
            if kind == "year":
                return Period(kind, date(year, 1, 1), date(year, 12, 31), precision, rule_id)
            if kind in ("relative_span", "relative_unit", "relative_financial_year", "relative_part_of_year",
                        "relative_season"):
                return self.relative(kind, g, rule_id, precision, anchor[0])
        except (ValueError, KeyError, TypeError):
            return None
        raise ValueError(f"unknown period kind {kind!r} in rule {rule_id}")

    def day_range(self, g: dict, year: Optional[int], month: Optional[int], precision: str, rule_id: str,
                  anchor: Optional[tuple[date, date]]) -> Optional[Period]:
        """Return the range from the first day to the last, or None when the last is not after the first.

        The first day may leave out what it shares with the last: its month is then the last day's, and its
        year the last day's, or the year before when its month is later in the year than the last day's
        ("1 December to 31 January 2023" starts in 2022). A last day with no year takes it from `anchor`.
        """
        month2 = int(g["month_num2"]) if g.get("month_num2") else self.month_of[_fold(g["month2"])]
        day2 = int(g["day2"])
        year2 = int(g["year2"]) if g.get("year2") else self.year_within(anchor, month2, day2)
        month = month or month2
        if year is None:
            year = year2 - 1 if month > month2 else year2
        start, end = date(year, month, int(g["day"])), date(year2, month2, day2)
        return Period("range", start, end, precision, rule_id) if start < end else None

    @staticmethod
    def pair_follows(year: int, g: dict) -> bool:
        """Whether the second year of a financial-year pair ("2021/22", "22/23"), if written, is the year after `year`."""
        yy = g.get("yy") or g.get("yy2")
        return yy is None or int(yy) % 100 == (year + 1) % 100

    def financial_quarter(self, start_year: int, q: int, precision: str, rule_id: str) -> Period:
        """Return quarter `q` (1-4) of the financial year starting in `start_year`."""
        month0 = self.fy_month - 1 + 3 * (q - 1)
        qy, qm = start_year + month0 // 12, month0 % 12 + 1
        em = month0 + 2
        ey, emon = start_year + em // 12, em % 12 + 1
        return Period("financial_quarter", date(qy, qm, self.fy_day), _month_end(ey, emon), precision, rule_id)

    def year_within(self, anchor: tuple[date, date], month: int, day: Optional[int] = None) -> int:
        """Return the year that puts day/month (or the whole month) inside the anchor period, else the
        year of its nearest occurrence to the period ('on 19 July' published 1 December 2021 is 2021,
        'from April' is 2022)."""
        first, last = anchor

        def span(year: int) -> Optional[tuple[date, date]]:
            try:
                return (date(year, month, day), date(year, month, day)) if day else (date(year, month, 1),
                                                                                    _month_end(year, month))
            except ValueError:
                return None

        def distance(year: int) -> int:
            sp = span(year)
            if sp is None:
                return 10 ** 6
            return max(0, first.toordinal() - sp[1].toordinal(), sp[0].toordinal() - last.toordinal())

        return min(range(first.year - 1, last.year + 2), key=lambda y: (distance(y), y))

    def relative(self, kind: str, g: dict, rule_id: str, precision: str, anchor: date) -> Optional[Period]:
        """Return the Period of a relative text, counted from the `anchor` day (the publication date)."""
        rel = self.rules.relative
        if kind == "relative_span":
            unit = rel.units[_fold(g["unit"])]
            if not g.get("n") and unit.plural:
                return None
            n = int(number_words().value(g["n"])) if g.get("n") else 1
            if n < 1:
                return None
            if rel.directions[_fold(g["dir"])] == "forward":
                start = anchor
                end = (add_months(anchor, n * unit.months) if unit.months else anchor + timedelta(days=n * unit.days))
                end -= timedelta(days=1)
            else:
                end = anchor - timedelta(days=1)
                start = add_months(anchor, -n * unit.months) if unit.months else anchor - timedelta(days=n * unit.days)
            return Period("range", start, end, unit.precision if precision == "from_unit" else precision, rule_id)
        offset = rel.deictic[re.sub(r"\s+", " ", _fold(g["this"]))]
        if kind == "relative_season":
            return self.relative_season(_fold(g["season"]), offset, anchor, precision, rule_id)
        if kind == "relative_financial_year":
            first, last = self.financial_year(self.financial_year_of(anchor) + offset)
            return Period("financial_year", first, last, precision, rule_id)
        if kind == "relative_part_of_year":
            first_m, last_m = self.rules.parts_of_year[re.sub(r"\s+", " ", _fold(g["part"]))]
            start, end = self.months_span(anchor.year + offset, first_m, last_m)
            return Period("part_of_year", start, end, precision, rule_id)
        unit = _fold(g["unit"])
        if unit == "year":
            y = anchor.year + offset
            return Period("year", date(y, 1, 1), date(y, 12, 31), "year", rule_id)
        if unit == "month":
            first = add_months(date(anchor.year, anchor.month, 1), offset)
            return Period("month", first, _month_end(first.year, first.month), "month", rule_id)
        if self.rules.bare_quarter == "financial":
            fy = self.financial_year_of(anchor)
            months_in = (anchor.year * 12 + anchor.month - 1) - (fy * 12 + self.fy_month - 1)
            q0 = months_in // 3 + offset
            return self.financial_quarter(fy + q0 // 4, q0 % 4 + 1, "quarter", rule_id)
        q0 = (anchor.month - 1) // 3 + offset
        y, q = anchor.year + q0 // 4, q0 % 4 + 1
        return Period("quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", rule_id)


    def relative_season(self, season: str, offset: int, anchor: date, precision: str, rule_id: str) -> Period:
        """Return the occurrence of `season` that `offset` names from the `anchor` day: 0 the one holding the anchor
        (else the nearest to it), n > 0 the n-th starting after it, n < 0 the n-th ending before it."""
        first_m, last_m = self.rules.seasons[season]
        reach = abs(offset) + 2
        spans = [self.months_span(y, first_m, last_m) for y in range(anchor.year - reach, anchor.year + reach + 1)]
        if offset > 0:
            start, end = [s for s in spans if s[0] > anchor][offset - 1]
        elif offset < 0:
            start, end = [s for s in spans if s[1] < anchor][offset]
        else:
            start, end = min(spans, key=lambda s: max(0, (s[0] - anchor).days, (anchor - s[1]).days))
        return Period("season", start, end, precision, rule_id)


_RESOLVERS = {"date", "month", "range", "quarter", "financial_quarter", "financial_year", "season", "part_of_year",
              "year", "month_year_range", "year_range", "financial_year_range", "decade", "bare_quarter",
              "year_range_short", "half", "financial_half", "financial_year_season",
              "relative_span", "relative_unit", "relative_financial_year", "relative_part_of_year",
              "part_of_month", "week", "day_range", "relative_season"}
_KINDS = {"date", "month", "range", "quarter", "financial_quarter", "financial_year", "season", "part_of_year",
          "part_of_month", "year"}
_PLACEHOLDERS = ("MONTH", "MONTHRAW", "SEASON", "PART", "MPART", "WEEK", "DPART", "YEAR", "YEAR2", "YY", "YY1", "HN", "DAY", "QN", "N",
                 "UNIT", "DIR", "THIS", "DAY2", "MONTH2", "BETWEEN", "AND")


def _check(rules: PeriodRules, problems: list[str]) -> None:
    for form in rules.forms:
        if form.kind not in _KINDS:
            problems.append(f"{form.id}: unknown kind {form.kind!r}")
        if (form.resolver or form.kind) not in _RESOLVERS:
            problems.append(f"{form.id}: unknown resolver {form.resolver!r}")
        for name in re.findall(r"\{([A-Z][A-Z0-9]*)\}", form.pattern):
            if name not in _PLACEHOLDERS:
                problems.append(f"{form.id}: unknown placeholder {{{name}}} in {form.pattern!r}")
    for name, (first, last) in rules.parts_of_month.items():
        if not 1 <= first <= last <= 31:
            problems.append(f"parts_of_month.{name}: days {first}..{last} are not within 1..31 in order")
    if rules.week_commencing.days < 1:
        problems.append("week_commencing.days: a week has at least one day")
    for q in rules.suffix_overrides:
        if q not in {v if isinstance(v, str) else v.as_ for v in rules.qualifiers.values()}:
            problems.append(f"suffix_overrides: {q!r} is no qualifier that qualifiers give")
    for kind in rules.end_of.kinds:
        if kind not in _KINDS:
            problems.append(f"end_of.kinds: unknown kind {kind!r}")
    unique_ids([f.id for f in rules.forms] + [rules.tbc.id, rules.end_of.id], problems, "forms")
    for name, unit in rules.relative.units.items():
        if (unit.months is None) == (unit.days is None):
            problems.append(f"relative.units.{name}: give exactly one of months or days")
    check_regexes({rules.tbc.id: rules.tbc.pattern, rules.end_of.id: rules.end_of.pattern}, problems, "tbc, end_of",
                  re.IGNORECASE)


@lru_cache(maxsize=None)
def grammar() -> PeriodGrammar:
    """Return the process-wide compiled period grammar from rules/periods.yaml."""
    return PeriodGrammar(load_ruleset("periods.yaml", PeriodRules, _check))
