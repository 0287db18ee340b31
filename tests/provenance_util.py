"""The provenance invariant as a reusable check: every row's span is its evidence.

Used for the plan (tests/test_provenance.py), its HTML rendering (tests/test_html.py) and
mutated plans (tests/test_properties.py). The span rules are the pipeline's own
(pipeline.validate.check_spans, declared in each table's TableMeta); this adds the check
that the raw lines line_start..line_end of a plain-text source hold the span.
"""
from __future__ import annotations

from typing import Optional

from pipeline.batch import to_arrow
from pipeline.models import table_models
from pipeline.run import DocumentTables
from pipeline.validate import check_spans


def span_problems(tables: DocumentTables, raw_lines: Optional[list[str]] = None, only: Optional[str] = None) -> list[str]:
    """Return what breaks the invariant (empty when it holds).

    `documents.text[char_start:char_end]` must be the row's evidence (TableMeta.evidence, compared by
    evidence_mode) and lie where the table's span_rule says. With `raw_lines` (a plain-text source,
    normalised), line_start..line_end must be exactly the lines the span covers, and those raw lines
    must hold its first and last line.
    """
    arrow = to_arrow(tables)
    problems = [str(p) for p in check_spans(arrow) if only is None or p.table == only]
    if raw_lines is None:
        return problems
    text = tables.tables["documents"][0].text
    for name, rows in tables.tables.items():
        if only is not None and name != only:
            continue
        meta = table_models()[name].table
        for row in rows:
            if row.char_start is None:
                continue
            # In a text source line i of documents.text is raw line i, so the lines follow from the offsets.
            first = text.count("\n", 0, row.char_start) + 1
            last = text.count("\n", 0, row.char_end - 1) + 1
            if (row.line_start, row.line_end) != (first, last):
                where = f"{name} {row.model_dump(include=set(meta.primary_key))}"
                problems.append(f"{where}: lines {row.line_start}..{row.line_end}, the span is on {first}..{last}")
                continue
            span = text[row.char_start:row.char_end]
            held = "\n".join(raw_lines[row.line_start - 1:row.line_end])
            if span.split("\n")[0] not in held or span.split("\n")[-1] not in held:
                where = f"{name} {row.model_dump(include=set(meta.primary_key))}"
                problems.append(f"{where}: raw lines {row.line_start}..{row.line_end} do not hold the span")
    return problems
