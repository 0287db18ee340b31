"""Text similarity for matching versions: idf-weighted word overlap (rule diff.similarity).

Words come from description_key() (case, spacing and punctuation folded, as milestone ids
hash them), with light suffix stripping so 'publish' meets 'published'. Sums use
math.fsum, which is exactly rounded, so scores never depend on set iteration order.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from .diff_rules import DiffRules
from .milestones import description_key


def words(text: str, rules: DiffRules) -> frozenset[str]:
    """Return the distinct normalised, suffix-stripped words of `text`."""
    s = rules.similarity
    suffixes = tuple(sorted(s.suffixes, key=len, reverse=True))
    return frozenset(_stem(w, suffixes, s.min_stem) for w in set(description_key(text).split()))


@lru_cache(maxsize=65536)
def _stem(word: str, suffixes: tuple[str, ...], min_stem: int) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            return word[: -len(suffix)]
    return word


def idf(corpus: Sequence[frozenset[str]]) -> dict[str, float]:
    """Return log((N + 1) / (df + 1)) + 1 for every word of the corpus (each text one document)."""
    df: dict[str, int] = {}
    for ws in corpus:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    n = len(corpus)
    return {w: math.log((n + 1) / (c + 1)) + 1 for w, c in df.items()}


def similarity_matrix(old: Sequence[frozenset[str]], new: Sequence[frozenset[str]], rules: DiffRules) -> np.ndarray:
    """Return the similarity (0..1) of every old text (rows) with every new text (columns).

    The idf weights are computed over both lists together.
    """
    weights = idf(list(old) + list(new))
    s = rules.similarity
    size_old = [math.fsum(weights[w] for w in ws) for ws in old]
    size_new = [math.fsum(weights[w] for w in ws) for ws in new]
    holders: dict[str, list[int]] = {}
    for i, ws in enumerate(old):
        for w in ws:
            holders.setdefault(w, []).append(i)
    out = np.zeros((len(old), len(new)), dtype=np.float64)
    for j, ws in enumerate(new):
        candidates = sorted({i for w in ws for i in holders.get(w, ())})
        for i in candidates:
            shared = math.fsum(weights[w] for w in old[i] & ws)
            dice = 2 * shared / (size_old[i] + size_new[j])
            contained = shared / min(size_old[i], size_new[j])
            out[i, j] = min(1.0, s.dice_weight * dice + s.containment_weight * contained)
    return out
