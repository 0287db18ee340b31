"""Peers on the plan's paragraphs: dateparser's search_dates and quantulum3's parser, timed and compared.

The paragraphs are the pipeline's own (segment stage), so every tool reads the same texts.
quantulum3 comes from requirements-bench.lock only; without it the peer is reported missing.
The "looks wrong" notes are general heuristics (a date found in a word with no digit or month,
a year read as a quantity, a number that is part of a name, a money multiplier read as a
unit), printed beside the text so a reader can judge them.
"""
from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .measure import median
from .stages import PLAN

MONTH_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)
YEAR = re.compile(r"^(?:19|20)\d{2}$")
YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*(?:to|-|–|/)\s*((?:19|20)?\d{2})\b")
MONTH_YEAR = re.compile(r"\b(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d{2}\b",
                        re.IGNORECASE)
NAMED_NUMBER = re.compile(r"\b[A-Z]{2,6}\s+$")  # "NHS " before "111"
MONEY = re.compile(r"£\s?\d[\d,.]*\s?(?:m|bn|k|million|billion)\b", re.IGNORECASE)
DURATION = re.compile(r"\b\d+\s+(?:years?|months?|weeks?|days?)\b", re.IGNORECASE)

# How the sample paragraphs are chosen: the first paragraph (in reading order) matching each rule.
SAMPLE_RULES = (
    ("a financial year", re.compile(r"\b(?:19|20)\d{2}\s+to\s+(?:19|20)\d{2}\s+financial\s+year\b", re.IGNORECASE)),
    ("a name with a number", re.compile(r"\b[A-Z]{2,6}\s+(?!(?:19|20)\d{2}\b)\d{2,4}\b")),
    ("money with a short multiplier", re.compile(r"£\d[\d,.]*(?:m|bn|k)\b")),
    ("a dated target", re.compile(r"^\d+(?:\.\d+)?%\s+by\s+\w+\s+\d{4}", re.IGNORECASE)),
    ("a date line with a status", re.compile(r"^dates?:\s.*\(\w+\)\s*$", re.IGNORECASE)),
)


@dataclass
class PeerRun:
    name: str
    available: bool
    note: str = ""
    ms: Optional[float] = None
    runs_ms: list[float] = field(default_factory=list)
    first_call_ms: Optional[float] = None
    found: int = 0
    per_paragraph: list[list[tuple[str, str]]] = field(default_factory=list)  # (surface, value) per paragraph


def plan_paragraphs(path: Path = PLAN):
    """Return the plan's paragraphs as the pipeline segments them."""
    from pipeline.load import load_document
    from pipeline.segment import segment

    return list(segment(load_document(path.name, path.read_bytes())).paragraphs)


def _dateparser():
    from dateparser.search import search_dates

    def parse(text: str) -> list[tuple[str, str]]:
        hits = search_dates(text, languages=["en"]) or []
        return [(surface, value.date().isoformat()) for surface, value in hits]
    return parse


def _quantulum():
    from quantulum3 import parser

    def parse(text: str) -> list[tuple[str, str]]:
        return [(q.surface, f"{q.value:g} {q.unit.name}") for q in parser.parse(text)]
    return parse


