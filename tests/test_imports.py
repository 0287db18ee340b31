"""Cold paths import only what they need: `planextract --help` loads none of the heavy packages."""
from __future__ import annotations

import subprocess
import sys

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
    assert "duckdb" not in mods  # the database writer and its row checks run in a process of their own


@pytest.mark.slow
def test_extract_sets_the_collector_thresholds_of_its_process(tmp_path):
    from pipeline.cli import GC_THRESHOLDS

    probe = ("import gc, sys\nfrom pipeline.cli import entry\nsys.argv = ['planextract'] + sys.argv[1:]\n"
             "try:\n    entry()\nexcept SystemExit:\n    pass\nprint(gc.get_threshold())")
    out = subprocess.run([sys.executable, "-c", probe, "extract", str(PLAN), "--out", str(tmp_path / "out"),
                          "--no-cache"], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == str(GC_THRESHOLDS)
