"""The storage edge: the only place that reads inputs and writes outputs.

Tables stream into a staging folder inside the output folder, a batch of a spool file (Arrow
IPC) per document; at the end each table's Parquet file and CSV mirror are written from its
spool, one row group (and one slice of CSV) per batch (a Parquet writer holds every row group's
metadata until it is closed: written one table at a time, that memory does not grow with the archive). Files are moved
into place only when every file was written, so a failed run leaves the last good output intact. `manifest.json`, written last, records what
the output was made from; a re-run on the same inputs with the same code finds it up to date.
Outputs are byte-identical run to run; plan.duckdb is so where DuckDB's bundled jemalloc is its allocator
(Linux: see database.ALLOCATOR_ENV).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from concurrent.futures import Executor
from typing import Optional

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ..models import SCHEMA_VERSION, table_models
from ..schema import arrow_schema
from . import cache, csvfile
from .cache import code_fingerprint
from .database import DatabaseWriter
from ..validate import ContractError

PARQUET_OPTIONS = dict(compression="zstd", use_dictionary=True, write_statistics=True, store_schema=True,
                       version="2.6")
DATABASE = "plan.duckdb"
DATAPACKAGE = "datapackage.json"
MANIFEST = "manifest.json"
CSV_DIR = "csv"
SPOOL_DIR = ".spool"


class SourceError(OSError):
    """An input file cannot be read; `str()` is one line naming the file and the reason."""


def read_source(path: Path) -> bytes:
    """Return the bytes of input file `path`, or raise SourceError with the reason."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror or exc})") from None


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def json_bytes(obj) -> bytes:
    """Return `obj` as deterministic, indented JSON."""
    return (json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")


def file_metadata(sources: dict[str, str], pipeline_version: str) -> dict[str, str]:
    """Return the key-value metadata stored in every Parquet file."""
    return {
        "planextract.schema_version": SCHEMA_VERSION,
        "planextract.pipeline_version": pipeline_version,
        "planextract.source_sha256": json.dumps(dict(sorted(sources.items())), sort_keys=True),
    }


# Bytes buffered for each open staging file: a document's batch then reaches the file in a few large
# writes rather than a system call per arrow buffer (the spool's writes dominated a one-row table's append).
FILE_BUFFER = 1 << 18


def buffered(path: Path) -> pa.NativeFile:
    """Return a new buffered output stream writing the file at `path` (closing it closes the file)."""
    return pa.BufferedOutputStream(pa.OSFile(str(path), "wb"), buffer_size=FILE_BUFFER)


class OutputStage:
    """Stages one run's outputs in `<out>/.staging-*`; `commit` moves them into place, `abort` drops them."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._created = not out_dir.exists()  # a failed run removes the folder it made
        out_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
        self.cache_dir = self.dir / ".cache-new"  # new cache entries, published on commit
        (self.dir / CSV_DIR).mkdir()
        (self.dir / SPOOL_DIR).mkdir()
        self._spool: dict[str, ipc.RecordBatchStreamWriter] = {}
        self._files: dict[str, pa.NativeFile] = {}  # each table's spool file
        self.rows: dict[str, int] = {name: 0 for name in table_models()}
        self._database = DatabaseWriter(self.dir)

    def append(self, name: str, table: pa.Table) -> None:
        """Append a document's rows of one table: one spooled batch (a row group of its Parquet, its lines of CSV)."""
        if name not in self._spool:
            self._files[name] = buffered(self.dir / SPOOL_DIR / f"{name}.arrow")
            self._spool[name] = ipc.new_stream(self._files[name], arrow_schema(table_models()[name]))
        if table.num_rows == 0:
            return
        self._spool[name].write_table(table.combine_chunks())  # one batch
        self.rows[name] += table.num_rows

    def write_parquet(self, sources: dict[str, str], pipeline_version: str, pool: Optional[Executor] = None) -> None:
        """Close every table (empty ones included) and write its Parquet and CSV files from its spool, in `pool`
        if given (the biggest tables first)."""
        metadata = file_metadata(sources, pipeline_version)
        for name in table_models():
            self.append(name, pa.Table.from_pylist([], schema=arrow_schema(table_models()[name])))
            self._spool.pop(name).close()
            self._files.pop(name).close()
        jobs = sorted(table_models(), key=lambda n: -(self.dir / SPOOL_DIR / f"{n}.arrow").stat().st_size)
        args = [(self.dir / SPOOL_DIR / f"{n}.arrow", self.dir / f"{n}.parquet", n, metadata,
                 self.dir / CSV_DIR / f"{n}.csv") for n in jobs]
        if pool is None:
            for a in args:
                parquet_from_spool(*a)
        else:
            for future in [pool.submit(parquet_from_spool, *a) for a in args]:
                future.result()

    def keep(self, key: str, tables: dict[str, pa.Table]) -> None:
        """Set a document's tables aside on disk until the end of the run (to compare versions)."""
        cache.write_folder(self.kept_folder(key), tables)

    def kept_folder(self, key: str) -> Path:
        """Return the folder of the tables set aside under `key` (cache.read_folder reads them, in any process)."""
        return self.dir / ".kept" / key

    def finish(self, sources: dict[str, str], pipeline_version: str, run_info: dict) -> list[str]:
        """Write the database, data package and manifest (after write_parquet).

        Raise ContractError when the declared row checks fail on the staged tables.
        """
        from ..dictionary import datapackage

        from ..validate import row_check_queries, row_problems

        names = list(table_models())
        # The writer runs the row checks on the database it has just written: this process needs no DuckDB.
        problems = row_problems(self._database.write(self.dir / DATABASE, names, row_check_queries(names)))
        if problems:
            raise ContractError(problems)
        (self.dir / DATAPACKAGE).write_bytes(json_bytes(datapackage(pipeline_version, sources, names)))
        files = [f"{n}.parquet" for n in names] + [f"{CSV_DIR}/{n}.csv" for n in names] + [DATAPACKAGE]
        hashes = {f: sha256_file(self.dir / f) for f in files}
        manifest = dict(run_info, pipeline_version=pipeline_version, schema_version=SCHEMA_VERSION,
                        code_fingerprint=code_fingerprint(), rows=self.rows, files=hashes,
                        database=self.database_record(hashes, names))
        (self.dir / MANIFEST).write_bytes(json_bytes(manifest))
        return files + [DATABASE, MANIFEST]

    def database_record(self, hashes: dict[str, str], names: list[str]) -> dict:
        """Return the manifest's record of plan.duckdb: what it was built from, and its size.

        Its bytes follow from what it is built from, the Parquet files it loads and the job (views,
        comments, settings), which is cheaper to hash than a large database file.
        """
        from .database import database_job

        h = hashlib.sha256(json.dumps(database_job(DATABASE, names), sort_keys=True).encode())
        for name in names:
            h.update(hashes[f"{name}.parquet"].encode())
        return {"file": DATABASE, "built_from_sha256": h.hexdigest(), "bytes": (self.dir / DATABASE).stat().st_size}

    def commit(self, files: list[str]) -> None:
        """Move the staged files into the output folder, the manifest last; then drop the staging folder."""
        (self.out_dir / CSV_DIR).mkdir(exist_ok=True)
        for name in files:  # the manifest is last, so a crash mid-move never looks up to date
            os.replace(self.dir / name, self.out_dir / name)
        cache.publish(self.cache_dir, self.out_dir)
        self._created = False
        self.abort()

    def abort(self) -> None:
        """Drop the staging folder and everything in it (and the output folder, when this run made it)."""
        for writer in list(self._spool.values()) + list(self._files.values()):  # writers before their files
            try:
                writer.close()
            except Exception:  # already closed, or failed mid-write: nothing to keep either way
                pass
        self._database.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self._created:
            try:
                self.out_dir.rmdir()  # only when empty: nothing of anyone else's is removed
            except OSError:
                pass


def parquet_from_spool(spool: Path, target: Path, name: str, metadata: dict[str, str], csv_target: Path) -> None:
    """Write table `name`'s Parquet file at `target` (a row group per batch of its spool, then `metadata`) and
    its CSV mirror at `csv_target`. Runs in a worker process as well."""
    # Read a batch at a time (not memory-mapped): the process holds one row group, not the whole spool.
    # The CSV is written here rather than a document at a time: the same lines, off the extracting path.
    schema = arrow_schema(table_models()[name])
    with pa.OSFile(str(spool), "rb") as source, ipc.open_stream(source) as reader:
        with pq.ParquetWriter(target, schema, **PARQUET_OPTIONS) as writer, buffered(csv_target) as csv_file, \
                csvfile.open_writer(csv_file, schema) as csv_writer:
            for batch in reader:
                table = pa.Table.from_batches([batch])
                writer.write_table(table)
                csv_writer.write_table(csvfile.csv_ready(table))
            writer.add_key_value_metadata(metadata)


def up_to_date(out_dir: Path, run_info: dict) -> bool:
    """Whether `out_dir` already holds the output of exactly this run (same inputs, options and code)."""
    path = out_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("code_fingerprint") != code_fingerprint() or manifest.get("schema_version") != SCHEMA_VERSION:
        return False
    if any(manifest.get(k) != v for k, v in run_info.items()):
        return False
    try:
        database = manifest.get("database", {})
        return (all(sha256_file(out_dir / f) == h for f, h in manifest.get("files", {}).items())
                and (out_dir / DATABASE).stat().st_size == database.get("bytes"))
    except OSError:
        return False


def read_table(out_dir: Path, name: str) -> pa.Table:
    """Return one table of an output folder, read from its Parquet file."""
    return pq.read_table(out_dir / f"{name}.parquet")


def read_tables(out_dir: Path, names: Optional[list[str]] = None) -> dict[str, pa.Table]:
    """Return the tables of an output folder that exist, by name."""
    names = names or list(table_models())
    return {n: read_table(out_dir, n) for n in names if (out_dir / f"{n}.parquet").exists()}


def read_rows(out_dir: Path, name: str) -> list:
    """Return the rows of table `name` in `out_dir` as row models.

    Raise ValueError naming the file when it is missing, unreadable or lacks a column.
    """
    model = table_models()[name]
    path = Path(out_dir) / f"{name}.parquet"
    if not path.is_file():
        raise ValueError(f"{path}: missing (not an output folder of planextract extract?)")
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"{path}: unreadable Parquet ({exc})") from None
    missing = [c for c in model.model_fields if c not in table.column_names]
    if missing:
        raise ValueError(f"{path}: lacks column(s) {', '.join(missing)}")
    return [model.model_validate(row) for row in table.select(list(model.model_fields)).to_pylist()]


