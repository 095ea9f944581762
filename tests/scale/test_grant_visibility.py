"""Who sees a grant and its records, asked two ways: `can_view` on one record in Python,
and `visible_to` over every record in SQL (what the lists show). The two must agree for
every demo person and record, and in the cases the demo lacks."""

from datetime import date

import pytest
from sqlalchemy import select

from eoi.accounts.models import Role, User
from eoi.consortia import operations as consortia
from eoi.consortia.models import MembershipStatus
from eoi.extensions import db
from eoi.grants import operations
from eoi.grants.models import Grant, Milestone, Payment
from eoi.returns.models import QuarterlyReturn
from tests.conftest import borough

RECORDS = (Grant, Payment, QuarterlyReturn, Milestone)


def _agree(person: User) -> set[int]:
    """The ids of the grants `person` sees, once both ways agree on every record."""
    for model in RECORDS:
        everything = db.session.scalars(select(model)).all()
        assert everything, f"no {model.__name__} to ask about"
        in_python = {r.id for r in everything if r.can_view(person)}
        in_sql = set(db.session.scalars(model.visible_to(person).with_only_columns(model.id)))
        assert in_sql == in_python, (person.email, model.__name__)
    return {g.id for g in db.session.scalars(Grant.visible_to(person))}


def test_every_demo_person_sees_the_same_both_ways(demo, app_context):
    people = db.session.scalars(select(User).order_by(User.email)).all()
    seen = {person.email: _agree(person) for person in people}
    every = set(db.session.scalars(select(Grant.id)))
    assert len(every) == 3  # two in delivery, one offered
    # The demo has each kind of viewer, and people who see nothing.
    assert seen["manager@demo.example"] == every
    assert len(seen["lead.greenwich@demo.example"]) == 1  # the lead
    assert seen["officer.bexley@demo.example"] == seen["lead.greenwich@demo.example"]
    assert seen["partner.stgiles@demo.example"] == seen["lead.greenwich@demo.example"]
    barnardos = seen["partner.barnardos@demo.example"]
    assert len(barnardos) == 1 and not barnardos & seen["partner.stgiles@demo.example"]
    offered = seen["lead.croydon@demo.example"]  # the lead sees the offer waiting for them
    assert len(offered) == 1 and offered == every - barnardos - seen["lead.greenwich@demo.example"]
    assert seen["panel1@demo.example"] == set()
    assert seen["officer.lewisham@demo.example"] == set()  # invited, never a member


@pytest.fixture
def busy(granted):
    """The shared grant with a milestone and a payment, so every kind of record is there."""
    people, grant = granted
    milestone = operations.add_milestone(grant, title="Workers in post",
                                         evidence_required="Contracts",
                                         due_on=date(2026, 9, 30), by=people["manager"])
    operations.schedule_payment(grant, description="First", amount_pence=10_00,
                                scheduled_on=date(2026, 10, 1), milestone=milestone,
                                by=people["manager"])
    db.session.commit()
    return people, grant


def test_each_kind_of_viewer(busy):
    people, grant = busy
    for who in ("manager", "lead", "member", "partner"):
        assert _agree(people[who]) == {grant.id}, who
    for who in ("outsider", "panel"):
        assert _agree(people[who]) == set(), who


@pytest.mark.parametrize("answer", [MembershipStatus.declined, MembershipStatus.left,
                                    MembershipStatus.invited])
def test_a_borough_that_is_not_a_member_sees_nothing(busy, answer):
    people, grant = busy
    membership = grant.consortium.membership_for(borough("Bexley").id)
    membership.status = answer
    db.session.flush()
    assert _agree(people["member"]) == set()
    assert _agree(people["lead"]) == {grant.id}  # the lead's own grant, whatever Bexley says


def test_an_invited_borough_sees_the_grant_once_it_accepts(busy):
    people, grant = busy
    outsider = people["outsider"]
    membership = consortia.invite_borough(grant.consortium, borough("Lewisham"),
                                          by=people["lead"])
    assert _agree(outsider) == set()
    consortia.respond_to_invitation(membership, accept=True, by=outsider)
    assert _agree(outsider) == {grant.id}


def test_a_partner_removed_from_the_grant_sees_nothing(busy):
    people, grant = busy
    grant.partners.clear()
    db.session.flush()
    assert _agree(people["partner"]) == set()


def test_a_partner_sees_by_role_and_organisation_both(busy, make_user):
    people, grant = busy
    # Staff of the delivering charity who are not partner users (a commissioner's account
    # there, say) do not see it as a partner; partner users elsewhere do not either.
    assert _agree(make_user(Role.commissioner, organisation="St Giles Trust")) == set()
    assert _agree(make_user(Role.partner, organisation="Abianda")) == set()
    assert _agree(make_user(Role.partner, organisation="St Giles Trust")) == {grant.id}


def test_a_commissioner_sees_by_role_and_borough_both(busy, make_user):
    people, grant = busy
    assert _agree(make_user(Role.panel_member, borough="Bexley")) == set()
    assert _agree(make_user(Role.commissioner, organisation="Abianda")) == set()  # no borough
    assert _agree(make_user(Role.commissioner, borough="Bexley")) == {grant.id}


def test_an_inactive_fund_manager_is_not_the_fund_team(busy, make_user):
    people, grant = busy
    assert _agree(make_user(Role.fund_manager, active=False)) == set()
    people["manager"].is_active = False
    assert _agree(people["manager"]) == set()
    # The other rules name the person, not the fund team: they hold while the account is off
    # (it cannot sign in), in SQL as in Python.
    people["lead"].is_active = False
    assert _agree(people["lead"]) == {grant.id}


def test_who_reports_on_a_grant_is_the_same_both_ways(demo, app_context):
    """Grant.reportable_by (the dashboard's lists) agrees with can_report for every demo
    person, and some of them report."""
    grants = db.session.scalars(select(Grant)).all()
    reporting = 0
    for person in db.session.scalars(select(User).order_by(User.email)):
        in_python = {g.id for g in grants if g.can_report(person)}
        in_sql = set(db.session.scalars(select(Grant.id).where(Grant.reportable_by(person))))
        assert in_sql == in_python, person.email
        reporting += bool(in_python)
    assert reporting >= 3
