"""Structure rules (rules/structure.yaml), validated and compiled once per process."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .regex_shape import first_chars, last_chars, may_end, one_of, required_chars
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Pattern(StrictModel):
    id: str
    pattern: str


class _EndMatter(StrictModel):
    id: str
    pattern: str
    holds_dates: bool = False  # its own text is dated (a document history): date lines below it are no milestones


class _Subsection(StrictModel):
    id: str
    name: str
    pattern: str
    holds_milestones: bool = False
    opens_programme: bool = True  # false: a sub-section inside a programme, but no sign of one on its own


class _Shape(StrictModel):
    id: str
    max_chars: int
    max_words: int
    not_ending: str
    not_starting: str


class _Programme(StrictModel):
    id: str
    max_intro_paragraphs: int
    max_chars: int
    max_words: int
    not_ending: str


class _ThemeByStructure(StrictModel):
    id: str
    max_intro_paragraphs: int


class _Headings(StrictModel):
    numbering: _Pattern
    closing: _Pattern
    theme: _Pattern
    theme_by_structure: _ThemeByStructure
    subsections: list[_Subsection]
    end_matter: list[_EndMatter]
    programme: _Programme
    shape: _Shape


class _Kinds(StrictModel):
    date_line: _Pattern
    date_label: _Pattern
    inline_date_line: _Pattern
    dates_header: _Pattern
    list_item: _Pattern
    numbered_item: _Pattern


class _DocumentRules(StrictModel):
    published: _Pattern


class StructureRuleFile(StrictModel):
    version: int
    document: _DocumentRules
    headings: _Headings
    paragraph_kinds: _Kinds


@dataclass(frozen=True)
class Subsection:
    id: str
    name: str
    regex: re.Pattern
    holds_milestones: bool
    opens_programme: bool


class StructureRules:
    """Compiled structure rules: what a heading, a theme, a sub-section and a date line look like."""

    def __init__(self, data: StructureRuleFile):
        flags = re.IGNORECASE
        self.data = data
        self.published_re = re.compile(data.document.published.pattern, flags)
        self.numbering_re = re.compile(data.headings.numbering.pattern, flags)
        self.closing_re = re.compile(data.headings.closing.pattern)
        self.theme = data.headings.theme
        self.theme_by_structure = data.headings.theme_by_structure
        self.theme_re = re.compile(data.headings.theme.pattern, flags)
        self.theme_ends = last_chars(self.theme_re)  # most headings do not end as a theme heading does
        self.subsections = tuple(
            Subsection(s.id, s.name, re.compile(s.pattern, flags), s.holds_milestones, s.opens_programme)
            for s in data.headings.subsections
        )
        # One match per heading for every sub-section rule, as for end matter below.
        self.subsection_re = one_of({f"s{k}": sub.pattern for k, sub in enumerate(data.headings.subsections)}, flags)
        self.subsection_starts = first_chars(self.subsection_re)
        self.end_matter = tuple((e.id, re.compile(e.pattern, flags)) for e in data.headings.end_matter)
        # One match per heading for every end-matter rule (None: they cannot be combined; see one_of).
        self.end_matter_re = one_of({f"e{k}": e.pattern for k, e in enumerate(data.headings.end_matter)}, flags)
        self.end_matter_starts = first_chars(self.end_matter_re)  # most headings start as no end matter does
        self.dated_end_matter = frozenset(e.id for e in data.headings.end_matter if e.holds_dates)
        self.programme = data.headings.programme
        self.programme_not_ending = re.compile(self.programme.not_ending)
        shape = data.headings.shape
        self.shape = shape
        self.not_ending = re.compile(shape.not_ending)
        self.not_ending_ends, self.programme_not_ending_ends = last_chars(self.not_ending), last_chars(self.programme_not_ending)
        self.not_starting = re.compile(shape.not_starting)
        self.not_starting_starts = first_chars(self.not_starting)  # most headings start with a letter: no match
        kinds = data.paragraph_kinds
        self.kinds = kinds
        self.date_line_re = re.compile(kinds.date_line.pattern, flags)
        self.date_label_re = re.compile(kinds.date_label.pattern, flags)
        # One search per line: a sentence end followed by a whole date line (its leading ^ dropped).
        self.inline_date_re = re.compile(kinds.inline_date_line.pattern + "(?=" + kinds.date_line.pattern.removeprefix("^")
                                         + ")", flags)
        self.inline_date_needs = required_chars(self.inline_date_re)  # most lines have no ':' or dash: no search
        self.dates_header_re = re.compile(kinds.dates_header.pattern, flags)
        self.list_item_re = re.compile(kinds.list_item.pattern)
        self.numbered_item_re = re.compile(kinds.numbered_item.pattern)
        # One match per line instead of one per rule: the first alternative that matches names the kind,
        # as trying the rules in turn would (None: they cannot be combined; see one_of).
        self.date_kind_re = one_of({"dates_header": kinds.dates_header.pattern, "date_line": kinds.date_line.pattern,
                                    "date_label": kinds.date_label.pattern}, flags)
        self.item_re = one_of({"list_item": kinds.list_item.pattern, "numbered_item": kinds.numbered_item.pattern}, 0)
        # Most lines start with a character that no date kind (no list item) can start with: a dict lookup
        # of that character settles them without the regex (see first_chars).
        self.date_kind_starts = first_chars(self.date_kind_re)
        self.item_starts = first_chars(self.item_re)
        # A closing colon is looked for in every short line and heading; its regex can only match at the end.
        self.closing_ends = last_chars(self.closing_re)

    def words(self, text: str) -> str:
        """Return a heading's words: white space folded, any numbering before them and colon after them left out."""
        t = self.without_closing(" ".join(text.split()))
        m = self.numbering_re.match(t)
        return t[m.end():] if m else t

    def heading_text(self, text: str) -> str:
        """Return a heading as a name: as written, less a closing colon ("Cyber security:" → "Cyber security")."""
        return self.without_closing(text.strip())

    def has_closing(self, text: str) -> bool:
        """Whether `text` ends with a closing colon (heading.closing)."""
        return may_end(self.closing_ends, text) and self.closing_re.search(text) is not None

    def without_closing(self, text: str) -> str:
        """Return `text` less its closing colon (heading.closing), if any."""
        return self.closing_re.sub("", text) if may_end(self.closing_ends, text) else text

    def subsection(self, text: str) -> Optional[Subsection]:
        """Return the sub-section that heading `text` names, or None."""
        return self.subsection_of_words(self.words(text))

    def subsection_of_words(self, words: str) -> Optional[Subsection]:
        """Return the sub-section that a heading's `words` (see words()) name, or None."""
        if words and not self.subsection_starts[words[0]]:
            return None
        if self.subsection_re is not None:
            m = self.subsection_re.match(words)
            return None if m is None else self.subsections[int(m.lastgroup[1:])]
        return next((sub for sub in self.subsections if sub.regex.match(words)), None)

    def end_matter_of_words(self, words: str) -> Optional[str]:
        """Return the id of the end-matter rule that a heading's `words` (see words()) match, or None."""
        if words and not self.end_matter_starts[words[0]]:
            return None
        if self.end_matter_re is not None:
            m = self.end_matter_re.match(words)
            return None if m is None else self.end_matter[int(m.lastgroup[1:])][0]
        return next((rule_id for rule_id, regex in self.end_matter if regex.match(words)), None)

    def theme_name(self, text: str) -> Optional[str]:
        """Return the theme named by heading `text` ('Digitise - overview' → 'Digitise'), or None."""
        return self.theme_of_words(self.words(text))

    def theme_of_words(self, words: str) -> Optional[str]:
        """Return the theme that a heading's `words` (see words()) name, or None."""
        m = self.theme_re.match(words) if may_end(self.theme_ends, words) else None
        return m.group("theme").strip() if m else None

    def names_heading(self, text: str) -> bool:
        """Whether `text` names a theme or a sub-section."""
        words = self.words(text)
        return bool(self.theme_of_words(words)) or self.subsection_of_words(words) is not None

    def looks_like_heading(self, text: str) -> bool:
        """Whether a one-line paragraph has the shape of a heading in plain text."""
        t = text.strip()
        return (
            0 < len(t) <= self.shape.max_chars
            and len(t.split()) <= self.shape.max_words
            and not (may_end(self.not_ending_ends, t) and self.not_ending.search(t))
            and not (self.not_starting_starts[t[0]] and self.not_starting.match(t))
        )


    def may_head_programme(self, text: str) -> bool:
        """Whether a one-line paragraph that is not heading-shaped may still be a programme heading."""
        t = text.strip()
        p = self.programme
        return 0 < len(t) <= p.max_chars and len(t.split()) <= p.max_words \
            and not (may_end(self.programme_not_ending_ends, t) and self.programme_not_ending.search(t)) \
            and not (self.not_starting_starts[t[0]] and self.not_starting.match(t))


