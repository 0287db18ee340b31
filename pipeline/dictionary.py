"""The data dictionary and the Frictionless data package, generated from the row models.

Pure: returns text and dicts; the edge writes them (`docs/data-dictionary.md`,
`output/datapackage.json`). Nothing here is written by hand, so neither can go stale
without the staleness test noticing.
"""
from __future__ import annotations

import re
import types
import typing
from datetime import date
from typing import Any, Literal, Union

from .models import SCHEMA_VERSION, Row, table_models
from .schema import SPAN_COLUMNS, column_order, type_name

CSV_CONVENTIONS = (
    "UTF-8 without BOM, LF line ends, one header row, comma-separated, fields quoted only when needed",
    "dates as ISO 8601 (`2022-03-31`); booleans as `true` / `false`",
    "null as an empty field",
    "lists as JSON arrays (`[\"p0012\",\"p0013\"]`)",
)

_FRICTIONLESS = {str: "string", int: "integer", float: "number", bool: "boolean", date: "date"}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Return (inner annotation, nullable) of an Optional[...] annotation."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False


def frictionless_field(name: str, annotation: Any, description: str) -> dict:
    """Return the Table Schema descriptor of one column."""
    inner, nullable = _unwrap(annotation)
    field: dict[str, Any] = {"name": name, "description": description}
    constraints: dict[str, Any] = {}
    if typing.get_origin(inner) is Literal:
        field["type"] = "string"
        constraints["enum"] = [str(v) for v in typing.get_args(inner)]
    elif typing.get_origin(inner) is list:
        field["type"] = "array"
    else:
        field["type"] = _FRICTIONLESS[inner]
    if not nullable:
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(model: type[Row]) -> dict:
    """Return the Frictionless Table Schema of one table: fields, primary key and foreign keys."""
    meta = model.table
    fields = [frictionless_field(n, model.model_fields[n].annotation, model.model_fields[n].description or "")
              for n in column_order(model)]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""], "primaryKey": list(meta.primary_key)}
    # Frictionless rejects a composite key with a null part (the root section's parent), so such keys
    # are left to `planextract validate`, which skips rows whose key is partly null.
    fks = [{"fields": list(cols), "reference": {"resource": "" if ref == meta.name else ref, "fields": list(ref_cols)}}
           for cols, ref, ref_cols in meta.foreign_keys
           if not any(_unwrap(model.model_fields[c].annotation)[1] for c in cols)]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def datapackage(pipeline_version: str, sources: dict[str, str], tables: list[str] | None = None) -> dict:
    """Return the `datapackage.json` descriptor of the CSV mirror (paths relative to the output folder)."""
    models = table_models()
    names = tables if tables is not None else list(models)
    resources = []
    for name in names:
        model = models[name]
        resources.append({
            "name": name,
            "path": f"csv/{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": name,
            "description": f"{model.table.description} Grain: {model.table.grain}.",
            "dialect": {"delimiter": ",", "header": True, "quoteChar": '"', "doubleQuote": True},
            "schema": table_schema(model),
        })
    return {
        "profile": "tabular-data-package",
        "name": "planextract-output",
        "title": "planextract: delivery plans as traceable tables",
        "version": SCHEMA_VERSION,
        "description": "Sections, paragraphs, milestones, targets, dated and quantified mentions, and changes between "
                       "versions, extracted from published delivery plans. Every row carries its provenance.",
        "planextract": {"pipeline_version": pipeline_version, "schema_version": SCHEMA_VERSION,
                        "source_sha256": dict(sorted(sources.items()))},
        "resources": resources,
    }


def _md(text: str) -> str:
    """Return `text` safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def view_summaries(sql_files: dict[str, str]) -> list[tuple[str, str]]:
    """Return (view name, the comment that precedes it) for every `CREATE VIEW` in the SQL files, in file order."""
    out = []
    for _, sql in sorted(sql_files.items()):
        for m in re.finditer(r"((?:^--[^\n]*\n)+)\s*create\s+(?:or\s+replace\s+)?view\s+(\w+)", sql, re.I | re.M):
            comment = " ".join(line.lstrip("- ").strip() for line in m.group(1).splitlines())
            out.append((m.group(2), comment.strip()))
    return out


def markdown(sql_files: dict[str, str] | None = None) -> str:
    """Return the data dictionary as Markdown: every table's grain, keys and checks, every column's type and meaning."""
    models = table_models()
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from pipeline/models.py by `make dictionary`; do not edit by hand. -->",
        "",
        f"Schema version {SCHEMA_VERSION}. Every table is written to `output/<table>.parquet`, mirrored to "
        "`output/csv/<table>.csv` (described by `output/datapackage.json`) and loaded into `output/plan.duckdb`.",
        "",
        "**Provenance.** Every row carries `doc_id`; `char_start`/`char_end` index `documents.text` (the normalised "
        "text: `text[char_start:char_end]` is the row's evidence); `line_start`/`line_end` are 1-based, inclusive lines "
        "of the raw file (for HTML, the source lines of the element).",
        "",
        "**CSV conventions.** " + "; ".join(CSV_CONVENTIONS) + ".",
        "",
        "## Tables",
        "",
        "| table | grain | primary key |",
        "|---|---|---|",
    ]
    for name, model in models.items():
        lines.append(f"| [`{name}`](#{name}) | {_md(model.table.grain)} | {', '.join(model.table.primary_key)} |")
    for name, model in models.items():
        meta = model.table
        lines += ["", f"## {name}", "", meta.description, "", f"- **Grain:** {meta.grain}.",
                  f"- **Primary key:** {', '.join(f'`{c}`' for c in meta.primary_key)}."]
        for cols, ref, ref_cols in meta.foreign_keys:
            lines.append(f"- **Foreign key:** ({', '.join(cols)}) → `{ref}` ({', '.join(ref_cols)}).")
        if meta.evidence:
            how = "equals" if meta.evidence_mode == "equals" else "starts with"
            lines.append(f"- **Evidence:** `documents.text[char_start:char_end]` {how} `{meta.evidence}`.")
        if meta.span_rule == "paragraphs":
            lines.append("- **Span:** starts inside the first of `paragraph_ids` and ends a line of the last.")
        elif meta.span_rule == "within_paragraph":
            lines.append("- **Span:** lies inside the span of `paragraph_id`.")
        for check in meta.checks:
            lines.append(f"- **Check `{check.id}`:** {check.description} (`{check.sql}`).")
        lines += ["", "| column | type | null | description |", "|---|---|---|---|"]
        for col in column_order(model):
            info = model.model_fields[col]
            _, nullable = _unwrap(info.annotation)
            lines.append(f"| `{col}` | {_md(type_name(info.annotation))} | {'yes' if nullable else 'no'} | "
                         f"{_md(info.description or '')} |")
    views = view_summaries(sql_files or {})
    if views:
        lines += ["", "## DuckDB views", "", "Views in `output/plan.duckdb`, defined in `pipeline/sql/`.", "",
                  "| view | what it answers |", "|---|---|"]
        lines += [f"| `{name}` | {_md(comment)} |" for name, comment in views]
    return "\n".join(lines) + "\n"


__all__ = ["datapackage", "markdown", "table_schema", "CSV_CONVENTIONS", "SPAN_COLUMNS"]
