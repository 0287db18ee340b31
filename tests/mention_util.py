"""Helpers for the mention tests: a tiny plan around a body of text, and the rows found in the body."""
from __future__ import annotations

from conftest import extract_text

TEMPLATE = """Plan of Things
{published}

Build - overview

Intro text.

Widget programme

Background

{body}

Commitment milestones

Widget shipped.

Date: March 2022
"""


def mentions_in(body: str, published: str = "Published 1 December 2021"):
    """Return (temporal rows, quantity rows, all tables) that lie in `body`, extracted from a tiny plan."""
    got = extract_text(TEMPLATE.format(body=body, published=published))
    text = got.tables["documents"][0].text
    from pipeline.load import normalise

    start = text.index(normalise(body))
    end = start + len(body)
    ts = [r for r in got.tables["temporal_expressions"] if start <= r.char_start < end]
    qs = [r for r in got.tables["quantities"] if start <= r.char_start < end]
    return ts, qs, got


def on_line(plan, table: str, line: int, text: str):
    """Return the one row of `table` on raw line `line` whose text is `text`."""
    rows = [r for r in plan.tables[table] if r.line_start == line and r.text == text]
    assert len(rows) == 1, (line, text, [r.text for r in plan.tables[table] if r.line_start == line])
    return rows[0]
