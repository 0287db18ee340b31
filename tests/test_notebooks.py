"""Issue 5: every notebook in notebooks/ executes against a fresh extract, and saves its plots as PNG."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_cli

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def series_output(tmp_path_factory) -> Path:
    """An extract of three versions of the plan (tests/versions.py), so that there are changes to show."""
    from versions import texts

    raw = tmp_path_factory.mktemp("series_raw")
    for name, text in texts().items():
        (raw / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("series_output")
    result = run_cli("extract", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, request, tmp_path, monkeypatch):
    """A notebook whose metadata says `planextract.needs: series` runs on a series of versions."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    needs = nb.metadata.get("planextract", {}).get("needs")
    output = request.getfixturevalue("series_output" if needs == "series" else "plan_output")
    figures = tmp_path / "figures"
    monkeypatch.setenv("PLANEXTRACT_OUTPUT", str(output))
    monkeypatch.setenv("PLANEXTRACT_RAW", str(ROOT / "raw"))
    monkeypatch.setenv("PLANEXTRACT_FIGURES", str(figures))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                            ).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    pngs = sorted(figures.glob("*.png"))
    assert pngs, "the notebook saved no plot"
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
