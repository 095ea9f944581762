"""From each demo person's dashboard to the thing the demo story says they do next, in at
most two clicks, in Chromium, with axe on every page on the way (README, "Demo data")."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def _dashboard(page, email: str) -> None:
    sign_in(page, email)
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert_accessible(page)


def _click(page, name: str, heading) -> None:
    page.get_by_role("link", name=name).first.click()
    expect(page.locator("main h1")).to_contain_text(heading)
    assert_accessible(page)


def test_the_fund_manager_reaches_the_return_to_review_and_the_bid_to_moderate(page, demo):  # noqa: F811
    _dashboard(page, "manager@demo.example")
    _click(page, "1 quarterly return to review", "Quarterly returns")
    _click(page, re.compile(r"^GRT-\d{4}-\d{4} Q\d"), "return")
    expect(page.get_by_role("heading", name="Review the return")).to_be_visible()
    page.goto("/dashboard")
    _click(page, re.compile("^Moderate and publish the decisions on"), "Ranking")
    _click(page, re.compile(r"^CCF-\d{4}-\d{4}$"), "Scores and moderation")


def test_the_greenwich_lead_starts_round_twos_eoi_from_the_dashboard(page, demo):  # noqa: F811
    _dashboard(page, "lead.greenwich@demo.example")
    _click(page, re.compile("^Start an EOI for Co-commissioning fund: round two"),
           "Bexley and Greenwich schools partnership")
    page.get_by_role("button", name=re.compile(
        "^Start an expression of interest for Co-commissioning fund: round two")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Expression of interest started")
    assert_accessible(page)


def test_the_bexley_officer_reaches_the_pledge_to_confirm(page, demo):  # noqa: F811
    _dashboard(page, "officer.bexley@demo.example")
    _click(page, "Confirm London Borough of Bexley's pledge of £15,000",
           "Update the pledge from London Borough of Bexley")
    expect(page.get_by_label("Confirmed")).to_be_visible()


def test_the_partner_reaches_the_overdue_return(page, demo):  # noqa: F811
    _dashboard(page, "partner.stgiles@demo.example")
    row = page.locator("#reporting-due tr", has=page.locator(".govuk-tag--red")).first
    row.get_by_role("link").click()
    expect(page.locator("main h1")).to_contain_text("return")
    assert_accessible(page)
    expect(page.get_by_role("heading", name="Fill it in as a spreadsheet")).to_be_visible()


def test_a_fund_managers_navigation_takes_two_rows_at_most_at_1280_px(page, demo):  # noqa: F811
    """The administration pages are one entry (Administration), as the GOV.UK service
    navigation pattern suggests: the fund team's menu took three rows of the 960 px page,
    now two."""
    page.set_viewport_size({"width": 1280, "height": 900})
    _dashboard(page, "manager@demo.example")
    tops = page.eval_on_selector_all(
        ".govuk-service-navigation__item",
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))")
    texts = page.eval_on_selector_all(".govuk-service-navigation__item",
                                      "items => items.map(item => item.textContent.trim())")
    assert len(tops) > 5 and len(set(tops)) <= 2, " ".join(
        f"{text}@{top}" for text, top in zip(texts, tops, strict=True))
    _click(page, "Administration", "Administration")
    for part in ("Users", "Organisations", "Reference data", "Audit trail"):
        expect(page.get_by_role("main").get_by_role("link", name=part, exact=True)
               ).to_be_visible()
