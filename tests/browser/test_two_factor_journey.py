"""A panel member sets up two-factor sign-in with an authenticator app, and from then on must
give a code after the password; every page checked by axe."""

import re
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from eoi import clock
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (the demo fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PANEL = "panel1@demo.example"


def test_a_panel_member_sets_up_a_second_factor_and_then_must_give_a_code(page):
    sign_in(page, PANEL)
    page.goto("/account")
    assert_accessible(page)
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    assert_accessible(page)
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Set up two-factor sign-in")
    expect(page.locator(".eoi-qr-code svg")).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    assert_accessible(page)

    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.goto("/account/sessions")
    expect(page.locator("table")).to_contain_text("This browser")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, PANEL)
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert_accessible(page)
    page.goto("/dashboard")  # a password alone signs nobody in
    expect(page).to_have_url(re.compile(r"/sign-in"))
    sign_in(page, PANEL)
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    assert_accessible(page)
    # The next 30 seconds' code: the one used at setting up works only once.
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30)))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
