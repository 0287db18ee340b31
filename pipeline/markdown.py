"""Load stage for Markdown (.md, .markdown): bytes → Document, read line by line.

A Markdown copy of a plan is text with markup in it. Each line of `documents.text` is the line
of the file with its markup taken out (rules/markdown.yaml): headings lose their '#' and are
marked as headings, emphasis, links and code lose their markers, fences and rules become blank
lines. Lines are never joined, so line numbers stay those of the raw file; the structure and
milestone rules then read the text as they read plain text. The one exception is a milestone
table (pipeline/milestone_table.py): each of its rows is written as the lines of its prose form,
every one of them with the row's raw line number in its LineOrigin.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .document import Document, LineOrigin
from .milestone_table import MilestoneTable, MilestoneTableRules, TableSpec, check_table_rules
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids

_PIPE = re.compile(r"(?<!\\)\|")  # a cell boundary: a pipe no backslash escapes


class _Block(StrictModel):
    id: str
    pattern: str
    heading: bool = False
    underline: bool = False
    fence: bool = False  # opens a code block; its `fence` group is the marker that closes it


class _Inline(StrictModel):
    id: str
    pattern: str
    replace: Optional[str] = None  # what a match becomes when the pattern keeps no `text` group


class _Tables(MilestoneTableRules):
    delimiter: str  # a table's delimiter row ('|---|:---:|')
    cell_break: str  # a line break inside a cell ('<br>')


class MarkdownRuleFile(StrictModel):
    version: int
    blocks: list[_Block]
    inline: list[_Inline]
    milestone_tables: _Tables


@dataclass(frozen=True)
class MarkdownRules:
    """Compiled Markdown rules: block rules per whole line, inline rules within a line."""

    blocks: tuple[tuple[_Block, re.Pattern], ...]
    inline: tuple[tuple[_Inline, re.Pattern], ...]
    table: MilestoneTable
    delimiter_re: re.Pattern
    cell_break_re: re.Pattern


def _check(rules: MarkdownRuleFile, problems: list[str]) -> None:
    pats = {r.id: r.pattern for r in [*rules.blocks, *rules.inline]}
    check_regexes(pats, problems, "markdown")
    unique_ids([r.id for r in [*rules.blocks, *rules.inline, *rules.milestone_tables.columns]]
               + [rules.milestone_tables.id], problems, "markdown")
    tables = rules.milestone_tables
    check_table_rules(tables, problems, "markdown")
    check_regexes({f"{tables.id}.delimiter": tables.delimiter, f"{tables.id}.cell_break": tables.cell_break},
                  problems, "markdown")
    for r in rules.blocks:
        if r.heading + r.underline + r.fence > 1:
            problems.append(f"{r.id}: a block rule is a heading, an underline or a fence, not two of them")
        if r.fence and "(?P<fence>" not in r.pattern:
            problems.append(f"{r.id}: a fence rule needs a (?P<fence>…) group, the marker that closes it")


@lru_cache(maxsize=None)
def markdown_rules() -> MarkdownRules:
    """Return the process-wide compiled Markdown rules."""
    data = load_ruleset("markdown.yaml", MarkdownRuleFile, _check)
    tables = data.milestone_tables
    return MarkdownRules(tuple((b, re.compile(b.pattern)) for b in data.blocks),
                         tuple((r, re.compile(r.pattern)) for r in data.inline),
                         MilestoneTable(tables), re.compile(tables.delimiter), re.compile(tables.cell_break))


def _kept(m: re.Match) -> str:
    return (m.group("text") or "") if "text" in m.re.groupindex else ""


def render_inline(text: str, rules: MarkdownRules) -> str:
    """Return `text` with its inline markup (links, emphasis, code, escapes) taken out."""
    for rule, regex in rules.inline:
        text = regex.sub(rule.replace if rule.replace is not None else _kept, text)
    return text


def render_line(line: str, rules: MarkdownRules) -> tuple[str, Optional[_Block]]:
    """Return (the line without its markup, the block rule that matched it or None)."""
    block, m = match_block(line, rules)
    return render_inline(_kept(m) if m is not None else line, rules), block


def match_block(line: str, rules: MarkdownRules) -> tuple[Optional[_Block], Optional[re.Match]]:
    """Return (the first block rule that matches `line`, its match), or (None, None)."""
    for rule, regex in rules.blocks:
        m = regex.match(line)
        if m:
            return rule, m
    return None, None


def closes_fence(line: str, marker: str) -> bool:
    """Whether `line` closes a code block opened by `marker` ('```'): as many of its character or more, alone,
    indented at most 3 spaces (as in CommonMark: 4 spaces make it a line of the code)."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3:
        return False
    body = body.rstrip()
    return len(body) >= len(marker) and not body.strip(marker[0])


