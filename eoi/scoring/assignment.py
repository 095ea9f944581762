"""Suggesting which assessors score which bids: each bid gets up to `per_bid` assessors
with no conflict, and the work is spread as evenly as the conflicts allow."""

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

Bid = TypeVar("Bid", bound=Hashable)
Assessor = TypeVar("Assessor", bound=Hashable)


def suggest_assignments(
    bids: Sequence[Bid],
    assessors: Sequence[Assessor],
    conflicts: Mapping[Bid, set[Assessor]] | None = None,
    existing: Mapping[Bid, set[Assessor]] | None = None,
    per_bid: int = 3,
) -> dict[Bid, list[Assessor]]:
    """New assessors to add to each bid. `conflicts[bid]` and `existing[bid]` are assessors
    who must not be, or already are, on that bid. Bids with the fewest possible assessors
    are filled first, so a conflict elsewhere cannot starve them; each place goes to the
    assessor with the lightest load so far, ties to the earlier in `assessors`."""
    conflicts = conflicts or {}
    existing = existing or {}
    load = {a: sum(a in existing.get(b, set()) for b in bids) for a in assessors}
    order = {a: i for i, a in enumerate(assessors)}

    def candidates(bid):
        return [a for a in assessors
                if a not in conflicts.get(bid, set()) and a not in existing.get(bid, set())]

    suggested: dict[Bid, list[Assessor]] = {bid: [] for bid in bids}
    for bid in sorted(bids, key=lambda b: len(candidates(b))):
        places = max(0, per_bid - len(existing.get(bid, set())))
        for assessor in sorted(candidates(bid), key=lambda a: (load[a], order[a]))[:places]:
            suggested[bid].append(assessor)
            load[assessor] += 1
    return suggested
