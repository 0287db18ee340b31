"""Issue 6: bad input. Each case: one line naming the file and the reason, a non-zero exit, nothing written.

Cases already tested at the stage level in test_structure (empty, blank, zip bytes, binary,
no structure, unsupported extension) are not repeated there; here the remaining stage cases
and every case through the CLI, whose previous output must stay byte-for-byte as it was.
"""
from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import PLAN, PLAN_HTML, extract_text
from pipeline.cli import main
from pipeline.document import InputError
from pipeline.run import extract_document

NO_MILESTONES = """Tiny Plan
Published 3 March 2023

Alpha - overview

Overview text.

First programme

Background

Why.

Delivery approach

How.
"""


def truncated_text() -> bytes:
    """The plan, cut in the middle of a milestone's description (before its date)."""
    text = PLAN.read_text(encoding="utf-8")
    cut = text.index("Round 1 (existing commitments) funding has started") + 40
    return text[:cut].encode("utf-8")


def truncated_page() -> bytes:
    """The plan's page, cut inside a milestone's description: no end tags after it."""
    page = PLAN_HTML.read_text(encoding="utf-8")
    cut = page.index("Round 1 (existing commitments) funding has started") + 40
    return page[:cut].encode("utf-8")


def zip_of_plan() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("plan.txt", PLAN.read_text(encoding="utf-8"))
    return buf.getvalue()


# -- the pure stages ----------------------------------------------------------

