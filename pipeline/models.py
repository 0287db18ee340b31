"""The one contract: pydantic row models for every output table.

The pyarrow schemas, the data dictionary and `datapackage.json` are all generated
from these classes, so a column is documented exactly once: here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import ClassVar, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SCHEMA_VERSION = "1.0.0"


@dataclass(frozen=True)
class Check:
    """A declared row check (dbt-style): `sql` is a boolean SQL expression that holds for every row."""

    id: str
    description: str
    sql: str


@dataclass(frozen=True)
class TableMeta:
    """What a table is: its grain, keys, the column that evidences each row, and its declared checks.

    `evidence` names the column whose value must be found at
    `documents.text[char_start:char_end]`; `evidence_mode` says how
    ("equals", or "startswith" where the span also covers later lines).
    `span_rule` says how the span relates to the paragraphs table: "paragraphs" (it starts inside the
    first of `paragraph_ids` and ends a line of the last: a list item may be a milestone), "within_paragraph" (it lies inside
    `paragraph_id`), or None. `checks` are row checks that span columns.
    """

    name: str
    grain: str
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    evidence: Optional[str] = None
    evidence_mode: Literal["equals", "startswith"] = "equals"
    description: str = ""
    span_nullable: bool = False
    span_rule: Optional[Literal["paragraphs", "within_paragraph"]] = None
    checks: tuple[Check, ...] = field(default=())


SPAN_CHECKS = (
    Check("span_ordered", "char_start < char_end and line_start <= line_end",
          "char_start IS NULL OR (char_start >= 0 AND char_start < char_end AND line_start >= 1 AND line_start <= line_end)"),
)


class Row(BaseModel):
    """Base for every output row: strict, immutable, no stray columns."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)
    table: ClassVar[TableMeta]


def _doc():
    return Field(description="Document key: the raw file's stem.")


class Span(Row):
    """Provenance columns shared by every table."""

    char_start: int = Field(description="Offset of the evidence's first character in documents.text (0-based).")
    char_end: int = Field(description="Offset just past the evidence's last character in documents.text.")
    line_start: int = Field(description="First line of the evidence in the raw file (1-based, inclusive; for .docx, a paragraph number).")
    line_end: int = Field(description="Last line of the evidence in the raw file (1-based, inclusive; for .docx, a paragraph number).")


class OptionalSpan(Row):
    """Provenance columns for rows that may concern a whole file (quality findings)."""

    char_start: Optional[int] = Field(None, description="Offset of the evidence's first character in documents.text, when the finding has one.")
    char_end: Optional[int] = Field(None, description="Offset just past the evidence's last character in documents.text.")
    line_start: Optional[int] = Field(None, description="First raw-file line of the evidence (1-based), when known.")
    line_end: Optional[int] = Field(None, description="Last raw-file line of the evidence (1-based, inclusive), when known.")


DOC_FK = ((("doc_id",), "documents", ("doc_id",)),)
PARA_FK = ((("doc_id", "paragraph_id"), "paragraphs", ("doc_id", "paragraph_id")),)


class DocumentRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="documents",
        grain="one row per source document (one published version of a plan)",
        primary_key=("doc_id",),
        evidence="text",
        description="The documents read, with the normalised text that every char offset indexes.",
    )
    doc_id: str = _doc()
    plan_id: str = Field(description="Key of the plan series this document is a version of: a slug of its title without the words that name an edition (years, months, 'update', 'version 2'; rules/diff.yaml).")
    title: str = Field(description="The document's title: its first non-blank line (or the page's h1).")
    published_date: Optional[date] = Field(description="Publication date read from the 'Published …' line.")
    source_file: str = Field(description="File name of the raw input, relative to the folder it was read from.")
    source_sha256: str = Field(description="SHA-256 of the raw bytes.")
    source_format: Literal["txt", "md", "html", "docx"] = Field(description="Input format the loader used: txt, md (Markdown, its markup taken out line by line), html, or docx (a Word document, read as the HTML of its body, one line per paragraph).")
    source_encoding: str = Field(description="Encoding the raw bytes were decoded with (utf-8, utf-8-sig, utf-16, cp1252).")
    n_lines: int = Field(description="Number of lines in the raw file (for .docx, of paragraphs in its body).")
    n_chars: int = Field(description="Length of the normalised text.")
    text: str = Field(description="Normalised text: LF line ends, no BOM, odd spaces as plain spaces; offsets index this.")


class SectionRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="sections",
        grain="one row per section of the document tree (document, preamble, theme, programme, subsection, end_matter, heading)",
        primary_key=("doc_id", "section_id"),
        foreign_keys=DOC_FK + ((("doc_id", "parent_id"), "sections", ("doc_id", "section_id")),),
        evidence="title",
        evidence_mode="startswith",
        description="The section tree. A section's span runs from its heading to the end of its last paragraph.",
    )
    doc_id: str = _doc()
    section_id: str = Field(description="Section key within the document, in reading order (s0000 is the document).")
    parent_id: Optional[str] = Field(description="section_id of the enclosing section; null for the document.")
    level: int = Field(description="Depth in the tree: 0 document, 1 preamble/theme/end_matter, 2 programme, 3 subsection; a heading is one level below the section it sits in.")
    kind: Literal["document", "preamble", "theme", "programme", "subsection", "end_matter", "heading"] = Field(
        description="What the section is: end_matter is an annex, glossary, references, document history or contact section after the programmes (rules/structure.yaml headings.end_matter).")
    title: str = Field(description="The heading text as written.")
    theme: Optional[str] = Field(description="Theme name (the heading without '- overview'), when inside a theme.")
    programme: Optional[str] = Field(description="Programme name, when inside a programme.")
    path: str = Field(description="Titles from theme down to this section, joined with ' > '.")
    paragraph_id: Optional[str] = Field(description="The heading paragraph; null for the document section.")
    rule_id: str = Field(description="Structure rule that recognised the section.")


class ParagraphRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="paragraphs",
        grain="one row per paragraph (a run of non-blank lines, or one block element of a page)",
        primary_key=("doc_id", "paragraph_id"),
        foreign_keys=DOC_FK + ((("doc_id", "section_id"), "sections", ("doc_id", "section_id")),),
        evidence="text",
        description="Every paragraph of every document, in reading order, each in exactly one section.",
    )
    doc_id: str = _doc()
    paragraph_id: str = Field(description="Paragraph key within the document, in reading order (p0001…).")
    section_id: str = Field(description="The section the paragraph belongs to.")
    sequence: int = Field(description="1-based position of the paragraph in the document.")
    kind: Literal["heading", "text", "list", "numbered_item", "date_line", "dates_header", "target_line"] = Field(
        description="heading, text, list (a block of bullet or numbered lines), numbered_item, date_line ('Date: …'), dates_header ('Dates:') or target_line (a dated target under 'Dates:')."
    )
    text: str = Field(description="The paragraph's text, trimmed; equals documents.text[char_start:char_end].")
    source_locator: Optional[str] = Field(description="For HTML input, a CSS-like path to the element (for .docx, to the paragraph's element in the HTML its body is read as); null for text.")
    rule_id: str = Field(description="Rule that gave the paragraph its kind.")


class ProgrammeRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="programmes",
        grain="one row per programme",
        primary_key=("doc_id", "programme_id"),
        foreign_keys=DOC_FK + ((("doc_id", "section_id"), "sections", ("doc_id", "section_id")),),
        evidence="programme",
        evidence_mode="startswith",
        description="Programmes with their milestone counts, pending-commitment statements and notes.",
        checks=(Check("programme_counts", "complete and partial milestones are among the programme's milestones",
                      "n_complete + n_partial <= n_milestones"),),
    )
    doc_id: str = _doc()
    programme_id: str = Field(description="Programme key: a slug of its name, unique within the document.")
    theme: str = Field(description="Theme the programme sits under.")
    programme: str = Field(description="Programme name as written in its heading.")
    section_id: str = Field(description="The programme's section.")
    sequence: int = Field(description="1-based position of the programme in the document.")
    has_milestone_section: bool = Field(description="Whether the programme has a 'Commitment milestones' sub-section.")
    n_milestones: int = Field(description="Milestones extracted for the programme.")
    n_complete: int = Field(description="Milestones whose status is complete.")
    n_partial: int = Field(description="Milestones whose status is partial.")
    commitments_pending_text: Optional[str] = Field(description="The statement that commitments 'will be available' later, when the programme has one.")
    notes: list[str] = Field(description="Programme notes: paragraphs after the last dated milestone block.")
    paragraph_id: str = Field(description="The programme's heading paragraph.")


class MilestoneRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="milestones",
        grain="one row per milestone (description paragraphs closed by one date line or 'Dates:' list)",
        primary_key=("doc_id", "milestone_id"),
        foreign_keys=DOC_FK
        + ((("doc_id", "programme_id"), "programmes", ("doc_id", "programme_id")),
           (("doc_id", "section_id"), "sections", ("doc_id", "section_id"))),
        evidence="description",
        evidence_mode="startswith",
        span_rule="paragraphs",
        description="Commitment milestones with due periods, completion status and provenance.",
        checks=(
            Check("milestone_dated_unless_tbc",
                  "a milestone has a due date unless it is TBC, or its date could not be read and quality says so",
                  "is_tbc OR (due_start IS NOT NULL AND due_end IS NOT NULL) OR EXISTS (SELECT 1 FROM quality AS q "
                  "WHERE q.doc_id = milestones.doc_id AND q.code IN ('unparsed_date', 'missing_date', 'dates_without_targets') "
                  "AND list_contains(milestones.paragraph_ids, q.paragraph_id))"),
            Check("milestone_tbc_has_no_date", "a TBC milestone has no due date", "NOT is_tbc OR due_end IS NULL"),
            Check("milestone_due_ordered", "due_start is not after due_end", "due_start IS NULL OR due_start <= due_end"),
            Check("milestone_partial_has_targets", "only a milestone with targets can be partial",
                  "status <> 'partial' OR n_targets > 0"),
            Check("milestone_overdue_not_complete", "a complete milestone is never overdue",
                  "is_overdue_at_publication IS NOT TRUE OR status <> 'complete'"),
        ),
    )
    doc_id: str = _doc()
    milestone_id: str = Field(description="Stable key: programme slug plus a hash of the normalised description; the same across versions while both are unchanged.")
    theme: str = Field(description="Theme the milestone's programme sits under.")
    programme: str = Field(description="Programme name.")
    programme_id: str = Field(description="Programme key.")
    section_id: str = Field(description="The 'Commitment milestones' section holding the milestone.")
    sequence: int = Field(description="1-based position within its programme.")
    workstream: Optional[str] = Field(description="Short label the description starts with, before ': ' or ' - '; null when none.")
    description: str = Field(description="Full description text, workstream prefix included (paragraphs as written).")
    date_text: str = Field(description="Raw date text: the 'Date:' value without its status flag, or the target lines joined with '; '.")
    due_start: Optional[date] = Field(description="First day of the due period (for a 'Dates:' list, of the latest target).")
    due_end: Optional[date] = Field(description="Last day of the due period.")
    due_precision: Optional[Literal["day", "week", "part_of_month", "month", "quarter", "season", "part_of_year", "year",
                                    "financial_year", "decade"]] = Field(
        description="Granularity of the due period (the period form's precision in rules/periods.yaml); a financial-year "
                    "quarter has precision quarter, a range of months month, a range of years year."
    )
    due_qualifier: Optional[Literal["from"]] = Field(description="'from' when the date reads 'from …', else null.")
    is_tbc: bool = Field(description="True when the date is to be confirmed (TBC); the due columns are then null.")
    status: Literal["complete", "partial", "planned"] = Field(description="complete when flagged so; partial when some targets are complete; planned otherwise.")
    status_text: Optional[str] = Field(description="The status flag as written, e.g. '(complete)' or '(compete)'.")
    n_targets: int = Field(description="Number of target lines under 'Dates:' (0 for a single date line).")
    is_overdue_at_publication: Optional[bool] = Field(
        description="due_end before the publication date and status not complete; null when the document has no "
                    "publication date or the milestone no due date.")
    paragraph_ids: list[str] = Field(description="Paragraphs of the milestone: description, date line, targets.")
    rule_id: str = Field(description="Rule that parsed the due date (or the targets' date rule).")


class TargetRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="milestone_targets",
        grain="one row per dated target line under a 'Dates:' list",
        primary_key=("doc_id", "target_id"),
        foreign_keys=DOC_FK + ((("doc_id", "milestone_id"), "milestones", ("doc_id", "milestone_id")),) + PARA_FK,
        evidence="text",
        span_rule="within_paragraph",
        description="Dated targets of milestones that list several dates.",
        checks=(Check("target_due_ordered", "due_start is not after due_end", "due_start IS NULL OR due_start <= due_end"),),
    )
    doc_id: str = _doc()
    target_id: str = Field(description="Key: milestone_id plus '-t' and the target's sequence.")
    milestone_id: str = Field(description="The milestone the target belongs to.")
    sequence: int = Field(description="1-based position within the milestone.")
    text: str = Field(description="The target line as written.")
    label: str = Field(description="What is to be reached: '40%', 'Wave A', '5 regions'.")
    value: Optional[float] = Field(description="Numeric part of the label (40 for '40%'); null when none ('Wave A', 'All regions').")
    unit: Optional[Literal["percent", "count"]] = Field(description="percent for '%', count for a plain number, else null.")
    subject: Optional[str] = Field(description="What is counted: 'regions', 'trust boards'; null when not said.")
    due_start: Optional[date] = Field(description="First day of the target's due period.")
    due_end: Optional[date] = Field(description="Last day of the target's due period.")
    due_precision: Optional[str] = Field(description="Granularity of the target's due period.")
    status: Literal["complete", "planned"] = Field(description="complete when the line carries a completion flag.")
    status_text: Optional[str] = Field(description="The status flag as written.")
    paragraph_id: str = Field(description="The target line's paragraph.")
    rule_id: str = Field(description="Rule that parsed the target's date.")


class QualityRow(OptionalSpan):
    table: ClassVar[TableMeta] = TableMeta(
        name="quality",
        grain="one row per finding (something the rules could not place, normalised or rejected)",
        primary_key=("doc_id", "finding_id"),
        evidence="evidence",
        span_nullable=True,
        description="Data-quality findings: nothing is dropped silently.",
    )
    doc_id: str = _doc()
    finding_id: str = Field(description="Key within the document: q plus a sequence (extraction), d plus a sequence (comparison with the previous version).")
    severity: Literal["error", "warning", "info"] = Field(description="error: data lost or input rejected; warning: normalised or doubtful; info: noted.")
    code: str = Field(description="Stable finding code, e.g. status_misspelt, unplaced_paragraph, bad_input.")
    message: str = Field(description="Human-readable explanation.")
    paragraph_id: Optional[str] = Field(None, description="Paragraph the finding is about, when any.")
    line: Optional[int] = Field(None, description="Raw-file line the finding is about, when any.")
    evidence: Optional[str] = Field(None, description="The text the finding is about (documents.text[char_start:char_end]).")
    rule_id: Optional[str] = Field(None, description="Rule involved, when any.")


class TemporalRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="temporal_expressions",
        grain="one row per date or period expression found in any paragraph (overlaps resolved to the longest span)",
        primary_key=("doc_id", "expression_id"),
        foreign_keys=DOC_FK + PARA_FK,
        evidence="text",
        span_rule="within_paragraph",
        description="Every date, period and relative time expression in the text, normalised to a first and last day.",
    )
    doc_id: str = _doc()
    expression_id: str = Field(description="Key within the document: t plus a sequence in reading order.")
    paragraph_id: str = Field(description="Paragraph the expression is in.")
    milestone_id: Optional[str] = Field(description="Milestone the paragraph belongs to (description, date line or target), when any.")
    section_path: str = Field(description="Path of the paragraph's section (sections.path).")
    text: str = Field(description="The exact span, qualifier words included ('by 30 September 2021', 'in the 2021 to 2022 financial year').")
    kind: Literal["date", "part_of_month", "month", "quarter", "financial_year", "financial_quarter", "season", "part_of_year",
                  "year", "range"] = Field(
        description="What the expression names: a day, a part of a month, a month, a calendar or financial quarter or year, a season, a part of a year, or a range (of days, a week, months, years, a decade, or a relative span)."
    )
    start_date: Optional[date] = Field(description="First day of the period named.")
    end_date: Optional[date] = Field(description="Last day of the period named.")
    precision: Optional[str] = Field(description="Granularity of the period's ends: day, week, part_of_month, month, quarter, season, part_of_year, year, financial_year or decade.")
    qualifier: Optional[Literal["by", "from", "until", "in", "since", "before", "after"]] = Field(
        description="What the words before the period say of it ('by the end of' gives by, 'during' and 'on' give in, 'beyond' gives after); null when none."
    )
    is_relative: bool = Field(description="True when anchored to the publication date ('the next 3 years', 'next year').")
    resolution: Literal["explicit", "paragraph_context", "publication_date"] = Field(
        description="Where the period's time comes from: the text itself; a missing year taken from another date in the paragraph; or the publication date (a missing year, or a relative expression)."
    )
    rule_id: str = Field(description="Token pattern (rules/temporal.jsonl) that found the expression.")
    period_rule_id: str = Field(description="Period form (rules/periods.yaml) that normalised it to start_date and end_date.")


class QuantityRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="quantities",
        grain="one row per quantity (an amount with its unit, comparator and subject) in any paragraph; a change or range is one row",
        primary_key=("doc_id", "quantity_id"),
        foreign_keys=DOC_FK + PARA_FK,
        evidence="text",
        span_rule="within_paragraph",
        description="Money, percentages, counts, speeds, sizes, durations and multipliers mentioned in the text.",
    )
    doc_id: str = _doc()
    quantity_id: str = Field(description="Key within the document: n plus a sequence in reading order.")
    paragraph_id: str = Field(description="Paragraph the quantity is in.")
    milestone_id: Optional[str] = Field(description="Milestone the paragraph belongs to (description, date line or target), when any.")
    text: str = Field(description="The exact span, comparator or range words included ('more than 300,000', 'from 14.3% to 43%').")
    amount_text: str = Field(description="The amount as written, without comparator words ('£140m', 'Twenty', '34.5 seconds', '14.3% to 43%').")
    value: float = Field(description="The value with any scale applied (140000000 for '£140m'); for a change or range, its end value.")
    value_from: Optional[float] = Field(description="For a change or range, the starting value ('from 14.3% to 43%' gives 14.3).")
    unit: str = Field(description="percent, GBP (USD, EUR), count, ratio (a share: 0.2 for '1 in 5', 0.75 for 'three quarters of'), Mbps, KB, seconds, minutes, hours, days, weeks, months, years or multiplier.")
    multiplier: Optional[float] = Field(description="Scale applied to the written number (1e6 for 'm' or 'million'), when any.")
    comparator: Optional[Literal["at_least", "more_than", "less_than", "up_to", "approximately"]] = Field(
        description="Comparison read from the surrounding words ('at least', 'over', 'upto', 'within', 'around', 'or more') or the written form (at_least for '1,000s of'); null when none."
    )
    subject: Optional[str] = Field(description="The counted thing as written ('pharmacies', 'trust boards', 'proof of concept projects'), when said.")
    rule_id: str = Field(description="Token pattern (rules/quantities.jsonl) that found the quantity, or the combine rule (rules/quantities.yaml) that joined two.")



