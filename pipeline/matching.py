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
    swapping would be about as good, so the choice is a guess. A rival for the same old
    item (another new one) is looked for first, in reading order.
    """
    if not pairs:
        return []
    accept = eligible & (score >= threshold)
    old, new = (np.array(side, dtype=np.int64) for side in zip(*pairs))
    rival_new = _first_rivals(score, accept, old, new, margin)
    rival_old = _first_rivals(score.T, accept.T, new, old, margin)
    out = []
    for k, (i, j) in enumerate(pairs):
        s = float(score[i, j])
        if rival_new[k] >= 0:
            out.append(Rival(i, j, s, None, int(rival_new[k]), float(score[i, rival_new[k]])))
        elif rival_old[k] >= 0:
            out.append(Rival(i, j, s, int(rival_old[k]), None, float(score[rival_old[k], j])))
    return out


def _first_rivals(score: np.ndarray, accept: np.ndarray, rows: np.ndarray, chosen: np.ndarray,
                  margin: float) -> np.ndarray:
    """Return, for each accepted pair (rows[k], chosen[k]), the first column c != chosen[k] of its row that
    scores within `margin` of the pair and within `margin` of c's own partner (or has none); -1 where none.
    Called on the transposes for the other side."""
    partner_score = np.full(score.shape[1], -np.inf)  # a column without a partner: any score is close enough
    partner_score[chosen] = score[rows, chosen]
    s = score[rows, chosen][:, None]
    near = (accept[rows] & (score[rows] > s - margin + _EPS) & (score[rows] > partner_score - margin + _EPS))
    near[np.arange(len(rows)), chosen] = False
    first = near.argmax(axis=1)
    return np.where(near[np.arange(len(rows)), first], first, -1)
