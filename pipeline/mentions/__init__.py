"""Extract stage (mentions): every temporal expression and every quantity in a segmented document.

Pure: `extract_mentions(doc, seg, milestones)` takes the stage objects and returns new rows;
spaCy is imported only when it is first called (never by the CLI's import).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from operator import attrgetter
from typing import Optional

from ..document import Document, Finding
from ..milestones import MilestoneResult
from ..models import QuantityRow, TemporalRow, validated
from ..segment import Segmented


@dataclass(frozen=True)
class MentionsResult:
    """The output of the mentions extractor."""

    temporal: tuple[TemporalRow, ...]
    quantities: tuple[QuantityRow, ...]
    findings: tuple[Finding, ...]


class _Lines:
    """Maps a char offset of documents.text to its raw-file line.

    A line's index is the number of newlines before the offset, counted from the offset asked before: rows
    come in reading order, so the text is counted through about once per table rather than split into lines.
    """

    def __init__(self, doc: Document):
        self.doc, self.text = doc, doc.text
        self.at = self.line = 0  # an offset and the number of newlines before it

    def line_of(self, pos: int) -> int:
        """Return the 0-based line of `text` that holds offset `pos` (a newline is its line's last character)."""
        if pos >= self.at:
            self.line += self.text.count("\n", self.at, pos)
        else:
            self.line -= self.text.count("\n", pos, self.at)
        self.at = pos
        return self.line

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return (line_start, line_end) in the raw file of the text's span start..end."""
        first = self.line_of(start)
        return self.doc.raw_lines(first, first + self.text.count("\n", start, max(start, end - 1)))


def context_paragraphs(seg: Segmented, milestones: MilestoneResult) -> dict[int, list[int]]:
    """Return, per paragraph index, the paragraphs whose dates may lend it a missing year, nearest first:
    its milestone's date line and targets, then the paragraph before it in the same section."""
    paras = seg.paragraphs
    index = {p.paragraph_id: i for i, p in enumerate(paras)}
    out: dict[int, list[int]] = {}
    for ms in milestones.milestones:
        ids = list(map(index.__getitem__, ms.paragraph_ids))
        dated = []
        for i in ids:  # loops, not comprehensions: most milestones have two paragraphs, one of them dated
            if paras[i].kind in ("date_line", "target_line"):
                dated.append(i)
        for i in ids if dated else ():
            others = dated if i not in dated else [d for d in dated if d != i]
            if others:
                out.setdefault(i, []).extend(others)
    before: object = object()  # the section of the paragraph before (none before the first)
    for i, section in enumerate(map(attrgetter("section_id"), paras)):
        if section == before:
            got = out.get(i)
            if got is None:
                out[i] = [i - 1]
            else:
                got.append(i - 1)
        before = section
    return out


def extract_mentions(doc: Document, seg: Segmented, milestones: MilestoneResult) -> MentionsResult:
    """Return the temporal_expressions and quantities rows of a document, with findings."""
    from ..structure import structure_rules
    from .nlp import matchers
    from .quantities import find_quantities
    from .temporal import find_expressions

    m = matchers()
    text = doc.text
    paras = list(seg.paragraphs)
    spans = [(p.char_start, p.char_end) for p in paras]
    milestone_of = {pid: ms.milestone_id for ms in milestones.milestones for pid in ms.paragraph_ids}
    path_of = {s.section_id: s.path for s in seg.sections}
    lines = _Lines(doc)
    findings: list[Finding] = []

    t_anchors, q_anchors = m.anchors(text)
    w = m.rules.windows
    twd = m.window_doc(text, spans, t_anchors, w.temporal.before, w.temporal.after, m.temporal_live)
    expressions, unanchored = find_expressions(m, text, twd, doc.published_date, context_paragraphs(seg, milestones))
    for x in unanchored:
        p = paras[x.paragraph]
        ls, le = lines.span(x.char_start, x.char_end)
        findings.append(Finding("warning", "unanchored_temporal",
                                f"{text[x.char_start:x.char_end]!r} needs a year or a publication date that the "
                                "document does not give; left out of temporal_expressions",
                                p.paragraph_id, ls, x.char_start, x.char_end, le, x.rule_id))
    doc_id = doc.doc_id
    where: dict[int, tuple[str, Optional[str]]] = {}  # a paragraph's (paragraph_id, milestone_id), found once

    def located(paragraph: int, start: int, end: int, rule_id: str) -> dict:
        """Return the fields every mention row shares: where it stands, its text, and the rule that found it."""
        at = where.get(paragraph)
        if at is None:
            pid = paras[paragraph].paragraph_id
            at = where[paragraph] = (pid, milestone_of.get(pid))
        ls, le = lines.span(start, end)
        return dict(doc_id=doc_id, paragraph_id=at[0], milestone_id=at[1], text=text[start:end], char_start=start,
                    char_end=end, line_start=ls, line_end=le, rule_id=rule_id)

    temporal = []
    for i, x in enumerate(expressions):
        per = x.period
        temporal.append(dict(
            located(x.paragraph, x.char_start, x.char_end, x.rule_id), expression_id=f"t{i + 1:04d}",
            section_path=path_of[paras[x.paragraph].section_id], kind=per.kind, start_date=per.start,
            end_date=per.end, precision=per.precision, qualifier=per.qualifier, is_relative=per.is_relative,
            resolution=per.resolution, period_rule_id=per.rule_id,
        ))

    masks = sorted((x.char_start, x.char_end) for x in expressions if not x.period.is_relative)
    mask_starts = [a for a, _ in masks]

    def in_mask(a: int, b: int) -> bool:
        k = bisect_right(mask_starts, a) - 1
        return k >= 0 and masks[k][1] >= b

    qwd, awd = m.window_docs(text, spans, [a for a in q_anchors if not in_mask(*a)], w.quantity.before,
                             w.quantity.after, [m.quantity_live, m.amount_live])
    found = find_quantities(m, text, qwd, spans, masks, {x.char_start for x in expressions},
                            structure_rules().numbered_item_re, awd)
    quantities = []
    for i, q in enumerate(found):
        r = q.reading
        quantities.append(dict(
            located(q.paragraph, q.start, q.end, q.rule_id), quantity_id=f"n{i + 1:04d}",
            amount_text=text[q.core_start:q.core_end], value=r.value, value_from=q.value_from, unit=r.unit,
            multiplier=r.multiplier, comparator=q.comparator, subject=q.subject,
        ))
    return MentionsResult(tuple(validated(TemporalRow, temporal)), tuple(validated(QuantityRow, quantities)),
                          tuple(findings))
