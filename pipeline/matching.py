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
        s = score[i, j]
        found = None
        for j2 in np.flatnonzero(accept[i]):
            j2 = int(j2)
            if j2 == j or score[i, j2] <= s - margin + _EPS:
                continue
            other = partner_of_new.get(j2)
            if other is None or score[i, j2] > score[other, j2] - margin + _EPS:
                found = Rival(i, j, float(s), None, j2, float(score[i, j2]))
                break
        if found is None:
            for i2 in np.flatnonzero(accept[:, j]):
                i2 = int(i2)
                if i2 == i or score[i2, j] <= s - margin + _EPS:
                    continue
                other = partner_of_old.get(i2)
                if other is None or score[i2, j] > score[i2, other] - margin + _EPS:
                    found = Rival(i, j, float(s), i2, None, float(score[i2, j]))
                    break
        if found is not None:
            out.append(found)
    return out
