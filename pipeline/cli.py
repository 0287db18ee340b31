"""The command-line edge: `planextract extract | validate | …`.

Heavy modules (spaCy, pandas, pyarrow) are imported inside commands, so `--help` is instant.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

SUPPORTED = {".txt", ".text", ".html", ".htm"}
IGNORED_NAMES = ("readme", "license", "licence", "notice")


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
                if child.is_file() and not child.name.startswith(".") and not child.stem.lower().startswith(IGNORED_NAMES):
                    files.append(child)
        else:
            files.append(path)
    if not files:
        raise BadInput(f"{', '.join(paths)}: no plan files found")
    return sorted(dict.fromkeys(files), key=lambda p: (p.name, str(p)))


def read_source(path: Path) -> bytes:
    """Return the bytes of `path`, or raise BadInput with the reason it cannot be read."""
    if path.suffix.lower() not in SUPPORTED:
        raise BadInput(f"{path}: unsupported file type {path.suffix or '(none)'!r} (expected .txt or .html)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: unreadable ({exc.strerror or exc})") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planextract")
def main() -> None:
    """planextract: turn published delivery plans into analysis-ready, traceable tables.

    \b
    Typical use:
      planextract extract raw --out output     extract every plan in raw/
      planextract validate output              check an output folder
      planextract diff OLD NEW                 what changed between two versions
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the tables into (replaced atomically).")
@click.option("--allow-empty", is_flag=True, help="Accept a plan with no milestones instead of failing.")
@click.option("--keep-going", is_flag=True, help="Extract the good inputs; record each bad one in `quality`.")
def extract(paths: tuple[str, ...], out_dir: str, allow_empty: bool, keep_going: bool) -> None:
    """Extract plans (files or folders; default raw/) into Parquet tables under --out."""
    from .document import InputError
    from .run import extract_document
    from .storage import write_outputs

    files = collect_sources(paths or ("raw",))
    tables: dict[str, list] = {}
    sources: dict[str, str] = {}
    failures: list[str] = []
    for path in files:
        try:
            result = extract_document(str(path), read_source(path), allow_empty=allow_empty)
        except (InputError, BadInput) as exc:
            message = str(exc) if isinstance(exc, InputError) else exc.message
            if not keep_going:
                raise BadInput(message) from None
            failures.append(message)
            continue
        for name, rows in result.tables.items():
            tables.setdefault(name, []).extend(rows)
        sources[result.doc_id] = result.tables["documents"][0].source_sha256
    if not sources:
        raise BadInput("no input could be extracted: " + "; ".join(failures))
    if failures:
        tables.setdefault("quality", []).extend(bad_input_rows(failures))
    add_changes(tables)  # issue 7
    write_outputs(tables, Path(out_dir), sources)
    summarise(tables, failures)
    summarise_changes(tables)  # issue 7


def bad_input_rows(failures: list[str]) -> list:
    """Return one quality row per rejected input (kept going past it)."""
    from pathlib import PurePath

    from .models import QualityRow

    return [QualityRow(doc_id=PurePath(msg.split(": ", 1)[0]).stem, finding_id="q0000", severity="error",
                       code="bad_input", message=msg) for msg in failures]


def summarise(tables: dict[str, list], failures: list[str]) -> None:
    """Print the run summary: documents, milestones by status, mentions and findings by severity."""
    from collections import Counter

    ms = tables.get("milestones", [])
    status = Counter(m.status for m in ms)
    severity = Counter(q.severity for q in tables.get("quality", []))
    click.echo(
        f"documents: {len(tables.get('documents', []))}  programmes: {len(tables.get('programmes', []))}  "
        f"milestones: {len(ms)} (complete {status['complete']}, partial {status['partial']}, planned {status['planned']})  "
        f"targets: {len(tables.get('milestone_targets', []))}"
    )
    if "temporal_expressions" in tables or "quantities" in tables:
        click.echo(f"temporal expressions: {len(tables.get('temporal_expressions', []))}  "
                   f"quantities: {len(tables.get('quantities', []))}")
    click.echo("quality: " + (", ".join(f"{severity[s]} {s}" for s in ("error", "warning", "info") if severity[s]) or "clean"))
    for msg in failures:
        click.echo(f"skipped: {msg}", err=True)


# -- issue 7: what changed between versions --------------------------------------

def add_changes(tables: dict[str, list]) -> None:
    """Compare each version of a plan with the previous one: add milestone_changes, programme_changes, findings."""
    from .changes import compare_series

    changes, programmes, findings = compare_series(
        tables.get("documents", []), tables.get("milestones", []), tables.get("programmes", []))
    tables["milestone_changes"] = changes
    tables["programme_changes"] = programmes
    tables.setdefault("quality", []).extend(findings)


def summarise_changes(tables: dict[str, list]) -> None:
    """Print one line on the version comparisons, when there were any."""
    changes = tables.get("milestone_changes", [])
    if changes:
        pairs = len({(c.from_doc_id, c.to_doc_id) for c in changes})
        kinds = {k: sum(c.change == k for c in changes) for k in ("modified", "added", "removed")}
        click.echo(f"changes: {pairs} version pair(s): " + ", ".join(f"{n} {k}" for k, n in kinds.items()))


def load_version(path_text: str, doc_id: str | None, allow_empty: bool):
    """Return the Version in `path_text`: a plan file (extracted in process) or an output folder."""
    from .changes import Version, versions_of
    from .document import InputError

    path = Path(path_text)
    if not path.exists():
        raise BadInput(f"{path_text}: no such file or folder")
    if path.is_dir():
        from .storage import read_table

        try:
            docs, ms, ps = (read_table(path, name) for name in ("documents", "milestones", "programmes"))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    else:
        from .run import extract_document

        try:
            result = extract_document(str(path), read_source(path), allow_empty=allow_empty)
        except InputError as exc:
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
              help="Also write milestone_changes and programme_changes (Parquet) into this folder.")
@click.option("--old-doc", default=None, help="doc_id to take from OLD when it is a folder of several documents.")
@click.option("--new-doc", default=None, help="doc_id to take from NEW when it is a folder of several documents.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many of the biggest slips to list.")
@click.option("--allow-empty", is_flag=True, help="Accept a plan file with no milestones.")
def diff(old: str, new: str, out_dir: str | None, old_doc: str | None, new_doc: str | None, top: int,
         allow_empty: bool) -> None:
    """Compare two versions of a plan. OLD and NEW are plan files (.txt/.html) or output folders."""
    from .changes import compare_versions, quality_findings
    from .diff_report import summary_lines

    before = load_version(old, old_doc, allow_empty)
    after = load_version(new, new_doc, allow_empty)
    result = compare_versions(before, after)
    docs = {v.document.doc_id: v.document for v in (before, after)}
    findings = quality_findings(result.findings, docs)
    if out_dir is not None:
        from .storage import write_tables

        sources = {d.doc_id: d.source_sha256 for d in docs.values()}
        write_tables({"milestone_changes": result.milestone_changes, "programme_changes": result.programme_changes},
                     Path(out_dir), sources, ("milestone_changes", "programme_changes"))
    for line in summary_lines(before.document.doc_id, after.document.doc_id, result.milestone_changes,
                              result.programme_changes, findings, top):
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
