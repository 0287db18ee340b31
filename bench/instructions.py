"""Instructions per warm pass of the plan, counted by valgrind's callgrind: a figure the machine's load does not move.

Wall-clock times on a shared 2-core machine vary by half from one run to the next; the number of
instructions a pass executes varies by well under 1%. A speed-up is measured here first.

The process warms up (two passes: rules compiled, writers opened, as in bench.stages) with callgrind's
instrumentation off, then `callgrind_control -i on` counts exactly the measured passes. The two sides
meet through marker files in a temporary folder. `python -m bench.instructions [passes]` prints the figure;
`make bench-instructions` runs it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from .measure import ROOT

TIMEOUT_S = 900.0
TOTALS_RE = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)

# Runs inside valgrind: warm up, say so, wait for the counting to start, run the passes, say so, wait to be let go.
TARGET = """
import os, sys, time
from bench.stages import PLAN, Emitter, whole_pass
from pipeline.cli import tune_gc

def wait(name):
    while not os.path.exists(os.path.join(folder, name)):
        time.sleep(0.02)

folder, passes = sys.argv[1], int(sys.argv[2])
tune_gc()
data, emit = PLAN.read_bytes(), Emitter()
for _ in range(2):
    whole_pass(PLAN.name, data, emit)
open(os.path.join(folder, "ready"), "w").close()
wait("go")
for _ in range(passes):
    whole_pass(PLAN.name, data, emit)
open(os.path.join(folder, "done"), "w").close()
wait("end")
emit.close()
"""


def available() -> Optional[str]:
    """Return why instructions cannot be counted here (valgrind or callgrind_control missing), or None."""
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found" if missing else None


def totals(callgrind_out: str) -> int:
    """Return the instructions a callgrind output file counts in all (its `totals:` line)."""
    m = TOTALS_RE.search(callgrind_out)
    if m is None:
        raise ValueError("callgrind output has no totals line")
    return int(m.group(1))


def _await(folder: Path, name: str, proc: subprocess.Popen) -> None:
    """Wait until the marker file `name` exists; raise if the process ends first or time runs out."""
    deadline = time.monotonic() + TIMEOUT_S
    while not (folder / name).exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the measured process ended (exit {proc.returncode}) before '{name}'")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for '{name}'")
        time.sleep(0.1)


def count(passes: int = 3) -> dict:
    """Return {"per_pass", "passes", "total"}: the instructions the warm passes of the plan executed."""
    with tempfile.TemporaryDirectory(prefix="bench-cg-") as tmp:
        folder = Path(tmp)
        out = folder / "callgrind.out"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        log = folder / "valgrind.log"
        # valgrind's messages go to a file: a pipe that nobody reads while the passes run could fill and stall it.
        with log.open("w") as err:
            proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                     f"--callgrind-out-file={out}", sys.executable, "-c", TARGET, str(folder),
                                     str(passes)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
            try:
                _await(folder, "ready", proc)
                subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
                (folder / "go").touch()
                _await(folder, "done", proc)
                subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, capture_output=True)
                (folder / "end").touch()
                proc.wait(timeout=TIMEOUT_S)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if proc.returncode != 0:
            last = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"valgrind exited {proc.returncode}: {last}")
        total = totals(out.read_text(encoding="utf-8", errors="replace"))
    return {"per_pass": total // passes, "passes": passes, "total": total}


def run(passes: int = 3) -> dict:
    """Return the count (as `count`), or {"unavailable": reason} on a machine without valgrind."""
    reason = available()
    return {"unavailable": reason} if reason else count(passes)


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    passes = int(argv[0]) if argv else 3
    result = run(passes)
    if "unavailable" in result:
        print(f"bench.instructions: cannot count instructions: {result['unavailable']}", file=sys.stderr)
        return 1
    print(f"plan, warm, all stages: {result['per_pass'] / 1e6:.1f} M instructions per pass "
          f"(callgrind, {result['passes']} passes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
