"""Load stage for HTML pages: raw bytes → Document whose text is the page's content, line by line.

The content root and the furniture to drop come from rules/html.yaml. Each block element
of the content (p, li, h1-h6, …) becomes one or more lines of the text; blocks stand apart
by a blank line, the items of one list on consecutive lines, as in a plain-text copy of a
page. Each line keeps a LineOrigin: the source lines of its element, a CSS-like locator
and a heading/list hint. Lines are normalised as plain text is (load.normalise), so that
the same structure and milestone rules read both.

Pure: takes the bytes and the file name, never opens a file itself.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Optional

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

from .document import Document, InputError, LineOrigin
from .html_rules import HtmlRules, html_rules
from .html_source import Page, parse_page
from .milestone_table import TableSpec
from .load import decode, find_published, normalise, sha256, sniff_binary

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # the white space HTML collapses; NBSP is not among it
_NOT_TEXT = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_CSS_IDENT = re.compile(r"^[A-Za-z][\w-]*$")
_MAX_DEPTH = 200  # elements nested deeper are read as one block (keeps recursion bounded)


@dataclass
class Block:
    """One block of content text: its lines and the element they came from."""

    lines: list[str]
    line_start: int
    line_end: int
    locator: str
    hint: Optional[str]  # "heading", "list" or None
    list_root: Optional[int]  # id of the outermost list holding the block: its items stay on adjacent lines
    element: Optional[Tag] = None  # the element the text stands in
    table: Optional[tuple[str, int]] = None  # a milestone table's row: (its rule id, the table's first raw line)


def is_text(node) -> bool:
    """Whether a node is character data that a reader sees (not a comment, doctype, …)."""
    return isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT)


def furniture(soup: BeautifulSoup, rules: HtmlRules) -> set[int]:
    """Return the ids of every element that a furniture rule matches, and of everything inside one."""
    out: set[int] = set()
    if rules.furniture is None:
        return out
    for tag in rules.furniture.select(soup):
        if tag.name in ("html", "body") or id(tag) in out:
            continue
        out.add(id(tag))
        out.update(id(t) for t in tag.descendants if isinstance(t, Tag))
    return out


def visible_chars(tag: Tag, skip: set[int]) -> int:
    """Return the number of non-space text characters in `tag`, furniture aside."""
    total = 0
    stack = [tag]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, Tag):
                if id(child) not in skip:
                    stack.append(child)
            elif is_text(child):
                total += len("".join(str(child).split()))
    return total


def content_root(soup: BeautifulSoup, rules: HtmlRules, skip: set[int]) -> tuple[Tag, str]:
    """Return (content root, id of the rule that chose it): the first rule whose largest match holds enough text."""
    body = soup.body or soup
    page_chars = visible_chars(body, skip)
    for rule_id, selector in rules.roots:
        candidates = [t for t in selector.select(soup) if id(t) not in skip]
        if not candidates:
            continue
        best = max(candidates, key=lambda t: visible_chars(t, skip))
        if page_chars and visible_chars(best, skip) >= rules.min_share * page_chars:
            return best, rule_id
    return body, "root.body"


class Locators:
    """CSS paths to elements from below <body>, e.g. 'main#content > article > p:nth-of-type(12)'; cached."""

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}
        self._steps: dict[int, str] = {}

    def __call__(self, tag: Tag) -> str:
        chain: list[Tag] = []  # up to the nearest ancestor already located (iterative: pages can nest deeply)
        node: Optional[Tag] = tag
        while node is not None and node.name not in ("body", "html", "[document]") and id(node) not in self._paths:
            chain.append(node)
            node = node.parent
        above = self._paths.get(id(node), "") if node is not None else ""
        for node in reversed(chain):
            above = f"{above} > {self.step(node)}" if above else self.step(node)
            self._paths[id(node)] = above
        return self._paths.get(id(tag), tag.name)  # <body> itself, when it is the content root

    def step(self, tag: Tag) -> str:
        """Return the step for `tag` below its parent: name, #id when it has a plain one, :nth-of-type when needed."""
        if id(tag) not in self._steps:
            siblings = [c for c in (tag.parent.children if tag.parent is not None else [tag]) if isinstance(c, Tag)]
            counts: dict[str, int] = {}
            for c in siblings:
                counts[c.name] = counts.get(c.name, 0) + 1
            seen: dict[str, int] = {}
            for c in siblings:
                seen[c.name] = seen.get(c.name, 0) + 1
                step = c.name
                ident = c.get("id")
                if isinstance(ident, str) and _CSS_IDENT.match(ident):
                    step += f"#{ident}"
                if counts[c.name] > 1:
                    step += f":nth-of-type({seen[c.name]})"
                self._steps[id(c)] = step
        return self._steps[id(tag)]