# -- changes between consecutive versions of a plan (issue 7) -------------------

def _side(side: str, what: str, nullable_when: str) -> str:
    return f"{what} on the {side} side; null when the row is {nullable_when}."


CHANGE_KINDS = Literal["added", "removed", "unchanged", "modified"]


class MilestoneChangeRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="milestone_changes",
        grain="one row per milestone per pair of consecutive versions of a plan (matched, added or removed)",
        primary_key=("from_doc_id", "to_doc_id", "change_id"),
        foreign_keys=DOC_FK
        + ((("from_doc_id",), "documents", ("doc_id",)),
           (("to_doc_id",), "documents", ("doc_id",)),
           (("from_doc_id", "from_milestone_id"), "milestones", ("doc_id", "milestone_id")),
           (("to_doc_id", "to_milestone_id"), "milestones", ("doc_id", "milestone_id"))),
        evidence="description",
        evidence_mode="startswith",
        description="What happened to each milestone between a version of a plan and the next: completed, "
                    "slipped, reworded, moved, added or removed. The generic span is the side that exists "
                    "(the new side; the old side for a removed milestone); the from_/to_ columns keep both sides.",
    )
    doc_id: str = Field(description="Document the generic span points into: to_doc_id, or from_doc_id for a removed milestone.")
    plan_id: str = Field(description="The plan series (documents.plan_id of the new version).")
    from_doc_id: str = Field(description="The earlier version's document.")
    to_doc_id: str = Field(description="The later version's document.")
    change_id: str = Field(description="Key within the version pair: c plus a sequence (new version's reading order, then removed milestones in the old order).")
    change: CHANGE_KINDS = Field(
        description="added (only in the new version), removed (only in the old), modified (matched, something changed) "
                    "or unchanged (matched; a renamed programme alone leaves a milestone unchanged)."
    )
    from_milestone_id: Optional[str] = Field(description="Milestone in the earlier version; null when added.")
    to_milestone_id: Optional[str] = Field(description="Milestone in the later version; null when removed.")
    from_programme_id: Optional[str] = Field(description=_side("old", "Programme key", "added"))
    to_programme_id: Optional[str] = Field(description=_side("new", "Programme key", "removed"))
    from_programme: Optional[str] = Field(description=_side("old", "Programme name", "added"))
    to_programme: Optional[str] = Field(description=_side("new", "Programme name", "removed"))
    from_description: Optional[str] = Field(description=_side("old", "Description", "added"))
    to_description: Optional[str] = Field(description=_side("new", "Description", "removed"))
    description: str = Field(description="Description of the side the generic span points at (the row's evidence).")
    from_date_text: Optional[str] = Field(description=_side("old", "Date text as written", "added"))
    to_date_text: Optional[str] = Field(description=_side("new", "Date text as written", "removed"))
    from_due_start: Optional[date] = Field(description="First day of the old due period; null when added, TBC or unparsed.")
    to_due_start: Optional[date] = Field(description="First day of the new due period; null when removed, TBC or unparsed.")
    from_due_end: Optional[date] = Field(description="Last day of the old due period; null when added, TBC or unparsed.")
    to_due_end: Optional[date] = Field(description="Last day of the new due period; null when removed, TBC or unparsed.")
    from_status: Optional[Literal["complete", "partial", "planned"]] = Field(description=_side("old", "Status", "added"))
    to_status: Optional[Literal["complete", "partial", "planned"]] = Field(description=_side("new", "Status", "removed"))
    slip_days: Optional[int] = Field(description="to_due_end minus from_due_end, in days (negative when brought forward); null unless both are known.")
    similarity: Optional[float] = Field(description="Similarity of the two descriptions, 0..1 (rule diff.similarity: idf-weighted word overlap); null when added or removed.")
    match_score: Optional[float] = Field(description="Similarity plus the bonuses that applied (rules/diff.yaml); the assignment maximised it. Null when added or removed.")
    is_completed_now: bool = Field(description="Status complete in the new version but not in the old.")
    is_reopened: bool = Field(description="Status complete in the old version but not in the new.")
    is_status_changed: bool = Field(description="Status differs (completed, reopened, or planned to or from partial), or the number of complete targets of its 'Dates:' list differs.")
    is_date_changed: bool = Field(description="Due period differs (first or last day, TBC, 'from'), or the target dates of a 'Dates:' list differ. A new date line that states only a status ('Date: Complete') has not restated the date: false.")
    is_reworded: bool = Field(description="Normalised descriptions differ (case, spacing and punctuation ignored, as milestone ids hash them).")
    is_programme_changed: bool = Field(description="Milestone moved: its new programme is not the one its old programme became.")
    is_programme_renamed: bool = Field(description="Milestone stayed in its programme, which was renamed (see programme_changes).")
    paragraph_ids: list[str] = Field(description="Paragraphs of the side the generic span points at.")
    from_paragraph_ids: Optional[list[str]] = Field(description=_side("old", "Paragraphs of the milestone", "added"))
    to_paragraph_ids: Optional[list[str]] = Field(description=_side("new", "Paragraphs of the milestone", "removed"))
    from_char_start: Optional[int] = Field(description="Old milestone's first character in the old document's text; null when added.")
    from_char_end: Optional[int] = Field(description="Offset just past the old milestone in the old document's text; null when added.")
    from_line_start: Optional[int] = Field(description="Old milestone's first raw-file line; null when added.")
    from_line_end: Optional[int] = Field(description="Old milestone's last raw-file line; null when added.")
    to_char_start: Optional[int] = Field(description="New milestone's first character in the new document's text; null when removed.")
    to_char_end: Optional[int] = Field(description="Offset just past the new milestone in the new document's text; null when removed.")
    to_line_start: Optional[int] = Field(description="New milestone's first raw-file line; null when removed.")
    to_line_end: Optional[int] = Field(description="New milestone's last raw-file line; null when removed.")
    rule_id: str = Field(description="How the pair was decided: diff.match.exact, diff.match.similar or diff.unmatched.")


