"""Single sign-on against a real OpenID Connect provider (the npm package oidc-provider,
started on loopback): a person with an account, an invited person who joins by signing in,
and an address the provider has not verified, which is refused. The provider's own login
and consent pages are its, not ours: axe checks ours."""

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eoi.accounts.models import Invitation, InvitationStatus, User
from eoi.extensions import db
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo  # noqa: F401  (the demo fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PROVIDER = Path(__file__).parents[1] / "oidc" / "provider.mjs"


@pytest.fixture
def provider(app, live_server, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["node", str(PROVIDER), str(port),
                                f"{live_server}/sign-in/sso/callback"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the OpenID provider did not start: {process.stdout.read()}")
        for key, value in {"EOI_OIDC_ISSUER": f"http://127.0.0.1:{port}",
                           "EOI_OIDC_CLIENT_ID": "eoi-test",
                           "EOI_OIDC_CLIENT_SECRET": "eoi-test-secret",
                           "EOI_OIDC_NAME": "your organisation's account"}.items():
            monkeypatch.setitem(app.config, key, value)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def _through_the_provider(page, login: str) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]", has_text="Continue")
    if consent.count():
        consent.click()


def test_a_person_signs_in_through_their_organisation(page, provider):
    _through_the_provider(page, "lead.greenwich@demo.example")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("body")).to_contain_text("Greenwich")
    assert_accessible(page)


def test_an_invited_person_joins_by_signing_in_through_their_organisation(page, provider):
    from eoi.accounts.joining import invite
    from eoi.accounts.models import Role
    from eoi.reference.models import Organisation

    manager = db.session.scalar(select(User).where(User.email == "manager@demo.example"))
    invite(email="nia@stgiles.example", full_name="Nia New",
           organisation=db.session.scalar(select(Organisation).where(
               Organisation.name == "St Giles Trust")), roles={Role.partner}, by=manager)
    db.session.commit()
    _through_the_provider(page, "nia@stgiles.example")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
    db.session.expire_all()
    person = db.session.scalar(select(User).where(User.email == "nia@stgiles.example"))
    assert person is not None and person.roles == {Role.partner}
    assert db.session.scalar(select(Invitation.status)) is InvitationStatus.accepted


@pytest.mark.parametrize("login,reason", [
    ("unverified:lead.greenwich@demo.example", "did not confirm your email address"),
    ("stranger@nowhere.example", "There is no account for stranger@nowhere.example"),
])
def test_an_unverified_or_unknown_address_is_refused(page, provider, login, reason):
    _through_the_provider(page, login)
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(reason)
    assert_accessible(page)
