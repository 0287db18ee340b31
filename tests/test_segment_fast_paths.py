"""The segment and milestone stages' shortcuts give what the plain definitions give.

Combined per-line regexes, spans folded paragraph by paragraph, and readings shared between
the two stages are each compared here with the straightforward computation.
"""
from __future__ import annotations

import dataclasses
import random
import re

import pytest

from conftest import PLAN, PLAN_HTML
from pipeline.load import load_document
from pipeline.milestone_rules import milestone_rules
from pipeline.milestones import _KEY_WORDS, description_key, extract_milestones
from pipeline.regex_shape import one_of
from pipeline.segment import date_kind, segment
from pipeline.structure import structure_rules

TRICKY_LINES = ["Dates:", "dates :", "Dates: March 2022", "Date:", "Date: March 2022", "Due date - Q3 2022", "Date-driven",
                "Datesx", "Timescales: Q3 2022/23", "Deadline –", "Due", "• Date: x", "1. Date: x", "a) b", "- item",
                "* ", "12) twelve", "100. no", "Target date – Q3 2022", "Expected date:", "DATE: MARCH 2022"]


def plain_date_kind(line: str, rules) -> str | None:
    """The date kind by the plain definition: each rule in turn."""
    for kind, regex in (("dates_header", rules.dates_header_re), ("date_line", rules.date_line_re),
                        ("date_label", rules.date_label_re)):
        if regex.match(line):
            return kind
    return None


def test_one_regex_per_line_gives_the_kinds_of_the_rules_in_turn(plan_text):
    rules = structure_rules()
    assert rules.date_kind_re is not None and rules.item_re is not None  # the shipped rules combine
    lines = [line.strip() for line in plan_text.split("\n") if line.strip()] + TRICKY_LINES
    for line in lines:
        assert date_kind(line, rules) == plain_date_kind(line, rules), line
        assert bool(rules.item_re.match(line)) == bool(rules.list_item_re.match(line)
                                                       or rules.numbered_item_re.match(line)), line
    assert {date_kind(line, rules) for line in lines} == {None, "dates_header", "date_line", "date_label"}


def test_patterns_that_number_their_groups_are_not_combined():
    assert one_of({"a": r"^(x)\1$", "b": "^y$"}, 0) is None
    assert one_of({"a": r"^(?P<v>x)$", "b": r"^(?P<v>y)$"}, 0) is None  # a group name twice
    combined = one_of({"a": r"^(?P<v>x+)$", "b": "^x"}, re.IGNORECASE)
    assert combined.match("XX").lastgroup == "a" and combined.match("xy").lastgroup == "b"


def test_section_spans_cover_their_subtrees(doc):
    seg = segment(doc)
    children: dict[str, list] = {}
    for s in seg.sections:
        children.setdefault(s.parent_id, []).append(s)

    def subtree(section_id: str) -> list[str]:
        return [section_id] + [d for c in children.get(section_id, []) for d in subtree(c.section_id)]

    for s in seg.sections:
        inside = set(subtree(s.section_id))
        paras = [p for p in seg.paragraphs if p.section_id in inside]
        assert (s.char_start, s.char_end, s.line_start, s.line_end) == (
            min(p.char_start for p in paras), max(p.char_end for p in paras),
            min(p.line_start for p in paras), max(p.line_end for p in paras))


def test_milestones_read_alike_with_the_segmenters_readings_or_their_own(doc):
    seg = segment(doc)
    assert seg.reader is not None
    assert extract_milestones(doc, seg) == extract_milestones(doc, dataclasses.replace(seg, reader=None))


@pytest.fixture(scope="module", params=["txt", "html"])
def doc(request, plan_bytes, plan_html_bytes):
    """The plan loaded as text and as a page (its lines have locators)."""
    if request.param == "txt":
        return load_document(PLAN.name, plan_bytes)
    return load_document(PLAN_HTML.name, plan_html_bytes)


