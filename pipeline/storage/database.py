"""`plan.duckdb`: every table loaded from the staged Parquet files, documented, plus the analysts' views."""
from __future__ import annotations

from pathlib import Path

from ..models import table_models

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"

# DuckDB writes byte-identical files only single-threaded and without FSST string
# compression, whose symbol table is built from a random sample of the strings.
DETERMINISTIC = {"threads": 1}
DETERMINISTIC_SETTINGS = ("SET disabled_compression_methods = 'fsst'",)


def sql_files() -> dict[str, str]:
    """Return the view definitions in pipeline/sql/, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SQL_DIR.glob("*.sql"))}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_database(path: Path, parquet_dir: Path, tables: list[str]) -> None:
    """Write a DuckDB database at `path` holding `tables` (from `parquet_dir`), their comments and the views."""
    import duckdb

    models = table_models()
    con = duckdb.connect(str(path), config=DETERMINISTIC)
    try:
        for setting in DETERMINISTIC_SETTINGS:
            con.execute(setting)
        for name in tables:
            source = (parquet_dir / f"{name}.parquet").as_posix()
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet({_quote(source)})')
            meta = models[name].table
            con.execute(f'COMMENT ON TABLE "{name}" IS {_quote(meta.description + " Grain: " + meta.grain + ".")}')
            for col, info in models[name].model_fields.items():
                con.execute(f'COMMENT ON COLUMN "{name}"."{col}" IS {_quote(info.description or "")}')
        for _, sql in sql_files().items():
            con.execute(sql)
        con.execute("CHECKPOINT")
    finally:
        con.close()
