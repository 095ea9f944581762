"""Sharing a funding envelope among ranked bids, and trying out other envelopes and
thresholds before the panel decides.

Bids are funded in rank order. A bid below the quality threshold gets nothing however much
money is left. A bid that does not fit what remains is passed over rather than stopping
the allocation, so a smaller bid further down can still be funded; optionally, the first
bid that does not fit can be offered what is left instead.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from eoi.scoring.ranking import RankedBid
from eoi.scoring.rubric import ScoringError

DEFAULT_THRESHOLD = Fraction(50)


class Outcome(StrEnum):
    # StrEnum is (str, Enum) in Python 3.11 form; str() of a member is its value.
    funded = "funded"
    partly_funded = "partly_funded"
    does_not_fit = "does_not_fit"
    below_threshold = "below_threshold"

    @property
    def title(self) -> str:  # type: ignore[override]  # the words a user reads, not str.title()
        return _OUTCOME_TITLES[self]


_OUTCOME_TITLES = {
    Outcome.funded: "Funded",
    Outcome.partly_funded: "Partly funded",
    Outcome.does_not_fit: "Does not fit the remaining envelope",
    Outcome.below_threshold: "Below the quality threshold",
}

_AWARDED = frozenset({Outcome.funded, Outcome.partly_funded})


@dataclass(frozen=True)
class AllocationLine:
    ranked: RankedBid
    outcome: Outcome
    award_pence: int
    remaining_after_pence: int


@dataclass(frozen=True)
class Allocation:
    lines: tuple[AllocationLine, ...]
    envelope_pence: int
    threshold: Fraction
    partial_awards: bool

    @property
    def total_awarded_pence(self) -> int:
        return sum(line.award_pence for line in self.lines)

    @property
    def remaining_pence(self) -> int:
        return self.envelope_pence - self.total_awarded_pence

    @property
    def funded_keys(self) -> frozenset:
        """Bids that receive money, in full or in part."""
        return frozenset(line.ranked.bid.key for line in self.lines if line.outcome in _AWARDED)

    def line_for(self, key: Hashable) -> AllocationLine:
        for line in self.lines:
            if line.ranked.bid.key == key:
                return line
        raise ScoringError(f"Bid {key!r} is not in this allocation")


@dataclass(frozen=True)
class WhatIfChange:
    key: Hashable
    before: AllocationLine
    after: AllocationLine


def allocate(
    ranked: Sequence[RankedBid],
    envelope_pence: int,
    threshold: Fraction = DEFAULT_THRESHOLD,
    partial_awards: bool = False,
) -> Allocation:
    _check_pence(envelope_pence, "The funding envelope")
    for line in ranked:
        _check_pence(line.bid.mopac_request_pence, f"The MOPAC request for bid {line.bid.key!r}")

    remaining = envelope_pence
    lines = []
    for line in sorted(ranked, key=lambda r: r.rank):
        request = line.bid.mopac_request_pence
        if line.bid.score < threshold:
            outcome, award = Outcome.below_threshold, 0
        elif request <= remaining:
            outcome, award = Outcome.funded, request
        elif partial_awards and remaining > 0:
            # Only the first bid that does not fit can get here: it takes all that is left.
            outcome, award = Outcome.partly_funded, remaining
        else:
            outcome, award = Outcome.does_not_fit, 0
        remaining -= award
        lines.append(AllocationLine(line, outcome, award, remaining))
    return Allocation(tuple(lines), envelope_pence, Fraction(threshold), partial_awards)


def what_if(
    ranked: Sequence[RankedBid],
    base: Allocation,
    envelope_pence: int | None = None,
    threshold: Fraction | None = None,
    partial_awards: bool | None = None,
) -> tuple[Allocation, list[WhatIfChange]]:
    """Allocate again with some settings changed, and say which bids would fare differently."""
    after = allocate(
        ranked,
        base.envelope_pence if envelope_pence is None else envelope_pence,
        base.threshold if threshold is None else threshold,
        base.partial_awards if partial_awards is None else partial_awards,
    )
    changes = []
    for line in after.lines:
        key = line.ranked.bid.key
        before = base.line_for(key)
        if (before.outcome, before.award_pence) != (line.outcome, line.award_pence):
            changes.append(WhatIfChange(key, before, line))
    return after, changes


def _check_pence(amount: int, what: str) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise ScoringError(f"{what} must be a whole number of pence")
    if amount < 0:
        raise ScoringError(f"{what} cannot be negative")
