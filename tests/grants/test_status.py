"""The grant status rules at and either side of each threshold, and as properties."""

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eoi.grants.status import (
    ON_TRACK,
    GrantFacts,
    GrantStatus,
    Rag,
    Reason,
    explain_rules,
    grant_status,
)

EXAMPLES = settings(max_examples=300, deadline=None)

# Just under and just over a threshold, far finer than any real ratio would ever be.
TINY = Fraction(1, 10_000)

ON_PROFILE = GrantFacts(
    today=date(2026, 8, 1),
    returns_overdue=0,
    days_most_overdue=0,
    returns_returned_for_changes=0,
    award_pence=10_000_000,
    spend_to_date_pence=10_000,
    profiled_spend_to_date_pence=10_000,
    outcome_progress=(("People into work", Fraction(1)),),
    milestones_overdue=0,
)


def rag_of(**changes) -> Rag:
    return grant_status(replace(ON_PROFILE, **changes)).rag


def reasons_of(**changes) -> tuple[Reason, ...]:
    return grant_status(replace(ON_PROFILE, **changes)).reasons


# Overall


def test_on_track_is_green_with_one_reason_saying_so():
    assert grant_status(ON_PROFILE) == GrantStatus(Rag.green, (Reason(Rag.green, ON_TRACK),))


def test_the_overall_rag_is_the_worst_reason_and_reasons_come_worst_first():
    status = grant_status(
        replace(ON_PROFILE, returns_overdue=1, days_most_overdue=5, milestones_overdue=2)
    )

    assert status.rag is Rag.red
    assert [reason.rag for reason in status.reasons] == [Rag.red, Rag.amber]
    assert status.reasons[1].text == "1 return is 5 days overdue"


def test_every_problem_is_listed_not_just_the_worst():
    status = grant_status(
        replace(
            ON_PROFILE,
            returns_overdue=2,
            days_most_overdue=45,
            returns_returned_for_changes=1,
            spend_to_date_pence=4_000,
            outcome_progress=(("Into work", Fraction(1, 2)),),
            milestones_overdue=1,
        )
    )

    assert status.rag is Rag.red
    assert [reason.rag for reason in status.reasons] == [
        Rag.red,  # returns overdue
        Rag.red,  # spend
        Rag.red,  # outcomes
        Rag.amber,  # sent back
        Rag.amber,  # milestone
    ]


def test_rag_words():
    assert [(rag.title, rag.severity) for rag in Rag] == [("Green", 0), ("Amber", 1), ("Red", 2)]
    assert all(rag.hint for rag in Rag)


# Returns


@pytest.mark.parametrize(
    ("days", "rag"),
    [(1, Rag.amber), (29, Rag.amber), (30, Rag.amber), (31, Rag.red), (200, Rag.red)],
)
def test_overdue_return_is_red_after_30_days(days, rag):
    assert rag_of(returns_overdue=1, days_most_overdue=days) is rag


def test_overdue_return_names_its_quarter_when_known():
    assert reasons_of(
        returns_overdue=1, days_most_overdue=45, most_overdue_return="Q1 2026-27"
    ) == (Reason(Rag.red, "The Q1 2026-27 return is 45 days overdue"),)
    assert reasons_of(
        returns_overdue=3, days_most_overdue=1, most_overdue_return="Q1 2026-27"
    ) == (Reason(Rag.amber, "3 returns are overdue; the Q1 2026-27 return is 1 day overdue"),)
    assert reasons_of(returns_overdue=2, days_most_overdue=31) == (
        Reason(Rag.red, "2 returns are overdue; the oldest is 31 days overdue"),
    )


@pytest.mark.parametrize(("sent_back", "rag"), [(0, Rag.green), (1, Rag.amber), (4, Rag.amber)])
def test_a_return_sent_back_for_changes_is_amber(sent_back, rag):
    assert rag_of(returns_returned_for_changes=sent_back) is rag


def test_sent_back_wording():
    assert reasons_of(returns_returned_for_changes=1) == (
        Reason(Rag.amber, "1 return has been sent back for changes"),
    )
    assert reasons_of(returns_returned_for_changes=2)[0].text == (
        "2 returns have been sent back for changes"
    )


# Spend, against a profile of £100 so pence are hundredths of it


