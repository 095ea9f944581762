"""The rubric a panel scores against: weighted criteria and the 0–4 scale.

Scores are Fractions throughout so that every result is exact: a mean of three scores, a
moderated 2½ or a weighted score of 62½ never picks up rounding, and two bids that should
tie really do tie.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational
from typing import Any

SCALE = range(0, 5)
SCALE_TITLES = ("No evidence", "Weak", "Adequate", "Good", "Excellent")

# The extremes and a weak score are the ones a funder is asked to justify.
SCORES_NEEDING_COMMENT = frozenset({0, 1, 4})

TOP_SCORE = SCALE[-1]


class ScoringError(ValueError):
    """Scores or settings that cannot be used, worded for the person who can fix them."""


@dataclass(frozen=True)
class CriterionSpec:
    key: int | str
    title: str
    weight: int
    position: int = 0


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[CriterionSpec, ...]

    def __post_init__(self):
        # Accept a list from callers but keep the rubric immutable and hashable.
        object.__setattr__(self, "criteria", tuple(self.criteria))

    @property
    def total_weight(self) -> int:
        return sum(criterion.weight for criterion in self.criteria)

    def check(self) -> None:
        """Insist on a rubric a round can open with, including weights that add up to 100."""
        self._check_usable()
        if self.total_weight != 100:
            raise ScoringError(
                f"The weights add up to {self.total_weight}; they must add up to 100"
            )

    def heaviest(self) -> CriterionSpec:
        """The criterion that breaks ties between bids with the same score."""
        if not self.criteria:
            raise ScoringError("The rubric has no criteria")
        # min() keeps the first of equals, so a tie on weight and position goes to the
        # criterion listed first.
        return min(self.criteria, key=lambda criterion: (-criterion.weight, criterion.position))

    def by_key(self, key: Hashable) -> CriterionSpec:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise ScoringError(f"There is no criterion {key!r} in this rubric")

    def _check_usable(self) -> None:
        """What calculations need. Weights need not add up to 100: scores are normalised."""
        if not self.criteria:
            raise ScoringError("The rubric has no criteria")
        seen = set()
        for criterion in self.criteria:
            if criterion.key in seen:
                raise ScoringError(f"More than one criterion uses the key {criterion.key!r}")
            seen.add(criterion.key)
            if not _is_whole_number(criterion.weight) or criterion.weight <= 0:
                raise ScoringError(
                    f"The weight for {criterion.title} must be a whole number above 0"
                )


def comment_required(score: int) -> bool:
    return score in SCORES_NEEDING_COMMENT


# Score sheets are keyed by the caller's own criterion keys. They are Mapping[Any, ...], not
# Mapping[Hashable, ...]: a Mapping's key type is invariant, so the latter would refuse a
# dict[int, int], and every key of a mapping is hashable anyway.
def check_scoresheet(
    rubric: Rubric,
    scores: Mapping[Any, int],
    comments: Mapping[Any, str] | None = None,
) -> dict[Any, str]:
    """What stops an assessor's score sheet being complete, by criterion key.

    An empty dict means the sheet can be submitted.
    """
    comments = comments or {}
    problems = score_problems(rubric, scores)
    for criterion in rubric.criteria:
        if criterion.key in problems:
            continue
        score = scores[criterion.key]
        if comment_required(score) and not (comments.get(criterion.key) or "").strip():
            problems[criterion.key] = f"Explain a score of {score} for {criterion.title}"
    known = {criterion.key for criterion in rubric.criteria}
    for key in comments:
        if key not in known:
            problems.setdefault(key, _unknown_criterion(key))
    return problems


def score_problems(rubric: Rubric, scores: Mapping[Any, int]) -> dict[Any, str]:
    """Missing, out-of-range and unknown scores: the part of completeness that the
    arithmetic depends on (comments do not change a score)."""
    problems: dict[Any, str] = {}
    for criterion in rubric.criteria:
        score = scores.get(criterion.key)
        if score is None:
            problems[criterion.key] = f"Score {criterion.title}"
        elif not (_is_whole_number(score) and score in SCALE):
            problems[criterion.key] = f"Score {criterion.title} with a whole number from 0 to 4"
    known = {criterion.key for criterion in rubric.criteria}
    for key in scores:
        if key not in known:
            problems[key] = _unknown_criterion(key)
    return problems


def weighted_score(rubric: Rubric, scores: Mapping[Any, int | Fraction]) -> Fraction:
    """The score out of 100: each criterion's share of the total weight, times how much of
    the top score it earned.

    Dividing by the total weight rather than assuming 100 means scaling every weight by
    the same amount leaves the result exactly as it was.
    """
    rubric._check_usable()
    known = {criterion.key for criterion in rubric.criteria}
    for key in scores:
        if key not in known:
            raise ScoringError(_unknown_criterion(key))
    earned = Fraction(0)
    for criterion in rubric.criteria:
        score = scores.get(criterion.key)
        if score is None:
            raise ScoringError(f"{criterion.title} has no score")
        check_on_scale(score, criterion)
        earned += criterion.weight * Fraction(score)
    return earned * 100 / (TOP_SCORE * rubric.total_weight)


def check_on_scale(score: int | Fraction, criterion: CriterionSpec) -> None:
    """Allow exact fractional scores (means, moderated values) but nothing off the scale."""
    if not isinstance(score, Rational) or isinstance(score, bool):
        raise ScoringError(f"The score for {criterion.title} must be a number from 0 to 4")
    if not SCALE[0] <= score <= TOP_SCORE:
        raise ScoringError(f"The score for {criterion.title} must be from 0 to 4, not {score}")


def _is_whole_number(value: object) -> bool:
    # bool is an int subclass, but True is not a score or a weight.
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_criterion(key: Hashable) -> str:
    return f"There is no criterion {key!r} in this round"