@pytest.mark.parametrize("name,data,reason", [
    ("cut.txt", truncated_text(), "truncated: the file ends inside a milestone"),
    ("cut.html", truncated_page(), "truncated: the file ends inside a milestone"),
    ("cut-after-dates.txt", PLAN.read_bytes()[:PLAN.read_bytes().index(b"Wave A - December 2021")],
     "truncated: the file ends inside a milestone"),
    ("empty.html", b"", "empty file"),
    ("zip.html", zip_of_plan(), "zip archive"),
    ("doc.pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF file"),
    ("gz.txt", b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip archive"),
    ("nul.html", b"<html>\x00\x00\x00</html>", "binary file"),
    ("no-milestones.txt", NO_MILESTONES.encode(), "no milestones found (use --allow-empty"),
], ids=["truncated-text", "truncated-page", "truncated-after-dates", "empty-page", "zip-renamed-html", "pdf",
        "gzip", "nul-in-page", "no-milestones"])
def test_stage_rejects(name, data, reason):
    with pytest.raises(InputError) as exc:
        extract_document(f"raw/{name}", data)
    message = str(exc.value)
    assert message.startswith(f"raw/{name}: ") and reason in message and "\n" not in message


def test_no_milestones_accepted_when_allowed():
    got = extract_text(NO_MILESTONES, allow_empty=True)
    assert got.tables["milestones"] == [] and len(got.tables["programmes"]) == 1


def test_a_plan_that_ends_after_a_whole_milestone_is_not_truncated():
    text = PLAN.read_text(encoding="utf-8")
    cut = text.index("Date: November 2021") + len("Date: November 2021")
    got = extract_text(text[:cut])
    assert len(got.tables["milestones"]) == 2


# -- through the CLI ----------------------------------------------------------

@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> Path:
    """An output folder from a good run, made once; tests copy it."""
    out = tmp_path_factory.mktemp("good") / "out"
    result = CliRunner().invoke(main, ["extract", str(PLAN), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def workdir(tmp_path, good_output) -> Path:
    shutil.copytree(good_output, tmp_path / "out")
    (tmp_path / "in").mkdir()
    return tmp_path


def write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / "in" / name
    path.write_bytes(data)
    return path


BAD_FILES = {
    "empty": ("empty.txt", b"", "empty file"),
    "blank": ("blank.txt", b"\n \r\n\t\n", "empty file"),
    "binary": ("binary.txt", bytes(range(256)) * 8, "binary file"),
    "truncated": ("truncated.txt", truncated_text(), "truncated: the file ends inside a milestone"),
    "truncated-html": ("truncated.html", truncated_page(), "truncated: the file ends inside a milestone"),
    "zip-renamed-txt": ("plan.txt", zip_of_plan(), "is a zip archive"),
    "unsupported-extension": ("plan.odt", b"PK\x03\x04word", "unsupported file type '.odt'"),
    "broken-docx": ("plan.docx", b"PK\x03\x04word", "not a Word document (not a zip archive: a .doc"),
    "no-extension": ("PLAN", b"\x00\x01\x02", "unsupported file type '(none)'"),
    "html-without-plan": ("about.html", b"<html><body><main><h1>About us</h1><p>We make plans.</p></main></body></html>",
                          "no recognisable plan structure"),
    "text-without-plan": ("notes.txt", b"Shopping\n\nEggs.\n\nMilk.\n", "no recognisable plan structure"),
    "no-milestones": ("quiet.txt", NO_MILESTONES.encode(), "no milestones found"),
}


def assert_rejected(result, path: Path, reason: str, before: dict, out: Path) -> None:
    """Exit 2, one line on stderr naming the file and the reason, and the previous output untouched."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1, result.stderr
    assert f"{path}: " in lines[0] and reason in lines[0].split(f"{path}: ", 1)[1], lines[0]
    assert snapshot(out) == before  # byte for byte; nothing staged left behind


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_cli_rejects_and_keeps_previous_output(workdir, case):
    name, data, reason = BAD_FILES[case]
    path = write(workdir, name, data)
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out")])
    assert_rejected(result, path, reason, before, workdir / "out")


@pytest.mark.slow
def test_cli_rejects_a_bad_file_in_a_folder(workdir):
    shutil.copy(PLAN, workdir / "in" / PLAN.name)
    path = write(workdir, "zz-broken.txt", b"")
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(workdir / "in"), "--out", str(workdir / "out")])
    assert_rejected(result, path, "empty file", before, workdir / "out")


@pytest.mark.slow
def test_cli_rejects_a_folder_named_like_a_plan(workdir):
    """A folder named x.txt is read as a folder: with nothing in it, the run stops."""
    path = workdir / "in" / "x.txt"
    path.mkdir()
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out")])
    assert_rejected(result, path, "no plan files found", before, workdir / "out")


@pytest.mark.slow
def test_cli_rejects_a_missing_file(workdir):
    path = workdir / "in" / "missing.txt"
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out")])
    assert_rejected(result, path, "no such file or folder", before, workdir / "out")


@pytest.mark.slow
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root reading (the simulated case below runs)")
def test_cli_rejects_an_unreadable_file(workdir):
    path = write(workdir, "locked.txt", PLAN.read_bytes())
    path.chmod(0)
    try:
        before = snapshot(workdir / "out")
        result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out")])
        assert_rejected(result, path, "unreadable (Permission denied)", before, workdir / "out")
    finally:
        path.chmod(0o644)


@pytest.mark.slow
def test_cli_rejects_an_unreadable_file_simulated(workdir, monkeypatch):
    """Reading fails as it does without permission (works as root too)."""
    path = write(workdir, "locked.txt", PLAN.read_bytes())
    real = Path.read_bytes

    def read_bytes(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out")])
    assert_rejected(result, path, "unreadable (Permission denied)", before, workdir / "out")


@pytest.mark.slow
def test_cli_allow_empty(workdir):
    path = write(workdir, "quiet.txt", NO_MILESTONES.encode())
    result = CliRunner().invoke(main, ["extract", str(path), "--out", str(workdir / "out"), "--allow-empty"])
    assert result.exit_code == 0, result.output
    assert pq.read_table(workdir / "out" / "milestones.parquet").num_rows == 0
    assert pq.read_table(workdir / "out" / "documents.parquet").column("doc_id").to_pylist() == ["quiet"]


@pytest.mark.slow
def test_cli_keep_going_extracts_the_good_and_records_the_bad(workdir):
    good = write(workdir, PLAN.name, PLAN.read_bytes())
    page = write(workdir, PLAN_HTML.name.replace(".html", "-page.html"), PLAN_HTML.read_bytes())
    bad = {case: write(workdir, *BAD_FILES[case][:2]) for case in ("empty", "zip-renamed-txt", "html-without-plan",
                                                                    "truncated")}
    result = CliRunner().invoke(main, ["extract", str(workdir / "in"), "--out", str(workdir / "out"), "--keep-going"])
    assert result.exit_code == 0, result.output
    docs = pq.read_table(workdir / "out" / "documents.parquet").column("doc_id").to_pylist()
    assert sorted(docs) == sorted([good.stem, page.stem])
    assert pq.read_table(workdir / "out" / "milestones.parquet").num_rows == 2 * 219
    quality = pq.read_table(workdir / "out" / "quality.parquet").to_pylist()
    rejected = {q["doc_id"]: q for q in quality if q["code"] == "bad_input"}
    assert sorted(rejected) == sorted(p.stem for p in bad.values())
    for case, path in bad.items():
        q = rejected[path.stem]
        # the row names the file, not the path it was given, so the output does not depend on how it was spelled
        assert q["severity"] == "error" and q["message"].startswith(f"{path.name}: ") and BAD_FILES[case][2] in q["message"]
    for case, path in bad.items():  # the summary names each file skipped (by its path), and why
        assert f"skipped: {path}: " in result.output


@pytest.mark.slow
def test_cli_keep_going_with_nothing_good_writes_nothing(workdir):
    for case in ("empty", "binary"):
        write(workdir, *BAD_FILES[case][:2])
    before = snapshot(workdir / "out")
    result = CliRunner().invoke(main, ["extract", str(workdir / "in"), "--out", str(workdir / "out"), "--keep-going"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "empty.txt" in result.stderr and "binary.txt" in result.stderr
    assert snapshot(workdir / "out") == before


@pytest.mark.slow
def test_same_output_twice_is_byte_identical(workdir, good_output):
    """Determinism at the edge: extracting the same input again rewrites the same bytes."""
    result = CliRunner().invoke(main, ["extract", str(PLAN), "--out", str(workdir / "out")])
    assert result.exit_code == 0
    assert snapshot(workdir / "out") == snapshot(good_output)


FOOTER_PLAN = """Footer Plan
Published 2 May 2024

Build - overview

Text.

Widget programme

Background

Why.

Commitment milestones

First widget shipped.

Date: May 2024

{footer}
"""


@pytest.mark.parametrize("footer", [
    "© Crown copyright 2024",
    "Contact us\n\nFor more information email enquiries@example.org",
    "Page last reviewed: 2 May 2024",
    "Glossary\n\nICS: integrated care system",
    "This page was last updated after the board agreed the milestones above.",
], ids=["copyright", "contact", "reviewed", "glossary", "sentence"])
def test_a_footer_after_the_last_milestone_is_not_truncation(footer):
    got = extract_text(FOOTER_PLAN.format(footer=footer))
    assert [m.description for m in got.tables["milestones"]] == ["First widget shipped."]
    assert {q.code for q in got.tables["quality"]} <= {"unplaced_paragraph"}


@pytest.mark.parametrize("cut", [
    "Second widget designed and built for all of the",
    "Dates:",
], ids=["description-breaks-off", "dates-without-targets"])
def test_a_plan_that_breaks_off_inside_a_milestone_is_truncated(cut):
    with pytest.raises(InputError, match="truncated: the file ends inside a milestone"):
        extract_text(FOOTER_PLAN.format(footer=cut))
