"""Wiring for many documents: read, extract and compare versions (in parallel processes), stream into the output stage.

Documents stream through in a bounded window, so memory does not grow with the archive:
the tables needed to compare versions are set aside on disk until every version is known;
then the same worker processes compare the versions, a few consecutive pairs per task,
reading them back from there. Results are appended in input (and series) order whatever
order the workers finish in, so the output of `--jobs N` is byte-identical to a serial run.
"""
from __future__ import annotations

import gc
import hashlib
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Callable, Iterable, Iterator, Optional, TypeVar

import pyarrow as pa

from . import storage
from .document import InputError
from .storage import SourceError, cache
from .validate import ContractError

class RunError(Exception):
    """The run cannot produce output; `str()` is one line naming the file and the reason."""


@dataclass
class Outcome:
    """What became of one input file."""

    source: str
    sha256: Optional[str] = None
    tables: Optional[dict[str, pa.Table]] = None
    error: Optional[str] = None
    cached: bool = False


@dataclass
class RunSummary:
    """Figures for the terminal summary of one run."""

    documents: int = 0
    cached: int = 0
    rows: Counter = field(default_factory=Counter)
    status: Counter = field(default_factory=Counter)
    changes: Counter = field(default_factory=Counter)
    version_pairs: int = 0
    severity: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    up_to_date: bool = False

    def add(self, tables: dict[str, pa.Table]) -> None:
        """Count one document's rows, milestone statuses and quality findings."""
        self.documents += 1
        for name, table in tables.items():
            self.rows[name] += table.num_rows
        self.status.update(tables["milestones"].column("status").to_pylist())
        self.severity.update(tables["quality"].column("severity").to_pylist())


def to_arrow(result) -> dict[str, pa.Table]:
    """Return a DocumentTables' rows as arrow tables with the models' explicit schemas."""
    from .models import table_models
    from .schema import to_table

    models = table_models()
    return {name: to_table(models[name], rows) for name, rows in result.tables.items()}


def extract_bytes(source: str, data: bytes, allow_empty: bool) -> Outcome:
    """Run the pipeline on one file's bytes (in a worker process); bad input becomes an error outcome."""
    from .run import extract_document

    from .validate import check_keys, check_spans

    try:
        result = extract_document(source, data, allow_empty=allow_empty)
    except InputError as exc:
        return Outcome(source, hashlib.sha256(data).hexdigest(), error=str(exc))
    [doc] = result.tables["documents"]
    sha = doc.source_sha256  # the loader hashed these bytes already (0.1 ms for the plan)
    tables = to_arrow(result)
    problems = check_keys(tables) + check_spans(tables)
    if problems:  # a broken contract is our bug, never silently emitted
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Outcome(source, sha, error=f"{source}: internal check failed: {problems[0]}{more}")
    return Outcome(source, sha, tables=tables)


def doc_id_of(path: Path) -> str:
    return PurePath(path).stem


def fingerprint_inputs(files: list[Path]) -> tuple[dict[str, str], list[str]]:
    """Return ({file: sha256} of the readable inputs, one-line errors for the unreadable ones)."""
    hashes, errors = {}, []
    for path in files:
        try:
            hashes[str(path)] = storage.sha256_file(path)
        except OSError as exc:
            errors.append(f"{path}: unreadable ({exc.strerror or exc})")
    return hashes, errors


T = TypeVar("T")


@contextmanager
def worker_pool(jobs: int) -> Iterator[Optional[ProcessPoolExecutor]]:
    """Yield a pool of `jobs` worker processes, or None to work in this process (jobs <= 1)."""
    if jobs <= 1:
        yield None
        return
    # Workers collect garbage as this process does, whichever way they are started (fork or spawn).
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.set_threshold, initargs=gc.get_threshold()) as pool:
        yield pool


def in_order(items: Iterable["Future[T] | T"], window: int) -> Iterator[T]:
    """Yield each item's result in order (a Future's once it is done), drawing at most `window` items ahead.

    `items` is drawn lazily: it submits its tasks as it is drawn, so at most `window` are in flight.
    """
    pending: deque = deque()
    for item in items:
        pending.append(item)
        while len(pending) >= window:
            head = pending.popleft()
            yield head.result() if isinstance(head, Future) else head
    for head in pending:
        yield head.result() if isinstance(head, Future) else head


