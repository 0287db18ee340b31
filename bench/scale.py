"""Scale test: `planextract extract` over 1, 10, 100 and 500 synthetic documents, and --jobs 1 against 2.

Each run is a whole `planextract extract <folder> --out <fresh> --no-cache --jobs J` process,
measured by bench.measure.run_measured: wall time, and memory of the whole process tree (the
CLI, its worker processes and the DuckDB writer) sampled every 20 ms, beside the kernel's
peak for the largest single process.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Optional

from . import synth
from .measure import WORK, ProcessRun, cli_command, median, run_measured

SIZES = (1, 10, 100, 500)
QUICK_SIZES = (1, 10, 100)
COMPARE_N = 100  # the size at which --jobs 1 and --jobs 2 are compared


def folder_of(paths: list[Path], n: int) -> Path:
    """Return a raw folder holding the first `n` variants (hard links, else copies)."""
    folder = WORK / "scale" / f"n{n:04d}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for path in paths[:n]:
        try:
            os.link(path, folder / path.name)
        except OSError:
            shutil.copy2(path, folder / path.name)
    return folder


def out_dir(n: int, jobs: int) -> Path:
    """Return a fresh output folder; names of one length, since plan.duckdb depends on the path's length."""
    out = WORK / "out" / f"n{n:04d}-j{jobs}"
    if out.exists():
        shutil.rmtree(out)
    return out


def extract(folder: Path, out: Path, jobs: int) -> ProcessRun:
    """Run `planextract extract` on `folder` into `out`; raise when it fails."""
    run = run_measured(cli_command() + ["extract", str(folder), "--out", str(out), "--no-cache", "--jobs", str(jobs)])
    if run.returncode != 0:
        raise RuntimeError(f"planextract extract {folder} failed: {run.stderr.strip()[-500:]}")
    return run


def documents_in(out: Path) -> int:
    """Return how many documents an output folder holds (from its manifest)."""
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["rows"]["documents"]


def published_files(out: Path) -> dict[str, bytes]:
    """Return every published file of an output folder (no dot-folders: cache, staging), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).parts[0].startswith(".")}


def summarise(n: int, runs: list[ProcessRun]) -> dict:
    seconds = median([r.seconds for r in runs])
    pss = [r.peak_tree_pss_mb for r in runs if r.peak_tree_pss_mb is not None]
    return {"seconds": seconds, "peak_rss_mb": median([r.peak_tree_rss_mb for r in runs]),
            "peak_pss_mb": median(pss) if pss else None,
            "max_process_rss_mb": median([r.max_process_rss_mb for r in runs]),
            "processes": max(r.max_processes for r in runs), "runs_s": [round(r.seconds, 3) for r in runs],
            "s_per_doc": seconds / n, "cpu_s": median([r.cpu_s for r in runs]),
            "others_cpu_share": median([r.others_cpu_share for r in runs]) if runs[0].others_cpu_share is not None else None}


def repeats_for(n: int, quick: bool) -> int:
    """Median of 3 runs at every size, except in quick mode (once from 100 up).

    The largest size too: one run of it was once 40% slower than the runs before and after it, on a quiet
    machine, and the linear-growth figure rests on it."""
    if quick and n >= 100:
        return 1
    return 3


def run(quick: bool = False, seed: int = 8, jobs: Optional[int] = None, log=print) -> dict:
    """Return the scale and parallelism figures."""
    jobs = jobs or os.cpu_count() or 1
    sizes = QUICK_SIZES if quick else SIZES
    t0 = time.perf_counter()
    paths = synth.cached_variants(WORK / "synth", max(sizes), seed)
    generated_s = time.perf_counter() - t0
    docs: dict[str, dict] = {}
    kept: dict[int, Path] = {}
    for n in sizes:
        folder = folder_of(paths, n)
        runs = []
        for _ in range(repeats_for(n, quick)):
            out = out_dir(n, jobs)
            runs.append(extract(folder, out, jobs))
            if documents_in(out) != n:
                raise RuntimeError(f"{out}: expected {n} documents, found {documents_in(out)}")
        docs[str(n)] = summarise(n, runs)
        log(f"  {n:>4} documents: {docs[str(n)]['seconds']:.2f} s, peak {docs[str(n)]['peak_rss_mb']:.0f} MB")
        if n == COMPARE_N:
            kept[jobs] = out
        else:
            shutil.rmtree(out)
    parallel = compare_jobs(paths, kept.get(jobs), jobs, repeats_for(COMPARE_N, quick), docs.get(str(COMPARE_N)), log)
    return {"docs": docs, "jobs": jobs, "seed": seed, "synth_s": generated_s, "parallel": parallel}


def database_content_equal(a: Path, b: Path) -> bool:
    """Whether two plan.duckdb files hold the same tables, views, comments and rows (in order)."""
    from pipeline.storage.database import same_content

    return same_content(a, b)


def compare_outputs(a_dir: Path, b_dir: Path) -> dict:
    """Compare two output folders file by file, byte for byte; plan.duckdb also by content, to say where a difference lies."""
    a, b = published_files(a_dir), published_files(b_dir)
    differing = sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
    out = {"files_compared": len(a), "byte_identical": not differing and bool(a), "differing_files": differing,
           "identical_but_database_bytes": bool(a) and differing in ([], ["plan.duckdb"])}
    if "plan.duckdb" in a and "plan.duckdb" in b:
        out["database_content_equal"] = database_content_equal(a_dir / "plan.duckdb", b_dir / "plan.duckdb")
    return out


def compare_jobs(paths: list[Path], parallel_out: Optional[Path], jobs: int, repeat: int, parallel: Optional[dict],
                 log=print) -> dict:
    """Run COMPARE_N documents with --jobs 1; return the speed-up of `jobs` and how the outputs compare.

    Also runs 10 documents twice with --jobs 1, to tell a difference that --jobs makes from one
    that any two runs show.
    """
    folder = folder_of(paths, COMPARE_N)
    runs = []
    for _ in range(repeat):
        serial_out = out_dir(COMPARE_N, 1)
        runs.append(extract(folder, serial_out, 1))
    serial = summarise(COMPARE_N, runs)
    compared = compare_outputs(serial_out, parallel_out) if parallel_out else {}
    shutil.rmtree(serial_out)
    if parallel_out:
        shutil.rmtree(parallel_out)
    small = folder_of(paths, 10)
    first, second = WORK / "out" / "again-1", WORK / "out" / "again-2"  # names of one length
    for out in (first, second):
        shutil.rmtree(out, ignore_errors=True)
        extract(small, out, 1)
    again = compare_outputs(first, second)
    for out in (first, second):
        shutil.rmtree(out)
    speedup = serial["seconds"] / parallel["seconds"] if parallel else None
    log(f"  {COMPARE_N} documents --jobs 1: {serial['seconds']:.2f} s (speed-up at {jobs} jobs: {speedup:.2f}x)")
    return {"n": COMPARE_N, "jobs1": serial, f"jobs{jobs}": parallel, "speedup": speedup, **compared,
            "serial_twice_n10": again}
