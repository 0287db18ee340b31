"""Milestone rules (rules/milestones.yaml), compiled once: status flags, target lines, workstreams, notes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Callable, Literal, Optional

from .periods import Period, grammar
from .rules import StrictModel, check_regexes, load_ruleset, unique_ids
from .regex_shape import may_hold, may_span, required_chars, span_class
from .regex_solid import max_solid, max_solid_before, solid_cover, solid_fits


class _Pattern(StrictModel):
    id: str
    pattern: str


class _FlagPattern(StrictModel):
    id: str
    pattern: str
    known_only: bool = False  # a flag only when its words start with a known status
    at: Literal["end", "start"] = "end"


class _Finding(StrictModel):
    severity: str
    code: str
    message: str


class _Status(StrictModel):
    id: str
    words: list[str]
    status: str
    finding: Optional[_Finding] = None


class _Label(StrictModel):
    id: str
    number: str
    quantifiers: list[str]


class _Workstream(StrictModel):
    id: str
    pattern: str
    max_words: int


class _Truncation(StrictModel):
    id: str
    min_words: int
    complete_end: str
    furniture: str


class _Separator(StrictModel):
    id: str
    pattern: str
    closing: Optional[str] = None  # the item must end with it; the date stops before it
    description: Literal["before", "whole"] = "before"
    date: Literal["last", "first"] = "last"  # the date after the separator, or before it ("March 2025: Thing")


class _DatedItems(StrictModel):
    id: str
    end_marks: str
    lead_in: _Pattern
    separators: list[_Separator]


class MilestoneRuleFile(StrictModel):
    version: int
    trailing_marks: _Pattern
    status_flags: list[_FlagPattern]
    status_line: _Pattern
    statuses: list[_Status]
    targets: list[_Pattern]
    target_label: _Label
    workstreams: list[_Workstream]
    pending: _Pattern
    notes: _Pattern
    truncation: _Truncation
    suspect_date_line: _Pattern
    dated_items: _DatedItems


@dataclass(frozen=True)
class StatusFlag:
    """A trailing '(complete)'-style flag: its text as written and what it means."""

    text: str  # "(compete)"
    status: Optional[str]  # "complete", "planned", or None when the word is unknown
    rule_id: Optional[str]
    finding: Optional[_Finding]


@dataclass(frozen=True)
class DateValue:
    """A date text with its status flag split off and its period resolved."""

    date_text: str
    period: Optional[Period]
    flag: Optional[StatusFlag]


@dataclass(frozen=True)
class DatedItem:
    """A milestone stated on one line with its date at the end: 'Thing one – March 2025 (complete)'.
    Offsets are into the item's text as given."""

    description_start: int
    description_end: int
    value: DateValue
    rule_id: str


@dataclass(frozen=True)
class Target:
    """A parsed target line: '5 regions by September 2021 (complete)'."""

    label: str
    value: Optional[float]
    unit: Optional[str]
    subject: Optional[str]
    date: DateValue
    rule_id: str


def _fold(text: str) -> str:
    """Return `text` as status_named compares it (lower case, white space folded), with both forms of
    sigma as one: lower() picks final sigma by context, so a part of a text may lower differently."""
    return " ".join(text.lower().split()).replace("ς", "σ")


def _ascii_inside(outside: Optional[re.Pattern]) -> bytes:
    """Return the ASCII characters (as bytes) that one-character regex `outside` (span_class) does not match:
    those a whole-text match may hold; all of them when `outside` is None."""
    return bytes(c for c in range(128) if outside is None or not outside.match(chr(c)))


