"""A grant's budget by cost category: it starts as the EOI's budget asked, each year's
categories always add up to that year's funding, and the lead can ask to move money between
categories within a year, never below what the returns say was spent already."""

import io
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from eoi import clock
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants import categories, operations, variations
from eoi.grants.models import Grant, GrantBudgetLine, GrantFunding, VariationStatus
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.returns import operations as returns
from tests.conftest import accept, complete_figures, fund, mopac, post_form, sign_in

STAFF, DELIVERY, TRAINING = CostCategory.staff, CostCategory.delivery, CostCategory.training


def _lines(grant) -> dict[tuple[int, CostCategory], int]:
    return {(line.financial_year, line.category): line.amount_pence
            for line in grant.budget_lines}


def _adds_up(grant) -> None:
    for year in {f.financial_year for f in grant.funding}:
        assert sum(categories.in_year(grant, year).values()) == sum(
            f.amount_pence for f in grant.funding if f.financial_year == year), year


def _ask(grant, people, pence, *, source=STAFF, target=TRAINING, year=2026):
    return variations.request_category_move(
        grant, year=year, from_category=source, to_category=target, amount_pence=pence,
        reason="Schools asked for more training", by=people["lead"], now=clock.now())


def _decide(variation, people):
    variations.decide_variation(variation, approve=True, comments="", by=people["manager"],
                                now=clock.now())


def _report_spend(grant, people, spend: dict[str, int]) -> None:
    ret = grant.returns[0]
    returns.save_return(ret, replace(complete_figures(grant), spend=spend, forecast={}),
                        by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now(),
                          small_numbers_checked=True)


def test_a_grant_starts_with_the_categories_its_eoi_asked_for(granted):
    _people, grant = granted
    # The EOI asked £150,000 for staff and £50,000 for delivery in 2026; the year's pooled
    # budget (MOPAC's £120,000 award and Bexley's £50,000) is shared in that proportion.
    assert _lines(grant) == {(2026, STAFF): 127_500_00, (2026, DELIVERY): 42_500_00}
    _adds_up(grant)


def test_moving_money_between_categories_makes_the_next_version(client, granted):
    people, grant = granted
    variation = _ask(grant, people, 10_000_00)
    assert variation.summary == ("Move £10,000 in 2026 to 2027 from staff to training of "
                                 "professionals")
    assert not variation.needs_funder  # no funder's money changes: only what it is spent on
    _decide(variation, people)
    db.session.commit()
    assert variation.status is VariationStatus.approved and grant.agreement_version == 2
    assert _lines(grant) == {(2026, STAFF): 117_500_00, (2026, DELIVERY): 42_500_00,
                             (2026, TRAINING): 10_000_00}
    _adds_up(grant)
    first, second = grant.versions
    assert [2026, "staff", 127_500_00] in first.categories
    assert [2026, "training", 10_000_00] in second.categories

    sign_in(client, people["partner"].email)
    table = client.get(f"/grants/{grant.id}").text.split('id="category-table"')[1].split(
        "</table>")[0]
    for expected in ("Training of professionals", "£10,000", "£117,500", "£42,500"):
        assert expected in table, expected
    letter = client.get(f"/grants/variations/{variation.id}/letter.pdf")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(letter.data)).pages)
    for expected in ("is varied: move £10,000 in 2026 to 2027 from staff to training",
                     "Budget by cost category", "Training of professionals £10,000",
                     "Staff £117,500"):
        assert expected in text, expected
    agreement = client.get(f"/grants/{grant.id}/agreement.pdf")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(agreement.data)).pages)
    assert "Budget by cost category" in text and "Training of professionals £10,000" in text


def test_a_category_move_is_refused_beyond_its_budget_or_into_itself(granted):
    people, grant = granted
    with pytest.raises(FieldRefusal, match="Staff in 2026 to 2027 has £127,500: no more"):
        _ask(grant, people, 127_500_01)
    with pytest.raises(FieldRefusal, match="Choose another cost category"):
        _ask(grant, people, 1_00, target=STAFF)
    with pytest.raises(FieldRefusal, match="Choose a cost category with money in that year"):
        _ask(grant, people, 1_00, source=TRAINING, target=STAFF)
    with pytest.raises(FieldRefusal, match="Choose a year of the grant"):
        _ask(grant, people, 1_00, year=2030)
    with pytest.raises(TransitionRefused, match="Only the lead commissioner"):
        variations.request_category_move(grant, year=2026, from_category=STAFF,
                                         to_category=TRAINING, amount_pence=1_00,
                                         reason="x", by=people["partner"], now=clock.now())
    assert grant.variations == []


def test_money_already_spent_in_a_category_stays_in_it(granted):
    people, grant = granted
    _report_spend(grant, people, {"staff": 100_000_00})
    # £127,500 for staff, £100,000 of it spent: at most £27,500 can move.
    with pytest.raises(FieldRefusal, match="The returns say £100,000 was spent on staff in "
                       "2026 to 2027 already, more than the £99,999.99 that would be left"):
        _ask(grant, people, 27_500_01)
    _ask(grant, people, 27_500_00)


