"""Validate stage: the contract checks over a set of tables, as a list of problems (empty when valid).

Pure: takes arrow tables (one document's, or a whole output folder's) and returns findings.
The extract run applies the same checks to every document before it is emitted, and
`planextract validate DIR` applies them to what was written.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Iterable, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


class _KeyColumns:
    """Key columns of tables as Python lists, each converted once (a column serves several keys)."""

    def __init__(self, tables: dict[str, pa.Table]):
        self.tables = tables
        self.lists: dict[tuple[str, str], list] = {}
        self.constants: dict[tuple[str, str], tuple] = {}

    def column(self, name: str, column: str) -> list:
        """Return the values of one column."""
        key = (name, column)
        if key not in self.lists:
            self.lists[key] = self.tables[name].column(column).to_pylist()
        return self.lists[key]

    def rows(self, name: str, columns: Iterable[str]) -> list[tuple]:
        """Return the table's rows of `columns`, as tuples."""
        return list(zip(*(self.column(name, c) for c in columns)))

    def prefix(self, name: str, columns: tuple[str, ...]) -> Optional[tuple]:
        """Return the one value each of `columns` holds throughout table `name` (as a tuple), or None when one varies."""
        values = []
        for c in columns:
            if (name, c) not in self.constants:
                v = self.column(name, c)
                self.constants[(name, c)] = (v[0],) if v and v.count(v[0]) == len(v) else ()
            if not self.constants[(name, c)]:
                return None
            values.extend(self.constants[(name, c)])
        return tuple(values)


class _KeySet:
    """The keys of one table (a column tuple per row), for membership tests.

    A document's table has one doc_id throughout: then the keys are that prefix and a set of last
    values, so that no tuple is built or hashed per row unless some test needs the tuples.
    """

    def __init__(self, columns: _KeyColumns, name: str, key: tuple[str, ...]):
        self.columns, self.name, self.key = columns, name, key
        self.prefix = columns.prefix(name, key[:-1])
        self.last = set(columns.column(name, key[-1])) if self.prefix is not None else None
        self._tuples: Optional[set] = None

    def tuples(self) -> set[tuple]:
        """Return the keys as a set of tuples."""
        if self._tuples is None:
            self._tuples = set(self.columns.rows(self.name, self.key))
        return self._tuples

    def __len__(self) -> int:
        return len(self.last) if self.last is not None else len(self.tuples())

    def holds_all(self, name: str, columns: tuple[str, ...]) -> bool:
        """Whether every row of table `name`'s `columns` is a key of this table."""
        if self.last is not None and self.columns.prefix(name, columns[:-1]) == self.prefix:
            return self.last.issuperset(self.columns.column(name, columns[-1]))  # the prefix matches throughout
        return self.tuples().issuperset(self.columns.rows(name, columns))


