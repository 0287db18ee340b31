"""Measuring tools: medians of repeated runs, and a subprocess's wall time and process-tree memory."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
MB = 1024 * 1024


def median(values: list[float]) -> float:
    """Return the median of `values`."""
    return statistics.median(values)


def time_calls(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Return the seconds of `repeat` calls of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


class StageClock:
    """A stage hook for pipeline.run.extract_document: adds each stage's seconds under its name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0


def cli_command() -> list[str]:
    """Return the installed `planextract` entry point next to this interpreter (else `python -m pipeline`)."""
    script = Path(sys.executable).with_name("planextract")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


# Runs the command, then reports its wall time and the kernel's peak RSS over every
# descendant it reaped (RUSAGE_CHILDREN folds in grandchildren waited for by their parent).
_WRAPPER = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
sys.stderr.write(done.stderr.decode("utf-8", "replace"))
rc = done.returncode
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime}))
"""


@dataclass
class ProcessRun:
    """One measured subprocess run."""

    seconds: float  # wall time of the command (the wrapper's own start-up excluded)
    peak_tree_rss_mb: float  # highest sum of RSS over the live process tree, sampled
    peak_tree_pss_mb: Optional[float]  # same with PSS (shared pages split between processes), when readable
    max_process_rss_mb: float  # the largest single process's peak RSS, from the kernel
    max_processes: int  # most processes alive at once in the tree
    cpu_s: float  # user + system seconds of the whole tree
    others_cpu_share: Optional[float]  # share of the machine's CPU used by other processes meanwhile
    returncode: int
    stderr: str


def busy_cpu_seconds() -> Optional[float]:
    """Return the CPU seconds every core has spent busy since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as fh:
            values = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _tree(proc) -> list:
    import psutil

    try:
        return [proc] + proc.children(recursive=True)
    except psutil.Error:
        return []


def run_measured(cmd: list[str], cwd: Optional[Path] = None, interval: float = 0.02, env: Optional[dict] = None) -> ProcessRun:
    """Run `cmd` and return its wall time and memory: a sampled process-tree sum and the kernel's peak."""
    import psutil

    wrapper = subprocess.Popen([sys.executable, "-c", _WRAPPER] + cmd, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(wrapper.pid)
    peak_rss = peak_pss = 0.0
    pss_ok = True
    most = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss, pss_ok, most
        while not stop.is_set():
            procs = _tree(root)[1:]  # the wrapper itself is not part of planextract
            rss = pss = 0
            for p in procs:
                try:
                    if pss_ok:
                        full = p.memory_full_info()
                        rss += full.rss
                        pss += full.pss
                    else:
                        rss += p.memory_info().rss
                except psutil.AccessDenied:
                    pss_ok = False
                except psutil.Error:
                    pass  # exited between listing and reading
            most = max(most, len(procs))
            peak_rss = max(peak_rss, rss / MB)
            peak_pss = max(peak_pss, pss / MB)
            stop.wait(interval)

    busy0, self0, t0 = busy_cpu_seconds(), time.process_time(), time.perf_counter()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = wrapper.communicate()
    stop.set()
    thread.join()
    busy1, self1, elapsed = busy_cpu_seconds(), time.process_time(), time.perf_counter() - t0
    result = json.loads(out.strip().splitlines()[-1])
    max_rss = result["maxrss_kb"] / 1024
    others = None
    if busy0 is not None and busy1 is not None:  # the machine is shared: say how busy the rest of it was
        spent = (busy1 - busy0) - result["cpu"] - (self1 - self0)
        others = max(0.0, spent) / (elapsed * (os.cpu_count() or 1))
    return ProcessRun(seconds=result["wall"], peak_tree_rss_mb=max(peak_rss, max_rss),
                      peak_tree_pss_mb=peak_pss if pss_ok and peak_pss else None, max_process_rss_mb=max_rss,
                      max_processes=most, cpu_s=result["cpu"], others_cpu_share=others, returncode=result["rc"],
                      stderr=err)


def machine() -> dict:
    """Return what the figures were measured on: cores, Python, load average at the start."""
    import platform

    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
