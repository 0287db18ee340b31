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
    write_outputs(tables, Path(out_dir), sources)
    summarise(tables, failures)


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
