from sqlalchemy import func, select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.consortia.models import Consortium, LeadInterest, PledgeStatus
from eoi.demo.consortia import DEMO_OFFICERS
from eoi.demo.loader import DEMO_ACCOUNTS
from eoi.extensions import db
from eoi.reference.models import LocalAuthority, OrganisationType

DEMO_EMAILS = {
    "manager@demo.example", "panel1@demo.example", "panel2@demo.example", "panel3@demo.example",
    "lead.greenwich@demo.example", "officer.bexley@demo.example", "partner.stgiles@demo.example",
    "partner.barnardos@demo.example", "finance@demo.example", "finance.barnardos@demo.example",
    "finance.sutton@demo.example",
}


def test_reference_load_command_is_idempotent(app, empty_database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reference", "load"])
    assert first.exit_code == 0 and "Added 33 local authorities" in first.output
    second = runner.invoke(args=["reference", "load"])
    assert "nothing to add" in second.output
    assert db.session.scalar(select(func.count(LocalAuthority.id))) == 33


def test_create_admin(app, app_context):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "Chief@MOPAC.example", "--name",
                                 "Chief Officer", "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chief@mopac.example"))
    assert user.roles == {Role.fund_manager}
    assert user.organisation.type is OrganisationType.mopac
    assert user.password_hash.startswith("$argon2id$")
    again = runner.invoke(args=["users", "create-admin", "chief@mopac.example",
                                "--password", "a long admin password"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create-admin", "x@mopac.example", "--password", "short"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    common = runner.invoke(args=["users", "create-admin", "x@mopac.example", "--password",
                                 "password123456"])
    assert common.exit_code != 0 and "too common" in common.output


def test_demo_load_creates_the_accounts_and_prints_them(app, app_context):
    app.config["EOI_DEMO_PASSWORD"] = "demo-pass-2026"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    for email in DEMO_EMAILS:
        assert email in result.output
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert set(users) >= DEMO_EMAILS
    assert users["lead.greenwich@demo.example"].organisation.name == "Royal Borough of Greenwich"
    assert users["officer.bexley@demo.example"].organisation.name == "London Borough of Bexley"
    assert users["partner.stgiles@demo.example"].organisation.name == "St Giles Trust"
    assert users["manager@demo.example"].roles == {Role.fund_manager}
    assert all(users[f"panel{n}@demo.example"].roles == {Role.panel_member} for n in (1, 2, 3))

    again = runner.invoke(args=["demo", "load"])
    assert "0 new records" in again.output
    assert db.session.scalar(select(func.count(User.id))) == len(DEMO_ACCOUNTS) + len(
        DEMO_OFFICERS)
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has accounts" in skipped.output


def test_demo_password_comes_from_the_environment_setting(app, app_context):
    from eoi.accounts.operations import SignInOutcome, attempt_sign_in

    app.config["EOI_DEMO_PASSWORD"] = "another-demo-password"
    try:
        app.test_cli_runner().invoke(args=["demo", "load"])
    finally:
        app.config["EOI_DEMO_PASSWORD"] = "demo-pass-2026"
    result = attempt_sign_in("panel2@demo.example", "another-demo-password", now=clock.now())
    assert result.outcome is SignInOutcome.signed_in


def test_demo_consortia_tell_the_workshop_stories(app, app_context):
    app.test_cli_runner().invoke(args=["demo", "load"])
    consortia = {c.name: c for c in db.session.scalars(select(Consortium))}
    assert len(consortia) >= 3
    south_east = consortia["Bexley and Greenwich schools partnership"]
    assert [b.name for b in south_east.member_boroughs] == ["Bexley", "Greenwich"]
    assert south_east.lead.email == "lead.greenwich@demo.example"
    assert [p.organisation.name for p in south_east.current_partners] == ["St Giles Trust"]
    for consortium in consortia.values():
        assert consortium.is_sub_regional
        live_years = {p.financial_year for p in consortium.pledges if p.is_live}
        assert len(live_years) >= 2, consortium.name
    statuses = {p.status for c in consortia.values() for p in c.pledges}
    assert statuses == set(PledgeStatus)
    assert db.session.scalar(select(func.count(LeadInterest.id))) >= 5


def test_demo_service_map_has_gaps_and_provision_ending(app, app_context):

    from eoi.service_map.gaps import Provision, ServiceFacts, gap_matrix
    from eoi.service_map.models import Cohort, Service, ServiceType

    app.test_cli_runner().invoke(args=["demo", "load"])
    services = db.session.scalars(select(Service)).all()
    assert len(services) >= 20
    facts = [ServiceFacts(frozenset(b.id for b in s.boroughs), frozenset(s.types),
                          frozenset(s.cohorts), s.funding_end_date) for s in services]
    boroughs = db.session.scalars(select(LocalAuthority.id)).all()
    boys = gap_matrix(facts, boroughs, list(ServiceType), clock.today(), Cohort.boys_young_men)
    cells = [cell for row in boys.values() for cell in row.values()]
    assert cells.count(Provision.none) > len(cells) // 2
    everyone = gap_matrix(facts, boroughs, list(ServiceType), clock.today())
    assert any(cell is Provision.ending for row in everyone.values() for cell in row.values())


