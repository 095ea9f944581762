"""Joining by invitation and resetting a forgotten password, through the pages and the
emails they send (eoi.accounts.joining, eoi.notifications)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts.models import Invitation, InvitationStatus, Role, User, UserSession
from eoi.accounts.operations import SignInOutcome, attempt_sign_in
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.notifications.models import Notification
from eoi.notifications.outbox import CLEARED, deliver_due
from eoi.reference.models import LocalAuthority
from tests.conftest import csrf_token, sign_in
from tests.test_reminders import sent_emails

NEW_PASSWORD = "kettle orbit lantern"


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    monkeypatch.setitem(app.config, "EOI_BASE_URL", "https://fund.example")
    return folder


def _link(message, path: str) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"https://fund\.example(/{path}/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client.get(url).text), **data})


def _choose(client, url: str, password: str = NEW_PASSWORD):
    return _post(client, url, {"new_password": password, "confirm_password": password})


def _forgotten(client, email: str):
    return _post(client, "/forgotten-password", {"email": email})


# Password reset ---------------------------------------------------------------------------

def test_the_sign_in_page_links_to_resetting_a_password(client, reference):
    assert 'href="/forgotten-password"' in client.get("/sign-in").text


def test_a_forgotten_password_is_reset_by_a_link_sent_by_email(app, client, make_user, outbox):
    person = make_user(Role.partner, email="pat@example.org.uk")
    elsewhere = app.test_client()
    sign_in(elsewhere, "pat@example.org.uk")
    answer = _forgotten(client, "Pat@Example.org.uk ")
    assert "Check your email" in answer.text
    assert deliver_due() == 1
    [message] = sent_emails(outbox)
    assert message["To"] == "pat@example.org.uk"
    assert "<a href=\"https://fund.example/reset-password/" in message.get_body(
        preferencelist=("html",)).get_content()
    link = _link(message, "reset-password")

    assert "Choose a new password" in client.get(link).text
    refused = _choose(client, link, "password123456")
    assert "This password is too common" in refused.text
    done = _choose(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert attempt_sign_in("pat@example.org.uk", NEW_PASSWORD,
                           now=clock.now()).outcome is SignInOutcome.signed_in
    # Whoever was signed in as them is out, and the link works once.
    assert elsewhere.get("/dashboard").status_code == 302
    assert db.session.scalar(select(func.count(UserSession.id)).where(
        UserSession.user_id == person.id, UserSession.ended_at.is_(None))) == 1
    again = client.get(link)
    assert again.status_code == 404 and "This link does not work" in again.text
    # The link is not kept in the outbox once it has gone.
    assert db.session.scalar(select(Notification.body)) == CLEARED
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.subject_id == person.id)))
    assert {"user.password_reset_asked", "user.password_reset"} <= actions


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
        client, make_user, outbox):
    make_user(Role.partner, email="pat@example.org.uk")
    make_user(Role.partner, email="gone@example.org.uk", active=False)
    known = _forgotten(client, "pat@example.org.uk").text
    unknown = _forgotten(client, "nobody@example.org.uk").text
    deactivated = _forgotten(client, "gone@example.org.uk").text

    def without_email(text: str, email: str) -> str:
        text = re.sub(r'nonce="[^"]*"', "", re.sub(r'name="csrf_token"[^>]*>', "", text))
        return text.replace(email, "ADDRESS")

    assert without_email(known, "pat@example.org.uk") == without_email(
        unknown, "nobody@example.org.uk") == without_email(deactivated, "gone@example.org.uk")
    assert [n.email for n in db.session.scalars(select(Notification))] == ["pat@example.org.uk"]


def test_a_reset_link_runs_out_after_an_hour_and_only_the_newest_works(
        client, make_user, outbox):
    make_user(Role.partner, email="pat@example.org.uk")
    _forgotten(client, "pat@example.org.uk")
    _forgotten(client, "pat@example.org.uk")
    deliver_due()
    first, second = (_link(message, "reset-password") for message in sent_emails(outbox))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    clock.advance(timedelta(minutes=61))
    assert client.get(second).status_code == 404


def test_at_most_three_reset_emails_an_hour_go_to_one_account(client, make_user, outbox):
    make_user(Role.partner, email="pat@example.org.uk")
    for _ in range(5):
        assert "Check your email" in _forgotten(client, "pat@example.org.uk").text
    assert db.session.scalar(select(func.count(Notification.id))) == 3
    clock.advance(timedelta(minutes=61))
    _forgotten(client, "pat@example.org.uk")
    assert db.session.scalar(select(func.count(Notification.id))) == 4


def test_a_made_up_reset_link_does_not_work(client, reference):
    page = client.get("/reset-password/" + "x" * 43)
    assert page.status_code == 404 and "This link does not work" in page.text
    assert client.get("/reset-password/" + "x" * 101).status_code == 404


# Invitations ------------------------------------------------------------------------------

@pytest.fixture
def manager(app, make_user):
    user = make_user(Role.fund_manager, email="manager@mopac.example", name="Morgan Manager")
    client = app.test_client()
    sign_in(client, user.email)
    return user, client


def _invite(client, email="new.person@bexley.gov.uk", roles=("commissioner",)):
    bexley = db.session.scalar(select(LocalAuthority).where(
        LocalAuthority.name == "Bexley")).organisation.id
    return _post(client, "/admin/invitations/new", {
        "email": email, "full_name": "Nia New", "organisation_id": str(bexley),
        "roles": list(roles)})


def test_a_fund_manager_invites_a_person_who_joins_from_the_email(app, manager, outbox):
    inviter, client = manager
    answer = _invite(client)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/invitations"
    assert "Nia New" in client.get("/admin/invitations").text
    assert db.session.scalar(select(User).where(User.email == "new.person@bexley.gov.uk")) is None
    deliver_due()
    [message] = sent_emails(outbox)
    assert message["To"] == "new.person@bexley.gov.uk"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Morgan Manager has invited you" in body and "as commissioner" in body
    link = _link(message, "join")

    visitor = app.test_client()
    page = visitor.get(link)
    assert "Join the co-commissioning fund" in page.text and "Bexley" in page.text
    assert _choose(visitor, link).headers["Location"] == "/sign-in"
    person = db.session.scalar(select(User).where(User.email == "new.person@bexley.gov.uk"))
    assert person.roles == {Role.commissioner} and person.borough.name == "Bexley"
    assert sign_in(visitor, person.email, NEW_PASSWORD).headers["Location"] == "/dashboard"
    assert visitor.get(link).status_code == 404  # once only
    invitation = db.session.scalar(select(Invitation))
    assert invitation.status is InvitationStatus.accepted and invitation.user_id == person.id
    # The inviter hears that they joined.
    deliver_due()
    told = [m for m in sent_emails(outbox) if m["To"] == inviter.email]
    assert len(told) == 1 and "Nia New has joined" in told[0]["Subject"]


def test_an_invitation_can_be_resent_and_withdrawn(app, manager, outbox):
    _, client = manager
    _invite(client)
    invitation = db.session.scalar(select(Invitation))
    page = client.get("/admin/invitations").text
    resent = client.post(f"/admin/invitations/{invitation.id}/resend", data={
        "csrf_token": csrf_token(page), "version": str(invitation.version)})
    assert resent.status_code == 302
    deliver_due()
    first, second = (_link(message, "join") for message in sent_emails(outbox))
    visitor = app.test_client()
    assert visitor.get(first).status_code == 404 and visitor.get(second).status_code == 200
    db.session.refresh(invitation)
    client.post(f"/admin/invitations/{invitation.id}/withdraw", data={
        "csrf_token": csrf_token(page), "version": str(invitation.version)})
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.withdrawn
    assert visitor.get(second).status_code == 404
    assert "No invitations are waiting" in client.get("/admin/invitations").text
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("invitation.%")).order_by(AuditEntry.id)))
    assert actions == ["invitation.sent", "invitation.resent", "invitation.withdrawn"]


def test_an_invitation_runs_out_after_seven_days(app, manager, outbox):
    _, client = manager
    _invite(client)
    deliver_due()
    link = _link(sent_emails(outbox)[0], "join")
    clock.advance(timedelta(days=7, minutes=1))
    assert app.test_client().get(link).status_code == 404
    sign_in(client, "manager@mopac.example")  # a week on, signed in again
    assert "Expired" in client.get("/admin/invitations").text


def test_an_invitation_for_an_account_or_an_invitation_that_exists_is_refused(
        manager, outbox, make_user):
    _, client = manager
    make_user(Role.partner, email="pat@example.org.uk")
    refused = _invite(client, email="Pat@example.org.uk")
    assert "An account with this email address already exists" in refused.text
    _invite(client)
    again = _invite(client)
    assert "This person has already been invited" in again.text
    no_role = _invite(client, email="other@bexley.gov.uk", roles=())
    assert "Select at least one role" in no_role.text
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


@pytest.mark.parametrize("who", ["anonymous", *(role.value for role in Role)])
def test_a_made_up_link_is_404_to_everyone(client, users_by_role, who):
    if users_by_role[who]:
        sign_in(client, users_by_role[who].email)
    token = csrf_token(client.get("/forgotten-password").text)
    for url in ("/reset-password/" + "x" * 43, "/join/" + "x" * 43):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "new_password": NEW_PASSWORD,
                                      "confirm_password": NEW_PASSWORD}).status_code == 404
    assert db.session.scalar(select(func.count(User.id))) == len(Role)


def test_the_link_works_whoever_is_signed_in_in_the_browser(app, manager, outbox,
                                                            users_by_role):
    _, inviting = manager
    _invite(inviting)
    deliver_due()
    link = _link(sent_emails(outbox)[0], "join")
    browser = app.test_client()
    sign_in(browser, users_by_role["partner"].email)
    assert _choose(browser, link).status_code == 302
    assert db.session.scalar(select(User).where(User.email == "new.person@bexley.gov.uk"))


# A lead commissioner invites their partner's staff -------------------------------------

def test_a_lead_invites_someone_from_a_partner_and_manages_the_invitation(app, world,
                                                                         outbox):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PartnerRole
    from eoi.reference.models import Organisation

    people, eoi = world
    consortium = eoi.consortium
    partner = consortia.add_partner(consortium, db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust")), PartnerRole.lead_provider, by=people["lead"])
    db.session.commit()
    lead = app.test_client()
    sign_in(lead, people["lead"].email)
    url = f"/consortia/{consortium.id}/partners/{partner.id}/invite"
    answer = _post(lead, url, {"email": "sam@stgiles.example", "full_name": "Sam Worker"})
    assert answer.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert invitation.roles == {Role.partner}
    assert invitation.organisation.name == "St Giles Trust"
    assert invitation.invited_by_id == people["lead"].id
    page = lead.get(f"/consortia/{consortium.id}").text
    assert 'id="partner-invitations"' in page and "Sam Worker" in page

    # Resending and withdrawing: the fund team or whoever sent it, and nobody else.
    for who, allowed in [("member", False), ("partner", False), ("outsider", False),
                         ("panel", False), ("manager", True), ("lead", True)]:
        client = app.test_client()
        sign_in(client, people[who].email)
        db.session.refresh(invitation)
        answer = client.post(f"/admin/invitations/{invitation.id}/resend", data={
            "csrf_token": csrf_token(client.get("/account").text),
            "version": str(invitation.version),
            "back": f"/consortia/{consortium.id}"})
        assert answer.status_code == (302 if allowed else 403), who
    anonymous = app.test_client()
    assert anonymous.post(f"/admin/invitations/{invitation.id}/withdraw").status_code in (
        302, 400)
    db.session.refresh(invitation)
    withdrawn = lead.post(f"/admin/invitations/{invitation.id}/withdraw", data={
        "csrf_token": csrf_token(page), "version": str(invitation.version),
        "back": f"/consortia/{consortium.id}#partners"})
    assert withdrawn.headers["Location"] == f"/consortia/{consortium.id}#partners"
    db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.withdrawn
    # Only the consortium's managers invite, and only for a current partner.
    member = app.test_client()
    sign_in(member, people["member"].email)
    assert member.get(url).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", *(role.value for role in Role)])
def test_single_sign_on_is_404_to_everyone_until_it_is_set_up(client, users_by_role, who):
    if users_by_role[who]:
        sign_in(client, users_by_role[who].email)
    assert client.get("/sign-in/sso").status_code == 404
    assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 404
    if users_by_role[who] is None:
        assert "Sign in with" not in client.get("/sign-in").text
