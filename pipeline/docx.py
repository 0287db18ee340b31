"""Load stage for Word documents (.docx): raw bytes → Document, read through the page reader.

A .docx is a zip of XML parts. Its body (word/document.xml) is written as HTML, one source line
per paragraph of the body (those in tables included, in order), and that HTML is read by the
page reader (pipeline/html.py) as a page is: the same blocks, lists, milestone tables, title and
'Published' rules. A Word document has no lines, so its paragraphs stand for them:
`line_start`/`line_end` of a row are paragraph numbers, 1-based, in reading order.

What the HTML is made of comes from rules/docx.yaml: which paragraph styles are headings (and
their level), and which numbering formats are bullets. Pure: takes the bytes and the file name,
never opens a file itself; standard-library XML only. What is outside the body's flow is not read:
text boxes, headers and footers, footnotes, comments.
"""
from __future__ import annotations

import html
import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Optional
from xml.etree import ElementTree

from .document import Document, InputError
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT_PART = "word/document.xml"
# Elements whose runs are the paragraph's text (links, tracked insertions, content controls...);
# tracked deletions and moved-away text are not.
_RUN_CONTAINERS = {W + n for n in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent",
                                    "moveTo", "dir", "bdo")}
_SKIPPED = {W + n for n in ("del", "moveFrom", "pPr", "rPr")}
# Elements that wrap rows, cells or block content without being content themselves.
_WRAPPERS = {W + n for n in ("sdt", "sdtContent", "customXml")}
STYLES_PART, NUMBERING_PART = "word/styles.xml", "word/numbering.xml"
PARTS = (DOCUMENT_PART, STYLES_PART, NUMBERING_PART)
# The parts read, together, may hold at most this much XML once inflated, and at most this many elements
# (memory goes with the elements: a few hundred bytes each once parsed). A long plan written by Word is a few
# MB and some hundred thousand elements; a zip bomb is refused before it fills memory.
MAX_XML_BYTES = 32 * 1024 * 1024
MAX_ELEMENTS = 1_000_000
_CHUNK = 1 << 20
# What a damaged archive raises from zipfile, zlib and lzma: a bad header, an unknown compression method, an
# encrypted member, a truncated or corrupt stream (bz2's errors are OSErrors).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError,
               ValueError, OSError)
