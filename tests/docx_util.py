"""Word documents built inline for tests: the XML parts a .docx needs, zipped.

`docx_bytes(body)` takes the body's XML (`para`, `table`); styles and numbering are Word's
built-in names: "Title", "heading 1".."heading 4", "List Paragraph", numbering 1 bullets and
numbering 2 decimals.
"""
from __future__ import annotations

import io
import zipfile
from typing import Optional
from xml.sax.saxutils import escape

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {NS}>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading4"><w:name w:val="heading 4"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="ProgrammeTitle"><w:name w:val="Programme title"/><w:basedOn w:val="Heading2"/></w:style>
  <w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="Heading 1 Char"/></w:style>
</w:styles>
"""

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {NS}>
  <w:abstractNum w:abstractNumId="0">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="1">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>
"""


def runs(text: str) -> str:
    """Return the runs of `text`: a tab as <w:tab/>, a newline as <w:br/>."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:r><w:br/></w:r>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append("<w:r><w:tab/></w:r>")
            if piece:
                out.append(f'<w:r><w:t xml:space="preserve">{escape(piece)}</w:t></w:r>')
    return "".join(out)


def para(text: str, style: Optional[str] = None, num: Optional[int] = None, level: int = 0) -> str:
    """Return one paragraph (w:p) of `text` with a paragraph style and numbering."""
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>' if num is not None else "")
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs(text)}</w:p>"


def cell(content: str, span: int = 1, merge: Optional[str] = None) -> str:
    """Return a table cell (w:tc) holding `content` (paragraphs' XML, or text for one paragraph)."""
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "<w:vMerge/>" if merge == "continue" else '<w:vMerge w:val="restart"/>' if merge == "restart" else "")
    body = content if content.startswith("<w:") else para(content)
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{body}</w:tc>"


def table(rows: list[list[str]]) -> str:
    """Return a table (w:tbl) of rows of cells (`cell` XML, or text for a plain cell)."""
    return "<w:tbl>" + "".join("<w:tr>" + "".join(c if c.startswith("<w:tc") else cell(c) for c in row) + "</w:tr>"
                               for row in rows) + "</w:tbl>"


def docx_bytes(body: str, styles: Optional[str] = STYLES, numbering: Optional[str] = NUMBERING,
               extra: Optional[dict[str, bytes]] = None) -> bytes:
    """Return a .docx holding `body` (paragraphs' and tables' XML), with the given styles and numbering parts."""
    parts = {"[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
             "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}><w:body>{body}'
                                  f"<w:sectPr/></w:body></w:document>".encode("utf-8")}
    if styles is not None:
        parts["word/styles.xml"] = styles.encode("utf-8")
    if numbering is not None:
        parts["word/numbering.xml"] = numbering.encode("utf-8")
    parts.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, data)
    return buf.getvalue()


def _plan_elements():
    """Return make_plan_html.elements: the plan's elements by that script's line rules (not the pipeline's)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent / "fixtures" / "make_plan_html.py"
    spec = importlib.util.spec_from_file_location("make_plan_html", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen.elements


# How a Word author would style each element of the plan: programmes in a custom style based on "heading 2".
PLAN_STYLES = {"title": "Title", "theme": "Heading1", "programme": "ProgrammeTitle", "subsection": "Heading3",
               "h4": "Heading4"}


def plan_docx(text: str) -> bytes:
    """Return the plan `text` as a Word document: its headings styled, its lists numbered as Word numbers them."""
    body = []
    for kind, value in _plan_elements()(text):
        if kind in ("ul", "ol"):
            body.extend(para(item, "ListParagraph", 1 if kind == "ul" else 2) for item in value)
        else:
            body.append(para(value, PLAN_STYLES.get(kind)))
    return docx_bytes("".join(body))
