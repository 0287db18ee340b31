"""Issue 5: the analysts' contract — typed Parquet, CSV mirror, plan.duckdb, data package, validate, determinism."""
from __future__ import annotations

import csv
import gc
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PLAN, ROOT, differing_outputs, output_files, run_cli
from pipeline.models import SCHEMA_VERSION, table_models
from pipeline.schema import arrow_schema

TABLES = sorted(table_models())


def test_extract_writes_every_artefact(plan_output):
    for name in TABLES:
        assert (plan_output / f"{name}.parquet").is_file()
        assert (plan_output / "csv" / f"{name}.csv").is_file()
    for name in ("plan.duckdb", "datapackage.json", "manifest.json"):
        assert (plan_output / name).is_file()
    assert not list(plan_output.glob(".staging-*")), "staging folder left behind"


@pytest.mark.parametrize("table", TABLES)
def test_parquet_schema_is_the_models(plan_output, table):
    """Each file's schema is the one generated from the pydantic model: real types, not strings."""
    got = pq.read_schema(plan_output / f"{table}.parquet")
    want = arrow_schema(table_models()[table])
    assert got.names == want.names
    for g, w in zip(got, want):
        assert g.type == w.type and g.nullable == w.nullable, g.name
        assert g.metadata[b"description"] == w.metadata[b"description"]


def test_parquet_types_are_real(plan_output):
    schema = pq.read_schema(plan_output / "milestones.parquet")
    assert schema.field("due_end").type == pa.date32()
    assert schema.field("is_tbc").type == pa.bool_()
    assert schema.field("sequence").type == pa.int64()
    assert schema.field("paragraph_ids").type == pa.list_(pa.string())
    assert schema.names[0] == "doc_id" and schema.names[-4:] == ["char_start", "char_end", "line_start", "line_end"]


def test_parquet_metadata_names_versions_and_sources(plan_output, plan_bytes):
    import hashlib

    from pipeline import __version__

    meta = pq.ParquetFile(plan_output / "milestones.parquet").metadata.metadata
    assert meta[b"planextract.schema_version"].decode() == SCHEMA_VERSION
    assert meta[b"planextract.pipeline_version"].decode() == __version__
    assert json.loads(meta[b"planextract.source_sha256"]) == {PLAN.stem: hashlib.sha256(plan_bytes).hexdigest()}


