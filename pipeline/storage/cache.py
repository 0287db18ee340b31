"""Per-document cache: a document whose bytes, code, rules and options are unchanged is not extracted again.

An entry is a folder `<out>/.cache/<doc_id>-<sha256>-<fingerprint>/` holding one Arrow IPC
file per table. The fingerprint covers the package's source, the rules, the schema version and
the options that change what a document gives (--allow-empty). New entries are written inside
the run's staging folder and move into `.cache/` with the rest of the output, so a failed run
leaves nothing behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
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


def entry_name(doc_id: str, sha256: str, options: dict) -> str:
    """Return the cache folder name of one document version under the current code and options."""
    opts = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:6]
    return f"{doc_id}-{sha256[:16]}-{code_fingerprint()}-{opts}"


def write_folder(folder: Path, tables: dict[str, pa.Table]) -> None:
    """Write each table as `<folder>/<name>.arrow` (Arrow IPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with ipc.new_file(folder / f"{name}.arrow", table.schema) as writer:
            writer.write_table(table)


def read_folder(folder: Path) -> dict[str, pa.Table]:
    """Return the tables of a folder written by `write_folder`, by name."""
    return {p.stem: ipc.open_file(p).read_all() for p in sorted(folder.glob("*.arrow"))}


def load(out_dir: Path, name: str) -> Optional[dict[str, pa.Table]]:
    """Return the tables of cache entry `name` in `out_dir`, or None when there is no valid entry."""
    folder = out_dir / CACHE_DIR / name
    if not folder.is_dir():
        return None
    try:
        return read_folder(folder)
    except (OSError, pa.ArrowInvalid):
        return None


def store(root: Path, name: str, tables: dict[str, pa.Table]) -> None:
    """Write a document's tables as entry `name` under `root` (the staging folder's new entries)."""
    write_folder(root / name, tables)


def publish(staged: Path, out_dir: Path) -> None:
    """Move the entries staged under `staged` into `<out_dir>/.cache/` (an entry already there stays)."""
    if not staged.is_dir():
        return
    root = out_dir / CACHE_DIR
    root.mkdir(exist_ok=True)
    for entry in sorted(staged.iterdir()):
        if not (root / entry.name).exists():
            os.replace(entry, root / entry.name)


def prune(out_dir: Path, keep: set[str]) -> None:
    """Remove cache entries that the last successful run did not use."""
    root = out_dir / CACHE_DIR
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
