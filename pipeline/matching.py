"""One-to-one matching of old items to new items by an optimal assignment over a score matrix.

The assignment (scipy.optimize.linear_sum_assignment) maximises the sum of
(score - threshold) over accepted pairs: a pair below the threshold is never accepted,
and one clearly right pair is never traded for two doubtful ones. Ties are broken by
the solver deterministically, in reading order of the rows and columns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

# Tiny gain for a pair exactly at the threshold, so that it is still worth accepting.
_AT_THRESHOLD = 1e-9
# A rival must be strictly within the margin; this absorbs float noise in sums of bonuses.
_EPS = 1e-9


@dataclass(frozen=True)
class Rival:
    """A candidate nearly as good as the chosen pair, on the old side or the new side."""

    old: int
    new: int
    score: float
    rival_old: Optional[int]  # another old item for the same new item
    rival_new: Optional[int]  # another new item for the same old item
    rival_score: float


def assign(score: np.ndarray, eligible: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Return the accepted (old, new) index pairs, by old index."""
    if score.size == 0:
        return []
    from scipy.optimize import linear_sum_assignment

    accept = eligible & (score >= threshold)
    gain = np.where(accept, score - threshold + _AT_THRESHOLD, 0.0)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols) if accept[i, j])


def rivals(score: np.ndarray, eligible: np.ndarray, threshold: float, pairs: list[tuple[int, int]],
           margin: float) -> list[Rival]:
    """Return, for each accepted pair, the first rival that makes it ambiguous (if any).

    A rival is another acceptable candidate scoring strictly within `margin` of the chosen
    pair, and strictly within `margin` of its own partner's score (or has no partner):
    swapping would be about as good, so the choice is a guess.
    """
    accept = eligible & (score >= threshold)
    partner_of_old = dict(pairs)
    partner_of_new = {j: i for i, j in pairs}
    out = []
    for i, j in pairs:
        s = float(score[i, j])
        j2 = _first_rival(score, accept, i, j, s, partner_of_new, margin)
        if j2 is not None:
            out.append(Rival(i, j, s, None, j2, float(score[i, j2])))
            continue
        i2 = _first_rival(score.T, accept.T, j, i, s, partner_of_old, margin)
        if i2 is not None:
            out.append(Rival(i, j, s, i2, None, float(score[i2, j])))
    return out


def _first_rival(score: np.ndarray, accept: np.ndarray, a: int, b: int, s: float, partner: dict[int, int],
                 margin: float) -> Optional[int]:
    """Return the first column k != b of row a that scores within `margin` of `s` and within `margin`
    of its own partner's score (or has none), else None. Called on the transpose for the other side."""
    for k in np.flatnonzero(accept[a]):
        k = int(k)
        if k == b or score[a, k] <= s - margin + _EPS:
            continue
        other = partner.get(k)
        if other is None or score[a, k] > score[other, k] - margin + _EPS:
            return k
    return None
