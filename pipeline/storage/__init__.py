"""The storage edge: the only place that reads inputs and writes outputs.

Tables stream into a staging folder inside the output folder, one Parquet row group and a
slice of CSV per document, and are moved into place only when every file was written, so a
failed run leaves the last good output intact. `manifest.json`, written last, records what
the output was made from; a re-run on the same inputs with the same code finds it up to date.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

import pyarrow as pa
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


class OutputStage:
    """Stages one run's outputs in `<out>/.staging-*`; `commit` moves them into place, `abort` drops them."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
        (self.dir / CSV_DIR).mkdir()
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._csv: dict[str, object] = {}
        self.rows: dict[str, int] = {name: 0 for name in table_models()}
        self._database = DatabaseWriter(self.dir)

    def append(self, name: str, table: pa.Table) -> None:
        """Append a document's rows of one table (a Parquet row group and CSV lines)."""
        if name not in self._parquet:
            schema = arrow_schema(table_models()[name])
            self._parquet[name] = pq.ParquetWriter(self.dir / f"{name}.parquet", schema, **PARQUET_OPTIONS)
            self._csv[name] = csvfile.open_writer(self.dir / CSV_DIR / f"{name}.csv", schema)
        if table.num_rows == 0:
            return
        self._parquet[name].write_table(table)
        self._csv[name].write_table(csvfile.csv_ready(table))
        self.rows[name] += table.num_rows

    def finish(self, sources: dict[str, str], pipeline_version: str, run_info: dict) -> list[str]:
        """Close every table (empty ones included), then write the database, data package and manifest.

        Raise ContractError when the declared row checks fail on the staged tables.
        """
        from ..dictionary import datapackage

        metadata = {
            "planextract.schema_version": SCHEMA_VERSION,
            "planextract.pipeline_version": pipeline_version,
            "planextract.source_sha256": json.dumps(dict(sorted(sources.items())), sort_keys=True),
        }
        empty = {name: pa.Table.from_pylist([], schema=arrow_schema(m)) for name, m in table_models().items()}
        for name, table in empty.items():
            self.append(name, table)
            self._parquet[name].add_key_value_metadata(metadata)
            self._parquet[name].close()
            self._csv[name].close()
        names = list(table_models())
        self._database.write(self.dir / DATABASE, names)
        problems = self.check_rows()
        if problems:
            raise ContractError(problems)
        (self.dir / DATAPACKAGE).write_bytes(json_bytes(datapackage(pipeline_version, sources, names)))
        files = [f"{n}.parquet" for n in names] + [f"{CSV_DIR}/{n}.csv" for n in names] + [DATABASE, DATAPACKAGE]
        manifest = dict(run_info, pipeline_version=pipeline_version, schema_version=SCHEMA_VERSION,
                        code_fingerprint=code_fingerprint(), rows=self.rows,
                        files={f: sha256_file(self.dir / f) for f in files})
        (self.dir / MANIFEST).write_bytes(json_bytes(manifest))
        return files + [MANIFEST]

    def check_rows(self) -> list:
        """Return the declared row-check problems of the staged tables (run in the staged database)."""
        import duckdb

        from ..validate import check_rows

        con = duckdb.connect(str(self.dir / DATABASE), read_only=True)
        try:
            return check_rows(con, list(table_models()))
        finally:
            con.close()

    def commit(self, files: list[str]) -> None:
        """Move the staged files into the output folder, the manifest last; then drop the staging folder."""
        (self.out_dir / CSV_DIR).mkdir(exist_ok=True)
        for name in files:  # the manifest is last, so a crash mid-move never looks up to date
            os.replace(self.dir / name, self.out_dir / name)
        self.abort()

    def abort(self) -> None:
        """Drop the staging folder and everything in it."""
        self._database.stop()
        for writer in list(self._parquet.values()) + list(self._csv.values()):
            try:
                writer.close()
            except Exception:  # already closed, or failed mid-write: nothing to keep either way
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


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
        return all(sha256_file(out_dir / f) == h for f, h in manifest.get("files", {}).items())
    except OSError:
        return False


def read_table(out_dir: Path, name: str) -> pa.Table:
    """Return one table of an output folder, read from its Parquet file."""
    return pq.read_table(out_dir / f"{name}.parquet")


def read_tables(out_dir: Path, names: Optional[list[str]] = None) -> dict[str, pa.Table]:
    """Return the tables of an output folder that exist, by name."""
    names = names or list(table_models())
    return {n: read_table(out_dir, n) for n in names if (out_dir / f"{n}.parquet").exists()}


def read_csv_mirror(out_dir: Path, names: list[str]) -> dict[str, Optional[pa.Table]]:
    """Return each table's CSV mirror as read back (all columns as text), or None where it is missing."""
    import pyarrow.csv as pacsv

    out: dict[str, Optional[pa.Table]] = {}
    for name in names:
        path = out_dir / CSV_DIR / f"{name}.csv"
        if not path.exists():
            out[name] = None
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        out[name] = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                                   convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}))
    return out


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


__all__ = ["OutputStage", "SourceError", "cache", "read_source", "read_table", "read_tables", "up_to_date",
           "parquet_metadata", "write_text", "code_fingerprint"]
