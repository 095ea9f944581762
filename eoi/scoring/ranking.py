"""Putting scored bids in order, with the published tie-break rules.

Bids are ranked by their panel score. When scores are equal the rules below decide, in
turn; the bid's key settles anything left so that the same bids always rank the same way.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from eoi.scoring.rubric import ScoringError

TIE_BREAKS = (
    "Higher score on the heaviest criterion",
    "Smaller MOPAC request",
    "Submitted earlier",
)

# Not a published rule: it only separates bids that are level on every rule above.
LEVEL_ON_EVERY_RULE = "Level on every rule, so ordered by reference"


@dataclass(frozen=True)
class Bid:
    key: Hashable
    score: Fraction
    heaviest_criterion_score: Fraction
    mopac_request_pence: int
    submitted_at: datetime


@dataclass(frozen=True)
class RankedBid:
    rank: int
    bid: Bid
    # Which rule put this bid below the one just above it, when their scores are equal.
    tie_break: str | None


def rank(bids: Iterable[Bid]) -> list[RankedBid]:
    """Rank bids from 1, best first. Keys must be unique and comparable with each other."""
    bids = list(bids)
    seen = set()
    for bid in bids:
        if bid.key in seen:
            raise ScoringError(f"Bid {bid.key!r} appears more than once")
        seen.add(bid.key)

    ordered = sorted(bids, key=_order)
    ranked = []
    for position, bid in enumerate(ordered):
        above = ordered[position - 1] if position else None
        ranked.append(RankedBid(position + 1, bid, _tie_break(above, bid)))
    return ranked


def _order(bid: Bid) -> tuple:
    return (
        -bid.score,
        -bid.heaviest_criterion_score,
        bid.mopac_request_pence,
        bid.submitted_at,
        bid.key,
    )


def _tie_break(above: Bid | None, bid: Bid) -> str | None:
    if above is None or above.score != bid.score:
        return None
    rules = zip(TIE_BREAKS, _order(above)[1:4], _order(bid)[1:4], strict=True)
    for rule, theirs, ours in rules:
        if theirs != ours:
            return rule
    return LEVEL_ON_EVERY_RULE
