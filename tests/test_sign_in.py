
import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.accounts.operations import SignInOutcome, attempt_sign_in
from eoi.extensions import db
from tests.conftest import PASSWORD, csrf_token, sign_in


def test_passwords_are_stored_as_argon2id_hashes(make_user):
    user = make_user(Role.partner)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_sign_in_lands_on_the_dashboard(client, make_user):
    make_user(Role.commissioner, borough="Bexley", email="officer@bexley.gov.uk",
              name="Sam Bexley")
    response = sign_in(client, "Officer@Bexley.gov.uk ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert "Sam Bexley" in page.text
    assert "Bexley is in the South East Basic Command Unit with Greenwich and Lewisham" in page.text


def test_wrong_password_shows_an_error_next_to_the_field(client, make_user):
    make_user(Role.partner, email="p@example.org.uk")
    response = sign_in(client, "p@example.org.uk", "wrong password!")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#email"' in response.text
    assert "Enter a correct email address and password" in response.text
    assert "<title>Error: Sign in" in response.text


def test_empty_fields_are_named(client, app_context):
    response = client.post("/sign-in", data={"csrf_token": csrf_token(client.get("/sign-in").text)})
    assert "Enter your email address" in response.text
    assert "Enter your password" in response.text


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user(Role.partner, email="p@example.org.uk")
    response = client.post("/sign-in", data={"email": "p@example.org.uk", "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form could not be sent" in response.text
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_session_cookie_is_httponly_and_lax(client, make_user):
    make_user(Role.partner, email="p@example.org.uk")
    response = sign_in(client, "p@example.org.uk")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_next_only_redirects_within_the_service(client, make_user):
    make_user(Role.partner, email="p@example.org.uk")
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in?next=https://evil.example/",
        data={"email": "p@example.org.uk", "password": PASSWORD,
              "csrf_token": csrf_token(page.text)},
    )
    assert response.headers["Location"] == "/dashboard"


def test_unknown_email_is_not_revealed(client, reference):
    response = sign_in(client, "nobody@example.org.uk")
    assert "Enter a correct email address and password" in response.text


def test_deactivated_account_cannot_sign_in_and_is_signed_out(client, make_user):
    user = make_user(Role.partner, email="p@example.org.uk")
    sign_in(client, "p@example.org.uk")
    assert client.get("/dashboard").status_code == 200
    user.is_active = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302
    response = sign_in(client, "p@example.org.uk")
    assert "Enter a correct email address and password" in response.text


def test_sign_out_needs_post_and_ends_the_session(client, make_user):
    make_user(Role.partner, email="p@example.org.uk")
    sign_in(client, "p@example.org.uk")
    assert client.get("/sign-out").status_code == 405
    page = client.get("/dashboard")
    response = client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/dashboard").status_code == 302


def test_change_own_password(client, make_user):
    user = make_user(Role.partner, email="p@example.org.uk")
    sign_in(client, "p@example.org.uk")
    page = client.get("/account/password")
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(page.text), "current_password": "not it",
        "new_password": "a much longer passphrase", "confirm_password": "a much longer passphrase",
    })
    assert "Your current password is not correct" in response.text
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(page.text), "current_password": PASSWORD,
        "new_password": "short", "confirm_password": "short",
    })
    assert "Password must be between 12 and 200 characters" in response.text
    for common in ("password1234", "Qwertyuiop123", "aaaaaaaaaaaaaaaa", " 1234567890123 "):
        response = client.post("/account/password", data={
            "csrf_token": csrf_token(page.text), "current_password": PASSWORD,
            "new_password": common, "confirm_password": common,
        })
        assert "This password is too common" in response.text, common
    db.session.refresh(user)
    old_hash = user.password_hash
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(page.text), "current_password": PASSWORD,
        "new_password": "a much longer passphrase", "confirm_password": "a much longer passphrase",
    })
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert attempt_sign_in("p@example.org.uk", "a much longer passphrase",
                           now=clock.now()).outcome is SignInOutcome.signed_in


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_dashboard(client, users_by_role, role):
    headings = {
        Role.fund_manager: "Running the fund",
        Role.commissioner: "Your borough's work",
        Role.panel_member: "Your assessments",
        Role.partner: "Your funded projects",
    }
    sign_in(client, users_by_role[role.value].email)
    page = client.get("/dashboard").text
    for other, heading in headings.items():
        assert (heading in page) == (other is role)


def test_a_user_with_two_roles_sees_both(client, make_user):
    user = make_user(Role.commissioner, Role.panel_member, borough="Croydon")
    sign_in(client, user.email)
    page = client.get("/dashboard").text
    assert "Your borough's work" in page and "Your assessments" in page
    assert "Running the fund" not in page


def test_user_loader_ignores_unknown_ids(client, app_context):
    with client.session_transaction() as session:
        session["_user_id"] = "999999"
    assert client.get("/dashboard").status_code == 302
    assert db.session.scalar(select(User).where(User.id == 999999)) is None


def test_the_service_hashes_with_full_strength_argon2id():
    """Tests use cheap parameters; the service as it starts uses OWASP's 19 MiB, 2 passes,
    1 lane, and upgrades a hash made with other parameters (the library's defaults, which
    the service used before) at the next sign-in."""
    import importlib

    import eoi.accounts.passwords as passwords

    try:
        importlib.reload(passwords)
        stored = passwords.hash_password("a long passphrase")
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert passwords.verify_password(stored, "a long passphrase")
        assert not passwords.needs_rehash(stored)
        assert passwords.needs_rehash(
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
            "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY")
    finally:
        passwords.use_cheap_parameters_for_tests()


def test_a_hash_made_with_other_parameters_is_upgraded_at_sign_in(client, make_user):
    from argon2 import PasswordHasher

    user = make_user(Role.partner, email="old@example.org.uk")
    older = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=2).hash(PASSWORD)
    user.password_hash = older
    db.session.commit()
    assert sign_in(client, "old@example.org.uk").status_code == 302
    db.session.refresh(user)
    assert user.password_hash != older
    assert not user.password_hash.startswith("$argon2id$v=19$m=2048,t=1,p=2$")
    assert sign_in(client.application.test_client(), "old@example.org.uk").status_code == 302


def test_signing_in_is_not_an_edit_of_the_account(client, make_user):
    """Two sign-ins to one account at once, or one while a fund manager changes the account,
    must not conflict: signing in leaves the account's version as it was."""
    user = make_user(Role.partner, email="twice@example.org.uk")
    db.session.commit()
    version = user.version
    assert sign_in(client, "twice@example.org.uk").status_code == 302
    assert sign_in(client.application.test_client(), "twice@example.org.uk").status_code == 302
    db.session.refresh(user)
    assert user.version == version
    assert user.last_signed_in_at is not None
