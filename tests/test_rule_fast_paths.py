"""The shortcuts of the segment and milestone stages give what the plain definitions give.

Each shortcut taken for speed (a status found by looking up a text's prefixes, a cheap first
test before the status-line regex, readings kept for one document, a heading's words worked
out once) is compared here with the straightforward way of computing the same thing.
"""
from __future__ import annotations

import pytest

from pipeline.milestone_rules import DocumentReader, MilestoneRules, _fold, _Pattern, _Status, milestone_rules
from pipeline.structure import structure_rules


def plain_status_named(rules: MilestoneRules, words: str):
    """The status whose longest phrase `words` start with, by trying every phrase, longest first."""
    w = " ".join(words.lower().split())
    for phrase in sorted(rules.status_of, key=len, reverse=True):
        if w.startswith(phrase) and (len(w) == len(phrase) or not w[len(phrase)].isalnum()):
            return rules.status_of[phrase]
    return None


def plain_status_line(rules: MilestoneRules, text: str):
    """status_line without its first test: the regex, then the status its word names."""
    m = rules.status_line_re.match(text.strip())
    status = rules.status_named(m.group("word")) if m else None
    return None if status is None else (m.group("flag").strip(), status.id)


WORDS = ["complete", "Completed", "COMPLETE early", "completely", "completed.", "complete-ish", "completes",
         "partially complete", "partially  completed  (see note)", "partially", "on track", "on tracking",
         "on-track", "in progress", "not started yet", "delayed to 2023", "late", "later", "lately", "met",
         "metrics", "done", "done!", "", " ", "March", "March 2022", "compete", "competed early", "the remaining",
         "Complete\u00a0now", "complete\t\tnow", "Delivered and met"]


@pytest.mark.parametrize("words", WORDS)
def test_status_named_is_the_longest_phrase_the_words_start_with(words):
    rules = milestone_rules()
    assert rules.status_named(words) == plain_status_named(rules, words)


def test_status_named_finds_every_phrase_of_the_rules():
    rules = milestone_rules()
    for phrase, status in rules.status_of.items():
        assert rules.status_named(phrase.upper() + " (see note)") == status
        assert rules.status_named(phrase + "x") == plain_status_named(rules, phrase + "x")


LINES = ["Status: Complete", "(complete)", "[Completed.]", "Status - on track", "Complete.", "Delivered",
         "Status: in progress", "status:   partially   complete", "Status: unknown", "Status: see note",
         "Develop a national approach to the adoption of digital social care records, met by providers",
         "Care homes completed the roll-out of the programme", "Metrics agreed", "Translated", "", "   "]


@pytest.mark.parametrize("text", LINES)
def test_status_line_first_test_changes_no_answer(text):
    rules = milestone_rules()
    flag = rules.status_line(text)
    assert (None if flag is None else (flag.text, flag.rule_id)) == plain_status_line(rules, text)


def test_status_line_first_test_reads_the_plan_as_the_regex_does(plan):
    rules = milestone_rules()
    for p in plan.tables["paragraphs"]:
        flag = rules.status_line(p.text)
        assert (None if flag is None else (flag.text, flag.rule_id)) == plain_status_line(rules, p.text), p.text


def test_status_first_test_looks_for_every_phrase(plan):
    # The test looks only for the phrases that hold no other; it must answer as a look for all of them.
    rules = milestone_rules()
    assert len(rules.folded_phrases) < len(rules.status_of)
    texts = [p.text for p in plan.tables["paragraphs"]] + LINES + WORDS
    for text in texts:
        assert rules.may_name_status(text) == any(_fold(w) in _fold(text) for w in rules.status_of), text


def test_status_line_first_test_folds_final_sigma():
    # lower() gives a capital sigma its final form by context: a word cut out of a text may lower
    # to a final sigma where the whole text has the other form, and must still pass the first test.
    base = milestone_rules().data
    data = base.model_copy(update=dict(
        statuses=[_Status(id="status.greek", words=["ΟΔΟΣ"], status="complete")],
        status_line=_Pattern(id="status.line", pattern=r"^(?P<flag>(?P<word>\w{4}))"),
    ))
    rules = MilestoneRules(data)
    assert rules.status_named("ΟΔΟΣ") is not None
    assert rules.may_name_status("ΟΔΟΣΑ")
    flag = rules.status_line("ΟΔΟΣΑ")
    assert (flag.text, flag.rule_id) == ("ΟΔΟΣ", "status.greek")


@pytest.mark.parametrize("reading, text", [
    *[("date_value", t) for t in ["July 2021 (complete)", "March 2022", "Q3 2022/23 - delayed", "sometime soon",
                                  "(complete)", ""]],
    *[("target", t) for t in ["5 regions by September 2021 (complete)", "March 2022: 40%", "All trusts - 2023",
                              "No date in this line", "40% by sometime"]],
    *[("date_line_value", t) for t in ["Date: March 2022", "Due date - Q3 2022 (complete)", "Date:", "Dates:", "text"]],
])
def test_document_reader_reads_a_line_once_as_the_rules_do(reading, text):
    rules = milestone_rules()
    read = getattr(DocumentReader(rules), reading)
    first = read(text)
    assert first == getattr(rules, reading)(text)
    assert read(text) is first


@pytest.mark.parametrize("heading", ["Digitise - overview", "1. Digitise - overview", "Background:", "2.1 Background",
                                     "(a) Commitment milestones", "Key delivery milestones and dates", "Delivery approach",
                                     "Data platform overview", "Cyber security", "Overview", ""])
