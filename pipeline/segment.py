"""Segment stage: Document → paragraphs (with kinds) and the section tree.

Paragraphs are runs of non-blank lines. Their kinds come from rules/structure.yaml; the
tree comes from structure, not names: a theme heading matches the theme rule, a
sub-section heading the sub-section vocabulary, and a programme is a heading directly
followed by a sub-section heading. Inside a milestone sub-section, short lines are
milestone text, not headings. After the first programme, an end-matter heading (an annex, a
glossary, a document history) opens an end_matter section that holds all below it until the next
theme heading.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import accumulate, compress
from typing import Optional

from .document import Document, Finding, InputError
from .milestone_rules import DocumentReader, milestone_rules
from .models import ParagraphRow, SectionRow, validated
from .regex_shape import may_hold
from .structure import StructureRules, Subsection, structure_rules


@dataclass(slots=True)
class RawParagraph:
    """A run of non-blank lines, trimmed, before it is given a kind and a section."""

    text: str
    char_start: int
    char_end: int
    first_line: int  # 0-based index into the normalised text's lines
    last_line: int
    lines: tuple[str, ...]
    hint: Optional[str]
    hint_rule: Optional[str]
    locator: Optional[str]
    date_kind: Optional[str]  # "dates_header", "date_line", "date_label" (a bare 'Date:') or "date_value" (below one)


def date_kind(line: str, rules: StructureRules) -> Optional[str]:
    """Return "dates_header", "date_line" or "date_label" (a bare 'Date:') when trimmed `line` is one, else None."""
    if line and not rules.date_kind_starts[line[0]]:  # no date kind starts so: most lines, without a regex
        return None
    if rules.date_kind_re is not None:
        m = rules.date_kind_re.match(line)
        return None if m is None else m.lastgroup
    if rules.dates_header_re.match(line):
        return "dates_header"
    if rules.date_line_re.match(line):
        return "date_line"
    if rules.date_label_re.match(line):
        return "date_label"
    return None


@dataclass(frozen=True)
class Segmented:
    """The output of the segment stage."""

    paragraphs: tuple[ParagraphRow, ...]
    sections: tuple[SectionRow, ...]
    findings: tuple[Finding, ...] = ()
    # The milestone rules' readings of this document's lines made while segmenting (target lines):
    # the milestone extractor asks for the same ones.
    reader: Optional[DocumentReader] = field(default=None, compare=False, repr=False)


def split_paragraphs(doc: Document, rules: StructureRules) -> list[RawParagraph]:
    """Return the document's runs of non-blank lines, each trimmed of outer white space.

    A 'Date:' or 'Dates:' line, or a bare 'Date:' label, is always a paragraph of its own, even
    when no blank line separates it from its description or the next block.
    """
    text, origins = doc.text, doc.origins
    lines = text.split("\n")
    # Line i starts at offset ends_before[i] + i (the newlines before it); only non-blank lines are walked.
    ends_before = list(accumulate(map(len, lines), initial=0))
    stripped = list(map(str.strip, lines))
    nonblank = list(compress(range(len(stripped)), stripped))  # the lines' indexes, in C: no loop step per line
    # The runs as (first line, last line, date kind of a one-line run), then the paragraphs.
    runs: list[tuple[int, int, Optional[str]]] = []
    first = previous = -2  # the open run's first line and the last non-blank line before this one (-2: none)
    kind: Optional[str] = None  # date kind of the run's last line
    starts = rules.date_kind_starts  # date_kind's own first test, without a call for most lines
    if rules.date_kind_re is not None:  # date_kind inline: one match for each distinct line that passes its first test
        match = rules.date_kind_re.match
        known: dict[str, Optional[str]] = {}  # a plan repeats its date lines and headings ('Date: March 2022')
        line_kinds = [None if not starts[line[0]] else known[line] if line in known
                      else known.setdefault(line, None if (m := match(line)) is None else m.lastgroup)
                      for line in filter(None, stripped)]
    else:
        line_kinds = [date_kind(stripped[i], rules) if starts[stripped[i][0]] else None for i in nonblank]
    # A blank line or a date line ends a run, and so does a date line just above. An HTML block element
    # starts a new paragraph even without a blank line; so does a Markdown heading line (no locator),
    # and the line after it.
    if origins is None:  # plain text: the first three tests alone
        for i, line_kind in zip(nonblank, line_kinds):
            if previous != i - 1 or line_kind is not None or kind is not None:
                if first >= 0:
                    runs.append((first, previous, kind))
                first = i
            kind, previous = line_kind, i
    else:
        for i, line_kind in zip(nonblank, line_kinds):
            if first >= 0 and (previous != i - 1 or line_kind is not None or kind is not None or (
                    origins[i].locator != origins[i - 1].locator and origins[i].hint != "list"
                    if origins[i].locator is not None else "heading" in (origins[i].hint, origins[i - 1].hint))):
                runs.append((first, previous, kind))
                first = -1
            if first < 0:
                first = i
            kind, previous = line_kind, i
    if first >= 0:
        runs.append((first, previous, kind))
    out: list[RawParagraph] = []
    for first, last, kind in runs:
        head, tail = lines[first], lines[last]
        start = ends_before[first] + first + (len(head) - len(head.lstrip()))
        end = ends_before[last] + last + len(tail.rstrip())
        if origins is None:  # plain text: lines have no tag and no locator
            if first == last:  # one line (most paragraphs): its text is the trimmed line
                out.append(RawParagraph(stripped[first], start, end, first, last, (head,), None, None, None, kind))
            else:
                out.append(RawParagraph(text[start:end], start, end, first, last, tuple(lines[first:last + 1]), None,
                                        None, None, None))
        else:
            head_origin = origins[first]
            out.append(RawParagraph(text[start:end], start, end, first, last, tuple(lines[first:last + 1]),
                                    head_origin.hint, head_origin.hint_rule,
                                    common_locator([o.locator for o in origins[first:last + 1]]),
                                    kind if first == last else None))
    return out


def common_locator(locators: list[Optional[str]]) -> Optional[str]:
    """Return the nearest element holding every line of a paragraph: the lines' own, or their closest ancestor."""
    if not locators or any(loc is None for loc in locators):
        return None
    paths = [loc.split(" > ") for loc in dict.fromkeys(locators)]
    common: list[str] = []
    for steps in zip(*paths):
        if any(step != steps[0] for step in steps):
            break
        common.append(steps[0])
    return " > ".join(common) or None


