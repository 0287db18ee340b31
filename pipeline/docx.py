"""Load stage for Word documents (.docx): raw bytes → Document, read through the page reader.

A .docx is a zip of XML parts. Its body (word/document.xml) is written as HTML, one source line
per paragraph of the body (those in tables included, in order), and that HTML is read by the
page reader (pipeline/html.py) as a page is: the same blocks, lists, milestone tables, title and
'Published' rules. A Word document has no lines, so its paragraphs stand for them:
`line_start`/`line_end` of a row are paragraph numbers, 1-based, in reading order.

What the HTML is made of comes from rules/docx.yaml: which paragraph styles are headings (and
their level), and which numbering formats are bullets. Pure: takes the bytes and the file name,
never opens a file itself; standard-library XML only.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
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
_MAX_BYTES = 200 * 1024 * 1024  # an XML part larger than this is no plan (and a zip bomb is refused)


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
        outline = _val(ppr.find(W + "outlineLvl")) if ppr is not None else None
        if m is not None:
            heading = int(m.group("level")) if "level" in m.groupdict() and m.group("level") else 1
        elif outline is not None and outline.isdigit() and int(outline) < 9:
            heading = int(outline) + 1
        else:
            heading = base.heading
        num = ppr.find(W + "numPr") if ppr is not None else None
        numbered = _numbering_of(num) if num is not None else base.numbered
        return _Style(heading, numbered)


def _numbering_of(num_pr: ElementTree.Element) -> Optional[tuple[str, int]]:
    """Return (numId, level) of a w:numPr, None when it turns numbering off (numId 0)."""
    num_id = _val(num_pr.find(W + "numId"))
    if num_id is None or num_id == "0":
        return None
    level = _val(num_pr.find(W + "ilvl")) or "0"
    return num_id, int(level) if level.isdigit() else 0


class _Numbering:
    """Numbering definitions (word/numbering.xml): the format and start of each list level."""

    def __init__(self, root: Optional[ElementTree.Element], bullets: set[str]):
        self.bullets = bullets
        abstract: dict[str, dict[int, tuple[str, int]]] = {}
        self.nums: dict[str, dict[int, tuple[str, int]]] = {}
        if root is None:
            return
        for a in root.iter(W + "abstractNum"):
            abstract[a.get(W + "abstractNumId", "")] = self._levels(a)
        for n in root.iter(W + "num"):
            levels = dict(abstract.get(_val(n.find(W + "abstractNumId")) or "", {}))
            for override in n.iter(W + "lvlOverride"):
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels.update(self._levels_of([lvl]))
            self.nums[n.get(W + "numId", "")] = levels

    def _levels(self, abstract: ElementTree.Element) -> dict[int, tuple[str, int]]:
        return self._levels_of(abstract.iter(W + "lvl"))

    @staticmethod
    def _levels_of(lvls) -> dict[int, tuple[str, int]]:
        out = {}
        for lvl in lvls:
            ilvl, start = lvl.get(W + "ilvl", "0"), _val(lvl.find(W + "start")) or "1"
            out[int(ilvl) if ilvl.isdigit() else 0] = (_val(lvl.find(W + "numFmt")) or "decimal",
                                                       int(start) if start.isdigit() else 1)
        return out

    def is_bullet(self, num_id: str, level: int) -> bool:
        fmt = self.nums.get(num_id, {}).get(level, ("bullet", 1))[0]
        return fmt in self.bullets

    def start(self, num_id: str, level: int) -> int:
        return self.nums.get(num_id, {}).get(level, ("decimal", 1))[1]


def paragraph_text(p: ElementTree.Element) -> str:
    """Return a paragraph's text as HTML: its runs' text escaped, a line break as <br>."""
    parts: list[str] = []

    def visit(el: ElementTree.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIPPED or tag == W + "p":  # a nested paragraph (a text box) is one of its own
                continue
            if tag == W + "r":
                for item in child:
                    t = item.tag
                    if t == W + "t":
                        parts.append(html.escape(item.text or "", quote=False))
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
        self.counters: dict[tuple[str, int], int] = {}

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
        numbered = _numbering_of(num_pr) if num_pr is not None else style.numbered
        text = paragraph_text(p)
        if numbered is not None and style.heading is None:
            self.list_item(numbered, text)
            return
        self.close_lists()
        level = style.heading
        if level is not None and level <= 6:
            self.emit(f"<h{level}>{text}</h{level}>")
        else:
            self.emit(f"<p>{text}</p>")

    def list_item(self, numbered: tuple[str, int], text: str) -> None:
        num_id, level = numbered
        while self.lists and (self.lists[-1][2] > level or self.lists[-1][2] == level and self.lists[-1][1] != num_id):
            tag, _, _ = self.lists.pop()
            self.close_tags(f"</li></{tag}>")
        for (nid, lvl) in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[(nid, lvl)]  # a deeper level starts again under a new item
        n = self.counters.get((num_id, level), self.numbering.start(num_id, level) - 1) + 1
        self.counters[(num_id, level)] = n
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
        rows = [tr for tr in tbl if tr.tag == W + "tr"]
        # Vertical merges: a cell that continues the one above adds to that one's rowspan; its own paragraphs
        # are blank lines. Each cell as [rowspan (0: continues the one above), colspan, its element].
        spans: dict[int, list] = {}  # grid column -> the cell a merge started there
        cells_by_row = []
        for tr in rows:
            out, col = [], 0
            for tc in tr:
                if tc.tag != W + "tc":
                    continue
                tcpr = tc.find(W + "tcPr")
                span = _val(tcpr.find(W + "gridSpan")) if tcpr is not None else None
                width = int(span) if span and span.isdigit() and int(span) > 0 else 1
                merge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if merge is not None and _val(merge) not in ("restart",) and col in spans:
                    spans[col][0] += 1
                    out.append([0, width, tc])  # written as blank lines: its paragraphs keep their numbers
                else:
                    holder = [1, width, tc]
                    if merge is not None:
                        spans[col] = holder
                    else:
                        spans.pop(col, None)
                    out.append(holder)
                col += width
            cells_by_row.append(out)
        self.pending += "<table>"
        for out in cells_by_row:
            self.pending += "<tr>"
            for holder in out:
                rowspan, width, tc = holder
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
            elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                self.block_items(child, depth)


def block_paragraphs(parent: ElementTree.Element, depth: int = 0) -> Iterator[ElementTree.Element]:
    """Yield the paragraphs of a body, cell or content control that are lines, in reading order (those of its
    tables' cells too; not those of a text box inside a run)."""
    for child in parent:
        if child.tag == W + "p":
            yield child
        elif child.tag in (W + "tbl", W + "tr", W + "tc", W + "sdt", W + "sdtContent", W + "customXml") and depth < 200:
            yield from block_paragraphs(child, depth + 1)


def _part(archive: zipfile.ZipFile, source: str, name: str, required: bool = False) -> Optional[ElementTree.Element]:
    """Return the parsed XML part `name` of the archive (None when absent and not required)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise InputError(source, f"not a Word document (no {name} in it)") from None
        return None
    if info.file_size > _MAX_BYTES:
        raise InputError(source, f"{name} is too large ({info.file_size} bytes)")
    try:
        return ElementTree.fromstring(archive.read(name))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(source, f"{name} is not readable ({exc})") from None


def body_html(source: str, data: bytes) -> tuple[str, int]:
    """Return (the document body written as HTML, one line per paragraph; the number of paragraphs)."""
    rules = docx_rules()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(source, "not a Word document (not a zip archive)") from None
    with archive:
        document = _part(archive, source, DOCUMENT_PART, required=True)
        styles = _Styles(_part(archive, source, "word/styles.xml"), rules)
        numbering = _Numbering(_part(archive, source, "word/numbering.xml"), set(rules.data.lists.bullet_formats))
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
    return "\n".join(lines), len(lines)


def load_docx(source: str, data: bytes, published_re: re.Pattern) -> Document:
    """Return the Document for a Word document: its body read as a page, each line traced to its paragraph."""
    from .html import document_from_html

    markup, _ = body_html(source, data)
    rules = docx_rules().data
    return document_from_html(source, data, markup, published_re, source_format="docx", source_encoding="utf-8",
                              hint_rules={"heading": rules.headings.id, "list": rules.lists.id})

