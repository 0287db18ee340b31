"""Extract stage (milestones): segmented document → milestones, targets, programmes and findings.

Inside a milestone sub-section, description paragraphs accumulate until a 'Date:' line, or
a 'Dates:' header with its target lines, closes them into one milestone. What is left
after the last dated block is a pending statement, a programme note, or a finding.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Optional

from .document import Document, Finding
from .milestone_rules import DateValue, DocumentReader, MilestoneRules, StatusFlag, milestone_rules
from .models import MilestoneRow, ParagraphRow, ProgrammeRow, SectionRow, TargetRow, validated
from .segment import Segmented
from .structure import structure_rules

_SLUG_GAPS = re.compile(r"[^a-z0-9]+")
_KEY_WORDS = re.compile(r"[\w%£]+")
# For an ASCII text: each byte _KEY_WORDS does not take becomes a space, so that the words are bytes.split()'s.
_KEY_BYTES = bytes(c if _KEY_WORDS.fullmatch(chr(c)) and not chr(c).isspace() else 32 for c in range(128)) + bytes([32] * 128)
# The same for a text not yet lowered: each byte is lowered as str.lower() lowers it (in ASCII, A-Z only) on the way.
_KEY_LOWER_BYTES = bytes(_KEY_BYTES[ord(chr(c).lower())] for c in range(128)) + bytes([32] * 128)
_ASCII_CHARS = frozenset(map(chr, range(128)))



@dataclass(frozen=True)
class MilestoneResult:
    """The output of the milestone extractor."""

    programmes: tuple[ProgrammeRow, ...]
    milestones: tuple[MilestoneRow, ...]
    targets: tuple[TargetRow, ...]
    findings: tuple[Finding, ...]
    truncated_at: Optional[ParagraphRow] = None  # the last paragraph, when the document stops inside a milestone


def slug(text: str) -> str:
    """Return a lower-case, hyphenated slug of `text`."""
    return _SLUG_GAPS.sub("-", text.lower()).strip("-") or "untitled"


def description_key(text: str) -> str:
    """Return the normalised description that milestone ids hash: case, spacing and punctuation folded."""
    return description_key_bytes(text).decode("utf-8")


def description_key_bytes(text: str) -> bytes:
    """Return description_key(text) encoded as UTF-8: what a milestone id hashes (an ASCII key is not decoded).

    The words are those of _KEY_WORDS, found without a regex match per word when every character outside
    ASCII is a gap (quotes and dashes): the gaps become spaces in one translate of the bytes."""
    if text.isascii():  # (a flag of the string: no pass over it) lowered on the way
        return _squeezed(text.encode("ascii").translate(_KEY_LOWER_BYTES))
    low = text.lower()
    if low.isascii() or not any(map(_KEY_WORDS.match, set(low).difference(_ASCII_CHARS))):
        return _squeezed(low.encode("ascii", "replace").translate(_KEY_BYTES))  # each other character: '?', a gap
    return " ".join(_KEY_WORDS.findall(low)).encode("utf-8")  # the runs between gaps: gaps become single spaces


def _squeezed(spaced: bytes) -> bytes:
    """Return words separated by runs of spaces (and no other white space) as b" ".join(spaced.split()) does,
    without a bytes object per word: the runs made single spaces, none left at the ends."""
    spaced = spaced.strip(b" ")
    while b"  " in spaced:
        spaced = spaced.replace(b"  ", b" ")
    return spaced


def finding_at(p: ParagraphRow, severity: str, code: str, message: str, rule_id: Optional[str] = None) -> Finding:
    """Return a Finding located at paragraph `p`."""
    return Finding(severity, code, message, p.paragraph_id, p.line_start, p.char_start, p.char_end, p.line_end, rule_id)


def flag_findings(flag: Optional[StatusFlag], p: ParagraphRow) -> list[Finding]:
    """Return the findings a status flag raises: a normalised misspelling, or an unknown word."""
    if flag is None:
        return []
    if flag.status is None:
        return [finding_at(p, "warning", "unknown_status_flag", f"status flag {flag.text} not recognised; read as planned",
                           "status.flag")]
    if flag.finding is not None:
        f = flag.finding
        return [finding_at(p, f.severity, f.code, f.message.format(flag=flag.text), flag.rule_id)]
    return []


class _ProgrammeBuilder:
    """Walks one programme's milestone paragraphs and accumulates its rows.

    Milestones are kept as dicts of MilestoneRow fields (a status line below may still
    extend one) and validated together once the document is walked.
    """

    def __init__(self, doc: Document, programme: SectionRow, programme_id: str, reader: DocumentReader):
        self.doc, self.programme, self.programme_id = doc, programme, programme_id
        self.rules, self.reader = reader.rules, reader
        self.milestones: list[dict] = []
        self.targets: list[TargetRow] = []
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.pending: Optional[str] = None
        self.used_ids: set[str] = set()

    def walk(self, section: SectionRow, paras: list[ParagraphRow]) -> None:
        """Consume the paragraphs of one milestone sub-section."""
        desc: list[ParagraphRow] = []
        closed_before = len(self.milestones)
        i = 0
        while i < len(paras):
            p = paras[i]
            if p.kind == "date_line":
                value = None
                if i + 1 < len(paras) and self.is_label_with_value(p, paras[i + 1]):
                    i += 1
                    value = paras[i]
                self.close(section, desc, p, [], value)
                desc = []
            elif p.kind == "dates_header":
                targets = []
                while i + 1 < len(paras) and paras[i + 1].kind == "target_line":
                    i += 1
                    targets.append(paras[i])
                value = None  # 'Dates:' over one bare date: that is the date (the segmenter marked it a value)
                if not targets and i + 1 < len(paras) and self.is_value_below(paras[i + 1]):
                    i += 1
                    value = paras[i]
                self.close(section, desc, p, targets, value)
                desc = []
            elif p.kind == "target_line":
                self.findings.append(finding_at(p, "error", "stray_target_line", "target line outside a 'Dates:' list"))
            elif not desc and self.closed_in(section) and self.take_status_line(p):
                pass
            else:
                desc.append(p)
            i += 1
        if len(self.milestones) == closed_before:  # no date line here: each milestone may carry its own date
            desc = self.take_dated_paragraphs(section, desc)
        self.leftovers(desc)

    def take_dated_paragraphs(self, section: SectionRow, paras: list[ParagraphRow]) -> list[ParagraphRow]:
        """Make milestones of the paragraphs whose items state their own dates, or take them from a lead-in
        ('By March 2025:', for the list items below it, blank lines between them or not); return the other
        paragraphs, less a lead-in just before such a paragraph."""
        rest: list[ParagraphRow] = []
        carried = None  # (the lead-in's date, its paragraph, the last paragraph read under it)
        for p in paras:
            lead = rest[-1] if rest and rest[-1].sequence == p.sequence - 1 \
                and self.rules.lead_in_re.search(rest[-1].text) else None
            date = self.rules.lead_in_date(lead.text) if lead is not None else None
            group = (date, lead) if date is not None else None
            if group is None and carried and carried[2].sequence == p.sequence - 1 \
                    and self.rules.item_marker_re.match(p.text):
                group = carried[:2]
            if self.is_remark(p) or not self.take_dated_items(section, p, *(group or (None, None))):
                rest.append(p)
                carried = None
                continue
            if lead is not None:
                rest.pop()
            carried = (*group, p) if group else None
        return rest

    def take_dated_items(self, section: SectionRow, p: ParagraphRow, group: Optional[DateValue] = None,
                         lead: Optional[ParagraphRow] = None) -> bool:
        """Make a milestone of every item of paragraph `p` that states its own date ('Thing one – March 2025'),
        or is under a lead-in that names one (`group`, or the paragraph's own: 'By March 2025:'); return whether
        `p` was read so. It is only when every item reads (rules: dated_items)."""
        rules = self.rules
        own_lead, spans = rules.split_items(p.text)
        if own_lead is None and len(spans) == 1 and "\n" in p.text:  # lines with no marker: each may be an item
            lines = rules.line_spans(p.text)
            if all(rules.dated_item(p.text[a:b]) for a, b in lines):
                spans = lines
        own = rules.lead_in_date(p.text[own_lead[0]:own_lead[1]]) if own_lead else None
        group, lead = (own, p) if own is not None else (group, lead)
        items = []
        for start, end in spans:
            item = rules.dated_item(p.text[start:end])
            if item is None and group is not None:
                item = rules.undated_item(p.text[start:end], group)
            if item is None:
                return False
            items.append((start, end, item))
        if not items:
            return False
        text = self.doc.text
        first_line = text.count("\n", 0, p.char_start)  # the paragraph's first line of the text
        for start, end, item in items:
            a, b = p.char_start + start + item.description_start, p.char_start + start + item.description_end
            description = text[a:b]
            lines = self.doc.raw_lines(first_line + p.text.count("\n", 0, start), first_line + p.text.count("\n", 0, end))
            due, qualifier, is_tbc, status, date_text, status_text, rule_id = self.dated(item.value)
            span = (p.char_start + start, p.char_start + end)
            self.findings.extend(flag_findings(item.value.flag, p))
            said = f"the date of its lead-in ({lead.paragraph_id})" if item.rule_id == rules.data.dated_items.lead_in.id \
                else "its own date"
            self.findings.append(Finding("info", "dated_item", f"milestone read from an item with {said}, "
                                         f"{date_text!r}; no date line", p.paragraph_id, lines[0], *span,
                                         lines[1], item.rule_id))
            self.add(section, self.milestone_id(description), description, date_text, due, qualifier,
                     is_tbc, status, status_text, 0, [p.paragraph_id], span, lines, rule_id)
        return True

    def closed_in(self, section: SectionRow) -> bool:
        """Whether the last milestone was closed in `section` by a date line (no targets)."""
        return bool(self.milestones) and self.milestones[-1]["section_id"] == section.section_id \
            and self.milestones[-1]["n_targets"] == 0

    def take_status_line(self, p: ParagraphRow) -> bool:
        """Give the milestone just closed the status that paragraph `p` states on its own ('Status: Complete');
        return whether `p` was such a line. The milestone's span grows to take it in."""
        last = self.milestones[-1]
        if last["status_text"] is not None or "\n" in p.text:
            return False
        flag = self.rules.status_line(p.text)
        if flag is None:
            return False
        self.findings.extend(flag_findings(flag, p))
        status = "complete" if flag.status == "complete" else "planned"
        published, due_end = self.doc.published_date, last["due_end"]
        overdue = None if published is None or due_end is None else (due_end < published and status != "complete")
        last.update(status=status, status_text=flag.text, is_overdue_at_publication=overdue,
                    paragraph_ids=last["paragraph_ids"] + [p.paragraph_id], char_end=p.char_end, line_end=p.line_end)
        return True

    @staticmethod
    def is_label_with_value(p: ParagraphRow, nxt: ParagraphRow) -> bool:
        """Whether `p` is a bare 'Date:' label and `nxt` the value the segmenter found below it."""
        srules = structure_rules()
        return p.rule_id == srules.kinds.date_label.id and bool(srules.date_label_re.match(p.text)) \
            and _ProgrammeBuilder.is_value_below(nxt)

    @staticmethod
    def is_value_below(nxt: ParagraphRow) -> bool:
        """Whether `nxt` is a date value the segmenter found below a bare label or a 'Dates:' header."""
        srules = structure_rules()
        return nxt.rule_id == srules.kinds.date_label.id and nxt.kind == "date_line" \
            and not srules.date_label_re.match(nxt.text)

    def is_remark(self, p: ParagraphRow) -> bool:
        """Whether paragraph `p` is furniture, a pending statement or a programme note, whatever dates it names."""
        rules = self.rules
        return rules.is_furniture(p.text) or bool(rules.pending_re.search(p.text) or rules.notes_re.search(p.text))

    def leftovers(self, desc: list[ParagraphRow]) -> None:
        """Place paragraphs after the last dated block: pending statement, note, or finding."""
        for p in desc:
            if not self.rules.is_furniture(p.text):
                self.suspect_date_lines([p])  # a programme whose every date is under an unknown label
            if self.rules.pending_re.search(p.text) and self.pending is None:
                self.pending = p.text
            elif self.rules.notes_re.search(p.text):
                self.notes.append(p.text)
            else:
                self.findings.append(finding_at(
                    p, "warning", "unplaced_paragraph",
                    "paragraph after the last dated milestone is neither a note nor a pending statement; kept as a note",
                    self.rules.data.notes.id))
                self.notes.append(p.text)

    def close(self, section: SectionRow, desc: list[ParagraphRow], date_para: ParagraphRow,
              target_paras: list[ParagraphRow], value_para: Optional[ParagraphRow] = None) -> None:
        """Make one milestone from its description paragraphs and its date line (or targets); a bare
        'Date:' label has its value in `value_para`."""
        if not desc:
            self.findings.append(finding_at(date_para, "error", "date_without_description",
                                            "date line has no description paragraph before it"))
            desc = [date_para]
        self.suspect_date_lines(desc)
        first, last = desc[0], (target_paras or [value_para or date_para])[-1]
        start = first.char_start + self.rules.item_text_start(first.text)  # after a lone list item's marker
        description = self.doc.text[start:desc[-1].char_end]
        mid = self.milestone_id(description)
        targets = [self.target_row(mid, k + 1, tp) for k, tp in enumerate(target_paras)] if target_paras else []
        if target_paras:
            dated = [t for t in targets if t.due_end is not None]
            latest = max(dated, key=lambda t: (t.due_end, t.sequence)) if dated else None
            due = (latest.due_start, latest.due_end, latest.due_precision) if latest else (None, None, None)
            n_done = sum(t.status == "complete" for t in targets)
            status = "complete" if n_done == len(targets) else "partial" if n_done else "planned"
            date_text = "; ".join(tp.text for tp in target_paras)
            qualifier, is_tbc, status_text = None, False, None
            rule_id = latest.rule_id if latest else "kind.dates_header"
        elif date_para.kind == "dates_header" and value_para is None:
            self.findings.append(finding_at(date_para, "error", "dates_without_targets",
                                            "'Dates:' is not followed by any target line"))
            due, qualifier, is_tbc, status, date_text, status_text, rule_id = self.dated(DateValue("", None, None))
        else:
            line_value = self.reader.date_line_value(date_para.text)
            # None: a bare 'Date:' label, with its value below it or none.
            value = self.reader.date_value(line_value if line_value is not None else
                                           value_para.text if value_para else "")
            self.findings.extend(flag_findings(value.flag, value_para or date_para))
            if value.period is None and value.date_text:
                self.findings.append(finding_at(date_para, "error", "unparsed_date",
                                                f"date {value.date_text!r} not understood; due dates left empty"))
            elif not value.date_text:
                said = f"states a status ({value.flag.text}) but names no date" if value.flag else "names no date"
                self.findings.append(finding_at(date_para, "warning", "missing_date",
                                                f"date line {said}; due dates left empty"))
            due, qualifier, is_tbc, status, date_text, status_text, rule_id = self.dated(value)
        # The raw lines of every paragraph: in a table a date cell spanning rows stands above its description.
        parts = [*desc, date_para, *([value_para] if value_para else ()), *target_paras]
        self.targets.extend(targets)
        self.add(section, mid, description, date_text, due, qualifier, is_tbc, status, status_text,
                 len(targets), [p.paragraph_id for p in parts], (start, last.char_end),
                 (min([p.line_start for p in parts]), max([p.line_end for p in parts])), rule_id)

    @staticmethod
    def dated(value: DateValue) -> tuple:
        """Return (due, qualifier, is_tbc, status, date_text, status_text, rule_id) of a milestone closed by one date."""
        period = value.period
        due = (period.start, period.end, period.precision) if period else (None, None, None)
        status = "complete" if value.flag is not None and value.flag.status == "complete" else "planned"
        qualifier = "from" if period and period.qualifier == "from" else None
        return (due, qualifier, bool(period and period.is_tbc), status, value.date_text,
                value.flag.text if value.flag else None, period.rule_id if period else "kind.date_line")

    def add(self, section: SectionRow, mid: str, description: str, date_text: str, due: tuple,
            qualifier: Optional[str], is_tbc: bool, status: str, status_text: Optional[str], n_targets: int,
            paragraph_ids: list[str], chars: tuple[int, int], lines: tuple[int, int], rule_id: str) -> None:
        """Append one milestone (a dict of MilestoneRow fields) to the programme's."""
        published = self.doc.published_date
        # Unknown (null) without a publication date or a due date: not the same as "not overdue".
        overdue = None if published is None or due[1] is None else (due[1] < published and status != "complete")
        self.milestones.append({
            "doc_id": self.doc.doc_id, "milestone_id": mid, "theme": self.programme.theme,
            "programme": self.programme.title, "programme_id": self.programme_id, "section_id": section.section_id,
            "sequence": len(self.milestones) + 1, "workstream": self.rules.workstream(description),
            "description": description,
            "date_text": date_text, "due_start": due[0], "due_end": due[1], "due_precision": due[2],
            "due_qualifier": qualifier, "is_tbc": is_tbc, "status": status, "status_text": status_text,
            "n_targets": n_targets, "is_overdue_at_publication": overdue, "paragraph_ids": paragraph_ids,
            "char_start": chars[0], "char_end": chars[1], "line_start": lines[0], "line_end": lines[1],
            "rule_id": rule_id,
        })

    def suspect_date_lines(self, desc: list[ParagraphRow]) -> None:
        """Warn of description paragraphs that read as a date line under a label the rules do not know:
        the milestone above them may have been merged into the one they describe."""
        for p in desc:
            label = self.rules.suspect_date_label(p.text) if "\n" not in p.text else None
            if label is not None:
                self.findings.append(finding_at(
                    p, "warning", "suspect_date_line",
                    f"paragraph reads as a date line but {label!r} is not a date label (rules/structure.yaml "
                    "kind.date_line); read as description, so two milestones may be one", self.rules.data.suspect_date_line.id))

    def milestone_id(self, description: str) -> str:
        """Return a stable id: programme slug plus a hash of the normalised description, unique in the programme."""
        digest = hashlib.sha1(description_key_bytes(description)).hexdigest()[:10]
        base = f"{self.programme_id}-{digest}"
        mid, n = base, 1
        while mid in self.used_ids:
            n += 1
            mid = f"{base}-{n}"
        self.used_ids.add(mid)
        return mid

    def target_row(self, mid: str, seq: int, p: ParagraphRow) -> TargetRow:
        """Return the TargetRow for target line `p`."""
        target = self.reader.target(p.text)
        assert target is not None, "segmenter only marks parseable lines as target_line"
        period, flag = target.date.period, target.date.flag
        self.findings.extend(flag_findings(flag, p))
        return TargetRow(
            doc_id=self.doc.doc_id, target_id=f"{mid}-t{seq}", milestone_id=mid, sequence=seq, text=p.text,
            label=target.label, value=target.value, unit=target.unit, subject=target.subject,
            due_start=period.start if period else None, due_end=period.end if period else None,
            due_precision=period.precision if period else None,
            status="complete" if flag is not None and flag.status == "complete" else "planned",
            status_text=flag.text if flag else None, paragraph_id=p.paragraph_id,
            char_start=p.char_start, char_end=p.char_end, line_start=p.line_start, line_end=p.line_end,
            rule_id=target.rule_id,
        )


def extract_milestones(doc: Document, seg: Segmented) -> MilestoneResult:
    """Return the programmes, milestones, targets and findings of a segmented document."""
    rules = milestone_rules()
    children: dict[Optional[str], list[SectionRow]] = {}
    for s in seg.sections:
        children.setdefault(s.parent_id, []).append(s)
    paras_of: dict[str, list[ParagraphRow]] = {}
    # A section's paragraphs mostly follow one another: they are taken a run at a time, in reading order.
    for section_id, run in groupby(seg.paragraphs, key=attrgetter("section_id")):
        paras_of.setdefault(section_id, []).extend(run)
    para_by_id: dict[str, ParagraphRow] = dict(zip(map(attrgetter("paragraph_id"), seg.paragraphs), seg.paragraphs))
    holds = {s.id for s in _subsection_rules() if s.holds_milestones}

    programmes, milestones, targets, findings = [], [], [], []
    used_slugs: set[str] = set()
    reader = seg.reader if seg.reader is not None and seg.reader.rules is rules else DocumentReader(rules)
    for prog in (s for s in seg.sections if s.kind == "programme"):
        pid = slug(structure_rules().words(prog.title))  # numbering left out: a numbered copy keeps its ids
        while pid in used_slugs:
            pid += "-2"
        used_slugs.add(pid)
        builder = _ProgrammeBuilder(doc, prog, pid, reader)
        subsections = [c for c in children.get(prog.section_id, []) if c.kind == "subsection"]
        findings.extend(repeated_subsections(prog, subsections, para_by_id))
        ms_sections = [c for c in subsections if c.rule_id in holds]
        for sec in ms_sections:
            builder.walk(sec, [p for p in subtree_paras(sec, paras_of, children) if p.paragraph_id != sec.paragraph_id])
        head = para_by_id[prog.paragraph_id]
        programmes.append(dict(
            doc_id=doc.doc_id, programme_id=pid, theme=prog.theme, programme=prog.title, section_id=prog.section_id,
            sequence=len(programmes) + 1, has_milestone_section=bool(ms_sections),
            n_milestones=len(builder.milestones), n_complete=sum(m["status"] == "complete" for m in builder.milestones),
            n_partial=sum(m["status"] == "partial" for m in builder.milestones),
            commitments_pending_text=builder.pending, notes=builder.notes, paragraph_id=head.paragraph_id,
            char_start=prog.char_start, char_end=prog.char_end, line_start=prog.line_start, line_end=prog.line_end,
        ))
        milestones.extend(builder.milestones)
        targets.extend(builder.targets)
        findings.extend(builder.findings)
    consumed: set[str] = set()
    for m in milestones:  # set.update: no loop step per id
        consumed.update(m["paragraph_ids"])
    findings.extend(stray_date_lines(doc, seg, consumed))
    return MilestoneResult(tuple(validated(ProgrammeRow, programmes)), tuple(validated(MilestoneRow, milestones)),
                           tuple(targets), tuple(findings),
                           truncated_at(seg, findings, rules))


def subtree_paras(section: SectionRow, paras_of: dict[str, list[ParagraphRow]],
                  children: dict[Optional[str], list[SectionRow]]) -> list[ParagraphRow]:
    """Return the paragraphs of `section` and of every section below it, in reading order."""
    # A module function, not a closure: a recursive closure is a reference cycle that keeps every row it
    # reached alive until the cyclic collector runs (a pause of 12-22 ms every few documents).
    out = list(paras_of.get(section.section_id, []))
    if section.section_id not in children:  # a section's own paragraphs are in reading order already
        return out
    for child in children[section.section_id]:
        out.extend(subtree_paras(child, paras_of, children))
    return sorted(out, key=attrgetter("sequence"))


def truncated_at(seg: Segmented, findings: list[Finding], rules: MilestoneRules) -> Optional[ParagraphRow]:
    """Return the document's last paragraph when it stops inside a milestone (rule milestone.truncated), else None.

    That is a 'Dates:' header with no targets, or leftover milestone text whose last paragraph
    breaks off, unless the leftover text holds page furniture (then it is a footer).
    """
    if not seg.paragraphs:
        return None
    codes: dict[str, set[str]] = {}
    for f in findings:
        codes.setdefault(f.paragraph_id, set()).add(f.code)
    last = seg.paragraphs[-1]
    if "dates_without_targets" in codes.get(last.paragraph_id, ()):
        return last
    trailing = []
    for p in reversed(seg.paragraphs):
        if "unplaced_paragraph" not in codes.get(p.paragraph_id, ()):
            break
        trailing.append(p)
    if trailing and rules.breaks_off(last.text) and not any(rules.is_furniture(p.text) for p in trailing):
        return last
    return None


def repeated_subsections(prog: SectionRow, subsections: list[SectionRow],
                         para_by_id: dict[str, ParagraphRow]) -> list[Finding]:
    """Warn of a programme that holds a sub-section twice: a programme heading above the second may have been missed."""
    seen: set[str] = set()
    out = []
    for sub in subsections:
        if sub.rule_id in seen:
            out.append(finding_at(para_by_id[sub.paragraph_id], "warning", "repeated_subsection",
                                  f"programme {prog.title!r} has a second {sub.title!r} sub-section: the heading of "
                                  "another programme above it may not have been recognised", sub.rule_id))
        seen.add(sub.rule_id)
    return out


def stray_date_lines(doc: Document, seg: Segmented, consumed: set[str]) -> list[Finding]:
    """Return an error for every date line that no milestone consumed (outside a milestone section), but
    one info finding for each milestone-like table in the preamble or end matter, and one info finding
    for each end-matter section whose prose holds date lines.

    A date line the loader wrote for a table row before the first theme or in end matter (a revision
    history's 'Date | Action', a document control table) is that table's text, not a milestone that
    lost its section: the table is reported once, at its first such row, as information. Inside a
    theme or programme (a table under 'Delivery approach') its rows are milestones out of place, an
    error each, as in prose. So is a date line written as prose in end matter ('Document history',
    then 'Date: 1 June 2024') information: its heading says what it is, so the section is reported
    once, at its first date line.
    """
    out: list[Finding] = []
    tables_seen: set[tuple[str, int]] = set()
    # Most documents have none: the paragraphs are walked once, in a comprehension, for them.
    strays = [p for p in seg.paragraphs if p.kind in ("date_line", "dates_header") and p.paragraph_id not in consumed]
    end_matter = end_matter_of_sections(seg.sections) if strays else {}
    outside = outside_themes(seg.sections) if strays and doc.origins is not None else set()
    end_matter_seen: set[str] = set()
    for p in strays:
        table = doc.origin(doc.text.count("\n", 0, p.char_start)).table if doc.origins is not None else None
        section = end_matter.get(p.section_id)
        if table is not None and p.section_id in outside:
            if table not in tables_seen:
                tables_seen.add(table)
                out.append(finding_at(p, "info", "table_outside_milestones",
                                      "a table whose header names a description and a date column stands outside any "
                                      "milestone section: its rows are read as text, not as milestones", table[0]))
        elif section is not None:
            if section.section_id not in end_matter_seen:
                end_matter_seen.add(section.section_id)
                out.append(finding_at(p, "info", "date_lines_in_end_matter",
                                      f"end matter {section.title!r} holds date lines: read as its text, not as "
                                      "milestones", section.rule_id))
        else:
            out.append(finding_at(p, "error", "unconsumed_date_line", "date line outside any milestone section"))
    return out


def outside_themes(sections: tuple[SectionRow, ...]) -> set[str]:
    """Return the section_ids of the sections in no theme: the document, the preamble and end matter, and
    the sections below them."""
    out: set[str] = set()
    for s in sections:  # a section comes after its parent, so the parent is placed first
        if s.kind != "theme" and (s.parent_id is None or s.parent_id in out):
            out.add(s.section_id)
    return out


def end_matter_of_sections(sections: tuple[SectionRow, ...]) -> dict[str, SectionRow]:
    """Return the end-matter section (kind end_matter) that holds each section inside one, by section_id."""
    out: dict[str, SectionRow] = {}
    for s in sections:  # a section comes after its parent, so the parent is placed first
        if s.kind == "end_matter":
            out[s.section_id] = s
        elif s.parent_id in out:
            out[s.section_id] = out[s.parent_id]
    return out


def _subsection_rules():
    from .structure import structure_rules

    return structure_rules().subsections