def test_demo_rounds_one_open_one_closed(app, app_context):
    from eoi.rounds.models import FundingRound, RoundStatus

    app.test_cli_runner().invoke(args=["demo", "load"])
    rounds = db.session.scalars(select(FundingRound).order_by(FundingRound.closes_at)).all()
    # The pilot is decided and in delivery (eoi/demo/grants.py); round one closed, then its
    # panel assessed it (eoi/demo/assessment.py).
    assert [r.status for r in rounds] == [RoundStatus.decided, RoundStatus.assessed,
                                          RoundStatus.open]
    assert rounds[2].accepts_submissions(clock.now())
    assert not rounds[1].accepts_submissions(clock.now())
    assert all(r.total_weight == 100 for r in rounds)


def test_demo_eois_in_several_states(app, app_context):
    from eoi.eois.models import Eoi, EoiStatus
    from eoi.eois.operations import budget_reconciliation
    from eoi.rounds.models import FundingRound, RoundStatus

    app.test_cli_runner().invoke(args=["demo", "load"])
    _pilot, closed, open_round = db.session.scalars(
        select(FundingRound).order_by(FundingRound.closes_at)).all()
    assert closed.status is RoundStatus.assessed
    submitted = [e for e in db.session.scalars(select(Eoi).where(Eoi.round_id == closed.id))
                 if e.status is EoiStatus.submitted]
    assert len(submitted) >= 4
    for eoi in submitted:
        assert eoi.submitted_at < closed.closes_at
        assert all(section.is_complete for section in eoi.sections)
        assert budget_reconciliation(eoi).holds, eoi.consortium.name
    statuses = {e.status for e in db.session.scalars(select(Eoi))}
    assert statuses == set(EoiStatus)
    # Bexley and Greenwich have not started in the open round: visitors can.
    starters = {e.consortium.name for e in db.session.scalars(
        select(Eoi).where(Eoi.round_id == open_round.id))}
    assert "Bexley and Greenwich schools partnership" not in starters and starters


def test_demo_panel_assessed_round_one_with_a_conflict_and_a_disagreement(app, app_context):
    from eoi.assessment.models import AssessmentStatus
    from eoi.assessment.operations import ranking, submitted_eois, summary_of
    from eoi.rounds.models import FundingRound

    app.test_cli_runner().invoke(args=["demo", "load"])
    round_one = db.session.scalars(select(FundingRound).order_by(FundingRound.closes_at)).all()[1]
    bids = submitted_eois(round_one)
    assert len(bids) == 4 and all(summary_of(e) for e in bids)
    conflicts = [a for e in bids for a in e.assessments
                 if a.status is AssessmentStatus.conflicted]
    assert len(conflicts) == 1 and conflicts[0].flagged_by_system
    assert conflicts[0].assessor.email == "panel3@demo.example"
    needing = [e.consortium.name for e in bids if summary_of(e).needs_moderation]
    assert needing == ["East London exploitation hub"]
    assert all(e.decision is not None and not e.decision.is_published for e in bids)
    # A visitor must moderate East London before the decisions can be published.
    from eoi.assessment.operations import publishing_problems

    assert publishing_problems(round_one) == [
        f"Moderate the disagreements on {needing_bid.reference}"
        for needing_bid in bids if needing_bid.consortium.name == needing[0]]
    assert len(ranking(round_one)) == 4


def test_demo_grants_are_in_delivery_with_returns_in_mixed_states(app, app_context):

    from eoi.grants.models import Grant
    from eoi.returns.models import ReturnStatus

    app.test_cli_runner().invoke(args=["demo", "load"])
    grants = {g.consortium.name: g for g in db.session.scalars(select(Grant))}
    schools = grants["Bexley and Greenwich schools partnership"]
    assert [p.organisation.name for p in schools.partners] == ["St Giles Trust"]
    today = clock.today()
    past = [r for r in schools.returns if r.due_on < today]
    assert len(past) >= 3
    assert past[-1].is_overdue(today)  # left for the demo partner to fill in
    assert {r.status for r in past[:-1]} == {ReturnStatus.accepted}
    # Some young people are supported outside the borough they live in.
    assert any(c.residence_code != c.service_code for r in past[:-1]
               for c in r.borough_counts)
    tri_borough = grants["Tri-borough trauma-informed support"]
    statuses = {r.status for r in tri_borough.returns if r.due_on < today}
    assert {ReturnStatus.submitted, ReturnStatus.accepted} <= statuses
    for grant in grants.values():
        assert grant.paid_pence <= grant.award_pence
        assert sum(p.amount_pence for p in grant.payments) == grant.award_pence