@pytest.mark.parametrize(
    ("spend", "rag"),
    [
        (0, Rag.red),
        (4_999, Rag.red),
        (5_000, Rag.amber),  # 50%
        (5_001, Rag.amber),
        (7_499, Rag.amber),
        (7_500, Rag.green),  # 75%
        (7_501, Rag.green),
        (10_999, Rag.green),
        (11_000, Rag.green),  # 110%
        (11_001, Rag.amber),
        (12_499, Rag.amber),
        (12_500, Rag.amber),  # 125%
        (12_501, Rag.red),
        (50_000, Rag.red),
    ],
)
def test_spend_against_profile(spend, rag):
    assert rag_of(spend_to_date_pence=spend) is rag


def test_spend_percentage_is_rounded_away_from_the_profile():
    # 74.99% must not read as 75%, nor 110.01% as 110%, or the words contradict the colour.
    assert reasons_of(spend_to_date_pence=7_499)[0].text == (
        "Spend to date is £74.99, 74% of the £100 profiled by now"
    )
    assert reasons_of(spend_to_date_pence=11_001)[0].text == (
        "Spend to date is £110.01, 111% of the £100 profiled by now"
    )


@pytest.mark.parametrize(
    ("spend", "rag"), [(0, Rag.green), (9_999, Rag.green), (10_000, Rag.green), (10_001, Rag.red)]
)
def test_no_profile_yet_means_only_the_award_limit_applies(spend, rag):
    facts = {"award_pence": 10_000, "profiled_spend_to_date_pence": 0}

    assert rag_of(spend_to_date_pence=spend, **facts) is rag


@pytest.mark.parametrize(
    ("spend", "rag"), [(9_999, Rag.green), (10_000, Rag.green), (10_001, Rag.red)]
)
def test_spend_above_the_award_is_red_even_when_on_profile(spend, rag):
    # Profiled £100 of a £100 award: a penny over is within 110% of profile but over the award.
    assert rag_of(award_pence=10_000, spend_to_date_pence=spend) is rag


def test_spend_above_the_award_says_so():
    reasons = reasons_of(award_pence=10_000, spend_to_date_pence=10_001)

    assert reasons == (Reason(Rag.red, "Spend to date, £100.01, is more than the £100 award"),)


# Outcomes


@pytest.mark.parametrize(
    ("mean", "rag"),
    [
        (Fraction(0), Rag.red),
        (Fraction(6, 10) - TINY, Rag.red),
        (Fraction(6, 10), Rag.amber),
        (Fraction(6, 10) + TINY, Rag.amber),
        (Fraction(85, 100) - TINY, Rag.amber),
        (Fraction(85, 100), Rag.green),
        (Fraction(85, 100) + TINY, Rag.green),
        (Fraction(3), Rag.green),
    ],
)
def test_outcomes_by_mean_progress(mean, rag):
    # Two indicators either side of the mean, so it is the mean that counts, not either one.
    progress = (("Into work", mean - TINY), ("Housed", mean + TINY)) if mean else (("A", mean),)

    assert rag_of(outcome_progress=progress) is rag


def test_indicators_without_a_target_yet_are_ignored():
    assert rag_of(outcome_progress=(("Housed", None), ("Into work", Fraction(1)))) is Rag.green
    assert rag_of(outcome_progress=(("Housed", None), ("Into work", Fraction(1, 2)))) is Rag.red


@pytest.mark.parametrize("progress", [(), (("Housed", None),), [("Housed", None), ("B", None)]])
def test_no_outcome_rule_until_some_indicator_has_a_target(progress):
    assert rag_of(outcome_progress=progress) is Rag.green


def test_outcomes_wording_names_the_lowest_indicator():
    progress = (("Into work", Fraction(1, 10)), ("Housed", Fraction(1)), ("Later", None))

    assert reasons_of(outcome_progress=progress) == (
        Reason(
            Rag.red,
            "Outcomes are under 60% of target to date on average across 2 indicators; "
            "lowest is Into work",
        ),
    )


# Milestones


@pytest.mark.parametrize(
    ("late", "rag"), [(0, Rag.green), (1, Rag.amber), (2, Rag.red), (3, Rag.red)]
)
def test_milestones_overdue(late, rag):
    assert rag_of(milestones_overdue=late) is rag


def test_milestone_wording():
    assert reasons_of(milestones_overdue=1)[0].text == "1 milestone is overdue"
    assert reasons_of(milestones_overdue=2)[0].text == "2 milestones are overdue"


# Facts that cannot be true


@pytest.mark.parametrize(
    "changes",
    [
        {"returns_overdue": -1},
        {"milestones_overdue": -1},
        {"spend_to_date_pence": -1},
        {"returns_overdue": 1, "days_most_overdue": 0},
        {"returns_overdue": 0, "days_most_overdue": 3},
        {"outcome_progress": (("Housed", Fraction(-1, 2)),)},
    ],
)
def test_impossible_facts_are_refused(changes):
    with pytest.raises(ValueError):
        replace(ON_PROFILE, **changes)


