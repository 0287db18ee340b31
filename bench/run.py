"""`make bench` (python -m bench.run): measure, print the report, write bench/results.json.

BENCH_QUICK=1 (or `make bench QUICK=1`, or --quick) stops the scale test at 100 documents and
runs fewer repeats; a full run goes to 500 documents. --report prints bench/results.json again.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

from . import cold, instructions, peers, scale, stages
from .measure import ROOT, machine
from .report import ratios, render, targets

RESULTS = ROOT / "bench" / "results.json"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def commit() -> str:
    """Return the commit measured, marked '+dirty' when the working tree has changes to tracked files."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0") or "--quick" in argv
    if "--report" in argv:  # print the last results again, measuring nothing
        print(render(json.loads(RESULTS.read_text(encoding="utf-8"))))
        return 0
    started = time.perf_counter()
    info = machine()
    log(f"bench: {'quick' if quick else 'full'} run on {info['cores']} cores (load {info['loadavg_at_start'][0]:.2f})")

    log("bench: the plan in process (stages, floor)…")
    st = stages.run(repeat=7 if quick else 15)
    log("bench: instructions per warm pass (callgrind)…")
    ins = instructions.run()
    log("bench: cold processes and imports…")
    co = cold.run(repeat=3 if quick else 5)
    log("bench: peers (dateparser, quantulum3)…")
    pe = peers.run(repeat=1 if quick else 3)
    log("bench: scale test…")
    sc = scale.run(quick=quick, log=log)

    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    r = {
        "plan_warm_ms": st.plan_warm_ms,
        "limit_ms": st.limit_ms,
        "plan_warm_instructions": ins.get("per_pass"),
        "cold_cli_s": co["cold_cli_s"],
        "docs": {n: {"seconds": d["seconds"], "peak_rss_mb": d["peak_rss_mb"], "s_per_doc": d["s_per_doc"],
                     "peak_pss_mb": d["peak_pss_mb"], "max_process_rss_mb": d["max_process_rss_mb"]}
                 for n, d in sc["docs"].items()},
        "jobs2_speedup": sc["parallel"]["speedup"],
        "peers": {"dateparser_ms": pe["peers"]["dateparser"]["ms"], "quantulum3_ms": pe["peers"]["quantulum3"]["ms"]},
        "stages_ms": st.stages_ms,
        "stage_notes": st.stage_notes,
        "throughput_mb_s": st.throughput_mb_s,
        "peak_memory": {"plan_heap_mb": st.heap_peak_mb, "cold_cli_peak_rss_mb": co["peak_rss_mb"],
                        "docs_peak_rss_mb": max(d["peak_rss_mb"] for d in sc["docs"].values())},
        "imports_ms": co["imports_ms"],
        "outputs_byte_identical_jobs1_jobs2": sc["parallel"]["byte_identical"],
        "outputs_identical_but_database_bytes_jobs1_jobs2": sc["parallel"]["identical_but_database_bytes"],
        "database_content_equal_jobs1_jobs2": sc["parallel"].get("database_content_equal"),
        "quick": quick,
        "commit": commit(),
        "measured_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "machine": info,
    }
    r["ratios"] = ratios(r)
    r["targets"] = targets(r)
    r["details"] = {"stages": dataclasses.asdict(st) | {"repeat": 7 if quick else 15}, "cold": co, "scale": sc,
                    "peers": pe, "instructions": ins}
    r["bench_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(r, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(render(r))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({r['bench_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
