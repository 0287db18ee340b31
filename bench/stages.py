"""In-process timings on the plan: each real stage, the whole per-document path, and the floor.

The stages are timed through the pipeline's own wiring (pipeline.run.extract_document with a
stage hook), so the bench cannot drift from what `planextract extract` runs. "emit" is what the
batch does with a document's rows: batch.to_arrow, then OutputStage.append of every table into
a staging folder (Parquet row groups and CSV lines); "validate" is the per-document contract
check the batch runs between the two.
"""
from __future__ import annotations

import re
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .measure import ROOT, StageClock, median, time_calls

PLAN = ROOT / "raw" / "nhsx-delivery-plan-2021-12-01.txt"
STAGES = ("load", "segment", "milestones", "mentions", "validate", "emit")

# The floor: one compiled regex for dates and numbers, run over blank-line-separated paragraphs.
# It opens with one character class and dispatches on that character with look-behinds, so that
# `re` can skip ahead to candidate characters; written the obvious way (alternatives, IGNORECASE)
# the same scan is 5-20 times slower, which would make the floor too easy to stay near.
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_MONTH_TAIL = (r"(?:(?<=J)(?:an(?:uary)?|une?|uly?)|(?<=F)eb(?:ruary)?|(?<=M)(?:ar(?:ch)?|ay)|(?<=A)(?:pr(?:il)?|ug(?:ust)?)"
               r"|(?<=S)ep(?:t(?:ember)?)?|(?<=O)ct(?:ober)?|(?<=N)ov(?:ember)?|(?<=D)ec(?:ember)?)")
_YEAR = r"(?:19|20)\d\d"
LIMIT_RE = re.compile(rf"""
    [0-9£JFMASONDQ]                                        # the first character, then what it starts:
    (?:
      (?P<date>
          (?<![\w][JFMASOND]){_MONTH_TAIL}\s+{_YEAR}\b       # March 2022
        | (?<=Q)(?<!\wQ)[1-4]\s+{_YEAR}\b                    # Q1 2022
        | (?<=\d)(?<!\w\d)\d?\s+{_MONTH}\s+{_YEAR}\b         # 1 December 2021
        | (?<!\w[12])(?:(?<=1)9|(?<=2)0)\d\d(?:\s+to\s+{_YEAR})?\b   # 2021, 2021 to 2022
      )
    | (?P<number>
          (?<=£)\d[\d,]*(?:\.\d+)?(?:\s*(?:bn|m|million|billion)\b)?  # £140m
        | (?<=\d)(?<!\w\d)[\d,]*(?:\.\d+)?(?:\s*(?:%|per\s?cent\b|bn\b|m\b|million\b|billion\b))?  # 40%, 3,000
      )
    )""", re.VERBOSE)
PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n")


def limit_scan(path: Path) -> dict[str, int]:
    """Read the file, split its paragraphs, scan them with LIMIT_RE; return the counts by group."""
    text = path.read_bytes().decode("utf-8")
    counts = {"paragraphs": 0, "date": 0, "number": 0}
    for para in PARAGRAPH_SPLIT.split(text):
        counts["paragraphs"] += 1
        for m in LIMIT_RE.finditer(para):
            counts[m.lastgroup] += 1
    return counts


def mentions_entry() -> tuple[Optional[Callable], str]:
    """Return (pipeline.mentions.extract_mentions or None, a note saying what was found)."""
    import importlib

    try:
        mentions = importlib.import_module("pipeline.mentions")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("pipeline.mentions"):
            return None, "not built"
        return None, f"not importable ({exc})"
    fn = getattr(mentions, "extract_mentions", None)
    return (fn, "pipeline.mentions.extract_mentions") if fn else (None, "pipeline.mentions has no extract_mentions")


class Emitter:
    """Appends a document's arrow tables to a real OutputStage in a temporary folder (dropped on close)."""

    def __init__(self) -> None:
        from pipeline import storage

        self.tmp = tempfile.TemporaryDirectory(prefix="bench-emit-")
        self.stage = storage.OutputStage(Path(self.tmp.name))

    def __call__(self, tables) -> None:
        for name, table in tables.items():
            self.stage.append(name, table)

    def close(self) -> None:
        self.stage.abort()
        self.tmp.cleanup()


def whole_pass(source: str, data: bytes, emit: Emitter):
    """One document through the batch's per-document path (batch.extract_bytes), then emitted."""
    from pipeline.batch import extract_bytes

    outcome = extract_bytes(source, data, allow_empty=False)
    if outcome.error is not None:
        raise RuntimeError(outcome.error)
    emit(outcome.tables)
    return outcome