class _Reader:
    """Walks a content root and collects its blocks, skipping furniture."""

    def __init__(self, page: Page, rules: HtmlRules, skip: set[int], root: Tag):
        self.page, self.rules, self.skip, self.root = page, rules, skip, root
        self.blocks: list[Block] = []
        self.locator = Locators()
        self.items_started: set[int] = set()
        self.holds_block = self._holds_blocks(root)
        spec = rules.lists  # the marker item_lines writes before a list item: a date cell's lines are read without it
        self.item_marker = re.compile("^(?:" + re.escape(spec.bullet.strip()) + "|"
                                      + re.escape(spec.numbered.strip()).replace(re.escape("{n}"), r"\d+") + r")\s*")

    def _holds_blocks(self, root: Tag) -> set[int]:
        """Return the ids of elements with a block element (not furniture) somewhere below them."""
        holds: set[int] = set()
        for tag in reversed([root, *root.find_all(True)]):  # children before their parents
            if id(tag) in self.skip:
                continue
            if any(isinstance(c, Tag) and id(c) not in self.skip and (c.name in self.rules.blocks or id(c) in holds)
                   for c in tag.children):
                holds.add(id(tag))
        return holds

    def is_block(self, tag: Tag) -> bool:
        return tag.name in self.rules.blocks or id(tag) in self.holds_block

    def read(self) -> list[Block]:
        """Return the blocks of the content root, in reading order."""
        self.walk(self.root, 0)
        return self.blocks

    def walk(self, tag: Tag, depth: int) -> None:
        """Add the blocks of `tag` and of everything below it."""
        if tag.name == "table" and depth < _MAX_DEPTH and self.add_milestone_table(tag, depth):
            return
        if id(tag) not in self.holds_block or depth >= _MAX_DEPTH:
            self.add(tag, list(tag.children), self.page.lines(tag))
            return
        run: list = []
        for child in tag.children:
            if isinstance(child, Tag) and id(child) in self.skip:
                continue
            if isinstance(child, Tag) and self.is_block(child):
                self.add_run(tag, run)
                run = []
                self.walk(child, depth + 1)
            else:
                run.append(child)
        self.add_run(tag, run)

    def add_milestone_table(self, table: Tag, depth: int) -> bool:
        """Add the blocks of a milestone table (rules: milestone_tables), each row in the prose form; return
        False, adding nothing, when `table` is not one (its header names no description and date column)."""
        rows = [tr for tr in table.find_all("tr") if id(tr) not in self.skip and tr.find_parent("table") is table]
        if len(rows) < 2:
            return False  # no row below the header
        rules = self.rules.milestone_table
        found = rules.find_header([self.cell_text(c) if c is not None else "" for c in self.row_cells(tr, {})]
                                  for tr in rows)
        if found is None or found[0] + 1 >= len(rows):
            return False  # not a milestone table, or no row below its header
        at, spec, headers = found
        for child in table.find_all("caption", recursive=False):
            if id(child) not in self.skip:
                self.walk(child, depth + 1)
        for tr in rows[:at]:  # a title row above the header: its cells are text, as in any table
            self.walk(tr, depth + 1)
        carried: dict[int, tuple[Tag, int]] = {}
        for tr in rows[at + 1:]:
            cells = self.row_cells(tr, carried)
            texts = [self.cell_text(c) if c is not None else "" for c in cells]
            if not any(texts) or texts == headers:
                continue  # an empty row, or the header repeated
            self.add_milestone_row(tr, cells, spec, depth, (spec.rule_id, self.page.lines(table)[0]))
        return True

    def add_milestone_row(self, tr: Tag, cells: list[Optional[Tag]], spec: TableSpec, depth: int,
                          table: tuple[str, int]) -> None:
        """Add the blocks of one row of a milestone table: its description cell, each other named cell as
        'Header: text', then the date line; every block on the row's raw lines (and a cell's from a row above
        whose rowspan reaches this one), marked as written for a row of `table` (rule id, first raw line)."""
        rules = self.rules.milestone_table
        start, end = self.page.lines(tr)

        def cell(col) -> Optional[Tag]:
            return cells[col.index] if col is not None and col.index < len(cells) else None

        desc = cell(spec.description)
        used = {id(desc)}
        blocks: list[tuple[Block, Tag]] = []  # each block and the cell it comes from
        if desc is not None:
            blocks.extend((b, desc) for b in self.cell_blocks(desc, depth))
        for col in spec.others:
            other = cell(col)
            if other is None or id(other) in used:
                continue
            used.add(id(other))
            lines = self.cell_lines(other, depth)
            if lines:
                blocks.append((Block([f"{col.header}: {lines[0]}", *lines[1:]], 0, 0, self.locator(other), None, None,
                                     other), other))
        date = cell(spec.date)
        if date is not None and id(date) not in used:  # else a cell spans the date column: a row of text
            used.add(id(date))
            status = cell(spec.status)
            status_text = None
            if status is not None and id(status) not in used:
                status_text = " ".join(self.cell_lines(status, depth)) or None
            lines = rules.date_lines(spec.date, self.cell_lines(date, depth), status_text)
            where = self.locator(tr) if status_text and len(lines) == 1 else self.locator(date)
            blocks.extend((Block([line], 0, 0, where, None, None, date), date) for line in lines)
        for block, source in blocks:
            # The row's lines; a cell of a row above that spans this one (rowspan) adds its own.
            lo, hi = self.page.lines(source)
            block.line_start, block.line_end = min(start, lo), max(end, hi)
            block.table = table
            self.blocks.append(block)

    @staticmethod
    def row_cells(tr: Tag, carried: dict[int, tuple[Tag, int]]) -> list[Optional[Tag]]:
        """Return the cell standing at each column position of a row: a cell spanning n columns n times, and
        at its position the cell of a row above whose rowspan reaches this one (`carried`: position → (cell,
        rows it still spans), updated)."""
        def span(cell: Tag, name: str) -> int:
            try:
                n = int(str(cell.get(name, "1")))
            except ValueError:
                return 1
            return 100 if n == 0 and name == "rowspan" else max(1, min(n, 100))  # rowspan=0: to the table's end

        out: list[Optional[Tag]] = []
        cells = tr.find_all(["td", "th"], recursive=False)
        k = 0
        while k < len(cells) or len(out) in carried:
            pos = len(out)
            if pos in carried:
                cell, left = carried.pop(pos)
                if left > 1:
                    carried[pos] = (cell, left - 1)
                out.append(cell)
                continue
            cell, k = cells[k], k + 1
            rows = span(cell, "rowspan")
            for _ in range(span(cell, "colspan")):
                if rows > 1:
                    carried[len(out)] = (cell, rows - 1)
                out.append(cell)
        return out

    def cell_text(self, cell: Tag) -> str:
        """Return a cell's text on one line."""
        return "" if id(cell) in self.skip else " ".join(line for line in self.inline_lines([cell], False) if line)

    def cell_blocks(self, cell: Tag, depth: int) -> list[Block]:
        """Return the blocks the reader makes of one cell (its paragraphs, list items), without adding them."""
        if id(cell) in self.skip:
            return []
        saved, self.blocks = self.blocks, []
        try:
            self.walk(cell, depth + 1)
            return self.blocks
        finally:
            self.blocks = saved

    def cell_lines(self, cell: Tag, depth: int) -> list[str]:
        """Return the lines of a cell's text, a list item's marker left out."""
        return [self.item_marker.sub("", line.strip()) for b in self.cell_blocks(cell, depth) for line in b.lines
                if line.strip()]

    def add_run(self, parent: Tag, run: list) -> None:
        """Add inline content standing directly in a container, between its block children."""
        if not run:
            return
        start, end = self.page.lines(parent)
        before, after = run[0].find_previous_sibling(True), run[-1].find_next_sibling(True)
        if before is not None:  # the run starts after the block before it ends...
            start = max(start, self.page.lines(before)[1])
        if after is not None:  # ...and ends where the block after it starts
            end = min(end, self.page.lines(after)[0])
        self.add(parent, run, (start, max(start, end)))

    def add(self, tag: Tag, nodes: list, lines: tuple[int, int]) -> None:
        """Add one block: the text of `nodes`, which stand in element `tag` on source `lines`."""
        text_lines = self.inline_lines(nodes, tag.name == "pre")
        if not text_lines:
            return
        item: Optional[Tag] = None
        lists: list[Tag] = []
        hint = None
        for anc in (tag, *tag.parents):
            if anc.name in self.rules.heading_tags:
                hint = "heading"
            if anc is self.root:
                break
            if anc.name == "li" and item is None:
                item = anc
            elif anc.name in ("ul", "ol"):
                lists.append(anc)
        if item is not None:
            hint = "list"
            text_lines = self.item_lines(item, text_lines, max(len(lists), 1))
        self.blocks.append(Block(text_lines, lines[0], lines[1], self.locator(tag), hint, id(lists[-1]) if lists else None,
                                 tag))

    def item_lines(self, item: Tag, lines: list[str], level: int) -> list[str]:
        """Return a list item's lines as a text copy shows them: indented, its first line marked."""
        spec = self.rules.lists
        indent = spec.indent * level
        if id(item) in self.items_started:
            marker = ""
            pad = indent + " " * len(spec.bullet)
        else:
            self.items_started.add(id(item))
            parent = item.parent
            if parent is not None and parent.name == "ol":
                marker = spec.numbered.format(n=self.item_number(parent, item))
            else:
                marker = spec.bullet
            pad = indent + " " * len(marker)
        return [(indent + marker if i == 0 and marker else pad) + line if line else line for i, line in enumerate(lines)]

    @staticmethod
    def item_number(ol: Tag, item: Tag) -> int:
        """Return the number an ordered list shows for `item` (its `start` attribute honoured)."""
        try:
            n = int(str(ol.get("start", "1")))
        except ValueError:
            n = 1
        for li in ol.find_all("li", recursive=False):
            if li is item:
                break
            n += 1
        return n

    def inline_lines(self, nodes: list, pre: bool) -> list[str]:
        """Return the lines of inline content: strings joined, <br> a line break, white space collapsed."""
        parts: list[str] = []

        def visit(node, in_pre: bool, depth: int) -> None:
            if is_text(node):
                parts.append(str(node) if in_pre else _HTML_SPACE.sub(" ", str(node)))
            elif isinstance(node, Tag) and id(node) not in self.skip:
                if node.name == "br":
                    parts.append("\n")
                elif depth >= _MAX_DEPTH:
                    parts.append(_HTML_SPACE.sub(" ", node.get_text(" ")))
                else:
                    for child in node.children:
                        visit(child, in_pre or node.name == "pre", depth + 1)

        for node in nodes:
            visit(node, pre, 0)
        out: list[str] = []
        for line in "".join(parts).split("\n"):
            line = normalise(line).strip()
            if line or (out and out[-1]):  # no blank line first, never two in a row
                out.append(line)
        while out and not out[-1]:
            out.pop()
        return out