def split_inline_dates(paras: list[RawParagraph], rules: StructureRules) -> list[RawParagraph]:
    """Return the paragraphs with a date line that ends a description's last line split off as its own.

    The split comes after a sentence end (kind.inline_date_line) where the rest of the line is a
    whole date line: "Solution agreed. Date: October 2021". Each part spans its own text.
    """
    out: list[RawParagraph] = []
    search, needs = rules.inline_date_re.search, rules.inline_date_needs
    for p in paras:
        # A date paragraph is left as it is: its last line is not looked at.
        m = search(last) if p.date_kind is None and may_hold(needs, last := p.lines[-1].rstrip()) else None
        if m is None or not reads_as_date(last[m.end("gap"):], rules):
            out.append(p)
            continue
        cut, rest = m.start("gap"), m.end("gap")
        line_offset = p.char_end - len(last)  # where the last line starts in the text
        out.append(replace(p, text=p.text[:line_offset + cut - p.char_start], char_end=line_offset + cut,
                           lines=p.lines[:-1] + (p.lines[-1][:cut],)))
        out.append(replace(p, text=last[rest:], char_start=line_offset + rest, first_line=p.last_line,
                           lines=(last[rest:],), date_kind="date_line"))
    return out


def reads_as_date(date_line: str, rules: StructureRules) -> bool:
    """Whether the value of `date_line` is a date, or a status, that the milestone rules read."""
    value = milestone_rules().date_value(rules.date_line_re.match(date_line).group("value"))
    return value.period is not None or value.flag is not None


