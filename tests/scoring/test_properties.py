"""Properties the scoring rules must keep for any rubric, panel and set of bids."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eoi.scoring import (
    Bid,
    CriterionSpec,
    Outcome,
    Rubric,
    allocate,
    rank,
    summarise,
    weighted_score,
)
from tests.scoring.examples import scaled

EXAMPLES = settings(max_examples=200, deadline=None)

START = datetime(2025, 3, 1, tzinfo=UTC)

scores = st.integers(min_value=0, max_value=4)
requests = st.integers(min_value=0, max_value=1_000_000)
submission_times = st.integers(min_value=0, max_value=10).map(lambda d: START + timedelta(d))


@st.composite
def rubrics(draw) -> Rubric:
    # Weights deliberately need not add up to 100; small ranges make ties likely.
    weights = draw(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5))
    positions = draw(st.lists(st.integers(0, 3), min_size=len(weights), max_size=len(weights)))
    return Rubric(
        tuple(
            CriterionSpec(key=number, title=f"Criterion {number}", weight=weight,
                          position=position)
            for number, (weight, position) in enumerate(zip(weights, positions, strict=True))
        )
    )


def scoresheets(rubric: Rubric, assessors: int):
    sheet = st.fixed_dictionaries({criterion.key: scores for criterion in rubric.criteria})
    return st.lists(sheet, min_size=assessors, max_size=assessors).map(
        lambda sheets: {f"Assessor {n}": s for n, s in enumerate(sheets)}
    )


@st.composite
def rounds(draw):
    """A rubric and several bids, each with its panel's score sheets and its request."""
    rubric = draw(rubrics())
    assessors = draw(st.integers(min_value=1, max_value=4))
    bids = draw(
        st.lists(
            st.tuples(scoresheets(rubric, assessors), requests, submission_times),
            min_size=1,
            max_size=5,
        )
    )
    return rubric, bids


def ranked_bids(rubric: Rubric, bids) -> list:
    heaviest = rubric.heaviest().key
    ranked_bids = []
    for key, (sheets, request, submitted_at) in enumerate(bids):
        summary = summarise(rubric, sheets)
        ranked_bids.append(
            Bid(key, summary.score, summary.for_criterion(heaviest).agreed, request, submitted_at)
        )
    return rank(ranked_bids)


@st.composite
def ranked_for_allocation(draw):
    bids = draw(
        st.lists(
            st.tuples(st.fractions(0, 100, max_denominator=6), requests, submission_times),
            max_size=8,
        )
    )
    return rank(
        Bid(key, score, Fraction(2), request, submitted)
        for key, (score, request, submitted) in enumerate(bids)
    )


thresholds = st.fractions(0, 100, max_denominator=6)


@EXAMPLES
@given(ranked_for_allocation(), st.integers(0, 3_000_000), thresholds, st.booleans())
def test_allocation_never_exceeds_the_envelope(ranked, envelope, threshold, partial_awards):
    allocation = allocate(ranked, envelope, threshold, partial_awards)

    assert allocation.total_awarded_pence <= envelope
    assert allocation.remaining_pence >= 0
    remaining = envelope
    for line in allocation.lines:
        assert 0 <= line.award_pence <= line.ranked.bid.mopac_request_pence
        remaining -= line.award_pence
        assert line.remaining_after_pence == remaining >= 0
    partly_funded = [line for line in allocation.lines if line.outcome is Outcome.partly_funded]
    assert len(partly_funded) <= (1 if partial_awards else 0)


@EXAMPLES
@given(rounds(), st.data())
def test_raising_a_score_never_lowers_the_bids_rank(round_, data):
    rubric, bids = round_
    which = data.draw(st.integers(0, len(bids) - 1), label="bid")
    sheets, request, submitted_at = bids[which]
    raisable = [
        (assessor, key) for assessor, sheet in sheets.items() for key, score in sheet.items()
        if score < 4
    ]
    assume(raisable)
    assessor, criterion = data.draw(st.sampled_from(raisable), label="assessor, criterion")

    raised_sheets = {**sheets, assessor: {**sheets[assessor]}}
    raised_sheets[assessor][criterion] += 1
    raised_bids = [*bids[:which], (raised_sheets, request, submitted_at), *bids[which + 1:]]

    def rank_of_bid(ranked):
        return next(r.rank for r in ranked if r.bid.key == which)

    assert rank_of_bid(ranked_bids(rubric, raised_bids)) <= rank_of_bid(
        ranked_bids(rubric, bids)
    )


@EXAMPLES
@given(rounds(), st.integers(min_value=2, max_value=50))
def test_scaling_every_weight_changes_nothing(round_, factor):
    rubric, bids = round_
    bigger = scaled(rubric, factor)

    for sheets, _, _ in bids:
        summary, scaled_summary = summarise(rubric, sheets), summarise(bigger, sheets)
        assert scaled_summary.assessor_scores == summary.assessor_scores
        assert scaled_summary.score == summary.score
        for sheet in sheets.values():
            assert weighted_score(bigger, sheet) == weighted_score(rubric, sheet)
    assert ranked_bids(bigger, bids) == ranked_bids(rubric, bids)


@EXAMPLES
@given(rounds())
def test_without_moderation_a_bid_scores_the_mean_of_its_assessors(round_):
    rubric, bids = round_
    for sheets, _, _ in bids:
        summary = summarise(rubric, sheets)
        assert summary.score == sum(summary.assessor_scores.values()) / len(sheets)


@EXAMPLES
@given(rubrics(), st.data())
def test_weighted_score_runs_from_0_to_100(rubric, data):
    fractional_scores = st.fractions(0, 4, max_denominator=12)
    sheet = data.draw(
        st.fixed_dictionaries(
            {c.key: st.one_of(scores, fractional_scores) for c in rubric.criteria}
        )
    )
    assert 0 <= weighted_score(rubric, sheet) <= 100
    assert weighted_score(rubric, dict.fromkeys(sheet, 4)) == 100
    assert weighted_score(rubric, dict.fromkeys(sheet, 0)) == 0


@EXAMPLES
@given(ranked_for_allocation(), st.integers(0, 3_000_000), thresholds, st.booleans())
def test_bids_below_the_threshold_are_never_funded(ranked, envelope, threshold, partial_awards):
    allocation = allocate(ranked, envelope, threshold, partial_awards)
    for line in allocation.lines:
        if line.ranked.bid.score < threshold:
            assert line.outcome is Outcome.below_threshold
            assert line.award_pence == 0
            assert line.ranked.bid.key not in allocation.funded_keys


@EXAMPLES
@given(ranked_for_allocation(), thresholds, st.booleans())
def test_with_enough_money_every_bid_at_the_threshold_is_funded_in_full(
    ranked, threshold, partial_awards
):
    enough = sum(r.bid.mopac_request_pence for r in ranked)
    allocation = allocate(ranked, enough, threshold, partial_awards)
    for line in allocation.lines:
        if line.ranked.bid.score >= threshold:
            assert line.outcome is Outcome.funded
            assert line.award_pence == line.ranked.bid.mopac_request_pence