class ProgrammeChangeRow(Span):
    table: ClassVar[TableMeta] = TableMeta(
        name="programme_changes",
        grain="one row per programme per pair of consecutive versions of a plan (matched, added or removed)",
        primary_key=("from_doc_id", "to_doc_id", "change_id"),
        foreign_keys=DOC_FK
        + ((("from_doc_id",), "documents", ("doc_id",)),
           (("to_doc_id",), "documents", ("doc_id",)),
           (("from_doc_id", "from_programme_id"), "programmes", ("doc_id", "programme_id")),
           (("to_doc_id", "to_programme_id"), "programmes", ("doc_id", "programme_id"))),
        evidence="programme",
        evidence_mode="startswith",
        description="Programmes added, removed, renamed or unchanged between a version of a plan and the next. "
                    "The generic span is the side that exists (the new side; the old side when removed).",
    )
    doc_id: str = Field(description="Document the generic span points into: to_doc_id, or from_doc_id for a removed programme.")
    plan_id: str = Field(description="The plan series (documents.plan_id of the new version).")
    from_doc_id: str = Field(description="The earlier version's document.")
    to_doc_id: str = Field(description="The later version's document.")
    change_id: str = Field(description="Key within the version pair: p plus a sequence (new version's order, then removed programmes).")
    change: Literal["added", "removed", "renamed", "unchanged"] = Field(
        description="added, removed, renamed (matched, name differs beyond case and punctuation) or unchanged (matched, same name; see is_theme_changed)."
    )
    from_programme_id: Optional[str] = Field(description="Programme in the earlier version; null when added.")
    to_programme_id: Optional[str] = Field(description="Programme in the later version; null when removed.")
    from_programme: Optional[str] = Field(description=_side("old", "Programme name", "added"))
    to_programme: Optional[str] = Field(description=_side("new", "Programme name", "removed"))
    programme: str = Field(description="Name on the side the generic span points at (the row's evidence).")
    from_theme: Optional[str] = Field(description=_side("old", "Theme", "added"))
    to_theme: Optional[str] = Field(description=_side("new", "Theme", "removed"))
    is_theme_changed: bool = Field(description="Matched programme now sits under another theme.")
    from_n_milestones: Optional[int] = Field(description=_side("old", "Milestones of the programme", "added"))
    to_n_milestones: Optional[int] = Field(description=_side("new", "Milestones of the programme", "removed"))
    n_milestones_kept: int = Field(description="Milestones matched from this old programme to this new programme.")
    name_similarity: Optional[float] = Field(description="Similarity of the two names, 0..1; null when added or removed.")
    match_score: Optional[float] = Field(description="Programme match score (rules/diff.yaml, diff.programme_match); null when added or removed.")
    merged_into_programme_id: Optional[str] = Field(description="For a removed programme: the new programme that received most of its matched milestones, when any.")
    merged_into_programme: Optional[str] = Field(description="Name of merged_into_programme_id.")
    paragraph_id: str = Field(description="Heading paragraph of the side the generic span points at.")
    from_paragraph_id: Optional[str] = Field(description=_side("old", "Heading paragraph", "added"))
    to_paragraph_id: Optional[str] = Field(description=_side("new", "Heading paragraph", "removed"))
    from_char_start: Optional[int] = Field(description="Old programme section's first character in the old document's text; null when added.")
    from_char_end: Optional[int] = Field(description="Offset just past the old programme section; null when added.")
    from_line_start: Optional[int] = Field(description="Old programme's first raw-file line; null when added.")
    from_line_end: Optional[int] = Field(description="Old programme's last raw-file line; null when added.")
    to_char_start: Optional[int] = Field(description="New programme section's first character in the new document's text; null when removed.")
    to_char_end: Optional[int] = Field(description="Offset just past the new programme section; null when removed.")
    to_line_start: Optional[int] = Field(description="New programme's first raw-file line; null when removed.")
    to_line_end: Optional[int] = Field(description="New programme's last raw-file line; null when removed.")
    rule_id: str = Field(description="How the pair was decided: diff.programme.same_name, diff.programme.matched or diff.unmatched.")

TABLES: tuple[type[Row], ...] = (
    DocumentRow,
    SectionRow,
    ParagraphRow,
    ProgrammeRow,
    MilestoneRow,
    TargetRow,
    TemporalRow,
    QuantityRow,
    MilestoneChangeRow,
    ProgrammeChangeRow,
    QualityRow,
)


def table_models() -> dict[str, type[Row]]:
    """Return the row model of every table, by table name."""
    return {m.table.name: m for m in TABLES}


R = TypeVar("R", bound=Row)


@lru_cache(maxsize=None)
def _list_of(model: type[Row]) -> TypeAdapter:
    return TypeAdapter(list[model])


def validated(model: type[R], rows: list[dict]) -> list[R]:
    """Return the rows (dicts of field values) as validated `model` rows.

    The same validation as `model(**row)` row by row, in one call of pydantic's validator:
    about a third faster for a table's worth of rows.
    """
    return _list_of(model).validate_python(rows)
