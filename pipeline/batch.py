"""Wiring for many documents: read, extract (in parallel processes), stream into the output stage.

Documents stream through in a bounded window, so memory does not grow with the archive:
only the small per-document tables needed to compare versions are kept until the end.
Results are appended in input order whatever order the workers finish in, so the output
of `--jobs N` is byte-identical to a serial run.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Callable, Iterator, Optional

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

    sha = hashlib.sha256(data).hexdigest()
    try:
        result = extract_document(source, data, allow_empty=allow_empty)
    except InputError as exc:
        return Outcome(source, sha, error=str(exc))
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


def outcomes(files: list[Path], out_dir: Path, allow_empty: bool, jobs: int, use_cache: bool) -> Iterator[Outcome]:
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

    if jobs <= 1 or len(files) <= 1:
        for path in files:
            data, done = read(path)
            yield done if done is not None else extract_bytes(str(path), data, allow_empty)
        return
    window = 2 * jobs  # bounded look-ahead: at most this many documents in flight
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: list[Future | Outcome] = []
        for path in files:
            data, done = read(path)
            pending.append(done if done is not None else pool.submit(extract_bytes, str(path), data, allow_empty))
            while len(pending) >= window:
                head = pending.pop(0)
                yield head if isinstance(head, Outcome) else head.result()
        for head in pending:
            yield head if isinstance(head, Outcome) else head.result()


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


class VersionIndex:
    """The versions read so far: a light row per document (no text) and its version date.

    The whole tables are set aside on disk by the output stage, so memory holds two
    versions at most while they are compared.
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

    def load(self, doc_id: str):
        """Return the whole Version of a document, read back from where it was set aside."""
        from .changes import Version
        from .models import DocumentRow, MilestoneRow, ProgrammeRow

        t = self.stage.kept(doc_id)
        [doc] = [DocumentRow.model_validate(r) for r in t["documents"].to_pylist()]
        return Version(doc, tuple(MilestoneRow.model_validate(r) for r in t["milestones"].to_pylist()),
                       tuple(ProgrammeRow.model_validate(r) for r in t["programmes"].to_pylist()))

    def compare(self, summary: "RunSummary") -> None:
        """Compare each version with the previous one; append the change tables and findings."""
        from .changes import compare_series_lazily
        from .models import MilestoneChangeRow, ProgrammeChangeRow, QualityRow
        from .schema import to_table

        for changes, programmes, findings in compare_series_lazily(self.documents, self.load, dates=self.dates):
            for name, model, rows in (("milestone_changes", MilestoneChangeRow, changes),
                                      ("programme_changes", ProgrammeChangeRow, programmes),
                                      ("quality", QualityRow, findings)):
                if rows:
                    self.stage.append(name, to_table(model, rows))
            summary.changes.update(c.change for c in changes)
            summary.version_pairs += len({(c.from_doc_id, c.to_doc_id) for c in changes})
            summary.severity.update(q.severity for q in findings)


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
    try:
        for outcome in outcomes(files, out_dir, allow_empty, jobs, use_cache):
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
        versions.compare(summary)
        if summary.failures:
            stage.append("quality", bad_input_table(rejected))
            summary.severity["error"] += len(summary.failures)
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
