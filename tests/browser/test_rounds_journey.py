import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def test_a_fund_manager_sets_up_and_opens_a_round(page, demo):  # noqa: F811
    sign_in(page, "manager@demo.example")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Funding rounds").click()
    expect(page.locator("table")).to_contain_text("round two (demonstration)")
    assert_accessible(page)

    page.get_by_role("button", name="Create a funding round").click()
    page.get_by_label("Title").fill("Boys and young men: pilot round")
    page.get_by_label("Fund envelope in pounds").fill("500,000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the first year")
    assert_accessible(page)

    page.get_by_label("First financial year").select_option(index=2)
    page.get_by_label("Last financial year").select_option(index=2)
    page.locator("#opens_on-day").fill("1")
    page.locator("#opens_on-month").fill("1")
    page.locator("#opens_on-year").fill("2026")
    page.locator("#closes_on-day").fill("31")
    page.locator("#closes_on-month").fill("12")
    page.locator("#closes_on-year").fill("2099")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft round created")
    expect(page.locator("#total-weight")).to_have_text("100")
    assert_accessible(page)

    page.get_by_role("link", name="Change Evidence of need").click()
    page.get_by_label("Weight").fill("5")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#opening-problems")).to_contain_text("add up to 95, not 100")
    assert_accessible(page)

    page.get_by_role("link", name="Change Evidence of need").click()
    page.get_by_label("Weight").fill("10")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The round is now open")
    expect(page.get_by_role("button", name="Close the round")).to_be_visible()
    assert_accessible(page)


def test_commissioners_read_open_rounds_but_not_drafts(page, demo):  # noqa: F811
    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/rounds")
    expect(page.get_by_role("button", name="Create a funding round")).to_have_count(0)
    page.get_by_role("link", name="Co-commissioning fund: round two (demonstration)").click()
    expect(page.locator("h1")).to_have_text("Co-commissioning fund: round two (demonstration)")
    expect(page.get_by_role("button", name="Close the round")).to_have_count(0)
    page.get_by_text("What each score means for Strategic fit and additionality").click()
    assert_accessible(page)
