"""Guessing passwords is slow, nobody else's guessing keeps the owner out for more than a
minute (or at all, from their own browser), and an address with no account is answered
exactly like one with."""

import re
from datetime import timedelta

import pytest
from flask import request
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts import operations, throttling
from eoi.accounts.models import Role, SignInFailure
from eoi.accounts.operations import SignInClient, SignInOutcome, attempt_sign_in, set_password
from eoi.extensions import db
from tests.conftest import PASSWORD, csrf_token, sign_in, sign_out

OWNER = "owner@example.org.uk"
NOBODY = "ghost@example.org.uk"  # the same length as OWNER: their pages compare byte for byte
TOO_MANY = "Too many attempts to sign in. Wait a minute, then try again"

ATTACKER = SignInClient(address="203.0.113.66")


@pytest.fixture
def owner(make_user):
    return make_user(Role.partner, email=OWNER)


@pytest.fixture
def stopped_clock():
    clock.set_now(clock.now(), ticking=False)
    return clock.now()


def guesses(email: str, count: int, *, client: SignInClient = ATTACKER, now=None):
    now = now or clock.now()
    return [attempt_sign_in(email, f"guess {n}", now=now, client=client).outcome
            for n in range(count)]


@pytest.mark.parametrize("email", [OWNER, NOBODY])
def test_ten_wrong_guesses_a_minute_then_refused_until_the_minute_is_up(owner, email):
    now = clock.now()
    assert guesses(email, 10, now=now) == [SignInOutcome.wrong_credentials] * 10
    # The 11th is refused, whatever the password.
    assert attempt_sign_in(email, PASSWORD, now=now, client=ATTACKER).outcome is (
        SignInOutcome.throttled)
    later = now + timedelta(seconds=59)
    assert attempt_sign_in(email, PASSWORD, now=later, client=ATTACKER).outcome is (
        SignInOutcome.throttled)
    # A minute after the guesses, the account can be signed in to again, from anywhere.
    after = now + timedelta(minutes=1)
    expected = SignInOutcome.signed_in if email == OWNER else SignInOutcome.wrong_credentials
    assert attempt_sign_in(email, PASSWORD, now=after, client=ATTACKER).outcome is expected


def test_refused_attempts_do_not_count_so_the_wait_is_never_longer(owner):
    now = clock.now()
    guesses(OWNER, 10, now=now)
    for second in range(0, 60, 5):  # someone keeps trying through the minute
        guesses(OWNER, 3, now=now + timedelta(seconds=second))
    assert attempt_sign_in(OWNER, PASSWORD, now=now + timedelta(minutes=1),
                           client=SignInClient(address="198.51.100.7")).outcome is (
        SignInOutcome.signed_in)


def test_the_owners_own_browser_signs_in_during_an_attack(app, owner, stopped_clock):
    own_browser = app.test_client()
    assert sign_in(own_browser, OWNER).status_code == 302
    assert own_browser.get_cookie(throttling.DEVICE_COOKIE, path="/sign-in") is not None
    sign_out(own_browser)

    attacker = app.test_client()
    for n in range(25):
        sign_in(attacker, OWNER, f"guess {n}")
    assert sign_in(attacker, OWNER).status_code == 429  # even with the right password
    new_browser = app.test_client()
    assert sign_in(new_browser, OWNER).status_code == 429

    assert sign_in(own_browser, OWNER).status_code == 302
    assert own_browser.get("/account").status_code == 200


def test_a_device_cookie_is_counted_on_its_own(owner, stopped_clock):
    signed_in = attempt_sign_in(OWNER, PASSWORD, now=stopped_clock)
    device = SignInClient(address=ATTACKER.address, device_cookie=signed_in.device_cookie)
    assert guesses(OWNER, 10, client=device) == [SignInOutcome.wrong_credentials] * 10
    assert guesses(OWNER, 1, client=device) == [SignInOutcome.throttled]
    # Its failures are not the account's or the address's: others may still try.
    assert attempt_sign_in(OWNER, PASSWORD, now=stopped_clock, client=ATTACKER).outcome is (
        SignInOutcome.signed_in)


def test_a_device_cookie_works_only_for_its_account_and_its_password(make_user, owner,
                                                                    stopped_clock):
    other = make_user(Role.partner, email="other@example.org.uk")
    other_device = attempt_sign_in(other.email, PASSWORD, now=stopped_clock).device_cookie
    own_device = attempt_sign_in(OWNER, PASSWORD, now=stopped_clock).device_cookie
    set_password(owner, "a brand new password", by=owner)
    db.session.commit()
    forged = own_device[:-2] + ("AA" if not own_device.endswith("AA") else "BB")

    for n, cookie in enumerate((other_device, own_device, forged, "not a cookie")):
        device = SignInClient(address=f"192.0.2.{n}", device_cookie=cookie)
        assert guesses(OWNER, 10, client=device, now=stopped_clock) == (
            [SignInOutcome.wrong_credentials] * 10)
        # Counted as any browser is, by the account: refused.
        assert guesses(OWNER, 1, client=device, now=stopped_clock) == [SignInOutcome.throttled]
        stopped_clock += timedelta(minutes=1)


