"""Milestone tables: which tables of a page or Markdown file list milestones, and the prose each row reads as.

A plan may set its milestones out as a table (a description column, a date column, maybe a
status column) instead of the prose form the segmenter reads: the description as a paragraph,
then a 'Date: March 2022' line, a flag such as '(complete)' at its end. The loaders
(pipeline/html.py, pipeline/markdown.py) write each row of such a table in that prose form, so
the segment and milestone stages read tables and prose alike and need no table logic.

The column rules (`milestone_tables` in rules/html.yaml and rules/markdown.yaml) name the
header words of each column; a table whose header names no description column and no date
column is not a milestone table and is read as it always was.

What documents.text holds for a row (it is the normalised rendering of the source, not the raw
file): the description cell's text; each other named cell as 'Header: text'; then the date line,
'<label>: <date cell>' with the status cell appended as a flag '(<status>)'. The label is the date
column's header when it is itself a date label the structure rules read ('Due date'), else
`date_label`. A date cell of several lines is a target list: `dates_label`, then its lines. The
header row itself is not written: its words are the labels. Every line written for a row keeps
the raw lines of the row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Literal, Optional

from .rules import StrictModel, check_regexes, unique_ids

ROLES = ("description", "date", "status")


class _Column(StrictModel):
    id: str
    role: Literal["description", "date", "status"]
    header: str  # regex, matched case-insensitively against the whole header cell (a closing colon left out)


class MilestoneTableRules(StrictModel):
    id: str
    columns: list[_Column]
    date_label: str
    dates_label: str
    # How many rows from the top may hold the header: a title row spanning the columns may stand above it.
    header_search_rows: int = 1


@dataclass(frozen=True)
class Column:
    """A column of a milestone table: its position, role, header text and the rule that named it."""

    index: int
    role: str
    header: str
    rule_id: str


@dataclass(frozen=True)
class TableSpec:
    """The columns of one milestone table: description and date always, status when the header names one."""

    description: Column
    date: Column
    status: Optional[Column]
    others: tuple[Column, ...]  # columns the rules do not name ("Owner"): written as 'Header: text'
    rule_id: str

    def role_of(self, index: int) -> Optional[Column]:
        """Return the column at position `index`, or None past the header's last."""
        for col in (self.description, self.date, self.status, *self.others):
            if col is not None and col.index == index:
                return col
        return None


_CLOSING = re.compile(r"\s*[:：]\s*$")


class MilestoneTable:
    """Compiled milestone-table rules of one format."""

    def __init__(self, data: MilestoneTableRules):
        self.data = data
        self.columns = tuple((c, re.compile(c.header, re.IGNORECASE)) for c in data.columns)

    def spec(self, headers: list[str]) -> Optional[TableSpec]:
        """Return the TableSpec of a table whose header cells are `headers`, or None when they name no
        description column and no date column (not a milestone table)."""
        found: dict[str, Column] = {}
        others: list[Column] = []
        for i, text in enumerate(headers):
            head = _CLOSING.sub("", " ".join(text.split()))
            for rule, regex in self.columns:
                if rule.role not in found and regex.fullmatch(head):
                    found[rule.role] = Column(i, rule.role, head, rule.id)
                    break
            else:
                if head:
                    others.append(Column(i, "other", head, self.data.id))
        if "description" not in found or "date" not in found:
            return None
        return TableSpec(found["description"], found["date"], found.get("status"), tuple(others), self.data.id)

    def find_header(self, rows: Iterable[list[str]]) -> Optional[tuple[int, TableSpec, list[str]]]:
        """Return (its index, its columns, its cells) for the first of a table's rows (each its cells' texts,
        read as they are asked for), among the first `header_search_rows`, that is a milestone table's
        header; None when none is. The rows above it are the table's text (a title)."""
        for k, headers in enumerate(islice(rows, self.data.header_search_rows)):
            spec = self.spec(headers)
            if spec is not None:
                return k, spec, headers
        return None

    def date_label(self, column: Column) -> str:
        """Return the label the date line of `column` is written with: its header when the structure rules
        read that as a date label ('Due date'), else the rules' `date_label`."""
        from .structure import structure_rules

        return column.header if structure_rules().date_label_re.match(column.header + ":") else self.data.date_label

    def date_lines(self, column: Column, lines: list[str], status: Optional[str]) -> list[str]:
        """Return the prose date lines of a row whose date cell holds `lines` (and whose status cell says
        `status`): one 'Label: value (status)' line, or a target list ('Dates:' and the cell's lines)."""
        lines = [line for line in lines if line.strip()]
        flag = ""
        if status and status.strip():
            status = " ".join(status.split())
            flag = status if status[0] in "([" and status[-1] in ")]" else f"({status})"
        if len(lines) > 1:
            # Prose has no status for a whole target list: the flag stands after the list, on a line
            # of its own, where the segmenter reports it (unplaced) rather than it being lost.
            return [self.data.dates_label, *lines, *([flag] if flag else [])]
        value = " ".join(part for part in (lines[0].strip() if lines else "", flag) if part)
        label = self.date_label(column)
        return [f"{label}: {value}" if value else f"{label}:"]


def check_table_rules(rules: MilestoneTableRules, problems: list[str], where: str) -> None:
    """Append the problems of a `milestone_tables` section: bad regexes, duplicate ids, a role without a
    column, labels the structure rules would not read as a date line and a 'Dates:' header."""
    check_regexes({c.id: c.header for c in rules.columns}, problems, where, re.IGNORECASE)
    unique_ids([rules.id] + [c.id for c in rules.columns], problems, where)
    roles = {c.role for c in rules.columns}
    for role in ("description", "date"):
        if role not in roles:
            problems.append(f"{where}: {rules.id}: no column rule has role {role!r}")
    from .structure import structure_rules

    srules = structure_rules()
    if rules.header_search_rows < 1:
        problems.append(f"{where}: {rules.id}: header_search_rows must be 1 or more, not {rules.header_search_rows}")
    if not srules.date_label_re.match(rules.date_label + ":"):
        problems.append(f"{where}: {rules.id}: date_label {rules.date_label!r} is not a date label "
                        "(rules/structure.yaml kind.date_label)")
    if not srules.dates_header_re.match(rules.dates_label):
        problems.append(f"{where}: {rules.id}: dates_label {rules.dates_label!r} is not a 'Dates:' header "
                        "(rules/structure.yaml kind.dates_header)")