def test_description_keys_of_ascii_texts_are_the_key_words_regex_words(plan_text):
    rng = random.Random(5)
    alphabet = "aZ_%£ \t\n.-,’é9İıſK\x0b\x1c\x7f"
    texts = plan_text.split("\n\n") + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
                                       for _ in range(5000)]
    ascii_seen = 0
    for text in texts:
        ascii_seen += text.lower().isascii()
        assert description_key(text) == " ".join(_KEY_WORDS.findall(text.lower())), repr(text)
    assert ascii_seen > 1000


# Characters whose case folding is not plain ASCII: Kelvin sign, long s, dotted and dotless i, sharp s, final sigma.
ODD_CASE = "\u212a\u017f\u0130\u0131\u00df\u03c2\u03a3\u1e9e"
START_CHARS = [chr(c) for c in range(0x2600)] + list(ODD_CASE)


@pytest.mark.parametrize("pattern, flags, samples", [
    (r"^(?:due\s+)?dates?\s*:", re.IGNORECASE, ["date:", "Due dates:", "DATES :"]),
    (r"^\s*[•*\-–]\s+(?=\S)|^\s*(?:\d{1,2}|[a-z])[.)]\s+\S", 0, ["- x", "  • y", "12) z", "a. b"]),
    (r"^(?:kelvin|sigma|ice|s+)x", re.IGNORECASE, ["kelvinx", "sigmax", "icex", "sx", "SSx"]),
    (r"\bfoo|[A-Fa-f0-9_]bar|(?>q)", re.IGNORECASE, ["foo", "_bar", "Dbar", "q"]),
])
def test_a_first_character_outside_the_start_class_never_starts_a_match(pattern, flags, samples):
    from pipeline.regex_shape import start_class

    regex = re.compile(pattern, flags)
    start = start_class(regex)
    assert start is not None
    for sample in samples:
        assert regex.match(sample), sample
        for ch in START_CHARS:
            if regex.match(ch + sample[1:]):
                assert start.match(ch), (pattern, ch, sample)
    assert sum(start.match(ch) is not None for ch in START_CHARS) < len(START_CHARS) // 2  # a real filter


@pytest.mark.parametrize("pattern", [r"a?", r"(?=a)b", r"[^a]b", r"(?i:a)b", r".x", r"(?:x|)", r"$"])
def test_no_start_class_when_it_is_not_known(pattern):
    from pipeline.regex_shape import first_chars, start_class

    assert start_class(re.compile(pattern)) is None
    assert all(first_chars(re.compile(pattern))[ch] for ch in "ab\n ")


def test_date_kinds_and_items_are_the_same_with_the_first_character_check(plan_text):
    from pipeline.regex_shape import first_chars

    rules = structure_rules()
    assert rules.date_kind_starts.class_re is not None and rules.item_starts.class_re is not None
    lines = [line.strip() for line in plan_text.split("\n") if line.strip()] + TRICKY_LINES
    lines += [ch + line[1:] for line in TRICKY_LINES for ch in START_CHARS if line]
    for line in lines:
        assert date_kind(line, rules) == plain_date_kind(line, rules), line
        if rules.item_re.match(line):
            assert rules.item_starts[line[0]], line
    starts = first_chars(rules.date_kind_re)
    assert not starts["X"] and not starts["1"] and starts["D"] and starts["t"] and starts["w"]


def test_an_empty_alternative_lets_what_follows_start_a_match():
    from pipeline.regex_shape import start_class

    start = start_class(re.compile(r"(?:x|)y"))
    assert start.match("x") and start.match("y") and not start.match("z")


