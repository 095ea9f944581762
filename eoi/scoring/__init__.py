"""Scoring, ranking and allocation for a funding round's panel assessment.

Pure calculation with no database or web code, so the rules can be read, tested and
explained on their own:

- ``rubric``: weighted criteria, the 0–4 scale, completeness of a score sheet and a bid's
  weighted score out of 100;
- ``aggregation``: one bid's score sheets brought together, with moderation and flags
  where assessors disagree;
- ``ranking``: bids in order, with the published tie-break rules;
- ``allocation``: the envelope shared out in rank order, and what-if comparisons.

Scores are ``fractions.Fraction`` so every result is exact; money is whole pence.
"""

from eoi.scoring.aggregation import BidSummary, CriterionSummary, Disagreement, summarise
from eoi.scoring.allocation import (
    DEFAULT_THRESHOLD,
    Allocation,
    AllocationLine,
    Outcome,
    WhatIfChange,
    allocate,
    what_if,
)
from eoi.scoring.ranking import TIE_BREAKS, Bid, RankedBid, rank
from eoi.scoring.rubric import (
    SCALE,
    SCALE_TITLES,
    CriterionSpec,
    Rubric,
    ScoringError,
    check_scoresheet,
    comment_required,
    weighted_score,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "SCALE",
    "SCALE_TITLES",
    "TIE_BREAKS",
    "Allocation",
    "AllocationLine",
    "Bid",
    "BidSummary",
    "CriterionSpec",
    "CriterionSummary",
    "Disagreement",
    "Outcome",
    "RankedBid",
    "Rubric",
    "ScoringError",
    "WhatIfChange",
    "allocate",
    "check_scoresheet",
    "comment_required",
    "rank",
    "summarise",
    "weighted_score",
    "what_if",
]
