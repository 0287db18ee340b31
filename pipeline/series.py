"""Versions: documents of one plan (same plan_id) grouped into a series ordered by version date.

A version's date is its 'Last updated …' date when the text states one (rule
diff.series.updated), else its publication date. Order within a series: dated versions
by date, then undated ones; ties (and undated versions) in doc_id order, since a file
stem usually carries the version's date. Both cases are reported as warnings, because
the order they get is a guess. Each version is compared with the one before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from .diff_rules import DiffRules, diff_rules
from .document import Finding
from .models import DocumentRow


@dataclass(frozen=True)
class Series:
    """The versions of one plan, oldest first, with the date each was ordered by."""

    plan_id: str
    versions: tuple[DocumentRow, ...]
    version_dates: tuple[Optional[date], ...]

    def pairs(self) -> list[tuple[DocumentRow, DocumentRow]]:
        """Return the consecutive (previous, next) version pairs."""
        return list(zip(self.versions, self.versions[1:]))


def plan_key(title: str, rules: Optional[DiffRules] = None) -> str:
    """Return the plan_id of a document titled `title`: a slug of it without the words naming the edition."""
    from .milestones import slug

    rules = rules or diff_rules()
    key = slug(rules.title_edition_re.sub(" ", title))
    return key if key != "untitled" else slug(title)  # a title that is all edition words stays itself


def version_date(doc: DocumentRow, rules: Optional[DiffRules] = None) -> Optional[date]:
    """Return the date a version is ordered by: its 'updated' date when stated, else its publication date."""
    from .load import find_published

    rules = rules or diff_rules()
    updated = find_published(doc.text, rules.updated_re, rules.series.max_lines)
    if updated is not None and (doc.published_date is None or updated >= doc.published_date):
        return updated
    return doc.published_date


def group_series(documents: Iterable[DocumentRow], rules: Optional[DiffRules] = None,
                 dates: Optional[dict[str, Optional[date]]] = None) -> list[Series]:
    """Return one Series per plan_id (sorted by plan_id), versions oldest first.

    `dates` gives each version's date when it was worked out already (then the documents'
    text is not read); otherwise it comes from `version_date`.
    """
    by_plan: dict[str, list[tuple[Optional[date], DocumentRow]]] = {}
    for doc in documents:
        when = dates[doc.doc_id] if dates is not None else version_date(doc, rules)
        by_plan.setdefault(doc.plan_id, []).append((when, doc))
    out = []
    for plan_id in sorted(by_plan):
        ordered = sorted(by_plan[plan_id], key=lambda v: (v[0] is None, v[0] or date.min, v[1].doc_id))
        out.append(Series(plan_id, tuple(d for _, d in ordered), tuple(v for v, _ in ordered)))
    return out


def series_findings(series: Series) -> list[tuple[str, Finding]]:
    """Return (doc_id, finding) for every version whose place in its series is a guess."""
    if len(series.versions) < 2:
        return []
    rule = diff_rules().series.id
    out = []
    for i, (doc, when) in enumerate(zip(series.versions, series.version_dates)):
        if when is None:
            out.append((doc.doc_id, Finding(
                "warning", "undated_version",
                f"version of plan {series.plan_id!r} has no publication date: placed after the dated versions, "
                f"in doc_id order", rule_id=rule)))
        elif i > 0 and series.version_dates[i - 1] == when:
            out.append((doc.doc_id, Finding(
                "warning", "same_version_date",
                f"{series.versions[i - 1].doc_id} and {doc.doc_id} are both dated {when.isoformat()}: "
                f"ordered by doc_id", rule_id=rule)))
    return out