def test_facts_keep_their_own_copy_of_outcome_progress():
    progress = [("Housed", Fraction(1))]
    facts = replace(ON_PROFILE, outcome_progress=progress)
    progress.append(("Into work", Fraction(0)))

    assert facts.outcome_progress == (("Housed", Fraction(1)),)


# The explanation page


def test_explain_rules_gives_a_row_per_area_with_the_thresholds_in_words():
    rows = explain_rules()

    assert [area for area, _, _ in rows] == ["Returns", "Spend", "Outcomes", "Milestones"]
    assert all(amber and red for _, amber, red in rows)
    spend_amber, spend_red = rows[1][1:]
    assert "75%" in spend_amber and "110%" in spend_amber
    assert "50%" in spend_red and "125%" in spend_red and "award" in spend_red
    assert "85%" in rows[2][1] and "60%" in rows[2][2]
    assert "30 days" in rows[0][2]


# Properties

ratios = st.fractions(min_value=0, max_value=2, max_denominator=100)


@st.composite
def grant_facts(draw) -> GrantFacts:
    overdue = draw(st.integers(0, 4))
    award = draw(st.integers(0, 100_000))
    profiled = draw(st.integers(0, award))  # a profile shares out the award, never more
    return GrantFacts(
        today=date(2026, 8, 1),
        returns_overdue=overdue,
        days_most_overdue=draw(st.integers(1, 90)) if overdue else 0,
        returns_returned_for_changes=draw(st.integers(0, 3)),
        award_pence=award,
        spend_to_date_pence=draw(st.integers(0, 2 * award + 100)),
        profiled_spend_to_date_pence=profiled,
        outcome_progress=draw(
            st.lists(
                st.tuples(st.sampled_from(["Into work", "Housed", "Reoffending"]),
                          st.none() | ratios),
                max_size=4,
            )
        ),
        milestones_overdue=draw(st.integers(0, 3)),
    )


def worse(facts: GrantFacts, data: st.DataObject) -> GrantFacts:
    """The same facts with one thing worse, each area's own way."""
    step = data.draw(st.integers(1, 60), label="step")
    match data.draw(
        st.sampled_from(["later", "more late", "sent back", "milestones", "progress", "spend"]),
        label="worse",
    ):
        case "later":  # the oldest overdue return is later still, or one falls overdue
            return replace(
                facts,
                returns_overdue=max(facts.returns_overdue, 1),
                days_most_overdue=facts.days_most_overdue + step,
            )
        case "more late":
            return replace(
                facts,
                returns_overdue=facts.returns_overdue + step,
                days_most_overdue=max(facts.days_most_overdue, 1),
            )
        case "sent back":
            return replace(
                facts, returns_returned_for_changes=facts.returns_returned_for_changes + step
            )
        case "milestones":
            return replace(facts, milestones_overdue=facts.milestones_overdue + step)
        case "progress":
            known = [i for i, (_, ratio) in enumerate(facts.outcome_progress) if ratio is not None]
            if not known:
                return facts
            index = data.draw(st.sampled_from(known), label="indicator")
            title, ratio = facts.outcome_progress[index]
            lower = data.draw(st.fractions(min_value=0, max_value=ratio), label="lower")
            progress = list(facts.outcome_progress)
            progress[index] = (title, lower)
            return replace(facts, outcome_progress=progress)
        case "spend":
            spend, profile = facts.spend_to_date_pence, facts.profiled_spend_to_date_pence
            amount = data.draw(st.integers(1, 100_000), label="amount")
            overspending = spend > profile or (spend == profile and data.draw(st.booleans()))
            further = spend + amount if overspending else max(spend - amount, 0)
            return replace(facts, spend_to_date_pence=further)
    raise AssertionError("every way of getting worse is handled above")


@EXAMPLES
@given(grant_facts())
def test_status_is_the_worst_of_its_reasons_listed_worst_first(facts):
    status = grant_status(facts)
    severities = [reason.rag.severity for reason in status.reasons]

    assert status.reasons
    assert status.rag.severity == max(severities)
    assert severities == sorted(severities, reverse=True)
    assert all(reason.text for reason in status.reasons)
    assert (status.rag is Rag.green) == (status.reasons == (Reason(Rag.green, ON_TRACK),))


@EXAMPLES
@given(grant_facts(), st.data())
def test_making_any_one_thing_worse_never_makes_the_status_better(facts, data):
    assert grant_status(worse(facts, data)).rag.severity >= grant_status(facts).rag.severity
