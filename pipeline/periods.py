"""Period grammar: a date text becomes a first day, a last day and a precision.

The grammar (month names, seasons, financial-year rules, the forms and their ids) lives
in `rules/periods.yaml`; this module compiles it and resolves matches. Nothing depends
on today's date: a text with no year needs an explicit `anchor_year`.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Optional

from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Form(StrictModel):
    id: str
    pattern: str
    kind: str
    precision: str


class _Rule(StrictModel):
    id: str
    pattern: str


class _FYStart(StrictModel):
    month: int
    day: int


class _Settings(StrictModel):
    financial_year_start: _FYStart


class PeriodRules(StrictModel):
    version: int
    settings: _Settings
    months: dict[int, list[str]]
    seasons: dict[str, tuple[int, int]]
    parts_of_year: dict[str, tuple[int, int]]
    qualifiers: dict[str, str]
    tbc: _Rule
    forms: list[_Form]


@dataclass(frozen=True)
class Period:
    """A resolved period: what a date text names, as first and last day."""

    kind: str  # date, month, range, quarter, financial_quarter, financial_year, season, part_of_year, year, tbc
    start: Optional[date]
    end: Optional[date]
    precision: Optional[str]
    rule_id: str
    qualifier: Optional[str] = None
    is_tbc: bool = False


def _alt(words) -> str:
    """Regex alternation of `words`, longest first so 'sept' wins over 'sep'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


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
            "YEAR": r"(?P<year>(?:19|20)\d{2})",
            "YY": r"(?P<yy>(?:19|20)?\d{2})",
            "DAY": r"(?P<day>[0-3]?\d)",
            "QN": r"(?P<q>[1-4])",
        }
        self.forms = []
        for form in rules.forms:
            pattern = re.sub(r"\{([A-Z]+)\}", lambda m: slots[m.group(1)], form.pattern)
            self.forms.append((form, re.compile(pattern, re.IGNORECASE)))
        self.tbc = re.compile(rules.tbc.pattern, re.IGNORECASE)
        self.qualifier_re = re.compile(rf"^(?P<q>{_alt(rules.qualifiers)})\s+", re.IGNORECASE)
        self.fy_month = rules.settings.financial_year_start.month
        self.fy_day = rules.settings.financial_year_start.day

    # -- public API ---------------------------------------------------------
    def parse(self, text: str) -> Optional[Period]:
        """Return the Period that the whole of `text` names ('from March 2023', 'TBC'), or None."""
        value = text.strip().strip(".").strip()
        qualifier = None
        m = self.qualifier_re.match(value)
        if m:
            qualifier = self.rules.qualifiers[re.sub(r"\s+", " ", m.group("q").lower())]
            value = value[m.end():]
        if self.tbc.fullmatch(value):
            return Period("tbc", None, None, None, self.rules.tbc.id, qualifier, True)
        for form, regex in self.forms:
            fm = regex.fullmatch(value)
            if fm:
                period = self.resolve(form.kind, fm.groupdict(), form.id, form.precision)
                if period is not None:
                    return Period(period.kind, period.start, period.end, period.precision, period.rule_id, qualifier)
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

    def resolve(self, kind: str, g: dict, rule_id: str, precision: str) -> Optional[Period]:
        """Return the Period for one matched form's groups, or None when the values are impossible."""
        try:
            year = int(g["year"]) if g.get("year") else None
            if kind == "date":
                month = int(g["month_num"]) if g.get("month_num") else self.month_of[g["month"].lower().rstrip(".")]
                day = date(year, month, int(g["day"]))
                return Period(kind, day, day, precision, rule_id)
            if kind == "month":
                month = self.month_of[g["month"].lower()]
                return Period(kind, date(year, month, 1), _month_end(year, month), precision, rule_id)
            if kind == "range":
                m1, m2 = self.month_of[g["month"].lower()], self.month_of[g["month2"].lower()]
                first_year = year - 1 if m2 < m1 else year
                return Period(kind, date(first_year, m1, 1), _month_end(year, m2), precision, rule_id)
            if kind == "quarter":
                q = int(g["q"])
                return Period(kind, date(year, 3 * q - 2, 1), _month_end(year, 3 * q), precision, rule_id)
            if kind in ("financial_year", "financial_quarter"):
                yy = g.get("yy") or g.get("yy2")
                if yy is not None and int(yy) % 100 != (year + 1) % 100:
                    return None
                first, last = self.financial_year(year)
                if kind == "financial_year":
                    return Period(kind, first, last, precision, rule_id)
                q = int(g["q"])
                month0 = self.fy_month - 1 + 3 * (q - 1)
                qy, qm = year + month0 // 12, month0 % 12 + 1
                em = month0 + 2
                ey, emon = year + em // 12, em % 12 + 1
                return Period(kind, date(qy, qm, self.fy_day), _month_end(ey, emon), precision, rule_id)
            if kind == "season":
                first_m, last_m = self.rules.seasons[g["season"].lower()]
                start, end = self.months_span(year, first_m, last_m)
                return Period(kind, start, end, precision, rule_id)
            if kind == "part_of_year":
                first_m, last_m = self.rules.parts_of_year[re.sub(r"\s+", " ", g["part"].lower())]
                start, end = self.months_span(year, first_m, last_m)
                return Period(kind, start, end, precision, rule_id)
            if kind == "year":
                return Period(kind, date(year, 1, 1), date(year, 12, 31), precision, rule_id)
        except (ValueError, KeyError):
            return None
        raise ValueError(f"unknown period kind {kind!r} in rule {rule_id}")


def _check(rules: PeriodRules, problems: list[str]) -> None:
    unique_ids([f.id for f in rules.forms] + [rules.tbc.id], problems, "forms")
    known = {"date", "month", "range", "quarter", "financial_quarter", "financial_year", "season", "part_of_year", "year"}
    for form in rules.forms:
        if form.kind not in known:
            problems.append(f"{form.id}: unknown kind {form.kind!r}")
    slot = re.compile(r"\{(?!MONTH\}|MONTHRAW\}|SEASON\}|PART\}|YEAR\}|YY\}|DAY\}|QN\})([A-Z]+)\}")
    for form in rules.forms:
        if slot.search(form.pattern):
            problems.append(f"{form.id}: unknown placeholder in {form.pattern!r}")
    check_regexes({rules.tbc.id: rules.tbc.pattern}, problems, "tbc")


@lru_cache(maxsize=None)
def grammar() -> PeriodGrammar:
    """Return the process-wide compiled period grammar from rules/periods.yaml."""
    return PeriodGrammar(load_ruleset("periods.yaml", PeriodRules, _check))
