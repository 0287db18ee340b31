"""Cold paths import only what they need: `planextract --help` loads none of the heavy packages."""
from __future__ import annotations

import pytest

from bench.cold import imported_by
from conftest import PLAN

HEAVY = ("spacy", "pandas", "pyarrow", "duckdb", "dateparser", "numpy", "scipy")


@pytest.mark.parametrize("args", [("--help",), ("extract", "--help"), ("validate", "--help"), ("--version",)])
def test_help_imports_no_heavy_package(args):
    assert imported_by(*args) & set(HEAVY) == set()


@pytest.mark.slow
def test_extract_does_not_import_pandas(tmp_path):
    """Extraction writes arrow tables; pandas (a second or more to import) is never needed for it."""
    mods = imported_by("extract", str(PLAN), "--out", str(tmp_path / "out"), "--no-cache")
    assert "pyarrow" in mods, "the probe did not run the extraction"
    assert "pandas" not in mods
