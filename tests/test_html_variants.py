"""Issue 6: HTML variants. One small plan, written as pages of many kinds, must read the same.

Each variant changes one thing a publisher might: heading levels, how a date is marked up,
how targets are listed, which landmark holds the content, the furniture, entities, source
formatting. The expected reading (EXPECTED) is written by hand.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import extract_html
from pipeline.document import InputError
from pipeline.run import extract_document
from provenance_util import span_problems


def strong_date(desc: str, when: str) -> str:
    return f"<p>{desc}</p>\n<p><strong>Date:</strong> {when}</p>"


def targets_as_paragraphs(lines: list[str]) -> str:
    return "<p><strong>Dates:</strong></p>\n" + "\n".join(f"<p>{t}</p>" for t in lines)


def page(theme="h2", programme="h2", sub="h3", date_block=strong_date, targets=targets_as_paragraphs,
         main_open='<main class="govuk-main-wrapper" id="main-content" role="main">', main_close="</main>",
         title='<h1 class="gem-c-title__text">Widget Plan</h1>', byline="<p>Published 5 June 2024</p>",
         apostrophe="&rsquo;") -> str:
    """Return the plan page; each argument is one thing a variant may change."""
    def head(tag: str, text: str) -> str:
        return f"<p><strong>{text}</strong></p>" if tag == "strong" else f"<{tag}>{text}</{tag}>"

    body = "\n".join([
        title, byline,
        '<div class="govspeak">',
        head("h2", "About this plan"), "<p>Words about the plan.</p>",
        head(theme, "Build - overview"), "<p>Building things.</p>",
        head(programme, "Widget programme"), head(sub, "Background"), "<p>Why widgets.</p>",
        head(sub, "Commitment milestones"),
        date_block("Widgets: first widget shipped.", "30 September 2024 (complete)"),
        "<p>Second widget designed.</p>\n<ul>\n  <li>with a list</li>\n  <li>of two items</li>\n</ul>\n"
        "<p><strong>Date:</strong> Q3 2024/25</p>",
        "<p>Factories opened.</p>", targets(["50% by winter 2025", "All factories - 2026 (complete)"]),
        head(programme, "Gadget programme"), head(sub, "Background"), "<p>Gadgets.</p>",
        head(sub, "Commitment milestones"),
        "<p>Commitments will be available in quarter 2 of the 2024 to 2025 financial year.</p>",
        head(theme, "Run - overview"), "<p>Running things.</p>",
        head(programme, "Care &amp; support programme"), head(sub, "Background"), "<p>Care.</p>",
        head(sub, "Delivery approach"), "<p>Approach.</p>", head(sub, "Commitment milestones"),
        date_block(f"Carers{apostrophe} app launched &amp;&nbsp;rated.", "TBC"),
        "</div>",
    ])
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Widget Plan - GOV.UK</title>
<style>.govuk-header {{ color: #fff; }}</style>
<script>window.plan = {{"milestone": "Date: May 2030"}};</script>
</head>
<body class="govuk-template__body">
<div class="govuk-cookie-banner" role="region" aria-label="Cookies on GOV.UK">
<p>We use some essential cookies to make this website work.</p><button>Accept additional cookies</button></div>
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header" role="banner"><a href="/" class="govuk-header__link">GOV.UK</a>
<nav><ul><li><a href="/browse">Topics</a></li><li><a href="/government">Government activity</a></li></ul></nav></header>
<div class="govuk-width-container">
<div class="govuk-breadcrumbs"><ol><li><a href="/">Home</a></li><li><a href="/widgets">Widget policy</a></li></ol></div>
{main_open}
{body}
<div class="gem-c-related-navigation"><h2>Related content</h2><ul><li><a href="/gadgets">Gadget strategy</a></li></ul></div>
<div class="gem-c-feedback"><p>Is this page useful?</p></div>
{main_close}
</div>
<footer class="govuk-footer" role="contentinfo"><p>All content is available under the Open Government Licence v3.0</p></footer>
</body>
</html>
"""


