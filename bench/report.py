"""The bench's targets (issue 8) and its printed report."""
from __future__ import annotations

import textwrap
from itertools import zip_longest
from typing import Optional

LINEAR_MAX = 1.25  # marginal cost per document, 100→500 against 10→100: at most this much higher
BOUNDED_MAX = 1.25  # peak memory at 500 documents against 100


def marginal(docs: dict, a: int, b: int) -> Optional[float]:
    """Return the seconds each extra document costs between sizes `a` and `b`."""
    if str(a) not in docs or str(b) not in docs:
        return None
    return (docs[str(b)]["seconds"] - docs[str(a)]["seconds"]) / (b - a)


def ratios(r: dict) -> dict:
    """Return the comparisons the report makes."""
    docs = r["docs"]
    peers = r["peers"]
    both = (peers["dateparser_ms"] or 0) + (peers["quantulum3_ms"] or 0) if all(peers.values()) else None
    m_small, m_large = marginal(docs, 10, 100), marginal(docs, 100, 500)
    return {
        "warm_over_limit": r["plan_warm_ms"] / r["limit_ms"],
        "dateparser_over_warm": peers["dateparser_ms"] / r["plan_warm_ms"] if peers["dateparser_ms"] else None,
        "quantulum3_over_warm": peers["quantulum3_ms"] / r["plan_warm_ms"] if peers["quantulum3_ms"] else None,
        "peers_over_warm": both / r["plan_warm_ms"] if both else None,
        "jobs1_over_jobs2": r["jobs2_speedup"],
        "marginal_s_per_doc_10_100": m_small,
        "marginal_s_per_doc_100_500": m_large,
        "marginal_500_over_100": m_large / m_small if m_small and m_large else None,
        "peak_rss_500_over_100": (docs["500"]["peak_rss_mb"] / docs["100"]["peak_rss_mb"]
                                  if "500" in docs and "100" in docs else None),
    }


def targets(r: dict) -> list[dict]:
    """Return each target of issue 8 with its figure and whether it is met (None: not measured)."""
    q = r["ratios"]
    d500 = r["docs"].get("500")

    def upper(name, value, limit, unit):
        return {"target": name, "figure": value, "limit": f"<= {limit:g} {unit}".strip(), "unit": unit,
                "met": None if value is None else value <= limit,
                "margin": None if value is None else limit / value}

    def lower(name, value, limit, unit):
        return {"target": name, "figure": value, "limit": f">= {limit:g} {unit}".strip(), "unit": unit,
                "met": None if value is None else value >= limit,
                "margin": None if value is None else value / limit}

    return [
        upper("plan warm, every stage together", r["plan_warm_ms"], 50, "ms"),
        upper("plan warm against the floor (limit_ms)", q["warm_over_limit"], 15, "x"),
        lower("faster than dateparser + quantulum3", q["peers_over_warm"], 50, "x"),
        upper("cold `planextract extract` on the plan", r["cold_cli_s"], 2, "s"),
        upper("500 documents on 2 cores", d500["seconds"] if d500 else None, 120, "s"),
        upper("peak memory at 500 documents", d500["peak_rss_mb"] if d500 else None, 1024, "MB"),
        upper("linear growth: marginal s/doc 100→500 over 10→100", q["marginal_500_over_100"], LINEAR_MAX, "x"),
        upper("memory bounded: peak 500 docs over 100 docs", q["peak_rss_500_over_100"], BOUNDED_MAX, "x"),
    ]


