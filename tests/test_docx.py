"""Word documents (.docx): the body read as a page, one line per paragraph; the plan as a .docx gives the
plan's milestones; styles, numbering, tables and bad input."""
from __future__ import annotations

import io
from datetime import date

import pytest

from conftest import PLAN
from docx_util import NUMBERING, STYLES, cell, docx_bytes, para, plan_docx, table
from pipeline.docx import body_html
from pipeline.document import InputError
from pipeline.run import extract_document
from provenance_util import span_problems
from test_structure_variants import content


@pytest.fixture(scope="module")
def plan_as_docx(plan_text):
    data = plan_docx(plan_text)
    return data, extract_document(PLAN.stem + ".docx", data)


def test_the_plan_as_a_word_document_gives_the_plans_milestones(plan, plan_as_docx):
    data, got = plan_as_docx
    assert content(got) == content(plan)
    assert len(got.tables["milestones"]) == 219 and len(got.tables["milestone_targets"]) == 18
    kinds = [s.kind for s in got.tables["sections"]]
    assert kinds.count("programme") == 46 and kinds.count("theme") == 4
    assert [p.programme for p in got.tables["programmes"]] == [p.programme for p in plan.tables["programmes"]]
    assert [q.code for q in got.tables["quality"]] == ["status_misspelt"]
    assert span_problems(got) == []


def test_a_word_documents_lines_are_its_paragraphs(plan_as_docx):
    data, got = plan_as_docx
    doc = got.tables["documents"][0]
    n_paragraphs = data.count(b"<w:p>")  # the generator writes every paragraph as <w:p>
    assert (doc.source_format, doc.source_encoding, doc.title, doc.published_date) == (
        "docx", "utf-8", "NHSX Delivery Plan", date(2021, 12, 1))
    assert doc.n_lines == n_paragraphs
    markup = body_html("plan.docx", data)
    assert markup.count("\n") + 1 == n_paragraphs
    first = got.tables["milestones"][0]
    line = markup.split("\n")[first.line_start - 1]  # the paragraph the milestone starts with
    assert first.description.split()[0] in line


def test_heading_paragraphs_name_the_word_rule(plan_as_docx):
    """A heading known from its style names rules/docx.yaml's rule; list items read by their marker (kind.list_item)."""
    _, got = plan_as_docx
    rules: dict[str, set] = {}
    for p in got.tables["paragraphs"]:
        rules.setdefault(p.kind, set()).add(p.rule_id)
    assert rules["heading"] == {"docx.heading", "heading.shape"}  # "Published 1 December 2021": shape, not style
    assert rules["list"] == {"kind.list_item"}


SMALL = [para("Small Plan", "Title"), para("Published 2 January 2024"), para("Make - overview", "Heading1"),
         para("Making."), para("Thing programme", "Heading2"), para("Background", "Heading3"), para("Why."),
         para("Commitment milestones", "Heading3")]


def small(*milestones: str) -> bytes:
    return docx_bytes("".join(SMALL) + "".join(milestones))


def milestones(tables) -> list[tuple]:
    return [(m.description, m.date_text, m.due_end, m.status) for m in tables.tables["milestones"]]


def test_a_milestone_table_in_a_word_document():
    data = small(table([["Milestone", "Date", "Status"],
                        ["Open the hub.", "Q3 2024/25", "complete"],
                        ["Close the pilot.", "December 2024", ""],
                        [cell("Train the staff.\tPhase two."), cell("TBC"), cell("")]]))
    got = extract_document("small.docx", data)
    assert milestones(got) == [("Open the hub.", "Q3 2024/25", date(2024, 12, 31), "complete"),
                               ("Close the pilot.", "December 2024", date(2024, 12, 31), "planned"),
                               ("Train the staff. Phase two.", "TBC", None, "planned")]
    assert span_problems(got) == []


def test_merged_cells_span_rows_and_columns():
    markup = body_html("t.docx", docx_bytes(table([
        [cell("A", merge="restart"), cell("B")],
        [cell("", merge="continue"), cell("C")],
        [cell("D", span=2)]])))
    assert '<td rowspan="2"><p>A</p></td>' in markup and '<td colspan="2"><p>D</p></td>' in markup
    assert markup.count("\n") == 4 and markup.split("\n")[2] == "<tr>"  # the continuing cell's paragraph: a blank line