FURNITURE = ["cookies", "Skip to main content", "GOV.UK", "Topics", "Government activity", "Widget policy",
             "Related content", "Gadget strategy", "Is this page useful?", "Open Government Licence", "May 2030",
             "Contents", "Print this page"]

EXPECTED_MILESTONES = [
    ("Build", "Widget programme", "Widgets: first widget shipped.", "30 September 2024", date(2024, 9, 30),
     date(2024, 9, 30), "day", "complete", "Widgets"),
    ("Build", "Widget programme", "Second widget designed.\n\n  • with a list\n  • of two items", "Q3 2024/25",
     date(2024, 10, 1), date(2024, 12, 31), "quarter", "planned", None),
    ("Build", "Widget programme", "Factories opened.", "50% by winter 2025; All factories - 2026 (complete)",
     date(2026, 1, 1), date(2026, 12, 31), "year", "partial", None),
    ("Run", "Care & support programme", "Carers’ app launched & rated.", "TBC", None, None, None, "planned", None),
]
EXPECTED_PROGRAMMES = [("Build", "Widget programme", 3, None),
                       ("Build", "Gadget programme", 0, "Commitments will be available in quarter 2 of the 2024 to 2025 "
                                                        "financial year."),
                       ("Run", "Care & support programme", 1, None)]


def reading(tables) -> dict:
    """What the plan says, whatever the page looked like."""
    t = tables.tables
    return {
        "title": t["documents"][0].title,
        "published": t["documents"][0].published_date,
        "themes": [s.theme for s in t["sections"] if s.kind == "theme"],
        "programmes": [(p.theme, p.programme, p.n_milestones, p.commitments_pending_text) for p in t["programmes"]],
        "milestones": [(m.theme, m.programme, m.description, m.date_text, m.due_start, m.due_end, m.due_precision,
                        m.status, m.workstream) for m in t["milestones"]],
        "targets": [(x.label, x.due_end, x.status) for x in t["milestone_targets"]],
        "errors": [q.code for q in t["quality"] if q.severity == "error"],
    }


EXPECTED = {
    "title": "Widget Plan", "published": date(2024, 6, 5), "themes": ["Build", "Run"],
    "programmes": EXPECTED_PROGRAMMES, "milestones": EXPECTED_MILESTONES,
    "targets": [("50%", date(2026, 2, 28), "planned"), ("All factories", date(2026, 12, 31), "complete")],
    "errors": [],
}


def unclose(html: str) -> str:
    """Leave out the optional end tags of p and li, as HTML allows."""
    return html.replace("</p>", "").replace("</li>", "")


