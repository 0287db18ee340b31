"""The command-line edge: `planextract extract | validate | dictionary`.

Heavy modules (spaCy, pandas, pyarrow, DuckDB) are imported inside commands, so `--help` is instant.
"""
from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

IGNORED_NAMES = ("readme", "license", "licence", "notice")


def arrow_without_pandas() -> None:
    """Answer pyarrow's pandas probe in this process without importing pandas.

    pyarrow asks, for every Python list it converts, whether it is a pandas object, and its
    first such check imports pandas (0.5 to 1 s here, a third of a cold extract) although
    extraction never converts to or from pandas. Blocking the import while pyarrow checks once
    leaves this process's pyarrow without pandas integration (`Table.to_pandas()` would fail);
    pandas itself still imports. Nothing to do when pandas is already imported.
    """
    if "pandas" in sys.modules:
        return

    class _BlockPandas:
        def find_spec(self, name, path=None, target=None):
            if name == "pandas" or name.startswith("pandas."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    import pyarrow as pa

    blocker = _BlockPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([], type=pa.null())  # pyarrow's first probe: it settles "no pandas" for the process
    finally:
        sys.meta_path.remove(blocker)


# Generation 0 collected every 50,000 net allocations, not 700, and the oldest generation a tenth as often.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Set the cyclic collector's thresholds for a process that extracts documents (GC_THRESHOLDS).

    Extraction allocates many short-lived objects (tokens, rows, strings) and frees them by reference
    counting; few form cycles. At CPython's default thresholds the collector ran every 700 allocations
    and walked the long-lived rules and spaCy vocabulary again and again: about a tenth of a
    document's time. Larger thresholds keep the little cyclic garbage a while longer. The worker
    processes of the run take the setting over (pipeline.batch.worker_pool).
    """
    gc.set_threshold(*GC_THRESHOLDS)


_STANDALONE = False  # set by `entry`, the console script: the process is planextract's alone


def entry() -> None:
    """The `planextract` console script: the CLI in a process of its own."""
    global _STANDALONE
    _STANDALONE = True
    main(prog_name="planextract")


class BadInput(click.ClickException):
    """One-line error naming the file and the reason; exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"planextract: error: {self.message}", err=True)


def collect_sources(paths: tuple[str, ...]) -> list[Path]:
    """Return the input files named by `paths` (files, or folders scanned non-recursively), sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise BadInput(f"{raw}: no such file or folder")
        if path.is_dir():
            for child in sorted(path.iterdir()):
                # Hidden files, and the owner files Word keeps beside an open document ("~$plan.docx"), are no plans.
                if child.is_file() and not child.name.startswith((".", "~$")) \
                        and not child.stem.lower().startswith(IGNORED_NAMES):
                    files.append(child)
        else:
            files.append(path)
    if not files:
        raise BadInput(f"{', '.join(paths)}: no plan files found")
    return sorted(dict.fromkeys(files), key=lambda p: (p.name, str(p)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planextract")
def main() -> None:
    """planextract: turn published delivery plans into analysis-ready, traceable tables.

    \b
    Typical use:
      planextract extract raw --out output     extract every plan in raw/
      planextract validate output              check an output folder
      planextract diff OLD NEW                 what changed between two versions
      planextract dictionary                   regenerate docs/data-dictionary.md
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the tables into (replaced atomically).")
@click.option("--allow-empty", is_flag=True, help="Accept a plan with no milestones instead of failing.")
@click.option("--keep-going", is_flag=True, help="Extract the good inputs; record each bad one in `quality`.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Documents extracted in parallel processes.  [default: number of cores]")
@click.option("--no-cache", is_flag=True, help="Extract every document again, even when its bytes are unchanged.")
def extract(paths: tuple[str, ...], out_dir: str, allow_empty: bool, keep_going: bool, jobs: int | None,
            no_cache: bool) -> None:
    """Extract plans (files or folders; default raw/) into tables under --out.

    Writes one Parquet file per table, a CSV mirror in csv/ described by datapackage.json,
    plan.duckdb and manifest.json. Nothing is replaced unless every input succeeded
    (or, with --keep-going, at least one did). A re-run on unchanged inputs is a no-op.
    """
    from . import __version__

    if _STANDALONE:  # only a process of its own: a host's interpreter keeps its own settings
        arrow_without_pandas()
        tune_gc()
    from .batch import RunError, run_extract

    files = collect_sources(paths or ("raw",))
    jobs = jobs or os.cpu_count() or 1
    show_bar = len(files) > 1 and sys.stderr.isatty()
    with click.progressbar(length=len(files), label="extracting", file=sys.stderr) if show_bar else _NoBar() as bar:
        try:
            summary = run_extract(files, Path(out_dir), allow_empty=allow_empty, keep_going=keep_going, jobs=jobs,
                                  use_cache=not no_cache, pipeline_version=__version__, progress=bar.update)
        except RunError as exc:
            raise BadInput(str(exc)) from None
    print_summary(summary, out_dir)


