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
from typing import Callable, Iterable, Iterator, Optional

import numpy as np

from .diff_rules import DiffRules, diff_rules
from .document import Finding
from .matching import Rival, assign, rivals
from .milestones import description_key, slug
from .models import DocumentRow, MilestoneChangeRow, MilestoneRow, ProgrammeChangeRow, ProgrammeRow, QualityRow
from .series import group_series, series_findings
from .similarity import similarity_matrix, words


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


# -- pairwise signals -----------------------------------------------------------

def _equal_matrix(old: list, new: list) -> np.ndarray:
    """Return a boolean matrix: old[i] == new[j], where None never equals anything."""
    out = np.zeros((len(old), len(new)), dtype=bool)
    where: dict = {}
    for j, v in enumerate(new):
        if v is not None:
            where.setdefault(v, []).append(j)
    for i, v in enumerate(old):
        for j in where.get(v, ()) if v is not None else ():
            out[i, j] = True
    return out


def _due_key(m: MilestoneRow):
    if m.is_tbc:
        return "tbc"
    return (m.due_start, m.due_end) if m.due_end is not None else None


def _workstream_key(m: MilestoneRow) -> Optional[str]:
    return m.workstream.casefold() if m.workstream else None


def milestone_scores(old: Version, new: Version, rules: DiffRules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (similarity, score without the programme bonus, eligible, same description) matrices."""
    sim = similarity_matrix([words(m.description, rules) for m in old.milestones],
                            [words(m.description, rules) for m in new.milestones], rules)
    same_desc = _equal_matrix([description_key(m.description) for m in old.milestones],
                              [description_key(m.description) for m in new.milestones])
    sim = np.where(same_desc, 1.0, sim)
    score = (sim + rules.bonus("same_description") * same_desc
             + rules.bonus("same_due") * _equal_matrix([_due_key(m) for m in old.milestones],
                                                        [_due_key(m) for m in new.milestones])
             + rules.bonus("same_workstream") * _equal_matrix([_workstream_key(m) for m in old.milestones],
                                                               [_workstream_key(m) for m in new.milestones]))
    eligible = same_desc | (sim >= rules.milestones.min_similarity)
    return sim, score, eligible, same_desc


def programme_text(doc: DocumentRow, p: ProgrammeRow) -> str:
    """Return the programme's section text (heading, background, approach, milestones)."""
    return doc.text[p.char_start:p.char_end]


def programme_scores(old: Version, new: Version, kept: Counter, rules: DiffRules) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, name similarity) of every old programme with every new programme.

    `kept` counts milestone pairs matched between (old programme_id, new programme_id).
    """
    w = rules.programmes.weights
    text = similarity_matrix([words(programme_text(old.document, p), rules) for p in old.programmes],
                             [words(programme_text(new.document, p), rules) for p in new.programmes], rules)
    name = similarity_matrix([words(p.programme, rules) for p in old.programmes],
                             [words(p.programme, rules) for p in new.programmes], rules)
    same_name = _equal_matrix([slug(p.programme) for p in old.programmes], [slug(p.programme) for p in new.programmes])
    n_old = Counter(m.programme_id for m in old.milestones)
    n_new = Counter(m.programme_id for m in new.milestones)
    total = np.array([[n_old[a.programme_id] + n_new[b.programme_id] for b in new.programmes] for a in old.programmes],
                     dtype=np.float64).reshape(len(old.programmes), len(new.programmes))
    shared = np.array([[kept[(a.programme_id, b.programme_id)] for b in new.programmes] for a in old.programmes],
                      dtype=np.float64).reshape(total.shape)
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
    mr, pr = rules.milestones, rules.programmes
    sim, base, eligible, same_desc = milestone_scores(old, new, rules)

    first = assign(base, eligible, mr.threshold)
    kept = Counter((old.milestones[i].programme_id, new.milestones[j].programme_id) for i, j in first)
    pscore, pname = programme_scores(old, new, kept, rules)
    ppairs = assign(pscore, np.ones_like(pscore, dtype=bool), pr.threshold)
    successor = {old.programmes[i].programme_id: new.programmes[j].programme_id for i, j in ppairs}

    same_prog = _equal_matrix([successor.get(m.programme_id) for m in old.milestones],
                              [m.programme_id for m in new.milestones])
    score = base + rules.bonus("same_programme") * same_prog
    pairs = assign(score, eligible, mr.threshold)

    out = Comparison()
    out.milestone_changes = milestone_rows(old, new, pairs, sim, score, same_desc, successor, rules)
    final_kept = Counter((old.milestones[i].programme_id, new.milestones[j].programme_id) for i, j in pairs)
    out.programme_changes = programme_rows(old, new, ppairs, pscore, pname, final_kept, rules)
    doc_id = new.document.doc_id
    for r in rivals(score, eligible, mr.threshold, pairs, mr.ambiguity_margin):
        if not _twins(old, new, r):
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


def milestone_rows(old: Version, new: Version, pairs: list[tuple[int, int]], sim: np.ndarray, score: np.ndarray,
                   same_desc: np.ndarray, successor: dict[str, str], rules: DiffRules) -> list[MilestoneChangeRow]:
    """Return one row per matched pair, added and removed milestone, in the new version's reading order."""
    of_new = {j: i for i, j in pairs}
    order: list[tuple[Optional[int], Optional[int]]] = [(of_new.get(j), j) for j in range(len(new.milestones))]
    matched_old = set(of_new.values())
    order += [(i, None) for i in range(len(old.milestones)) if i not in matched_old]
    rows = []
    for n, (i, j) in enumerate(order, start=1):
        a = old.milestones[i] if i is not None else None
        b = new.milestones[j] if j is not None else None
        rows.append(_milestone_row(old, new, f"c{n:04d}", a, b,
                                   None if a is None or b is None else (float(sim[i, j]), float(score[i, j]),
                                                                        bool(same_desc[i, j])),
                                   successor, rules))
    return rows


