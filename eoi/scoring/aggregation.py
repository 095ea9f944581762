"""Bringing a panel's score sheets for one bid together, and flagging where they disagree.

A bid's panel score uses, for each criterion, the moderated score if the panel agreed one,
otherwise the mean of the assessors' scores. Disagreements are flagged so the panel knows
which criteria to discuss before the scores are relied on.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from eoi.scoring.rubric import (
    CriterionSpec,
    Rubric,
    ScoringError,
    check_on_scale,
    score_problems,
    weighted_score,
)

FAR_FROM_MEDIAN = "far_from_median"
WIDE_SPREAD = "wide_spread"

# On a five-point scale, two points from the median is the difference between "Adequate"
# and "Excellent"; a spread of three means someone saw little where another saw a lot.
FAR_FROM_MEDIAN_POINTS = 2
WIDE_SPREAD_POINTS = 3


@dataclass(frozen=True)
class Disagreement:
    criterion_key: Hashable
    assessor: Hashable | None  # None when the disagreement is the panel's as a whole
    kind: str  # FAR_FROM_MEDIAN or WIDE_SPREAD
    message: str


@dataclass(frozen=True)
class CriterionSummary:
    criterion: CriterionSpec
    scores: tuple[int, ...]  # in the order the assessors were given
    mean: Fraction
    median: Fraction
    spread: int
    moderated: Fraction | None
    disagreements: tuple[Disagreement, ...]

    @property
    def agreed(self) -> Fraction:
        """The score the bid carries forward: the panel's moderated view wins over the mean."""
        return self.mean if self.moderated is None else self.moderated


@dataclass(frozen=True)
class BidSummary:
    criteria: tuple[CriterionSummary, ...]
    assessor_scores: dict[Hashable, Fraction]  # each assessor's own weighted score
    score: Fraction
    needs_moderation: bool

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        return tuple(d for summary in self.criteria for d in summary.disagreements)

    def for_criterion(self, key: Hashable) -> CriterionSummary:
        for summary in self.criteria:
            if summary.criterion.key == key:
                return summary
        raise ScoringError(f"There is no criterion {key!r} in this summary")


def summarise(
    rubric: Rubric,
    scoresheets: Mapping[Any, Mapping[Any, int]],  # Any: see eoi.scoring.rubric
    moderated: Mapping[Any, int | Fraction] | None = None,
) -> BidSummary:
    """Summarise one bid's score sheets, keyed by assessor, with any moderated scores.

    Comments are not checked here: they explain a score but do not change it.
    """
    if not scoresheets:
        raise ScoringError("No assessor has scored this bid")
    for assessor, sheet in scoresheets.items():
        problems = score_problems(rubric, sheet)
        if problems:
            first = next(iter(problems.values()))
            raise ScoringError(f"The score sheet from {assessor} is not complete: {first}")
    moderated = _checked_moderation(rubric, moderated or {})

    criteria = tuple(
        _summarise_criterion(
            criterion,
            {assessor: sheet[criterion.key] for assessor, sheet in scoresheets.items()},
            moderated.get(criterion.key),
        )
        for criterion in rubric.criteria
    )
    return BidSummary(
        criteria=criteria,
        assessor_scores={
            assessor: weighted_score(rubric, sheet) for assessor, sheet in scoresheets.items()
        },
        score=weighted_score(rubric, {s.criterion.key: s.agreed for s in criteria}),
        needs_moderation=any(s.disagreements and s.moderated is None for s in criteria),
    )


def _checked_moderation(
    rubric: Rubric, moderated: Mapping[Any, int | Fraction]
) -> dict[Any, Fraction]:
    checked = {}
    for key, score in moderated.items():
        if score is None:
            continue  # not moderated after all
        criterion = rubric.by_key(key)
        check_on_scale(score, criterion)
        checked[key] = Fraction(score)
    return checked


def _summarise_criterion(
    criterion: CriterionSpec,
    scores: Mapping[Hashable, int],
    moderated: Fraction | None,
) -> CriterionSummary:
    values = tuple(scores.values())
    median = _median(values)
    spread = max(values) - min(values)

    disagreements = [
        Disagreement(
            criterion.key,
            assessor,
            FAR_FROM_MEDIAN,
            f"Assessor {assessor} scored {score}, {_number(abs(score - median))} points "
            f"from the panel median of {_number(median)}",
        )
        for assessor, score in scores.items()
        if abs(score - median) >= FAR_FROM_MEDIAN_POINTS
    ]
    if spread >= WIDE_SPREAD_POINTS:
        disagreements.append(
            Disagreement(
                criterion.key,
                None,
                WIDE_SPREAD,
                f"Scores range from {min(values)} to {max(values)}, a spread of {spread}",
            )
        )
    return CriterionSummary(
        criterion=criterion,
        scores=values,
        mean=Fraction(sum(values), len(values)),
        median=median,
        spread=spread,
        moderated=moderated,
        disagreements=tuple(disagreements),
    )


def _median(values: tuple[int, ...]) -> Fraction:
    # statistics.median would return a float for an even number of scores.
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def _number(value: Fraction) -> str:
    """A median or distance for people: medians of whole scores are whole or halves."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"