# Characters that end a line for str.splitlines: inside a paragraph's text they are spaces, so that a
# paragraph stays one line.
_LINE_BREAKS = str.maketrans({c: " " for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


class _Headings(StrictModel):
    id: str
    style: str  # regex on the style's name, case-insensitive; group `level` gives the level, else 1


class _Lists(StrictModel):
    id: str
    bullet_formats: list[str]


class DocxRuleFile(StrictModel):
    version: int
    headings: _Headings
    lists: _Lists


@dataclass(frozen=True)
class DocxRules:
    data: DocxRuleFile
    style_re: re.Pattern = field(compare=False)


def _check(rules: DocxRuleFile, problems: list[str]) -> None:
    check_regexes({rules.headings.id: rules.headings.style}, problems, "docx", re.IGNORECASE)
    unique_ids([rules.headings.id, rules.lists.id], problems, "docx")


@lru_cache(maxsize=None)
def docx_rules() -> DocxRules:
    """Return rules/docx.yaml, validated (every problem reported at once) and compiled."""
    data = load_ruleset("docx.yaml", DocxRuleFile, _check)
    return DocxRules(data, re.compile(data.headings.style, re.IGNORECASE))


def _val(el: Optional[ElementTree.Element], name: str = "val") -> Optional[str]:
    return None if el is None else el.get(W + name)


def _int(value: Optional[str], default: Optional[int] = None) -> Optional[int]:
    """Return a decimal attribute's value, `default` when it is absent or not a small run of ASCII digits
    ("²" and a 5000-digit run are digits to str.isdigit, not numbers to int)."""
    return int(value) if value is not None and _DIGITS.fullmatch(value) else default


_DIGITS = re.compile(r"[0-9]{1,9}")


def outline_heading(ppr: Optional[ElementTree.Element]) -> tuple[bool, Optional[int]]:
    """Return (whether `ppr` sets an outline level, the heading level it gives): level 9 is body text."""
    level = _int(_val(ppr.find(W + "outlineLvl"))) if ppr is not None else None
    if level is None:
        return False, None
    return True, level + 1 if level < 9 else None


@dataclass(frozen=True)
class _Style:
    heading: Optional[int]  # heading level, None for body text
    numbered: Optional[tuple[str, int]]  # (numId, level) when the style itself numbers its paragraphs


class _Styles:
    """Paragraph styles (word/styles.xml): the heading level and numbering of each, through `basedOn`."""

    def __init__(self, root: Optional[ElementTree.Element], rules: DocxRules):
        self.rules = rules
        self.raw: dict[str, ElementTree.Element] = {}
        if root is not None:
            for st in root.iter(W + "style"):
                if st.get(W + "type", "paragraph") == "paragraph" and st.get(W + "styleId"):
                    self.raw[st.get(W + "styleId")] = st
        self.default = next((sid for sid, st in self.raw.items() if st.get(W + "default") in ("1", "true")), None)
        self.seen: dict[str, _Style] = {}

    def get(self, style_id: Optional[str], depth: int = 0) -> _Style:
        """Return what style `style_id` makes of a paragraph (its own settings, else its base style's)."""
        key = style_id or self.default or ""
        if key not in self.seen:
            self.seen[key] = self._read(key, depth)
        return self.seen[key]

    def _read(self, style_id: str, depth: int) -> _Style:
        st = self.raw.get(style_id)
        if st is None or depth > 20:  # unknown, or a loop of basedOn
            return _Style(None, None)
        base = self.get(_val(st.find(W + "basedOn")), depth + 1)
        m = self.rules.style_re.fullmatch(" ".join((_val(st.find(W + "name")) or style_id or "").split()))
        ppr = st.find(W + "pPr")
        has_outline, outline = outline_heading(ppr)
        if m is not None:
            heading = _int(m.groupdict().get("level"), 1)
        elif has_outline:
            heading = outline
        else:
            heading = base.heading
        num = ppr.find(W + "numPr") if ppr is not None else None
        numbered = _numbering_of(num, base.numbered) if num is not None else base.numbered
        return _Style(heading, numbered)


def _numbering_of(num_pr: ElementTree.Element, inherited: Optional[tuple[str, int]]) -> Optional[tuple[str, int]]:
    """Return (numId, level) of a w:numPr, None when it turns numbering off (numId 0). What it leaves out comes
    from `inherited`, the style's numbering: an ilvl alone moves a styled list item to another level."""
    num_id = _val(num_pr.find(W + "numId"))
    if num_id is None:
        num_id = inherited[0] if inherited is not None else None
    if num_id is None or num_id == "0":
        return None
    ilvl = num_pr.find(W + "ilvl")
    default = inherited[1] if inherited is not None and ilvl is None else 0
    return num_id, min(_int(_val(ilvl), default), 8)


class _Numbering:
    """Numbering definitions (word/numbering.xml): the format and start of each list level.

    As in Word, lists that share an abstract definition count on from each other, and a level's
    `startOverride` in a w:num makes that list start its count again."""

    def __init__(self, root: Optional[ElementTree.Element], bullets: set[str]):
        self.bullets = bullets
        abstract: dict[str, dict[int, tuple[str, int]]] = {}
        # numId -> (the abstract definition it counts with, its levels, the levels it starts again)
        self.nums: dict[str, tuple[str, dict[int, tuple[str, int]], frozenset[int]]] = {}
        if root is None:
            return
        for a in root.iter(W + "abstractNum"):
            abstract[a.get(W + "abstractNumId", "")] = self._levels_of(a.iter(W + "lvl"))
        for n in root.iter(W + "num"):
            abstract_id = _val(n.find(W + "abstractNumId")) or ""
            levels, restarts = dict(abstract.get(abstract_id, {})), set()
            for override in n.iter(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels.update(self._levels_of([lvl], ilvl))
                start = _int(_val(override.find(W + "startOverride")))
                if start is not None:
                    levels[ilvl] = (levels.get(ilvl, ("decimal", 1))[0], start)
                # A restart is a start given here: startOverride, or a redefined level's own w:start (as older
                # Word wrote "restart numbering"). A level redefined only in its format counts on.
                if start is not None or lvl is not None and lvl.find(W + "start") is not None:
                    restarts.add(ilvl)
            self.nums[n.get(W + "numId", "")] = (abstract_id, levels, frozenset(restarts))

    @staticmethod
    def _levels_of(lvls, ilvl: int = 0) -> dict[int, tuple[str, int]]:
        out = {}
        for lvl in lvls:
            out[_int(lvl.get(W + "ilvl"), ilvl)] = (_val(lvl.find(W + "numFmt")) or "decimal",
                                                   _int(_val(lvl.find(W + "start")), 1))
        return out

    def _level(self, num_id: str, level: int, default: str) -> tuple[str, int]:
        return self.nums.get(num_id, ("", {}, frozenset()))[1].get(level, (default, 1))

    def is_bullet(self, num_id: str, level: int) -> bool:
        return self._level(num_id, level, "bullet")[0] in self.bullets

    def start(self, num_id: str, level: int) -> int:
        return self._level(num_id, level, "decimal")[1]

    def counter_key(self, num_id: str) -> str:
        """Return what list `num_id` counts with: its abstract definition (the numId when it has none)."""
        abstract_id = self.nums.get(num_id, ("", {}, frozenset()))[0]
        return "a" + abstract_id if abstract_id else "n" + num_id

    def restarts(self, num_id: str, level: int) -> bool:
        return level in self.nums.get(num_id, ("", {}, frozenset()))[2]


def paragraph_text(p: ElementTree.Element) -> str:
    """Return a paragraph's text as HTML: its runs' text escaped, a line break as <br>."""
    parts: list[str] = []

    def visit(el: ElementTree.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == W + "r":
                for item in child:
                    t = item.tag
                    if t == W + "t":
                        parts.append(html.escape((item.text or "").translate(_LINE_BREAKS), quote=False))
                    elif t in (W + "tab", W + "ptab"):
                        parts.append(" ")
                    elif t in (W + "br", W + "cr"):
                        parts.append("<br>")
                    elif t == W + "noBreakHyphen":
                        parts.append("-")
            elif tag in _RUN_CONTAINERS:
                visit(child)

    visit(p)
    return "".join(parts)


class _Writer:
    """Writes the body as HTML, one source line per paragraph (structural tags share a paragraph's line)."""

    def __init__(self, styles: _Styles, numbering: _Numbering):
        self.styles, self.numbering = styles, numbering
        self.lines: list[str] = []
        self.pending = ""  # opening tags for the next paragraph's line
        self.lists: list[tuple[str, str, int]] = []  # open lists: (tag, numId, level)
        self.counters: dict[tuple[str, int], int] = {}  # (counter key, level) -> the last number given
        self.started: set[tuple[str, int]] = set()  # (numId, level) seen: a startOverride acts at the first

    def emit(self, html_line: str) -> None:
        self.lines.append(self.pending + html_line)
        self.pending = ""

    def close_tags(self, tags: str) -> None:
        """Add closing tags after what is written: on the last line, or after tags still waiting for a line
        (an element with no paragraph in it)."""
        if self.pending or not self.lines:
            self.pending += tags
        else:
            self.lines[-1] += tags

    def close_lists(self, to_depth: int = 0) -> None:
        while len(self.lists) > to_depth:
            tag, _, _ = self.lists.pop()
            self.close_tags(f"</li></{tag}>")

    def paragraph(self, p: ElementTree.Element) -> None:
        ppr = p.find(W + "pPr")
        style = self.styles.get(_val(ppr.find(W + "pStyle")) if ppr is not None else None)
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        numbered = _numbering_of(num_pr, style.numbered) if num_pr is not None else style.numbered
        has_outline, outline = outline_heading(ppr)
        level = outline if has_outline else style.heading
        text = paragraph_text(p)
        if numbered is not None and level is None:
            self.list_item(numbered, text)
            return
        self.close_lists()
        if level is not None and level <= 6:
            self.emit(f"<h{level}>{text}</h{level}>")
        else:
            self.emit(f"<p>{text}</p>")

    def list_item(self, numbered: tuple[str, int], text: str) -> None:
        num_id, level = numbered
        while self.lists and (self.lists[-1][2] > level or self.lists[-1][2] == level and self.lists[-1][1] != num_id):
            tag, _, _ = self.lists.pop()
            self.close_tags(f"</li></{tag}>")
        key = self.numbering.counter_key(num_id)
        for deeper in [k for k in self.counters if k[0] == key and k[1] > level]:
            del self.counters[deeper]  # a deeper level starts again under a new item
        if (num_id, level) not in self.started:
            self.started.add((num_id, level))
            if self.numbering.restarts(num_id, level):
                self.counters.pop((key, level), None)
        n = self.counters.get((key, level), self.numbering.start(num_id, level) - 1) + 1
        self.counters[(key, level)] = n
        if self.lists and self.lists[-1][2] == level:
            self.close_tags("</li>")
            self.emit(f"<li>{text}")
            return
        tag = "ul" if self.numbering.is_bullet(num_id, level) else "ol"
        start = "" if tag == "ul" or n == 1 else f' start="{n}"'
        self.lists.append((tag, num_id, level))
        self.emit(f"<{tag}{start}><li>{text}")

    def table(self, tbl: ElementTree.Element, depth: int) -> None:
        self.close_lists()
        # Vertical merges: a cell that continues the one above adds to that one's rowspan; its own paragraphs
        # are blank lines. Each cell as [rowspan (0: continues the one above; -1: columns left empty), colspan,
        # its element]. A merge goes on only while the cell below, at its column and width, says it continues.
        spans: dict[int, list] = {}  # grid column -> the cell a merge started there
        cells_by_row = []
        for tr in _flat(tbl, "tr"):
            trpr = tr.find(W + "trPr")
            before = _int(_val(trpr.find(W + "gridBefore")) if trpr is not None else None, 0)
            out, col = [[-1, before, None]] if before else [], before
            below: dict[int, list] = {}
            for tc in _flat(tr, "tc"):
                tcpr = tc.find(W + "tcPr")
                width = max(_int(_val(tcpr.find(W + "gridSpan")) if tcpr is not None else None, 1), 1)
                merge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if merge is not None and _val(merge) != "restart" and col in spans and spans[col][1] == width:
                    spans[col][0] += 1
                    below[col] = spans[col]
                    out.append([0, width, tc])  # written as blank lines: its paragraphs keep their numbers
                else:
                    holder = [1, width, tc]
                    if merge is not None:
                        below[col] = holder
                    out.append(holder)
                col += width
            spans = below
            cells_by_row.append(out)
        self.pending += "<table>"
        for out in cells_by_row:
            self.pending += "<tr>"
            for holder in out:
                rowspan, width, tc = holder
                if tc is None:  # the grid columns a row leaves out before its first cell (gridBefore)
                    self.pending += f'<td colspan="{width}"></td>' if width > 1 else "<td></td>"
                    continue
                if rowspan == 0:
                    self.blank_lines(tc)
                    continue
                attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{width}"' if width > 1 else "")
                self.pending += f"<td{attrs}>"
                self.block_items(tc, depth + 1)
                self.close_lists()
                self.close_tags("</td>")
            self.close_tags("</tr>")
        self.close_tags("</table>")

    def blank_lines(self, parent: ElementTree.Element) -> None:
        """Write a blank line for every paragraph of `parent` (a merged cell's, whose text is the cell above)."""
        for _ in block_paragraphs(parent):
            self.emit("")

    def block_items(self, parent: ElementTree.Element, depth: int = 0) -> None:
        """Write the paragraphs and tables of a body, a cell or a content control, in order."""
        for child in parent:
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl" and depth < 50:
                self.table(child, depth)
            elif child.tag in _WRAPPERS:
                self.block_items(child, depth)


def _flat(parent: ElementTree.Element, name: str, depth: int = 0) -> Iterator[ElementTree.Element]:
    """Yield the w:`name` children of `parent`, those inside content controls and custom XML too."""
    for child in parent:
        if child.tag == W + name:
            yield child
        elif child.tag in _WRAPPERS and depth < 50:
            yield from _flat(child, name, depth + 1)


def block_paragraphs(parent: ElementTree.Element, depth: int = 0) -> Iterator[ElementTree.Element]:
    """Yield the paragraphs of a body, cell or content control that are lines, in reading order (those of its
    tables' cells too; not those of a text box inside a run)."""
    for child in parent:
        if child.tag == W + "p":
            yield child
        elif (child.tag in _WRAPPERS or child.tag in (W + "tbl", W + "tr", W + "tc")) and depth < 200:
            yield from block_paragraphs(child, depth + 1)


def _damage(exc: Exception) -> str:
    """Return what a zip member's read error says of the archive, in words (not zipfile's repr of the member)."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "it is encrypted (password-protected)"
    if isinstance(exc, NotImplementedError):
        return "it is compressed by a method that cannot be read here"
    return f"it is damaged ({exc})"


def _read_parts(archive: zipfile.ZipFile, source: str) -> dict[str, bytes]:
    """Return the bytes of the archive's PARTS that it has, inflated no further than MAX_XML_BYTES in all."""
    budget, out = MAX_XML_BYTES, {}
    for name in PARTS:
        try:
            info = archive.getinfo(name)
        except KeyError:
            continue
        try:
            with archive.open(info) as member:
                data = member.read(budget + 1)  # read no more than the budget, whatever the header says
        except _ZIP_ERRORS as exc:
            raise InputError(source, f"{name} is not readable: {_damage(exc)}") from None
        if len(data) > budget:
            raise InputError(source, f"its XML is over {MAX_XML_BYTES // 2 ** 20} MB once inflated (no plan is)")
        budget -= len(data)
        out[name] = data
    if DOCUMENT_PART not in out:
        raise InputError(source, f"not a Word document (no {DOCUMENT_PART} in it)")
    return out


def _parse(parts: dict[str, bytes], source: str, name: str, budget: list[int]) -> Optional[ElementTree.Element]:
    """Return the parsed XML part `name` (None when the archive has none), counting its elements against
    `budget` (what is left of MAX_ELEMENTS) as it goes: a part over it is refused before it is all built."""
    if name not in parts:
        return None
    data, root = parts[name], None
    parser = ElementTree.XMLPullParser(events=("start",))
    try:
        for at in range(0, len(data), _CHUNK):
            parser.feed(data[at:at + _CHUNK])
            for _, element in parser.read_events():
                root = element if root is None else root
                budget[0] -= 1
            if budget[0] < 0:
                break
        else:
            parser.close()
    except (ElementTree.ParseError, ValueError) as exc:
        raise InputError(source, f"{name} is not readable ({exc})") from None
    if budget[0] < 0:
        raise InputError(source, f"its XML holds over {MAX_ELEMENTS:,} elements (no plan does)")
    if root is None:
        raise InputError(source, f"{name} is not readable (no element in it)")
    return root


def body_html(source: str, data: bytes) -> str:
    """Return the document body written as HTML, one line per paragraph."""
    rules = docx_rules()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(source, "not a Word document (not a zip archive: a .doc, or an encrypted document?)") from None
    except _ZIP_ERRORS as exc:
        raise InputError(source, f"not a readable Word document: {_damage(exc)}") from None
    with archive:
        parts = _read_parts(archive, source)
    budget = [MAX_ELEMENTS]
    document = _parse(parts, source, DOCUMENT_PART, budget)
    styles = _Styles(_parse(parts, source, STYLES_PART, budget), rules)
    numbering = _Numbering(_parse(parts, source, NUMBERING_PART, budget), set(rules.data.lists.bullet_formats))
    body = document.find(W + "body")
    if body is None:
        raise InputError(source, f"not a Word document ({DOCUMENT_PART} has no body)")
    writer = _Writer(styles, numbering)
    try:
        writer.block_items(body)
    except RecursionError:
        raise InputError(source, f"{DOCUMENT_PART} is nested too deeply to read") from None
    writer.close_lists()
    if not writer.lines:
        raise InputError(source, "no paragraphs in the document")
    lines = writer.lines
    lines[0] = "<html><body>" + lines[0]
    lines[-1] += writer.pending + "</body></html>"
    return "\n".join(lines)


def load_docx(source: str, data: bytes, published_re: re.Pattern) -> Document:
    """Return the Document for a Word document: its body read as a page, each line traced to its paragraph."""
    from .html import document_from_html

    markup = body_html(source, data)
    rules = docx_rules().data
    return document_from_html(source, data, markup, published_re, source_format="docx", source_encoding="utf-8",
                              hint_rules={"heading": rules.headings.id, "list": rules.lists.id})

