"""Markdown input: a Markdown copy of the plan gives the text version's tables, line for line.

The copy is written here from the plan's own reading (as tests/fixtures/make_plan_html.py writes
the page): '#' headings by section kind, '**Date:**' labels, '-' bullets, links and bold
workstream labels. It keeps every line where it was, so offsets differ only by markup and line
numbers not at all.
"""
from __future__ import annotations

import re

import pytest

from conftest import extract_text
from pipeline.document import InputError
from pipeline.markdown import markdown_rules, render_line
from pipeline.run import extract_document
from provenance_util import span_problems

LEVEL = {"theme": "##", "programme": "###", "subsection": "####", "heading": "#####", "preamble": "##"}


def as_markdown(plan_text: str, plan) -> str:
    """Return the plan as Markdown, line for line."""
    lines = plan_text.split("\n")
    sections = {s.section_id: s for s in plan.tables["sections"]}
    heads = {s.paragraph_id: s.kind for s in sections.values() if s.paragraph_id}
    workstreams = {m.paragraph_ids[0]: m.workstream for m in plan.tables["milestones"] if m.workstream}
    lines[0] = "# " + lines[0]
    for p in plan.tables["paragraphs"]:
        i = p.line_start - 1
        if p.paragraph_id in heads:
            lines[i] = f"{LEVEL[heads[p.paragraph_id]]} {lines[i]}"
        elif p.kind in ("date_line", "dates_header"):
            lines[i] = re.sub(r"^(Dates?:)", r"**\1**", lines[i])
        elif p.kind == "list":
            for k in range(i, p.line_end):
                lines[k] = re.sub(r"^(\s*)• ", r"\1- ", lines[k])
        elif p.paragraph_id in workstreams and lines[i].startswith(workstreams[p.paragraph_id]):
            label = workstreams[p.paragraph_id]
            lines[i] = f"**{label}**{lines[i][len(label):]}"
        lines[i] = lines[i].replace("NHS App ", "[NHS App](https://www.nhs.uk/nhs-app/) ")
    return "\n".join(lines)


def bullets(value):
    """A text's bullets as one mark ('-' in the Markdown copy, '•' in the text)."""
    return re.sub(r"(?m)^(\s*)[•-] ", r"\1• ", value) if isinstance(value, str) else value


def reading(tables) -> dict:
    """What a reader sees: every table's values, without the offsets that markup moves."""
    def rows(name, cols):
        return [tuple(bullets(getattr(r, c)) for c in cols) for r in tables.tables[name]]
    return {
        "sections": rows("sections", ["section_id", "kind", "title", "theme", "programme", "path", "line_start",
                                      "line_end"]),
        "milestones": rows("milestones", ["milestone_id", "theme", "programme", "workstream", "description",
                                          "date_text", "due_start", "due_end", "due_precision", "status", "is_tbc",
                                          "paragraph_ids", "line_start", "line_end"]),
        "targets": rows("milestone_targets", ["target_id", "label", "value", "unit", "due_end", "status"]),
        "programmes": rows("programmes", ["programme_id", "n_milestones", "n_complete", "commitments_pending_text",
                                          "notes"]),
        "kinds": [p.kind for p in tables.tables["paragraphs"]],
        "temporal": rows("temporal_expressions", ["text", "start_date", "end_date", "paragraph_id", "line_start"]),
        "quantities": rows("quantities", ["text", "value", "unit", "paragraph_id"]),
        "quality": rows("quality", ["code", "paragraph_id"]),
    }


@pytest.fixture(scope="module")
def md_plan(plan, plan_text):
    return extract_document("nhsx-delivery-plan-2021-12-01.md", as_markdown(plan_text, plan).encode("utf-8"))


def test_markdown_copy_reads_as_the_text(plan, md_plan):
    assert md_plan.tables["documents"][0].source_format == "md"
    assert len(md_plan.tables["milestones"]) == 219 and len(md_plan.tables["milestone_targets"]) == 18
    got, want = reading(md_plan), reading(plan)
    for name in want:
        assert got[name] == want[name], name


