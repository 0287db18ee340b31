"""Issue 5: every notebook in notebooks/ executes against a fresh extract, and saves its plots as PNG."""
from __future__ import annotations

import os

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, plan_output, tmp_path, monkeypatch):
    import nbclient
    import nbformat

    figures = tmp_path / "figures"
    monkeypatch.setenv("PLANEXTRACT_OUTPUT", str(plan_output))
    monkeypatch.setenv("PLANEXTRACT_RAW", str(ROOT / "raw"))
    monkeypatch.setenv("PLANEXTRACT_FIGURES", str(figures))
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                            ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    pngs = sorted(figures.glob("*.png"))
    assert pngs, "the notebook saved no plot"
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
