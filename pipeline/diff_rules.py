"""Version comparison rules (rules/diff.yaml), validated strictly and compiled once."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

from .rules import StrictModel, check_regexes, load_ruleset, unique_ids


class _Pattern(StrictModel):
    id: str
    pattern: str


class _Series(StrictModel):
    id: str
    updated: _Pattern
    max_lines: int
    title_edition: _Pattern


class _Similarity(StrictModel):
    id: str
    dice_weight: float
    containment_weight: float
    suffixes: list[str]
    min_stem: int


class _Bonus(StrictModel):
    id: str
    when: Literal["same_description", "same_programme", "same_due", "same_workstream"]
    weight: float


class _Milestones(StrictModel):
    id: str
    min_similarity: float
    threshold: float
    ambiguity_margin: float
    bonuses: list[_Bonus]


class _Weights(StrictModel):
    milestones: float
    text: float
    name: float


class _Weighted(StrictModel):
    id: str
    weight: float


class _Programmes(StrictModel):
    id: str
    weights: _Weights
    same_name: _Weighted
    threshold: float
    ambiguity_margin: float


class _Outcomes(StrictModel):
    exact: str
    similar: str
    unmatched: str
    programme_same: str
    programme_matched: str


class DiffRules(StrictModel):
    version: int
    series: _Series
    similarity: _Similarity
    milestones: _Milestones
    programmes: _Programmes
    outcomes: _Outcomes

    def bonus(self, when: str) -> float:
        """Return the weight of the milestone bonus named `when` (0 when the rules give none)."""
        return sum(b.weight for b in self.milestones.bonuses if b.when == when)

    @property
    def updated_re(self) -> re.Pattern:
        return re.compile(self.series.updated.pattern, re.IGNORECASE)

    @property
    def title_edition_re(self) -> re.Pattern:
        return re.compile(self.series.title_edition.pattern, re.IGNORECASE)


def _check(rules: DiffRules, problems: list[str]) -> None:
    check_regexes({rules.series.updated.id: rules.series.updated.pattern,
                   rules.series.title_edition.id: rules.series.title_edition.pattern}, problems, "diff")
    ids = [rules.series.id, rules.series.updated.id, rules.series.title_edition.id, rules.similarity.id, rules.milestones.id,
           rules.programmes.id, rules.programmes.same_name.id] + [b.id for b in rules.milestones.bonuses]
    ids += list(rules.outcomes.model_dump().values())
    unique_ids(ids, problems, "diff")
    whens = [b.when for b in rules.milestones.bonuses]
    if len(set(whens)) != len(whens):
        problems.append("milestones.bonuses: a bonus is listed twice")
    s = rules.similarity
    if abs(s.dice_weight + s.containment_weight - 1) > 1e-9:
        problems.append("similarity: dice_weight + containment_weight must be 1")
    m = rules.milestones
    if not 0 < m.min_similarity <= m.threshold:
        problems.append("milestones: need 0 < min_similarity <= threshold")
    for name, value in (("milestones.ambiguity_margin", m.ambiguity_margin),
                        ("programmes.ambiguity_margin", rules.programmes.ambiguity_margin),
                        ("programmes.threshold", rules.programmes.threshold)):
        if not 0 <= value <= 1:
            problems.append(f"{name}: must be between 0 and 1")
    if any(b.weight < 0 for b in m.bonuses) or min(rules.programmes.weights.model_dump().values()) < 0:
        problems.append("weights and bonuses must not be negative")


def load_diff_rules(rules_dir: Optional[Path] = None) -> DiffRules:
    """Return rules/diff.yaml validated (raise RuleError listing every problem)."""
    return load_ruleset("diff.yaml", DiffRules, _check, rules_dir)


@lru_cache(maxsize=None)
def diff_rules() -> DiffRules:
    """Return the process-wide version comparison rules."""
    return load_diff_rules()
