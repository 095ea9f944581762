"""The programme's figures, added up in SQL, are the figures the grants' own records give
when added up one by one in Python (as the dashboard used to): on the demo, and on a grant
taken through returns by hand where the rounding of targets to date shows."""

from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.demo.loader import load_demo_data
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import Grant, GrantState
from eoi.grants.status import grant_status
from eoi.reports import programme
from eoi.reports.published import PUBLISHED, _canonical, _quarter_figures
from eoi.returns import operations as returns
from eoi.returns.models import QuarterlyReturn
from tests.conftest import complete_figures


def _every_grant() -> list[Grant]:
    return list(db.session.scalars(select(Grant).order_by(Grant.reference)))


def _python_outcomes(grants: list[Grant]) -> list[tuple[str, str, int, int, int]]:
    """Each indicator added up across grants as the dashboard did before: grant by grant."""
    totals: dict[tuple[str, str], list[int]] = {}
    for grant in grants:
        for progress in monitoring.indicator_progress(grant):
            entry = totals.setdefault((progress.name, progress.unit), [0, 0, 0])
            entry[0] += progress.achieved
            entry[1] += progress.target_to_date or 0
            entry[2] += 1
    return [(name, unit, *totals[name, unit]) for name, unit in sorted(totals)]


def _python_money(grants: list[Grant]) -> programme.Money:
    return programme.Money(sum(g.award_pence for g in grants),
                           sum(g.pooled_total_pence for g in grants),
                           sum(g.paid_pence for g in grants),
                           sum(monitoring.spend_to_date(g) for g in grants))


def _python_funding(grants: list[Grant]) -> list[programme.Funding]:
    pence: dict[tuple[int, str], int] = defaultdict(int)
    for grant in grants:
        for row in grant.funding:
            pence[row.financial_year, row.funder.name] += row.amount_pence
    return [programme.Funding(name, year, total) for (year, name), total in sorted(pence.items())]


def assert_sql_adds_up_as_python(today: date) -> None:
    grants = _every_grant()
    assert programme.outcome_totals() == _python_outcomes(grants)
    assert programme.money_totals() == _python_money(grants)
    assert programme.funding_by_funder_and_year() == _python_funding(grants)
    states = Counter(g.state for g in grants)
    assert programme.grants_by_state() == [(state, states[state]) for state in GrantState]
    assert programme.published_quarters() == sorted(
        {r.period for g in grants for r in g.returns if r.status in PUBLISHED})
    old_rows = [(g.reference, grant_status(monitoring.facts_for(g, today)), g.pooled_total_pence,
                 g.paid_pence, monitoring.spend_to_date(g)) for g in grants]
    for chunk in (1, 2, programme.CHUNK):  # the chunks join up, whatever their size
        assert [(r.grant.reference, r.status, r.pooled_pence, r.paid_pence, r.spend_pence)
                for r in programme.every_grant_row(today, chunk)] == old_rows
    page = programme.grant_page(today, 1, len(grants), per_page=2)
    assert [r.grant.reference for r in page.rows] == [g.reference for g in grants[:2]]
    for quarter in programme.published_quarters():
        accepted = db.session.scalars(select(QuarterlyReturn).where(
            QuarterlyReturn.financial_year == quarter.financial_year,
            QuarterlyReturn.quarter == quarter.number,
            QuarterlyReturn.status.in_(PUBLISHED))).all()
        one_by_one = {r.grant.reference: returns.figures_of(r) for r in accepted}
        batched = _quarter_figures(quarter)
        assert {ref: (_canonical(f), f.supported) for ref, f in batched.items()} == {
            ref: (_canonical(f), f.supported) for ref, f in one_by_one.items()}


def test_on_the_demo_sql_adds_up_as_python_did(app):
    with app.app_context():
        load_demo_data(app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()
        grants = _every_grant()
        # The demo has something to add up: else the comparison proves nothing.
        assert len(grants) > 1 and programme.published_quarters()
        assert any(row[3] for row in programme.outcome_totals())
        assert programme.money_totals().spend_pence > 0
        assert_sql_adds_up_as_python(clock.today())
        db.session.rollback()


def _report(grant, ret, people, *, accept: bool | None = None, indicator: int = 12):
    figures = complete_figures(grant)
    figures.indicators = {str(gi.indicator_id): indicator for gi in grant.indicators}
    returns.save_return(ret, figures, by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now(),
                          small_numbers_checked=True)
    if accept is not None:
        returns.review_return(ret, accept=accept, comments="" if accept else "Please check",
                              by=people["manager"], now=clock.now())
    db.session.commit()


def _outcome(grant) -> tuple[int, int, int]:
    [(_name, _unit, achieved, target_to_date, grants)] = programme.outcome_totals()
    return achieved, target_to_date, grants


def test_a_grant_before_any_return(granted):
    _people, grant = granted
    assert _outcome(grant) == (0, 0, 1)  # no target to date until a return is in
    assert programme.money_totals() == programme.Money(120_000_00, 170_000_00, 0, 0)
    assert programme.published_quarters() == []
    assert_sql_adds_up_as_python(clock.today())


def test_targets_to_date_round_down_per_grant_as_before(granted):
    people, grant = granted
    [target] = grant.indicators[0].targets  # 40 for 2026 to 2027, over its four quarters
    target.target = 7
    db.session.commit()
    _report(grant, grant.returns[0], people, accept=True, indicator=3)
    assert _outcome(grant) == (3, 1, 1)  # 7 x 1/4 = 1.75, rounded down
    _report(grant, grant.returns[1], people, indicator=4)  # submitted: it counts
    _report(grant, grant.returns[2], people, accept=False, indicator=100)  # sent back
    assert _outcome(grant) == (7, 3, 1)  # 7 x 2/4 = 3.5; the return sent back counts not
    assert programme.money_totals().spend_pence == 25_000_50  # the latest reported's
    assert_sql_adds_up_as_python(clock.today())


@pytest.mark.parametrize(("quarters_left", "expected"), [(3, 2), (2, 3), (1, 7)])
def test_a_year_of_fewer_quarters_shares_its_target_over_them(granted, quarters_left,
                                                              expected):
    """A grant starting or ending within a year has fewer returns in it: 7 over 3 quarters
    is 2 by the end of the first (2.33), over 2 is 3 (3.5), over 1 all 7."""
    people, grant = granted
    grant.indicators[0].targets[0].target = 7
    for ret in grant.returns[quarters_left:]:
        db.session.delete(ret)
    db.session.commit()
    db.session.refresh(grant)
    _report(grant, grant.returns[0], people, accept=True)
    assert _outcome(grant)[1] == expected
    assert_sql_adds_up_as_python(clock.today())
