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
