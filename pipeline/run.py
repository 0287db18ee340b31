"""Wiring: the stages in order for one document. No logic of its own, no file I/O."""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Callable

from .document import Document, Finding, InputError
from .models import DocumentRow, QualityRow, Row


@dataclass
class DocumentTables:
    """Every output row for one document, by table name."""

    doc_id: str
    tables: dict[str, list[Row]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, []))


def document_row(doc: Document, plan_id: str) -> DocumentRow:
    """Return the documents-table row of a loaded Document."""
    return DocumentRow(
        doc_id=doc.doc_id, plan_id=plan_id, title=doc.title, published_date=doc.published_date,
        source_file=doc.source_file, source_sha256=doc.source_sha256, source_format=doc.source_format,
        source_encoding=doc.source_encoding, n_lines=doc.n_raw_lines, n_chars=len(doc.text), text=doc.text,
        char_start=0, char_end=len(doc.text), line_start=1, line_end=max(doc.n_raw_lines, 1),
    )


def quality_rows(doc_id: str, findings: list[Finding], text: str | None) -> list[QualityRow]:
    """Return findings numbered as QualityRows, in document order."""
    ordered = sorted(findings, key=lambda f: (f.char_start if f.char_start is not None else -1, f.code))
    return [
        QualityRow(doc_id=doc_id, finding_id=f"q{i + 1:04d}", severity=f.severity, code=f.code, message=f.message,
                   paragraph_id=f.paragraph_id, line=f.line, rule_id=f.rule_id,
                   evidence=text[f.char_start:f.char_end] if text is not None and f.char_start is not None else None,
                   char_start=f.char_start, char_end=f.char_end, line_start=f.line,
                   line_end=f.line_end if f.line_end is not None else f.line)
        for i, f in enumerate(ordered)
    ]


StageHook = Callable[[str], AbstractContextManager]


def untimed(name: str) -> AbstractContextManager:
    """The default stage hook: run the stage, measure nothing."""
    return nullcontext()


def extract_document(source: str, data: bytes, allow_empty: bool = False,
                     stage: StageHook = untimed) -> DocumentTables:
    """Run load → segment → extract (milestones, mentions) on one source; raise InputError for bad input.

    The validate stage (pipeline.validate) runs on the arrow tables before they are emitted (pipeline.batch).

    Each stage runs inside `stage(name)`, so `make bench` can time the real wiring stage by stage.
    """
    from .load import load_document, load_findings
    from .mentions import extract_mentions
    from .milestones import extract_milestones
    from .series import plan_key
    from .segment import segment

    with stage("load"):
        doc = load_document(source, data)
    with stage("segment"):
        try:
            seg = segment(doc)
        except InputError as exc:  # stages name the file; the edge names the path it was given
            raise InputError(source, exc.reason) from None
    with stage("milestones"):
        ms = extract_milestones(doc, seg)
    findings: list[Finding] = load_findings(doc)
    findings.extend(seg.findings)
    findings.extend(ms.findings)
    if not ms.milestones and not allow_empty:
        raise InputError(source, "no milestones found (use --allow-empty to accept a plan without milestones)")
    if ms.truncated_at is not None:
        raise InputError(source, f"truncated: the file ends inside a milestone (line {ms.truncated_at.line_start})")
    with stage("mentions"):
        mentions = extract_mentions(doc, seg, ms)
    findings.extend(mentions.findings)
    out = DocumentTables(doc.doc_id)
    out.tables = {
        "documents": [document_row(doc, plan_key(doc.title))],
        "sections": list(seg.sections),
        "paragraphs": list(seg.paragraphs),
        "programmes": list(ms.programmes),
        "milestones": list(ms.milestones),
        "milestone_targets": list(ms.targets),
        "temporal_expressions": list(mentions.temporal),
        "quantities": list(mentions.quantities),
        "quality": quality_rows(doc.doc_id, findings, doc.text),
    }
    return out

