"""The CLI edge: help, the default input folder, and bad paths (issue 2)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, output_files, run_cli


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("extract", "validate", "dictionary"):
        assert command in result.output
    extract = run_cli("extract", "--help")
    for option in ("--out", "--jobs", "--keep-going", "--allow-empty", "--no-cache"):
        assert option in extract.output


def test_python_dash_m_pipeline_is_the_cli():
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "extract" in proc.stdout


def test_extract_defaults_to_raw(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    result = run_cli("extract", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "milestones: 219" in result.output


def test_missing_path_is_a_one_line_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run_cli("extract", str(tmp_path / "nowhere.txt"), "--out", str(out))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [f"planextract: error: {tmp_path / 'nowhere.txt'}: no such file or folder"]
    assert not out.exists() or output_files(out) == {}


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / "raw").mkdir()
    result = run_cli("extract", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no plan files found" in result.output


def test_validate_on_missing_folder(tmp_path):
    result = run_cli("validate", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no such output folder" in result.output
