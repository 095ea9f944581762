import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import sign_in

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

from tests.browser.test_journeys import demo  # noqa: E402,F401  (the demo data fixture)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_three_boroughs_form_a_consortium_and_pool_funding(page, demo):  # noqa: F811
    sign_in(page, "lead.greenwich@demo.example")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Consortia").click()
    assert_accessible(page)
    page.get_by_role("button", name="Form a consortium").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the consortium")
    assert_accessible(page)
    page.get_by_label("Consortium name").fill("South East London exploitation partnership")
    page.get_by_label("Purpose").fill("One response across the South East BCU.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("South East London exploitation partnership")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Single borough: not sub-regional")
    assert_accessible(page)

    page.get_by_role("button", name="Invite boroughs").click()
    page.get_by_label("Bexley").check()
    page.get_by_label("Lewisham").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitations sent")
    consortium_url = page.url.split("#")[0]
    sign_out(page)

    for email, borough in (("officer.bexley@demo.example", "Bexley"),
                           ("officer.lewisham@demo.example", "Lewisham")):
        sign_in(page, email)
        expect(page.get_by_text("Invitations waiting for an answer")).to_be_visible()
        assert_accessible(page)
        page.goto(consortium_url)
        assert_accessible(page)
        page.get_by_role("button", name=f"Accept for {borough}").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"{borough} is now a member")
        sign_out(page)

    sign_in(page, "lead.greenwich@demo.example")
    page.goto(consortium_url)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Sub-regional: 3 boroughs")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)  # the whole South East BCU

    for funder, year_index, amount in (("Mayor's Office for Policing and Crime (MOPAC)", 1,
                                        "150,000"),
                                       ("Royal Borough of Greenwich", 1, "30,000"),
                                       ("London Borough of Bexley", 2, "20,000")):
        page.get_by_role("button", name="Add a pledge").click()
        page.get_by_label("Funder").select_option(label=funder)
        page.get_by_label("Financial year").select_option(index=year_index + 1)
        page.get_by_label("Amount in pounds").fill(amount)
        page.get_by_label("Cash", exact=True).check()
        assert_accessible(page)
        page.get_by_role("button", name="Save pledge").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Pledge proposed")
    assert_accessible(page)
    total_row = page.locator("table").filter(has_text="Pooled budget").locator("tr").last
    expect(total_row).to_contain_text("£200,000")
    expect(page.locator("#mopac-share")).to_have_text("75.0%")

    page.get_by_role("link", name="Change lead commissioner").click()
    page.get_by_label("Sam Okoro, London Borough of Lewisham").check()
    page.get_by_label("Reason for the change").fill("Lewisham has more capacity this year")
    assert_accessible(page)
    page.get_by_role("button", name="Change lead").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Sam Okoro")
    expect(page.locator("#history ~ ul")).to_contain_text(
        "Reason: Lewisham has more capacity this year")
    assert_accessible(page)


def test_the_register_of_would_be_leads(page, demo):  # noqa: F811
    sign_in(page, "officer.bexley@demo.example")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Lead commissioners").click()
    assert_accessible(page)
    page.get_by_role("button", name="Declare your interest").click()
    page.get_by_label("Strategic priority").select_option(
        label="Boys and young men as victims of CSE")
    page.get_by_label("Capacity, in days a month").fill("3")
    page.get_by_label("Manager", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("table")).to_contain_text("Daniel Hughes")
    page.get_by_label("BCU").select_option(label="South East")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table")).to_contain_text("Daniel Hughes")
    expect(page.locator("table")).not_to_contain_text("Harriet Cole")
    assert_accessible(page)