def test_csv_mirror_conventions(plan_output):
    with open(plan_output / "csv" / "milestones.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 219
    first = next(r for r in rows if r["date_text"] == "July 2021" and r["status"] == "complete")
    assert first["due_end"] == "2021-07-31" and first["is_tbc"] == "false"
    assert json.loads(first["paragraph_ids"])[0].startswith("p")
    tbc = next(r for r in rows if r["is_tbc"] == "true")
    assert tbc["due_start"] == "" and tbc["due_end"] == ""
    raw = (plan_output / "csv" / "milestones.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw.split(b"\n", 1)[0]


def test_csv_round_trips_the_documents_text(plan_output):
    """The text column, with its newlines and quotes, survives the CSV mirror exactly."""
    csv.field_size_limit(10**8)
    with open(plan_output / "csv" / "documents.csv", encoding="utf-8", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    text = pq.read_table(plan_output / "documents.parquet").column("text")[0].as_py()
    assert row["text"] == text


def test_duckdb_holds_every_table_and_the_views(plan_output):
    import duckdb

    con = duckdb.connect(str(plan_output / "plan.duckdb"), read_only=True)
    try:
        for name in TABLES:
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert n == pq.read_metadata(plan_output / f"{name}.parquet").num_rows, name
        assert con.execute("SELECT typeof(due_end), typeof(is_tbc) FROM milestones LIMIT 1").fetchone() == (
            "DATE", "BOOLEAN")
        by_q = dict(con.execute("SELECT due_quarter, n_milestones FROM milestones_due_by_quarter").fetchall())
        assert sum(by_q.values()) == 218  # every milestone but the TBC one
        assert by_q["2022-Q1"] == 60
        fq = dict(con.execute("SELECT due_financial_quarter, n_milestones FROM milestones_due_by_financial_quarter")
                  .fetchall())
        assert fq["2021/22 Q4"] == by_q["2022-Q1"]  # January to March closes the UK financial year
        themes = con.execute("SELECT theme, n_milestones, n_complete, n_partial FROM status_by_theme").fetchall()
        assert [t[0] for t in themes] == ["Digitise", "Connect", "Transform", "Operational functions"]
        assert sum(t[1] for t in themes) == 219 and sum(t[2] for t in themes) == 54 and sum(t[3] for t in themes) == 3
        assert con.execute("SELECT count(*) FROM overdue_at_publication").fetchone()[0] == 10
        comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'milestones'").fetchone()[0]
        assert "one row per milestone" in comment
        src = con.execute("SELECT source_text FROM milestone_sources WHERE milestone_id IN "
                          "(SELECT milestone_id FROM milestones WHERE is_tbc)").fetchone()[0]
        assert src.rstrip().endswith("Date: TBC")
    finally:
        con.close()


def test_validate_passes_on_fresh_output(plan_output):
    result = run_cli("validate", str(plan_output))
    assert result.exit_code == 0, result.output
    assert "valid (9 tables" in result.output or "valid (" in result.output


def _rewrite(out: Path, table: str, fn) -> None:
    path = out / f"{table}.parquet"
    t = pq.read_table(path)
    pq.write_table(fn(t), path)


def _set(t: pa.Table, column: str, index: int, value) -> pa.Table:
    values = t.column(column).to_pylist()
    values[index] = value
    i = t.schema.get_field_index(column)
    return t.set_column(i, t.schema.field(i), pa.array(values, t.schema.field(i).type))


def _delete_rows(path: Path, table: str) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(f"DELETE FROM {table} WHERE rowid = (SELECT min(rowid) FROM {table})")
    con.close()


CORRUPTIONS = {
    "span_shifted": (lambda out: _rewrite(out, "paragraphs", lambda t: _set(t, "char_start", 5, t.column("char_start")[5].as_py() + 1)),
                     "paragraphs: span"),
    "duplicate_key": (lambda out: _rewrite(out, "milestones", lambda t: _set(t, "milestone_id", 1, t.column("milestone_id")[0].as_py())),
                      "milestones: primary_key"),
    "dangling_foreign_key": (lambda out: _rewrite(out, "milestones", lambda t: _set(t, "programme_id", 0, "no-such-programme")),
                             "milestones: foreign_key"),
    "milestone_without_date": (lambda out: _rewrite(out, "milestones", lambda t: _set(_set(t, "due_end", 0, None), "due_start", 0, None)),
                               "milestones: milestone_dated_unless_tbc"),
    "wrong_type": (lambda out: _rewrite(out, "milestones", lambda t: t.set_column(
        t.schema.get_field_index("due_end"), "due_end", pa.array([str(v) for v in t.column("due_end").to_pylist()]))),
                   "milestones: schema"),
    "missing_table": (lambda out: (out / "quantities.parquet").unlink(), "quantities: schema: table is missing"),
    "csv_truncated": (lambda out: (out / "csv" / "milestones.csv").write_text(
        "\n".join((out / "csv" / "milestones.csv").read_text(encoding="utf-8").split("\n")[:3]) + "\n", encoding="utf-8"),
                      "milestones: csv"),
    "csv_value_changed": (lambda out: (out / "csv" / "milestones.csv").write_text(
        (out / "csv" / "milestones.csv").read_text(encoding="utf-8").replace("2021-07-31", "2021-07-30", 1),
        encoding="utf-8"), "milestones: csv: CSV differs from the Parquet from line"),
    "datapackage_missing": (lambda out: (out / "datapackage.json").unlink(), "datapackage.json: package"),
    "datapackage_edited": (lambda out: (out / "datapackage.json").write_text(
        (out / "datapackage.json").read_text(encoding="utf-8").replace('"type": "date"', '"type": "string"', 1),
        encoding="utf-8"), "datapackage.json: package: does not match the models"),
    "database_missing": (lambda out: (out / "plan.duckdb").unlink(), "plan.duckdb: database"),
    "database_rows_deleted": (lambda out: _delete_rows(out / "plan.duckdb", "milestones"),
                              "milestones: database: plan.duckdb has 218 rows, Parquet 219"),
    "milestone_span_not_its_paragraphs": (lambda out: _rewrite(out, "milestones", lambda t: _set(t, "char_end", 3, t.column("char_end")[3].as_py() - 1)),
                                          "milestones: span"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_validate_fails_on_corrupted_copy(plan_output, tmp_path, corruption):
    copy = tmp_path / "out"
    shutil.copytree(plan_output, copy)
    corrupt, expected = CORRUPTIONS[corruption]
    corrupt(copy)
    result = run_cli("validate", str(copy))
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output


def test_datapackage_passes_frictionless(plan_output):
    from frictionless import validate

    report = validate(str(plan_output / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((plan_output / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == list(table_models())
    ms = next(r for r in package["resources"] if r["name"] == "milestones")
    fields = {f["name"]: f for f in ms["schema"]["fields"]}
    assert fields["due_end"]["type"] == "date" and fields["is_tbc"]["type"] == "boolean"
    assert fields["paragraph_ids"]["type"] == "array"
    assert fields["status"]["constraints"]["enum"] == ["complete", "partial", "planned"]
    assert ms["schema"]["primaryKey"] == ["doc_id", "milestone_id"]


def test_data_dictionary_is_current():
    """docs/data-dictionary.md is generated from the models; regenerate with `make dictionary`."""
    from pipeline.dictionary import markdown
    from pipeline.storage.database import sql_files

    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == markdown(sql_files()), "docs/data-dictionary.md is stale: run `make dictionary`"


def test_data_dictionary_documents_every_column():
    for name, model in table_models().items():
        assert model.table.grain and model.table.description, name
        for col, info in model.model_fields.items():
            assert info.description, f"{name}.{col} has no description"


# -- determinism, atomicity and re-runs ------------------------------------------

def test_two_runs_are_byte_identical(tmp_path, plan_output):
    fresh = tmp_path / "again"
    assert run_cli("extract", str(ROOT / "raw"), "--out", str(fresh), "--no-cache").exit_code == 0
    assert sorted(output_files(plan_output)) == sorted(output_files(fresh))
    assert differing_outputs(plan_output, fresh) == []


def test_rerun_is_up_to_date_and_cached_run_is_identical(tmp_path):
    out = tmp_path / "out"
    assert run_cli("extract", str(PLAN), "--out", str(out)).exit_code == 0
    first = tmp_path / "first"
    shutil.copytree(out, first)
    again = run_cli("extract", str(PLAN), "--out", str(out))
    assert again.exit_code == 0 and "up to date" in again.output
    assert output_files(out) == output_files(first)  # not even rewritten
    (out / "manifest.json").unlink()  # forces a rebuild, from the per-document cache
    cached = run_cli("extract", str(PLAN), "--out", str(out))
    assert cached.exit_code == 0 and "1 unchanged, from cache" in cached.output
    assert differing_outputs(out, first) == []


def test_parallel_run_is_byte_identical_to_serial(tmp_path, plan_text):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(PLAN, raw / PLAN.name)
    later = plan_text.replace("Published 1 December 2021", "Published 1 June 2022").replace(
        "Date: March 2022\n", "Date: June 2022 (complete)\n", 3)
    (raw / "nhsx-delivery-plan-2022-06-01.txt").write_text(later, encoding="utf-8")
    (raw / "README.md").write_text("not a plan", encoding="utf-8")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert run_cli("extract", str(raw), "--out", str(serial), "--jobs", "1", "--no-cache").exit_code == 0
    assert run_cli("extract", str(raw), "--out", str(parallel), "--jobs", "2", "--no-cache").exit_code == 0
    assert differing_outputs(serial, parallel) == []
    docs = pq.read_table(serial / "documents.parquet").column("published_date").to_pylist()
    assert docs == [date(2021, 12, 1), date(2022, 6, 1)]


@pytest.mark.slow
def test_comparisons_in_the_pool_match_serial_and_compare_series(tmp_path, monkeypatch):
    """The comparisons run in the worker pool, here one pair per task (so each middle version is read by
    two tasks), in series order, which is not input order: --jobs 2 writes the same files as --jobs 1,
    and the same change rows and findings as compare_series in process (a copy of one version under
    another name shares its date: a series finding)."""
    from pipeline import batch
    from pipeline.changes import compare_series
    from pipeline.storage import read_rows
    from versions import V1, V2, V3, texts

    monkeypatch.setattr(batch, "PAIRS_PER_TASK", 1)
    raw = tmp_path / "raw"
    raw.mkdir()
    for version, name in ((V3, "a-third.txt"), (V1, "b-first.txt"), (V2, "c-second.txt"), (V2, "d-copy.txt")):
        (raw / name).write_text(texts()[version], encoding="utf-8")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for out, jobs in ((serial, "1"), (parallel, "2")):
        assert run_cli("extract", str(raw), "--out", str(out), "--jobs", jobs, "--no-cache").exit_code == 0
    assert differing_outputs(serial, parallel) == []
    rows = {name: read_rows(parallel, name) for name in ("documents", "milestones", "programmes")}
    mc, pc, findings = compare_series(rows["documents"], rows["milestones"], rows["programmes"])
    assert list(dict.fromkeys((r.from_doc_id, r.to_doc_id) for r in mc)) == [
        ("b-first", "c-second"), ("c-second", "d-copy"), ("d-copy", "a-third")]
    assert [(q.doc_id, q.finding_id, q.code) for q in findings] == [("d-copy", "d0001", "same_version_date")]
    assert read_rows(parallel, "milestone_changes") == mc
    assert read_rows(parallel, "programme_changes") == pc
    assert [q for q in read_rows(parallel, "quality") if q.finding_id.startswith("d")] == findings


def test_failed_write_leaves_previous_output_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_cli("extract", str(PLAN), "--out", str(out)).exit_code == 0
    before = output_files(out)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pipeline.storage.database.DatabaseWriter.write", boom)
    with pytest.raises(OSError, match="disk full"):
        run_cli("extract", str(PLAN), "--out", str(out), "--no-cache")
    assert output_files(out) == before
    assert not list(out.glob(".staging-*"))


def test_database_content_comparison_can_fail(plan_output, tmp_path):
    """The content comparison behind the determinism tests notices a changed row."""
    import duckdb

    from pipeline.storage.database import same_content

    copy = tmp_path / "plan.duckdb"
    shutil.copy(plan_output / "plan.duckdb", copy)
    assert same_content(plan_output / "plan.duckdb", copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE milestones SET status = 'planned' WHERE milestone_id = (SELECT min(milestone_id) FROM milestones "
                "WHERE status = 'complete')")
    con.close()
    assert not same_content(plan_output / "plan.duckdb", copy)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux's")
def test_the_database_writer_stays_on_one_cpu():
    """DuckDB's memory count depends on which CPUs a process ran on (duckdb_writer.stay_on_one_cpu): a writer
    moved between CPUs on a loaded machine wrote a database whose bytes differed while its rows did not."""
    from pipeline.storage.database import WRITER

    code = (f"import os, runpy; runpy.run_path({str(WRITER)!r})['stay_on_one_cpu'](); "
            "print(len(os.sched_getaffinity(0)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "1\n"


def test_an_unreadable_date_is_a_finding_not_a_failed_run(tmp_path, plan_text):
    """One date the rules cannot read leaves the milestone undated, says so in quality, and the output validates."""
    odd = plan_text.replace("Date: October 2021 (compete)", "Date: around the turn of the year", 1)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "odd.txt").write_text(odd, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("extract", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "quality: 1 error" in result.output
    quality = pq.read_table(out / "quality.parquet").to_pylist()
    assert [(q["code"], q["evidence"]) for q in quality] == [("unparsed_date", "Date: around the turn of the year")]
    assert run_cli("validate", str(out)).exit_code == 0


def test_a_failed_run_leaves_no_trace_in_a_new_output_folder(tmp_path):
    out = tmp_path / "new"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run_cli("extract", str(empty), "--out", str(out)).exit_code == 2
    assert not out.exists()


def test_a_failed_run_adds_nothing_to_the_cache(tmp_path, plan_text):
    """A good document beside a bad one: the run fails, and the good one's cache entry is not kept either."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(plan_text, encoding="utf-8")
    (raw / "z-bad.txt").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    assert run_cli("extract", str(raw), "--out", str(out)).exit_code == 2
    assert list(out.iterdir()) == []


def test_the_cache_remembers_the_options(tmp_path, plan_text):
    """A plan with no milestones, accepted once with --allow-empty, is still rejected without it."""
    import re

    # No date lines, and no milestone sub-sections (where a line ending with a date may be a milestone).
    undated = re.sub(r"(?m)^(Date:.*|Dates:|.* by [A-Z][a-z]+ 20\d\d.*|.* - [A-Z][a-z]+ 20\d\d)$", "", plan_text)
    undated = re.sub(r"(?mi)^commitment milestones$", "Commitment notes", undated)
    path = tmp_path / "undated.txt"
    path.write_text(undated, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("extract", str(path), "--out", str(out)).exit_code == 2
    assert run_cli("extract", str(path), "--out", str(out), "--allow-empty").exit_code == 0
    again = run_cli("extract", str(path), "--out", str(out))
    assert again.exit_code == 2 and "no milestones found" in again.output


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_collect_garbage_as_the_extracting_process(start, monkeypatch):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pipeline import batch

    # The pool is made with the given start method: spawned workers inherit nothing of this process.
    context = multiprocessing.get_context(start)
    monkeypatch.setattr(batch, "ProcessPoolExecutor",
                        lambda **kw: ProcessPoolExecutor(mp_context=context, **kw))
    before = gc.get_threshold()
    gc.set_threshold(12345, 11, 13)
    try:
        with batch.worker_pool(2) as pool:
            assert pool.submit(gc.get_threshold).result() == (12345, 11, 13)
    finally:
        gc.set_threshold(*before)
