"""Rubrics, score sheets and bids shared by the scoring tests."""

from datetime import UTC, datetime
from fractions import Fraction

from eoi.scoring import Bid, CriterionSpec, Rubric

# The round's default criteria (eoi/rounds/defaults.py), keyed 1 to 8.
DEFAULT_RUBRIC = Rubric(
    tuple(
        CriterionSpec(key=number, title=title, weight=weight, position=number * 10)
        for number, (title, weight) in enumerate(
            [
                ("Strategic fit and additionality", 15),
                ("Evidence of need", 10),
                ("Partnership and sub-regional reach", 15),
                ("Delivery model", 15),
                ("Outcomes and measurement", 15),
                ("Participation of young people and families", 10),
                ("Value for money and pooled funding", 10),
                ("Risk, data sharing and sustainability", 10),
            ],
            start=1,
        )
    )
)

EVIDENCE_OF_NEED = 2


def sheet(*scores: int) -> dict[int, int]:
    """A score sheet for DEFAULT_RUBRIC, scores in criterion order."""
    return dict(enumerate(scores, start=1))


def scaled(rubric: Rubric, factor: int) -> Rubric:
    return Rubric(
        tuple(
            CriterionSpec(c.key, c.title, c.weight * factor, c.position) for c in rubric.criteria
        )
    )


def pounds(amount: int) -> int:
    return amount * 100


def day(number: int) -> datetime:
    """A submission time: day `number` of March 2025."""
    return datetime(2025, 3, number, 12, tzinfo=UTC)


def bid(
    key: str,
    score: int | Fraction,
    heaviest: int | Fraction = 2,
    request_pence: int = pounds(100_000),
    submitted: int = 1,
) -> Bid:
    return Bid(key, Fraction(score), Fraction(heaviest), request_pence, day(submitted))
