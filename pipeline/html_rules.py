"""HTML rules (rules/html.yaml), validated and compiled once: content root, furniture, blocks, lists."""
from __future__ import annotations

import re
from functools import lru_cache

import soupsieve

from .milestone_table import MilestoneTable, MilestoneTableRules, check_table_rules
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Selector(StrictModel):
    id: str
    selector: str


class _Content(StrictModel):
    min_share: float
    roots: list[_Selector]


class _OptionalEnd(StrictModel):
    id: str
    element: str
    closed_by: list[str]
    scope: list[str]


class _Tags(StrictModel):
    id: str
    tags: list[str]


class _Lists(StrictModel):
    id: str
    indent: str
    bullet: str
    numbered: str


class _Title(StrictModel):
    id: str
    site_suffix: str


class _Published(StrictModel):
    id: str
    max_chars: int


class HtmlRuleFile(StrictModel):
    version: int
    content: _Content
    furniture: list[_Selector]
    blocks: _Tags
    optional_end_tags: list[_OptionalEnd]
    headings: _Tags
    lists: _Lists
    title: _Title
    published: _Published
    milestone_tables: MilestoneTableRules


class HtmlRules:
    """Compiled HTML rules."""

    def __init__(self, data: HtmlRuleFile):
        self.data = data
        self.min_share = data.content.min_share
        self.roots = tuple((r.id, soupsieve.compile(r.selector)) for r in data.content.roots)
        # All furniture rules as one selector list: furniture is the union of what they match, and one
        # pass over the page's elements costs a ninth of one pass per rule (soupsieve walks the whole page).
        self.furniture = soupsieve.compile(", ".join(f.selector for f in data.furniture)) if data.furniture else None
        self.blocks = frozenset(data.blocks.tags)
        self.optional_ends = tuple((o.element, frozenset(o.closed_by), frozenset(o.scope)) for o in data.optional_end_tags)
        self.heading_tags = frozenset(data.headings.tags)
        self.heading_id = data.headings.id
        self.lists = data.lists
        self.title_suffix_re = re.compile(data.title.site_suffix)
        self.published_max_chars = data.published.max_chars
        self.milestone_table = MilestoneTable(data.milestone_tables)


def _check(rules: HtmlRuleFile, problems: list[str]) -> None:
    for sel in list(rules.content.roots) + list(rules.furniture):
        try:
            soupsieve.compile(sel.selector)
        except Exception as exc:  # soupsieve raises SelectorSyntaxError (and others) for bad CSS
            problems.append(f"{sel.id}: bad selector {sel.selector!r}: {str(exc).splitlines()[0]}")
    unique_ids([r.id for r in rules.content.roots] + [f.id for f in rules.furniture] + [o.id for o in rules.optional_end_tags]
               + [rules.blocks.id, rules.headings.id, rules.lists.id, rules.title.id, rules.published.id], problems, "html")
    check_regexes({rules.title.id: rules.title.site_suffix}, problems, "html")
    if not 0 < rules.content.min_share <= 1:
        problems.append(f"content.min_share must be in (0, 1], not {rules.content.min_share}")
    if "{n}" not in rules.lists.numbered:
        problems.append("lists.numbered needs an {n} placeholder")
    check_table_rules(rules.milestone_tables, problems, "html")
    missing = set(rules.headings.tags) - set(rules.blocks.tags)
    if missing:
        problems.append(f"headings.tags must be blocks too: {sorted(missing)}")


@lru_cache(maxsize=None)
def html_rules() -> HtmlRules:
    """Return the process-wide compiled HTML rules."""
    return HtmlRules(load_ruleset("html.yaml", HtmlRuleFile, _check))