class _NoBar:
    """Stands in for a progress bar when there is one document, or no terminal."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def print_summary(summary, out_dir: str) -> None:
    """Print the run summary: documents, milestones by status, mentions and findings by severity."""
    if summary.up_to_date:
        click.echo(f"{out_dir}: up to date (inputs, options and code unchanged); nothing to do")
        return
    rows, status, severity = summary.rows, summary.status, summary.severity
    cached = f" ({summary.cached} unchanged, from cache)" if summary.cached else ""
    click.echo(f"documents: {summary.documents}{cached}  programmes: {rows['programmes']}  "
               f"milestones: {rows['milestones']} (complete {status['complete']}, partial {status['partial']}, "
               f"planned {status['planned']})  targets: {rows['milestone_targets']}")
    click.echo(f"temporal expressions: {rows['temporal_expressions']}  quantities: {rows['quantities']}")
    click.echo("quality: " + (", ".join(f"{severity[s]} {s}" for s in ("error", "warning", "info") if severity[s])
                              or "clean"))
    if summary.changes:
        click.echo(f"changes: {summary.version_pairs} version pair(s): " + ", ".join(
            f"{summary.changes[k]} {k}" for k in ("unchanged", "modified", "added", "removed") if summary.changes[k]))
    for msg in summary.failures:
        click.echo(f"skipped: {msg}", err=True)
    click.echo(f"wrote {out_dir}/")


@main.command()
@click.argument("out_dir", default="output", type=click.Path(file_okay=False))
def validate(out_dir: str) -> None:
    """Check an output folder: schemas, keys, foreign keys, spans, declared row checks, the CSV mirror,
    datapackage.json and plan.duckdb."""
    import json

    from . import __version__
    from .dictionary import datapackage
    from .storage import DATAPACKAGE, database_summary, parquet_metadata, read_csv_bytes, read_json, read_tables
    from .storage.database import sql_files
    from .dictionary import view_summaries
    from .validate import check_csv, check_database, check_package, validate_tables

    path = Path(out_dir)
    if not path.is_dir():
        raise BadInput(f"{out_dir}: no such output folder")
    try:
        tables = read_tables(path)
        problems = validate_tables(tables) + check_csv(tables, lambda name: read_csv_bytes(path, name))
        if "documents" in tables:
            meta = parquet_metadata(path, "documents")
            sources = json.loads(meta.get("planextract.source_sha256", "{}"))
            expected = datapackage(meta.get("planextract.pipeline_version", __version__), sources)
            problems += check_package(read_json(path / DATAPACKAGE), expected)
        counts, views = database_summary(path)
        problems += check_database(counts, tables, views, [v for v, _ in view_summaries(sql_files())])
    except Exception as exc:  # an unreadable file is itself a finding: report it, don't crash
        raise BadInput(f"{out_dir}: cannot read output: {exc}".splitlines()[0]) from None
    if problems:
        click.echo(f"{out_dir}: {len(problems)} problems", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
    total = sum(t.num_rows for t in tables.values())
    click.echo(f"{out_dir}: valid ({len(tables)} tables, {total} rows)")


@main.command()
@click.option("--out", "out_file", default="docs/data-dictionary.md", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the data dictionary.")
def dictionary(out_file: str) -> None:
    """Regenerate the data dictionary (Markdown) from the row models."""
    from .dictionary import markdown
    from .storage import write_text
    from .storage.database import sql_files

    write_text(Path(out_file), markdown(sql_files()))
    click.echo(f"wrote {out_file}")


def load_version(path_text: str, doc_id: str | None, allow_empty: bool):
    """Return the Version in `path_text`: a plan file (extracted in process) or an output folder."""
    from .changes import versions_of
    from .document import InputError
    from .storage import SourceError, read_rows, read_source

    path = Path(path_text)
    if not path.exists():
        raise BadInput(f"{path_text}: no such file or folder")
    if path.is_dir():
        try:
            docs, ms, ps = (read_rows(path, name) for name in ("documents", "milestones", "programmes"))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    else:
        from .run import extract_document

        try:
            result = extract_document(str(path), read_source(path), allow_empty=allow_empty)
        except (InputError, SourceError) as exc:
            raise BadInput(str(exc)) from None
        docs, ms, ps = (result.tables[name] for name in ("documents", "milestones", "programmes"))
    versions = versions_of(docs, ms, ps)
    if doc_id is not None:
        if doc_id not in versions:
            raise BadInput(f"{path_text}: no document {doc_id!r} (has {', '.join(sorted(versions)) or 'none'})")
        return versions[doc_id]
    if len(versions) != 1:
        raise BadInput(f"{path_text}: holds {len(versions)} documents ({', '.join(sorted(versions))}); "
                       f"choose one with --old-doc/--new-doc")
    return next(iter(versions.values()))


@main.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Also write milestone_changes and programme_changes (Parquet and CSV) into this folder.")
@click.option("--old-doc", default=None, help="doc_id to take from OLD when it is a folder of several documents.")
@click.option("--new-doc", default=None, help="doc_id to take from NEW when it is a folder of several documents.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many of the biggest slips to list.")
@click.option("--allow-empty", is_flag=True, help="Accept a plan file with no milestones.")
def diff(old: str, new: str, out_dir: str | None, old_doc: str | None, new_doc: str | None, top: int,
         allow_empty: bool) -> None:
    """Compare two versions of a plan. OLD and NEW are plan files (.txt/.md/.html) or output folders."""
    from .changes import compare_versions, quality_findings
    from .diff_report import summary_lines

    before = load_version(old, old_doc, allow_empty)
    after = load_version(new, new_doc, allow_empty)
    result = compare_versions(before, after)
    docs = {v.document.doc_id: v.document for v in (before, after)}
    findings = quality_findings(result.findings, docs)
    if out_dir is not None:
        from . import __version__
        from .storage import write_some_tables

        sources = {d.doc_id: d.source_sha256 for d in docs.values()}
        write_some_tables({"milestone_changes": result.milestone_changes, "programme_changes": result.programme_changes},
                          Path(out_dir), sources, __version__)
    for line in summary_lines(before.document.doc_id, after.document.doc_id, result.milestone_changes,
                              result.programme_changes, findings, top):
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