def layout(blocks: list[Block], hint_rules: Optional[dict[str, str]] = None) -> tuple[str, tuple[LineOrigin, ...]]:
    """Return the text of the blocks and one LineOrigin per line of it; a heading's or list item's line names
    the rule that made it one (`hint_rules` by hint, else rules/html.yaml's)."""
    lines: list[str] = []
    origins: list[LineOrigin] = []
    prev: Optional[Block] = None
    from .html_rules import html_rules

    hrules = html_rules()
    hint_rule = {"heading": hrules.heading_id, "list": hrules.lists.id, **(hint_rules or {}), None: None}
    for block in blocks:
        if prev is not None and not (block.list_root is not None and block.list_root == prev.list_root):
            lines.append("")
            origins.append(LineOrigin(prev.line_end, prev.line_end))
        for line in block.lines:
            lines.append(line)
            origins.append(LineOrigin(block.line_start, block.line_end, block.locator, block.hint,
                                      hint_rule[block.hint], block.table))
        prev = block
    return "\n".join(lines), tuple(origins)


def clean(text: str) -> str:
    """Return element text on one line, normalised."""
    return " ".join(normalise(text).split())


def page_title(soup: BeautifulSoup, root: Tag, rules: HtmlRules, skip: set[int]) -> Optional[tuple[str, Tag]]:
    """Return (title, its element): the first h1 (in the content, else anywhere), else <title> less the site name."""
    for scope in (root, soup):
        for h1 in scope.find_all("h1"):
            if id(h1) not in skip and clean(h1.get_text(" ")):
                return clean(h1.get_text(" ")), h1
    if soup.title is not None and clean(soup.title.get_text(" ")):
        text = clean(soup.title.get_text(" "))
        return rules.title_suffix_re.sub("", text) or text, soup.title
    return None