class MilestoneRules:
    """Compiled milestone rules with the parsers that interpret them."""

    def __init__(self, data: MilestoneRuleFile):
        i = re.IGNORECASE
        self.data = data
        # Each regex with the characters a match must hold (a bracket, a dash, a comma): a date with no flag holds
        # few of them, so most rules are ruled out without a search.
        self.flag_res = [(f, regex, required_chars(regex))
                         for f, regex in ((f, re.compile(f.pattern, i)) for f in data.status_flags)]
        self.trailing_marks_re = re.compile(data.trailing_marks.pattern)
        self.trailing_marks_needs = required_chars(self.trailing_marks_re)
        self.status_line_re = re.compile(data.status_line.pattern, i)
        # A status line is matched whole: a character it cannot hold (a digit, a comma) rules most paragraphs out.
        self.status_line_outside = span_class(self.status_line_re)
        # The same test for an ASCII text (most paragraphs): the ASCII characters a line may hold, deleted from its
        # bytes in one pass (what is left cannot be in it), not a class search that folds case character by character.
        self.status_line_ascii = _ascii_inside(self.status_line_outside)
        self.status_of = {w.lower(): s for s in data.statuses for w in s.words}
        # The phrases' lengths, longest first: a text's status is found by looking up its prefixes.
        self.status_lengths = sorted({len(w) for w in self.status_of}, reverse=True)
        folded = {_fold(w) for w in self.status_of}
        # For may_name_status: a phrase that holds another adds nothing to it ("completed" holds "complete").
        self.folded_phrases = tuple(sorted(p for p in folded if not any(q != p and q in p for q in folded)))
        self.ascii_phrases = tuple(p for p in self.folded_phrases if p.isascii())  # all an ASCII text can hold
        # A status line's words start with a status phrase, after a few characters at most ('Status: ('): one
        # that names none in as many characters as those and the longest phrase is not read further.
        before = max_solid_before(self.status_line_re, "word")
        solid = [len("".join(w.split())) for w in self.status_of]
        self.status_line_head = None if before is None or not solid or min(solid) == 0 else before + max(solid)
        self.targets = [(t.id, regex, required_chars(regex))
                        for t, regex in ((t, re.compile(t.pattern, i)) for t in data.targets)]
        self.label_re = re.compile(data.target_label.number, i)
        self.quantifiers = sorted((q.lower() for q in data.target_label.quantifiers), key=len, reverse=True)
        # A rule is tried only on a text holding a character it needs (the label's ':' or dash): most do not.
        self.workstreams = [(w, regex, required_chars(regex))
                            for w, regex in ((w, re.compile(w.pattern, i)) for w in data.workstreams)]
        self.pending_re = re.compile(data.pending.pattern, i)
        self.notes_re = re.compile(data.notes.pattern, i)
        self.complete_end_re = re.compile(data.truncation.complete_end)
        self.furniture_re = re.compile(data.truncation.furniture, i)
        self.suspect_date_re = re.compile(data.suspect_date_line.pattern, i)
        self.suspect_date_needs = required_chars(self.suspect_date_re)
        # A date line is a few words: a paragraph with more characters than a match can hold is not one, and is
        # not read by the regex (whose short label and value backtrack over every place a separator might be).
        self.suspect_date_solid = max_solid(self.suspect_date_re)
        items = data.dated_items
        from .structure import structure_rules  # the list markers are the structure rules' item kinds

        kinds = structure_rules().kinds
        self.date_line_re = structure_rules().date_line_re
        self.item_marker_re = re.compile(f"(?:{kinds.list_item.pattern})|(?:{kinds.numbered_item.pattern})")
        self.item_end_re = re.compile(items.end_marks)
        self.lead_in_re = re.compile(items.lead_in.pattern)
        self.separators = [(sep, re.compile(sep.pattern, i)) for sep in items.separators]

    def status_named(self, words: str) -> Optional[_Status]:
        """Return the status whose longest phrase `words` start with ('completed early' → complete), or None."""
        w = " ".join(words.lower().split())
        size = len(w)
        for n in self.status_lengths:  # a phrase must end where a word does
            if n == size or n < size and not w[n].isalnum():
                status = self.status_of.get(w[:n])
                if status is not None:
                    return status
        return None

    def split_status(self, text: str) -> tuple[str, Optional[StatusFlag]]:
        """Return (text without its flag, the flag or None). A flag is looked for in the text as written,
        then without footnote marks and a closing stop ('(complete).', 'March 2022*')."""
        text = text.strip()
        bare = self.trailing_marks_re.sub("", text) if may_hold(self.trailing_marks_needs, text) else text
        found = self._split_status(text)
        if found[1] is None and bare != text:
            found = self._split_status(bare)
        return found if found[1] is not None else (bare, None)

    def _split_status(self, text: str) -> tuple[str, Optional[StatusFlag]]:
        whole_is_date: Optional[bool] = None  # asked once, only when a known_only rule needs it
        for rule, regex, needs in self.flag_res:
            m = regex.search(text) if not needs or may_hold(needs, text) else None
            if not m:
                continue
            status = self.status_named(m.group("word"))
            rest = (text[m.end():] if rule.at == "start" else text[: m.start()]).strip()
            if status is None and (rule.known_only or self.date_of(m.group("word")) is not None):
                continue  # "(2024)" and "(June 2024, complete)" are dates, "- February" a date's part: not flags
            if rule.known_only:
                if whole_is_date is None:
                    whole_is_date = grammar().parse(text) is not None
                if whole_is_date or rule.at == "start" and grammar().parse(rest) is None:
                    continue  # "late 2022" is a date, not a flag
            flag = StatusFlag(m.group("flag").strip(), status.status if status else None,
                              status.id if status else None, status.finding if status else None)
            return rest, flag
        # A status and no date ("Complete"): the words must be a status phrase, not start with one
        # ("Complete the migration" is a description, "Green plans published" no rating).
        status = self.status_exactly(text.rstrip(".")) if text else None
        if status is not None and self.status_line_re.match(text):
            return "", StatusFlag(text, status.status, status.id, status.finding)
        return text, None

    def status_exactly(self, words: str) -> Optional[_Status]:
        """Return the status whose phrase `words` are (any case and spacing), or None."""
        return self.status_of.get(" ".join(words.lower().split()))

    def may_name_status(self, text: str) -> bool:
        """Whether some status phrase occurs in `text`: a cheap first test, since status_named reads
        only words that start with one (and the status line regex is slow on a long paragraph)."""
        if text.isascii():  # no sigma to fold, and no phrase with a mark (a tick) to look for
            folded, phrases = " ".join(text.lower().split()), self.ascii_phrases
        else:
            folded, phrases = _fold(text), self.folded_phrases
        for phrase in phrases:  # a loop, not any(): no generator step per phrase
            if phrase in folded:
                return True
        return False

    def status_line(self, text: str) -> Optional[StatusFlag]:
        """Return the flag of a paragraph that only states a status ('Status: Complete', '(complete)'), else None."""
        text = text.strip()
        if text.isascii():
            if text.encode("ascii").translate(None, self.status_line_ascii):  # a character no status line holds
                return None
        elif not may_span(self.status_line_outside, text):
            return None
        head = text if self.status_line_head is None else text[:solid_cover(text, self.status_line_head)]
        if not self.may_name_status(head):
            return None
        m = self.status_line_re.match(text)
        if m is None:
            return None
        # Under a 'Status:' label or in brackets the words start with a status ('Status: completed early');
        # a bare line must be a status phrase, or a sentence that starts with one is swallowed.
        marked = m.start("flag") > 0 or m.group("flag").lstrip().startswith(("(", "["))
        status = self.status_named(m.group("word")) if marked else self.status_exactly(m.group("word"))
        if status is None:
            return None
        return StatusFlag(m.group("flag").strip(), status.status, status.id, status.finding)

    def date_value(self, text: str) -> DateValue:
        """Return the DateValue of a 'Date:' value such as 'July 2021 (complete)'."""
        date_text, flag = self.split_status(text)
        return DateValue(date_text, grammar().parse(date_text), flag)

    def date_line_value(self, line: str) -> Optional[str]:
        """Return the value of date line `line` ('Date: March 2022' → 'March 2022'; rules/structure.yaml
        kind.date_line), or None when it is no date line (a bare 'Date:' label)."""
        m = self.date_line_re.match(line)
        return m.group("value") if m else None

    def date_of(self, text: str) -> Optional[DateValue]:
        """Return the DateValue of `text` when it is a date the period grammar reads whole, once a status flag
        is split off when it has one ('June 2024, complete'); else None."""
        text = text.strip()
        period = grammar().parse(text) if text else None
        if period is not None:
            return DateValue(text, period, None)
        value = self.date_value(text) if text else None
        return value if value is not None and value.period is not None and value.flag is not None else None

    def target(self, text: str) -> Optional[Target]:
        """Return the Target that line `text` states, or None when it is not a dated target."""
        body, flag = self.split_status(text.strip())
        for rule_id, regex, needs in self.targets:
            m = regex.match(body) if not needs or may_hold(needs, body) else None
            if not m:
                continue
            period = grammar().parse(m.group("date"))
            if period is None or period.is_tbc and not m.group("label"):
                continue
            label = m.group("label").strip()
            value, unit, subject = self.label_parts(label)
            return Target(label, value, unit, subject, DateValue(m.group("date").strip(), period, flag), rule_id)
        return None

    def label_parts(self, label: str) -> tuple[Optional[float], Optional[str], Optional[str]]:
        """Return (value, unit, subject) of a target label: '40%' → (40, percent, None)."""
        m = self.label_re.match(label)
        if m:
            value = float(m.group("value").replace(",", ""))
            unit = "percent" if m.group("percent") else "count"
            return value, unit, (m.group("subject").strip() or None)
        low = label.lower()
        for q in self.quantifiers:
            if low.startswith(q + " "):
                return None, None, label[len(q):].strip() or None
        return None, None, None

    def is_furniture(self, text: str) -> bool:
        """Whether a paragraph is page furniture (a footer: copyright, contact, last reviewed…)."""
        return bool(self.furniture_re.match(text.strip()))

    def breaks_off(self, text: str) -> bool:
        """Whether a paragraph reads as cut off: long enough to be a description, with no closing punctuation,
        not ending with a list item (a list needs no closing stop), and not items that state their dates
        ('Thing one – March 2025')."""
        t = text.rstrip()
        return len(t.split()) >= self.data.truncation.min_words and not self.complete_end_re.search(t) \
            and not self.item_marker_re.match(t.rsplit("\n", 1)[-1]) \
            and not all(self.dated_item(t[a:b]) for a, b in self.items_of(t))

    def suspect_date_label(self, text: str) -> Optional[str]:
        """Return the label of a one-line paragraph that reads as a date line under an unknown label, else None."""
        m = self.suspect_date_re.match(text) if may_hold(self.suspect_date_needs, text) \
            and solid_fits(self.suspect_date_solid, text) else None
        if m is None or self.date_value(m.group("value")).period is None:
            return None
        return m.group("label").strip()

    def split_items(self, text: str) -> tuple[Optional[tuple[int, int]], list[tuple[int, int]]]:
        """Return (lead-in, items) of a paragraph's text, as (start, end) offsets: each list item without its
        marker (with the lines that continue it), else the whole text as one item. The lead-in is the text
        before the first item when it ends with a colon ('We will deliver:', 'By March 2025:'); other text
        before the first item is an item itself (rules: dated_items)."""
        items: list[list[int]] = []
        lead: Optional[list[int]] = None
        pos = 0
        for line in text.split("\n"):
            m = self.item_marker_re.match(line)
            if m:
                items.append([pos + m.end(), pos + len(line)])
            elif items:
                items[-1][1] = pos + len(line)
            elif lead is None:
                lead = [pos, pos + len(line)]
            else:
                lead[1] = pos + len(line)
            pos += len(line) + 1
        if lead is not None and not (items and self.lead_in_re.search(text[lead[0]:lead[1]])):
            items.insert(0, lead)
            lead = None
        trimmed = [(a, a + len(text[a:b].rstrip())) for a, b in items]
        return (tuple(lead) if lead else None), trimmed

    @staticmethod
    def line_spans(text: str) -> list[tuple[int, int]]:
        """Return the (start, end) offsets of each non-blank line of `text`, its outer white space left out."""
        out, pos = [], 0
        for line in text.split("\n"):
            body = line.strip()
            if body:
                start = pos + len(line) - len(line.lstrip())
                out.append((start, start + len(body)))
            pos += len(line) + 1
        return out

    def items_of(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) offsets of the items of a paragraph's text (see split_items)."""
        return self.split_items(text)[1]

    def lead_in_date(self, text: str) -> Optional[DateValue]:
        """Return the date that a lead-in names for the items below it ('By March 2025:', 'Q1 2025/26:'), or None."""
        m = self.lead_in_re.search(text)
        date_text = text[:m.start()].strip() if m else ""
        period = grammar().parse(date_text) if date_text and "\n" not in date_text else None
        return DateValue(date_text, period, None) if period is not None else None

    def undated_item(self, text: str, group: DateValue) -> Optional[DatedItem]:
        """Return an item with no date of its own as due by its lead-in's date (`group`), its status flag its own;
        None when it is only a flag."""
        start, body, flag = self._item_body(text)
        if not body:
            return None
        return DatedItem(start, start + len(body), DateValue(group.date_text, group.period, flag),
                         self.data.dated_items.lead_in.id)

    def _item_body(self, text: str) -> tuple[int, str, Optional[StatusFlag]]:
        """Return (where the body starts in `text`, the item's text without its status flag, the flag)."""
        stripped = text.strip()
        body, flag = self.split_status(stripped)
        # A leading flag comes off the front, a trailing one off the end.
        return len(text) - len(text.lstrip()) + (0 if stripped.startswith(body) else stripped.rfind(body)), body, flag

    def item_text_start(self, text: str) -> int:
        """Return where the text of a paragraph that is one list item starts, after its marker ('• Thing.'
        → 2); 0 for any other paragraph (a list of several items is kept as written)."""
        m = self.item_marker_re.match(text)
        if m is None or "\n" in text and len(self.items_of(text)) > 1:
            return 0
        return m.end()

    def dated_item(self, text: str) -> Optional[DatedItem]:
        """Return the DatedItem that `text` (one item, its list marker left out) states, or None when no
        separator has a date the period grammar reads whole after it (rules: dated_items)."""
        start, body, flag = self._item_body(text)
        if not body:
            return None
        written_end = len(body)
        end_mark = self.item_end_re.search(body)
        body = body[:end_mark.start()] if end_mark else body
        best: Optional[tuple[int, int, _Separator, DateValue]] = None  # (date start, separator start, separator, date)
        for sep, regex in self.separators:
            if sep.date == "last":
                found = self._date_after(sep, regex, body, best[0] if best else len(body) + 1)
                best = found or best
        if best is not None:
            _, sep_start, sep, value = best
            description = (0, written_end if sep.description == "whole" else sep_start)
        else:
            for sep, regex in self.separators:
                m = regex.search(body) if sep.date == "first" else None
                found = self.date_of(body[:m.start()]) if m and m.end() < len(body) else None
                if found is not None:
                    value = found
                    description = (0 if sep.description == "whole" else m.end(), written_end)
                    break
            else:
                return None
        # A flag beside the date ('June 2024 (complete): Thing', 'Thing (June 2024, complete)'), else the item's.
        return DatedItem(start + description[0], start + description[1],
                         DateValue(value.date_text, value.period, value.flag or flag), sep.id)

    def _date_after(self, sep: _Separator, regex: re.Pattern, body: str, before: int):
        """Return (date start, separator start, sep, DateValue) for the leftmost match of `sep` in `body`, left of
        `before` (a date found already), whose rest is a date the grammar reads whole (date_of): the longest date
        that ends the item ('Pilot: 1 April 2025 – 31 March 2026' is a range, not '31 March 2026'); else None."""
        for m in regex.finditer(body):
            if m.end() >= before:
                return None  # a date as long is found already, by a separator listed before this one
            date_text = body[m.end():]
            if sep.closing:
                if not date_text.endswith(sep.closing):
                    return None
                date_text = date_text[:-len(sep.closing)]
            value = self.date_of(date_text) if m.start() > 0 else None
            if value is not None:
                return m.end(), m.start(), sep, value
        return None

    def workstream(self, description: str) -> Optional[str]:
        """Return the short label a description starts with (the first workstream rule that fits), or None."""
        for rule, regex, needs in self.workstreams:
            m = regex.match(description) if may_hold(needs, description) else None
            if m and len(m.group("label").split()) <= rule.max_words:
                return m.group("label").strip()
        return None


