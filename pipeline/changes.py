"""Compare stage: two versions of a plan → milestone_changes, programme_changes and findings.

Matching is one-to-one and global (a milestone may move to another programme), in three
steps, all driven by rules/diff.yaml:
  1. milestones, without the programme bonus: description similarity plus the
     same-description, same-due and same-workstream bonuses;
  2. programmes, by the milestones step 1 kept between them, their text and their names;
  3. milestones again, now with the same-programme bonus (renames followed).
Ambiguous matches become warnings located in the new version. Pure: rows in, rows out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from .diff_rules import DiffRules, diff_rules
from .document import Finding
from .matching import Rival, assign, rivals
from .milestones import description_key, slug
from .models import DocumentRow, MilestoneChangeRow, MilestoneRow, ProgrammeChangeRow, ProgrammeRow, QualityRow
from .series import group_series, series_findings
from .similarity import TextSet, long_text_words, similarity_matrix, words


@dataclass(frozen=True)
class Version:
    """One version of a plan: its document row, milestones and programmes (reading order)."""

    document: DocumentRow
    milestones: tuple[MilestoneRow, ...]
    programmes: tuple[ProgrammeRow, ...]


@dataclass
class Comparison:
    """The rows comparing one version with the next, and findings as (doc_id, Finding)."""

    milestone_changes: list[MilestoneChangeRow] = field(default_factory=list)
    programme_changes: list[ProgrammeChangeRow] = field(default_factory=list)
    findings: list[tuple[str, Finding]] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    """A Version with the keys and word sets its comparisons read, worked out once: a version is
    in two pairs (as the new side, then as the old), and each key is read for many pairs of rows."""

    version: Version
    description_keys: tuple[str, ...]  # description_key() of each milestone, in reading order
    due_keys: tuple
    workstream_keys: tuple[Optional[str], ...]
    programme_name_slugs: tuple[str, ...]  # slug() of each milestone's programme name
    milestone_words: TextSet  # of the milestones' descriptions
    programme_slugs: tuple[str, ...]
    programme_texts: TextSet  # of the programmes' section texts
    programme_names: TextSet
    milestones_per_programme: Counter  # by programme_id


def prepare(version: Version, rules: DiffRules) -> Prepared:
    """Return `version` with what comparing it needs (see Prepared)."""
    ms, ps = version.milestones, version.programmes
    return Prepared(
        version=version,
        description_keys=tuple(description_key(m.description) for m in ms),
        due_keys=tuple(_due_key(m) for m in ms),
        workstream_keys=tuple(_workstream_key(m) for m in ms),
        programme_name_slugs=tuple(slug(m.programme) for m in ms),
        milestone_words=TextSet.of([words(m.description, rules) for m in ms]),
        programme_slugs=tuple(slug(p.programme) for p in ps),
        programme_texts=TextSet.of([long_text_words(programme_text(version.document, p), rules) for p in ps]),
        programme_names=TextSet.of([words(p.programme, rules) for p in ps]),
        milestones_per_programme=Counter(m.programme_id for m in ms),
    )


# -- pairwise signals -----------------------------------------------------------

def _equal_matrix(old: Sequence, new: Sequence) -> np.ndarray:
    """Return a boolean matrix: old[i] == new[j], where None never equals anything."""
    codes: dict = {}
    a = np.array([-1 if v is None else codes.setdefault(v, len(codes)) for v in old], dtype=np.int64)
    b = np.array([-2 if v is None else codes.get(v, -2) for v in new], dtype=np.int64)  # -2 matches nothing
    return a[:, None] == b[None, :]


def _due_key(m: MilestoneRow):
    if m.is_tbc:
        return "tbc"
    return (m.due_start, m.due_end) if m.due_end is not None else None


def _workstream_key(m: MilestoneRow) -> Optional[str]:
    return m.workstream.casefold() if m.workstream else None


def milestone_scores(old: Prepared, new: Prepared, rules: DiffRules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (similarity, score without the programme bonus, eligible, same description) matrices."""
    sim = similarity_matrix(old.milestone_words, new.milestone_words, rules)
    same_desc = _equal_matrix(old.description_keys, new.description_keys)
    sim = np.where(same_desc, 1.0, sim)
    score = (sim + rules.bonus("same_description") * same_desc
             + rules.bonus("same_due") * _equal_matrix(old.due_keys, new.due_keys)
             + rules.bonus("same_workstream") * _equal_matrix(old.workstream_keys, new.workstream_keys))
    eligible = same_desc | (sim >= rules.milestones.min_similarity)
    return sim, score, eligible, same_desc


