"""Word documents (.docx): the body read as a page, one line per paragraph; the plan as a .docx gives the
plan's milestones; styles, numbering, tables and bad input."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import PLAN
from docx_util import cell, docx_bytes, para, plan_docx, table
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
    markup, n = body_html("plan.docx", data)
    assert n == n_paragraphs == markup.count("\n") + 1
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
    markup, n = body_html("t.docx", docx_bytes(table([
        [cell("A", merge="restart"), cell("B")],
        [cell("", merge="continue"), cell("C")],
        [cell("D", span=2)]])))
    assert '<td rowspan="2"><p>A</p></td>' in markup and '<td colspan="2"><p>D</p></td>' in markup
    assert n == 5 and markup.split("\n")[2] == "<tr>"  # the continuing cell's paragraph: a blank line


@pytest.mark.parametrize("style, tag", [
    ("Heading1", "h1"), ("Heading4", "h4"), ("Title", "h1"), ("ProgrammeTitle", "h2"),  # basedOn heading 2
    ("ListParagraph", "p"), (None, "p"), ("NoSuchStyle", "p")])
def test_paragraph_styles(style, tag):
    markup, _ = body_html("s.docx", docx_bytes(para("Text", style)))
    assert f"<{tag}>Text</{tag}>" in markup


def test_numbering_nests_and_counts_as_word_does():
    markup, _ = body_html("n.docx", docx_bytes(
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
    markup, _ = body_html("r.docx", docx_bytes(p))
    assert "<p>Kept added &amp; &lt;more&gt;<br>next line link</p>" in markup


@pytest.mark.parametrize("data, reason", [
    (b"not a zip at all", "not a Word document (not a zip archive)"),
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
    markup, _ = body_html("bare.docx", data)
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
    markup, n = body_html("e.docx", docx_bytes(para("Before") + "<w:tbl><w:tr><w:tc></w:tc><w:tc>" + para("B")
                                              + "</w:tc></w:tr></w:tbl>"))
    assert markup == "<html><body><p>Before</p>\n<table><tr><td></td><td><p>B</p></td></tr></table></body></html>"
    assert n == 2