def outcomes(files: list[Path], out_dir: Path, allow_empty: bool, pool: Optional[ProcessPoolExecutor], window: int,
             use_cache: bool) -> Iterator[Outcome]:
    """Yield one Outcome per file, in input order; cached documents are not extracted again."""
    cache_options = {"allow_empty": allow_empty}

    def read(path: Path) -> tuple[Optional[bytes], Optional[Outcome]]:
        try:
            data = storage.read_source(path)
        except SourceError as exc:
            return None, Outcome(str(path), error=str(exc))
        if use_cache:
            sha = hashlib.sha256(data).hexdigest()
            hit = cache.load(out_dir, cache.entry_name(doc_id_of(path), sha, cache_options))
            if hit is not None:
                return None, Outcome(str(path), sha, tables=hit, cached=True)
        return data, None

    def started() -> Iterator["Future[Outcome] | Outcome"]:
        for path in files:
            data, done = read(path)
            if done is not None:
                yield done
            elif pool is None:
                yield extract_bytes(str(path), data, allow_empty)
            else:
                yield pool.submit(extract_bytes, str(path), data, allow_empty)

    return in_order(started(), window)


def bad_input_table(failures: list[tuple[str, str]]) -> pa.Table:
    """Return the quality rows recording each rejected input (source, message), numbered b0001…"""
    from .models import QualityRow
    from .schema import to_table

    def named(source: str, msg: str) -> str:  # the file's name, not the path it was given: outputs never depend on it
        return PurePath(source).name + msg[len(source):] if msg.startswith(source + ": ") else msg

    rows = [QualityRow(doc_id=doc_id_of(Path(source)), finding_id=f"b{i + 1:04d}", severity="error",
                       code="bad_input", message=named(source, msg)) for i, (source, msg) in enumerate(failures)]
    return to_table(QualityRow, rows)


# What each version contributes to the comparison with the next one, set aside during the run.
VERSION_TABLES = ("documents", "milestones", "programmes")
# Consecutive pairs of a series compared by one task: each task prepares one version more than it has pairs.
PAIRS_PER_TASK = 8


def version_of(tables: dict[str, pa.Table]):
    """Return the whole Version held in a document's set-aside tables."""
    from .changes import Version
    from .models import DocumentRow, MilestoneRow, ProgrammeRow

    [doc] = [DocumentRow.model_validate(r) for r in tables["documents"].to_pylist()]
    return Version(doc, tuple(MilestoneRow.model_validate(r) for r in tables["milestones"].to_pylist()),
                   tuple(ProgrammeRow.model_validate(r) for r in tables["programmes"].to_pylist()))


def compare_kept(folders: list[Path], seq: dict[str, int]) -> list[dict[str, pa.Table]]:
    """Return the change tables (milestone_changes, programme_changes, quality) of each consecutive pair
    of the versions set aside in `folders` (oldest first); findings are numbered on from `seq`, by doc_id.
    Runs in a worker process."""
    from .changes import compare_chain
    from .diff_rules import diff_rules
    from .models import MilestoneChangeRow, ProgrammeChangeRow, QualityRow
    from .schema import to_table

    versions = (version_of(cache.read_folder(folder)) for folder in folders)
    return [{"milestone_changes": to_table(MilestoneChangeRow, changes),
             "programme_changes": to_table(ProgrammeChangeRow, programmes), "quality": to_table(QualityRow, findings)}
            for changes, programmes, findings in compare_chain(versions, Counter(seq), diff_rules())]


