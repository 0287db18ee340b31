"""Writes plan.duckdb from staged Parquet files; run as a script, in a fresh process, by database.py.

DuckDB leaves whatever was in its buffers in the unused parts of the blocks it writes, so a
database is byte-identical between runs only when it is written by a fresh process doing the
same work with the same (relative) paths, its allocator zeroing what it hands out (database.py
sets ALLOCATOR_ENV), and on one CPU (see stay_on_one_cpu). This script imports nothing but DuckDB.

Reads a JSON job on stdin: {"database", "settings", "tables": [[name, parquet, comment, {col: comment}]], "sql",
"checks": [[table, check id, description, SQL counting failing rows]]}. Writes the database, runs the checks
in it, and prints [[table, check id, description, failing rows]] as JSON on stdout.
"""
import json
import os
import sys


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def stay_on_one_cpu():
    """Keep this process on the CPU it is running on (Linux; elsewhere, or when not allowed, nothing changes).

    DuckDB counts small allocations (under 32 KiB) in a cache per CPU, adding a cache to the memory
    total it checks against memory_limit only when the cache reaches 32 KiB: after a move to another CPU,
    what the first CPU's cache holds is missing from the total. So the blocks evicted to stay under the
    limit, and with them which old buffer a new block reuses, and so the stale bytes left in its unused
    parts, depended on when the scheduler moved the process: a loaded machine gave a database whose
    bytes differed while its rows did not. On one CPU every count goes to one cache, the same way each run.
    """
    if not hasattr(os, "sched_setaffinity"):
        return
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            cpu = int(stat.read().rsplit(")", 1)[1].split()[36])  # field 39: the CPU it last ran on
    except (OSError, ValueError, IndexError):
        cpu = min(os.sched_getaffinity(0))
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        pass


def main():
    import duckdb  # before the job arrives: the import overlaps the parent's extraction

    job = json.load(sys.stdin)
    stay_on_one_cpu()  # once the job has arrived: the CPU it wakes up on is one with time for it
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
