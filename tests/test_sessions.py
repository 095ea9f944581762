"""Signed-in sessions live on the server: signing out, a new password, deactivation or a
change of access ends them, whatever a copied cookie says."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, SessionEnd, UserSession
from eoi.accounts.operations import note_seen
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in, sign_out


def signed_in_client(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie, as someone who copied
    it (from a shared computer, a proxy log) would."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


@pytest.fixture
def person(make_user):
    return make_user(Role.partner, email="pat@example.org.uk", name="Pat Partner")


@pytest.fixture
def manager(app, make_user):
    user = make_user(Role.fund_manager, email="manager@mopac.example")
    return user, signed_in_client(app, user.email)


def _sessions_of(user) -> list[UserSession]:
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()


def test_a_copied_cookie_stops_working_after_sign_out(app, person):
    browser = signed_in_client(app, person.email)
    copied = copy_of(app, browser)
    assert signed_in(copied)

    sign_out(browser)

    assert not signed_in(browser)
    assert not signed_in(copied)
    assert _sessions_of(person)[0].end_reason is SessionEnd.signed_out


def test_the_cookie_names_a_session_not_the_person(app, person):
    """A cookie made with the account's id, as every cookie was before sessions were kept
    on the server, signs nobody in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(person.id)
    assert not signed_in(client)


def test_only_a_hash_of_the_token_is_kept(app, person):
    browser = signed_in_client(app, person.email)
    with browser.session_transaction() as session:
        token = session["_user_id"]
    kept = _sessions_of(person)[0]
    assert token not in {kept.token_hash, str(kept.id)} and len(kept.token_hash) == 64
    assert kept.created_at == kept.last_seen_at and kept.ended_at is None


def test_a_new_password_set_by_a_fund_manager_signs_the_person_out_everywhere(
        app, person, manager):
    fund_manager, manager_browser = manager
    office, phone = signed_in_client(app, person.email), signed_in_client(app, person.email)

    response = post_form(manager_browser, f"/admin/users/{person.id}/password",
                         {"password": "a brand new password"})

    assert response.status_code == 302
    assert not signed_in(office) and not signed_in(phone)
    assert signed_in(manager_browser)
    assert {s.end_reason for s in _sessions_of(person)} == {SessionEnd.password_set}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_ended"))
    assert entry.subject_id == person.id and entry.user_id == fund_manager.id
    assert "2 sessions" in entry.summary
    # The new password works, from a fresh sign-in.
    assert signed_in(signed_in_client(app, person.email, "a brand new password"))


def test_deactivation_signs_the_person_out_for_good(app, person, manager):
    _, manager_browser = manager
    browser = signed_in_client(app, person.email)
    token = csrf_token(manager_browser.get(f"/admin/users/{person.id}").text)

    manager_browser.post(f"/admin/users/{person.id}/active",
                         data={"csrf_token": token, "active": "0"})
    assert not signed_in(browser)
    # Reactivating the account does not bring the old session back.
    manager_browser.post(f"/admin/users/{person.id}/active",
                         data={"csrf_token": token, "active": "1"})
    assert not signed_in(browser)
    assert _sessions_of(person)[0].end_reason is SessionEnd.deactivated


def test_a_change_of_roles_signs_the_person_out_but_a_new_name_does_not(app, person, manager):
    _, manager_browser = manager
    browser = signed_in_client(app, person.email)
    edit = f"/admin/users/{person.id}"

    post_form(manager_browser, edit, {"full_name": "Pat Renamed", "roles": ["partner"],
                                      "organisation_id": person.organisation_id,
                                      "version": person.version})
    assert signed_in(browser)

    db.session.refresh(person)
    post_form(manager_browser, edit, {"full_name": "Pat Renamed",
                                      "roles": ["partner", "panel_member"],
                                      "organisation_id": person.organisation_id,
                                      "version": person.version})
    assert not signed_in(browser)
    assert _sessions_of(person)[0].end_reason is SessionEnd.access_changed


