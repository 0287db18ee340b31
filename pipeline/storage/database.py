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

# DuckDB's compressors do not choose the same way every run (FSST samples the strings it
# builds its symbol table from), so the database is written uncompressed, by a fresh process
# (see duckdb_writer.py): then it is byte-identical between runs. The Parquet files stay
# compressed; the database is about 1.2 times the size it would be.
# DuckDB also writes the unused tail of a block as it finds it in memory, so the writer's
# allocator (the jemalloc DuckDB bundles on Linux, configured by this variable, not MALLOC_CONF)
# hands it zeroed memory: without that, an archive's database bytes differed from run to run.
# Zeroed memory is not enough when DuckDB reuses a buffer it evicted to stay under memory_limit: the
# writer stays on one CPU (duckdb_writer.stay_on_one_cpu), so that it evicts the same blocks every run.
ALLOCATOR_ENV = {"DUCKDB_JE_MALLOC_CONF": "zero:true"}
# Bounded memory: DuckDB spills to disk beyond this rather than holding an archive in RAM.
MEMORY_LIMIT = "SET memory_limit = '256MB'"
DETERMINISTIC_SETTINGS = ("SET force_compression = 'uncompressed'", MEMORY_LIMIT)


class DatabaseError(OSError):
    """DuckDB could not write the database; `str()` says why in one line."""


def _quote(text: str) -> str:
    """Return `text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


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
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUCKDB")} | ALLOCATOR_ENV
        self.proc = subprocess.Popen([sys.executable, str(WRITER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=parquet_dir, env=env)

    def write(self, path: Path, tables: list[str], checks: list[tuple[str, str, str, str]]) -> list[tuple]:
        """Write the database at `path` from the Parquet files of `tables`, then run `checks` (table, check id,
        description, SQL counting failing rows) in it; return (table, check id, description, failing rows)
        of each. Raise DatabaseError on failure."""
        job = json.dumps(dict(database_job(os.path.relpath(path, self.parquet_dir), tables), checks=checks))
        out, err = self.proc.communicate(job)
        if self.proc.returncode != 0:
            last = (err.strip().splitlines() or ["no message"])[-1]
            raise DatabaseError(f"{path}: DuckDB could not write the database: {last}")
        return [tuple(row) for row in json.loads(out)]

    def stop(self) -> None:
        """Stop the writer when the run ends without writing."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def same_content(a: Path, b: Path) -> bool:
    """Whether two databases hold the same tables and views, column comments, and rows in the same order."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH {_quote(str(a))} AS a (READ_ONLY)")
        con.execute(f"ATTACH {_quote(str(b))} AS b (READ_ONLY)")
        listing = ("SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
                   "WHERE database_name = '{}' ORDER BY table_name, column_index")
        views = "SELECT view_name, sql FROM duckdb_views() WHERE database_name = '{}' AND NOT internal ORDER BY 1"
        for query in (listing, views):
            if con.execute(query.format("a")).fetchall() != con.execute(query.format("b")).fetchall():
                return False
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' "
                                            "ORDER BY 1").fetchall()]
        for name in tables:
            differing = con.execute(
                f'SELECT count(*) FROM (SELECT row_number() OVER () AS n, * FROM a."{name}") AS x '
                f'FULL JOIN (SELECT row_number() OVER () AS n, * FROM b."{name}") AS y USING (n) '
                f'WHERE x IS DISTINCT FROM y').fetchone()[0]
            if differing:
                return False
        return True
    finally:
        con.close()
