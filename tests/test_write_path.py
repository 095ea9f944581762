"""The one write path: no view commits by hand, every change of state goes through its
state machine's `move`, and a write that loses a race is refused in words, never a 500."""

import ast
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from eoi import clock, create_app
from eoi.audit.models import AuditEntry
from eoi.consortia.models import ConsortiumMembership, MembershipStatus
from eoi.eois.models import BudgetLine, CostCategory, Eoi
from eoi.extensions import db
from eoi.refusals import StaleEdit, TransitionRefused
from tests.conftest import borough, csrf_token, post_form, sign_in

ROOT = Path(__file__).parents[1]

# Who may commit outside eoi/writes.py, and why: command-line commands and the demo loader
# run outside any request; the reminder job commits each reminder on its own, so one failed
# send cannot undo the others.
MAY_COMMIT = {
    Path("eoi/writes.py"),
    Path("eoi/reminders/job.py"),
    Path("eoi/demo/cli.py"),
    Path("eoi/accounts/cli.py"),
    Path("eoi/reference/cli.py"),
    Path("eoi/opendata/views.py"),  # the export command
    Path("eoi/reminders/cli.py"),
    Path("eoi/pages/views.py"),  # /healthz ends its probe; the 500 page starts clean
}


def _calls(path: Path, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in names and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "session"):
            found.append(f"{path}:{node.lineno} session.{node.func.attr}()")
    return found


def test_nothing_commits_or_rolls_back_by_hand_outside_the_write_path():
    files = [p.relative_to(ROOT) for p in (ROOT / "eoi").rglob("*.py")]
    found = [call for path in files if path not in MAY_COMMIT
             for call in _calls(ROOT / path, {"commit", "rollback"})]
    assert found == [], "write through eoi.writes (attempt, handle_form, confirmed_action)"


def _state_assignments(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        flat = [t for target in targets
                for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
        found += [f"{path}:{node.lineno} .{t.attr} =" for t in flat
                  if isinstance(t, ast.Attribute) and t.attr in ("status", "state")]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "setattr" and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in ("status", "state")):
            found.append(f"{path}:{node.lineno} setattr(…, {node.args[1].value!r})")
    return found


def test_every_change_of_state_goes_through_its_state_machine():
    # The demo sets rounds open directly, as a story set up in the past; nothing else may.
    files = [p.relative_to(ROOT) for p in (ROOT / "eoi").rglob("*.py")
             if "demo" not in p.parts and p.name != "states.py"]
    found = [line for path in files for line in _state_assignments(ROOT / path)]
    assert found == [], "change state with StateMachine.move, which checks and audits it"


def test_a_move_checks_applies_and_audits_in_one_step(world):
    from eoi.eois.models import EoiStatus
    from eoi.eois.operations import EOI

    people, eoi = world
    with pytest.raises(TransitionRefused, match="draft cannot become withdrawn"):
        EOI.move(eoi, EoiStatus.withdrawn, by=people["lead"], action="eoi.withdrawn",
                 summary="x")
    assert eoi.status is EoiStatus.draft
    before = db.session.scalar(select(db.func.count(AuditEntry.id)))
    eoi.reference, eoi.submitted_at = "CCF-2026-9999", clock.now()
    eoi.submitted_by_id = people["lead"].id
    EOI.move(eoi, EoiStatus.submitted, by=people["lead"], action="eoi.submitted",
             summary="Submitted", changes={"note": [None, "n"]})
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert eoi.status is EoiStatus.submitted
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) == before + 1
    assert entry.changes == {"status": ["draft", "submitted"], "note": [None, "n"]}
    db.session.rollback()


# Races, as the database sees them ---------------------------------------------------------

@contextmanager
def someone_else_first(statement):
    """Run `statement` on another connection, committed, just before this session next
    writes: what another worker saving at the same moment looks like to this one."""
    fired = []

    def before_flush(session, context, instances):
        if not fired:
            fired.append(True)
            with db.engine.begin() as other:
                other.execute(statement)

    event.listen(db.session, "before_flush", before_flush)
    try:
        yield fired
    finally:
        event.remove(db.session, "before_flush", before_flush)


def _audit_count(action: str) -> int:
    return db.session.scalar(select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == action))


# Another connection saves first: it must see this test's data, so it is committed.
@pytest.mark.committed_database
def test_a_section_saved_by_someone_else_at_the_same_moment_shows_both_versions(client, world):
    people, eoi = world
    section = eoi.section("summary")
    sign_in(client, people["member"].email)
    from eoi.eois.models import EoiSection

    with someone_else_first(update(EoiSection).where(EoiSection.id == section.id).values(
            version=EoiSection.version + 1, stored_content={"title": "Theirs"})) as fired:
        response = post_form(client, f"/eois/{eoi.id}/sections/summary", {
            "title": "Mine", "summary": "Mine", "complete": "no",
            "version": section.version})
    assert fired and response.status_code == 409
    assert "Someone else saved this section" in response.text
    db.session.refresh(section)
    assert section.content["title"] == "Theirs"