@pytest.mark.parametrize("style, tag", [
    ("Heading1", "h1"), ("Heading4", "h4"), ("Title", "h1"), ("ProgrammeTitle", "h2"),  # basedOn heading 2
    ("ListParagraph", "p"), (None, "p"), ("NoSuchStyle", "p")])
def test_paragraph_styles(style, tag):
    markup = body_html("s.docx", docx_bytes(para("Text", style)))
    assert f"<{tag}>Text</{tag}>" in markup


def test_numbering_nests_and_counts_as_word_does():
    markup = body_html("n.docx", docx_bytes(
        para("one", None, 2) + para("two", None, 2) + para("sub", None, 2, 1) + para("three", None, 2)
        + para("between") + para("four", None, 2) + para("dot", None, 1)))
    lines = markup.split("\n")
    assert lines == ["<html><body><ol><li>one</li>", "<li>two", "<ol><li>sub</li></ol></li>", "<li>three</li></ol>",
                     "<p>between</p>",
                     '<ol start="4"><li>four</li></ol>',  # the numbering goes on after the paragraph between
                     "<ul><li>dot</li></ul></body></html>"]


def test_text_runs_tabs_breaks_and_tracked_changes():
    p = ('<w:p><w:r><w:t>Kept</w:t></w:r><w:ins><w:r><w:t xml:space="preserve"> added</w:t></w:r></w:ins>'
         '<w:del><w:r><w:delText> deleted</w:delText></w:r></w:del><w:r><w:tab/><w:t>&amp; &lt;more&gt;</w:t>'
         '<w:br/><w:t>next line</w:t></w:r>'
         '<w:hyperlink><w:r><w:t> link</w:t></w:r></w:hyperlink></w:p>')
    markup = body_html("r.docx", docx_bytes(p))
    assert "<p>Kept added &amp; &lt;more&gt;<br>next line link</p>" in markup


@pytest.mark.parametrize("data, reason", [
    (b"not a zip at all", "not a Word document (not a zip archive: a .doc, or an encrypted document?)"),
    (docx_bytes("", extra={}), "no paragraphs in the document"),
    (b"PK\x05\x06" + b"\x00" * 18, "not a Word document (no word/document.xml in it)"),
])
def test_bad_word_documents_are_one_line_errors(data, reason):
    with pytest.raises(InputError) as err:
        extract_document("bad.docx", data)
    assert str(err.value).endswith(reason) and "bad.docx" in str(err.value) and "\n" not in str(err.value)


def test_broken_xml_is_an_error():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(InputError, match=r"word/document.xml is not readable"):
        extract_document("broken.docx", buf.getvalue())


def test_without_styles_or_numbering_parts_every_paragraph_is_text():
    data = docx_bytes(para("Title", "Title") + para("item", None, 1), styles=None, numbering=None)
    markup = body_html("bare.docx", data)
    assert markup == "<html><body><p>Title</p>\n<ul><li>item</li></ul></body></html>"


