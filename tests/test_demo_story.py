"""The demo tells the README's story on whatever day it is loaded: the demo is built from the
service clock, so this loads it at a spread of days (each quarter's first and last day, both
changes of the clocks, 29 February) and checks each part of the story still holds."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.operations import find_user_by_email
from eoi.assessment.models import AssessmentStatus
from eoi.assessment.operations import publishing_problems, submitted_eois, summary_of
from eoi.demo.loader import load_demo_data
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import Grant, GrantState
from eoi.grants.status import Rag
from eoi.returns.models import ReturnStatus
from eoi.rounds.models import FundingRound, RoundStatus

SCHOOLS = "Bexley and Greenwich schools partnership"
TRI_BOROUGH = "Tri-borough trauma-informed support"
CROYDON = "Croydon and Sutton boys and young men project"

DAYS = [
    # Each quarter's first and last day, in London, at midday.
    *(clock.london_midday(day) for day in (
        date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 1), date(2027, 9, 30),
        date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 1), date(2028, 3, 31))),
    # The clocks go forward at 01:00 UTC on 28 March 2027 and back at 01:00 UTC on
    # 31 October 2027: just after each, and in the hour that happens twice.
    datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    # A leap day, late in the evening.
    datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
]


@pytest.mark.one_database  # the calendar, not the database, is what varies
@pytest.mark.parametrize("instant", DAYS, ids=lambda instant: instant.isoformat("T", "minutes"))
def test_the_readme_story_holds_on_any_day(app_context, instant):
    clock.set_now(instant)
    load_demo_data("demo-pass-2026")
    db.session.commit()
    today = clock.today()
    the_demo_partner_has_one_overdue_return_to_fill_in(today)
    the_tri_borough_has_a_return_to_review_one_to_sign_off_and_a_late_milestone(today)
    the_pilot_is_decided_with_two_grants_in_delivery_and_an_offer_waiting(today)
    round_one_is_closed_with_a_conflict_and_a_bid_to_moderate()
    round_two_is_open_with_drafts_and_room_for_bexley_and_greenwich()


def _grants() -> dict[str, Grant]:
    return {g.consortium.name: g for g in db.session.scalars(select(Grant))}


def the_demo_partner_has_one_overdue_return_to_fill_in(today: date) -> None:
    schools = _grants()[SCHOOLS]
    due = [r for r in schools.returns if r.due_on < today]
    assert len(due) >= 3
    overdue = [r for r in schools.returns if r.is_overdue(today)]
    assert overdue == due[-1:], "only the latest return that is due is overdue"
    assert {r.status for r in due[:-1]} == {ReturnStatus.accepted}
    assert overdue[0].can_edit(find_user_by_email("partner.stgiles@demo.example"))
    # Late enough to show, not so late that the grant is red (the browser journey says so).
    status = monitoring.status_of(schools, today)
    assert status.rag is Rag.amber, status.reasons
    assert 1 <= overdue[0].days_overdue(today) <= 30


def the_tri_borough_has_a_return_to_review_one_to_sign_off_and_a_late_milestone(
        today: date) -> None:
    tri_borough = _grants()[TRI_BOROUGH]
    due = [r for r in tri_borough.returns if r.due_on < today]
    assert due[-1].status is ReturnStatus.submitted  # waiting for MOPAC's review
    # Sent back by MOPAC, sent again, and waiting for Barnardo's certifier.
    [signing] = [r for r in due if r.status is ReturnStatus.signing]
    assert signing is due[-2] and signing.review_comments
    assert signing.can_sign_off(find_user_by_email("finance.barnardos@demo.example"))
    assert any(m.is_overdue(today) for m in tri_borough.milestones)
    assert monitoring.status_of(tri_borough, today).rag is Rag.amber


def the_pilot_is_decided_with_two_grants_in_delivery_and_an_offer_waiting(today: date) -> None:
    pilot = db.session.scalars(select(FundingRound).order_by(FundingRound.closes_at)).first()
    assert pilot.status is RoundStatus.decided
    grants = _grants()
    offer = grants.pop(CROYDON)
    assert offer.state is GrantState.offered and offer.accepted_at is None
    assert offer.can_answer_offer(find_user_by_email("lead.croydon@demo.example"))
    assert today <= offer.ends_on and offer.payments
    [asked] = offer.offer_questions  # for the fund team to answer
    assert asked.answered_at is None and asked.asked_by == offer.owner
    assert set(grants) == {SCHOOLS, TRI_BOROUGH}
    for grant in grants.values():
        assert grant.state is GrantState.active
        assert grant.starts_on <= today <= grant.ends_on
        assert grant.milestones and grant.payments
        assert sum(p.amount_pence for p in grant.payments) == grant.award_pence


def round_one_is_closed_with_a_conflict_and_a_bid_to_moderate() -> None:
    round_one = db.session.scalars(
        select(FundingRound).order_by(FundingRound.closes_at)).all()[1]
    assert round_one.status is RoundStatus.assessed
    assert not round_one.accepts_submissions(clock.now())
    bids = submitted_eois(round_one)
    assert len(bids) == 4
    withdrawn = db.session.scalars(select(Eoi).where(
        Eoi.round_id == round_one.id, Eoi.status == EoiStatus.withdrawn)).all()
    assert [e.consortium.name for e in withdrawn] == [SCHOOLS]
    conflicts = [a for e in bids for a in e.assessments
                 if a.status is AssessmentStatus.conflicted]
    assert [a.assessor.email for a in conflicts] == ["panel3@demo.example"]
    needing = [e for e in bids if summary_of(e).needs_moderation]
    assert [e.consortium.name for e in needing] == ["East London exploitation hub"]
    assert all(e.decision is not None and not e.decision.is_published for e in bids)
    assert publishing_problems(round_one) == [
        f"Moderate the disagreements on {needing[0].reference}"]


def round_two_is_open_with_drafts_and_room_for_bexley_and_greenwich() -> None:
    round_two = db.session.scalars(
        select(FundingRound).order_by(FundingRound.closes_at)).all()[2]
    assert round_two.status is RoundStatus.open
    assert round_two.accepts_submissions(clock.now())
    drafts = db.session.scalars(select(Eoi).where(Eoi.round_id == round_two.id)).all()
    assert {e.consortium.name for e in drafts} == {
        TRI_BOROUGH, "North West London young women's partnership"}
    assert {e.status for e in drafts} == {EoiStatus.draft}