def mark_date_values(paras: list[RawParagraph], reader: DocumentReader) -> list[RawParagraph]:
    """Return the paragraphs with the one below each bare 'Date:' label marked as its value ("date_value")
    when it is one line that the period grammar reads ('30 September 2024 (complete)'); and so the one
    below a 'Dates:' header when it is such a line and no target, and no such line follows it.

    A page may set the label and its value in two blocks (dt/dd, two p), a plain copy on two
    lines. Both stay paragraphs of their own; the milestone extractor reads them as one date
    line. A label with no such value below it is a date line with no date (reported there).
    A target list of one bare date ('Dates:', then 'March 2022') is the milestone's date; two
    bare dates or more are left as they are (which one is due is not said).
    """
    out = list(paras)
    for i in range(len(out) - 1):
        p, nxt = out[i], out[i + 1]
        if p.date_kind in ("date_label", "dates_header") and bare_date(nxt, reader) \
                and (p.date_kind == "date_label" or reader.target(nxt.text) is None
                     and not (i + 2 < len(out) and bare_date(out[i + 2], reader))):
            out[i + 1] = replace(nxt, date_kind="date_value")
    return out


def bare_date(p: RawParagraph, reader: DocumentReader) -> bool:
    """Whether `p` is one line, of no date kind, that the period grammar reads whole (a status flag aside)."""
    return p.date_kind is None and len(p.lines) == 1 and reader.date_value(p.text).period is not None


def split_target_lists(doc: Document, paras: list[RawParagraph], rules: StructureRules,
                       reader: DocumentReader) -> list[RawParagraph]:
    """Return the paragraphs with each target list after a 'Dates:' header split into one paragraph per target.

    Targets usually stand one to a paragraph; a page may list them (ul/li), and a hand-made
    copy may set them on consecutive lines or with bullets. A paragraph in that place whose
    every line, its bullet left out, is a dated target becomes one paragraph per line, each
    spanning the target's text without the bullet.
    """
    out: list[RawParagraph] = []
    in_targets = False
    for p in paras:
        if p.date_kind == "dates_header":
            in_targets = True
            out.append(p)
            continue
        if not in_targets:
            out.append(p)
            continue
        offset = p.char_start - (len(p.lines[0]) - len(p.lines[0].lstrip()))
        parts: list[RawParagraph] = []
        for k, line in enumerate(p.lines):
            bullet = rules.list_item_re.match(line)
            body_start = bullet.end() if bullet else len(line) - len(line.lstrip())
            body = line[body_start:].rstrip()
            if not body or reader.target(body) is None:
                parts = []
                break
            origin = doc.origin(p.first_line + k)
            start = offset + body_start
            parts.append(RawParagraph(body, start, start + len(body), p.first_line + k, p.first_line + k, (body,),
                                      origin.hint, origin.hint_rule, origin.locator, date_kind(body, rules)))
            offset += len(line) + 1
        if parts and (len(parts) > 1 or parts[0].char_start != p.char_start):
            out.extend(parts)
        else:
            out.append(p)
            in_targets = bool(parts)
    return out