def staged_pass(source: str, data: bytes, emit: Emitter) -> dict[str, float]:
    """One document with each stage timed; returns seconds by stage ('assemble' = wiring between stages)."""
    from pipeline.batch import to_arrow
    from pipeline.run import extract_document
    from pipeline.validate import check_keys, check_spans

    clock = StageClock()
    t0 = time.perf_counter()
    result = extract_document(source, data, stage=clock)
    inside = time.perf_counter() - t0
    clock.seconds["assemble"] = inside - sum(clock.seconds.values())
    with clock("emit"):
        tables = to_arrow(result)
    with clock("validate"):
        problems = check_keys(tables) + check_spans(tables)
    if problems:
        raise RuntimeError(f"contract check failed: {problems[0]}")
    with clock("emit"):
        emit(tables)
    return clock.seconds


def standalone_mentions(fn: Callable, source: str, data: bytes) -> Callable[[], object]:
    """Return a call of the mentions stage on the plan's real stage outputs (when run.py does not wire it yet)."""
    from pipeline.load import load_document
    from pipeline.milestones import extract_milestones
    from pipeline.segment import segment

    doc = load_document(source, data)
    seg = segment(doc)
    ms = extract_milestones(doc, seg)
    return lambda: fn(doc, seg, ms)


@dataclass
class StageFigures:
    plan_bytes: int
    plan_warm_ms: float
    plan_warm_runs_ms: list[float]
    stages_ms: dict[str, Optional[float]]
    stage_notes: dict[str, str]
    unattributed_ms: float
    limit_ms: float
    limit_counts: dict[str, int]
    throughput_mb_s: float
    heap_peak_mb: float
    counts: dict[str, int] = field(default_factory=dict)


def run(repeat: int = 15, path: Path = PLAN) -> StageFigures:
    """Time the plan in process: whole path and stage by stage (medians of `repeat` runs), and the floor."""
    from pipeline.cli import tune_gc

    tune_gc()  # as `planextract extract` sets up its processes: the figures are the command's
    data = path.read_bytes()
    source = path.name
    emit = Emitter()
    try:
        for _ in range(2):  # warm: rules compiled, writers opened, caches filled
            outcome = whole_pass(source, data, emit)
            staged_pass(source, data, emit)
        whole, staged = [], []
        for _ in range(repeat):  # interleaved, so both see the same machine load
            t0 = time.perf_counter()
            whole_pass(source, data, emit)
            whole.append(time.perf_counter() - t0)
            staged.append(staged_pass(source, data, emit))
        tracemalloc.start()
        whole_pass(source, data, emit)
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        emit.close()
    names = [s for s in STAGES] + ["assemble"]
    stages_ms: dict[str, Optional[float]] = {}
    notes: dict[str, str] = {}
    for name in names:
        values = [run_[name] for run_ in staged if name in run_]
        stages_ms[name] = 1000 * median(values) if values else None
    fn, note = mentions_entry()
    if stages_ms["mentions"] is not None:
        notes["mentions"] = "timed inside pipeline.run.extract_document"
    elif fn is not None:
        try:
            call = standalone_mentions(fn, source, data)
            stages_ms["mentions"] = 1000 * median(time_calls(call, repeat))
            notes["mentions"] = "pipeline.mentions exists but run.py does not wire it: timed standalone, not in plan_warm_ms"
        except Exception as exc:  # report what happened rather than hide the stage
            notes["mentions"] = f"extract_mentions(doc, seg, milestones) failed: {type(exc).__name__}: {exc}"
    else:
        notes["mentions"] = note
    plan_warm = 1000 * median(whole)
    in_total = sum(v for k, v in stages_ms.items() if v is not None and not (k == "mentions" and "standalone" in notes.get(k, "")))
    limit_runs = time_calls(lambda: limit_scan(path), max(repeat, 25))
    counts = {name: len(outcome.tables[name]) if name in outcome.tables else -1
              for name in ("paragraphs", "sections", "programmes", "milestones", "milestone_targets",
                           "temporal_expressions", "quantities", "quality")}
    return StageFigures(
        plan_bytes=len(data), plan_warm_ms=plan_warm, plan_warm_runs_ms=[1000 * w for w in whole],
        stages_ms=stages_ms, stage_notes=notes, unattributed_ms=plan_warm - in_total,
        limit_ms=1000 * median(limit_runs), limit_counts=limit_scan(path),
        throughput_mb_s=len(data) / 1e6 / (plan_warm / 1000), heap_peak_mb=heap_peak / (1024 * 1024), counts=counts,
    )