def test_device_cookies_expire(app, owner):
    now = clock.now().replace(microsecond=0)  # the cookie says when it was made to the second
    cookie = attempt_sign_in(OWNER, PASSWORD, now=now).device_cookie
    secret, password_hash = app.config["SECRET_KEY"], owner.password_hash
    assert throttling.trusted_device(secret, cookie, email=OWNER, password_hash=password_hash,
                                     now=now + throttling.DEVICE_COOKIE_LIFETIME) is not None
    assert throttling.trusted_device(
        secret, cookie, email=OWNER, password_hash=password_hash,
        now=now + throttling.DEVICE_COOKIE_LIFETIME + timedelta(seconds=1)) is None


def test_each_client_address_may_fail_30_times_a_minute(make_user, stopped_clock):
    make_user(Role.partner, email="real@example.org.uk")
    for n in range(30):  # a few guesses at each of many accounts
        assert guesses(f"person{n}@example.org.uk", 1) == [SignInOutcome.wrong_credentials]
    assert attempt_sign_in("real@example.org.uk", PASSWORD, now=stopped_clock,
                           client=ATTACKER).outcome is SignInOutcome.throttled
    elsewhere = SignInClient(address="198.51.100.7")
    assert attempt_sign_in("real@example.org.uk", PASSWORD, now=stopped_clock,
                           client=elsewhere).outcome is SignInOutcome.signed_in


def test_an_ipv6_client_is_counted_by_its_64():
    assert throttling.client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttling.client_network("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert throttling.client_network("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttling.client_network("192.0.2.1") == "192.0.2.1"
    assert throttling.client_network(None) == throttling.client_network("junk") == "unknown"


def test_the_counts_hold_no_email_or_address(owner, stopped_clock):
    guesses(OWNER, 1)
    keys = db.session.scalars(select(SignInFailure.key_hash)).all()
    assert len(keys) == 2
    assert all(OWNER not in key and "203.0.113" not in key and len(key) == 64 for key in keys)


def test_old_failures_are_deleted(owner, stopped_clock):
    guesses(OWNER, 3)
    guesses(NOBODY, 1, now=stopped_clock + timedelta(minutes=2))
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 2


# Through the pages -----------------------------------------------------------------------

def _post_sign_in(client, email: str, password: str):
    page = client.get("/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": csrf_token(page.text)})


def _page(response, email: str) -> str:
    """The page without what differs on every response (the CSRF token and the
    stylesheet-and-script nonce) or was typed (the email address)."""
    html = response.text.replace(email, "EMAIL")
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


def _headers(response) -> dict:
    return {name: value for name, value in response.headers.items()
            if name not in {"Set-Cookie", "Content-Security-Policy"}}


def test_an_unknown_address_is_answered_exactly_like_a_known_one(app, owner, stopped_clock,
                                                                  monkeypatch):
    checked = []
    verify = operations.verify_password
    monkeypatch.setattr(operations, "verify_password",
                        lambda stored, password: checked.append(stored) or verify(stored,
                                                                                  password))
    answers = {}
    for email, address in ((OWNER, "192.0.2.1"), (NOBODY, "192.0.2.2")):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        responses = [_post_sign_in(client, email, f"guess {n}") for n in range(11)]
        answers[email] = [(r.status_code, _headers(r), _page(r, email)) for r in responses]
    known, unknown = answers[OWNER], answers[NOBODY]
    assert known == unknown  # status, headers (Content-Length too) and page
    assert [status for status, _, _ in known] == [200] * 10 + [429]
    assert "Enter a correct email address and password" in known[0][2]
    assert TOO_MANY in known[-1][2] and known[-1][1]["Retry-After"] == "60"
    # Every answer, refusals too, cost a password hash: the owner's, or the stand-in's.
    assert checked.count(owner.password_hash) == 11 and checked.count(None) == 11


def test_a_refusal_is_explained_beside_the_field(client, owner, stopped_clock):
    for n in range(10):
        _post_sign_in(client, OWNER, f"guess {n}")
    response = _post_sign_in(client, OWNER, PASSWORD)
    assert response.status_code == 429
    assert "There is a problem" in response.text and 'href="#email"' in response.text
    assert TOO_MANY in response.text and "<title>Error: Sign in" in response.text
    assert client.get("/dashboard").status_code == 302  # not signed in
    clock.advance(timedelta(minutes=1))
    assert _post_sign_in(client, OWNER, PASSWORD).status_code == 302


def test_x_forwarded_for_is_not_believed_by_default(client, owner, stopped_clock):
    for n in range(30):
        page = client.get("/sign-in")
        client.post("/sign-in", headers={"X-Forwarded-For": f"198.51.100.{n}"}, data={
            "email": f"person{n}@example.org.uk", "password": "guess",
            "csrf_token": csrf_token(page.text)})
    page = client.get("/sign-in")
    response = client.post("/sign-in", headers={"X-Forwarded-For": "198.51.100.99"}, data={
        "email": OWNER, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    assert response.status_code == 429


def test_proxy_hops_make_the_forwarded_address_the_clients(database_url):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from eoi import create_app

    behind_one = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                             "EOI_PROXY_HOPS": 1})
    assert isinstance(behind_one.wsgi_app, ProxyFix)
    assert (behind_one.wsgi_app.x_for, behind_one.wsgi_app.x_host) == (1, 0)
    seen = []
    behind_one.before_request(lambda: seen.append(request.remote_addr))
    behind_one.test_client().get("/healthz", headers={"X-Forwarded-For": "198.51.100.9"})
    assert seen == ["198.51.100.9"]
    with behind_one.app_context():
        db.engine.dispose()

    direct = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    assert not isinstance(direct.wsgi_app, ProxyFix)