def check_keys(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return problems for duplicate or null primary keys and for foreign keys that do not resolve."""
    problems = []
    models = table_models()
    keys: dict[str, _KeySet] = {}
    columns = _KeyColumns(tables)
    for name, table in tables.items():
        if name not in models:
            continue
        meta = models[name].table
        keys[name] = key_set = _KeySet(columns, name, tuple(meta.primary_key))
        if any(table.column(c).null_count for c in meta.primary_key):  # arrow counts them; rows only when there are any
            nulls = [r for r in columns.rows(name, meta.primary_key) if None in r]
            problems.append(Problem(name, "primary_key", f"null key in {meta.primary_key}", len(nulls)))
        if len(key_set) < table.num_rows:  # walk the rows only when some key repeats
            seen, dups = set(), []
            for r in columns.rows(name, meta.primary_key):
                if r in seen:
                    dups.append(r)
                seen.add(r)
            problems.append(Problem(name, "primary_key", f"duplicate {meta.primary_key}: {_examples(dups)}", len(dups)))
    for name, table in tables.items():
        if name not in models:
            continue
        for cols, ref, ref_cols in models[name].table.foreign_keys:
            if ref not in tables:
                continue
            target = keys[ref] if tuple(ref_cols) == models[ref].table.primary_key else _KeySet(columns, ref, tuple(ref_cols))
            if target.holds_all(name, tuple(cols)):  # every key resolves: walk the rows only when some does not
                continue
            known = target.tuples()
            missing = [r for r in columns.rows(name, cols) if r not in known and None not in r]
            if missing:
                problems.append(Problem(name, "foreign_key", f"{cols} not in {ref}{ref_cols}: {_examples(missing)}",
                                        len(missing)))
    return problems


def _span_problems(name: str, meta: TableMeta, table: pa.Table, texts: dict[str, str],
                   paragraphs: dict[tuple[str, str], tuple[int, int]], n_lines: dict[str, int]) -> list[Problem]:
    """Return the span problems of one table, found row by row (the reference the column-wise checks follow)."""
    doc_ids, starts, ends, line_starts, line_ends = (table.column(c).to_pylist() for c in ("doc_id", *SPAN_COLUMNS))
    evidences = table.column(meta.evidence).to_pylist() if meta.evidence else repeat(None)
    ref_column = _REF_COLUMN.get(meta.span_rule or "")
    refs = table.column(ref_column).to_pylist() if ref_column else repeat(None)
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
            elif not (spans[0][0] <= cs < spans[0][1] and spans[-1][0] < ce <= spans[-1][1]
                      and ends_a_line(text, ce, spans[-1][1])):
                bad["span does not start in the first paragraph and end a line of the last"].append(i)
        elif meta.span_rule == "within_paragraph":
            para = paragraphs.get((doc_id, ref))
            if para is None:
                bad["paragraph_id unknown"].append(i)
            elif not (para[0] <= cs and ce <= para[1]):
                bad["span outside its paragraph"].append(i)
    return [Problem(name, "span", f"{what}: rows {_examples(rows)}", len(rows)) for what, rows in bad.items()]


_REF_COLUMN = {"paragraphs": "paragraph_ids", "within_paragraph": "paragraph_id"}


def ends_a_line(text: str, end: int, paragraph_end: int) -> bool:
    """Whether a span ending at `end` ends a line of the paragraph ending at `paragraph_end` (white space aside)."""
    rest = text[end:paragraph_end]
    return not rest.split("\n", 1)[0].strip() and ("\n" in rest or end == paragraph_end)


# Python values never go to pyarrow.compute nor numbers through to_numpy here: pyarrow's pandas shim
# would import pandas (a second or more) in a process that answered its probe without it
# (pipeline.cli.arrow_without_pandas).
_INTEGERS = {pa.int64(): np.int64, pa.int32(): np.int32}


def _integers(column) -> Optional[np.ndarray]:
    """Return an integer column without nulls as a numpy array (a view of its buffer), or None for another type."""
    dtype = _INTEGERS.get(column.type)
    if dtype is None:
        return None
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if len(column) == 0:
        return np.zeros(0, dtype)
    return np.frombuffer(column.buffers()[1], dtype=dtype, count=len(column), offset=column.offset * dtype().itemsize)


def _constant(column: pa.ChunkedArray, value: str) -> bool:
    """Whether every value of a string column is `value` (and none is null)."""
    return (column.type == pa.string() and column.null_count == 0
            and pc.all(pc.equal(column, pa.scalar(value, pa.string()))).as_py() is not False)


@dataclass(frozen=True)
class _OneDocument:
    """What the column-wise span checks compare a one-document table with."""

    doc_id: str
    text: str
    n_lines: int
    paragraph_at: Optional[dict[str, int]]  # row of each paragraph id, when the table holds this document's only, each once
    paragraph_starts: Optional[np.ndarray]  # the paragraphs' char_start and char_end, by row
    paragraph_ends: Optional[np.ndarray]


def _one_document(tables: dict[str, pa.Table]) -> Optional[_OneDocument]:
    """Return the document of a one-document set of tables (its text, line count, paragraph spans), else None."""
    docs = tables["documents"]
    if docs.num_rows != 1:
        return None
    doc_id, text, n = (docs.column(c)[0].as_py() for c in ("doc_id", "text", "n_lines"))
    if doc_id is None or text is None or n is None:
        return None
    paras = tables.get("paragraphs")
    if paras is None or not _constant(paras.column("doc_id"), doc_id) or any(
            paras.column(c).null_count for c in ("paragraph_id", "char_start", "char_end")):
        return _OneDocument(doc_id, text, n, None, None, None)
    ids = paras.column("paragraph_id").to_pylist()
    at = dict(zip(ids, range(len(ids))))
    if len(at) != len(ids):
        return _OneDocument(doc_id, text, n, None, None, None)
    return _OneDocument(doc_id, text, n, at, _integers(paras.column("char_start")), _integers(paras.column("char_end")))


def _rows_of(doc: _OneDocument, ids: list) -> Optional[np.ndarray]:
    """Return the paragraphs table's row of each paragraph id, or None when one is unknown."""
    at = list(map(doc.paragraph_at.get, ids))
    return None if None in at else np.array(at, dtype=np.int64)


def _sound(name: str, meta: TableMeta, table: pa.Table, doc: _OneDocument) -> bool:
    """Whether every row of a table of `doc` passes the span checks, tested a column at a time (arrow and numpy).

    False means only "not shown so": the row-by-row checks then find the problems, if any.
    """
    if table.num_rows == 0:
        return True
    if not _constant(table.column("doc_id"), doc.doc_id):
        return False
    columns = [table.column(c) for c in SPAN_COLUMNS]
    if any(c.null_count for c in columns):
        return False
    cs, ce, ls, le = spans = [_integers(c) for c in columns]
    if any(a is None for a in spans):
        return False
    if cs.min() < 0 or ce.max() > len(doc.text) or not (cs < ce).all():
        return False
    if ls.min() < 1 or le.max() > max(doc.n_lines, 1) or not (ls <= le).all():
        return False
    if meta.evidence:
        evidence = table.column(meta.evidence)
        if evidence.null_count:
            return False
        # Compared in Python, in place: str.startswith(evidence, start, end) says the evidence begins its span.
        evidences = [doc.text] if name == "documents" and meta.evidence == "text" else evidence.to_pylist()
        if not all(map(doc.text.startswith, evidences, cs.tolist(), ce.tolist())):
            return False
        # No evidence is longer than its span (it begins it): so it equals every span just when the lengths add up.
        if meta.evidence_mode == "equals" and sum(map(len, evidences)) != int((ce - cs).sum()):
            return False
    if meta.span_rule is None:
        return True
    if doc.paragraph_at is None:
        return False
    refs = table.column(_REF_COLUMN[meta.span_rule])
    if refs.null_count:
        return False
    if meta.span_rule == "within_paragraph":
        at = _rows_of(doc, refs.to_pylist())
        return at is not None and bool((doc.paragraph_starts[at] <= cs).all() and (ce <= doc.paragraph_ends[at]).all())
    refs = refs.combine_chunks()  # span_rule "paragraphs": a list of paragraph ids per row
    lengths = _integers(pc.list_value_length(refs))
    if not lengths.all():
        return False
    at = _rows_of(doc, refs.flatten().to_pylist())
    if at is None:
        return False
    last = np.cumsum(lengths) - 1
    first = last - (lengths - 1)
    starts, ends = doc.paragraph_starts, doc.paragraph_ends
    last_ends = ends[at[last]]
    if not ((starts[at[first]] <= cs).all() and (cs < ends[at[first]]).all()
            and (starts[at[last]] < ce).all() and (ce <= last_ends).all()):
        return False
    inside = ce != last_ends  # most spans end where their last paragraph does; only the others are looked at
    return all(ends_a_line(doc.text, e, pe) for e, pe in zip(ce[inside].tolist(), last_ends[inside].tolist()))


def _sound_spans(tables: dict[str, pa.Table], doc: Optional[_OneDocument] = None) -> set[str]:
    """Return the names of the tables shown, a column at a time, to pass every span check.

    Only a one-document set of tables (`doc`, found when not given) is tested so: extraction checks every
    document before it is emitted, and this is the path it takes. The others are checked row by row.
    """
    doc = doc or _one_document(tables)
    if doc is None:
        return set()
    return {name for name, model in table_models().items()
            if name in tables and "char_start" in tables[name].schema.names
            and _sound(name, model.table, tables[name], doc)}


def check_spans(tables: dict[str, pa.Table]) -> list[Problem]:
    """Return problems for every row whose span does not resolve to its evidence in documents.text."""
    docs = tables.get("documents")
    if docs is None:
        return []
    models = table_models()
    doc = _one_document(tables)
    sound = _sound_spans(tables, doc)
    names = [name for name in models
             if name in tables and "char_start" in tables[name].schema.names and name not in sound]
    if not names:
        return []
    doc_ids = docs.column("doc_id").to_pylist()
    texts = {doc.doc_id: doc.text} if doc is not None else dict(zip(doc_ids, docs.column("text").to_pylist()))
    n_lines = dict(zip(doc_ids, docs.column("n_lines").to_pylist()))
    paragraphs = {}
    if "paragraphs" in tables and any(models[name].table.span_rule for name in names):  # else none is looked up
        paragraphs = {(d, p): (s, e) for d, p, s, e in _rows(tables["paragraphs"], ["doc_id", "paragraph_id",
                                                                                    "char_start", "char_end"])}
    return [problem for name in names
            for problem in _span_problems(name, models[name].table, tables[name], texts, paragraphs, n_lines)]


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
