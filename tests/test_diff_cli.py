"""Issue 7 at the edge: `planextract diff`, and `planextract extract` comparing the versions of a plan."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.storage import read_rows as read_table
from versions import V1, V2, V3, texts


@pytest.fixture(scope="module")
def raw_versions(tmp_path_factory) -> Path:
    """A raw/ folder holding the three versions."""
    folder = tmp_path_factory.mktemp("raw")
    for name, text in texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def extracted_output(raw_versions, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("output")
    result = CliRunner().invoke(main, ["extract", str(raw_versions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "changes: 2 version pair(s): 407 unchanged, 28 modified, 2 added, 3 removed" in result.output
    return out


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="plan.duckdb repeats byte for byte only with the jemalloc DuckDB bundles on Linux")
def test_extracting_the_versions_again_gives_the_same_bytes(raw_versions, extracted_output, tmp_path):
    """An archive's outputs repeat byte for byte, plan.duckdb too (storage.database.ALLOCATOR_ENV): without
    a zeroing allocator, these three versions' databases differed in every run."""
    from conftest import differing_outputs

    again = tmp_path / "again"
    assert run("extract", str(raw_versions), "--out", str(again), "--no-cache", "--jobs", "1").exit_code == 0
    assert (again / "plan.duckdb").stat().st_size > 1_000_000
    assert differing_outputs(extracted_output, again) == []


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_diff_files_prints_the_summary(raw_versions, tmp_path):
    result = run("diff", str(raw_versions / V1), str(raw_versions / V2), "--out", str(tmp_path / "d"), "--top", "3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("nhsx-delivery-plan-2021-12-01 -> nhsx-delivery-plan-2022-04-01\n")
    assert "milestones: 197 unchanged, 20 modified, 2 added, 2 removed" in out
    assert "2 completed, 1 reopened, 13 date changed, 5 reworded, 1 moved to another programme" in out
    assert "programmes: 44 unchanged, 2 renamed, 0 added, 0 removed" in out
    slips = out.split("biggest slips")[1].split("newly completed")[0].strip().splitlines()
    assert slips[0] == "(11 slipped, 1 brought forward):" and len(slips) == 4
    assert slips[1].split()[0] == "+365" and "Cloud strategy for NHS published." in slips[3]
    completed = out.split("newly completed (2):")[1].split("removed (2):")[0]
    assert "Round 1 (existing commitments)" in completed and "Prioritisation and the identification" in completed
    removed = out.split("removed (2):")[1].split("added (2):")[0]
    assert "Internet facing services policy published" in removed and "Three-year digital roadmap" in removed
    assert "renamed: Digital readiness -> Digital skills and readiness" in out and "findings: none" in out
    written = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert written == ["csv", "milestone_changes.parquet", "programme_changes.parquet"]
    assert sorted(p.name for p in (tmp_path / "d" / "csv").iterdir()) == ["milestone_changes.csv", "programme_changes.csv"]
    rows = read_table(tmp_path / "d", "milestone_changes")
    assert len(rows) == 221 and sum(r.change == "modified" for r in rows) == 20


def test_make_extract_compares_each_version_with_the_previous(extracted_output):
    rows = read_table(extracted_output, "milestone_changes")
    assert sorted({(r.from_doc_id, r.to_doc_id) for r in rows}) == [
        ("nhsx-delivery-plan-2021-12-01", "nhsx-delivery-plan-2022-04-01"),
        ("nhsx-delivery-plan-2022-04-01", "nhsx-delivery-plan-2022-08-01")]
    assert len(rows) == 221 + 219
    programmes = read_table(extracted_output, "programme_changes")
    assert sorted(p.change for p in programmes if p.change != "unchanged") == ["removed", "renamed", "renamed"]


def test_diff_reads_output_folders(extracted_output, raw_versions):
    result = run("diff", str(extracted_output), str(extracted_output),
                 "--old-doc", "nhsx-delivery-plan-2022-04-01", "--new-doc", "nhsx-delivery-plan-2022-08-01")
    assert result.exit_code == 0, result.output
    assert "milestones: 210 unchanged, 8 modified, 0 added, 1 removed" in result.output
    assert "removed: Pathology standards (milestones moved to Standards and interoperability)" in result.output
    # a folder and a file mixed, and the same comparison from files gives the same rows
    mixed = run("diff", str(extracted_output), str(raw_versions / V3), "--old-doc", "nhsx-delivery-plan-2022-04-01")
    assert mixed.exit_code == 0 and mixed.output == result.output


@pytest.mark.parametrize("args,message", [
    (["missing-folder", "x.txt"], "missing-folder: no such file or folder"),
    (["{out}", "{raw}/" + V1], "holds 3 documents"),
    (["{out}", "{raw}/" + V1, "--old-doc", "nope"], "no document 'nope'"),
    (["{empty}/notes.rtf", "{raw}/" + V1], "unsupported file type '.rtf'"),
    (["{empty}", "{raw}/" + V1], "documents.parquet: missing"),
])
def test_diff_bad_input_is_one_line(args, message, extracted_output, raw_versions, tmp_path):
    (tmp_path / "notes.rtf").write_text("not a plan", encoding="utf-8")
    args = [a.format(out=extracted_output, raw=raw_versions, empty=tmp_path) for a in args]
    result = CliRunner().invoke(main, ["diff"] + args, catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planextract: error: ") and message in lines[0], result.output


def test_help_stays_light():
    """`planextract --help` and `diff --help` import neither spaCy, pandas, numpy nor scipy."""
    code = ("import sys; from click.testing import CliRunner; from pipeline.cli import main; "
            "r = CliRunner().invoke(main, ['diff', '--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('spacy', 'pandas', 'numpy', 'scipy', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
