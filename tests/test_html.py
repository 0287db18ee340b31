"""Issue 6: the plan as an HTML page gives the same tables as the text, traced to the page's source."""
from __future__ import annotations

import html as htmlmod
import re
from collections import Counter
from datetime import date

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, PLAN_HTML
from provenance_util import span_problems

SPAN_FIELDS = {"char_start", "char_end", "line_start", "line_end", "source_locator"}
MENTION_TABLES = ("temporal_expressions", "quantities")


def comparable(row, drop=()) -> dict:
    """A row without its provenance (spans differ between a text and a page)."""
    return {k: v for k, v in row.model_dump().items() if k not in SPAN_FIELDS and k not in drop}


def test_fixture_is_what_the_generator_writes():
    """The committed page is the generator's output for the plan (regenerate with make_plan_html.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_plan_html", FIXTURES / "make_plan_html.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.page(gen.PLAN.read_text(encoding="utf-8")) == PLAN_HTML.read_text(encoding="utf-8")


def test_document_row(plan_html, plan_html_bytes):
    doc = plan_html.tables["documents"][0]
    assert (doc.doc_id, doc.title, doc.published_date) == ("nhsx-delivery-plan-2021-12-01", "NHSX Delivery Plan",
                                                           date(2021, 12, 1))
    assert (doc.source_format, doc.source_encoding, doc.plan_id) == ("html", "utf-8", "nhsx-delivery-plan")
    assert doc.n_lines == plan_html_bytes.count(b"\n") == doc.line_end  # the page ends with a newline
    assert "\u00a0" not in doc.text and "&rsquo;" not in doc.text and "&amp;" not in doc.text
    assert "NHS’s needs" in doc.text and "Who pays for what" in doc.text  # entities decoded


def test_counts(plan_html):
    t = plan_html.tables
    assert (len(t["milestones"]), len(t["milestone_targets"]), len(t["programmes"])) == (219, 18, 46)
    assert Counter(s.kind for s in t["sections"])["theme"] == 4
    assert Counter(m.status for m in t["milestones"]) == {"planned": 162, "complete": 54, "partial": 3}


@pytest.mark.parametrize("table", ["sections", "programmes", "milestones", "milestone_targets"])
def test_same_rows_as_the_text(plan, plan_html, table):
    """Field by field, spans aside: same ids, descriptions, dates, statuses, workstreams, tree, targets."""
    text_rows, page_rows = plan.tables[table], plan_html.tables[table]
    assert len(page_rows) == len(text_rows)
    for a, b in zip(text_rows, page_rows):
        assert comparable(b) == comparable(a)


def test_same_paragraphs_as_the_text(plan, plan_html):
    """Same paragraphs, kinds and sections; headings are known from their tags rather than their shape."""
    assert len(plan_html.tables["paragraphs"]) == len(plan.tables["paragraphs"])
    for a, b in zip(plan.tables["paragraphs"], plan_html.tables["paragraphs"]):
        assert comparable(b, drop=("rule_id",)) == comparable(a, drop=("rule_id",))
        assert b.rule_id == a.rule_id or (a.kind == "heading" and b.rule_id == "html.heading")


@pytest.mark.parametrize("table", MENTION_TABLES)
def test_same_mentions_as_the_text(plan, plan_html, table):
    """Dates and quantities mentioned: same texts, kinds and values."""
    text_rows = plan.tables[table]
    assert len(text_rows) > 100
    assert [comparable(r) for r in plan_html.tables.get(table, [])] == [comparable(r) for r in text_rows]


def test_same_quality_findings(plan, plan_html):
    key = lambda q: (q.severity, q.code, q.message, q.paragraph_id, q.evidence)  # noqa: E731
    assert [key(q) for q in plan_html.tables["quality"]] == [key(q) for q in plan.tables["quality"]]
    [q] = plan_html.tables["quality"]
    assert "<strong>Date:</strong> October 2021 (compete)</p>" in PLAN_HTML.read_text().split("\n")[q.line - 1]


# -- provenance ---------------------------------------------------------------

def test_every_row_spans_its_evidence(plan_html):
    assert span_problems(plan_html) == []


def visible(source: str) -> str:
    """The text of HTML source lines as a reader sees it: tags out, entities decoded, white space collapsed."""
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]*>", " ", source)).replace("\u00a0", " ").split())


LIST_MARKER = re.compile(r"^\s*(?:•|\d+\.)\s+")


STEP = re.compile(r"^(?P<name>[a-z0-9]+)(?:#(?P<id>[\w-]+))?(?::nth-of-type\((?P<n>\d+)\))?$")


def resolve(body, loc: str):
    """Follow a locator down from <body>, step by step (a reading of the CSS path independent of soupsieve)."""
    node = body
    for step in loc.split(" > "):
        m = STEP.match(step)
        assert m, step
        same = node.find_all(m.group("name"), recursive=False)
        node = same[int(m.group("n") or 1) - 1]
        assert m.group("id") in (None, node.get("id")), step
    return node


def test_paragraph_lines_hold_their_element(plan_html, plan_html_bytes):
    """line_start..line_end are the element's source lines: its start tag first, its end tag last, its text between."""
    raw = plan_html_bytes.decode("utf-8").split("\n")
    soup = BeautifulSoup(plan_html_bytes.decode("utf-8"), "html.parser")
    for p in plan_html.tables["paragraphs"]:
        element = resolve(soup.body, p.source_locator)
        first_tag = "li" if element.name in ("ul", "ol") else element.name
        assert f"<{first_tag}" in raw[p.line_start - 1], (p.paragraph_id, raw[p.line_start - 1])
        assert f"</{first_tag}>" in raw[p.line_end - 1], (p.paragraph_id, raw[p.line_end - 1])
        held = visible("\n".join(raw[p.line_start - 1:p.line_end]))
        shown = " ".join(element.get_text(" ").replace("\u00a0", " ").split())
        for line in p.text.split("\n"):
            words = " ".join(LIST_MARKER.sub("", line).split())
            assert words in held and words in shown, (p.paragraph_id, words)


