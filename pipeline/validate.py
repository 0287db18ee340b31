"""Validate stage: the contract checks over a set of tables, as a list of problems (empty when valid).

Pure: takes arrow tables (one document's, or a whole output folder's) and returns findings.
The extract run applies the same checks to every document before it is emitted, and
`planextract validate DIR` applies them to what was written.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import repeat
from operator import eq, le, lt, sub
from typing import Callable, Iterable, Optional

import pyarrow as pa

from .models import SPAN_CHECKS, TableMeta, table_models
from .schema import SPAN_COLUMNS, arrow_schema

MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Problem:
    """One failed check: which table, which check, how many rows, and a few examples."""

    table: str
    check: str
    message: str
    count: int = 1

    def __str__(self) -> str:
        rows = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{self.table}: {self.check}{rows}: {self.message}"


class ContractError(Exception):
    """Output that breaks the contract; `problems` lists every failed check."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _examples(items: list) -> str:
    shown = ", ".join(str(i) for i in items[:MAX_EXAMPLES])
    return shown + (", …" if len(items) > MAX_EXAMPLES else "")


def check_schemas(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return a problem for every missing table and every column whose name, type or nullability differs."""
    problems = []
    for name, model in table_models().items():
        if name not in tables:
            problems.append(Problem(name, "schema", "table is missing"))
            continue
        want, got = arrow_schema(model), tables[name].schema
        if want.names != got.names:
            problems.append(Problem(name, "schema", f"columns {got.names} != expected {want.names}"))
            continue
        for w, g in zip(want, got):
            if not w.type.equals(g.type) or w.nullable != g.nullable:
                problems.append(Problem(name, "schema", f"column {w.name}: {g.type}{'' if g.nullable else ' not null'} "
                                                        f"!= expected {w.type}{'' if w.nullable else ' not null'}"))
    return problems


def _rows(table: pa.Table, columns: Iterable[str]) -> list[tuple]:
    cols = [table.column(c).to_pylist() for c in columns]
    return list(zip(*cols))


def check_keys(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return problems for duplicate or null primary keys and for foreign keys that do not resolve."""
    problems = []
    models = table_models()
    keys: dict[str, set] = {}
    for name, table in tables.items():
        if name not in models:
            continue
        meta = models[name].table
        rows = _rows(table, meta.primary_key)
        if any(table.column(c).null_count for c in meta.primary_key):  # arrow counts them; rows only when there are any
            nulls = [r for r in rows if None in r]
            problems.append(Problem(name, "primary_key", f"null key in {meta.primary_key}", len(nulls)))
        seen = set(rows)
        dups = []
        if len(seen) < len(rows):  # walk the rows only when some key repeats
            seen = set()
            for r in rows:
                if r in seen:
                    dups.append(r)
                seen.add(r)
        if dups:
            problems.append(Problem(name, "primary_key", f"duplicate {meta.primary_key}: {_examples(dups)}", len(dups)))
        keys[name] = seen
    for name, table in tables.items():
        if name not in models:
            continue
        for cols, ref, ref_cols in models[name].table.foreign_keys:
            if ref not in tables:
                continue
            target = keys[ref] if tuple(ref_cols) == models[ref].table.primary_key else set(_rows(tables[ref], ref_cols))
            missing = [r for r in _rows(table, cols) if r not in target and None not in r]
            if missing:
                problems.append(Problem(name, "foreign_key", f"{cols} not in {ref}{ref_cols}: {_examples(missing)}",
                                        len(missing)))
    return problems


def _span_problems(name: str, meta: TableMeta, table: pa.Table, texts: dict[str, str],
                   paragraphs: dict[tuple[str, str], tuple[int, int]], n_lines: dict[str, int]) -> list[Problem]:
    doc_ids, starts, ends, line_starts, line_ends = (table.column(c).to_pylist() for c in ("doc_id", *SPAN_COLUMNS))
    evidences = table.column(meta.evidence).to_pylist() if meta.evidence else repeat(None)
    ref_column = {"paragraphs": "paragraph_ids", "within_paragraph": "paragraph_id"}.get(meta.span_rule or "")
    refs = table.column(ref_column).to_pylist() if ref_column else repeat(None)
    if _all_sound(meta, doc_ids, starts, ends, line_starts, line_ends, evidences, refs, texts, paragraphs, n_lines):
        return []
    equals = meta.evidence_mode == "equals"
    bad: dict[str, list] = defaultdict(list)
    for i, (doc_id, cs, ce, ls, le, evidence, ref) in enumerate(zip(doc_ids, starts, ends, line_starts, line_ends,
                                                                   evidences, refs)):
        if cs is None:
            if not meta.span_nullable:
                bad["span missing"].append(i)
            continue
        text = texts.get(doc_id)
        if text is None:
            continue  # the foreign-key check reports an unknown document
        if not (0 <= cs < ce <= len(text)) and not (name == "documents" and cs == ce == 0):
            bad["char span outside the text"].append(i)
            continue
        if not (1 <= ls <= le <= max(n_lines.get(doc_id, le), 1)):
            bad["line span outside the raw file"].append(i)
        if meta.evidence:
            # Compared in place: slicing text[cs:ce] would copy every span (the whole text for a document).
            if equals:
                ok = evidence is not None and len(evidence) == ce - cs and text.startswith(evidence, cs)
            else:
                ok = evidence is not None and text.startswith(evidence, cs, ce)
            if not ok:
                bad[f"text[char_start:char_end] does not {meta.evidence_mode.replace('equals', 'equal')} "
                    f"{meta.evidence}"].append(i)
        if meta.span_rule == "paragraphs":
            ids = ref or []
            spans = [paragraphs.get((doc_id, p)) for p in ids]
            if not ids or None in spans:
                bad["paragraph_ids unknown"].append(i)
            elif (cs, ce) != (spans[0][0], spans[-1][1]):
                bad["span is not first paragraph start to last paragraph end"].append(i)
        elif meta.span_rule == "within_paragraph":
            para = paragraphs.get((doc_id, ref))
            if para is None:
                bad["paragraph_id unknown"].append(i)
            elif not (para[0] <= cs and ce <= para[1]):
                bad["span outside its paragraph"].append(i)
    return [Problem(name, "span", f"{what}: rows {_examples(rows)}", len(rows)) for what, rows in bad.items()]


def _all_sound(meta: TableMeta, doc_ids: list, starts: list, ends: list, line_starts: list, line_ends: list,
               evidences, refs, texts: dict[str, str], paragraphs: dict[tuple[str, str], tuple[int, int]],
               n_lines: dict[str, int]) -> bool:
    """Whether every row of a one-document table passes the span checks, tested a column at a time.

    False means only "not shown so": the row-by-row checks then find the problems, if any.
    (Extraction checks every document before it is emitted; this is the path it takes.)
    """
    if not doc_ids:
        return True
    doc_id = doc_ids[0]
    text, n = texts.get(doc_id), n_lines.get(doc_id)
    if text is None or n is None or doc_ids.count(doc_id) != len(doc_ids):
        return False
    if None in starts or None in ends or None in line_starts or None in line_ends:
        return False
    if min(starts) < 0 or max(ends) > len(text) or not all(map(lt, starts, ends)):
        return False
    if min(line_starts) < 1 or max(line_ends) > max(n, 1) or not all(map(le, line_starts, line_ends)):
        return False
    if meta.evidence:
        if None in evidences:
            return False
        if meta.evidence_mode == "equals":
            if not (all(map(eq, map(len, evidences), map(sub, ends, starts)))
                    and all(map(text.startswith, evidences, starts))):
                return False
        elif not all(map(text.startswith, evidences, starts, ends)):
            return False
    if meta.span_rule == "paragraphs":
        for cs, ce, ids in zip(starts, ends, refs):
            spans = [paragraphs.get((doc_id, p)) for p in ids or ()]
            if not spans or None in spans or (cs, ce) != (spans[0][0], spans[-1][1]):
                return False
    elif meta.span_rule == "within_paragraph":
        for cs, ce, ref in zip(starts, ends, refs):
            para = paragraphs.get((doc_id, ref))
            if para is None or not (para[0] <= cs and ce <= para[1]):
                return False
    return True


def check_spans(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return problems for every row whose span does not resolve to its evidence in documents.text."""
    docs = tables.get("documents")
    if docs is None:
        return []
    texts = dict(zip(docs.column("doc_id").to_pylist(), docs.column("text").to_pylist()))
    n_lines = dict(zip(docs.column("doc_id").to_pylist(), docs.column("n_lines").to_pylist()))
    paragraphs = {}
    if "paragraphs" in tables:
        paragraphs = {(d, p): (s, e) for d, p, s, e in _rows(tables["paragraphs"], ["doc_id", "paragraph_id",
                                                                                    "char_start", "char_end"])}
    problems = []
    for name, model in table_models().items():
        table = tables.get(name)
        if table is not None and "char_start" in table.schema.names:
            problems.extend(_span_problems(name, model.table, table, texts, paragraphs, n_lines))
    return problems


def row_check_queries(names: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """Return (table, check id, description, SQL counting the rows that fail it) for each declared row check."""
    queries = []
    models = table_models()
    for name in names:
        meta = models[name].table
        has_span = "char_start" in models[name].model_fields
        for check in (SPAN_CHECKS if has_span else ()) + meta.checks:
            queries.append((name, check.id, check.description,
                            f'SELECT count(*) FROM "{name}" WHERE NOT coalesce(({check.sql}), false)'))
    return queries


def row_problems(counts: Iterable[tuple[str, str, str, int]]) -> list[Problem]:
    """Return a problem for each (table, check id, description, failing rows) with failing rows."""
    return [Problem(name, check_id, description, n) for name, check_id, description, n in counts if n]


def check_rows(con, names: Iterable[str]) -> list[Problem]:
    """Return problems for the declared row checks (SQL expressions) that some rows fail.

    `con` is a DuckDB connection in which each of `names` is a table or a registered arrow table.
    """
    return row_problems((name, check_id, description, con.execute(sql).fetchone()[0])
                        for name, check_id, description, sql in row_check_queries(names))


def check_rows_in_memory(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return the declared row-check problems of arrow tables (registered in an in-memory DuckDB)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        names = [n for n in table_models() if n in tables]
        for name in names:
            con.register(name, tables[name])
        return check_rows(con, names)
    finally:
        con.close()


def _first_difference(a: bytes, b: bytes) -> int:
    """Return the 1-based line of `a` where `a` and `b` first differ."""
    for i, (x, y) in enumerate(zip(a.split(b"\n"), b.split(b"\n"))):
        if x != y:
            return i + 1
    return min(a.count(b"\n"), b.count(b"\n")) + 1


def check_csv(tables: dict[str, pa.Table], mirror: Callable[[str], Optional[bytes]]) -> list[Problem]:
    """Return problems where the CSV mirror of a table is missing or is not exactly its Parquet, rendered as CSV.

    `mirror(name)` returns the bytes of the table's CSV file, or None when it is missing.
    """
    from .storage.csvfile import csv_bytes

    problems = []
    for name, table in tables.items():
        got = mirror(name)
        if got is None:
            problems.append(Problem(name, "csv", "CSV mirror is missing"))
            continue
        want = csv_bytes(table)
        if got != want:
            lines, expected = got.count(b"\n"), want.count(b"\n")
            problems.append(Problem(name, "csv", f"CSV differs from the Parquet from line {_first_difference(got, want)} "
                                                 f"({lines} lines, expected {expected})"))
    return problems


def check_package(package: Optional[dict], expected: dict) -> list[Problem]:
    """Return problems where datapackage.json is missing or does not describe the tables as the models do."""
    if package is None:
        return [Problem("datapackage.json", "package", "file is missing or not JSON")]
    if package != expected:
        names = [r.get("name") for r in package.get("resources", [])]
        differ = [r["name"] for r in expected["resources"] if r not in package.get("resources", [])]
        what = f"resources {names}" if names != [r["name"] for r in expected["resources"]] else f"descriptors of {differ}"
        return [Problem("datapackage.json", "package", f"does not match the models: {what or 'package metadata'}")]
    return []


def check_database(counts: Optional[dict[str, int]], tables: dict[str, pa.Table], views: Iterable[str],
                   expected_views: Iterable[str]) -> list[Problem]:
    """Return problems where plan.duckdb is missing, lacks a table or view, or holds other row counts."""
    if counts is None:
        return [Problem("plan.duckdb", "database", "file is missing or cannot be opened")]
    problems = [Problem(name, "database", f"plan.duckdb has {counts.get(name)} rows, Parquet {t.num_rows}")
                for name, t in tables.items() if counts.get(name) != t.num_rows]
    missing = sorted(set(expected_views) - set(views))
    if missing:
        problems.append(Problem("plan.duckdb", "database", f"views missing: {', '.join(missing)}"))
    return problems


def validate_tables(tables: dict[str, pa.Table], row_checks: bool = True) -> list[Problem]:
    """Return every contract problem of `tables`: schemas, keys, spans and (optionally) declared row checks."""
    problems = check_schemas(tables)
    broken = {p.table for p in problems}
    sound = {name: t for name, t in tables.items() if name not in broken}  # checked further only when well-formed
    problems += check_keys(sound) + check_spans(sound)
    if row_checks:
        problems += check_rows_in_memory(sound)
    return problems