def test_spend_reported_after_the_ask_is_checked_at_approval(granted):
    people, grant = granted
    variation = _ask(grant, people, 50_000_00)
    _report_spend(grant, people, {"staff": 90_000_00})
    with pytest.raises(TransitionRefused, match="The change no longer fits: the returns say "
                       "£90,000"):
        _decide(variation, people)
    db.session.rollback()
    assert grant.agreement_version == 1
    assert _lines(grant)[(2026, STAFF)] == 127_500_00


def test_moving_money_between_years_reshapes_both_years_categories(world):
    people, eoi = world
    grant = operations.create_grant(fund(people, eoi), by=people["manager"])
    grant.ends_on = date(2028, 3, 31)
    accept(grant, people["lead"])
    variation = variations.request_variation(
        grant, funder=mopac(), from_year=2026, to_year=2027, amount_pence=50_000_00,
        reason="Recruitment was late", by=people["lead"], now=clock.now())
    _decide(variation, people)
    db.session.commit()
    # 2026 keeps its proportions (150:50) over £120,000; 2027, new, takes the whole budget's.
    assert _lines(grant) == {(2026, STAFF): 90_000_00, (2026, DELIVERY): 30_000_00,
                             (2027, STAFF): 37_500_00, (2027, DELIVERY): 12_500_00}
    _adds_up(grant)


def test_asking_through_the_page(client, granted):
    people, grant = granted
    sign_in(client, people["lead"].email)
    url = f"/grants/{grant.id}/variations/new?kind=move_categories"
    page = client.get(url).text
    assert "Move money between cost categories</h1>" in page
    assert "The budget by cost category now (version 1)" in page
    response = post_form(client, url, {"from_year": "2026", "from_category": "staff",
                                       "to_category": "training", "amount": "",
                                       "reason": ""})
    for message in ("Enter the amount to move", "Say why the change is needed"):
        assert message in response.text, message
    response = post_form(client, url, {"from_year": "2026", "from_category": "staff",
                                       "to_category": "staff", "amount": "100",
                                       "reason": "Training"})
    assert "Choose another cost category to move it to" in response.text
    assert grant.variations == []
    response = post_form(client, url, {"from_year": "2026", "from_category": "delivery",
                                       "to_category": "training", "amount": "2,500",
                                       "reason": "Training for school staff"},
                         follow_redirects=True)
    assert "Change asked for." in response.text
    assert ("Move £2,500 in 2026 to 2027 from direct delivery to training of professionals"
            in response.text)


def test_the_database_refuses_a_category_move_that_says_nothing(granted):
    from sqlalchemy.exc import IntegrityError

    from eoi.grants.models import Variation, VariationKind

    people, grant = granted
    db.session.add(Variation(grant=grant, kind=VariationKind.move_between_categories,
                             from_year=2026, from_category=STAFF, to_category=STAFF,
                             amount_pence=1_00, reason="x", requested_at=clock.now(),
                             requested_by_id=people["lead"].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


YEARS = (2026, 2027, 2028)


@settings(max_examples=200, deadline=None)
@given(funding=st.lists(st.tuples(st.sampled_from(YEARS), st.integers(1, 10**9)),
                        min_size=1, max_size=6),
       asked=st.lists(st.tuples(st.sampled_from(YEARS), st.sampled_from(list(CostCategory)),
                                st.integers(0, 10**9)), max_size=8),
       moves=st.lists(st.tuples(st.sampled_from(YEARS), st.sampled_from(YEARS),
                                st.floats(0, 1)), max_size=5))
def test_each_years_categories_always_add_up_to_its_funding(funding, asked, moves):
    """Whatever the EOI asked and however money moves between years, each year's
    categories add up to its funding exactly, in whole pence, none below zero."""
    from types import SimpleNamespace

    totals: dict[int, int] = {}
    for year, pence in funding:
        totals[year] = totals.get(year, 0) + pence
    rows = [GrantFunding(financial_year=year, amount_pence=pence)
            for year, pence in totals.items()]
    eoi = SimpleNamespace(budget_lines=[SimpleNamespace(financial_year=y, category=c,
                                                        amount_pence=p)
                                        for y, c, p in asked])
    grant = Grant(funding=rows, budget_lines=categories.initial_lines(eoi, rows))
    _adds_up(grant)
    for source, target, share in moves:
        have = next((f for f in grant.funding if f.financial_year == source), None)
        if have is None or source == target:
            continue
        amount = int(have.amount_pence * share)
        have.amount_pence -= amount
        into = next((f for f in grant.funding if f.financial_year == target), None)
        if into is None:
            grant.funding.append(GrantFunding(financial_year=target, amount_pence=amount))
        else:
            into.amount_pence += amount
        categories.reshape(grant, source)
        categories.reshape(grant, target)
        _adds_up(grant)
    assert all(isinstance(line, GrantBudgetLine) and line.amount_pence > 0
               for line in grant.budget_lines)
