"""Issue 7: the analysts' DuckDB views (pipeline/sql/20_changes.sql) over the change tables of a series."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.changes import compare_series
from pipeline.models import MilestoneChangeRow, ProgrammeChangeRow
from pipeline.schema import to_table
from versions import extracted

SQL = Path(__file__).resolve().parent.parent / "pipeline" / "sql" / "20_changes.sql"


@pytest.fixture(scope="module")
def con():
    import duckdb

    rows = {k: [r for e in extracted().values() for r in e.tables[k]] for k in ("documents", "milestones", "programmes")}
    mc, pc, _ = compare_series(rows["documents"], rows["milestones"], rows["programmes"])
    db = duckdb.connect()
    for model, data in ((MilestoneChangeRow, mc), (ProgrammeChangeRow, pc)):
        arrow = to_table(model, data)  # noqa: F841 (read by DuckDB's replacement scan)
        db.execute(f"CREATE TABLE {model.table.name} AS SELECT * FROM arrow")
    db.execute(SQL.read_text(encoding="utf-8"))
    yield db
    db.close()


def test_the_file_holds_only_create_view_statements():
    statements = [s.strip() for s in SQL.read_text(encoding="utf-8").split(";") if s.strip()]
    bodies = ["\n".join(line for line in s.splitlines() if not line.lstrip().startswith("--")).strip() for s in statements]
    assert [b.split(" AS", 1)[0] for b in bodies if b] == [
        "CREATE OR REPLACE VIEW slip_by_programme", "CREATE OR REPLACE VIEW milestone_lineage",
        "CREATE OR REPLACE VIEW milestones_slipped_repeatedly", "CREATE OR REPLACE VIEW newly_completed"]


def test_slip_by_programme(con):
    rows = con.execute("""SELECT from_doc_id, programme, n_slipped, n_brought_forward, total_slip_days, max_slip_days
                          FROM slip_by_programme WHERE n_slipped > 0 OR n_brought_forward > 0
                          ORDER BY from_doc_id, programme""").fetchall()
    v1, v2 = "nhsx-delivery-plan-2021-12-01", "nhsx-delivery-plan-2022-04-01"
    assert rows == [
        (v1, "Better connectivity for health and care", 1, 0, 365, 365),
        (v1, "Cloud and internet first", 3, 0, 90 + 334 + 91, 334),
        (v1, "Cyber security for health and care", 1, 0, 91, 91),
        (v1, "Digital clinical safety", 0, 1, 0, 0),  # brought forward 90 days; the others did not move
        (v1, "Frontline digitisation", 2, 0, 62 + 92, 92),
        (v1, "NHS digital and technology approvals", 1, 0, 365, 365),
        (v1, "What good looks like", 1, 0, 212, 212),
        (v1, "Who pays for what", 2, 0, 181 + 15, 181),
        (v2, "Cyber security for health and care", 1, 0, 184, 184),
    ]
    [(n,)] = con.execute("SELECT sum(n_milestones_compared) FROM slip_by_programme").fetchall()
    assert n == 217 + 218


def test_milestones_slipped_more_than_once(con):
    rows = con.execute("""SELECT first_doc_id, last_doc_id, programme, n_slips, total_slip_days, first_due_end,
                                 last_due_end, date_history FROM milestones_slipped_repeatedly""").fetchall()
    assert rows == [("nhsx-delivery-plan-2021-12-01", "nhsx-delivery-plan-2022-08-01",
                     "Cyber security for health and care", 2, 91 + 184, date(2022, 3, 31), date(2022, 12, 31),
                     "March 2022 -> Q2 2022 -> Q4 2022")]


def test_lineage_follows_milestones_through_the_series(con):
    [(steps, chains, longest)] = con.execute(
        "SELECT count(*), count(DISTINCT lineage_id), max(step) FROM milestone_lineage").fetchall()
    assert (steps, longest) == (217 + 218, 2)
    # 217 chains start in v1; v2's one chain-less milestone that v3 kept is the added AI ethics one
    assert chains == 217 + 1


def test_newly_completed_per_pair(con):
    rows = con.execute("SELECT to_doc_id, left(description, 30), to_date_text FROM newly_completed").fetchall()
    assert rows == [
        ("nhsx-delivery-plan-2022-04-01", "Round 1 (existing commitments)", "November 2021"),
        ("nhsx-delivery-plan-2022-04-01", "Prioritisation and the identif", "January 2022"),
        ("nhsx-delivery-plan-2022-08-01", "A prototype of the Digital Bac", "Q1 2022/23"),
    ]
