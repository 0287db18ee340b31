"""Cold paths import only what they need: `planextract --help` loads none of the heavy packages."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import PLAN, ROOT

HEAVY = ("spacy", "pandas", "pyarrow", "duckdb", "dateparser", "numpy", "scipy")

# Runs the CLI as the console script does, in a fresh interpreter, and prints the top-level packages it imported.
PROBE = """
import json, sys
from pipeline.cli import entry
sys.argv = ["planextract"] + sys.argv[1:]
try:
    entry()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def imported_by(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--help",), ("extract", "--help"), ("validate", "--help"), ("--version",)])
def test_help_imports_no_heavy_package(args):
    assert imported_by(*args) & set(HEAVY) == set()


@pytest.mark.slow
def test_extract_does_not_import_pandas(tmp_path):
    """Extraction writes arrow tables; pandas (a second or more to import) is never needed for it."""
    mods = imported_by("extract", str(PLAN), "--out", str(tmp_path / "out"), "--no-cache")
    assert "pyarrow" in mods, "the probe did not run the extraction"
    assert "pandas" not in mods