def test_locators_are_css_paths(plan_html, plan_html_bytes):
    """Locators are CSS that selects the element (checked with soupsieve on a sample)."""
    paras = plan_html.tables["paragraphs"]
    assert paras[0].source_locator == ("div:nth-of-type(2) > main#maincontent > div:nth-of-type(1) > div:nth-of-type(1)"
                                       " > article > header > h1")
    lists = [p for p in paras if p.kind == "list" and "\n" in p.text]
    assert lists and all(re.search(r"> [uo]l(:nth-of-type\(\d+\))?$", p.source_locator) for p in lists)
    soup = BeautifulSoup(plan_html_bytes.decode("utf-8"), "html.parser")
    for p in paras[::37]:
        assert soup.body.select_one(":scope > " + p.source_locator) is resolve(soup.body, p.source_locator)


def test_milestone_lines_span_description_to_date(plan_html):
    raw = PLAN_HTML.read_text(encoding="utf-8").split("\n")
    m = next(m for m in plan_html.tables["milestones"] if m.description.startswith("32 Digital Aspirants"))
    assert raw[m.line_start - 1].strip().startswith("<p>32 Digital Aspirants")
    assert raw[m.line_end - 1].strip() == "<p class=\"app-milestone__date\"><strong>Date:</strong> March 2022</p>"


# Phrases that only the page furniture holds (checked to be in the page, and not in the plan).
FURNITURE = ["Cookies on the NHS Transformation Directorate website", "analytics cookies", "Skip to main content",
             "Search the site", "Key tools and information", "Primary navigation", "Pages in this guide",
             "Back to top", "Related links", "Blog: the NHSX Delivery Plan explained", "Is this page useful?",
             "Accessibility statement", "Privacy notice", "Crown copyright", "Support links", "dataLayer",
             "nhsuk-cookie-banner", "querySelectorAll", "Published 1 January 2020", "NHS Transformation Directorate"]


@pytest.mark.parametrize("phrase", FURNITURE)
def test_no_furniture_in_the_text(plan_html, plan_text, phrase):
    page = PLAN_HTML.read_text(encoding="utf-8")
    assert phrase in htmlmod.unescape(page) and phrase not in plan_text
    assert phrase not in plan_html.tables["documents"][0].text


def test_text_is_the_content_only(plan_html, plan_text):
    """Every non-blank line of the page's text is a line of the plan (list markers aside): nothing else came in."""
    plan_lines = {" ".join(LIST_MARKER.sub("", line).split()) for line in plan_text.replace("\u00a0", " ").split("\n")}
    for line in plan_html.tables["documents"][0].text.split("\n"):
        if line.strip():
            assert " ".join(LIST_MARKER.sub("", line).split()) in plan_lines, line


# -- the whole plan in other page styles ----------------------------------------

def programme_h3(page: str) -> str:
    """Programmes one level down (h3), sub-sections two (h4); themes stay h2."""
    page = re.sub(r"<h3>(.*?)</h3>", r"<h4>\1</h4>", page)
    return re.sub(r'(<section class="app-programme"[^>]*>\n\s*)<h2>(.*?)</h2>', r"\1<h3>\2</h3>", page)


PAGE_STYLES = {
    "no-sections": lambda p: re.sub(r"(?m)^\s*</?section[^>]*>\n", "", p),
    "optional-end-tags-left-out": lambda p: p.replace("</p>", "").replace("</li>", ""),
    "one-line-source": lambda p: p.replace("\n", " "),
    "programmes-h3-subsections-h4": programme_h3,
    "date-label-plain": lambda p: p.replace("<strong>Date:</strong>", "Date:").replace("<strong>Dates:</strong>", "Dates:"),
    "crlf": lambda p: p.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("style", sorted(PAGE_STYLES))
def test_whole_plan_in_other_page_styles(plan, style):
    from conftest import extract_html
    from test_drift import view

    source = PAGE_STYLES[style](PLAN_HTML.read_text(encoding="utf-8"))
    assert source != PLAN_HTML.read_text(encoding="utf-8")
    got = extract_html(source, name=PLAN_HTML.name)
    assert view(got) == view(plan)
    assert [comparable(s) for s in got.tables["sections"]] == [comparable(s) for s in plan.tables["sections"]]
    assert span_problems(got) == []
