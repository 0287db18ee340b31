"""Issue 2: documents, sections and paragraphs of the plan, and variants that prove the rules are general."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from conftest import GOLDEN, extract_text
from golden_util import check_golden
from pipeline.document import InputError
from pipeline.load import decode, load_document, normalise

THEMES = ["Digitise", "Connect", "Transform", "Operational functions"]


def sections_of(tables, kind):
    return [s for s in tables.tables["sections"] if s.kind == kind]


def tree(tables):
    """The section tree as comparable tuples, without offsets."""
    return [(s.kind, s.level, s.title.strip(), s.path.strip(), s.parent_id) for s in tables.tables["sections"]]


def test_document_row(plan, plan_bytes):
    doc = plan.tables["documents"][0]
    assert doc.doc_id == "nhsx-delivery-plan-2021-12-01"
    assert doc.title == "NHSX Delivery Plan"
    assert doc.published_date == date(2021, 12, 1)
    assert doc.source_format == "txt" and doc.source_encoding == "utf-8"
    assert doc.n_lines == 2701 and doc.n_chars == len(doc.text)  # 2700 newlines, no final one
    import hashlib

    assert doc.source_sha256 == hashlib.sha256(plan_bytes).hexdigest()
    assert "\u00a0" not in doc.text and "\r" not in doc.text


def test_four_themes_in_order(plan):
    assert [s.theme for s in sections_of(plan, "theme")] == THEMES
    assert [s.title for s in sections_of(plan, "theme")][0] == "Digitise - overview"


def test_programmes_golden(plan):
    """46 programmes, each under the right theme: the whole list is a golden file."""
    progs = sections_of(plan, "programme")
    assert len(progs) == 46
    assert Counter(p.theme for p in progs) == {"Digitise": 13, "Connect": 16, "Transform": 8, "Operational functions": 9}
    check_golden(GOLDEN / "programme_sections.csv", progs, ["section_id", "theme", "title", "path", "line_start", "line_end"])


def test_sections_golden(plan):
    check_golden(GOLDEN / "sections.csv", plan.tables["sections"],
                 ["section_id", "parent_id", "level", "kind", "title", "theme", "programme", "path", "paragraph_id",
                  "char_start", "char_end", "line_start", "line_end", "rule_id"])


def test_preamble_is_not_programmes(plan):
    pre = sections_of(plan, "preamble")
    assert [s.title for s in pre][:3] == ["Digital transformation in health and care", "The digital contribution",
                                          "How we will achieve it"]
    assert all(s.line_end < 66 for s in pre)  # all before "Digitise - overview"
    assert not any(s.programme for s in pre)


def test_subsections_and_headings(plan):
    subs = sections_of(plan, "subsection")
    assert Counter(re.sub(r"\s+", " ", s.title.strip()).lower() for s in subs) == {
        "background": 46, "delivery approach": 43, "commitment milestones": 34}
    assert all(s.level == 3 for s in subs)
    by_id = {s.section_id: s for s in plan.tables["sections"]}
    for s in sections_of(plan, "heading"):
        assert by_id[s.parent_id].kind in ("subsection", "programme", "theme")
    assert "Transform > Digital in urgent and emergency care > Delivery approach > 999 to 111 transfers" in {
        s.path for s in sections_of(plan, "heading")}


def test_every_paragraph_in_exactly_one_section(plan):
    ids = {s.section_id for s in plan.tables["sections"]}
    paras = plan.tables["paragraphs"]
    assert len(paras) == 1158
    assert len({p.paragraph_id for p in paras}) == len(paras)
    assert all(p.section_id in ids for p in paras)
    assert [p.sequence for p in paras] == list(range(1, len(paras) + 1))


def test_paragraph_kinds(plan):
    kinds = Counter(p.kind for p in plan.tables["paragraphs"])
    assert kinds["date_line"] == 213 and kinds["dates_header"] == 6 and kinds["target_line"] == 18
    assert kinds["list"] == 76 and kinds["numbered_item"] == 12


def test_paragraph_lines_hold_the_text(plan, plan_text):
    """documents.text[char_start:char_end] == text, and the raw lines, normalised, hold the same text."""
    text = plan.tables["documents"][0].text
    raw_lines = normalise(plan_text).split("\n")
    for p in plan.tables["paragraphs"]:
        assert text[p.char_start:p.char_end] == p.text
        assert "\n".join(raw_lines[p.line_start - 1:p.line_end]).strip() == p.text


# -- variants ---------------------------------------------------------------

def test_crlf_bom_nbsp_variant_gives_same_tree(plan, plan_text):
    variant = "\ufeff" + plan_text.replace("\n", "\r\n").replace("Delivery approach", "Delivery\u00a0approach")
    got = extract_text(variant)
    assert tree(got) == tree(plan)
    assert got.tables["documents"][0].source_encoding == "utf-8-sig"
    assert [p.line_start for p in got.tables["paragraphs"]] == [p.line_start for p in plan.tables["paragraphs"]]


def test_utf16_variant_gives_same_tree(plan, plan_text):
    got = extract_text(plan_text, encoding="utf-16")
    assert tree(got) == tree(plan)
    assert got.tables["documents"][0].source_encoding == "utf-16"


def test_cp1252_falls_back_with_warning(plan_text):
    got = extract_document_cp1252(plan_text)
    assert len(got.tables["milestones"]) == 219
    assert [q.code for q in got.tables["quality"] if q.code == "encoding"] == ["encoding"]


def extract_document_cp1252(text: str):
    from pipeline.run import extract_document

    return extract_document("legacy.txt", text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
                            .replace("\u201d", '"').replace("\u25cf", "*").replace("\u2022", "*").replace("\u2013", "-")
                            .encode("cp1252"))


def drop_programme(text: str, name: str) -> str:
    """Remove a programme (its heading up to the next programme heading) from a plan text."""
    lines = text.split("\n")
    start = lines.index(name)
    end = start + 1
    while end < len(lines) and not (lines[end].strip() and end + 2 < len(lines)
                                    and lines[end + 2].strip().lower() == "background") \
            and not lines[end].strip().lower().endswith("- overview"):
        end += 1
    return "\n".join(lines[:start] + lines[end:])


def test_shortened_plan_with_programmes_removed_and_renamed(plan_text):
    text = drop_programme(plan_text, "Digital nursing")
    text = drop_programme(text, "Strategy unit")
    text = text.replace("\nDigital medicines\n", "\nMedicines digitisation and e-prescribing\n")
    got = extract_text(text)
    progs = [s.title for s in sections_of(got, "programme")]
    assert len(progs) == 44
    assert "Digital nursing" not in progs and "Strategy unit" not in progs
    assert "Medicines digitisation and e-prescribing" in progs and "Digital medicines" not in progs
    ms = got.tables["milestones"]
    renamed = [m for m in ms if m.programme == "Medicines digitisation and e-prescribing"]
    assert len(renamed) == 14 and all(m.theme == "Connect" for m in renamed)
    assert len(ms) == 219 - 8  # Digital nursing had 8 milestones; Strategy unit none


@pytest.mark.parametrize("transform", [str.upper, str.lower, str.title], ids=["upper", "lower", "title"])
def test_headings_in_other_letter_cases(plan, plan_text, transform):
    heads = {"Background", "Delivery approach", "Commitment milestones", "Commitment Milestones"}
    theme_re = re.compile(r"^(.+ - overview)$")
    lines = [transform(line) if line.strip() in heads or theme_re.match(line) else line for line in plan_text.split("\n")]
    got = extract_text("\n".join(lines))
    assert [(s.kind, s.level) for s in got.tables["sections"]] == [(s.kind, s.level) for s in plan.tables["sections"]]
    assert len(got.tables["milestones"]) == 219


MINI = """Tiny Plan
Published 3 March 2023

