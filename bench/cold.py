"""Whole-process figures: the cold `planextract extract` on the plan, import costs, what each command imports."""
from __future__ import annotations

import compileall
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .measure import ROOT, WORK, cli_command, median, run_measured
from .stages import PLAN

HEAVY = ("spacy", "pandas", "pyarrow", "duckdb", "dateparser", "pydantic", "click")
# Also reported when a command imports them: big, and not needed by every command.
WATCHED = HEAVY + ("numpy", "scipy", "rapidfuzz", "selectolax", "yaml", "regex")

_IMPORT_ONE = "import time; t0 = time.perf_counter(); import {name}; print(time.perf_counter() - t0)"
# spaCy as extraction imports it: without its command-line package (pipeline.mentions.spacy_import).
_IMPORT_SPACY = ("import time; t0 = time.perf_counter(); from pipeline.mentions.spacy_import import import_spacy; "
                 "import_spacy(); print(time.perf_counter() - t0)")

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


def import_cost_ms(name: str, repeat: int = 5, code: str = _IMPORT_ONE) -> float:
    """Return the median time to import `name` (by `code`) in a fresh interpreter (its start-up excluded), in ms."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code.format(name=name)], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        runs.append(1000 * float(out.stdout.strip().splitlines()[-1]))
    return median(runs)


def startup_ms(repeat: int = 5) -> float:
    """Return the median wall time of a bare `python -c pass`, in ms."""
    runs = [run_measured([sys.executable, "-c", "pass"]).seconds for _ in range(repeat)]
    return 1000 * median(runs)


def imported_by(*args: str) -> set[str]:
    """Return the top-level packages that `planextract <args>` imports in a process of its own."""
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def modules_imported(args: list[str]) -> list[str]:
    """Return the watched packages that `planextract <args>` imports in its own process."""
    return sorted(imported_by(*args) & set(WATCHED))


def cold_extract(repeat: int = 5) -> dict:
    """Time `planextract extract <plan> --out <fresh> --no-cache` as whole processes (imports included)."""
    WORK.mkdir(parents=True, exist_ok=True)
    # An installed package has its byte code (pip compiles it); an editable checkout has it only when
    # the interpreter may write it, and PYTHONDONTWRITEBYTECODE may forbid that. Compiled here as `make` does.
    compileall.compile_dir(ROOT / "pipeline", quiet=1)
    runs = []
    with tempfile.TemporaryDirectory(prefix="cold-", dir=WORK) as tmp:
        for i in range(repeat + 1):  # the first run warms the file cache: not timed
            out = Path(tmp) / f"out-{i:02d}"
            run = run_measured(cli_command() + ["extract", str(PLAN), "--out", str(out), "--no-cache"])
            if run.returncode != 0:
                raise RuntimeError(f"planextract extract failed: {run.stderr.strip()}")
            if i:
                runs.append(run)
    return {
        "cold_cli_s": median([r.seconds for r in runs]),
        "runs_s": [round(r.seconds, 3) for r in runs],
        "peak_rss_mb": median([r.peak_tree_rss_mb for r in runs]),
        "max_process_rss_mb": median([r.max_process_rss_mb for r in runs]),
        "processes": max(r.max_processes for r in runs),
        "cpu_s": median([r.cpu_s for r in runs]),
        "others_cpu_share": median([r.others_cpu_share or 0.0 for r in runs]),
    }


def help_time_s(repeat: int = 5) -> float:
    """Return the median wall time of `planextract --help`."""
    return median([run_measured(cli_command() + ["--help"]).seconds for _ in range(repeat)])


def run(repeat: int = 5) -> dict:
    """Return the cold figures: the extract command, --help, interpreter start-up and each heavy import."""
    figures = cold_extract(repeat)
    with tempfile.TemporaryDirectory(prefix="mods-", dir=WORK) as tmp:
        extract_mods = modules_imported(["extract", str(PLAN), "--out", str(Path(tmp) / "out"), "--no-cache"])
    figures.update({
        "help_s": help_time_s(repeat),
        "python_startup_ms": startup_ms(repeat),
        "imports_ms": {name: import_cost_ms(name, repeat) for name in HEAVY}
        | {"spacy, without spacy.cli": import_cost_ms("spacy", repeat, _IMPORT_SPACY)},
        "help_imports": modules_imported(["--help"]),
        "extract_imports": extract_mods,
    })
    return figures