def _milestone_row(old: Version, new: Version, change_id: str, a: Optional[MilestoneRow], b: Optional[MilestoneRow],
                   match: Optional[tuple[float, float, bool]], successor: dict[str, str],
                   rules: DiffRules) -> MilestoneChangeRow:
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
            is_reworded=description_key(a.description) != description_key(b.description),
            is_programme_changed=moved,
            is_programme_renamed=not moved and slug(a.programme) != slug(b.programme),  # as programme_changes says
        )
        if a.due_end is not None and b.due_end is not None:
            slip = (b.due_end - a.due_end).days
        changed = any(flags[k] for k in ("is_status_changed", "is_date_changed", "is_reworded", "is_programme_changed"))
        change = "modified" if changed else "unchanged"
        rule_id = rules.outcomes.exact if match[2] else rules.outcomes.similar
    else:
        change = "added" if a is None else "removed"
        rule_id = rules.outcomes.unmatched

    def side(m: Optional[MilestoneRow], attr: str):
        return getattr(m, attr) if m is not None else None

    values = {}
    for prefix, m in (("from", a), ("to", b)):
        for attr in ("milestone_id", "programme_id", "programme", "description", "date_text", "due_start", "due_end",
                     "status", "paragraph_ids", "char_start", "char_end", "line_start", "line_end"):
            values[f"{prefix}_{attr}"] = side(m, attr)
    return MilestoneChangeRow(
        doc_id=here.doc_id, plan_id=new.document.plan_id, from_doc_id=old.document.doc_id,
        to_doc_id=new.document.doc_id, change_id=change_id, change=change, description=here.description,
        slip_days=slip, similarity=round(match[0], 4) if match else None,
        match_score=round(match[1], 4) if match else None, **flags, **values,
        paragraph_ids=list(here.paragraph_ids), char_start=here.char_start, char_end=here.char_end,
        line_start=here.line_start, line_end=here.line_end, rule_id=rule_id,
    )


def programme_rows(old: Version, new: Version, ppairs: list[tuple[int, int]], pscore: np.ndarray, pname: np.ndarray,
                   kept: Counter, rules: DiffRules) -> list[ProgrammeChangeRow]:
    """Return one row per matched, added and removed programme, in the new version's order."""
    of_new = {j: i for i, j in ppairs}
    order: list[tuple[Optional[int], Optional[int]]] = [(of_new.get(j), j) for j in range(len(new.programmes))]
    matched_old = set(of_new.values())
    order += [(i, None) for i in range(len(old.programmes)) if i not in matched_old]
    n_old = Counter(m.programme_id for m in old.milestones)
    n_new = Counter(m.programme_id for m in new.milestones)
    new_names = {p.programme_id: p.programme for p in new.programmes}
    new_rank = {p.programme_id: k for k, p in enumerate(new.programmes)}
    rows = []
    for n, (i, j) in enumerate(order, start=1):
        a = old.programmes[i] if i is not None else None
        b = new.programmes[j] if j is not None else None
        here = b if b is not None else a
        merged = None
        if a is not None and b is not None:
            change = "unchanged" if slug(a.programme) == slug(b.programme) else "renamed"
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


def _twins(old: Version, new: Version, r: Rival) -> bool:
    """Return whether the rival is a duplicate of the chosen item (same text, same due): either choice is the same."""
    def same(a: MilestoneRow, b: MilestoneRow) -> bool:
        return description_key(a.description) == description_key(b.description) and _due_key(a) == _due_key(b)

    if r.rival_new is not None:
        return same(new.milestones[r.rival_new], new.milestones[r.new])
    return same(old.milestones[r.rival_old], old.milestones[r.old])


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
    gives each version's date); `load(doc_id)` returns a whole Version.
    """
    rules = rules or diff_rules()
    for series in group_series(documents, rules, dates):
        seq: Counter = Counter()
        yield [], [], quality_findings(series_findings(series), {}, seq)
        loaded: Optional[Version] = None  # the previous pair's new version is this pair's old one
        for a, b in series.pairs():
            old = loaded if loaded is not None and loaded.document.doc_id == a.doc_id else load(a.doc_id)
            new = loaded = load(b.doc_id)
            result = compare_versions(old, new, rules)
            # comparison findings are located in the new version
            yield (result.milestone_changes, result.programme_changes,
                   quality_findings(result.findings, {new.document.doc_id: new.document}, seq))


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