def base_kind(p: RawParagraph, rules: StructureRules) -> tuple[str, str]:
    """Return (kind, rule_id) from the paragraph alone; target lines need context and come later."""
    k = rules.kinds
    if p.date_kind is not None:
        if p.date_kind == "dates_header":
            return "dates_header", k.dates_header.id
        if p.date_kind == "date_line":
            return "date_line", k.date_line.id
        if p.date_kind in ("date_label", "date_value"):
            return "date_line", k.date_label.id
    lines, text = p.lines, p.text
    head = lines[0]
    # The first line alone settles most paragraphs: it is seldom a list item (its first character says so for most).
    if not head or rules.item_starts[head[0]]:
        numbered = rules.numbered_item_re.match
        # Bullet or numbered, in one match a line when the two rules combine.
        item = rules.item_re.match if rules.item_re is not None else \
            lambda line: rules.list_item_re.match(line) or numbered(line)
        if item(head) and all(item(line) for line in lines[1:]):
            if len(lines) == 1 and numbered(head):
                if rules.looks_like_heading(rules.heading_text(text)) and (
                        rules.names_heading(text) or rules.end_matter_of_words(rules.words(text)) is not None):
                    return "heading", rules.shape.id  # a numbered theme, sub-section or end-matter heading: "1. Digitise - overview"
                return "numbered_item", k.numbered_item.id
            return "list", k.list_item.id
    if p.hint is not None:  # a page's heading or list item, or a Markdown heading, known from its markup
        return ("heading" if p.hint == "heading" else "list"), p.hint_rule or "kind.text"
    if len(lines) == 1:
        if len(text) > rules.shape.max_chars + 1 and not text[0].isspace() and not text[-1].isspace():
            return "text", "kind.text"  # too long for either heading test below, as its trimmed text is itself
        if rules.looks_like_heading(text):
            return "heading", rules.shape.id
        # The name first: most lines with a closing colon ('NHSX will:') name nothing, and are shaped as a heading.
        if len(text) <= rules.shape.max_chars + 1 and rules.has_closing(text) and rules.names_heading(text) \
                and rules.looks_like_heading(rules.heading_text(text)):
            return "heading", rules.shape.id  # "Background:": a named heading with a closing colon
    return "text", "kind.text"


def assign_kinds(paras: list[RawParagraph], rules: StructureRules, reader: DocumentReader) -> list[tuple[str, str]]:
    """Return (kind, rule_id) per paragraph; lines after 'Dates:' that parse as targets become target_line."""
    kinds = [base_kind(p, rules) for p in paras]
    # Only the paragraphs below a 'Dates:' header are walked: each header's run of targets ends at the first
    # paragraph that is none, or at the next header (whose own run follows).
    for h in [i for i, (kind, _) in enumerate(kinds) if kind == "dates_header"]:
        for i in range(h + 1, len(paras)):
            p = paras[i]
            if kinds[i][0] == "dates_header" or len(p.lines) != 1:
                break
            target = reader.target(p.text)
            if target is None:
                break
            kinds[i] = ("target_line", target.rule_id)
    return kinds


class _Tree:
    """Builds SectionRows as headings are met; tracks the open theme, programme and sub-section."""

    def __init__(self, doc: Document, rules: StructureRules):
        self.doc, self.rules = doc, rules
        self.rows: list[dict] = []
        self.theme: Optional[dict] = None
        self.programme: Optional[dict] = None
        self.subsection: Optional[dict] = None
        self.preamble: Optional[dict] = None
        self.end_matter: Optional[dict] = None
        self.had_programme = False  # end matter follows programmes: before the first, a heading is front matter
        self.heading: Optional[dict] = None
        self.root = self.open("document", 0, None, doc.title, None, "doc.root")

    def open(self, kind: str, level: int, parent: Optional[dict], title: str, para_id: Optional[str], rule_id: str,
             **names) -> dict:
        theme = names.get("theme", parent["theme"] if parent else None)
        programme = names.get("programme", parent["programme"] if parent and kind != "theme" else None)
        parts = [] if parent is None or parent["kind"] == "document" else [parent["path"]]
        label = theme if kind == "theme" else title
        row = dict(doc_id=self.doc.doc_id, section_id="s%04d" % len(self.rows), parent_id=parent["section_id"] if parent else None,
                   level=level, kind=kind, title=title, theme=theme, programme=programme,
                   path=" > ".join(parts + [label]) if parent is not None else title,
                   paragraph_id=para_id, rule_id=rule_id)
        self.rows.append(row)
        return row

    def current(self) -> dict:
        return self.heading or self.subsection or self.programme or self.theme or self.end_matter or self.preamble \
            or self.root


