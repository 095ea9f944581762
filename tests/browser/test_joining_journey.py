"""Joining by invitation and resetting a forgotten password, in the browser, with every
page checked by axe; the emails read from the outbox folder as a person would open them."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, delivered
from tests.browser.test_journeys import (  # noqa: F401  (the demo fixture)
    demo,
    open_administration,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

NEW_PASSWORD = "kettle orbit lantern"


def _link_in_the_email_to(folder, to: str, live_server: str) -> str:
    """What the scheduler would send, sent now; the link in the newest email to `to`."""
    mine = [message for message in delivered(folder) if message["To"] == to]
    assert mine, f"no email to {to}"
    body = mine[-1].get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(live_server) + r"(/[a-z-]+/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def _choose_password(page, password: str, button: str) -> None:
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name=button).click()


def test_a_fund_manager_invites_a_person_who_sets_a_password_and_signs_in(
        page, outbox, live_server, chromium):
    sign_in(page, "manager@demo.example")
    open_administration(page, "Users")
    page.get_by_role("button", name="Invite a person").click()
    expect(page.locator("h1")).to_have_text("Invite a person")
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()  # nothing filled in
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address")
    expect(summary).to_contain_text("Select at least one role")
    assert_accessible(page)
    page.get_by_label("Email address").fill("nia.new@lewisham.example")
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Organisation").select_option(label="London Borough of Lewisham")
    page.get_by_label("Commissioner").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    expect(page.locator("table")).to_contain_text("Nia New")
    assert_accessible(page)

    link = _link_in_the_email_to(outbox, "nia.new@lewisham.example", live_server)
    page.goto("/admin/notifications?delivery=sent")
    expect(page.locator("table")).to_contain_text("nia.new@lewisham.example")
    assert_accessible(page)

    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    invited = context.new_page()
    invited.goto(link)
    expect(invited.locator("h1")).to_have_text("Join the co-commissioning fund")
    assert_accessible(invited)
    _choose_password(invited, "password123456", "Create account")
    expect(invited.locator(".govuk-error-summary")).to_contain_text("too common")
    assert_accessible(invited)
    _choose_password(invited, NEW_PASSWORD, "Create account")
    expect(invited.locator(".govuk-notification-banner")).to_contain_text("Your account is ready")
    assert_accessible(invited)
    sign_in(invited, "nia.new@lewisham.example", NEW_PASSWORD)
    expect(invited).to_have_url(re.compile(r"/dashboard$"))
    expect(invited.locator("body")).to_contain_text("Nia New")
    assert_accessible(invited)
    invited.goto(link)  # once only
    expect(invited.locator("h1")).to_have_text("This link does not work")
    assert_accessible(invited)
    context.close()


def test_a_forgotten_password_is_reset_from_the_sign_in_page(page, outbox, live_server):
    page.goto("/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    assert_accessible(page)
    page.get_by_role("button", name="Send the link").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill("partner.stgiles@demo.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)

    page.goto(_link_in_the_email_to(outbox, "partner.stgiles@demo.example", live_server))
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)
    _choose_password(page, NEW_PASSWORD, "Reset password")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been reset")
    sign_in(page, "partner.stgiles@demo.example", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert_accessible(page)