def test_a_fund_manager_changing_their_own_roles_stays_signed_in_here(app, manager):
    fund_manager, manager_browser = manager
    elsewhere = signed_in_client(app, fund_manager.email)
    post_form(manager_browser, f"/admin/users/{fund_manager.id}", {
        "full_name": fund_manager.full_name, "roles": ["fund_manager", "panel_member"],
        "organisation_id": fund_manager.organisation_id, "version": fund_manager.version})
    assert signed_in(manager_browser)
    assert not signed_in(elsewhere)


def test_changing_your_own_password_keeps_this_session_and_ends_the_others(app, person):
    here, there = signed_in_client(app, person.email), signed_in_client(app, person.email)

    response = post_form(here, "/account/password", {
        "current_password": PASSWORD, "new_password": "a much longer passphrase",
        "confirm_password": "a much longer passphrase"})

    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(there)
    kept, ended = _sessions_of(person)
    assert kept.ended_at is None and ended.end_reason is SessionEnd.password_changed


def test_a_session_ends_after_its_lifetime(app, person):
    browser = signed_in_client(app, person.email)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    clock.advance(lifetime - timedelta(minutes=1))
    assert signed_in(browser)
    clock.advance(timedelta(minutes=2))
    assert not signed_in(browser)


def test_last_seen_is_written_at_most_every_five_minutes(app, person):
    clock.set_now(clock.now(), ticking=False)
    browser = signed_in_client(app, person.email)
    session = _sessions_of(person)[0]
    started = session.last_seen_at

    clock.advance(timedelta(minutes=4))
    browser.get("/account")
    db.session.refresh(session)
    assert session.last_seen_at == started

    clock.advance(timedelta(minutes=2))
    browser.get("/account")
    db.session.refresh(session)
    assert session.last_seen_at == started + timedelta(minutes=6)


def test_note_seen_says_whether_it_wrote(person):
    now = clock.now()
    session = UserSession(user=person, token_hash="0" * 64, created_at=now, last_seen_at=now)
    assert not note_seen(session, now=now + timedelta(minutes=4, seconds=59))
    assert note_seen(session, now=now + timedelta(minutes=5))
    assert session.last_seen_at == now + timedelta(minutes=5)


def test_one_lookup_finds_the_person_and_their_session(app, person):
    """The session and the person come back in one query, so a signed-in page costs one
    lookup more than an anonymous one, not two."""
    from sqlalchemy import event

    browser = signed_in_client(app, person.email)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        browser.get("/healthz")  # a page that asks nothing about the person itself
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("user_sessions" in s for s in statements) == 1
    assert sum("FROM users" in s for s in statements) == 0


def test_a_person_sees_where_they_are_signed_in_and_ends_another_session(app, person,
                                                                         make_user):
    here = signed_in_client(app, person.email)
    there = signed_in_client(app, person.email)
    someone_else = make_user(Role.partner)
    theirs = signed_in_client(app, someone_else.email)
    assert theirs.get("/dashboard").status_code == 200
    page = here.get("/account/sessions")
    assert "2 sessions" in page.text and "This browser" in page.text
    mine = _sessions_of(person)
    other = next(s for s in mine if f"/account/sessions/{s.id}/end" in page.text)
    token = csrf_token(page.text)
    here.post(f"/account/sessions/{other.id}/end", data={"csrf_token": token})
    assert there.get("/dashboard").status_code == 302
    assert here.get("/dashboard").status_code == 200
    db.session.refresh(other)
    assert other.end_reason is SessionEnd.ended_by_owner
    # Not someone else's, and not the one in use.
    their_session = _sessions_of(someone_else)[0]
    here.post(f"/account/sessions/{their_session.id}/end", data={"csrf_token": token})
    assert theirs.get("/dashboard").status_code == 200
    current = next(s for s in _sessions_of(person) if s.ended_at is None)
    refused = here.post(f"/account/sessions/{current.id}/end", data={"csrf_token": token},
                        follow_redirects=True)
    assert "This is the session you are using" in refused.text
