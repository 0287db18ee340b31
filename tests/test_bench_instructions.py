"""bench.instructions: reading callgrind's totals, and saying why there is no count on a machine without valgrind."""
from __future__ import annotations

import pytest

from bench import instructions

CALLGRIND_OUT = """# callgrind format
version: 1
creator: callgrind-3.19.0
events: Ir
summary: 1427348917
fn=(1) main
0 12
totals: 1427348917
"""


def test_totals_reads_the_totals_line():
    assert instructions.totals(CALLGRIND_OUT) == 1_427_348_917


def test_totals_without_a_totals_line_is_an_error():
    with pytest.raises(ValueError, match="no totals line"):
        instructions.totals("events: Ir\nsummary: 5\n")


@pytest.mark.parametrize("missing, reason", [
    ({"valgrind"}, "valgrind not found"),
    ({"callgrind_control"}, "callgrind_control not found"),
    ({"valgrind", "callgrind_control"}, "valgrind and callgrind_control not found"),
])
def test_run_says_what_is_missing(monkeypatch, missing, reason):
    monkeypatch.setattr(instructions.shutil, "which", lambda tool: None if tool in missing else f"/usr/bin/{tool}")
    assert instructions.run() == {"unavailable": reason}
