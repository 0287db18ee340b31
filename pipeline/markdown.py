"""Load stage for Markdown (.md, .markdown): bytes → Document, read line by line.

A Markdown copy of a plan is text with markup in it. Each line of `documents.text` is the line
of the file with its markup taken out (rules/markdown.yaml): headings lose their '#' and are
marked as headings, emphasis, links and code lose their markers, fences and rules become blank
lines. Lines are never joined or split, so line numbers stay those of the raw file; the
structure and milestone rules then read the text as they read plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .document import Document, LineOrigin
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Block(StrictModel):
    id: str
    pattern: str
    heading: bool = False
    underline: bool = False


class _Inline(StrictModel):
    id: str
    pattern: str
    replace: Optional[str] = None  # what a match becomes when the pattern keeps no `text` group


class MarkdownRuleFile(StrictModel):
    version: int
    blocks: list[_Block]
    inline: list[_Inline]


@dataclass(frozen=True)
class MarkdownRules:
    """Compiled Markdown rules: block rules per whole line, inline rules within a line."""

    blocks: tuple[tuple[_Block, re.Pattern], ...]
    inline: tuple[tuple[_Inline, re.Pattern], ...]


def _check(rules: MarkdownRuleFile, problems: list[str]) -> None:
    pats = {r.id: r.pattern for r in [*rules.blocks, *rules.inline]}
    check_regexes(pats, problems, "markdown")
    unique_ids([r.id for r in [*rules.blocks, *rules.inline]], problems, "markdown")
    for r in rules.blocks:
        if r.heading and r.underline:
            problems.append(f"{r.id}: a block rule is a heading or an underline, not both")


@lru_cache(maxsize=None)
def markdown_rules() -> MarkdownRules:
    """Return the process-wide compiled Markdown rules."""
    data = load_ruleset("markdown.yaml", MarkdownRuleFile, _check)
    return MarkdownRules(tuple((b, re.compile(b.pattern)) for b in data.blocks),
                         tuple((r, re.compile(r.pattern)) for r in data.inline))


def _kept(m: re.Match) -> str:
    return (m.group("text") or "") if "text" in m.re.groupindex else ""


def render_line(line: str, rules: MarkdownRules) -> tuple[str, Optional[_Block]]:
    """Return (the line without its markup, the block rule that matched it or None)."""
    block = None
    for rule, regex in rules.blocks:
        m = regex.match(line)
        if m:
            block, line = rule, _kept(m)
            break
    for rule, regex in rules.inline:
        line = regex.sub(rule.replace if rule.replace is not None else _kept, line)
    return line, block


def render(text: str, rules: MarkdownRules) -> tuple[str, tuple[LineOrigin, ...]]:
    """Return the text with its markup taken out, line for line, and one LineOrigin per line
    (its own raw line; heading lines hinted as headings, with the rule that said so)."""
    out: list[str] = []
    origins: list[LineOrigin] = []
    for i, raw in enumerate(text.split("\n")):
        line, block = render_line(raw, rules)
        origin = LineOrigin(i + 1, i + 1)
        if block is not None and block.heading and line.strip():
            origin = LineOrigin(i + 1, i + 1, None, "heading", block.id)
        elif block is not None and block.underline and out and out[-1].strip() and origins[-1].hint is None:
            origins[-1] = LineOrigin(i, i, None, "heading", block.id)  # the line above is a setext heading
        out.append(line)
        origins.append(origin)
    return "\n".join(out), tuple(origins)


def load_markdown(source: str, data: bytes, published_re: re.Pattern) -> Document:
    """Return the Document for a Markdown plan: decoded and normalised as text, then its markup taken out."""
    from .load import load_text

    rules = markdown_rules()
    return load_text(source, data, published_re, "md", lambda text: render(text, rules))
