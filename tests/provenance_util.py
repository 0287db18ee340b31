"""The provenance invariant as a reusable check: every row's span is its evidence.

Used for the plan (tests/test_provenance.py), its HTML rendering (tests/test_html.py) and
mutated plans (tests/test_properties.py).
"""
from __future__ import annotations

from typing import Optional

from pipeline.models import table_models
from pipeline.run import DocumentTables


def span_problems(tables: DocumentTables, raw_lines: Optional[list[str]] = None, only: Optional[str] = None) -> list[str]:
    """Return what breaks the invariant, per row (empty when it holds).

    `documents.text[char_start:char_end]` must be the row's evidence (TableMeta.evidence, compared by
    evidence_mode). With `raw_lines` (a plain-text source, normalised), the raw lines
    line_start..line_end must also hold the first and last line of the span.
    """
    text = tables.tables["documents"][0].text
    problems: list[str] = []
    for name, rows in tables.tables.items():
        if only is not None and name != only:
            continue
        meta = table_models()[name].table
        for row in rows:
            where = f"{name} {row.model_dump(include=set(meta.primary_key))}"
            if row.char_start is None:
                if not meta.span_nullable:
                    problems.append(f"{where}: row without a span")
                continue
            if not 0 <= row.char_start < row.char_end <= len(text):
                problems.append(f"{where}: span {row.char_start}..{row.char_end} outside the text")
                continue
            span = text[row.char_start:row.char_end]
            if meta.evidence:
                evidence = getattr(row, meta.evidence)
                ok = span == evidence if meta.evidence_mode == "equals" else span.startswith(evidence)
                if not ok:
                    problems.append(f"{where}: span {span[:60]!r} is not its {meta.evidence} {str(evidence)[:60]!r}")
            if not 1 <= row.line_start <= row.line_end:
                problems.append(f"{where}: lines {row.line_start}..{row.line_end}")
            if raw_lines is not None:
                held = "\n".join(raw_lines[row.line_start - 1:row.line_end])
                if span.split("\n")[0] not in held or span.split("\n")[-1] not in held:
                    problems.append(f"{where}: raw lines {row.line_start}..{row.line_end} do not hold the span")
    return problems
