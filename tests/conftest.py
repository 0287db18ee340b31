"""Shared fixtures: the plan, its extraction (once per session), and text variants of it."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.run import DocumentTables, extract_document

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "raw" / "nhsx-delivery-plan-2021-12-01.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
PLAN_HTML = FIXTURES / "nhsx-delivery-plan-2021-12-01.html"  # written by fixtures/make_plan_html.py


@pytest.fixture(scope="session")
def plan_bytes() -> bytes:
    return PLAN.read_bytes()


@pytest.fixture(scope="session")
def plan_text(plan_bytes) -> str:
    return plan_bytes.decode("utf-8")


@pytest.fixture(scope="session")
def plan(plan_bytes) -> DocumentTables:
    """Every table extracted from the plan, in process."""
    return extract_document(PLAN.name, plan_bytes)


@pytest.fixture(scope="session")
def plan_html_bytes() -> bytes:
    return PLAN_HTML.read_bytes()


@pytest.fixture(scope="session")
def plan_html(plan_html_bytes) -> DocumentTables:
    """Every table extracted from the plan's HTML page (the same plan, with page furniture around it)."""
    return extract_document(PLAN_HTML.name, plan_html_bytes)


def extract_text(text: str, name: str = "variant.txt", encoding: str = "utf-8", **kw) -> DocumentTables:
    """Extract a variant document given as text (tests build their inputs inline)."""
    return extract_document(name, text.encode(encoding), **kw)


def run_cli(*args: str):
    """Invoke the planextract CLI in process; return click's Result (exit_code, output)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def plan_output(tmp_path_factory) -> Path:
    """A fresh `planextract extract` of raw/ into a temporary output folder (once per session)."""
    out = tmp_path_factory.mktemp("output")
    result = run_cli("extract", str(ROOT / "raw"), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def output_files(out: Path) -> dict[str, bytes]:
    """Return every published file of an output folder (cache and staging excluded), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).parts[0].startswith(".")}


def extract_html(page: str, name: str = "variant.html", **kw) -> DocumentTables:
    """Extract a variant page given as text."""
    return extract_document(name, page.encode("utf-8"), **kw)


def differing_outputs(a: Path, b: Path) -> list[str]:
    """Return the published files that differ, byte for byte, between two output folders (plan.duckdb included)."""
    fa, fb = output_files(a), output_files(b)
    return sorted(n for n in set(fa) | set(fb) if fa.get(n) != fb.get(n))


def milestone_plan(milestones: str, heading: str = "Commitment milestones") -> str:
    """Return a small plan of one theme and one programme whose milestone sub-section (`heading`) holds `milestones`."""
    return f"""Small Plan
Published 2 January 2024

Make - overview

Making.

Thing programme

Background

Why.

{heading}

{milestones}
"""
