"""Synthetic versions of a plan for the scale test, deterministic from (seed, index).

Each variant is the base plan with its dates shifted, some statuses flipped, the programmes of
each theme reordered, some words substituted, and its own Published date and file name. The
programme blocks are found with the pipeline's own segmenter (sections of kind theme and
programme), so nothing here knows a programme by name.
"""
from __future__ import annotations

import hashlib
import random
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from .stages import PLAN

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_ABBR = {m[:3]: i for i, m in enumerate(MONTHS)} | {"Sept": 8}
_MONTH_YEAR = re.compile(r"\b(?:(?P<day>\d{1,2})\s+)?(?P<month>" + "|".join(MONTHS + tuple(sorted(_ABBR, key=len, reverse=True)))
                         + r")\.?\s+(?P<year>(?:19|20)\d{2})\b")
_DATES = re.compile(_MONTH_YEAR.pattern + r"|(?<![\d/.])\b(?P<bare>(?:19|20)\d{2})\b(?![\d/.])")
_PUBLISHED = re.compile(r"^(Published[ \t]+)\d{1,2}[ \t]+\w+[ \t]+\d{4}[ \t]*$", re.MULTILINE)
_FLAG = re.compile(r"\s*\(complete\)\s*$", re.IGNORECASE)

# One word for one word, so a heading stays a heading; none of these words appears in a rule.
SUBSTITUTIONS = {
    "support": "assist", "improve": "enhance", "organisations": "bodies", "ensure": "guarantee",
    "develop": "build", "providers": "suppliers", "national": "nationwide", "access": "reach",
    "patients": "people", "staff": "workforce", "help": "aid", "enable": "allow",
}
_WORD = re.compile(r"\b(" + "|".join(w for k in SUBSTITUTIONS for w in (k, k.capitalize())) + r")\b")  # no IGNORECASE: 2x faster


@dataclass(frozen=True)
class Variant:
    name: str  # file name; its stem is the doc_id
    text: str
    published: date
    months_shifted: int


@dataclass(frozen=True)
class Blocks:
    """The base plan cut at theme and programme headings: a head, then per theme (intro, programme blocks)."""

    head: list[str]
    themes: list[tuple[list[str], list[list[str]]]]


def cut(text: str) -> Blocks:
    """Return the plan's lines grouped into themes and programme blocks, found by the pipeline's segmenter."""
    from pipeline.load import load_document
    from pipeline.segment import segment

    seg = segment(load_document("base.txt", text.encode("utf-8")))
    lines = text.split("\n")
    marks = sorted((s.line_start - 1, s.kind) for s in seg.sections if s.kind in ("theme", "programme"))
    if not marks or marks[0][1] != "theme":
        raise ValueError("base plan has no theme before its first programme")
    edges = [m for m, _ in marks] + [len(lines)]
    themes: list[tuple[list[str], list[list[str]]]] = []
    for (start, kind), end in zip(marks, edges[1:]):
        block = lines[start:end]
        if kind == "theme":
            themes.append((block, []))
        else:
            themes[-1][1].append(block)
    return Blocks(lines[:marks[0][0]], themes)


def shift_month(year: int, month0: int, months: int) -> tuple[int, int]:
    """Return (year, 0-based month) `months` after the given one."""
    total = year * 12 + month0 + months
    return total // 12, total % 12


