"""Profile the warm per-document path on the plan: `python -m bench.profile [runs] [top]`.

Runs the same whole pass as the bench (batch.extract_bytes, then emit) under cProfile after
two warm-up runs, and prints the functions with the most time of their own, then by cumulative time.
"""
from __future__ import annotations

import cProfile
import pstats
import sys

from .stages import PLAN, Emitter, whole_pass


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 20
    top = int(argv[1]) if len(argv) > 1 else 25
    from pipeline.cli import tune_gc

    tune_gc()  # as the bench's stage timings and the command
    data = PLAN.read_bytes()
    emit = Emitter()
    try:
        for _ in range(2):
            whole_pass(PLAN.name, data, emit)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            whole_pass(PLAN.name, data, emit)
        profiler.disable()
    finally:
        emit.close()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"{runs} warm runs of the plan; times are totals over all runs")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
