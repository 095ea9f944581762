"""The red/amber/green status worked out in SQL (monitoring.rag_sql, which the grants list
filters by) gives what status_of gives in Python, and the facts summed in SQL for a page of
grants (monitoring.facts_of, which the lists show the reasons from) are facts_for's: for
every demo grant on many dates, and for grants made to sit on each threshold of the rule."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants import monitoring, operations
from eoi.grants.models import Grant, GrantIndicator, IndicatorTarget, MilestoneStatus
from eoi.grants.status import Rag
from eoi.reference.models import Indicator
from eoi.returns.models import (
    QuarterlyReturn,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
)
from tests.conftest import fund


def _in_sql(today: date) -> dict[int, Rag]:
    statuses = monitoring.rag_sql(today)
    return {grant_id: Rag(rag) for grant_id, rag in db.session.execute(
        select(statuses.c.grant_id, statuses.c.rag))}


def _in_python(today: date) -> dict[int, Rag]:
    grants = db.session.scalars(select(Grant)).all()
    return {g.id: monitoring.status_of(g, today).rag for g in grants}


def _agree(today: date) -> dict[int, Rag]:
    db.session.flush()
    db.session.expire_all()  # relationships read afresh after the changes made here
    python = _in_python(today)
    assert _in_sql(today) == python, today
    grants = db.session.scalars(select(Grant)).all()
    assert monitoring.facts_of([g.id for g in grants], today) == {
        g.id: monitoring.facts_for(g, today) for g in grants}, today
    return python


def test_every_demo_grant_on_many_dates(demo, app_context):
    start = date(2025, 4, 1)
    seen = set()
    for days in range(0, 3 * 365, 11):
        seen |= set(_agree(start + timedelta(days=days)).values())
    assert seen == set(Rag)


def test_the_filter_by_status_picks_the_grants_of_that_status(demo, app_context):
    today = clock.today()
    python = _in_python(today)
    for rag in Rag:
        chosen = db.session.scalars(select(Grant.id).where(monitoring.with_rag(rag, today)))
        assert set(chosen) == {g for g, r in python.items() if r is rag}


# Hand-made grants on each threshold --------------------------------------------------------

@pytest.fixture
def grant(granted) -> Grant:
    """The shared grant, £170,000 pooled for 2026-27 over four quarters: £42,500 a quarter,
    and an indicator with a target of 40 (10 a quarter)."""
    return granted[1]


def _report(ret: QuarterlyReturn, *, spend: int | None = None, achieved: int | None = None,
            status: ReturnStatus = ReturnStatus.submitted) -> None:
    ret.status = status
    ret.submitted_at = clock.now()
    if status is ReturnStatus.returned:
        ret.review_comments = "Check the counts"
    if spend is not None:
        ret.spend = [ReturnSpend(category=CostCategory.staff, amount_pence=spend)]
    if achieved is not None:
        ret.indicator_values = [ReturnIndicatorValue(indicator_id=gi.indicator_id,
                                                     value=achieved)
                                for gi in ret.grant.indicators]


AFTER_Q1 = date(2026, 8, 1)  # Q1 is due on 30 July; Q2 not yet


@pytest.mark.parametrize(("spend", "rag"), [
    (21_250_00 - 1, Rag.red),  # just under half the £42,500 profiled
    (21_250_00, Rag.amber),  # half exactly
    (31_875_00 - 1, Rag.amber),
    (31_875_00, Rag.green),  # three quarters exactly
    (46_750_00, Rag.green),  # 110% exactly
    (46_750_00 + 1, Rag.amber),
    (53_125_00, Rag.amber),  # 125% exactly
    (53_125_00 + 1, Rag.red),
])
def test_spend_against_profile_at_each_threshold(grant, spend, rag):
    _report(grant.returns[0], spend=spend, achieved=10)
    assert _agree(AFTER_Q1)[grant.id] is rag


def test_spend_above_the_pooled_budget_is_red(grant):
    for ret in grant.returns[:3]:
        _report(ret, spend=ret.quarter * 42_500_00, achieved=10 * ret.quarter)
    _report(grant.returns[3], spend=170_000_00 + 1, achieved=40)
    assert _agree(date(2027, 5, 1))[grant.id] is Rag.red
    grant.returns[3].spend[0].amount_pence = 170_000_00
    assert _agree(date(2027, 5, 1))[grant.id] is Rag.green


@pytest.mark.parametrize(("achieved", "rag"), [
    (5, Rag.red), (6, Rag.amber),  # 60% of the 10 due by the end of Q1 is not below it
    (8, Rag.amber), (9, Rag.green), (0, Rag.red), (None, Rag.red),
])
def test_outcomes_against_target_at_each_threshold(grant, achieved, rag):
    _report(grant.returns[0], spend=42_500_00, achieved=achieved)
    assert _agree(AFTER_Q1)[grant.id] is rag


def _second_indicator(grant: Grant, target: int) -> None:
    used = {gi.indicator_id for gi in grant.indicators}
    other = db.session.scalars(select(Indicator).where(Indicator.id.not_in(used))).first()
    grant.indicators.append(GrantIndicator(
        indicator_id=other.id, baseline=0,
        targets=[IndicatorTarget(financial_year=2026, target=target)]))


def test_outcomes_averaged_over_indicators_on_the_threshold(grant):
    # 5 of 10 and 7 of 10: an average of exactly 60%, which floating point may not hold.
    _second_indicator(grant, 40)
    ret = grant.returns[0]
    _report(ret, spend=42_500_00)
    first, second = (gi.indicator_id for gi in grant.indicators)
    ret.indicator_values = [ReturnIndicatorValue(indicator_id=first, value=5),
                            ReturnIndicatorValue(indicator_id=second, value=7)]
    assert _agree(AFTER_Q1)[grant.id] is Rag.amber
    ret.indicator_values[1].value = 6
    assert _agree(AFTER_Q1)[grant.id] is Rag.red


def test_an_indicator_without_a_whole_target_to_date_does_not_count(grant):
    _second_indicator(grant, 3)  # 3/4 of a young person due by the end of Q1: no target yet
    _report(grant.returns[0], spend=42_500_00, achieved=10)
    assert _agree(AFTER_Q1)[grant.id] is Rag.green


@pytest.mark.parametrize(("today", "rag"), [
    (date(2026, 7, 30), Rag.green),  # due today
    (date(2026, 7, 31), Rag.amber),
    (date(2026, 8, 29), Rag.amber),  # 30 days overdue
    (date(2026, 8, 30), Rag.red),  # 31
])
def test_overdue_returns_by_the_day(grant, today, rag):
    assert _agree(today)[grant.id] is rag


def test_a_return_sent_back_is_amber_and_a_later_one_counts_for_spend(grant):
    _report(grant.returns[0], spend=42_500_00, achieved=10, status=ReturnStatus.returned)
    assert _agree(AFTER_Q1)[grant.id] is Rag.amber
    _report(grant.returns[1], spend=85_000_00 * 2, achieved=20)  # Q2: twice the profile
    assert _agree(date(2026, 11, 1))[grant.id] is Rag.red


def test_milestones_overdue_one_then_two(grant, granted):
    manager = granted[0]["manager"]
    _report(grant.returns[0], spend=42_500_00, achieved=10)
    for due in (date(2026, 7, 1), date(2026, 7, 20)):
        operations.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                                 due_on=due, by=manager)
    assert _agree(date(2026, 7, 15))[grant.id] is Rag.amber
    assert _agree(AFTER_Q1)[grant.id] is Rag.red
    grant.milestones[0].status = MilestoneStatus.accepted
    assert _agree(AFTER_Q1)[grant.id] is Rag.amber


def test_a_grant_starting_mid_year_shares_its_year_over_three_quarters(world):
    people, eoi = world
    grant = operations.create_grant(fund(people, eoi), by=people["manager"],
                                    starts_on=date(2026, 7, 1))
    assert len(grant.returns) == 3
    # £170,000 over three quarters: £56,666.66 (and two thirds) profiled by the end of Q2.
    _report(grant.returns[0], spend=28_333_33, achieved=13)
    assert _agree(date(2026, 11, 1))[grant.id] is Rag.amber  # 28,333.33 < half of 56,666.66
    grant.returns[0].spend[0].amount_pence = 28_333_32
    assert _agree(date(2026, 11, 1))[grant.id] is Rag.red


def test_a_grant_with_nothing_reported_has_no_spend_or_outcomes_rule(grant):
    assert _agree(date(2026, 7, 1))[grant.id] is Rag.green