@pytest.mark.parametrize("pattern, flags", [
    (r"\s*[:：]$", 0), (r"[.:;,!?]$", 0), (r"(?:\s*[.;,*†‡])+$", 0), (r"(?:x|ab+)\s*$", re.IGNORECASE),
    (r"^(?:kelvin|sigma|s)$", re.IGNORECASE),
])
def test_a_last_character_outside_the_end_class_never_ends_a_match(pattern, flags):
    from pipeline.regex_shape import end_class, last_chars, may_end

    regex = re.compile(pattern, flags)
    assert end_class(regex) is not None
    ends = last_chars(regex)
    rng = random.Random(7)
    alphabet = "aAbBxX:：.;,*†‡ \t\n!?sSſkK\u212aσςΣ-"
    texts = ["", "\n", "a:", "a:\n", "a: \n", "Background:", "x \n", "AbB", "kelvin", "KELVIN\n", "ſ"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8))) for _ in range(20000)]
    texts += [t + ch for t in ("ab", "a:", "") for ch in START_CHARS]
    for text in texts:
        if regex.search(text):
            assert may_end(ends, text), (pattern, text)
    assert sum(may_end(ends, ch) for ch in START_CHARS) < len(START_CHARS) // 2  # a real filter


@pytest.mark.parametrize("pattern, flags", [(r"a$", re.MULTILINE), (r"a", 0), (r"a$|b", 0), (r"a?$", 0), (r"(?<=a)$", 0)])
def test_no_end_class_when_a_match_may_end_elsewhere_or_it_is_not_known(pattern, flags):
    from pipeline.regex_shape import end_class

    assert end_class(re.compile(pattern, flags)) is None


def assert_heading_shapes_as_written(rules, text: str) -> None:
    """The heading-shape tests, fast paths and all, answer as their rules read plainly."""
    t = text.strip()
    assert rules.looks_like_heading(text) == (0 < len(t) <= rules.shape.max_chars
                                              and len(t.split()) <= rules.shape.max_words
                                              and not rules.not_ending.search(t)
                                              and not rules.not_starting.match(t)), text
    assert rules.may_head_programme(text) == (0 < len(t) <= rules.programme.max_chars
                                              and len(t.split()) <= rules.programme.max_words
                                              and not rules.programme_not_ending.search(t)
                                              and not rules.not_starting.match(t)), text


def test_heading_shapes_and_closing_colons_are_the_same_with_the_last_character_check(plan_text):
    rules = structure_rules()
    assert rules.closing_ends.class_re is not None and rules.not_ending_ends.class_re is not None
    texts = [line.strip() for line in plan_text.split("\n") if line.strip()] + TRICKY_LINES
    texts += [text + ch for text in ("Background", "Our plan", "", "Digitise - overvie") for ch in START_CHARS]
    assert rules.theme_ends.class_re is not None
    for text in texts:
        m = rules.theme_re.match(text)
        assert rules.theme_of_words(text) == (m.group("theme").strip() if m else None), text
        assert rules.has_closing(text) == bool(rules.closing_re.search(text)), text
        assert rules.without_closing(text) == rules.closing_re.sub("", text), text
        assert_heading_shapes_as_written(rules, text)


@pytest.mark.parametrize("pattern, flags", [
    (r"^(?P<label>[^.:;!?\n]{2,90}?)[ \t]*:[ \t]+(?=\S)", re.IGNORECASE),
    (r"^(?P<label>[^.:;!?\n]{2,90}?)[ \t]+[-–—][ \t]*(?=\S)", re.IGNORECASE),
    (r"^(?P<label>[A-Za-z][A-Za-z ]{0,24}?)(?:\s*:|\s+[-–—])\s*(?P<value>\S.{0,40})$", re.IGNORECASE),
    (r"(?:x|;)+[,.]|(?>a:)", re.IGNORECASE),
    (structure_rules().inline_date_re.pattern, re.IGNORECASE),
    (r"(?<=:)x|(?=-)", 0),
])
def test_a_text_without_the_required_characters_never_matches(pattern, flags):
    from pipeline.regex_shape import may_hold, required_chars

    regex = re.compile(pattern, flags)
    needed = required_chars(regex)
    assert needed
    rng = random.Random(11)
    alphabet = "aAxX:;,.-–— \t\nſK\u212a!?b)："
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(30000)]
    texts += ["Service (EPS) – Next Generation: text", "Wave A - February 2022", "Due soon: 2022", "x;,", "a:",
              "Agreed. Date: October 2021", "Done! Due – Q3", "(a) Timescales： 2022", "ok; deadline - May"]
    for text in texts:
        if regex.search(text):
            assert may_hold(needed, text), (pattern, text)
    assert not may_hold(needed, "plain words")


