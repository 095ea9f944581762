"""Two-factor sign-in (eoi.accounts.two_factor): setting it up, signing in with a code or a
recovery code, codes that work once, the limit on wrong codes, the roles that need it, a
code asked again before the most sensitive actions, and a fund manager's reset."""

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts import two_factor
from eoi.accounts.models import RecoveryCode, Role, UserSession
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from tests.conftest import PASSWORD, csrf_token, sign_in


def _post(client, url: str, data: dict | None = None, *, page: str | None = None):
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * offset))


def _set_up(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor/set-up")
    assert "<svg" in page.text and "QR code for your authenticator app" in page.text
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    done = client.post("/account/two-factor/set-up", data={
        "csrf_token": csrf_token(page.text), "code": _code(secret)})
    assert "Your recovery codes" in done.text, done.text
    codes = re.findall(r'<code class="eoi-action">([a-z0-9]{5}-[a-z0-9]{5})</code>', done.text)
    return secret, codes


@pytest.fixture
def panel_member(make_user):
    return make_user(Role.panel_member, email="panel@example.org.uk")


def _password_step(client, email: str):
    answer = sign_in(client, email)
    assert answer.headers["Location"] == "/sign-in/code"
    return answer


def test_a_person_sets_it_up_and_then_must_give_a_code(app, client, panel_member):
    sign_in(client, panel_member.email)
    wrong = _post(client, "/account/two-factor/set-up", {"code": "000000"})
    assert "The code is not right" in wrong.text
    secret, codes = _set_up(client)
    assert len(codes) == len(set(codes)) == two_factor.RECOVERY_CODES
    db.session.refresh(panel_member)
    assert panel_member.has_two_factor and panel_member.totp_secret == secret
    # Only hashes of the recovery codes are kept.
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not {code.replace("-", "") for code in codes} & hashes

    other = app.test_client()
    _password_step(other, panel_member.email)
    assert other.get("/dashboard").status_code == 302  # not signed in by a password alone
    refused = _post(other, "/sign-in/code", {"code": "123456"})
    assert two_factor.WRONG_CODE in refused.text
    clock.advance(timedelta(seconds=31))
    answer = _post(other, "/sign-in/code", {"code": _code(secret)})
    assert answer.headers["Location"] == "/dashboard"
    assert other.get("/dashboard").status_code == 200
    live = db.session.scalars(select(UserSession).where(
        UserSession.user_id == panel_member.id).order_by(UserSession.id.desc())).first()
    assert live.second_factor_at is not None
    assert "Signed in with a second factor" in db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "user.signed_in")).all()


def test_a_code_works_once(app, client, panel_member):
    sign_in(client, panel_member.email)
    secret, _ = _set_up(client)
    clock.set_now(clock.now() + timedelta(seconds=31), ticking=False)
    first, second = app.test_client(), app.test_client()
    code = _code(secret)
    _password_step(first, panel_member.email)
    _password_step(second, panel_member.email)
    assert _post(first, "/sign-in/code", {"code": code}).status_code == 302
    assert two_factor.WRONG_CODE in _post(second, "/sign-in/code", {"code": code}).text


def test_a_recovery_code_signs_in_once(app, client, panel_member):
    sign_in(client, panel_member.email)
    _, codes = _set_up(client)
    other = app.test_client()
    _password_step(other, panel_member.email)
    assert _post(other, "/sign-in/code", {"code": codes[0].upper().replace("-", " ")}
                 ).status_code == 302
    again = app.test_client()
    _password_step(again, panel_member.email)
    assert two_factor.WRONG_CODE in _post(again, "/sign-in/code", {"code": codes[0]}).text
    assert two_factor.recovery_codes_left(panel_member) == 9


def test_wrong_codes_are_limited(app, client, panel_member):
    sign_in(client, panel_member.email)
    secret, _ = _set_up(client)
    other = app.test_client()
    _password_step(other, panel_member.email)
    for _ in range(two_factor.WRONG_CODES_A_MINUTE):
        assert two_factor.WRONG_CODE in _post(other, "/sign-in/code", {"code": "111111"}).text
    clock.advance(timedelta(seconds=31))
    assert two_factor.TOO_MANY in _post(other, "/sign-in/code", {"code": _code(secret)}).text
    clock.advance(timedelta(seconds=31))
    assert _post(other, "/sign-in/code", {"code": _code(secret)}).status_code == 302


def test_the_code_step_runs_out(app, client, panel_member):
    sign_in(client, panel_member.email)
    secret, _ = _set_up(client)
    other = app.test_client()
    _password_step(other, panel_member.email)
    clock.advance(two_factor.PENDING_FOR + timedelta(seconds=1))
    assert other.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert other.get("/dashboard").status_code == 302


def test_the_code_page_without_a_password_goes_to_sign_in(client, reference):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_roles_that_need_it_set_it_up_before_anything_else(app, client, panel_member,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "EOI_REQUIRE_2FA", frozenset({Role.panel_member}))
    sign_in(client, panel_member.email)
    assert client.get("/dashboard").headers["Location"] == "/account/two-factor/set-up"
    assert client.get("/assessment").status_code == 302
    page = client.get("/account/two-factor/set-up")
    assert "Your roles need two-factor sign-in" in page.text
    _set_up(client)
    assert client.get("/dashboard").status_code == 200
    refused = _post(client, "/account/two-factor/off", page="/account/two-factor")
    assert refused.status_code == 302
    db.session.refresh(panel_member)
    assert panel_member.has_two_factor  # cannot be turned off