def time_peer(name: str, make, texts: list[str], repeat: int) -> PeerRun:
    """Time `make()`'s parser over every text (median of `repeat` sweeps, after one untimed first call)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parse = make()
        except ImportError as exc:
            return PeerRun(name, False, f"not installed ({exc.name}); `make bench` installs requirements-bench.lock")
        t0 = time.perf_counter()
        parse("40% by March 2022; Date: July 2021 (complete)")
        first = 1000 * (time.perf_counter() - t0)
        runs, results = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            results = [parse(t) for t in texts]
            runs.append(1000 * (time.perf_counter() - t0))
    notes = sorted({str(w.message).split(". ")[0] for w in caught})
    if any("Classifier dependencies not installed" in n for n in notes):  # quantulum3's optional extra
        notes = ["runs offline without its optional classifier (not in the lock): units not disambiguated"]
    return PeerRun(name, True, "; ".join(notes), median(runs), runs, first, sum(len(r) for r in results), results)


def dateparser_doubts(text: str, surface: str) -> Optional[str]:
    """Return why a dateparser hit looks wrong, or None."""
    s = surface.strip()
    years = re.findall(r"\b(?:19|20)\d{2}\b", s)
    month = MONTH_WORD.search(s)
    if "%" in s:
        return "a percentage read as a date"
    if DURATION.search(s) and not month:
        return "a duration read as a date (counted from today)"
    if not re.search(r"\d", s) and not month:
        return "a word read as a date (counted from today)"
    if month and not years and re.search(re.escape(month.group(0)) + r"\s+(?:19|20)\d{2}", text):
        return "a month split from its year"
    if years and not month:
        if len(years) == 1 and any(years[0] in m.group(0) for m in YEAR_RANGE.finditer(text)):
            return "one end of a year range read as one day"
        return "a year read as one day (month and day from today)"
    if not years and not month:
        return "a number read as a date"
    if month and years and not re.search(r"\b\d{1,2}\b", s.replace(years[0], "")):
        return "a month read as one day (its first)"
    return None


def dateparser_misses(text: str, hits: list[tuple[str, str]]) -> list[str]:
    """Return the 'Month YYYY' dates of `text` that no dateparser hit covers."""
    return [m.group(0) for m in MONTH_YEAR.finditer(text) if not any(m.group(0) in s or s in m.group(0) for s, _ in hits
                                                                        if MONTH_WORD.search(s))]


def quantulum_doubts(text: str, surface: str, value: str) -> Optional[str]:
    """Return why a quantulum3 hit looks wrong, or None."""
    at = text.find(surface)
    number = surface.strip()
    if YEAR.match(number) or re.fullmatch(r"(?:19|20)\d{2}(?:\s*(?:to|-|–)\s*(?:19|20)?\d{2})", number):
        return "a year read as a quantity" if "." not in value.split()[0] else "a year range averaged"
    if at > 0 and NAMED_NUMBER.search(text[:at]):
        return "part of a name read as a quantity"
    if MONEY.fullmatch(number) and "metre" in value:
        return "the money multiplier read as a unit"
    if "." in value.split()[0] and YEAR_RANGE.search(number):
        return "a year range averaged"
    return None


def choose_samples(paragraphs) -> list[tuple[str, int]]:
    """Return (rule label, paragraph index) for the first paragraph matching each SAMPLE_RULES rule."""
    chosen: list[tuple[str, int]] = []
    for label, rule in SAMPLE_RULES:
        for i, p in enumerate(paragraphs):
            if rule.search(p.text) and i not in {j for _, j in chosen}:
                chosen.append((label, i))
                break
    return chosen


def ours_for(tables: dict, paragraph_id: str) -> list[tuple[str, str]]:
    """Return our rows about one paragraph: mentions when built, else milestone due dates and target values."""
    out: list[tuple[str, str]] = []
    for row in tables.get("temporal_expressions", []):
        if row.paragraph_id == paragraph_id:
            out.append((row.text, f"{row.start_date}..{row.end_date} {row.kind}"))
    for row in tables.get("quantities", []):
        if row.paragraph_id == paragraph_id:
            out.append((row.text, f"{row.value:g} {row.unit}"))
    if "temporal_expressions" in tables or "quantities" in tables:
        return out
    for m in tables.get("milestones", []):
        if m.paragraph_ids[-1 - m.n_targets] == paragraph_id and m.date_text:
            out.append((m.date_text, f"due {m.due_start}..{m.due_end} ({m.due_precision}), {m.status}"))
    for t in tables.get("milestone_targets", []):
        if t.paragraph_id == paragraph_id:
            value = f"{t.value:g} {t.unit}" if t.value is not None else "no value"
            out.append((t.text, f"{value}; due {t.due_start}..{t.due_end}"))
    return out


def our_counts(tables: dict) -> dict[str, Optional[int]]:
    """Return how many dates and quantities we find: mentions tables when built, and what exists today."""
    return {
        "temporal_expressions": len(tables["temporal_expressions"]) if "temporal_expressions" in tables else None,
        "quantities": len(tables["quantities"]) if "quantities" in tables else None,
        "milestone_due_dates": sum(1 for m in tables["milestones"] if m.due_end is not None),
        "target_dates": sum(1 for t in tables["milestone_targets"] if t.due_end is not None),
        "target_values": sum(1 for t in tables["milestone_targets"] if t.value is not None),
    }


def run(repeat: int = 3, path: Path = PLAN) -> dict:
    """Time both peers on the plan's paragraphs; return figures, counts and the side-by-side samples."""
    from pipeline.run import extract_document

    paragraphs = plan_paragraphs(path)
    texts = [p.text for p in paragraphs]
    tables = extract_document(path.name, path.read_bytes()).tables
    peers = [time_peer("dateparser", _dateparser, texts, repeat), time_peer("quantulum3", _quantulum, texts, repeat)]
    samples = []
    for label, i in choose_samples(paragraphs):
        p = paragraphs[i]
        sample = {"rule": label, "paragraph_id": p.paragraph_id, "text": p.text,
                  "ours": [list(x) for x in ours_for(tables, p.paragraph_id)]}
        for peer in peers:
            if not peer.available:
                continue
            hits = peer.per_paragraph[i]
            doubt = dateparser_doubts if peer.name == "dateparser" else None
            rows = []
            for surface, value in hits:
                why = doubt(p.text, surface) if doubt else quantulum_doubts(p.text, surface, value)
                rows.append([surface, value, why])
            sample[peer.name] = rows
            if peer.name == "dateparser":
                sample["dateparser_missed"] = dateparser_misses(p.text, hits)
        samples.append(sample)
    return {
        "paragraphs": len(texts),
        "peers": {p.name: {"available": p.available, "note": p.note, "ms": p.ms, "runs_ms": p.runs_ms,
                           "first_call_ms": p.first_call_ms, "found": p.found} for p in peers},
        "ours": our_counts(tables),
        "samples": samples,
    }
