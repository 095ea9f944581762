"""The after-the-award pages no journey walks, in Chromium with axe: the claims list, adding
a condition, each kind of change, a question about an offer and its answer, a closing grant's
final report, and the certifiers' pages for a return and a pledge waiting for their sign-off,
and for naming another certifier."""

import pytest
from playwright.sync_api import expect

from eoi.accounts.operations import find_user_by_email
from eoi.consortia.models import Pledge, PledgeStatus
from eoi.extensions import db
from eoi.grants import operations
from eoi.grants.models import Grant, GrantState
from eoi.returns.models import ReturnStatus
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def _grant(name: str) -> Grant:
    return next(g for g in db.session.scalars(db.select(Grant))
                if g.consortium.name.startswith(name))


def _visit(page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.locator("main h1")).to_contain_text(heading)
    assert_accessible(page)


def test_the_fund_team_and_the_leads_pages(page, demo):  # noqa: F811
    schools, tri = _grant("Bexley and Greenwich"), _grant("Tri-borough")
    sign_in(page, "manager@demo.example")
    _visit(page, "/grants/claims", "Claims")
    _visit(page, f"/grants/{tri.id}/conditions/new", "Add a condition")
    page.get_by_role("button", name="Add condition").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the condition")
    assert_accessible(page)
    _visit(page, f"/grants/variations/{schools.variations[0].id}", "Move")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lead.greenwich@demo.example")
    for kind, heading in (("move_between_years", "Move money between years"),
                          ("extend_end_date", "Extend the end date"),
                          ("change_partner", "Add or remove a delivery partner"),
                          ("change_target", "Change a target")):
        _visit(page, f"/grants/{schools.id}/variations/new?kind={kind}", heading)
    page.get_by_role("button", name="Ask MOPAC for the change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the indicator")
    assert_accessible(page)

    _visit(page, f"/grants/{schools.id}/variations/new?kind=move_categories",
           "Move money between cost categories")
    expect(page.locator("#category-table")).to_contain_text("Training of professionals")
    first_year = schools.budget_lines[0].financial_year
    page.get_by_label("Financial year").select_option(str(first_year))
    page.get_by_label("Move it from").select_option("staff")
    page.get_by_label("Move it to").select_option("staff")
    page.get_by_label("Amount to move").fill("5,000")
    page.get_by_label("Why the change is needed").fill("More training for school staff")
    page.get_by_role("button", name="Ask MOPAC for the change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose another cost category")
    assert_accessible(page)
    page.get_by_label("Move it to").select_option("training")
    page.get_by_role("button", name="Ask MOPAC for the change").click()
    expect(page.locator("main h1")).to_contain_text("from staff to training of professionals")
    assert_accessible(page)


def test_a_question_about_an_offer_and_its_answer(page, demo):  # noqa: F811
    offer = _grant("Croydon and Sutton")
    sign_in(page, "manager@demo.example")
    page.get_by_role("link", name=f"Answer a question about the offer of {offer.reference}"
                     ).click()
    expect(page.locator("main h1")).to_contain_text("The offer of")
    assert_accessible(page)
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    assert_accessible(page)
    page.get_by_label("Your answer").fill("Yes: we will pay on acceptance.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Answer sent to the lead commissioner.")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lead.croydon@demo.example")
    page.get_by_role("link", name=f"Read and accept the offer of {offer.reference}").click()
    expect(page.locator("#questions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Yes: we will pay on acceptance.")
    assert_accessible(page)


def test_a_closing_grants_final_report(page, demo):  # noqa: F811
    schools = _grant("Bexley and Greenwich")
    operations.change_grant_state(schools, GrantState.closing, reason="Delivery has ended",
                                  by=find_user_by_email("manager@demo.example"))
    db.session.commit()
    sign_in(page, "lead.greenwich@demo.example")
    _visit(page, f"/grants/{schools.id}", schools.title)
    expect(page.locator("main")).to_contain_text("This grant is closing.")
    _visit(page, f"/grants/{schools.id}/final-report", "Final report")
    page.get_by_role("button", name="Send the final report to MOPAC").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the grant achieved")
    assert_accessible(page)
    page.get_by_label("What the grant achieved").fill("Group work in twelve schools.")
    page.get_by_label("What continues after it").fill("Bexley funds the schools worker.")
    page.get_by_label("What was learnt").fill("Train the school nurses first.")
    page.get_by_role("button", name="Send the final report to MOPAC").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Final report sent to MOPAC.")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "manager@demo.example")
    _visit(page, f"/grants/{schools.id}/final-report", "Final report")
    expect(page.locator("#closing-problems")).to_contain_text("The final report is sent")


def test_the_certifiers_pages(page, demo):  # noqa: F811
    tri = _grant("Tri-borough")
    # The demo's: sent back by MOPAC, sent again, waiting for Barnardo's certifier.
    waiting = next(r for r in tri.returns if r.status is ReturnStatus.signing)

    sign_in(page, "finance.barnardos@demo.example")
    expect(page.locator("#certifier-needs")).to_contain_text("Sign off the")
    assert_accessible(page)
    _visit(page, f"/returns/{waiting.id}", "return")
    page.get_by_role("button", name="Decline to sign it off").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you cannot sign it")
    assert_accessible(page)
    page.get_by_role("button", name="Sign off and send to MOPAC").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Return signed off and sent to MOPAC.")
    assert_accessible(page)
    # Barnardo's names a second certifier itself.
    _visit(page, "/account/certifiers", "Certifiers of Barnardo")
    page.get_by_role("button", name="Name them a certifier").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill("partner.barnardos@demo.example")
    page.get_by_role("button", name="Name them a certifier").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Kofi Boateng is now a certifier.")
    expect(page.locator("#certifier-table")).to_contain_text("Kofi Boateng")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    pledge = db.session.scalar(db.select(Pledge).where(Pledge.status == PledgeStatus.signing))
    sign_in(page, "finance.sutton@demo.example")
    page.locator("#certifier-needs").get_by_role("link").first.click()
    expect(page.locator("main h1")).to_contain_text("Sign off the pledge")
    assert_accessible(page)
    page.get_by_label("Sign it off: the pledge is final").check()
    page.get_by_role("button", name="Save sign-off").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Pledge signed off.")
    assert_accessible(page)
    db.session.expire_all()
    assert pledge.status is PledgeStatus.confirmed