def split_cells(line: str) -> list[str]:
    """Return the cells of a pipe-table row, trimmed: leading and trailing pipes optional, '\\|' kept in its cell."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _PIPE.split(body)]


def milestone_table_at(lines: list[str], i: int, rules: MarkdownRules) -> Optional[tuple[TableSpec, int, int]]:
    """Return (its columns, the index of its header row, the index past its last row) when a milestone table
    starts at line `i`, else None.

    By syntax a pipe table's header is its first row (line `i`, above the delimiter row); a table
    converted from a page may have a title there and the header among its first body rows
    (`header_search_rows`), the rows above it being its text.
    """
    if i + 1 >= len(lines) or not _PIPE.search(lines[i]) or not rules.delimiter_re.match(lines[i + 1]):
        return None
    header = split_cells(lines[i])
    if len(header) != len(split_cells(lines[i + 1])):
        return None  # not a table: the delimiter row must have a cell under each header cell
    end = i + 2
    while end < len(lines) and lines[end].strip() and _PIPE.search(lines[end]):
        end += 1
    rows = [i, *range(i + 2, end)]  # the delimiter row is no row
    found = rules.table.find_header([render_inline(cell, rules) for cell in split_cells(lines[k])] for k in rows)
    if found is None or found[0] + 1 >= len(rows):
        return None  # not a milestone table, or no row below its header: left as it is
    return found[1], rows[found[0]], end


def row_text(row: str, rules: MarkdownRules) -> list[str]:
    """Return the lines a table row above a milestone table's header is written as: each cell that holds text
    a paragraph of its own, as a page's table cells are read."""
    out: list[str] = []
    for cell in split_cells(row):
        lines = cell_lines(cell, rules)
        if lines:
            out.extend([*lines, ""])
    return out


def cell_lines(cell: str, rules: MarkdownRules) -> list[str]:
    """Return the lines of a cell ('<br>' breaks them), markup taken out; no blank line first, last or twice."""
    out: list[str] = []
    for part in rules.cell_break_re.split(cell):
        line = render_inline(part, rules).strip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def row_prose(row: str, spec: TableSpec, rules: MarkdownRules) -> list[str]:
    """Return the lines a milestone-table row is written as: its description cell, each other named cell as
    'Header: text', then its date line(s); blocks apart by a blank line, and one after the row."""
    cells = split_cells(row)

    def cell(col) -> str:
        return cells[col.index] if col is not None and col.index < len(cells) else ""

    blocks = [cell_lines(cell(spec.description), rules)]
    for col in spec.others:
        lines = cell_lines(cell(col), rules)
        if lines:
            blocks.append([f"{col.header}: {lines[0]}", *lines[1:]])
    status = " ".join(line for line in cell_lines(cell(spec.status), rules) if line) or None
    date_lines = rules.table.date_lines(spec.date, cell_lines(cell(spec.date), rules), status)
    blocks.extend([line] for line in date_lines)
    out: list[str] = []
    for block in blocks:
        if block:
            out.extend(block)
            out.append("")
    return out


def render(text: str, rules: MarkdownRules) -> tuple[str, tuple[LineOrigin, ...]]:
    """Return the text with its markup taken out, and one LineOrigin per line (its own raw line; heading
    lines hinted as headings, with the rule that said so).

    Each line is the raw line without its markup, except in a fenced code block, whose lines are kept
    as written (the fences blank), and in a milestone table (rules: milestone_tables): its header and
    delimiter rows become blank lines, a title row above its header its cells' text, and each row below
    the lines of its prose form, all on the row's raw line and marked as the table's.
    """
    out: list[str] = []
    origins: list[LineOrigin] = []
    lines = text.split("\n")
    fence: Optional[str] = None  # the marker of the open code block
    i = 0
    while i < len(lines):
        if fence is not None:  # code: kept as it is, up to the closing fence (a blank line)
            closed = closes_fence(lines[i], fence)
            out.append("" if closed else lines[i])
            origins.append(LineOrigin(i + 1, i + 1))
            fence = None if closed else fence
            i += 1
            continue
        table = milestone_table_at(lines, i, rules)
        if table is not None:
            spec, header, end = table
            marked = (spec.rule_id, i + 1)
            for k in range(i, end):
                if k == header or k == i + 1:  # the header and delimiter rows: blank lines
                    written, origin = [""], LineOrigin(k + 1, k + 1)
                elif k < header:  # a title above the header: text
                    written, origin = row_text(lines[k], rules) or [""], LineOrigin(k + 1, k + 1)
                else:
                    written, origin = row_prose(lines[k], spec, rules), LineOrigin(k + 1, k + 1, table=marked)
                out.extend(written)
                origins.extend(origin for _ in written)
            i = end
            continue
        block, m = match_block(lines[i], rules)
        line = render_inline(_kept(m) if m is not None else lines[i], rules)
        if block is not None and block.fence:
            fence = m.group("fence")
        origin = LineOrigin(i + 1, i + 1)
        if block is not None and block.heading and line.strip():
            origin = LineOrigin(i + 1, i + 1, None, "heading", block.id)
        elif block is not None and block.underline and out and out[-1].strip() and origins[-1].hint is None:
            origins[-1] = LineOrigin(i, i, None, "heading", block.id)  # the line above is a setext heading
        out.append(line)
        origins.append(origin)
        i += 1
    return "\n".join(out), tuple(origins)


def load_markdown(source: str, data: bytes, published_re: re.Pattern) -> Document:
    """Return the Document for a Markdown plan: decoded and normalised as text, then its markup taken out."""
    from .load import load_text

    rules = markdown_rules()
    return load_text(source, data, published_re, "md", lambda text: render(text, rules))