def build_tree(doc: Document, paras: list[RawParagraph], kinds: list[tuple[str, str]], rules: StructureRules,
               themes_by_structure: bool = False):
    """Return (section rows as dicts, section of each paragraph, final kinds).

    With `themes_by_structure`, a heading that programmes follow is a theme though it does not
    read as one (rules: heading.theme_by_structure).
    """
    tree = _Tree(doc, rules)
    kinds = list(kinds)
    owner: list[dict] = []
    # The title, and the 'Published' line when it follows closely, belong to the document itself.
    header_end = next((j for j in range(min(3, len(paras))) if rules.published_re.match(paras[j].text)), 0)
    # Each heading's words and sub-section, once: a heading is asked both for itself and as the next one's successor.
    # A plan repeats its sub-section headings ('Background' forty times): each distinct text is read once.
    words_of: dict[str, str] = {}
    heading_words = [(words_of[p.text] if p.text in words_of else words_of.setdefault(p.text, rules.words(p.text)))
                     if kind == "heading" else None for p, (kind, _) in zip(paras, kinds)]
    sub_of: dict[str, Optional[Subsection]] = {}
    subs = [(sub_of[w] if w in sub_of else sub_of.setdefault(w, rules.subsection_of_words(w)))
            if w is not None else None for w in heading_words]
    # A heading that names a sub-section is none of the end matter (and most headings do: no match for them).
    ends = [rules.end_matter_of_words(w) if w is not None and sub is None else None for w, sub in zip(heading_words, subs)]
    seen_subs: set[str] = set()  # the sub-sections of the open programme
    current: Optional[dict] = None  # tree.current(), asked again only after a heading, which may change it
    for i, p in enumerate(paras):
        kind, rule_id = kinds[i]
        if i <= header_end:
            owner.append(tree.root)
            continue
        if kind in ("text", "numbered_item") and tree.theme is not None and len(p.lines) == 1:
            # A long, numbered or question-like programme heading, known by the sub-section right below
            # it; the open programme must have that sub-section already (else it is that programme's text).
            # Only a sub-section heading right below can be `below`: no scan ahead for the others.
            below = subs[i + 1] if i + 1 < len(subs) and subs[i + 1] is not None \
                and _opens_through(i + 1, kinds, subs) else None
            if below is not None and (tree.programme is None or below.id in seen_subs) \
                    and rules.may_head_programme(p.text):
                kind = "heading"
                kinds[i] = (kind, rules.programme.id)
        if kind == "heading":
            current = None
            pid = "p%04d" % (i + 1)
            theme = rules.theme_of_words(heading_words[i] if heading_words[i] is not None else rules.words(p.text))
            sub = subs[i]
            theme_rule = rules.theme.id
            in_milestones = tree.subsection is not None and tree.subsection.get("holds_milestones")
            # A theme comes before a theme's first programme or after a programme's milestones: inside
            # Background or Delivery approach a heading is a small heading. In a milestone sub-section a
            # short line before the next programme is more likely the programme's last words
            # ("Commitments will be available in Q3"): a theme there needs text after it.
            if theme is None and themes_by_structure and sub is None and (tree.programme is None or in_milestones):
                in_programme = tree.programme is not None
                min_intro = 1 if in_milestones and p.hint != "heading" else 0
                intro = _programme_follows(i, paras, kinds, subs, rules, in_programme, seen_subs)
                if intro is not None and intro >= min_intro \
                        and not _opens_programme(i, paras, kinds, subs, rules, in_programme, seen_subs):
                    theme, theme_rule = rules.heading_text(p.text), rules.theme_by_structure.id
            # "Data platform overview" followed by "Background" is a programme, not a theme.
            if theme is not None and not (tree.theme is not None and i + 1 < len(subs) and subs[i + 1] is not None):
                tree.theme = tree.open("theme", 1, tree.root, p.text, pid, theme_rule, theme=theme)
                tree.programme = tree.subsection = tree.heading = tree.preamble = tree.end_matter = None
                owner.append(tree.theme)
                continue
            if ends[i] is not None and tree.had_programme \
                    and _opens_end_matter(i, paras, kinds, heading_words, subs, ends, rules, in_milestones):
                tree.end_matter = tree.open("end_matter", 1, tree.root, p.text, pid, ends[i])
                tree.theme = tree.programme = tree.subsection = tree.heading = None
                owner.append(tree.end_matter)
                continue
            if tree.theme is not None and sub is None \
                    and _opens_programme(i, paras, kinds, subs, rules, tree.programme is not None, seen_subs):
                title = rules.heading_text(p.text)
                tree.programme = tree.open("programme", 2, tree.theme, title, pid, rules.programme.id, programme=title)
                tree.had_programme = True
                tree.subsection = tree.heading = None
                seen_subs = set()
                owner.append(tree.programme)
                continue
            in_milestones = tree.subsection is not None and tree.subsection.get("holds_milestones")
            if sub is not None and in_milestones and not sub.holds_milestones \
                    and _dates_before_next_section(i, paras, kinds, heading_words, subs, ends, rules):
                sub = None  # 'Next steps' with milestones below it: a small heading of the milestone sub-section
            if sub is not None and tree.programme is not None:
                tree.subsection = tree.open("subsection", 3, tree.programme, p.text, pid, sub.id)
                tree.subsection["holds_milestones"] = sub.holds_milestones
                tree.heading = None
                seen_subs.add(sub.id)
                owner.append(tree.subsection)
                continue
            if in_milestones and p.hint != "heading":
                kinds[i] = ("text", "kind.text")  # a short milestone description, not a heading
            elif tree.end_matter is not None:
                tree.heading = tree.open("heading", 2, tree.end_matter, p.text, pid, rules.shape.id)
                owner.append(tree.heading)
                continue
            elif tree.theme is None:
                tree.preamble = tree.open("preamble", 1, tree.root, p.text, pid, "heading.preamble")
                owner.append(tree.preamble)
                continue
            else:
                parent = tree.subsection or tree.programme or tree.theme
                tree.heading = tree.open("heading", parent["level"] + 1, parent, p.text, pid, rules.shape.id)
                owner.append(tree.heading)
                continue
        if current is None:
            current = tree.current()
        owner.append(current)
    return tree.rows, owner, kinds


