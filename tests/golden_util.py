"""Golden files: whole expected tables as CSV, compared cell by cell.

Set UPDATE_GOLDEN=1 to rewrite a golden file from the current output, then review the
diff in git before committing: a golden file is a claim about the plan, not a snapshot.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path


def cell(value) -> str:
    """Return the CSV text of one value (lists joined with ' | ', None empty, floats trimmed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return " | ".join(cell(v) for v in value)
    return str(value)


def to_csv(rows, columns: list[str]) -> str:
    """Return `rows` (models) as CSV text with the given columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(getattr(row, c)) for c in columns])
    return buf.getvalue()


def check_golden(path: Path, rows, columns: list[str]) -> None:
    """Assert that `rows` equal the golden CSV at `path`, reporting the first differing rows."""
    actual = to_csv(rows, columns)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual == expected:
        return
    exp_rows = list(csv.reader(io.StringIO(expected)))
    act_rows = list(csv.reader(io.StringIO(actual)))
    diffs = []
    for i, (e, a) in enumerate(zip(exp_rows, act_rows)):
        if e != a:
            diffs.append(f"row {i}: " + "; ".join(f"{c}: {x!r} != {y!r}" for c, x, y in zip(exp_rows[0], e, a) if x != y))
    if len(exp_rows) != len(act_rows):
        diffs.append(f"{len(act_rows) - 1} rows, golden has {len(exp_rows) - 1}")
    raise AssertionError(f"{path.name} differs:\n" + "\n".join(diffs[:15]))
