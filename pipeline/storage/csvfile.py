"""The CSV mirror's conventions, applied to arrow tables (see dictionary.CSV_CONVENTIONS)."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

WRITE_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
# One encoder for every value: json.dumps with options builds a new encoder per call.
_JSON_ARRAY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """Return `schema` with list columns as strings (they are written as JSON arrays)."""
    return pa.schema([pa.field(f.name, pa.string(), f.nullable, f.metadata) if pa.types.is_list(f.type) else f
                      for f in schema])


# What JSON escapes in a string (with ensure_ascii off): the quote, the backslash and the control characters.
_JSON_ESCAPED = r'[\x00-\x1f"\\]'
# The pieces of a JSON array of strings, as arrow scalars: a Python value given to pyarrow.compute makes
# pyarrow's pandas shim import pandas (pipeline.cli.arrow_without_pandas).
_OPEN, _BETWEEN, _CLOSE, _NOTHING, _EMPTY = (pa.scalar(s, pa.string()) for s in ('["', '","', '"]', "", "[]"))
_ZERO = pa.scalar(0, pa.int32())


def json_arrays(column: pa.ChunkedArray) -> pa.Array:
    """Return each list of a list column as its JSON-array text (null for a null list), as _JSON_ARRAY writes it."""
    lists = column.combine_chunks()
    items = lists.flatten()
    if (pa.types.is_string(items.type) and not items.null_count
            and not pc.any(pc.match_substring_regex(items, _JSON_ESCAPED)).as_py()):
        # No item needs escaping: each array is its items, quoted, joined by commas, in brackets; arrow
        # does it at once (milestones' paragraph ids), where JSON-encoding row by row took most of the append.
        quoted = pc.binary_join_element_wise(_OPEN, pc.binary_join(lists, _BETWEEN), _CLOSE, _NOTHING)
        return pc.if_else(pc.equal(pc.list_value_length(lists), _ZERO), _EMPTY, quoted)
    return pa.array([None if v is None else _JSON_ARRAY(v) for v in column.to_pylist()], pa.string())


def csv_ready(table: pa.Table) -> pa.Table:
    """Return `table` with every list column replaced by its JSON-array text."""
    if not any(pa.types.is_list(field.type) for field in table.schema):
        return table  # nothing to convert (its schema metadata does not reach the CSV)
    columns = [json_arrays(column) if pa.types.is_list(field.type) else column
               for field, column in zip(table.schema, table.columns)]
    return pa.Table.from_arrays(columns, schema=csv_schema(table.schema))


def open_writer(path, schema: pa.Schema) -> pacsv.CSVWriter:
    """Return an incremental CSV writer for tables of `schema` (the header is written once), writing
    the file at `path` or into an open output stream."""
    sink = path if isinstance(path, pa.NativeFile) else str(path)
    return pacsv.CSVWriter(sink, csv_schema(schema), write_options=WRITE_OPTIONS)


def csv_bytes(table: pa.Table) -> bytes:
    """Return the CSV mirror of `table` exactly as the output stage writes it (header included)."""
    sink = pa.BufferOutputStream()
    with pacsv.CSVWriter(sink, csv_schema(table.schema), write_options=WRITE_OPTIONS) as writer:
        writer.write_table(csv_ready(table))
    return sink.getvalue().to_pybytes()