_INTRO_KINDS = ("text", "list", "numbered_item")


def _dates_before_next_section(i: int, paras: list[RawParagraph], kinds: list[tuple[str, str]], heading_words: list,
                               subs: list, ends: list, rules: StructureRules) -> bool:
    """Whether a date line follows heading `i` before the next heading that opens a section: a sub-section,
    theme or end-matter heading, or a heading with a sub-section heading right below it (a programme's)."""
    for j in range(i + 1, len(paras)):
        if kinds[j][0] in ("date_line", "dates_header"):
            return True
        if heading_words[j] is not None and (subs[j] is not None or ends[j] is not None
                                             or rules.theme_of_words(heading_words[j])
                                             or j + 1 < len(subs) and subs[j + 1] is not None):
            return False
    return False


def _opens_end_matter(i: int, paras: list[RawParagraph], kinds: list[tuple[str, str]], heading_words: list,
                      subs: list, ends: list, rules: StructureRules, in_milestones: bool) -> bool:
    """Whether end-matter heading `i` (rules: headings.end_matter) opens end matter.

    Not when a sub-section heading follows it before the next theme or end-matter heading: the
    programme goes on below it ('References' inside a Background). Nor, in a milestone sub-section,
    when a date line follows it before then, directly (a milestone's one-word description) or after
    text: milestones go on below it, so it is a small heading or a description, and end matter would
    drop them. End matter that holds dates (a document history) is kept only by a date line directly
    below its heading: its entries below are dated.
    """
    dates = ("date_line", "dates_header")
    if in_milestones and i + 1 < len(paras) and kinds[i + 1][0] in dates:
        return False
    any_date_keeps = in_milestones and ends[i] not in rules.dated_end_matter
    for j in range(i + 1, len(paras)):
        if any_date_keeps and kinds[j][0] in dates:
            return False
        if heading_words[j] is None:
            continue
        if ends[j] is not None or rules.theme_of_words(heading_words[j]):
            return True
        if subs[j] is not None:
            return False
    return True


