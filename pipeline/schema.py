"""Explicit pyarrow schemas generated from the pydantic row models (the one contract)."""
from __future__ import annotations

import types
import typing
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable, Literal, Union

import pyarrow as pa

from .models import Row, table_models

_SCALARS = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_(), date: pa.date32()}


def arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """Return (arrow type, nullable) for a model field annotation."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner, _ = arrow_type(args[0])
        return inner, True
    if origin is Literal:
        return pa.string(), False
    if origin is list:
        inner, _ = arrow_type(typing.get_args(annotation)[0])
        return pa.list_(inner), False
    if annotation in _SCALARS:
        return _SCALARS[annotation], False
    raise TypeError(f"no arrow type for {annotation!r}")


def type_name(annotation: Any) -> str:
    """Return a reader-friendly type name for the data dictionary ('date', 'list<string>', 'string (enum)')."""
    arrow, _ = arrow_type(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType):
        annotation = [a for a in typing.get_args(annotation) if a is not type(None)][0]
    if typing.get_origin(annotation) is Literal:
        return "string: " + " | ".join(str(v) for v in typing.get_args(annotation))
    return str(arrow).replace("date32[day]", "date").replace("large_", "").replace("item: ", "")


SPAN_COLUMNS = ("char_start", "char_end", "line_start", "line_end")


def column_order(model: type[Row]) -> list[str]:
    """Return the model's columns in output order: keys and values first, provenance span last."""
    names = list(model.model_fields)
    return [n for n in names if n not in SPAN_COLUMNS] + [n for n in SPAN_COLUMNS if n in names]


@lru_cache(maxsize=None)
def arrow_schema(model: type[Row]) -> pa.Schema:
    """Return the explicit pyarrow schema of a row model, with column descriptions as field metadata."""
    fields = []
    for name in column_order(model):
        info = model.model_fields[name]
        typ, nullable = arrow_type(info.annotation)
        meta = {"description": info.description or ""}
        fields.append(pa.field(name, typ, nullable=nullable, metadata=meta))
    table = model.table
    return pa.schema(fields, metadata={"table": table.name, "grain": table.grain,
                                        "primary_key": ",".join(table.primary_key)})


def schemas() -> dict[str, pa.Schema]:
    """Return the arrow schema of every table, by table name."""
    return {name: arrow_schema(model) for name, model in table_models().items()}


@lru_cache(maxsize=None)
def _row_type(model: type[Row]) -> pa.StructType:
    """Return the model's schema as one struct type (its fields, their metadata included)."""
    return pa.struct(list(arrow_schema(model)))


@lru_cache(maxsize=None)
def _values_of(model: type[Row]) -> Callable[[dict], tuple]:
    """Return a getter of a row's field values (from its __dict__) as a tuple, in the schema's column order."""
    return itemgetter(*column_order(model))


def to_table(model: type[Row], rows: list[Row]) -> pa.Table:
    """Return rows of one model as an arrow table with the model's explicit schema."""
    # A model keeps its field values in its __dict__; arrow reads every row's values, a tuple in column order,
    # in one conversion (a struct array), with no column lists built in Python: a quarter faster than
    # from_pydict, and a tenth faster than letting arrow look each field up in the dicts by name.
    struct = pa.array(list(map(_values_of(model), map(vars, rows))), type=_row_type(model))
    return pa.Table.from_struct_array(struct).replace_schema_metadata(arrow_schema(model).metadata)
