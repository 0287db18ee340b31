"""Later versions of the plan, built from its text by precise edits (issue 7 acceptance).

v2 (published 1 April 2022) and v3 (1 August 2022) change the plan the way a real update
would: milestones completed, dates slipped (into months, quarters, financial quarters,
seasons, days, TBC...), milestones removed, added, reworded, moved and reordered, a
programme renamed, programmes reordered, and (v3) one programme merged into another.
Each edit checks that the text it changes occurs exactly once, so a broken edit fails
loudly instead of silently changing nothing. The expected diffs are in test_changes.py.
"""
from __future__ import annotations

import re
from functools import lru_cache

from conftest import PLAN

V1 = PLAN.name
V2 = "nhsx-delivery-plan-2022-04-01.txt"
V3 = "nhsx-delivery-plan-2022-08-01.txt"

_DATE_LINE = re.compile(r"^Date: [^\n]*$", re.MULTILINE)


def once(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old`."""
    assert text.count(old) == 1, f"expected exactly one {old[:60]!r}, found {text.count(old)}"
    return text.replace(old, new)


def block(text: str, key: str) -> tuple[int, int]:
    """Return the span of the milestone block whose description contains `key`: description to date line."""
    assert text.count(key) == 1, f"expected exactly one {key[:60]!r}, found {text.count(key)}"
    at = text.index(key)
    start = text.rfind("\n", 0, at) + 1
    m = _DATE_LINE.search(text, at)
    assert m, key
    return start, m.end()


def set_date(text: str, key: str, old: str, new: str) -> str:
    """Change the 'Date:' line of the milestone holding `key` from `old` to `new`."""
    _, end = block(text, key)
    line_start = text.rfind("\n", 0, end) + 1
    assert text[line_start:end] == f"Date: {old}", (key, text[line_start:end])
    return text[:line_start] + f"Date: {new}" + text[end:]


def cut(text: str, key: str) -> tuple[str, str]:
    """Remove the milestone block holding `key` (and the blank lines after it); return (text, block)."""
    start, end = block(text, key)
    after = end
    while after < len(text) and text[after] == "\n":
        after += 1
    return text[:start] + text[after:], text[start:end]


def insert_after(text: str, key: str, new_block: str) -> str:
    """Insert a milestone block ('description\\n\\nDate: …') after the block holding `key`."""
    _, end = block(text, key)
    return text[:end] + "\n\n\n" + new_block + text[end:]


def move_after(text: str, key: str, after_key: str) -> str:
    """Move the block holding `key` to just after the block holding `after_key`."""
    text, moved = cut(text, key)
    return insert_after(text, after_key, moved)


def cut_section(text: str, heading: str, next_heading: str) -> tuple[str, str]:
    """Remove a programme section, from its heading line to just before `next_heading`."""
    start = text.index(f"\n{heading}\n") + 1
    end = text.index(f"\n{next_heading}\n", start) + 1
    assert text.count(f"\n{heading}\n") == 1
    return text[:start] + text[end:], text[start:end]


def v2_text(v1: str) -> str:
    """Return version 2: the plan as it might read on 1 April 2022."""
    t = once(v1, "Published 1 December 2021", "Published 1 April 2022")
    # completed, on time and late
    t = set_date(t, "Round 1 (existing commitments) funding", "November 2021", "November 2021 (complete)")
    t = set_date(t, "Prioritisation and the identification of the pipeline", "November 2021", "January 2022 (complete)")
    # slipped, in other date forms
    t = set_date(t, "The riskiest 15% have received support", "March 2022", "Q2 2022")
    t = set_date(t, "A prototype of the Digital Backlog Tool", "December 2021", "Q1 2022/23")
    t = set_date(t, "Results from first What Good Looks Like Assessments", "January 2022", "summer 2022")
    t = set_date(t, "Trial of reimbursement models and other national", "April 2022", "15 May 2022")
    t = set_date(t, "PODAC care staff will have streamlined access", "September 2022", "TBC")
    t = set_date(t, "All relevant NHS organisations have initiated", "March 2024", "2024/25")
    t = set_date(t, "Cloud strategy for NHS published.", "January 2022", "late 2022")
    t = set_date(t, "Cloud procurement framework published.", "March 2022", "from June 2022")
    # brought forward; reopened
    t = set_date(t, "Nationally, digital safety assurance model agreed", "March 2023", "December 2022")
    t = set_date(t, "Alpha research and design work completed.", "July 2021 (complete)", "July 2022")
    # a 'Dates:' list: one target completed, another slipped
    t = once(t, "\n40% by March 2022\n", "\n40% by March 2022 (complete)\n")
    t = once(t, "\nWave B - February 2022\n", "\nWave B - May 2022\n")
    # removed
    t, _ = cut(t, "Internet facing services policy published")
    t, _ = cut(t, "Three-year digital roadmap for each of the PODAC care settings")
    # added: one sharing its programme's date (March 2022) with two others
    t = insert_after(t, "Cloud procurement framework published.",
                     "Cloud security good practice guide published for health and care organisations.\n\n"
                     "Date: March 2022")
    t = insert_after(t, "AI ethics - Research published on the impact of AI",
                     "AI ethics - Guidance on the ethical use of AI in screening programmes published.\n\n"
                     "Date: Q3 2022/23")
    # reworded: a sentence edited; a clause added; reworded and slipped
    t = once(t, "The future strategy for cyber security across the system is published.",
             "The cyber security strategy for health and adult social care is published.")
    t = once(t, "What Good Looks Like Guidance published\n",
             "What Good Looks Like Guidance published, together with case studies for ICSs\n")
    t = once(t, "Cloud community of practice established to bring organisations",
             "A cloud community of practice has been established to bring organisations")
    t = set_date(t, "A cloud community of practice has been established", "December 2021", "March 2022")
    # a programme renamed (with milestones), two of its milestones sharing a date reworded
    t = once(t, "\nDigital readiness\n", "\nDigital skills and readiness\n")
    t = once(t, "Embedded digital learning content into existing undergraduate",
             "Digital learning content embedded into existing undergraduate")
    t = once(t, "Established sustainable supply models to address the gaps highlighted by digital workforce planning,",
             "Sustainable supply models established to address the gaps found by digital workforce planning,")
    # a programme without milestones renamed
    t = once(t, "\nCommercial function\n", "\nDigital procurement and vendor management\n")
    # a milestone moved to another programme
    t = move_after(t, "A dashboard showing urgent and emergency care metrics",
                   "Post event messaging: Make encounters with 111 more understandable")
    # reordering: two milestones sharing a date swapped; two programmes swapped
    t = move_after(t, "One new market entrant foundation solution onboarded",
                   "The primary care buying environment simplified")
    t, section = cut_section(t, "Medical devices safety", "Cloud and internet first")
    start = t.index("\nDigital clinical safety\n") + 1
    t = t[:start] + section + t[start:]
    return t


def v3_text(v2: str) -> str:
    """Return version 3 (1 August 2022), built from version 2."""
    t = once(v2, "Published 1 April 2022", "Published 1 August 2022")
    t = set_date(t, "The riskiest 15% have received support", "Q2 2022", "Q4 2022")  # slipped again
    t = set_date(t, "A prototype of the Digital Backlog Tool", "Q1 2022/23", "Q1 2022/23 (complete)")
    t = set_date(t, "PODAC care staff will have streamlined access", "TBC", "March 2023")
    t, _ = cut(t, "Cloud security good practice guide published")
    # Pathology standards merged into Standards and interoperability: its milestones move there
    t, section = cut_section(t, "Pathology standards", "Standards and interoperability")
    blocks = re.split(r"\n{3,}", section.split("Commitment milestones\n\n", 1)[1].strip())
    assert len(blocks) == 5
    t = insert_after(t, "Publish a report into the blockers to the adoption of standards", "\n\n\n".join(blocks))
    return t


@lru_cache(maxsize=None)
def texts() -> dict[str, str]:
    """Return {file name: text} of the three versions."""
    v1 = PLAN.read_text(encoding="utf-8")
    v2 = v2_text(v1)
    return {V1: v1, V2: v2, V3: v3_text(v2)}


@lru_cache(maxsize=None)
def extracted():
    """Return {file name: DocumentTables} of the three versions, extracted in process."""
    from conftest import extract_text

    return {name: extract_text(text, name=name) for name, text in texts().items()}