def programme_text(doc: DocumentRow, p: ProgrammeRow) -> str:
    """Return the programme's section text (heading, background, approach, milestones)."""
    return doc.text[p.char_start:p.char_end]


def programme_scores(old: Prepared, new: Prepared, kept: Counter, rules: DiffRules) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, name similarity) of every old programme with every new programme.

    `kept` counts milestone pairs matched between (old programme_id, new programme_id).
    """
    w = rules.programmes.weights
    text = similarity_matrix(old.programme_texts, new.programme_texts, rules)
    name = similarity_matrix(old.programme_names, new.programme_names, rules)
    same_name = _equal_matrix(old.programme_slugs, new.programme_slugs)
    olds, news = old.version.programmes, new.version.programmes
    n_old = np.array([old.milestones_per_programme[a.programme_id] for a in olds], dtype=np.float64)
    n_new = np.array([new.milestones_per_programme[b.programme_id] for b in news], dtype=np.float64)
    total = n_old[:, None] + n_new[None, :]
    shared = np.zeros(total.shape, dtype=np.float64)
    old_index = {a.programme_id: k for k, a in enumerate(olds)}  # programme_id is unique within a version
    new_index = {b.programme_id: k for k, b in enumerate(news)}
    for (pa, pb), count in kept.items():
        if pa in old_index and pb in new_index:
            shared[old_index[pa], new_index[pb]] = count
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(total > 0, 2 * shared / total, 0.0)
    # Programmes with no milestones on either side are scored on text and name alone.
    with_milestones = (w.milestones * overlap + w.text * text + w.name * name) / (w.milestones + w.text + w.name)
    without = (w.text * text + w.name * name) / (w.text + w.name)
    score = np.where(total > 0, with_milestones, without) + rules.programmes.same_name.weight * same_name
    return score, name


# -- the comparison -------------------------------------------------------------

def compare_versions(old: Version, new: Version, rules: Optional[DiffRules] = None) -> Comparison:
    """Return the milestone and programme changes from version `old` to version `new`."""
    rules = rules or diff_rules()
    return compare_prepared(prepare(old, rules), prepare(new, rules), rules)


def compare_prepared(prep_old: Prepared, prep_new: Prepared, rules: DiffRules) -> Comparison:
    """Return the milestone and programme changes between two prepared versions (as compare_versions)."""
    old, new = prep_old.version, prep_new.version
    mr, pr = rules.milestones, rules.programmes
    sim, base, eligible, same_desc = milestone_scores(prep_old, prep_new, rules)

    first = assign(base, eligible, mr.threshold)
    kept = Counter((old.milestones[i].programme_id, new.milestones[j].programme_id) for i, j in first)
    pscore, pname = programme_scores(prep_old, prep_new, kept, rules)
    ppairs = assign(pscore, np.ones_like(pscore, dtype=bool), pr.threshold)
    successor = {old.programmes[i].programme_id: new.programmes[j].programme_id for i, j in ppairs}

    same_prog = _equal_matrix([successor.get(m.programme_id) for m in old.milestones],
                              [m.programme_id for m in new.milestones])
    score = base + rules.bonus("same_programme") * same_prog
    pairs = assign(score, eligible, mr.threshold)

    out = Comparison()
    out.milestone_changes = milestone_rows(prep_old, prep_new, pairs, sim, score, same_desc, successor, rules)
    final_kept = Counter((old.milestones[i].programme_id, new.milestones[j].programme_id) for i, j in pairs)
    out.programme_changes = programme_rows(prep_old, prep_new, ppairs, pscore, pname, final_kept, rules)
    doc_id = new.document.doc_id
    for r in rivals(score, eligible, mr.threshold, pairs, mr.ambiguity_margin):
        if not _twins(prep_old, prep_new, r):
            out.findings.append((doc_id, _milestone_rival(old, new, r, rules)))
    for r in rivals(pscore, np.ones_like(pscore, dtype=bool), pr.threshold, ppairs, pr.ambiguity_margin):
        out.findings.append((doc_id, _programme_rival(old, new, r, rules)))
    return out


def _target_dates(m: MilestoneRow) -> tuple[str, ...]:
    """Return the normalised target texts of a 'Dates:' list, status flags dropped."""
    from .milestone_rules import milestone_rules

    return tuple(description_key(milestone_rules().split_status(part)[0]) for part in m.date_text.split("; "))


def _target_statuses(m: MilestoneRow) -> tuple[Optional[str], ...]:
    """Return the status each target of a 'Dates:' list states (None where it states none)."""
    from .milestone_rules import milestone_rules

    flags = (milestone_rules().split_status(part)[1] for part in m.date_text.split("; "))
    return tuple(f.status if f else None for f in flags)


def is_status_changed(a: MilestoneRow, b: MilestoneRow) -> bool:
    """Return whether the status changed, or, for a 'Dates:' list, how many of its targets are complete
    (a target added or dropped as planned is a change of dates, not of status)."""
    if a.status != b.status:
        return True
    if not (a.n_targets and b.n_targets):
        return False
    return _target_statuses(a).count("complete") != _target_statuses(b).count("complete")


def is_date_changed(a: MilestoneRow, b: MilestoneRow) -> bool:
    """Return whether the due period (or, for a 'Dates:' list, any target's date) changed.

    A new version that states only a status where the date was ('Date: Complete') has not
    restated the date: that is not a change of date.
    """
    if b.due_end is None and not b.is_tbc and not b.date_text.strip() and b.status_text and not b.n_targets:
        return False
    if (a.due_start, a.due_end, a.due_qualifier, a.is_tbc) != (b.due_start, b.due_end, b.due_qualifier, b.is_tbc):
        return True
    if a.n_targets or b.n_targets:
        return _target_dates(a) != _target_dates(b)
    if a.due_end is None and not a.is_tbc:  # both unparsed: compare what is written
        return description_key(a.date_text) != description_key(b.date_text)
    return False


def milestone_rows(old: Prepared, new: Prepared, pairs: list[tuple[int, int]], sim: np.ndarray, score: np.ndarray,
                   same_desc: np.ndarray, successor: dict[str, str], rules: DiffRules) -> list[MilestoneChangeRow]:
    """Return one row per matched pair, added and removed milestone, in the new version's reading order."""
    of_new = {j: i for i, j in pairs}
    order: list[tuple[Optional[int], Optional[int]]] = [(of_new.get(j), j) for j in range(len(new.version.milestones))]
    matched_old = set(of_new.values())
    order += [(i, None) for i in range(len(old.version.milestones)) if i not in matched_old]
    rows = []
    for n, (i, j) in enumerate(order, start=1):
        match = None if i is None or j is None else (float(sim[i, j]), float(score[i, j]), bool(same_desc[i, j]))
        rows.append(_milestone_row(old, new, f"c{n:04d}", i, j, match, successor, rules))
    return rows


# Columns of a milestone_changes row copied from each side: (milestone attribute, old column, new column).
_SIDE_COLUMNS = tuple((attr, f"from_{attr}", f"to_{attr}") for attr in (
    "milestone_id", "programme_id", "programme", "description", "date_text", "due_start", "due_end", "status",
    "paragraph_ids", "char_start", "char_end", "line_start", "line_end"))


def _milestone_row(old: Prepared, new: Prepared, change_id: str, i: Optional[int], j: Optional[int],
                   match: Optional[tuple[float, float, bool]], successor: dict[str, str],
                   rules: DiffRules) -> MilestoneChangeRow:
    """Return the row of old milestone `i` and new milestone `j` (either None when added or removed)."""
    a = old.version.milestones[i] if i is not None else None
    b = new.version.milestones[j] if j is not None else None
    here = b if b is not None else a
    flags = dict(is_completed_now=False, is_reopened=False, is_status_changed=False, is_date_changed=False,
                 is_reworded=False, is_programme_changed=False, is_programme_renamed=False)
    slip = None
    if a is not None and b is not None:
        moved = successor.get(a.programme_id) != b.programme_id
        flags.update(
            is_completed_now=a.status != "complete" and b.status == "complete",
            is_reopened=a.status == "complete" and b.status != "complete",
            is_status_changed=is_status_changed(a, b),
            is_date_changed=is_date_changed(a, b),
            is_reworded=old.description_keys[i] != new.description_keys[j],
            is_programme_changed=moved,
            # as programme_changes says
            is_programme_renamed=not moved and old.programme_name_slugs[i] != new.programme_name_slugs[j],
        )
        if a.due_end is not None and b.due_end is not None:
            slip = (b.due_end - a.due_end).days
        changed = any(flags[k] for k in ("is_status_changed", "is_date_changed", "is_reworded", "is_programme_changed"))
        change = "modified" if changed else "unchanged"
        rule_id = rules.outcomes.exact if match[2] else rules.outcomes.similar
    else:
        change = "added" if a is None else "removed"
        rule_id = rules.outcomes.unmatched

    from_values = vars(a) if a is not None else {}  # a row keeps its field values in its __dict__
    to_values = vars(b) if b is not None else {}
    values = {}
    for attr, from_column, to_column in _SIDE_COLUMNS:
        values[from_column] = from_values.get(attr)
        values[to_column] = to_values.get(attr)
    return MilestoneChangeRow(
        doc_id=here.doc_id, plan_id=new.version.document.plan_id, from_doc_id=old.version.document.doc_id,
        to_doc_id=new.version.document.doc_id, change_id=change_id, change=change, description=here.description,
        slip_days=slip, similarity=round(match[0], 4) if match else None,
        match_score=round(match[1], 4) if match else None, **flags, **values,
        paragraph_ids=list(here.paragraph_ids), char_start=here.char_start, char_end=here.char_end,
        line_start=here.line_start, line_end=here.line_end, rule_id=rule_id,
    )


def programme_rows(prep_old: Prepared, prep_new: Prepared, ppairs: list[tuple[int, int]], pscore: np.ndarray,
                   pname: np.ndarray, kept: Counter, rules: DiffRules) -> list[ProgrammeChangeRow]:
    """Return one row per matched, added and removed programme, in the new version's order."""
    old, new = prep_old.version, prep_new.version
    of_new = {j: i for i, j in ppairs}
    order: list[tuple[Optional[int], Optional[int]]] = [(of_new.get(j), j) for j in range(len(new.programmes))]
    matched_old = set(of_new.values())
    order += [(i, None) for i in range(len(old.programmes)) if i not in matched_old]
    n_old, n_new = prep_old.milestones_per_programme, prep_new.milestones_per_programme
    new_names = {p.programme_id: p.programme for p in new.programmes}
    new_rank = {p.programme_id: k for k, p in enumerate(new.programmes)}
    rows = []
    for n, (i, j) in enumerate(order, start=1):
        a = old.programmes[i] if i is not None else None
        b = new.programmes[j] if j is not None else None
        here = b if b is not None else a
        merged = None
        if a is not None and b is not None:
            change = "unchanged" if prep_old.programme_slugs[i] == prep_new.programme_slugs[j] else "renamed"
            rule_id = rules.outcomes.programme_same if change == "unchanged" else rules.outcomes.programme_matched
        else:
            change = "added" if a is None else "removed"
            rule_id = rules.outcomes.unmatched
            if a is not None:
                went = [(count, -new_rank[pb]) for (pa, pb), count in kept.items() if pa == a.programme_id]
                if went:
                    _, neg_rank = max(went)
                    merged = new.programmes[-neg_rank].programme_id
        values = {}
        for prefix, p, counts in (("from", a, n_old), ("to", b, n_new)):
            for attr in ("programme_id", "programme", "theme", "paragraph_id", "char_start", "char_end",
                         "line_start", "line_end"):
                values[f"{prefix}_{attr}"] = getattr(p, attr) if p is not None else None
            values[f"{prefix}_n_milestones"] = counts[p.programme_id] if p is not None else None
        rows.append(ProgrammeChangeRow(
            doc_id=here.doc_id, plan_id=new.document.plan_id, from_doc_id=old.document.doc_id,
            to_doc_id=new.document.doc_id, change_id=f"p{n:04d}", change=change, programme=here.programme,
            is_theme_changed=a is not None and b is not None and a.theme != b.theme,
            n_milestones_kept=kept[(a.programme_id, b.programme_id)] if a is not None and b is not None else 0,
            name_similarity=round(float(pname[i, j]), 4) if a is not None and b is not None else None,
            match_score=round(float(pscore[i, j]), 4) if a is not None and b is not None else None,
            merged_into_programme_id=merged, merged_into_programme=new_names.get(merged) if merged else None,
            paragraph_id=here.paragraph_id, char_start=here.char_start, char_end=here.char_end,
            line_start=here.line_start, line_end=here.line_end, rule_id=rule_id, **values,
        ))
    return rows


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _twins(old: Prepared, new: Prepared, r: Rival) -> bool:
    """Return whether the rival is a duplicate of the chosen item (same text, same due): either choice is the same."""
    def same(v: Prepared, k: int, other: int) -> bool:
        return v.description_keys[k] == v.description_keys[other] and v.due_keys[k] == v.due_keys[other]

    if r.rival_new is not None:
        return same(new, r.rival_new, r.new)
    return same(old, r.rival_old, r.old)


def _milestone_rival(old: Version, new: Version, r: Rival, rules: DiffRules) -> Finding:
    b = new.milestones[r.new]
    chosen = old.milestones[r.old]
    if r.rival_new is not None:
        other = f"new milestone {new.milestones[r.rival_new].milestone_id} ({_short(new.milestones[r.rival_new].description)!r})"
    else:
        other = f"old milestone {old.milestones[r.rival_old].milestone_id} ({_short(old.milestones[r.rival_old].description)!r})"
    msg = (f"ambiguous match: {b.milestone_id} ({_short(b.description)!r}) was matched to {chosen.milestone_id} "
           f"in {old.document.doc_id} (score {r.score:.3f}), but {other} scores {r.rival_score:.3f}; check it")
    return Finding("warning", "ambiguous_milestone_match", msg, b.paragraph_ids[0], b.line_start, b.char_start,
                   b.char_end, b.line_end, rules.milestones.id)


def _programme_rival(old: Version, new: Version, r: Rival, rules: DiffRules) -> Finding:
    b = new.programmes[r.new]
    other = (new.programmes[r.rival_new].programme if r.rival_new is not None
             else old.programmes[r.rival_old].programme)
    msg = (f"ambiguous programme match: {b.programme!r} was matched to {old.programmes[r.old].programme!r} "
           f"(score {r.score:.3f}), but {other!r} scores {r.rival_score:.3f}; check it")
    return Finding("warning", "ambiguous_programme_match", msg, b.paragraph_id, b.line_start, b.char_start,
                   b.char_start + len(b.programme), b.line_start, rules.programmes.id)


# -- series ---------------------------------------------------------------------

def versions_of(documents: Iterable[DocumentRow], milestones: Iterable[MilestoneRow],
                programmes: Iterable[ProgrammeRow]) -> dict[str, Version]:
    """Return each document's Version (milestones and programmes in reading order), by doc_id."""
    ms: dict[str, list[MilestoneRow]] = {}
    for m in milestones:
        ms.setdefault(m.doc_id, []).append(m)
    ps: dict[str, list[ProgrammeRow]] = {}
    for p in programmes:
        ps.setdefault(p.doc_id, []).append(p)
    return {d.doc_id: Version(d, tuple(sorted(ms.get(d.doc_id, []), key=lambda m: m.char_start)),
                              tuple(sorted(ps.get(d.doc_id, []), key=lambda p: p.char_start)))
            for d in documents}


def quality_findings(findings: list[tuple[str, Finding]], documents: dict[str, DocumentRow],
                     seq: Optional[Counter] = None) -> list[QualityRow]:
    """Return comparison findings as QualityRows, numbered d0001… per document (continuing `seq`)."""
    seq = Counter() if seq is None else seq
    rows = []
    for doc_id, f in findings:
        seq[doc_id] += 1
        text = documents[doc_id].text if doc_id in documents else None
        rows.append(QualityRow(
            doc_id=doc_id, finding_id=f"d{seq[doc_id]:04d}", severity=f.severity, code=f.code, message=f.message,
            paragraph_id=f.paragraph_id, line=f.line, rule_id=f.rule_id,
            evidence=text[f.char_start:f.char_end] if text is not None and f.char_start is not None else None,
            char_start=f.char_start, char_end=f.char_end, line_start=f.line,
            line_end=f.line_end if f.line_end is not None else f.line))
    return rows


SeriesChanges = tuple[list[MilestoneChangeRow], list[ProgrammeChangeRow], list[QualityRow]]


def compare_series_lazily(documents: Iterable[DocumentRow], load: Callable[[str], Version],
                          rules: Optional[DiffRules] = None, dates: Optional[dict[str, Optional[date]]] = None
                          ) -> Iterator[SeriesChanges]:
    """Yield the changes of each pair of consecutive versions, loading two versions at a time.

    `documents` need only their keys and dates (their text may be left out when `dates`
    gives each version's date); `load(doc_id)` returns a whole Version. Before a series'
    pairs comes the series' own findings (no changes).
    """
    rules = rules or diff_rules()
    for series in group_series(documents, rules, dates):
        seq: Counter = Counter()
        yield [], [], quality_findings(series_findings(series), {}, seq)
        if len(series.versions) > 1:
            yield from compare_chain((load(d.doc_id) for d in series.versions), seq, rules)


def compare_chain(versions: Iterable[Version], seq: Counter, rules: DiffRules) -> Iterator[SeriesChanges]:
    """Yield the changes of each pair of consecutive `versions`, each version prepared once.

    Findings are located in the pair's new version and numbered on from `seq` (by doc_id).
    """
    previous: Optional[Prepared] = None
    for version in versions:
        current = prepare(version, rules)
        if previous is not None:
            result = compare_prepared(previous, current, rules)
            yield (result.milestone_changes, result.programme_changes,
                   quality_findings(result.findings, {version.document.doc_id: version.document}, seq))
        previous = current


def compare_series(documents: Iterable[DocumentRow], milestones: Iterable[MilestoneRow],
                   programmes: Iterable[ProgrammeRow], rules: Optional[DiffRules] = None) -> SeriesChanges:
    """Compare every version of every plan with the previous one.

    Returns (milestone_changes, programme_changes, quality rows); a plan with one version
    gives no rows.
    """
    documents = list(documents)
    versions = versions_of(documents, milestones, programmes)
    mc: list[MilestoneChangeRow] = []
    pc: list[ProgrammeChangeRow] = []
    qr: list[QualityRow] = []
    for m, p, q in compare_series_lazily(documents, versions.__getitem__, rules):
        mc.extend(m)
        pc.extend(p)
        qr.extend(q)
    return mc, pc, qr