# -- printing ---------------------------------------------------------------------------
def _f(value, fmt="{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  " + "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), "  " + "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def _columns(cols: list[list[str]], titles: list[str], width: int = 40) -> str:
    wrapped = []
    for items in cols:
        lines = []
        for item in items or ["(none)"]:
            lines += textwrap.wrap(item, width, subsequent_indent="    ") or [""]
        wrapped.append(lines)
    out = ["    " + " | ".join(t.ljust(width) for t in titles), "    " + "-+-".join("-" * width for _ in titles)]
    for row in zip_longest(*wrapped, fillvalue=""):
        out.append("    " + " | ".join(c.ljust(width) for c in row))
    return "\n".join(out)


def _comparison(c: dict) -> str:
    """Say how two output folders compare."""
    if c.get("byte_identical"):
        return f"byte-identical ({c['files_compared']} files)"
    text = f"{len(c['differing_files'])} of {c['files_compared']} files differ in bytes ({', '.join(c['differing_files'])})"
    if "database_content_equal" in c:
        text += ("; plan.duckdb holds the same content" if c["database_content_equal"]
                 else "; plan.duckdb CONTENT DIFFERS")
    return text


def _instructions(r: dict) -> str:
    """Return the line on instructions per warm pass (bench.instructions), or why there is none."""
    count = r.get("details", {}).get("instructions", {})
    if r.get("plan_warm_instructions") is None:
        return f"not counted ({count.get('unavailable', 'not in this run')})"
    return (f"{r['plan_warm_instructions'] / 1e6:.1f} M per warm pass (callgrind, {count.get('passes', '?')} passes): "
            f"unlike the times, unmoved by the machine's load")


def render(r: dict) -> str:
    """Return the human-readable report of one bench run."""
    m = r["machine"]
    s = r["details"]["stages"]
    out = [f"planextract bench — {m['cores']} cores, Python {m['python']}, "
           f"load average {m['loadavg_at_start'][0]:.2f} at start, {m['loadavg_at_end'][0]:.2f} at end"
           f"{' — QUICK mode' if r['quick'] else ''}",
           f"commit {r['commit']}", ""]

    out.append(f"THE PLAN, IN PROCESS ({s['plan_bytes'] / 1e6:.3f} MB, {r['details']['stages']['counts']['paragraphs']} "
               f"paragraphs), median of {s['repeat']} runs")
    rows = []
    for name, ms in r["stages_ms"].items():
        note = r["stage_notes"].get(name, "")
        share = f"{100 * ms / r['plan_warm_ms']:.0f}%" if ms is not None else ""
        rows.append([name, _f(ms), share, note])
    rows.append(["unattributed", _f(s["unattributed_ms"]), "", "whole path minus the stages (wiring, timer)"])
    rows.append(["plan_warm_ms", _f(r["plan_warm_ms"]), "100%", "batch.extract_bytes + emit, one document"])
    out.append(_table(rows, ["stage", "ms", "share", ""]))
    q = r["ratios"]
    out += ["",
            f"  floor (limit_ms): {_f(r['limit_ms'], '{:.2f}')} ms — read, split {s['limit_counts']['paragraphs']} paragraphs, one regex "
            f"({s['limit_counts']['date']} dates, {s['limit_counts']['number']} numbers); warm / floor = {q['warm_over_limit']:.1f}x",
            f"  throughput: {r['throughput_mb_s']:.2f} MB/s of plan text",
            f"  instructions: {_instructions(r)}",
            f"  peak memory: Python heap {r['peak_memory']['plan_heap_mb']:.1f} MB for one warm plan; "
            f"cold CLI process tree {r['peak_memory']['cold_cli_peak_rss_mb']:.0f} MB RSS", ""]

    c = r["details"]["cold"]
    out.append(f"COLD PROCESSES, median of {len(c['runs_s'])} runs")
    out.append(f"  planextract extract <plan> --out <fresh> --no-cache: {r['cold_cli_s']:.2f} s (runs: "
               f"{', '.join(f'{x:.2f}' for x in c['runs_s'])}); {c['processes']} processes, peak {c['peak_rss_mb']:.0f} MB")
    out.append(f"  planextract --help: {c['help_s']:.2f} s; python -c pass: {c['python_startup_ms']:.0f} ms")
    out.append(f"  --help imports: {', '.join(c['help_imports']) or 'none of the heavy packages'}")
    out.append(f"  extract imports (main process): {', '.join(c['extract_imports'])}")
    out.append(_table([[k, _f(v, '{:.0f}')] for k, v in r["imports_ms"].items()], ["import (fresh interpreter)", "ms"]))
    out.append("")

    sc = r["details"]["scale"]
    out.append(f"SCALE: planextract extract over N synthetic versions (--jobs {sc['jobs']}, --no-cache, fresh --out; "
               f"seed {sc['seed']})")
    rows = []
    prev = None
    for n, d in sc["docs"].items():
        marg = (d["seconds"] - prev[1]) / (int(n) - prev[0]) if prev else None
        rows.append([n, _f(d["seconds"], "{:.2f}"), _f(d["s_per_doc"], "{:.3f}"), _f(marg, "{:.3f}"),
                     _f(d["peak_rss_mb"], "{:.0f}"), _f(d["peak_pss_mb"], "{:.0f}"), _f(d["max_process_rss_mb"], "{:.0f}"),
                     str(d["processes"]), _f(d["cpu_s"], "{:.1f}"), _f(d["others_cpu_share"], "{:.0%}"),
                     str(len(d["runs_s"]))])
        prev = (int(n), d["seconds"])
    out.append(_table(rows, ["N", "seconds", "s/doc", "marginal s/doc", "peak RSS MB", "peak PSS MB",
                             "largest process MB", "processes", "CPU s", "others' CPU", "runs"]))
    out.append("  memory: RSS and PSS summed over the live process tree (CLI, workers, DuckDB writer), sampled every 20 ms;")
    out.append("  'largest process' is the kernel's peak RSS of the biggest single process (getrusage RUSAGE_CHILDREN);")
    out.append("  'CPU s' is user+system time of the tree; 'others' CPU' the share of both cores other processes used meanwhile.")
    p = sc["parallel"]
    j = f"jobs{sc['jobs']}"
    if p.get("jobs1") and p.get(j):
        out.append(f"  --jobs 1 vs --jobs {sc['jobs']} on {p['n']} documents: {p['jobs1']['seconds']:.2f} s vs "
                   f"{p[j]['seconds']:.2f} s, speed-up {p['speedup']:.2f}x")
        out.append("  outputs, --jobs 1 vs --jobs 2: " + _comparison(p))
        out.append("  outputs, two --jobs 1 runs of 10 documents: " + _comparison(p["serial_twice_n10"]))
    out.append("")

    pe = r["details"]["peers"]
    out.append(f"PEERS on the plan's {pe['paragraphs']} paragraphs")
    rows = []
    for name, info in pe["peers"].items():
        if not info["available"]:
            rows.append([name, "—", "—", "—", info["note"]])
            continue
        ratio = info["ms"] / r["plan_warm_ms"]
        rows.append([name, _f(info["ms"], "{:.0f}"), str(info["found"]), f"{ratio:.0f}x", info["note"]])
    ours = pe["ours"]
    if ours["temporal_expressions"] is not None:
        found = f"{ours['temporal_expressions'] + ours['quantities']}"
        note = f"{ours['temporal_expressions']} dates and periods, {ours['quantities']} quantities"
    else:
        found = "—"
        note = (f"mentions not built; what exists: {ours['milestone_due_dates']} milestone due dates, "
                f"{ours['target_dates']} target dates, {ours['target_values']} target values")
    rows.append(["planextract (all stages)", _f(r["plan_warm_ms"], "{:.0f}"), found, "1x", ""])
    out.append(_table(rows, ["tool", "ms", "found", "time vs ours", "note"]))
    out.append(f"  ours: {note}")
    dp, qu = (pe["peers"][k] for k in ("dateparser", "quantulum3"))
    if dp["available"] and qu["available"]:
        out.append(f"  first call (loads its data, not timed above): dateparser {dp['first_call_ms']:.0f} ms, "
                   f"quantulum3 {qu['first_call_ms']:.0f} ms")
    for sample in pe["samples"]:
        out.append("")
        out.append(f"  [{sample['rule']}] {sample['paragraph_id']}: " + textwrap.shorten(sample["text"], 220))
        cols = [[f"{a} → {b}" for a, b in sample["ours"]] or ["(no rows: mentions not built)"
                                                               if ours["temporal_expressions"] is None else "(none)"]]
        titles = ["ours"]
        for name in ("dateparser", "quantulum3"):
            if name in sample:
                items = [f"{a!r} → {b}" + (f"  ✗ {why}" if why else "") for a, b, why in sample[name]]
                items += [f"missed {x!r}" for x in sample.get(f"{name}_missed", [])]
                cols.append(items)
                titles.append(name)
        out.append(_columns(cols, titles))
    out.append("")

    out.append("TARGETS (benchmarks, not tests)")
    rows = []
    for t in r["targets"]:
        if t["met"] is None:
            rows.append([t["target"], "not measured", t["limit"], "—", ""])
            continue
        fig = f"{t['figure']:.2f} {t['unit']}".strip()
        how = (f"{t['margin']:.2f}x headroom" if t["met"] else f"{1 / t['margin']:.2f}x off") if t["margin"] else ""
        rows.append([t["target"], fig, t["limit"], "met" if t["met"] else "NOT MET", how])
    out.append(_table(rows, ["target", "figure", "target", "status", "by"]))
    return "\n".join(out)