VARIANTS = {
    "themes-and-programmes-h2": page(),
    "h2-h3-h4": page(theme="h2", programme="h3", sub="h4"),
    "all-h2": page(theme="h2", programme="h2", sub="h2"),
    "all-h3": page(theme="h3", programme="h3", sub="h3"),
    "subsections-as-strong-paragraphs": page(sub="strong"),
    "date-bold-label": page(date_block=lambda d, w: f"<p>{d}</p>\n<p><b>Date</b>: {w}</p>"),
    "date-plain-nbsp": page(date_block=lambda d, w: f"<p>{d}</p>\n<p>Date:&nbsp;{w}</p>"),
    "date-after-br": page(date_block=lambda d, w: f"<p>{d}<br>\nDate: {w}</p>"),
    "date-in-spans": page(date_block=lambda d, w: f'<div class="milestone"><p>{d}</p>\n'
                                                  f'<p><span class="label">Date:</span>\n<span>{w}</span></p></div>'),
    "date-label-own-paragraph": page(date_block=lambda d, w: f"<p>{d}</p>\n<p><strong>Date:</strong></p>\n<p>{w}</p>"),
    "date-label-in-dt": page(date_block=lambda d, w: f"<p>{d}</p>\n<dl><dt>Date:</dt>\n<dd>{w}</dd></dl>"),
    "due-date-dash": page(date_block=lambda d, w: f"<p>{d}</p>\n<p>Due date – {w}</p>"),
    "numbered-headings": page().replace("<h2>Build - overview", "<h2>1. Build - overview").replace(
        "<h3>Background", "<h3>1.1 Background").replace("<h3>Commitment milestones", "<h3>1.2 Commitment milestones"),
    "programme-intro-paragraph": page().replace("<h2>Widget programme</h2>",
                                                "<h2>Widget programme</h2>\n<p>An introduction to widgets.</p>"),
    "milestone-in-dl": page(date_block=lambda d, w: f"<dl><dd>{d}</dd>\n<dd><strong>Date:</strong> {w}</dd></dl>"),
    "targets-as-list": page(targets=lambda ts: "<p><strong>Dates:</strong></p>\n<ul>"
                                               + "".join(f"<li>{t}</li>" for t in ts) + "</ul>"),
    "targets-after-br": page(targets=lambda ts: "<p>Dates:<br>" + "<br>".join(ts) + "</p>"),
    "root-article": page(main_open='<main id="main-content"><article class="plan">',
                         main_close="</article></main>").replace(
        '<div class="gem-c-related-navigation">', '</article><article class="x"><div class="gem-c-related-navigation">'),
    "root-role-main": page(main_open='<div role="main" class="page">', main_close="</div>"),
    "root-content-id": page(main_open='<div id="content">', main_close="</div>"),
    "root-body": page(main_open="", main_close=""),
    "title-from-title-element": page(title=""),
    "caption-before-title": page(title='<span class="govuk-caption-xl">Policy paper</span>\n<h1>Widget Plan</h1>'),
    "title-above-the-content": page(title="", main_open='<h1 class="page-title">Widget Plan</h1>\n'
                                                       '<main id="main-content">'),
    "print-and-contents-links": page().replace(
        '<div class="govspeak">', '<div class="gem-c-contents-list"><h2>Contents</h2><ol><li><a href="#b">Build</a></li>'
                                  '</ol></div>\n<div class="gem-c-print-link"><a href="#print">Print this page</a></div>'
                                  '\n<div class="govspeak">'),
    "published-outside-content": page(byline="").replace(
        '<div class="govuk-width-container">',
        '<div class="gem-c-metadata"><dl><dt>Published</dt><dd>5 June 2024</dd></dl></div>\n'
        '<div class="govuk-width-container">'),
    "numeric-entities": page(apostrophe="&#8217;").replace("&amp;", "&#38;"),
    "hex-entities-and-raw-utf8": page(apostrophe="&#x2019;").replace("Carers&#x2019;", "Carers\u2019"),
    "upper-case-tags": re.sub(r"<(/?)(p|h2|h3|ul|li|strong|div|main)\b", lambda m: f"<{m.group(1)}{m.group(2).upper()}",
                              page()),
    "optional-end-tags-left-out": unclose(page()),
    "comments-and-scripts-in-content": page().replace(
        "<p>Factories opened.</p>", "<!-- Date: June 2031 (complete) -->\n<script>var d = 'Date: July 2031';</script>\n"
                                    "<p>Factories opened.</p>"),
    "one-line-source": page().replace("\n", " "),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_reads_the_same(name):
    got = extract_html(VARIANTS[name])
    assert reading(got) == EXPECTED
    assert span_problems(got) == []
    text = got.tables["documents"][0].text
    assert [phrase for phrase in FURNITURE if phrase in text] == []


@pytest.mark.parametrize("name,encode", [
    ("crlf-bom", lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode("utf-8")),
    ("utf-16", lambda s: s.encode("utf-16")),
    ("cr-only", lambda s: s.replace("\n", "\r").encode("utf-8")),
])
def test_encodings_and_line_ends(name, encode):
    source = page()
    got = extract_document("variant.htm", encode(source))
    assert reading(got) == EXPECTED
    lines = source.split("\n")
    for p in got.tables["paragraphs"]:  # line numbers count the page's lines, whatever ends them
        assert p.text.split("\n")[0].split(" ")[-1] in " ".join(lines[p.line_start - 1:p.line_end]).replace("&amp;", "&")


def test_lines_and_locators_of_a_variant():
    """Source lines and locators of a paragraph, a list and a title taken from <title>."""
    got = extract_html(page())
    lines = page().split("\n")
    by_text = {p.text: p for p in got.tables["paragraphs"]}
    p = by_text["Date: 30 September 2024 (complete)"]
    assert lines[p.line_start - 1] == "<p><strong>Date:</strong> 30 September 2024 (complete)</p>"
    assert p.source_locator == "div:nth-of-type(2) > main#main-content > div:nth-of-type(1) > p:nth-of-type(5)"
    lst = by_text["• with a list\n  • of two items"]
    assert lst.kind == "list" and lst.source_locator.endswith("> ul") and (lst.line_start, lst.line_end) == (
        lines.index("  <li>with a list</li>") + 1, lines.index("  <li>of two items</li>") + 1)
    target = by_text["50% by winter 2025"]
    assert target.kind == "target_line"
    first = extract_html(VARIANTS["title-from-title-element"]).tables["paragraphs"][0]
    assert (first.text, first.source_locator, first.line_start) == ("Widget Plan", "head > title", 3)


def test_list_targets_are_split_without_their_bullets():
    got = extract_html(VARIANTS["targets-as-list"])
    targets = got.tables["milestone_targets"]
    assert [t.text for t in targets] == ["50% by winter 2025", "All factories - 2026 (complete)"]
    paras = {p.paragraph_id: p for p in got.tables["paragraphs"]}
    assert [paras[t.paragraph_id].source_locator.rsplit(" > ", 1)[-1] for t in targets] == \
        ["li:nth-of-type(1)", "li:nth-of-type(2)"]


def test_ordered_list_numbers_and_nested_lists():
    html = page().replace("<ul>\n  <li>with a list</li>\n  <li>of two items</li>\n</ul>",
                          '<ol start="3"><li>third</li><li>fourth<ul><li>inner</li></ul></li></ol>')
    got = extract_html(html)
    m = got.tables["milestones"][1]
    assert m.description == "Second widget designed.\n\n  3. third\n  4. fourth\n    • inner"


@pytest.mark.parametrize("html,reason", [
    ("<html><body><p>Our opening hours</p><p>Monday to Friday, 9am to 5pm.</p></body></html>",
     "no recognisable plan structure"),
    ("Just words, no markup at all.\n", "not an HTML page"),
    ("<html><head><title>Empty</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "no text in the page's content"),
    ("<html><body><script>var a = 1;</script></body></html>", "no text in the page's content"),
    ("<html><body>Opening hours: <b>9am</b> to 5pm.</body></html>", "no recognisable plan structure"),
    ("<html><body>" + "<div>" * 1500 + "<main><h1>Deep</h1><p>Words.</p></main></body></html>",
     "no recognisable plan structure"),
], ids=["no-plan", "no-markup", "only-furniture", "only-script", "inline-text-only", "deeply-nested"])
def test_pages_without_a_plan(html, reason):
    with pytest.raises(InputError) as exc:
        extract_html(html, name="raw/page.html")
    assert str(exc.value).startswith("raw/page.html: ") and reason in str(exc.value) and "\n" not in str(exc.value)


def test_markup_the_parser_rejects():
    with pytest.raises(InputError) as exc:
        extract_html("<html><body><p>x<![ x", name="raw/broken.html")
    assert str(exc.value) == "raw/broken.html: not parseable as HTML (AssertionError: expected name token at '<![ x')"


def test_html_rules_are_validated(tmp_path):
    """A bad selector, an unknown key and a duplicate id are reported together, each naming its rule."""
    from pipeline.html_rules import HtmlRuleFile, _check
    from rule_util import rule_problems, shipped

    data = shipped("html.yaml")
    data["furniture"].append({"id": "furniture.code", "selector": "nav[[["})
    data["content"]["roots"][0]["extra"] = 1
    assert any("content.roots.0.extra" in p for p in rule_problems(tmp_path, "html.yaml", HtmlRuleFile, _check, data))
    del data["content"]["roots"][0]["extra"]
    problems = rule_problems(tmp_path, "html.yaml", HtmlRuleFile, _check, data)
    assert any("furniture.code: bad selector 'nav[[['" in p for p in problems)
    assert any("duplicate rule id 'furniture.code'" in p for p in problems)
