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
def test_extract_imports_neither_pandas_nor_spacys_cli(tmp_path):
    """Extraction writes arrow tables; pandas (a second or more to import) is never needed for it, nor is
    spaCy's command-line package with its typer and requests (pipeline.mentions.spacy_import)."""
    mods = imported_by("extract", str(PLAN), "--out", str(tmp_path / "out"), "--no-cache")
    assert "pyarrow" in mods and "spacy" in mods, "the probe did not run the extraction"
    assert "pandas" not in mods
    assert not mods & {"typer", "requests", "weasel", "httpx"}
    assert "duckdb" not in mods  # the database writer and its row checks run in a process of their own


@pytest.mark.slow
def test_extract_sets_the_collector_thresholds_of_its_process(tmp_path):
    from pipeline.cli import GC_THRESHOLDS

    probe = ("import gc, sys\nfrom pipeline.cli import entry\nsys.argv = ['planextract'] + sys.argv[1:]\n"
             "try:\n    entry()\nexcept SystemExit:\n    pass\nprint(gc.get_threshold())")
    out = subprocess.run([sys.executable, "-c", probe, "extract", str(PLAN), "--out", str(tmp_path / "out"),
                          "--no-cache"], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == str(GC_THRESHOLDS)


SPACY_PROBE = """
import sys
from pipeline.mentions.spacy_import import import_spacy
spacy = import_spacy()
print(len(spacy.blank("en")("March 2022 and 40%")), "spacy.cli" in sys.modules, "typer" in sys.modules)
print(spacy.info(silent=True)["spacy_version"] == spacy.__version__, "typer" in sys.modules)
import spacy.cli
print(callable(spacy.cli.app), "spacy.cli" in sys.modules)
"""


@pytest.mark.slow
def test_import_spacy_leaves_out_its_cli_until_asked():
    """import_spacy gives a working spaCy without spacy.cli; spacy.info and `import spacy.cli` still work after."""
    out = subprocess.run([sys.executable, "-c", SPACY_PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["5 False False", "True True", "True True"]