def test_cased_characters_are_never_required():
    from pipeline.regex_shape import required_chars

    assert required_chars(re.compile(r"^kelvin:", re.IGNORECASE)) == (":",)
    assert required_chars(re.compile(r"(?:a|b)c[xy]", re.IGNORECASE)) == ()


def test_workstreams_and_suspect_date_lines_read_alike_with_the_required_characters(plan_text):
    from pipeline.milestone_rules import milestone_rules

    rules = milestone_rules()
    assert all(needs for _, _, needs in rules.workstreams) and rules.suspect_date_needs
    texts = plan_text.split("\n\n") + ["Service (EPS) – Next Generation: text", "Target: March 2022", "Go-live - May"]
    for text in texts:
        plain = None
        for rule, regex, _ in rules.workstreams:
            m = regex.match(text)
            if m and len(m.group("label").split()) <= rule.max_words:
                plain = m.group("label").strip()
                break
        assert rules.workstream(text) == plain, text
        m = rules.suspect_date_re.match(text)
        plain = None if m is None or rules.date_value(m.group("value")).period is None else m.group("label").strip()
        assert rules.suspect_date_label(text) == plain, text


@pytest.mark.parametrize("pattern, flags", [
    (milestone_rules().status_line_re.pattern, re.IGNORECASE),
    (r"^(?:kelvin|sigma|s+)(?=x)x?\Z", re.IGNORECASE), (r"(?:a|b:)+[.;]?$", 0), (r"(?>ab|c)\s*$", re.IGNORECASE),
])
def test_a_text_with_a_character_outside_the_span_class_never_matches(pattern, flags):
    from pipeline.regex_shape import may_span, span_class

    regex = re.compile(pattern, flags)
    outside = span_class(regex)
    assert outside is not None
    rng = random.Random(13)
    alphabet = "aAbBcCsSxX:.;!-–()[] \t\nſkK\u212aσςΣ✓1,"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 10))) for _ in range(30000)]
    texts += ["Status: Complete", "(complete)", "[Completed.]", "Complete.\n", "kelvinx", "KELVIN", "ab\n", "b:a.\n"]
    texts += [t + ch for t in ("complete", "ab", "") for ch in START_CHARS]
    for text in texts:
        if regex.match(text):
            assert may_span(outside, text), (pattern, text)
    assert not may_span(outside, "a 1, 2")


@pytest.mark.parametrize("pattern, flags", [(r"^a$", re.MULTILINE), (r"^a", 0), (r"^.$", 0), (r"^[^a]$", 0),
                                            (r"^(a)\1$", 0), (r"^(?i:a)$", 0), (r"^a$|b", 0)])
def test_no_span_class_when_a_match_may_not_span_the_text_or_it_is_not_known(pattern, flags):
    from pipeline.regex_shape import may_span, span_class

    assert span_class(re.compile(pattern, flags)) is None
    assert may_span(None, "anything")


def test_status_lines_read_alike_with_the_span_class(plan_text):
    from pipeline.regex_shape import may_span

    rules = milestone_rules()
    assert rules.status_line_outside is not None
    for text in plan_text.split("\n\n") + ["Status: Complete", "(complete)", "Complete.", "Delivered", "Status: 100%"]:
        m = rules.status_line_re.match(text.strip())
        if m is not None:
            assert may_span(rules.status_line_outside, text.strip()), text


def test_heading_shapes_are_the_same_with_the_first_character_check(plan_text):
    rules = structure_rules()
    assert rules.not_starting_starts.class_re is not None
    texts = [line.strip() for line in plan_text.split("\n") if line.strip()] + TRICKY_LINES
    texts += [ch + text for text in ("Background", "Our plan", "x") for ch in START_CHARS]
    for text in texts:
        assert_heading_shapes_as_written(rules, text)