def test_it_can_be_turned_off_when_not_required(client, panel_member):
    sign_in(client, panel_member.email)
    _set_up(client)
    _post(client, "/account/two-factor/off", page="/account/two-factor")
    db.session.refresh(panel_member)
    assert not panel_member.has_two_factor
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0


def test_new_recovery_codes_replace_the_old(app, client, panel_member):
    sign_in(client, panel_member.email)
    _, old = _set_up(client)
    page = _post(client, "/account/two-factor/recovery-codes", page="/account/two-factor")
    new = re.findall(r'<code class="eoi-action">([a-z0-9]{5}-[a-z0-9]{5})</code>', page.text)
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    _password_step(other, panel_member.email)
    assert two_factor.WRONG_CODE in _post(other, "/sign-in/code", {"code": old[0]}).text


def test_a_fund_manager_resets_a_lost_second_factor(app, client, make_user, panel_member):
    manager = make_user(Role.fund_manager, email="manager@mopac.example")
    sign_in(client, panel_member.email)
    _set_up(client)
    running = app.test_client()
    sign_in(running, manager.email)
    page = running.get(f"/admin/users/{panel_member.id}").text
    assert "Reset two-factor sign-in" in page
    running.post(f"/admin/users/{panel_member.id}/two-factor-reset",
                 data={"csrf_token": csrf_token(page)})
    db.session.refresh(panel_member)
    assert not panel_member.has_two_factor
    assert client.get("/dashboard").status_code == 302  # signed out
    assert sign_in(app.test_client(), panel_member.email).headers["Location"] == "/dashboard"
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "user.two_factor_reset")) == 1


def test_publishing_decisions_and_changing_access_ask_for_a_recent_code(app, make_user):
    manager = make_user(Role.fund_manager, email="manager@mopac.example")
    target = make_user(Role.partner)
    client = app.test_client()
    sign_in(client, manager.email)
    secret, _ = _set_up(client)
    edit = f"/admin/users/{target.id}"
    assert client.get(edit).status_code == 200  # the code at setting up is recent
    clock.advance(two_factor.REASK_AFTER + timedelta(seconds=1))
    asked = client.get(edit)
    assert asked.headers["Location"].startswith("/account/confirm-code?next=")
    page = client.get(asked.headers["Location"])
    assert "more than 15 minutes ago" in page.text
    back = client.post(asked.headers["Location"], data={
        "csrf_token": csrf_token(page.text), "code": _code(secret)})
    assert back.headers["Location"] == edit
    assert client.get(edit).status_code == 200


def test_publishing_decisions_asks_for_a_recent_code(app, world):
    from eoi.rounds.models import RoundStatus

    people, eoi = world
    funding_round = eoi.funding_round
    client = app.test_client()
    sign_in(client, people["manager"].email)
    _set_up(client)
    clock.advance(two_factor.REASK_AFTER + timedelta(seconds=1))
    answer = client.post(f"/rounds/{funding_round.id}/status", data={
        "csrf_token": csrf_token(client.get("/account").text), "status": "decided"})
    assert answer.headers["Location"] == (
        f"/account/confirm-code?next=/rounds/{funding_round.id}")
    db.session.refresh(funding_round)
    assert funding_round.status is RoundStatus.open


def test_without_two_factor_nothing_is_asked_again(app, make_user):
    manager = make_user(Role.fund_manager, email="manager@mopac.example")
    target = make_user(Role.partner)
    client = app.test_client()
    sign_in(client, manager.email)
    clock.advance(two_factor.REASK_AFTER + timedelta(minutes=1))
    assert client.get(f"/admin/users/{target.id}").status_code == 200


@pytest.mark.parametrize("value,roles", [
    (None, frozenset()), ("", frozenset()), ("none", frozenset()),
    ("fund_manager, panel_member", frozenset({Role.fund_manager, Role.panel_member})),
])
def test_the_setting_names_roles(value, roles):
    assert two_factor.parse_required_roles(value, production=False) == roles


def test_production_requires_it_of_fund_managers_and_panel_members_by_default():
    assert two_factor.parse_required_roles(None, production=True) == {
        Role.fund_manager, Role.panel_member}
    with pytest.raises(ValueError, match="not roles: admin"):
        two_factor.parse_required_roles("admin", production=True)


def test_signing_in_without_two_factor_is_unchanged(client, panel_member):
    assert sign_in(client, panel_member.email, PASSWORD).headers["Location"] == "/dashboard"


@pytest.mark.parametrize("who", ["anonymous", *(role.value for role in Role)])
def test_the_code_pages_for_every_role(client, users_by_role, who):
    """Anonymous: to sign in. Signed in without two-factor sign-in: the code step goes to
    sign in (no password was just given), and a code asked again goes back where it was."""
    user = users_by_role[who]
    if user is None:
        for url in ("/sign-in/code", "/account/confirm-code"):
            assert client.get(url).headers["Location"].startswith("/sign-in")
        return
    sign_in(client, user.email)
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/account/confirm-code?next=/rounds").headers["Location"] == "/rounds"
    assert client.get("/account/confirm-code?next=https://evil.example/").headers[
        "Location"] == "/dashboard"


def test_a_code_in_another_script_or_with_symbols_is_just_wrong(client, panel_member):
    sign_in(client, panel_member.email)
    for typed in ("٣٣٣٣٣٣", "²²²²²²", "12 34 5€", "\u202e123456"):
        answer = _post(client, "/account/two-factor/set-up", {"code": typed})
        assert answer.status_code == 200 and "The code is not right" in answer.text, typed