# Another connection saves first: it must see this test's data, so it is committed.
@pytest.mark.committed_database
def test_two_starts_of_one_eoi_at_once_give_one_eoi_and_a_message(client, world):
    from eoi.rounds.models import FundingRound

    people, eoi = world
    funding_round, consortium = eoi.funding_round, eoi.consortium
    db.session.delete(eoi)
    db.session.commit()
    sign_in(client, people["lead"].email)
    page = client.get(f"/consortia/{consortium.id}")
    with someone_else_first(insert(Eoi).values(
            consortium_id=consortium.id, round_id=funding_round.id, status="draft",
            created_by_id=people["member"].id, version=1)):
        response = client.post("/eois/start", data={
            "csrf_token": csrf_token(page.text), "consortium_id": consortium.id,
            "round_id": funding_round.id}, follow_redirects=True)
    assert response.status_code == 200
    assert "This consortium already has an EOI for this round" in response.text
    assert db.session.scalar(select(db.func.count(Eoi.id)).where(
        Eoi.round_id == FundingRound.id, Eoi.consortium_id == consortium.id)) == 1


# Another connection saves first: it must see this test's data, so it is committed.
@pytest.mark.committed_database
def test_two_identical_budget_lines_at_once_give_one_line_and_a_field_error(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    bexley = borough("Bexley").organisation
    with someone_else_first(insert(BudgetLine).values(
            eoi_id=eoi.id, financial_year=2026, category="staff", funder_id=bexley.id,
            amount_pence=100)):
        response = client.post(f"/eois/{eoi.id}/budget/lines", data={
            "csrf_token": csrf_token(client.get(f"/eois/{eoi.id}/sections/budget").text),
            "financial_year": "2026", "category": "staff", "funder_id": str(bexley.id),
            "amount": "2000"})
    assert response.status_code == 200
    assert "The budget already has a line for this year, category and funder" in response.text
    assert len(db.session.scalars(select(BudgetLine).where(
        BudgetLine.eoi_id == eoi.id, BudgetLine.category == CostCategory.staff)).all()) == 1


# Another connection saves first: it must see this test's data, so it is committed.
@pytest.mark.committed_database
def test_two_answers_to_one_invitation_at_once_count_once(client, make_user, world):
    from eoi.consortia import operations as consortia

    people, eoi = world
    lewisham = people["outsider"]
    membership = consortia.invite_borough(eoi.consortium, borough("Lewisham"),
                                          by=people["lead"])
    db.session.commit()
    sign_in(client, lewisham.email)
    url = f"/consortia/{eoi.consortium.id}/memberships/{membership.id}/accept"
    token = csrf_token(client.get(f"/consortia/{eoi.consortium.id}").text)
    before = _audit_count("consortium.invitation_accepted")
    with someone_else_first(update(ConsortiumMembership).where(
            ConsortiumMembership.id == membership.id).values(
            status="accepted", version=ConsortiumMembership.version + 1)):
        response = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "Someone else changed this at the same time" in response.text
    assert _audit_count("consortium.invitation_accepted") == before  # the other's, not ours
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.accepted


# Another connection saves first: it must see this test's data, so it is committed.
@pytest.mark.committed_database
def test_a_payment_scheduled_while_the_grant_changes_is_refused_not_lost(client, granted):
    from eoi.grants.models import Grant, Payment

    people, grant = granted
    sign_in(client, people["manager"].email)
    url = f"/grants/{grant.id}/payments/new"
    token = csrf_token(client.get(url).text)
    with someone_else_first(update(Grant).where(Grant.id == grant.id).values(
            version=Grant.version + 1)):
        response = client.post(url, data={
            "csrf_token": token, "description": "Second quarter", "amount": "1000",
            "scheduled_on": ["1", "7", "2026"], "milestone_id": "none"})
    assert response.status_code == 200
    assert "Someone else changed this at the same time" in response.text
    assert 'value="Second quarter"' in response.text  # nothing typed is lost
    assert db.session.scalars(select(Payment).where(Payment.grant_id == grant.id)).all() == []


def test_a_save_without_its_version_is_a_conflict_not_a_blind_overwrite(client, world):
    people, eoi = world
    consortium = eoi.consortium
    sign_in(client, people["lead"].email)
    response = post_form(client, f"/consortia/{consortium.id}/edit",
                         {"name": "Renamed blind", "purpose": "x"})
    assert response.status_code == 200
    db.session.refresh(consortium)
    assert consortium.name == "SE"
    response = post_form(client, f"/consortia/{consortium.id}/edit", {
        "name": "Renamed", "purpose": "x", "version": consortium.version})
    assert response.status_code == 302
    db.session.refresh(consortium)
    assert consortium.name == "Renamed"


@pytest.mark.parametrize("error", [
    StaleEdit("x"), StaleDataError("x"), TransitionRefused("That cannot happen now"),
    IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: eois.consortium_id, "
                                           "eois.round_id")),
])
def test_a_refusal_no_view_expected_is_the_conflict_page_never_a_500(database_url, error):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "x"})

    @app.get("/raises")
    def raises():
        raise error

    response = app.test_client().get("/raises")
    assert response.status_code == 409
    assert "This change was not saved" in response.text
    if isinstance(error, TransitionRefused):
        assert "That cannot happen now." in response.text
    if isinstance(error, IntegrityError):
        assert "This consortium already has an EOI for this round." in response.text


def test_a_fault_that_is_no_refusal_is_still_a_500(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})

    @app.get("/raises")
    def raises():
        raise IntegrityError("INSERT", {}, Exception("CHECK constraint failed: x"))

    assert app.test_client().get("/raises").status_code == 500