def title_first(blocks: list[Block], found: Optional[tuple[str, Tag]], page: Page, locate: Locators) -> tuple[list[Block], str]:
    """Return the blocks with the title's first, on one line, and the title.

    The document's text starts with its title wherever the page has it (an h1 above the
    content, or only <title>), so the document section's span starts with its evidence.
    """
    if found is None:
        return blocks, blocks[0].lines[0]
    title, tag = found
    rest = [b for b in blocks if b.element is not tag and (b.element is None or tag not in b.element.parents)]
    start, end = page.lines(tag)
    return [Block([title], start, end, locate(tag), "heading", None, tag)] + rest, title


def published_on_page(soup: BeautifulSoup, rules: HtmlRules, published_re: re.Pattern, skip: set[int]) -> Optional[date]:
    """Return the date of the first short element of the page whose whole text is a 'Published …' line."""
    from .periods import grammar

    body = soup.body or soup
    tags = body.find_all(True)
    size: dict[int, tuple[int, int]] = {}  # (characters, nodes) below each element, counted once, children first
    for tag in reversed(tags):
        chars = nodes = 0
        for c in tag.children:
            sub = size.get(id(c), (0, 0)) if isinstance(c, Tag) else (len(c) if is_text(c) else 0, 0)
            chars, nodes = chars + sub[0], nodes + sub[1] + 1
        size[id(tag)] = chars, nodes
    limit = rules.published_max_chars
    for tag in tags:
        chars, nodes = size[id(tag)]
        if id(tag) in skip or chars > 4 * limit or nodes > limit:  # a short line: little text, few nodes
            continue
        text = clean(tag.get_text(" "))
        if not text or len(text) > rules.published_max_chars:
            continue
        m = published_re.match(text)
        if m:
            period = grammar().parse(m.group("date"))
            if period is not None and period.kind == "date":
                return period.start
    return None