def test_markdown_headings_carry_their_rule(md_plan):
    rules = {s.kind: s.rule_id for s in md_plan.tables["sections"]}
    assert rules["theme"] == "heading.theme" and rules["programme"] == "heading.programme"
    heads = {s.paragraph_id for s in md_plan.tables["sections"] if s.paragraph_id}
    assert {p.rule_id for p in md_plan.tables["paragraphs"] if p.paragraph_id in heads} == {"md.heading"}


def test_markdown_provenance(md_plan):
    assert span_problems(md_plan) == []
    doc = md_plan.tables["documents"][0]
    assert "**" not in doc.text and "](" not in doc.text and "\n#" not in doc.text


@pytest.mark.parametrize("line,text", [
    ("## Digitise - overview", "Digitise - overview"),
    ("### Background ###", "Background"),
    ("**Date:** March 2022 (complete)", "Date: March 2022 (complete)"),
    ("__Date:__ TBC", "Date: TBC"),
    ("Date: *June 2023*", "Date: June 2023"),
    ("See the [NHS App](https://www.nhs.uk) and `NHS login`.", "See the NHS App and NHS login."),
    ("![chart](chart.png)", "chart"),
    ("2 * 3 * 4 and snake_case_name stay", "2 * 3 * 4 and snake_case_name stay"),
    ("\\*not emphasis\\*", "*not emphasis*"),
    ("> quoted words", "quoted words"),
    ("  - a bullet with **bold**", "  - a bullet with bold"),
    ("---", ""),
    ("***", ""),
    ("<!-- a comment -->", ""),
    ("```", ""),
    ("Solution agreed.<br>Date: July 2021 (complete)", "Solution agreed. Date: July 2021 (complete)"),
])
def test_markdown_lines(line, text):
    assert render_line(line, markdown_rules())[0] == text


SMALL = """Small Plan
==========

Published 2 January 2024

Make - overview
---------------

Making things.

## Thing programme
### Background
Why.
### Commitment milestones
Thing done.

**Date:** May 2024 (complete)

* Other thing, with a [link](https://example.org).

__Date__: Q3 2024/25
"""


def test_setext_headings_and_headings_without_blank_lines():
    got = extract_text(SMALL, name="small.md")
    assert [(s.kind, s.title) for s in got.tables["sections"]] == [
        ("document", "Small Plan"), ("theme", "Make - overview"), ("programme", "Thing programme"),
        ("subsection", "Background"), ("subsection", "Commitment milestones")]
    ms = got.tables["milestones"]
    assert [(m.description, m.date_text, m.status) for m in ms] == [
        ("Thing done.", "May 2024", "complete"), ("Other thing, with a link.", "Q3 2024/25", "planned")]
    assert (ms[0].line_start, ms[0].line_end, ms[1].line_start, ms[1].line_end) == (15, 17, 19, 21)
    assert span_problems(got) == []


def test_markdown_readme_is_not_a_plan():
    with pytest.raises(InputError, match=r"notes\.md: no recognisable plan structure"):
        extract_document("notes.md", b"# Notes\n\nSome *notes* about the plan.\n")


def test_markdown_rules_are_validated(tmp_path):
    """A bad regex, a duplicate id, a rule that is both heading and underline and a fence without its marker
    group are reported together."""
    from pipeline.markdown import MarkdownRuleFile, _check
    from rule_util import rule_problems, shipped

    data = shipped("markdown.yaml")
    data["inline"].append({"id": "md.link", "pattern": "[unclosed"})
    data["blocks"][1]["underline"] = True
    data["blocks"][0]["pattern"] = "^```"
    problems = rule_problems(tmp_path, "markdown.yaml", MarkdownRuleFile, _check, data)
    assert any("md.link: bad regex '[unclosed'" in p for p in problems)
    assert any("duplicate rule id 'md.link'" in p for p in problems)
    assert any("md.heading: a block rule is a heading, an underline or a fence, not two of them" in p for p in problems)
    assert any("md.fence: a fence rule needs a (?P<fence>…) group" in p for p in problems)
