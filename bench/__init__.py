"""`make bench`: how fast planextract is, where the time goes, and how it scales (issue 8).

Entry point: `python -m bench.run` (writes bench/results.json). Modules:
measure (timers, process-tree memory), stages (in-process stage timings and the floor),
cold (whole-process CLI time, import costs), synth (synthetic plan versions),
scale (many documents, --jobs), peers (dateparser, quantulum3), report (targets, printing).
"""
