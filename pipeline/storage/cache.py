"""Per-document cache: a document whose bytes, code and rules are unchanged is not extracted again.

An entry is a folder `<out>/.cache/<doc_id>-<sha256>-<fingerprint>/` holding one Arrow IPC
file per table. It is written to a temporary name and renamed, so a half-written entry is
never read. The fingerprint covers the package's source, the rules and the schema version.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pyarrow as pa
import pyarrow.ipc as ipc

from ..models import SCHEMA_VERSION

PACKAGE_DIR = Path(__file__).resolve().parent.parent
RULES_DIR = PACKAGE_DIR.parent / "rules"
CACHE_DIR = ".cache"


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Return a hash of everything that decides the output: package source, rules and schema version."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(PACKAGE_DIR.rglob("*.sql")) + sorted(RULES_DIR.glob("*"))
    for path in files:
        if path.is_file():
            h.update(path.relative_to(PACKAGE_DIR.parent).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def entry_name(doc_id: str, sha256: str) -> str:
    """Return the cache folder name of one document version under the current code."""
    return f"{doc_id}-{sha256[:16]}-{code_fingerprint()}"


def write_folder(folder: Path, tables: dict[str, pa.Table]) -> None:
    """Write each table as `<folder>/<name>.arrow` (Arrow IPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with ipc.new_file(folder / f"{name}.arrow", table.schema) as writer:
            writer.write_table(table)


def read_folder(folder: Path) -> dict[str, pa.Table]:
    """Return the tables of a folder written by `write_folder`, by name."""
    return {p.stem: ipc.open_file(p).read_all() for p in sorted(folder.glob("*.arrow"))}


def load(out_dir: Path, doc_id: str, sha256: str) -> Optional[dict[str, pa.Table]]:
    """Return the cached tables of a document, or None when there is no valid entry."""
    folder = out_dir / CACHE_DIR / entry_name(doc_id, sha256)
    if not folder.is_dir():
        return None
    try:
        return read_folder(folder)
    except (OSError, pa.ArrowInvalid):
        return None


def store(out_dir: Path, doc_id: str, sha256: str, tables: dict[str, pa.Table]) -> None:
    """Write a document's tables as a cache entry (atomically: temp folder, then rename)."""
    root = out_dir / CACHE_DIR
    root.mkdir(parents=True, exist_ok=True)
    final = root / entry_name(doc_id, sha256)
    if final.exists():
        return
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        write_folder(tmp, tables)
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def prune(out_dir: Path, keep: set[str]) -> None:
    """Remove cache entries that the last successful run did not use."""
    root = out_dir / CACHE_DIR
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