class DocumentReader:
    """The milestone rules' readings for one document: each distinct date value, date line or target line is
    read once, since a plan repeats them ("March 2022" forty times) and a stage asks for a line more than once."""

    def __init__(self, rules: MilestoneRules):
        self.rules = rules
        self.date_value: Callable[[str], DateValue] = cache(rules.date_value)
        self.target: Callable[[str], Optional[Target]] = cache(rules.target)
        self.date_line_value: Callable[[str], Optional[str]] = cache(rules.date_line_value)


def _check(rules: MilestoneRuleFile, problems: list[str]) -> None:
    pats = {f.id: f.pattern for f in rules.status_flags}
    pats.update({rules.trailing_marks.id: rules.trailing_marks.pattern, rules.status_line.id: rules.status_line.pattern})
    pats.update({rules.pending.id: rules.pending.pattern, rules.notes.id: rules.notes.pattern,
                 rules.target_label.id: rules.target_label.number,
                 rules.truncation.id: rules.truncation.complete_end,
                 rules.truncation.id + ".furniture": rules.truncation.furniture,
                 rules.suspect_date_line.id: rules.suspect_date_line.pattern,
                 rules.dated_items.id + ".end_marks": rules.dated_items.end_marks,
                 rules.dated_items.lead_in.id: rules.dated_items.lead_in.pattern})
    pats.update({s.id: s.pattern for s in rules.dated_items.separators})
    pats.update({t.id: t.pattern for t in rules.targets})
    pats.update({w.id: w.pattern for w in rules.workstreams})
    check_regexes(pats, problems, "milestones", re.IGNORECASE)  # most are matched ignoring case
    unique_ids(list(pats) + [s.id for s in rules.statuses], problems, "milestones")
    for s in rules.statuses:
        if s.status not in ("complete", "planned"):
            problems.append(f"{s.id}: status must be complete or planned, not {s.status!r}")
        if s.finding and s.finding.severity not in ("error", "warning", "info"):
            problems.append(f"{s.id}: bad severity {s.finding.severity!r}")
    words = [w.lower() for s in rules.statuses for w in s.words]
    dup = sorted({w for w in words if words.count(w) > 1})
    if dup:
        problems.append(f"statuses: words listed twice: {dup}")


@lru_cache(maxsize=None)
def milestone_rules() -> MilestoneRules:
    """Return the process-wide compiled milestone rules."""
    return MilestoneRules(load_ruleset("milestones.yaml", MilestoneRuleFile, _check))