def test_heading_words_give_the_names_the_text_gives(heading):
    rules = structure_rules()
    words = rules.words(heading)
    assert rules.theme_of_words(words) == rules.theme_name(heading)
    assert rules.subsection_of_words(words) == rules.subsection(heading)
    assert rules.names_heading(heading) == bool(rules.theme_name(heading) or rules.subsection(heading))


HEADING_WORDS = ["Background", "background", "Context", "The challenge", "Aims and objectives", "Our approach",
                 "Progress to date", "Expected benefits", "Risks and dependencies", "Next steps", "Key deliverables",
                 "Timeline", "Key dates", "What we will deliver and when", "Commitment Milestones", "Milestones",
                 "Dates", "Introduction", "Annex A: Glossary", "Glossary", "Document history", "Contact us",
                 "Appendices", "Background and context", "Cyber security", "", "7"]


def test_one_match_names_the_sub_section_and_end_matter_each_rule_in_turn_names(plan):
    """subsection_of_words and end_matter_of_words match once for all the rules; trying them in turn agrees,
    on the plan's headings and on other names."""
    rules = structure_rules()
    headings = [p.text for p in plan.tables["paragraphs"] if p.kind == "heading"]
    for words in [rules.words(h) for h in headings] + HEADING_WORDS:
        in_turn = next((sub for sub in rules.subsections if sub.regex.match(words)), None)
        assert rules.subsection_of_words(words) == in_turn, words
        end = next((rule_id for rule_id, regex in rules.end_matter if regex.match(words)), None)
        assert rules.end_matter_of_words(words) == end, words


def plain_normalise(text: str) -> str:
    """normalise() by its definition: LF line ends, invisible characters dropped, odd spaces as one space each."""
    import re

    from pipeline.load import INVISIBLE, ODD_SPACES

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[" + re.escape(ODD_SPACES) + "]", " ", re.sub("[" + INVISIBLE + "]", "", text))


@pytest.mark.parametrize("seed", range(20))
def test_normalise_replaces_what_the_definition_replaces(seed):
    import random

    from pipeline.load import INVISIBLE, ODD_SPACES, normalise

    rng = random.Random(seed)
    alphabet = list(INVISIBLE + ODD_SPACES) + list("ab \r\n.") + (["é", "–", "’"] if seed % 2 else [])
    text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
    assert normalise(text) == plain_normalise(text)


def test_normalise_keeps_the_plan_as_the_definition_does():
    from pipeline.load import decode, normalise
    from pipeline.rules import RULES_DIR

    raw = decode("plan", (RULES_DIR.parent / "raw" / "nhsx-delivery-plan-2021-12-01.txt").read_bytes())[0]
    assert normalise(raw) == plain_normalise(raw)
    assert normalise("a\u00a0b\u00adc\r\nd\te") == "a bc\nd e"


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "\na\n\nb", "a\r\nb\n", "\n\n\n", "x\ny\nz"])
def test_lines_of_gives_the_lines_split_gives(text):
    from pipeline.load import lines_of

    assert list(lines_of(text)) == text.split("\n")


def plain_furniture(soup, rules) -> set[int]:
    """Furniture by its definition: every element a furniture rule matches, rule by rule, and all inside one."""
    import soupsieve

    out: set[int] = set()
    for rule in rules.data.furniture:
        for tag in soupsieve.select(rule.selector, soup):
            if tag.name not in ("html", "body"):
                out.add(id(tag))
                out.update(id(t) for t in tag.find_all(True))
    return out


@pytest.mark.parametrize("page", [
    "<body><nav><a>Home</a></nav><main><p>Text</p><div class='cookie-banner'><b>ok</b></div></main>"
    "<footer><p>(c)</p></footer></body>",
    "<body><header><p>Site</p></header><article><header><h1>Plan</h1></header><p>Text</p>"
    "<span hidden>x</span></article><script>var a;</script></body>",
    "<p>no furniture at all</p>",
])
def test_furniture_is_what_the_rules_match_one_by_one(page):
    from bs4 import BeautifulSoup

    from pipeline.html import furniture
    from pipeline.html_rules import html_rules

    soup = BeautifulSoup(page, "html.parser")
    assert furniture(soup, html_rules()) == plain_furniture(soup, html_rules())


def test_furniture_of_the_plan_page_is_what_the_rules_match_one_by_one():
    from pipeline.html import furniture, parse_page
    from pipeline.html_rules import html_rules
    from pipeline.load import decode
    from pipeline.rules import RULES_DIR

    rules = html_rules()
    raw = decode("page", (RULES_DIR.parent / "tests" / "fixtures" / "nhsx-delivery-plan-2021-12-01.html").read_bytes())[0]
    soup = parse_page(raw, rules.optional_ends).soup
    got = furniture(soup, rules)
    assert len(got) > 0
    assert got == plain_furniture(soup, rules)


def test_no_furniture_rules_mark_no_furniture():
    from bs4 import BeautifulSoup

    from pipeline.html import furniture
    from pipeline.html_rules import HtmlRules, html_rules

    rules = HtmlRules(html_rules().data.model_copy(update=dict(furniture=[])))
    assert rules.furniture is None
    assert furniture(BeautifulSoup("<body><nav>x</nav><p>y</p></body>", "html.parser"), rules) == set()
