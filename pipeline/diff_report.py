"""The readable summary of a comparison (`planextract diff`): lines of text from change rows."""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from .models import MilestoneChangeRow, ProgrammeChangeRow, QualityRow

FLAG_LABELS = (("is_completed_now", "completed"), ("is_reopened", "reopened"), ("is_date_changed", "date changed"),
               ("is_reworded", "reworded"), ("is_programme_changed", "moved to another programme"),
               ("is_status_changed", "status changed"))


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _due(text: str | None) -> str:
    return _short(text, 40) if text else "(none)"


def summary_lines(old_doc_id: str, new_doc_id: str, changes: Sequence[MilestoneChangeRow],
                  programmes: Sequence[ProgrammeChangeRow], findings: Sequence[QualityRow], top: int = 10) -> list[str]:
    """Return the summary of one version pair: counts per change type, biggest slips, newly completed,
    removed, added and moved milestones, programme changes and findings."""
    lines = [f"{old_doc_id} -> {new_doc_id}"]
    lines.extend(_pair_lines(changes, programmes, top))
    lines.append("")
    if findings:
        lines.append(f"findings ({len(findings)}):")
        lines.extend(f"  {f.severity}: {f.code}: {f.message}" for f in findings)
    else:
        lines.append("findings: none")
    return lines


def _pair_lines(rows: Sequence[MilestoneChangeRow], progs: Sequence[ProgrammeChangeRow], top: int) -> list[str]:
    kinds = Counter(c.change for c in rows)
    out = ["milestones: " + ", ".join(f"{kinds[k]} {k}" for k in ("unchanged", "modified", "added", "removed"))]
    flags = [f"{sum(getattr(c, f) for c in rows)} {label}" for f, label in FLAG_LABELS]
    out.append("  of which: " + ", ".join(flags))
    pk = Counter(p.change for p in progs)
    out.append("programmes: " + ", ".join(f"{pk[k]} {k}" for k in ("unchanged", "renamed", "added", "removed")))

    slips = sorted((c for c in rows if c.slip_days), key=lambda c: (-c.slip_days, c.change_id))
    later = [c for c in slips if c.slip_days > 0][:top]
    out.append("")
    out.append(f"biggest slips ({sum(c.slip_days > 0 for c in slips)} slipped, "
               f"{sum(c.slip_days < 0 for c in slips)} brought forward):")
    out.extend(f"  {c.slip_days:+5d} days  {_due(c.from_date_text)} -> {_due(c.to_date_text)}  "
               f"[{c.to_programme}] {_short(c.description)}" for c in later)
    if not later:
        out.append("  none")
    for title, chosen, show in (
        ("newly completed", [c for c in rows if c.is_completed_now], lambda c: f"{_due(c.to_date_text)}  [{c.to_programme}]"),
        ("removed", [c for c in rows if c.change == "removed"], lambda c: f"{_due(c.from_date_text)}  [{c.from_programme}]"),
        ("added", [c for c in rows if c.change == "added"], lambda c: f"{_due(c.to_date_text)}  [{c.to_programme}]"),
        ("moved to another programme", [c for c in rows if c.is_programme_changed],
         lambda c: f"[{c.from_programme} -> {c.to_programme}]"),
    ):
        out.append("")
        out.append(f"{title} ({len(chosen)}):")
        out.extend(f"  {show(c)} {_short(c.description)}" for c in chosen)
    renamed = [p for p in progs if p.change != "unchanged"]
    if renamed:
        out.append("")
        out.append("programme changes:")
        for p in renamed:
            if p.change == "renamed":
                out.append(f"  renamed: {p.from_programme} -> {p.to_programme}")
            elif p.change == "added":
                out.append(f"  added: {p.to_programme}")
            else:
                merged = f" (milestones moved to {p.merged_into_programme})" if p.merged_into_programme else ""
                out.append(f"  removed: {p.from_programme}{merged}")
    return out