def read_page(page: Page, rules: HtmlRules) -> tuple[list[Block], str, set[int]]:
    """Return the blocks of a parsed page's content (the title's first), the title, and the furniture's ids."""
    skip = furniture(page.soup, rules)
    root, _ = content_root(page.soup, rules, skip)
    reader = _Reader(page, rules, skip, root)
    blocks = reader.read()
    if not blocks:
        return [], "", skip
    return *title_first(blocks, page_title(page.soup, root, rules, skip), page, reader.locator), skip


def load_html(source: str, data: bytes, published_re: re.Pattern) -> Document:
    """Return the Document for an HTML page: the content's text, each line traced to its element."""
    sniff_binary(source, data)
    raw, encoding, decode_warnings = decode(source, data)
    source_text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return document_from_html(source, data, source_text, published_re, "html", encoding,
                              decode_warnings=tuple(decode_warnings))


def document_from_html(source: str, data: bytes, source_text: str, published_re: re.Pattern, source_format: str,
                       source_encoding: str, hint_rules: Optional[dict[str, str]] = None,
                       decode_warnings: tuple[str, ...] = ()) -> Document:
    """Return the Document of HTML source text (its line ends '\\n') read from the raw bytes `data` of `source`."""
    rules = html_rules()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4's hints (markup looks like a file name, XML read as HTML) are not findings
        try:
            page = parse_page(source_text, rules.optional_ends)
        except Exception as exc:  # html.parser gives up on some broken markup (bs4 ParserRejectedMarkup)
            said = [line.strip() for line in str(exc).splitlines() if line.strip()]
            reason = said[-1] if said else type(exc).__name__  # the parser's own complaint comes last
            raise InputError(source, f"not parseable as HTML ({reason})") from None
    if page.soup.find(True) is None:
        raise InputError(source, "not an HTML page (no markup in it)")
    blocks, title, skip = read_page(page, rules)
    if not blocks:
        raise InputError(source, "no text in the page's content")
    text, origins = layout(blocks, hint_rules)
    published = find_published(text, published_re) or published_on_page(page.soup, rules, published_re, skip)
    return Document(
        doc_id=PurePath(source).stem,
        source_file=PurePath(source).name,
        source_format=source_format,
        source_encoding=source_encoding,
        source_sha256=sha256(data),
        text=text,
        n_raw_lines=page.n_lines,
        title=title,
        published_date=published,
        origins=origins,
        warnings=decode_warnings,
    )
