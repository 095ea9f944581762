import re

import pytest
from playwright.sync_api import expect

from eoi.demo.loader import DEMO_ACCOUNTS, load_demo_data
from eoi.extensions import db
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"

DASHBOARD_SECTION = {
    "manager@demo.example": "Running the fund",
    "finance@demo.example": "Claims for payment",
    "panel1@demo.example": "Your assessments",
    "panel2@demo.example": "Your assessments",
    "panel3@demo.example": "Your assessments",
    "lead.greenwich@demo.example": "Your borough's work",
    "officer.bexley@demo.example": "Your borough's work",
    "partner.stgiles@demo.example": "Your funded projects",
    "partner.barnardos@demo.example": "Your funded projects",
    "finance.barnardos@demo.example": "Your funded projects",
    "finance.sutton@demo.example": "Waiting for your sign-off",
}


@pytest.fixture
def demo(app_context):
    load_demo_data(DEMO_PASSWORD)
    db.session.commit()


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_administration(page, part: str) -> None:
    """A fund manager's Administration, in the navigation, then one of its parts."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    expect(page.locator("h1")).to_have_text("Administration")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name=part, exact=True).click()


def test_public_pages_are_accessible(page, demo):
    for path, heading in [
        ("/", "London Co-commissioning Fund"),
        ("/sign-in", "Sign in"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/no-such-page", "Page not found"),
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
        assert_accessible(page)


def test_sign_in_error_is_shown_and_accessible(page, demo):
    sign_in(page, "manager@demo.example", "not the password")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password")
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    # The summary links to the field, as the design system's JavaScript wires it.
    page.locator(".govuk-error-summary a").click()
    expect(page.locator("#email")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("email", [account[0] for account in DEMO_ACCOUNTS])
def test_each_demo_account_signs_in_to_its_dashboard(page, demo, email):
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_role("heading", name=DASHBOARD_SECTION[email])).to_be_visible()
    navigation = page.get_by_role("navigation", name="Menu")
    admin_link = navigation.get_by_role("link", name="Administration")
    expect(admin_link).to_have_count(1 if email == "manager@demo.example" else 0)
    assert_accessible(page)

    page.goto("/account")
    expect(page.locator(".govuk-summary-list")).to_contain_text(email)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    assert_accessible(page)
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


@pytest.mark.one_database
def test_fund_manager_runs_accounts_and_reference_data(page, demo):
    sign_in(page, "manager@demo.example")

    open_administration(page, "Users")
    expect(page.locator("h1")).to_have_text("Users")
    assert_accessible(page)

    page.get_by_role("button", name="Add a user with a password").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add user").click()  # nothing filled in
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address")
    expect(summary).to_contain_text("Select at least one role")
    expect(page.locator("#full_name-error")).to_contain_text("Enter the person's full name")
    assert_accessible(page)

    page.get_by_label("Email address").fill("new.officer@lewisham.example")
    page.get_by_label("Full name").fill("Lee Lewisham")
    page.get_by_label("Organisation").select_option(label="London Borough of Lewisham")
    page.get_by_label("Commissioner").check()
    page.get_by_role("textbox", name="Initial password").fill("a long initial password")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Account created")
    expect(page.locator("h1")).to_have_text("Lee Lewisham")
    assert_accessible(page)

    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("This account is deactivated")
    assert_accessible(page)

    page.get_by_role("link", name="Set a new password for Lee Lewisham").click()
    assert_accessible(page)

    for path in ("/admin/organisations", "/admin/organisations/new", "/admin/reference",
                 "/admin/reference/priorities/new", "/admin/reference/outcomes/new"):
        page.goto(path)
        assert_accessible(page)

    page.goto("/admin/reference")
    page.get_by_role("link", name="South East", exact=True).click()
    page.get_by_label("Name").fill("South East London")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#bcus ~ .eoi-scroll table").first).to_contain_text("South East London")
    page.get_by_role("link", name="Greenwich", exact=True).click()
    assert_accessible(page)
    page.goto("/admin/reference")
    page.get_by_role(
        "link", name="Young people at risk of or affected by CSE engage with support"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Young people engaged with support").click()
    assert_accessible(page)

    open_administration(page, "Audit trail")
    expect(page.locator("table")).to_contain_text("user.deactivated")
    expect(page.locator("table")).to_contain_text("basiccommandunit.updated")
    assert_accessible(page)
    page.get_by_label("Action").fill("user.deactivated")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table caption")).to_have_text("1 entry")
    assert_accessible(page)


def test_others_are_refused_admin_pages_with_an_accessible_page(page, demo):
    sign_in(page, "partner.stgiles@demo.example")
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert_accessible(page)