Introduction

Some words.

Alpha - overview

Overview text.

First programme

Background

Why.

Commitment milestones

Do a thing.

Date: May 2023
"""


def test_minimal_plan_structure():
    got = extract_text(MINI)
    kinds = [(s.kind, s.title) for s in got.tables["sections"]]
    assert kinds == [("document", "Tiny Plan"), ("preamble", "Introduction"), ("theme", "Alpha - overview"),
                     ("programme", "First programme"), ("subsection", "Background"),
                     ("subsection", "Commitment milestones")]
    assert got.tables["documents"][0].published_date == date(2023, 3, 3)


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"  \n\n \r\n", "empty file"),
    (b"PK\x03\x04\x14\x00\x00\x00", "zip archive"),
    (b"\x00\x01\x02\x03binary\x00", "binary file"),
    (b"Just a shopping list\n\nEggs\n\nMilk.\n", "no recognisable plan structure"),
], ids=["empty", "blank", "zip", "binary", "no-structure"])
def test_bad_input_raises_one_line_error(data, reason):
    with pytest.raises(InputError) as exc:
        from pipeline.run import extract_document

        extract_document("raw/bad.txt", data)
    message = str(exc.value)
    assert message.startswith("raw/bad.txt: ") and reason in message and "\n" not in message


def test_decode_prefers_utf8_and_keeps_line_count():
    text, enc, warnings = decode("x", "a\u00a0b\r\nc\rd\n".encode("utf-8"))
    assert enc == "utf-8" and not warnings
    assert normalise(text) == "a b\nc\nd\n"


def test_unsupported_extension():
    with pytest.raises(InputError, match="unsupported file type '.pdf'"):
        load_document("plan.pdf", b"hello")


@pytest.mark.parametrize("line,published", [
    ("Published 1 December 2021", date(2021, 12, 1)),
    ("Published 1st December 2021", date(2021, 12, 1)),
    ("Published 01/12/2021", date(2021, 12, 1)),
    ("Publication date: 1 December 2021", date(2021, 12, 1)),
    ("First published: 1 December 2021", date(2021, 12, 1)),
    ("Published on December 1, 2021.", date(2021, 12, 1)),
    ("Published December 2021", None),  # a month is not a day of publication
], ids=["plain", "ordinal", "numeric", "publication-date", "first-published", "us-order", "month-only"])
def test_publication_line_forms(line, published):
    got = extract_text(MINI.replace("Published 3 March 2023", line))
    assert got.tables["documents"][0].published_date == published
    codes = [q.code for q in got.tables["quality"]]
    assert ("no_publication_date" in codes) == (published is None)
    if published is None:
        assert {m.is_overdue_at_publication for m in got.tables["milestones"]} == {None}