def _sub_ahead(i: int, paras: list[RawParagraph], kinds: list[tuple[str, str]], subs: list, max_intro: int,
               rules: StructureRules):
    """Return (sub-section, intro count) when the next heading after paragraph `i`, past at most
    `max_intro` text or list paragraphs, names a sub-section; else None.

    None too when the paragraph just above that heading could head the programme itself: a
    numbered or long programme heading is not an introduction.
    """
    for n, j in enumerate(range(i + 1, min(len(paras), i + 2 + max_intro))):
        kind = kinds[j][0]
        if kind == "heading":
            if subs[j] is None or n and len(paras[j - 1].lines) == 1 and rules.may_head_programme(paras[j - 1].text):
                return None
            return (subs[j], n) if _opens_through(j, kinds, subs) else None
        if kind not in _INTRO_KINDS:
            return None
    return None


def _opens_through(j: int, kinds: list[tuple[str, str]], subs: list) -> bool:
    """Whether sub-section heading `j`, or one of the sub-section headings that follow it before any other
    heading, may show that the heading above them opens a programme (rules: opens_programme). 'Objectives'
    in a plan's preamble, above a heading that is no sub-section, is no programme's."""
    for k in range(j, len(kinds)):
        if kinds[k][0] != "heading":
            continue
        if subs[k] is None:
            return False
        if subs[k].opens_programme:
            return True
    return False


def _opens_programme(i: int, paras: list[RawParagraph], kinds: list[tuple[str, str]], subs: list,
                     rules: StructureRules, in_programme: bool, seen_subs: set[str]) -> bool:
    """Whether paragraph `i` heads a programme: the next heading names a sub-section.

    Directly below, that makes a programme. After introductory paragraphs it does only when no
    programme is open or the open one already has that sub-section: otherwise the paragraph is
    a small heading inside the open programme's sub-section.
    """
    ahead = _sub_ahead(i, paras, kinds, subs, rules.programme.max_intro_paragraphs, rules)
    if ahead is None:
        return False
    sub, n_intro = ahead
    return n_intro == 0 or not in_programme or sub.id in seen_subs


def _programme_follows(i: int, paras: list[RawParagraph], kinds: list[tuple[str, str]], subs: list,
                       rules: StructureRules, in_programme: bool, seen_subs: set[str]) -> Optional[int]:
    """Return how many paragraphs of text stand between paragraph `i` and the next heading when that
    heading opens a programme (judged as _opens_programme judges it, from the open programme's
    sub-sections), within a few paragraphs; else None."""
    for n, j in enumerate(range(i + 1, min(len(paras), i + 2 + rules.theme_by_structure.max_intro_paragraphs))):
        kind = kinds[j][0]
        if kind == "heading":
            opens = subs[j] is None and _opens_programme(j, paras, kinds, subs, rules, in_programme, seen_subs)
            return n if opens else None
        if kind not in _INTRO_KINDS:
            return None
    return None


def segment(doc: Document) -> Segmented:
    """Return the paragraphs and section tree of `doc`; raise InputError when it has no plan structure."""
    rules = structure_rules()
    reader = DocumentReader(milestone_rules())
    paras = split_target_lists(doc, mark_date_values(split_inline_dates(split_paragraphs(doc, rules), rules), reader),
                               rules, reader)
    if not paras:
        raise InputError(doc.source_file, "no text")
    kinds = assign_kinds(paras, rules, reader)
    sections, owner, tree_kinds = build_tree(doc, paras, kinds, rules)
    findings: tuple[Finding, ...] = ()
    if not any(s["kind"] in ("programme", "theme") for s in sections):
        sections, owner, tree_kinds = build_tree(doc, paras, kinds, rules, themes_by_structure=True)
        if any(s["kind"] == "programme" for s in sections):
            findings = (Finding("warning", "themes_by_structure",
                                "no heading reads as a theme (rules/structure.yaml heading.theme); the themes are "
                                "the headings that programmes follow", rule_id=rules.theme_by_structure.id),)
    kinds = tree_kinds
    if not any(s["kind"] == "programme" for s in sections):
        raise InputError(doc.source_file, "no recognisable plan structure (no programme with Background / "
                                          "Delivery approach / Commitment milestones sub-sections under a theme)")
    doc_id, origins = doc.doc_id, doc.origins
    # The raw lines as Document.raw_lines gives them, without a call per paragraph: plain text's line i is raw line i + 1.
    # printf-style ids: a third cheaper than a format spec in an f-string, for the same text.
    fields = [{
        "doc_id": doc_id, "paragraph_id": "p%04d" % i, "section_id": sec["section_id"], "sequence": i,
        "kind": kind, "text": p.text, "char_start": p.char_start, "char_end": p.char_end,
        "line_start": p.first_line + 1 if origins is None else origins[p.first_line].line_start,
        "line_end": p.last_line + 1 if origins is None else origins[p.last_line].line_end,
        "source_locator": p.locator, "rule_id": rule_id,
    } for i, p, (kind, rule_id), sec in zip(range(1, len(paras) + 1), paras, kinds, owner)]
    para_rows = validated(ParagraphRow, fields)
    return Segmented(tuple(para_rows), tuple(section_rows(sections, fields, owner)), findings, reader)