@pytest.mark.slow
def test_extract_reads_a_folder_with_a_word_document_open(tmp_path, plan_text):
    """`planextract extract raw` takes the .docx beside a text plan and leaves Word's owner file ('~$…') alone."""
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.storage import read_rows

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "nhsx-delivery-plan-2021-12-01.docx").write_bytes(plan_docx(plan_text))
    (raw / "~$sx-delivery-plan-2021-12-01.docx").write_bytes(b"\x0bowner\x00" * 20)
    result = CliRunner().invoke(main, ["extract", str(raw), "--out", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == 0, result.output
    docs = read_rows(tmp_path / "out", "documents")
    assert [(d.source_file, d.source_format) for d in docs] == [("nhsx-delivery-plan-2021-12-01.docx", "docx")]
    assert len(read_rows(tmp_path / "out", "milestones")) == 219


def test_a_cell_without_a_paragraph_keeps_the_table_whole():
    markup = body_html("e.docx", docx_bytes(para("Before") + "<w:tbl><w:tr><w:tc></w:tc><w:tc>" + para("B")
                                           + "</w:tc></w:tr></w:tbl>"))
    assert markup == "<html><body><p>Before</p>\n<table><tr><td></td><td><p>B</p></td></tr></table></body></html>"
    assert markup.count("\n") == 1


# --- damaged archives: each a one-line InputError, never zipfile's or zlib's own exception --------------------

def _central_record(data: bytes, name: str) -> int:
    """Return the offset of the central-directory record of member `name`."""
    at = data.index(b"PK\x01\x02")
    while True:
        n = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + n] == name.encode():
            return at
        at = data.index(b"PK\x01\x02", at + 4)


def _patched(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + value.to_bytes(2, "little") + data[at + 2:]


def _document_bytes() -> bytes:
    return docx_bytes(para("Text " * 200))


def _unknown_compression() -> bytes:
    data = _document_bytes()
    return _patched(data, _central_record(data, "word/document.xml") + 10, 99)


def _encrypted() -> bytes:
    data = _document_bytes()
    at = _central_record(data, "word/document.xml") + 8
    return _patched(data, at, int.from_bytes(data[at:at + 2], "little") | 1)


def _bad_deflate() -> bytes:
    data = _document_bytes()
    at = 0  # the first member's local header
    while data[at + 30:at + 30 + int.from_bytes(data[at + 26:at + 28], "little")] != b"word/document.xml":
        at = data.index(b"PK\x03\x04", at + 4)
    start = at + 30 + int.from_bytes(data[at + 26:at + 28], "little") + int.from_bytes(data[at + 28:at + 30], "little")
    return data[:start] + b"\xff" * 16 + data[start + 16:]


def _zip_bomb() -> bytes:
    return docx_bytes(para("x") + "<!--" + " " * (33 * 2 ** 20) + "-->")


def _element_bomb() -> bytes:
    return docx_bytes("<w:p/>" * 1_000_001)  # 6 MB of XML, but a million elements: memory, not bytes


def _bad_lzma() -> bytes:
    import zipfile as zf

    buf = io.BytesIO()
    with zf.ZipFile(buf, "w", zf.ZIP_LZMA) as z:
        z.writestr("word/document.xml", "<w:document/>" * 200)
    data = buf.getvalue()
    at = 30 + len("word/document.xml")  # the only member's data, after its local header
    return data[:at + 4] + b"\xff" * 26 + data[at + 30:]


def _bad_name() -> bytes:
    data = _document_bytes()
    at = _central_record(data, "word/document.xml")
    flagged = _patched(data, at + 8, int.from_bytes(data[at + 8:at + 10], "little") | 0x800)  # names are UTF-8
    return flagged[:at + 46] + b"\xff" + flagged[at + 47:]  # ... and this one is not


@pytest.mark.parametrize("make, reason", [
    (_unknown_compression, "word/document.xml is not readable: it is compressed by a method that cannot be read here"),
    (_encrypted, "word/document.xml is not readable: it is encrypted (password-protected)"),
    (_bad_deflate, "word/document.xml is not readable: it is damaged ("),  # zlib's error or a bad CRC
    (_zip_bomb, "its XML is over 32 MB once inflated (no plan is)"),
    (_element_bomb, "its XML holds over 1,000,000 elements (no plan does)"),
    (_bad_lzma, "word/document.xml is not readable: it is damaged ("),
    (_bad_name, "not a readable Word document: it is damaged ("),
    (lambda: _document_bytes()[:-30], "not a Word document (not a zip archive: a .doc, or an encrypted document?)"),
], ids=["unknown-compression", "encrypted", "bad-deflate", "zip-bomb", "element-bomb", "bad-lzma", "bad-name",
        "truncated"])
def test_damaged_archives_are_one_line_errors(make, reason):
    with pytest.raises(InputError) as err:
        body_html("bad.docx", make())
    message = str(err.value)
    assert message.startswith("bad.docx: ") and reason in message and "\n" not in message


# --- what Word writes that a reader must take in its stride ------------------------------------------------------

@pytest.mark.parametrize("props, want", [
    ('<w:gridSpan w:val="²"/>', "<td><p>A</p></td>"),  # a digit to str.isdigit, not a number
    ('<w:gridSpan w:val="' + "9" * 5000 + '"/>', "<td><p>A</p></td>"),  # beyond int()'s digit limit
    ('<w:gridSpan w:val="-2"/>', "<td><p>A</p></td>"),
    ('<w:gridSpan w:val="3"/>', '<td colspan="3"><p>A</p></td>'),
])
def test_odd_numbers_in_attributes_are_read_as_absent(props, want):
    markup = body_html("o.docx", docx_bytes(f"<w:tbl><w:tr><w:tc><w:tcPr>{props}</w:tcPr>{para('A')}</w:tc></w:tr></w:tbl>"))
    assert want in markup


@pytest.mark.parametrize("ppr", ['<w:outlineLvl w:val="²"/>', '<w:numPr><w:ilvl w:val="' + "1" * 5000 + '"/>'
                                 '<w:numId w:val="2"/></w:numPr>', '<w:numPr><w:ilvl w:val="x"/><w:numId w:val="²"/></w:numPr>'])
def test_odd_numbers_in_paragraph_properties_do_not_stop_the_reader(ppr):
    markup = body_html("o.docx", docx_bytes(f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>Text</w:t></w:r></w:p>"))
    assert "Text</" in markup and markup.count("\n") == 0


def test_a_newline_inside_a_text_run_is_a_space_and_the_paragraph_one_line():
    markup = body_html("n.docx", docx_bytes("<w:p><w:r><w:t>one\ntwo\r\nthree\u2028four\x85five</w:t></w:r></w:p>" + para("next")))
    assert markup.split("\n") == ["<html><body><p>one two three four five</p>", "<p>next</p></body></html>"]


def test_content_controls_around_rows_and_cells_keep_them_in_the_table():
    row = "<w:tr>" + cell("A") + "<w:sdt><w:sdtContent>" + cell("B") + "</w:sdtContent></w:sdt></w:tr>"
    markup = body_html("c.docx", docx_bytes("<w:tbl><w:sdt><w:sdtContent>" + row + "</w:sdtContent></w:sdt>"
                                            "<w:customXml>" + "<w:tr>" + cell("C") + cell("D") + "</w:tr></w:customXml></w:tbl>"))
    assert markup == ("<html><body><table><tr><td><p>A</p></td>\n<td><p>B</p></td></tr>\n"
                      "<tr><td><p>C</p></td>\n<td><p>D</p></td></tr></table></body></html>")


def test_a_content_controlled_milestone_row_is_a_milestone():
    rows = table([["Milestone", "Date"]])[:-len("</w:tbl>")] + (
        "<w:sdt><w:sdtContent><w:tr>" + cell("Open the hub.") + cell("March 2025") + "</w:tr></w:sdtContent></w:sdt></w:tbl>")
    got = extract_document("small.docx", small(rows))
    assert milestones(got) == [("Open the hub.", "March 2025", date(2025, 3, 31), "planned")]
    assert span_problems(got) == []


OUTLINED = STYLES.replace("</w:styles>", (
    '<w:style w:type="paragraph" w:styleId="Plain9"><w:name w:val="Aside"/><w:basedOn w:val="Heading2"/>'
    '<w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Outlined"><w:name w:val="Section"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="ListNumber"><w:name w:val="List Number"/>'
    '<w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style></w:styles>'))


@pytest.mark.parametrize("ppr, tag", [
    ('<w:outlineLvl w:val="1"/>', "h2"),  # the paragraph's own outline level makes it a heading
    ('<w:pStyle w:val="Heading1"/><w:outlineLvl w:val="9"/>', "p"),  # level 9: body text, whatever the style
    ('<w:pStyle w:val="Heading1"/><w:outlineLvl w:val="3"/>', "h4"),
    ('<w:pStyle w:val="Outlined"/>', "h3"),  # the style's outline level
    ('<w:pStyle w:val="Plain9"/>', "p"),  # based on heading 2, its own outline level 9 makes it body text
    ('<w:pStyle w:val="Plain9"/><w:outlineLvl w:val="0"/>', "h1"),
])
def test_outline_levels(ppr, tag):
    markup = body_html("l.docx", docx_bytes(f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>Text</w:t></w:r></w:p>", styles=OUTLINED))
    assert markup == f"<html><body><{tag}>Text</{tag}></body></html>"


def test_a_level_alone_moves_a_styled_list_item_down_its_styles_list():
    styled = '<w:p><w:pPr><w:pStyle w:val="ListNumber"/>{}</w:pPr><w:r><w:t>{}</w:t></w:r></w:p>'
    markup = body_html("l.docx", docx_bytes(styled.format("", "one") + styled.format(
        '<w:numPr><w:ilvl w:val="1"/></w:numPr>', "sub") + styled.format("", "two"), styles=OUTLINED))
    assert markup.split("\n") == ["<html><body><ol><li>one", "<ol><li>sub</li></ol></li>", "<li>two</li></ol></body></html>"]


RESTARTING = NUMBERING.replace("</w:numbering>", (
    '<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>'
    '</w:lvlOverride></w:num>'
    '<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="5"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/>'
    '</w:lvlOverride></w:num></w:numbering>'))


def test_lists_of_one_definition_count_on_and_a_start_override_restarts_them():
    """As Word counts: numIds over one abstract definition share its count; a startOverride restarts it once."""
    markup = body_html("r.docx", docx_bytes(
        para("a", None, 2) + para("b", None, 2) + para("c", None, 3) + para("d", None, 2) + para("e", None, 4)
        + para("f", None, 5) + para("g", None, 5), numbering=RESTARTING))
    assert markup.split("\n") == ["<html><body><ol><li>a</li>", "<li>b</li></ol>",
                                  "<ol><li>c</li></ol>",  # numId 3 restarts at 1
                                  '<ol start="2"><li>d</li></ol>', '<ol start="3"><li>e</li></ol>',  # counting on
                                  '<ol start="7"><li>f</li>', "<li>g</li></ol></body></html>"]


def test_grid_before_shifts_a_row_and_a_merge_ends_under_a_wider_cell():
    skip = '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
    # Row 2 starts at column 1, so its continuing cell goes on the merge that "A" started there.
    markup = body_html("g.docx", docx_bytes("<w:tbl><w:tr>" + cell("X") + cell("A", merge="restart") + "</w:tr>"
                                            + skip + cell("", merge="continue") + "</w:tr></w:tbl>"))
    assert '<td rowspan="2"><p>A</p></td>' in markup
    # The columns it leaves out are an empty cell, so that the cells after them stay in their columns.
    markup = body_html("g.docx", docx_bytes(table([["Milestone", "Date"]])[:-len("</w:tbl>")] + skip
                                            + cell("March 2025") + "</w:tr></w:tbl>"))
    assert markup.split("\n")[-1] == "<tr><td></td><td><p>March 2025</p></td></tr></table></body></html>"
    # A cell over columns 0-1 ends the merge at column 1: the cell below it starts afresh.
    markup = body_html("g.docx", docx_bytes(table([
        [cell("X"), cell("A", merge="restart")],
        [cell("C", span=2)],
        [cell("Y"), cell("Z", merge="continue")]])))
    assert "rowspan" not in markup and "<td><p>Z</p></td>" in markup


def test_a_continuing_cell_of_another_width_starts_afresh():
    markup = body_html("w.docx", docx_bytes(table([
        [cell("A", merge="restart"), cell("B"), cell("C")],
        [cell("E", span=2, merge="continue"), cell("D")]])))
    assert "rowspan" not in markup and '<td colspan="2"><p>E</p></td>' in markup


OVERRIDES = NUMBERING.replace("</w:numbering>", (
    '<w:num w:numId="6"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0">'
    '<w:numFmt w:val="upperRoman"/></w:lvl></w:lvlOverride></w:num>'
    '<w:num w:numId="7"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
    '<w:numFmt w:val="decimal"/></w:lvl></w:lvlOverride></w:num></w:numbering>'))


def test_a_level_redefined_restarts_only_when_it_gives_a_start():
    markup = body_html("v.docx", docx_bytes(para("a", None, 2) + para("b", None, 6) + para("c", None, 7),
                                            numbering=OVERRIDES))
    assert markup.split("\n") == ["<html><body><ol><li>a</li></ol>",
                                  '<ol start="2"><li>b</li></ol>',  # its format only: the count goes on
                                  "<ol><li>c</li></ol></body></html>"]  # its own w:start: a restart
