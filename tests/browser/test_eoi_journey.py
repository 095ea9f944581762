import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

pytestmark = pytest.mark.browser

ROUND = "Co-commissioning fund: round two (demonstration)"


def test_two_boroughs_draft_an_eoi_together(page, demo):  # noqa: F811
    sign_in(page, "officer.bexley@demo.example")
    page.goto("/consortia")
    page.get_by_role("link", name="Bexley and Greenwich schools partnership").click()
    page.get_by_role("button", name=f"Start an expression of interest for {ROUND}").click()
    expect(page.locator(".govuk-task-list")).to_be_visible()
    expect(page.locator("#submission-problems")).to_contain_text("not complete")
    assert_accessible(page)

    page.get_by_role("link", name="Summary").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("The round closes at")
    page.get_by_label("Project title").fill("Schools and beyond")
    page.get_by_label("Yes, I've completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter summary of the proposal")
    assert_accessible(page)
    page.get_by_label("Summary of the proposal").fill("A worker in every school.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-summary-status")).to_have_text("Completed")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/eois")
    page.get_by_role("link", name="Bexley and Greenwich schools partnership").click()
    page.get_by_role("link", name="Budget").click()
    page.get_by_label("Financial year").select_option(index=1)
    page.get_by_label("Cost category").select_option(label="Staff")
    page.get_by_label("Paid for by").select_option(
        label="Mayor's Office for Policing and Crime (MOPAC)")
    page.get_by_label("Amount in pounds").fill("90,000")
    page.get_by_role("button", name="Add to the budget").click()
    expect(page.locator("#budget-problems")).to_contain_text("Match funding is 0.0%")
    assert_accessible(page)
    page.get_by_label("No, I'll come back to it later").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-budget-status")).to_have_text("In progress")
    page.get_by_role("link", name="Outcomes and targets").click()
    assert_accessible(page)
