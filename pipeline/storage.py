"""The storage edge: the only module that writes output files.

Tables are written into a staging folder inside the output folder and moved into place
only when every file was written, so a failed run leaves the last good output intact.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from .models import SCHEMA_VERSION, Row, table_models
from .schema import to_table


def file_metadata(sources: dict[str, str]) -> dict[bytes, bytes]:
    """Return the key-value metadata stored in every Parquet file."""
    from .run import PIPELINE_VERSION

    return {
        b"planextract.schema_version": SCHEMA_VERSION.encode(),
        b"planextract.pipeline_version": PIPELINE_VERSION.encode(),
        b"planextract.source_sha256": json.dumps(sources, sort_keys=True).encode(),
    }


def write_parquet(table: pa.Table, path: Path, metadata: dict[bytes, bytes]) -> None:
    """Write one arrow table deterministically (fixed writer settings, no timestamps)."""
    meta = dict(table.schema.metadata or {})
    meta.update(metadata)
    table = table.replace_schema_metadata(meta)
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True,
                   store_schema=True, version="2.6")


def write_outputs(tables: dict[str, list[Row]], out_dir: Path, sources: dict[str, str]) -> list[Path]:
    """Write every table as Parquet into `out_dir`, atomically; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        metadata = file_metadata(sources)
        written = []
        for name, model in table_models().items():
            path = staging / f"{name}.parquet"
            write_parquet(to_table(model, tables.get(name, [])), path, metadata)
            written.append(path.name)
        move_into_place(staging, out_dir, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in written]


def move_into_place(staging: Path, out_dir: Path, names: Iterable[str]) -> None:
    """Move staged files and folders into `out_dir`, replacing what was there."""
    for name in names:
        target = out_dir / name
        if target.is_dir():
            old = out_dir / f".old-{name}-{os.getpid()}"
            target.rename(old)
            (staging / name).rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging / name, target)


# -- issue 7: write some tables only, and read a table back ---------------------

def write_tables(tables: dict[str, list[Row]], out_dir: Path, sources: dict[str, str], names: Iterable[str]) -> list[Path]:
    """Write only the tables `names` as Parquet into `out_dir`, atomically; other files there stay as they are."""
    models = table_models()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        metadata = file_metadata(sources)
        written = []
        for name in names:
            write_parquet(to_table(models[name], tables.get(name, [])), staging / f"{name}.parquet", metadata)
            written.append(f"{name}.parquet")
        move_into_place(staging, out_dir, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in written]


def read_table(out_dir: Path, name: str) -> list[Row]:
    """Return the rows of table `name` read back from `out_dir/<name>.parquet` as row models.

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