def _check(rules: StructureRuleFile, problems: list[str]) -> None:
    h = rules.headings
    pats = {rules.document.published.id: rules.document.published.pattern, h.theme.id: h.theme.pattern,
            h.numbering.id: h.numbering.pattern, h.closing.id: h.closing.pattern, h.programme.id + ".not_ending": h.programme.not_ending}
    pats.update({s.id: s.pattern for s in rules.headings.subsections})
    pats.update({e.id: e.pattern for e in rules.headings.end_matter})
    k = rules.paragraph_kinds
    pats.update({p.id: p.pattern for p in (k.date_line, k.date_label, k.inline_date_line, k.dates_header, k.list_item, k.numbered_item)})
    pats[rules.headings.shape.id + ".not_ending"] = rules.headings.shape.not_ending
    pats[rules.headings.shape.id + ".not_starting"] = rules.headings.shape.not_starting
    check_regexes(pats, problems, "structure", re.IGNORECASE)  # most are matched ignoring case
    # From the rules themselves, not from `pats`' keys: an id given twice is one key there.
    unique_ids([rules.document.published.id, h.theme.id, h.numbering.id, h.closing.id]
               + [s.id for s in h.subsections] + [e.id for e in h.end_matter]
               + [p.id for p in (k.date_line, k.date_label, k.inline_date_line, k.dates_header, k.list_item, k.numbered_item)]
               + [h.programme.id, h.theme_by_structure.id],
               problems, "structure")
    if h.programme.max_intro_paragraphs < 0:
        problems.append(f"{h.programme.id}: max_intro_paragraphs must be 0 or more")
    if not re.search(r"\(\?P<theme>", rules.headings.theme.pattern):
        problems.append(f"{rules.headings.theme.id}: pattern needs a (?P<theme>…) group")
    if not any(s.holds_milestones for s in rules.headings.subsections):
        problems.append("headings.subsections: no sub-section holds_milestones")


@lru_cache(maxsize=None)
def structure_rules() -> StructureRules:
    """Return the process-wide compiled structure rules."""
    return StructureRules(load_ruleset("structure.yaml", StructureRuleFile, _check))
