"""Text similarity for matching versions: idf-weighted word overlap (rule diff.similarity).

Words come from description_key() (case, spacing and punctuation folded, as milestone ids
hash them), with light suffix stripping so 'publish' meets 'published'. Weights are held as
integers (units of 2**-32), so the shared weight of every pair is an exact integer sum from one
sparse product: scores never depend on summation order, and all pairs cost one product.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from .diff_rules import DiffRules
from .milestones import description_key


_UNIT = 2.0 ** 32  # weights (about 1..10) times this, summed over a text's words, stay well inside int64


def words(text: str, rules: DiffRules) -> frozenset[str]:
    """Return the distinct normalised, suffix-stripped words of `text`."""
    s = rules.similarity
    return _words(text, tuple(s.suffixes), s.min_stem)


def long_text_words(text: str, rules: DiffRules) -> frozenset[str]:
    """Return words(text) of a long text (a programme's section), read a line at a time.

    The same set: no word spans a line break, and lower-casing does not look across one. But
    most lines recur unchanged from version to version, and their words are remembered.
    """
    return frozenset().union(*(words(line, rules) for line in text.split("\n")))


# Holds a few versions' lines and descriptions, so unchanged ones are read once; memory stays bounded.
@lru_cache(maxsize=8192)
def _words(text: str, suffixes: tuple[str, ...], min_stem: int) -> frozenset[str]:
    return frozenset(map(_stems(suffixes, min_stem).__getitem__, set(description_key(text).split())))


class _Stems(dict):
    """word -> its stem: the longest of `suffixes` stripped when at least `min_stem` letters remain; filled on first use."""

    LIMIT = 65536  # distinct words remembered; then it starts afresh, so memory stays bounded

    def __init__(self, suffixes: tuple[str, ...], min_stem: int):
        super().__init__()
        self.suffixes, self.min_stem = tuple(sorted(suffixes, key=len, reverse=True)), min_stem

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        stem = next((word[: -len(x)] for x in self.suffixes if word.endswith(x) and len(word) - len(x) >= self.min_stem),
                    word)
        self[word] = stem
        return stem


@lru_cache(maxsize=None)
def _stems(suffixes: tuple[str, ...], min_stem: int) -> _Stems:
    """Return the stems of one rule setting (made once)."""
    return _Stems(suffixes, min_stem)


def _idf_weights(df: np.ndarray, n: int) -> np.ndarray:
    """Return log((n + 1) / (df + 1)) + 1 for each document frequency in `df`, as float64.

    math.log on each distinct frequency (there are few), so weights are exactly those of the formula.
    """
    counts, where = np.unique(df, return_inverse=True)
    return np.array([math.log((n + 1) / (int(c) + 1)) + 1 for c in counts], dtype=np.float64)[where]


@dataclass(frozen=True)
class TextSet:
    """The word sets of a list of texts, prepared once to be compared with many other lists.

    `vocab` holds the distinct words (sorted), `incidence` is the 0/1 text-by-word matrix
    (CSR) over it and `df` how many of the texts hold each word.
    """

    vocab: np.ndarray
    incidence: "csr_matrix"
    df: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[frozenset[str]]) -> "TextSet":
        """Return the TextSet of `texts` (word sets, as words() returns them)."""
        from scipy.sparse import csr_matrix  # imported where texts are compared, not where rows are written

        vocab_words = sorted(set().union(*texts))
        vocab = {w: k for k, w in enumerate(vocab_words)}
        indices = np.array([vocab[w] for ws in texts for w in ws], dtype=np.int64)
        indptr = np.cumsum([0] + [len(ws) for ws in texts])
        incidence = csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr),
                               shape=(len(texts), len(vocab_words)))
        df = np.bincount(indices, minlength=len(vocab_words)).astype(np.int64)
        return cls(np.array(vocab_words, dtype=np.str_), incidence, df)

    def __len__(self) -> int:
        return self.incidence.shape[0]


def _widened(texts: TextSet, columns: np.ndarray, width: int) -> "csr_matrix":
    """Return the incidence matrix of `texts` over a wider vocabulary, where its words sit at `columns`."""
    from scipy.sparse import csr_matrix

    m = texts.incidence
    return csr_matrix((m.data, columns[m.indices], m.indptr), shape=(m.shape[0], width))


def similarity_matrix(old: TextSet, new: TextSet, rules: DiffRules) -> np.ndarray:
    """Return the similarity (0..1) of every old text (rows) with every new text (columns).

    The idf weights are computed over both lists together. Dice and containment of the shared
    weight, mixed by the rule's weights; 0 for texts that share no word.
    """
    s = rules.similarity
    out = np.zeros((len(old), len(new)), dtype=np.float64)
    if not len(old) or not len(new) or not (len(old.vocab) + len(new.vocab)):
        return out
    # The pair's vocabulary: the old words, then the new words the old texts lack.
    n_old = len(old.vocab)
    at = np.minimum(np.searchsorted(old.vocab, new.vocab), max(n_old - 1, 0))
    known = old.vocab[at] == new.vocab if n_old else np.zeros(len(new.vocab), dtype=bool)
    at_new = np.where(known, at, n_old + np.cumsum(~known) - 1)
    width = n_old + int(np.count_nonzero(~known))
    df = np.zeros(width, dtype=np.int64)
    df[:n_old] = old.df
    df[at_new] += new.df  # at_new holds each column once
    units = np.rint(_idf_weights(df, len(old) + len(new)) * _UNIT).astype(np.int64)  # as round(): half to even
    a, b = _widened(old, np.arange(n_old), width), _widened(new, at_new, width)
    shared = (a.multiply(units).tocsr() @ b.T).toarray().astype(np.float64)  # exact: integers below 2**53
    size_old = (a @ units).astype(np.float64)[:, None]
    size_new = (b @ units).astype(np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = 2 * shared / (size_old + size_new)
        contained = shared / np.minimum(size_old, size_new)
        mixed = np.minimum(1.0, s.dice_weight * dice + s.containment_weight * contained)
    return np.where(shared > 0, mixed, out)