def section_rows(sections: list[dict], paras: list[dict], owner: list[dict]) -> list[SectionRow]:
    """Return SectionRows with spans covering each section's subtree; paragraph `paras[i]` (its fields)
    belongs to section `owner[i]`."""
    # Each section's own span [char_start, char_end, line_start, line_end], widened paragraph by paragraph.
    spans: dict[str, list[int]] = {}
    # A section's paragraphs mostly follow one another: a run of them is widened in local variables, then
    # folded into the section's span (a call or a list store per paragraph costs more than the comparisons).
    section_id = None
    for p, sec in zip(paras, owner):
        if sec["section_id"] != section_id:
            if section_id is not None:
                _fold_span(spans, section_id, char_start, char_end, line_start, line_end)
            section_id = sec["section_id"]
            char_start, char_end, line_start, line_end = p["char_start"], p["char_end"], p["line_start"], p["line_end"]
            continue
        if p["char_start"] < char_start:
            char_start = p["char_start"]
        if p["char_end"] > char_end:
            char_end = p["char_end"]
        if p["line_start"] < line_start:
            line_start = p["line_start"]
        if p["line_end"] > line_end:
            line_end = p["line_end"]
    if section_id is not None:
        _fold_span(spans, section_id, char_start, char_end, line_start, line_end)
    index = {s["section_id"]: i for i, s in enumerate(sections)}
    # A section is opened after its parent, so folding the sections in reverse order into their
    # parents gives each one its whole subtree before it is folded into its own parent.
    for i in reversed(range(len(sections))):
        parent_id, span = sections[i]["parent_id"], spans.get(sections[i]["section_id"])
        if parent_id is None or span is None:
            continue
        j = index[parent_id]
        assert j < i, "a section is opened after its parent"
        parent_span = spans.get(parent_id)
        if parent_span is None:
            spans[parent_id] = list(span)
        else:
            _widen(parent_span, *span)
    rows = []
    for s in sections:
        cs, ce, ls, le = spans[s["section_id"]]
        row = dict(s, char_start=cs, char_end=ce, line_start=ls, line_end=le)
        row.pop("holds_milestones", None)  # the tree's own mark, not a column
        rows.append(row)
    return validated(SectionRow, rows)


def _fold_span(spans: dict[str, list[int]], section_id: str, char_start: int, char_end: int, line_start: int,
               line_end: int) -> None:
    """Widen the span of `section_id` in `spans` to cover the span given (or start it with that span)."""
    span = spans.get(section_id)
    if span is None:
        spans[section_id] = [char_start, char_end, line_start, line_end]
    else:
        _widen(span, char_start, char_end, line_start, line_end)


def _widen(span: list[int], char_start: int, char_end: int, line_start: int, line_end: int) -> None:
    """Widen `span` ([char_start, char_end, line_start, line_end]) in place to cover the other span given."""
    if char_start < span[0]:
        span[0] = char_start
    if char_end > span[1]:
        span[1] = char_end
    if line_start < span[2]:
        span[2] = line_start
    if line_end > span[3]:
        span[3] = line_end