def write_some_tables(tables: dict[str, list], out_dir: Path, sources: dict[str, str], pipeline_version: str) -> None:
    """Write only `tables` (rows by name) as Parquet and CSV into `out_dir`, atomically; other files stay."""
    from ..schema import to_table

    models = table_models()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        metadata = file_metadata(sources, pipeline_version)
        names = []
        for name, rows in tables.items():
            table = to_table(models[name], rows).replace_schema_metadata(
                {**(arrow_schema(models[name]).metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}})
            pq.write_table(table, staging / f"{name}.parquet", **PARQUET_OPTIONS)
            with csvfile.open_writer(staging / f"{name}.csv", table.schema) as writer:
                writer.write_table(csvfile.csv_ready(table))
            names.append(name)
        (out_dir / CSV_DIR).mkdir(exist_ok=True)
        for name in names:
            os.replace(staging / f"{name}.parquet", out_dir / f"{name}.parquet")
            os.replace(staging / f"{name}.csv", out_dir / CSV_DIR / f"{name}.csv")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_csv_bytes(out_dir: Path, name: str) -> Optional[bytes]:
    """Return the bytes of a table's CSV mirror, or None when it is missing."""
    try:
        return (out_dir / CSV_DIR / f"{name}.csv").read_bytes()
    except OSError:
        return None


def read_json(path: Path) -> Optional[dict]:
    """Return a JSON file's content, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def database_summary(out_dir: Path) -> tuple[Optional[dict[str, int]], list[str]]:
    """Return ({table: rows} of plan.duckdb, its view names), or (None, []) when it cannot be opened."""
    import duckdb

    try:
        con = duckdb.connect(str(out_dir / DATABASE), read_only=True)
    except (duckdb.Error, OSError):
        return None, []
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        counts = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
        return counts, views
    finally:
        con.close()


def parquet_metadata(out_dir: Path, name: str) -> dict[str, str]:
    """Return the planextract key-value metadata of one Parquet file."""
    meta = pq.ParquetFile(out_dir / f"{name}.parquet").metadata.metadata or {}
    return {k.decode(): v.decode() for k, v in meta.items() if k.startswith(b"planextract.")}


def write_text(path: Path, text: str) -> None:
    """Write a generated text file (the data dictionary), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


__all__ = ["OutputStage", "SourceError", "cache", "read_source", "read_rows", "read_table", "read_tables",
           "read_csv_bytes", "read_json", "database_summary",
           "up_to_date", "write_some_tables",
           "parquet_metadata", "write_text", "code_fingerprint"]
