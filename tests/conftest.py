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


def extract_html(page: str, name: str = "variant.html", **kw) -> DocumentTables:
    """Extract a variant page given as text."""
    return extract_document(name, page.encode("utf-8"), **kw)