class VersionIndex:
    """The versions read so far: a light row per document (no text) and its version date.

    The whole tables are set aside on disk by the output stage; a comparison task reads
    back the few versions it compares, so memory never holds the archive.
    """

    def __init__(self, stage: storage.OutputStage):
        self.stage = stage
        self.documents: list = []
        self.dates: dict = {}

    def add(self, doc_id: str, tables: dict[str, pa.Table]) -> None:
        """Record one document version and set its tables aside."""
        from .models import DocumentRow
        from .series import version_date

        [row] = tables["documents"].to_pylist()
        doc = DocumentRow.model_validate(row)
        self.dates[doc_id] = version_date(doc)
        self.documents.append(doc.model_copy(update={"text": ""}))
        self.stage.keep(doc_id, {n: tables[n] for n in VERSION_TABLES})

    def tasks(self, pool: Optional[ProcessPoolExecutor]) -> Iterator["Future | list[dict[str, pa.Table]]"]:
        """Yield, in series order, each series' own findings, then the comparisons of its consecutive
        versions: futures of PAIRS_PER_TASK pairs each in `pool`, else one result per series."""
        from .changes import quality_findings
        from .diff_rules import diff_rules
        from .models import QualityRow
        from .schema import to_table
        from .series import group_series, series_findings

        for series in group_series(self.documents, diff_rules(), self.dates):
            seq: Counter = Counter()
            yield [{"quality": to_table(QualityRow, quality_findings(series_findings(series), {}, seq))}]
            folders = [self.stage.kept_folder(d.doc_id) for d in series.versions]
            step = PAIRS_PER_TASK if pool is not None else len(folders)
            for k in range(0, len(folders) - 1, step):
                chunk = series.versions[k + 1:k + step + 1]  # the new side of each pair: where findings go
                args = (folders[k:k + step + 1], {d.doc_id: seq[d.doc_id] for d in chunk})
                yield compare_kept(*args) if pool is None else pool.submit(compare_kept, *args)

    def compare(self, summary: "RunSummary", pool: Optional[ProcessPoolExecutor], window: int) -> None:
        """Compare each version with the previous one; append the change tables and findings."""
        for result in in_order(self.tasks(pool), window):
            for tables in result:
                for name, table in tables.items():
                    if table.num_rows:
                        self.stage.append(name, table)
                changes = tables.get("milestone_changes")
                if changes is not None:
                    summary.changes.update(changes.column("change").to_pylist())
                    summary.version_pairs += len(set(zip(changes.column("from_doc_id").to_pylist(),
                                                         changes.column("to_doc_id").to_pylist())))
                summary.severity.update(tables["quality"].column("severity").to_pylist())


def run_extract(files: list[Path], out_dir: Path, *, allow_empty: bool = False, keep_going: bool = False,
                jobs: int = 1, use_cache: bool = True, pipeline_version: str,
                progress: Callable[[int], None] = lambda n: None) -> RunSummary:
    """Extract `files` into `out_dir`, atomically; return the summary. Raise RunError for bad input."""
    summary = RunSummary()
    hashes, unreadable = fingerprint_inputs(files)
    if unreadable and not keep_going:
        raise RunError(unreadable[0])
    run_info = {"inputs": {PurePath(f).name: h for f, h in hashes.items()},
                "options": {"allow_empty": allow_empty, "keep_going": keep_going}}
    if not unreadable and use_cache and storage.up_to_date(out_dir, run_info):
        summary.up_to_date = True
        return summary
    seen: dict[str, str] = {}
    sources: dict[str, str] = {}
    used_cache: set[str] = set()
    rejected: list[tuple[str, str]] = []
    stage = storage.OutputStage(out_dir)
    versions = VersionIndex(stage)
    workers = jobs if len(files) > 1 else 1
    window = 2 * workers if workers > 1 else 1  # bounded look-ahead: at most this many tasks in flight
    try:
        with worker_pool(workers) as pool:
            for outcome in outcomes(files, out_dir, allow_empty, pool, window, use_cache):
                progress(1)
                if outcome.error is None:
                    doc_id = doc_id_of(Path(outcome.source))
                    if doc_id in seen:
                        outcome.error = f"{outcome.source}: same doc_id {doc_id!r} as {seen[doc_id]} (rename one file)"
                    seen.setdefault(doc_id, outcome.source)
                if outcome.error is not None:
                    if not keep_going:
                        raise RunError(outcome.error)
                    summary.failures.append(outcome.error)
                    rejected.append((outcome.source, outcome.error))
                    continue
                if use_cache:
                    entry = cache.entry_name(doc_id, outcome.sha256, {"allow_empty": allow_empty})
                    if not outcome.cached:
                        cache.store(stage.cache_dir, entry, outcome.tables)
                    used_cache.add(entry)
                for name, table in outcome.tables.items():
                    stage.append(name, table)
                sources[doc_id] = outcome.sha256
                versions.add(doc_id, outcome.tables)
                summary.add(outcome.tables)
                summary.cached += outcome.cached
            if not sources:
                raise RunError("no input could be extracted: " + "; ".join(summary.failures))
            versions.compare(summary, pool, window)
            if summary.failures:
                stage.append("quality", bad_input_table(rejected))
                summary.severity["error"] += len(summary.failures)
            stage.write_parquet(sources, pipeline_version, pool)
        try:
            files_written = stage.finish(sources, pipeline_version, run_info)
        except ContractError as exc:
            raise RunError(f"{out_dir}: internal check failed: {exc}") from None
        stage.commit(files_written)
    except BaseException:
        stage.abort()
        raise
    if use_cache:
        cache.prune(out_dir, used_cache)
    return summary
