"""Writes plan.duckdb from staged Parquet files; run as a script, in a fresh process, by database.py.

DuckDB leaves whatever was in its buffers in the unused parts of the blocks it writes, so a
database is byte-identical between runs only when it is written by a fresh process doing the
same work with the same (relative) paths, its allocator zeroing what it hands out (database.py
sets ALLOCATOR_ENV). This script imports nothing but DuckDB.

Reads a JSON job on stdin: {"database", "settings", "tables": [[name, parquet, comment, {col: comment}]], "sql",
"checks": [[table, check id, description, SQL counting failing rows]]}. Writes the database, runs the checks
in it, and prints [[table, check id, description, failing rows]] as JSON on stdout.
"""
import json
import sys


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    import duckdb  # before the job arrives: the import overlaps the parent's extraction

    job = json.load(sys.stdin)
    con = duckdb.connect(job["database"], config={"threads": 1})
    try:
        for setting in job["settings"]:
            con.execute(setting)
        # One transaction per table, then a checkpoint: DuckDB keeps an uncommitted table in memory,
        # so a single transaction for everything held the whole archive (1 GB for 500 versions).
        for name, parquet, comment, columns in job["tables"]:
            statements = ["BEGIN TRANSACTION",  # one commit per table, not one per statement
                          f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet({quote(parquet)})',
                          f'COMMENT ON TABLE "{name}" IS {quote(comment)}']
            statements.extend(f'COMMENT ON COLUMN "{name}"."{col}" IS {quote(text)}' for col, text in columns.items())
            con.execute(";\n".join(statements))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        con.execute("BEGIN TRANSACTION")
        for sql in job["sql"]:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        counts = [[table, check_id, description, con.execute(sql).fetchone()[0]]
                  for table, check_id, description, sql in job["checks"]]
    finally:
        con.close()
    json.dump(counts, sys.stdout)


if __name__ == "__main__":
    main()
