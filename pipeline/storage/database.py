"""`plan.duckdb`: every table loaded from the staged Parquet files, documented, plus the analysts' views."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..models import table_models

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
WRITER = Path(__file__).resolve().with_name("duckdb_writer.py")

# FSST string compression builds its symbol table from a random sample of the strings;
# without it, a fresh process writes the same bytes every time (see duckdb_writer.py).
DETERMINISTIC_SETTINGS = ("SET disabled_compression_methods = 'fsst'",)


class DatabaseError(OSError):
    """DuckDB could not write the database; `str()` says why in one line."""


def sql_settings() -> dict[str, str]:
    """Return the values substituted into the view SQL: settings pinned in rules/, never repeated in SQL."""
    from ..periods import grammar

    return {"fy_start_month": str(grammar().fy_month)}


def sql_files() -> dict[str, str]:
    """Return the view definitions in pipeline/sql/, by file name, with the pinned settings filled in."""
    settings = sql_settings()
    out = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        for key, value in settings.items():
            sql = sql.replace("{" + key + "}", value)
        out[path.name] = sql
    return out


def database_job(database: str, tables: list[str]) -> dict:
    """Return the writer's job: tables with their Parquet files and comments, settings and view SQL."""
    models = table_models()
    rows = []
    for name in tables:
        meta = models[name].table
        columns = {col: info.description or "" for col, info in models[name].model_fields.items()}
        rows.append([name, f"{name}.parquet", f"{meta.description} Grain: {meta.grain}.", columns])
    return {"database": database, "settings": list(DETERMINISTIC_SETTINGS), "tables": rows,
            "sql": list(sql_files().values())}


class DatabaseWriter:
    """A fresh writer process, started early so that its start-up overlaps the extraction."""

    def __init__(self, parquet_dir: Path):
        self.parquet_dir = parquet_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUCKDB")}
        self.proc = subprocess.Popen([sys.executable, str(WRITER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=parquet_dir, env=env)

    def write(self, path: Path, tables: list[str]) -> None:
        """Write the database at `path` from the Parquet files of `tables`; raise DatabaseError on failure."""
        job = json.dumps(database_job(os.path.relpath(path, self.parquet_dir), tables))
        _, err = self.proc.communicate(job)
        if self.proc.returncode != 0:
            last = (err.strip().splitlines() or ["no message"])[-1]
            raise DatabaseError(f"{path}: DuckDB could not write the database: {last}")

    def stop(self) -> None:
        """Stop the writer when the run ends without writing."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def build_database(path: Path, parquet_dir: Path, tables: list[str]) -> None:
    """Write a DuckDB database at `path` holding `tables` (from `parquet_dir`), their comments and the views."""
    DatabaseWriter(parquet_dir).write(path, tables)