def shift_dates(text: str, months: int) -> str:
    """Shift every 'Month YYYY' by `months` (abbreviations stay abbreviated) and every other year by whole years."""
    def shifted(m: re.Match) -> str:
        word = m.group("month")
        if word is None:
            return str(int(m.group("bare")) + months // 12)
        month0 = MONTHS.index(word) if word in MONTHS else _ABBR[word]
        year, new0 = shift_month(int(m.group("year")), month0, months)
        name = MONTHS[new0] if word in MONTHS else MONTHS[new0][:3]
        gap = m.string[m.end("month"):m.start("year")]  # the dot and spacing as written
        day = f"{min(int(m.group('day')), 28)} " if m.group("day") else ""  # every month has a 28th
        return f"{day}{name}{gap}{year}"

    return _DATES.sub(shifted, text)


def flip_statuses(lines: list[str], rng: random.Random, p: float) -> list[str]:
    """Drop '(complete)' from some flagged lines and add it to some unflagged 'Date:' lines."""
    out = []
    for line in lines:
        if _FLAG.search(line) and rng.random() < p:
            line = _FLAG.sub("", line)
        elif line.startswith("Date:") and not line.rstrip().endswith(")") and rng.random() < p:  # one flag a line
            line = line.rstrip() + " (complete)"
        out.append(line)
    return out


def vary_words(text: str, rng: random.Random, p: float) -> str:
    """Replace some words by their SUBSTITUTIONS, keeping an initial capital."""
    def swap(m: re.Match) -> str:
        if rng.random() >= p:
            return m.group(0)
        new = SUBSTITUTIONS[m.group(0).lower()]
        return new[0].upper() + new[1:] if m.group(0)[0].isupper() else new

    return _WORD.sub(swap, text)


def _block(lines: list[str]) -> list[str]:
    """Return a block that ends with a blank line, so blocks can be moved without joining paragraphs."""
    return lines if lines and not lines[-1].strip() else lines + [""]


def variant(blocks: Blocks, index: int, seed: int, base_published: date, p_flip: float = 0.2,
            p_word: float = 0.25) -> Variant:
    """Return synthetic version `index` of the plan cut into `blocks`."""
    rng = random.Random(f"planextract-bench:{seed}:{index}")
    months = rng.randint(1, 36)
    lines = list(blocks.head)
    for intro, programmes in blocks.themes:
        order = list(range(len(programmes)))
        rng.shuffle(order)
        lines += _block(intro)
        for k in order:
            lines += _block(programmes[k])
    text = vary_words("\n".join(flip_statuses(lines, rng, p_flip)), rng, p_word)
    text = shift_dates(text, months)
    year, month0 = shift_month(base_published.year, base_published.month - 1, months)
    published = date(year, month0 + 1, rng.randint(1, 28))
    text, n = _PUBLISHED.subn(lambda m: f"{m.group(1)}{published.day} {MONTHS[published.month - 1]} {published.year}",
                              text, count=1)
    if n != 1:
        raise ValueError("base plan has no 'Published <date>' line")
    return Variant(f"plan-v{index:04d}-{published.isoformat()}.txt", text, published, months)


def variants(n: int, seed: int = 8, base: Path = PLAN) -> Iterator[Variant]:
    """Yield `n` synthetic versions of the plan at `base`."""
    from pipeline.load import load_document

    text = base.read_text(encoding="utf-8")
    published = load_document(base.name, text.encode("utf-8")).published_date
    blocks = cut(text)
    for i in range(1, n + 1):
        yield variant(blocks, i, seed, published)


def write_variants(folder: Path, n: int, seed: int = 8, base: Path = PLAN) -> list[Path]:
    """Write `n` variants into `folder` (created); return their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for v in variants(n, seed, base):
        path = folder / v.name
        path.write_text(v.text, encoding="utf-8")
        paths.append(path)
    return paths


def fingerprint(seed: int, base: Path = PLAN) -> str:
    """Return a hash of what decides the variants: this module, the pipeline's code and rules, the base, the seed."""
    from pipeline.storage.cache import code_fingerprint

    h = hashlib.sha256(Path(__file__).read_bytes() + base.read_bytes() + f"{seed}:{code_fingerprint()}".encode())
    return h.hexdigest()[:12]


def cached_variants(root: Path, n: int, seed: int = 8, base: Path = PLAN) -> list[Path]:
    """Return `n` variants written under `root`, reusing a complete earlier set made from the same inputs."""
    folder = root / f"seed{seed}-{fingerprint(seed, base)}"
    stamp = folder / ".complete"
    if stamp.exists() and int(stamp.read_text()) >= n:
        return sorted(p for p in folder.iterdir() if p.suffix == ".txt")[:n]
    if root.exists():
        for old in root.glob(f"seed{seed}-*"):
            shutil.rmtree(old)
    paths = write_variants(folder, n, seed, base)
    stamp.write_text(str(n))
    return paths
