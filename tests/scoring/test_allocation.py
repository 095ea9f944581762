from fractions import Fraction

import pytest

from eoi.scoring import (
    DEFAULT_THRESHOLD,
    Outcome,
    ScoringError,
    WhatIfChange,
    allocate,
    rank,
    what_if,
)
from tests.scoring.examples import bid, pounds

# Envelope £300,000. In rank order:
#   A  90  £150,000  fits: funded, £150,000 left
#   B  85  £200,000  does not fit
#   C  75  £100,000  fits: funded, £50,000 left
#   D  60   £40,000  fits: funded, £10,000 left
#   E  45    £5,000  would fit, but is below the threshold of 50
ENVELOPE = pounds(300_000)
RANKED = rank(
    [
        bid("A", 90, request_pence=pounds(150_000)),
        bid("B", 85, request_pence=pounds(200_000)),
        bid("C", 75, request_pence=pounds(100_000)),
        bid("D", 60, request_pence=pounds(40_000)),
        bid("E", 45, request_pence=pounds(5_000)),
    ]
)


def outcomes(allocation):
    return [
        (line.ranked.bid.key, line.outcome, line.award_pence, line.remaining_after_pence)
        for line in allocation.lines
    ]


def test_outcomes_in_words():
    assert [outcome.title for outcome in Outcome] == [
        "Funded",
        "Partly funded",
        "Does not fit the remaining envelope",
        "Below the quality threshold",
    ]
    assert Outcome("funded") is Outcome.funded
    assert isinstance(Outcome.funded, str)


def test_a_bid_that_does_not_fit_is_passed_over_for_smaller_ones():
    allocation = allocate(RANKED, ENVELOPE)
    assert outcomes(allocation) == [
        ("A", Outcome.funded, pounds(150_000), pounds(150_000)),
        ("B", Outcome.does_not_fit, 0, pounds(150_000)),
        ("C", Outcome.funded, pounds(100_000), pounds(50_000)),
        ("D", Outcome.funded, pounds(40_000), pounds(10_000)),
        ("E", Outcome.below_threshold, 0, pounds(10_000)),
    ]
    assert allocation.total_awarded_pence == pounds(290_000)
    assert allocation.remaining_pence == pounds(10_000)
    assert allocation.funded_keys == {"A", "C", "D"}
    assert allocation.threshold == DEFAULT_THRESHOLD == 50
    assert not allocation.partial_awards


def test_with_partial_awards_the_first_bid_that_does_not_fit_takes_what_is_left():
    # A takes £150,000; B takes the £150,000 left of its £200,000; nothing is left for C
    # and D; E is still below the threshold.
    allocation = allocate(RANKED, ENVELOPE, partial_awards=True)
    assert outcomes(allocation) == [
        ("A", Outcome.funded, pounds(150_000), pounds(150_000)),
        ("B", Outcome.partly_funded, pounds(150_000), 0),
        ("C", Outcome.does_not_fit, 0, 0),
        ("D", Outcome.does_not_fit, 0, 0),
        ("E", Outcome.below_threshold, 0, 0),
    ]
    assert allocation.remaining_pence == 0
    assert allocation.funded_keys == {"A", "B"}


def test_with_partial_awards_and_nothing_left_there_is_no_partial_award():
    # A takes the whole envelope, so B has nothing to be offered.
    allocation = allocate(RANKED, pounds(150_000), partial_awards=True)
    assert [line.outcome for line in allocation.lines][:2] == [
        Outcome.funded,
        Outcome.does_not_fit,
    ]


def test_a_score_exactly_on_the_threshold_is_funded():
    ranked = rank([bid("A", 50), bid("B", Fraction(9999, 200))])  # 49.995
    allocation = allocate(ranked, pounds(1_000_000))
    assert [line.outcome for line in allocation.lines] == [
        Outcome.funded,
        Outcome.below_threshold,
    ]


def test_below_the_threshold_nothing_is_funded_however_much_is_left():
    allocation = allocate(RANKED, ENVELOPE, threshold=Fraction(95))
    assert {line.outcome for line in allocation.lines} == {Outcome.below_threshold}
    assert allocation.remaining_pence == ENVELOPE


def test_allocation_follows_rank_even_if_given_out_of_order():
    assert allocate(list(reversed(RANKED)), ENVELOPE) == allocate(RANKED, ENVELOPE)


def test_lines_are_found_by_bid():
    allocation = allocate(RANKED, ENVELOPE)
    assert allocation.line_for("C").award_pence == pounds(100_000)
    with pytest.raises(ScoringError, match="^Bid 'Z' is not in this allocation$"):
        allocation.line_for("Z")


def test_the_envelope_cannot_be_negative():
    with pytest.raises(ScoringError, match="^The funding envelope cannot be negative$"):
        allocate(RANKED, -1)


def test_the_envelope_is_whole_pence():
    with pytest.raises(ScoringError, match="^The funding envelope must be a whole number of"):
        allocate(RANKED, 100.5)


def test_a_request_cannot_be_negative():
    ranked = rank([bid("A", 90, request_pence=-100)])
    with pytest.raises(ScoringError, match="^The MOPAC request for bid 'A' cannot be negative$"):
        allocate(ranked, ENVELOPE)


# --- what if ----------------------------------------------------------------------------


def test_what_if_the_envelope_were_larger():
    # £400,000: A takes £150,000 leaving £250,000, so B's £200,000 now fits, leaving
    # £50,000; C's £100,000 no longer does; D's £40,000 still fits.
    base = allocate(RANKED, ENVELOPE)
    after, changes = what_if(RANKED, base, envelope_pence=pounds(400_000))

    assert after.envelope_pence == pounds(400_000)
    assert after.threshold == base.threshold
    assert changes == [
        WhatIfChange("B", base.line_for("B"), after.line_for("B")),
        WhatIfChange("C", base.line_for("C"), after.line_for("C")),
    ]
    assert (changes[0].before.outcome, changes[0].after.outcome) == (
        Outcome.does_not_fit,
        Outcome.funded,
    )
    assert (changes[1].before.outcome, changes[1].after.outcome) == (
        Outcome.funded,
        Outcome.does_not_fit,
    )
    assert after.funded_keys == {"A", "B", "D"}


def test_what_if_the_threshold_were_lower():
    # At 40, E (45) is above the threshold and its £5,000 fits in the £10,000 left.
    base = allocate(RANKED, ENVELOPE)
    after, changes = what_if(RANKED, base, threshold=Fraction(40))

    assert after.envelope_pence == ENVELOPE
    assert [(c.key, c.before.outcome, c.after.outcome, c.after.award_pence)
            for c in changes] == [("E", Outcome.below_threshold, Outcome.funded, pounds(5_000))]
    assert after.remaining_pence == pounds(5_000)


def test_what_if_partial_awards_were_allowed():
    base = allocate(RANKED, ENVELOPE)
    after, changes = what_if(RANKED, base, partial_awards=True)
    assert after.partial_awards
    assert [c.key for c in changes] == ["B", "C", "D"]


def test_what_if_nothing_changed():
    base = allocate(RANKED, ENVELOPE, threshold=Fraction(60), partial_awards=True)
    after, changes = what_if(RANKED, base)
    assert after == base
    assert changes == []
