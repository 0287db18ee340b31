"""Text similarity for matching versions: idf-weighted word overlap (rule diff.similarity).

Words come from description_key() (case, spacing and punctuation folded, as milestone ids
hash them), with light suffix stripping so 'publish' meets 'published'. Weights are held as
integers (units of 2**-32), so the shared weight of every pair is an exact integer sum from one
sparse product: scores never depend on summation order, and all pairs cost one product.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from .diff_rules import DiffRules
from .milestones import description_key


_UNIT = 2.0 ** 32  # weights (about 1..10) times this, summed over a text's words, stay well inside int64


def words(text: str, rules: DiffRules) -> frozenset[str]:
    """Return the distinct normalised, suffix-stripped words of `text`."""
    s = rules.similarity
    return _words(text, tuple(sorted(s.suffixes, key=len, reverse=True)), s.min_stem)


@lru_cache(maxsize=1024)
def _words(text: str, suffixes: tuple[str, ...], min_stem: int) -> frozenset[str]:
    # A version is compared twice (as the new side, then as the old): its texts are read once. The
    # cache holds about two versions' texts, so an archive's comparison stays in bounded memory.
    return frozenset(_stem(w, suffixes, min_stem) for w in set(description_key(text).split()))


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


def _incidence(texts: Sequence[frozenset[str]], vocab: dict[str, int]):
    """Return the 0/1 text-by-word matrix (CSR, int64) of `texts` over `vocab`."""
    from scipy.sparse import csr_matrix

    indices = [vocab[w] for ws in texts for w in ws]
    indptr = np.cumsum([0] + [len(ws) for ws in texts])
    m = csr_matrix((np.ones(len(indices), dtype=np.int64), np.array(indices, dtype=np.int64), indptr),
                   shape=(len(texts), len(vocab)))
    m.sort_indices()  # set order varies between processes; the matrix must not
    return m


def similarity_matrix(old: Sequence[frozenset[str]], new: Sequence[frozenset[str]], rules: DiffRules) -> np.ndarray:
    """Return the similarity (0..1) of every old text (rows) with every new text (columns).

    The idf weights are computed over both lists together. Dice and containment of the shared
    weight, mixed by the rule's weights; 0 for texts that share no word.
    """
    weights = idf(list(old) + list(new))
    s = rules.similarity
    out = np.zeros((len(old), len(new)), dtype=np.float64)
    if not weights or not len(old) or not len(new):
        return out
    vocab_words = sorted(weights)
    vocab = {w: k for k, w in enumerate(vocab_words)}
    units = np.array([round(weights[w] * _UNIT) for w in vocab_words], dtype=np.int64)
    a, b = _incidence(old, vocab), _incidence(new, vocab)
    shared = (a.multiply(units).tocsr() @ b.T).toarray().astype(np.float64)  # exact: integers below 2**53
    size_old = (a @ units).astype(np.float64)[:, None]
    size_new = (b @ units).astype(np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = 2 * shared / (size_old + size_new)
        contained = shared / np.minimum(size_old, size_new)
        mixed = np.minimum(1.0, s.dice_weight * dice + s.containment_weight * contained)
    return np.where(shared > 0, mixed, out)
