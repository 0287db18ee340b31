"""The fast paths of the arrow conversion, contract checks and emit give what the plain definitions give.

Each is compared with the straightforward way of computing the same thing (from_pydict, json.dumps
row by row, the row-by-row checks), on the plan's tables and on tricky inputs.
"""
from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.models import table_models
from pipeline.schema import arrow_schema, to_table
from pipeline.storage.csvfile import _JSON_ARRAY, json_arrays


def reference_table(model, rows) -> pa.Table:
    """The plain definition: one Python list per column, then from_pydict with the explicit schema."""
    schema = arrow_schema(model)
    return pa.Table.from_pydict({n: [getattr(r, n) for r in rows] for n in schema.names}, schema=schema)


def test_to_table_is_from_pydict(plan):
    models = table_models()
    for name, rows in list(plan.tables.items()) + [(name, []) for name in models]:
        got, want = to_table(models[name], rows), reference_table(models[name], rows)
        assert got.schema.equals(want.schema, check_metadata=True), name
        assert got.equals(want), name
        assert [f.metadata for f in got.schema] == [f.metadata for f in want.schema]


JSON_CASES = [
    [["p0001", "p0002"], [], None, ["p0003"]],
    [["é’ £140m", ""], ["", ""]],
    [['a "quoted" note'], ["back\\slash"], []],  # escaped: row by row
    [["tab\there", "new\nline", "\x01"]],
    [None, None],
    [],
]


@pytest.mark.parametrize("lists", JSON_CASES)
def test_json_arrays_are_json_dumps(lists):
    column = pa.chunked_array([pa.array(lists, pa.list_(pa.string()))])
    assert json_arrays(column).to_pylist() == [None if v is None else _JSON_ARRAY(v) for v in lists]


def test_json_arrays_of_sliced_chunks():
    whole = pa.array([["a"], ["b", "c"], [], None, ["d"]], pa.list_(pa.string()))
    column = pa.chunked_array([whole.slice(1, 3), whole.slice(0, 2)])
    assert json_arrays(column).to_pylist() == ['["b","c"]', "[]", None, '["a"]', '["b","c"]']


def _edited(table: pa.Table, column: str, edit, rng) -> pa.Table:
    """Return `table` with one random row's `column` value replaced by edit(value)."""
    values = table.column(column).to_pylist()
    i = rng.randrange(len(values))
    values[i] = edit(values[i])
    field = table.schema.field(column)
    return table.set_column(table.schema.get_field_index(column), field, [pa.array(values, field.type)])


def test_column_wise_checks_agree_with_the_row_checks_on_broken_values(plan, monkeypatch):
    """Evidence, paragraph references, document keys and nulls broken at random: the column-wise span checks
    (and the key checks' shortcut) report exactly what the row-by-row checks report."""
    import random

    import pipeline.validate as validate
    from pipeline.batch import to_arrow

    tables = to_arrow(plan)
    edits = [
        ("sections", "title", lambda v: v + "x"),
        ("sections", "title", lambda v: v[:-1]),
        ("paragraphs", "text", lambda v: "X" + v[1:]),
        ("paragraphs", "paragraph_id", lambda v: "p9999"),
        ("milestones", "description", lambda v: v[1:]),
        ("milestones", "paragraph_ids", lambda v: v[1:]),
        ("milestones", "paragraph_ids", lambda v: v[:-1]),
        ("milestones", "paragraph_ids", lambda v: []),
        ("milestones", "paragraph_ids", lambda v: v + ["p9999"]),
        ("temporal_expressions", "paragraph_id", lambda v: "p0001"),
        ("temporal_expressions", "text", lambda v: v.upper()),
        ("temporal_expressions", "doc_id", lambda v: v + "-other"),
        ("quantities", "paragraph_id", lambda v: None),
        ("quantities", "char_start", lambda v: None),
        ("documents", "text", lambda v: v[:-1]),
        ("paragraphs", "paragraph_id", lambda v: "p0001"),  # duplicate keys
        ("sections", "section_id", lambda v: "s0000"),
        ("quantities", "quantity_id", lambda v: None),  # a null key
        ("milestones", "doc_id", lambda v: None),
    ]
    rng = random.Random(5)
    reported = 0
    for _ in range(120):
        name, column, edit = rng.choice(edits)
        broken = dict(tables)
        broken[name] = _edited(tables[name], column, edit, rng)
        found, keys = validate.check_spans(broken), validate.check_keys(broken)
        reported += bool(found or keys)
        with monkeypatch.context() as patch:
            patch.setattr(validate, "_sound_spans", lambda *args: set())
            assert found == validate.check_spans(broken), (name, column)
        assert keys == _plain_check_keys(broken), (name, column)
    assert reported > 100  # the few edits that break nothing ('2021'.upper()) agree too


def _plain_check_keys(tables):
    """check_keys as first written: every foreign key walked row by row."""
    from pipeline.validate import Problem, _examples, _rows, table_models

    problems, models, keys = [], table_models(), {}
    for name, table in tables.items():
        meta = models[name].table
        rows = _rows(table, meta.primary_key)
        nulls = [r for r in rows if None in r]
        if nulls:
            problems.append(Problem(name, "primary_key", f"null key in {meta.primary_key}", len(nulls)))
        seen, dups = set(), []
        for r in rows:
            if r in seen:
                dups.append(r)
            seen.add(r)
        if dups:
            problems.append(Problem(name, "primary_key", f"duplicate {meta.primary_key}: {_examples(dups)}", len(dups)))
        keys[name] = seen
    for name, table in tables.items():
        for cols, ref, ref_cols in models[name].table.foreign_keys:
            if ref not in tables:
                continue
            target = keys[ref] if tuple(ref_cols) == models[ref].table.primary_key else set(_rows(tables[ref], ref_cols))
            missing = [r for r in _rows(table, cols) if r not in target and None not in r]
            if missing:
                problems.append(Problem(name, "foreign_key", f"{cols} not in {ref}{ref_cols}: {_examples(missing)}",
                                        len(missing)))
    return problems


def test_integers_read_from_buffers_are_the_values():
    from pipeline.validate import _integers

    whole = pa.array([5, -1, 7, 2 ** 40], pa.int64())
    cases = [whole, whole.slice(1, 2), pa.chunked_array([whole.slice(2), whole.slice(0, 1)]),
             pa.chunked_array([], pa.int64()), pa.array([3, 4], pa.int32()).slice(1)]
    for column in cases:
        assert _integers(column).tolist() == column.to_pylist()
    assert _integers(pa.array(["1"])) is None
