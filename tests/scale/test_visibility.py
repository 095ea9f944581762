"""Lists ask the database what a person may see (`visible_to`); single pages ask the record
(`can_view`). The two must agree, for every demo person and every record, and in the cases
the demo does not happen to hold."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.assessment import operations as panel
from eoi.assessment.models import Assessment, AssessmentStatus, Decision, DecisionOutcome
from eoi.consortia import operations as consortia
from eoi.consortia.models import Consortium, LeadInterest, PartnerRole, Seniority
from eoi.eois import operations
from eoi.eois.models import Eoi
from eoi.extensions import db
from eoi.reference.models import Organisation, Priority, PriorityKind
from eoi.rounds import operations as rounds
from eoi.rounds.models import FundingRound, RoundStatus
from tests.conftest import borough


def _disagreements(model, people) -> list[str]:
    records = db.session.scalars(select(model)).all()
    wrong = []
    for person in people:
        listed = set(db.session.scalars(model.visible_to(person)))
        wrong += [f"{person.email} and {record!r}: can_view {record.can_view(person)}"
                  for record in records if record.can_view(person) != (record in listed)]
    return wrong


@pytest.mark.parametrize("model", [Eoi, FundingRound, Consortium, LeadInterest],
                         ids=lambda m: m.__name__)
def test_every_demo_person_lists_what_they_may_open(app, demo, model):
    with app.app_context():
        people = db.session.scalars(select(User).order_by(User.id)).all()
        records = db.session.scalars(select(model)).all()
        assert len(people) >= 20 and records
        assert _disagreements(model, people) == []
        # Not everyone sees every EOI and consortium, or the test proves little (the demo
        # has no draft round, and the register is the same for all who may see it).
        if model in (Eoi, Consortium):
            assert any(len(db.session.scalars(model.visible_to(p)).all()) < len(records)
                       for p in people)


def _decision_shown(eoi: Eoi, person: User) -> bool:
    return eoi in set(db.session.scalars(
        select(Eoi).where(Eoi.decision_seen_by(person))))


def test_every_demo_person_sees_the_decisions_they_may(app, demo):
    with app.app_context():
        people = db.session.scalars(select(User)).all()
        eois = db.session.scalars(select(Eoi)).all()
        assert db.session.scalar(select(Decision.id).limit(1)) is not None
        wrong = [(p.email, e.id) for p in people for e in eois
                 if e.can_see_decision(p) != _decision_shown(e, p)]
        assert wrong == []


def _agree(record, person, expected: bool) -> None:
    db.session.flush()
    db.session.expire_all()
    assert record.can_view(person) is expected
    assert (record in set(db.session.scalars(type(record).visible_to(person)))) is expected


def test_a_borough_that_declined_does_not_edit_or_see(world, make_user):
    people, eoi = world
    lewisham = consortia.invite_borough(eoi.consortium, borough("Lewisham"), by=people["lead"])
    consortia.respond_to_invitation(lewisham, accept=False, by=people["outsider"])
    _agree(eoi, people["outsider"], False)
    assert not eoi.is_editor(people["outsider"])
    _agree(eoi, people["member"], True)  # Bexley accepted
    _agree(eoi, people["lead"], True)
    _agree(eoi, people["manager"], True)
    _agree(eoi, people["panel"], False)


def test_an_invited_editor_sees_the_eoi_and_a_removed_partner_not_the_consortium(world):
    people, eoi = world
    consortium = eoi.consortium
    st_giles = db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust"))
    partner = consortia.add_partner(consortium, st_giles, PartnerRole.lead_provider,
                                    by=people["lead"])
    _agree(consortium, people["partner"], True)
    _agree(eoi, people["partner"], False)
    operations.invite_editor(eoi, people["partner"], by=people["lead"])
    _agree(eoi, people["partner"], True)
    partner.is_removed = True
    _agree(consortium, people["partner"], False)
    _agree(eoi, people["partner"], True)  # still invited to this EOI


def test_only_an_assessor_who_declared_no_interest_reads_the_bid(world, make_user):
    from tests.conftest import complete_everything

    people, eoi = world
    manager, lead = people["manager"], people["lead"]
    conflicted, reader = make_user(Role.panel_member), make_user(Role.panel_member)
    complete_everything(eoi, people["member"])
    now = clock.now()
    operations.submit_eoi(eoi, by=lead, now=now)
    rounds.change_round_status(eoi.funding_round, RoundStatus.closed, by=manager, now=now)
    assessments = {}
    for person in (people["panel"], conflicted, reader):
        panel.add_panel_member(eoi.funding_round, person, by=manager)
        assessments[person.id] = panel.assign(eoi, person, by=manager, now=now)
    _agree(eoi, reader, False)  # awaiting its declaration
    panel.declare(assessments[conflicted.id], has_interest=True, details="Trustee",
                  by=conflicted, now=now)
    panel.declare(assessments[reader.id], has_interest=False, details="", by=reader, now=now)
    _agree(eoi, conflicted, False)
    _agree(eoi, reader, True)
    _agree(eoi, people["panel"], False)
    # Taken off the bid before declaring: nothing left to read by.
    panel.unassign(assessments[people["panel"].id], by=manager)
    db.session.commit()
    _agree(eoi, people["panel"], False)
    assert db.session.scalar(select(Assessment.status).where(
        Assessment.assessor_id == reader.id)) is AssessmentStatus.in_progress


def test_a_draft_round_is_the_fund_teams(world):
    people, eoi = world
    now = clock.now()
    draft = rounds.create_round(values={
        "title": "Later", "envelope_pence": 1_000_00, "first_financial_year": 2027,
        "last_financial_year": 2027, "opens_at": now + timedelta(days=30),
        "closes_at": now + timedelta(days=60), "guidance": "", "min_member_boroughs": 2,
        "min_match_percent": 25}, by=people["manager"])
    _agree(draft, people["manager"], True)
    _agree(draft, people["lead"], False)
    _agree(eoi.funding_round, people["lead"], True)


def test_a_decision_is_seen_by_the_consortium_once_published(world):
    from tests.conftest import fund

    people, eoi = world
    fund(people, eoi)
    decision = eoi.decision
    assert decision is not None and decision.outcome is DecisionOutcome.fund
    for who, expected in [("lead", True), ("member", True), ("manager", True),
                          ("panel", False), ("outsider", False)]:
        assert eoi.can_see_decision(people[who]) is expected
        assert _decision_shown(eoi, people[who]) is expected
    eoi.funding_round.status = RoundStatus.assessed  # as before publishing
    db.session.flush()
    assert not _decision_shown(eoi, people["lead"]) and not eoi.can_see_decision(people["lead"])
    assert _decision_shown(eoi, people["manager"])


def test_the_register_lists_only_active_commissioners_who_have_not_withdrawn(world):
    people, _ = world
    priority = db.session.scalar(select(Priority).where(Priority.kind == PriorityKind.strategic))
    interest = consortia.declare_lead_interest(
        user=people["lead"], priority=priority, capacity_days_per_month=2,
        seniority=Seniority.manager, has_political_sign_off=False, notes="")
    _agree(interest, people["member"], True)
    _agree(interest, people["partner"], False)
    people["lead"].is_active = False
    _agree(interest, people["member"], False)
    people["lead"].is_active = True
    interest.is_withdrawn = True
    _agree(interest, people["member"], False)
