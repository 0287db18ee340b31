"""The CSV mirror's conventions, applied to arrow tables (see dictionary.CSV_CONVENTIONS)."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.csv as pacsv

WRITE_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
# One encoder for every value: json.dumps with options builds a new encoder per call.
_JSON_ARRAY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """Return `schema` with list columns as strings (they are written as JSON arrays)."""
    return pa.schema([pa.field(f.name, pa.string(), f.nullable, f.metadata) if pa.types.is_list(f.type) else f
                      for f in schema])


def csv_ready(table: pa.Table) -> pa.Table:
    """Return `table` with every list column replaced by its JSON-array text."""
    if not any(pa.types.is_list(field.type) for field in table.schema):
        return table  # nothing to convert (its schema metadata does not reach the CSV)
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_list(field.type):
            values = [None if v is None else _JSON_ARRAY(v) for v in column.to_pylist()]
            column = pa.array(values, pa.string())
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=csv_schema(table.schema))


def open_writer(path, schema: pa.Schema) -> pacsv.CSVWriter:
    """Return an incremental CSV writer for tables of `schema` (the header is written once)."""
    return pacsv.CSVWriter(str(path), csv_schema(schema), write_options=WRITE_OPTIONS)


def csv_bytes(table: pa.Table) -> bytes:
    """Return the CSV mirror of `table` exactly as the output stage writes it (header included)."""
    sink = pa.BufferOutputStream()
    with pacsv.CSVWriter(sink, csv_schema(table.schema), write_options=WRITE_OPTIONS) as writer:
        writer.write_table(csv_ready(table))
    return sink.getvalue().to_pybytes()
