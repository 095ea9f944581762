"""After the award, in the browser: the fund manager makes the Tri-borough's round-one grant,
offered with the panel's condition holding back payments; the lead accepts the offer; the
partner sends the condition's evidence and the manager accepts it; the partner claims the
first payment; the manager checks it and finance approves it; the lead asks to move money
from one year to the next, the manager approves, and the grant is at version 2 of its
agreement. axe checks every page."""

import pytest
from playwright.sync_api import expect

from eoi.accounts.operations import find_user_by_email
from eoi.extensions import db
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.rounds.operations import change_round_status
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.one_database]

ROUND_ONE = "Co-commissioning fund: round one (demonstration)"
CONDITION = "Agree an information sharing protocol with all three boroughs"


def _publish_round_one() -> None:
    """Round one's decisions, recorded in the demo, published: the panel's work is another
    journey's (tests/browser/test_assessment_journey.py)."""
    from eoi import clock
    from eoi.assessment import operations as panel

    manager = find_user_by_email("manager@demo.example")
    funding_round = db.session.scalar(db.select(FundingRound).where(
        FundingRound.title == ROUND_ONE))
    for eoi in panel.submitted_eois(funding_round):
        summary = panel.summary_of(eoi)
        for criterion in summary.criteria if summary else ():
            if criterion.disagreements and criterion.moderated is None:
                panel.moderate(eoi, int(criterion.criterion.key), score=round(criterion.median),
                               rationale="Agreed at the moderation meeting", by=manager)
    change_round_status(funding_round, RoundStatus.decided, by=manager, now=clock.now())
    db.session.commit()


def _switch(page, email: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, email)


def test_an_offer_accepted_its_condition_met_its_first_claim_paid_and_its_budget_moved(
        page, demo, tmp_path):  # noqa: F811
    _publish_round_one()

    sign_in(page, "manager@demo.example")
    page.get_by_role("link", name="Grants").first.click()
    assert_accessible(page)
    page.locator("#awaiting-grants tr", has_text="Tri-borough").get_by_role(
        "link", name="Make the grant", exact=False).click()
    assert_accessible(page)
    page.get_by_role("button", name="Make the grant").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("Grant made")
    expect(page.locator("main")).to_contain_text("This grant is offered")
    expect(page.locator("#condition-table")).to_contain_text(CONDITION)
    expect(page.locator("#condition-table")).to_contain_text("Open")
    assert_accessible(page)
    grant_url = page.url
    # Money waits for the offer: the manager schedules the first payment now.
    page.get_by_role("button", name="Schedule a payment").click()
    page.get_by_label("Description").fill("First quarter in advance")
    page.get_by_label("Amount").fill("40,000")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Paid on acceptance of").select_option("none")
    assert_accessible(page)
    page.get_by_role("button", name="Schedule payment").click()
    expect(page.locator("#payment-table")).to_contain_text(
        "Cannot be paid yet: the lead commissioner has not accepted the offer yet")
    assert_accessible(page)

    _switch(page, "lead.hammersmith@demo.example")
    expect(page.locator("#commissioner-needs")).to_contain_text("Read and accept the offer")
    page.get_by_role("link", name="Read and accept the offer", exact=False).first.click()
    expect(page.locator("h1")).to_contain_text("The offer of")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the offer for the consortium").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Claire Dubois")
    page.get_by_label("Your role").fill("Head of Community Safety, Hammersmith and Fulham")
    page.get_by_role("button", name="Accept the offer for the consortium").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Offer accepted. The grant is now active.")
    expect(page.locator("main")).to_contain_text("Claire Dubois, Head of Community Safety")
    assert_accessible(page)

    _switch(page, "partner.barnardos@demo.example")
    page.goto(grant_url)
    page.locator("#condition-table").get_by_role("link", name=CONDITION, exact=False).click()
    assert_accessible(page)
    signed = tmp_path / "protocol-signatures.csv"
    signed.write_text("Borough,Signed on\nHammersmith and Fulham,2 October\n"
                      "Kensington and Chelsea,2 October\nWestminster,2 October\n")
    page.get_by_label("Upload evidence").set_input_files(str(signed))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#condition-evidence")).to_contain_text("protocol-signatures.csv")
    assert_accessible(page)
    page.get_by_role("button", name="Send evidence to MOPAC").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Describe the evidence")
    page.get_by_label("The evidence").fill(
        "Signed by the three boroughs on 2 October; the fund team has the signed copy.")
    page.get_by_role("button", name="Send evidence to MOPAC").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Evidence sent to MOPAC.")
    assert_accessible(page)

    _switch(page, "manager@demo.example")
    page.goto(grant_url)
    page.locator("#condition-table").get_by_role("link", name=CONDITION, exact=False).click()
    expect(page.locator("#condition-evidence")).to_contain_text("protocol-signatures.csv")
    page.get_by_label("Accept").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Condition accepted as met.")
    expect(page.locator("#condition-table")).to_contain_text("Met")
    assert_accessible(page)

    _switch(page, "partner.barnardos@demo.example")
    page.goto(grant_url)
    page.get_by_role("button", name="Make a claim").click()
    assert_accessible(page)
    page.get_by_label("First quarter in advance", exact=False).check()
    page.get_by_role("button", name="Send the claim to MOPAC").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date spend is counted to")
    assert_accessible(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Staff").fill("12,000")
    page.get_by_label("Direct delivery").fill("3,500")
    page.get_by_label("The evidence").fill("The ledger to 31 October is with the fund team.")
    page.get_by_role("button", name="Send the claim to MOPAC").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Claim sent to MOPAC.")
    expect(page.locator("#claim-spend")).to_contain_text("£15,500")
    assert_accessible(page)
    claim_url = page.url

    _switch(page, "manager@demo.example")
    page.goto(claim_url)
    assert_accessible(page)
    page.get_by_role("button", name="Check and pass to finance").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Claim checked and passed to finance.")
    assert_accessible(page)

    _switch(page, "finance@demo.example")
    expect(page.locator("#finance-needs")).to_contain_text("First quarter in advance: £40,000")
    assert_accessible(page)
    page.locator("#finance-needs").get_by_role(
        "link", name="First quarter in advance: £40,000").click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve the claim").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("Claim approved.")
    page.get_by_role("button", name="Record as paid").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Claim recorded as paid.")
    assert_accessible(page)
    page.goto(grant_url)
    expect(page.locator("#payment-table")).to_contain_text("Paid")
    assert_accessible(page)

    _switch(page, "lead.hammersmith@demo.example")
    page.goto(grant_url)
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Version 1")
    page.get_by_role("button", name="Ask for a change").click()
    assert_accessible(page)
    page.get_by_label("Whose money").select_option(
        label="Mayor's Office for Policing and Crime (MOPAC)")
    page.get_by_label("Move it from").select_option(label="2026 to 2027")
    page.get_by_label("Move it to").select_option(label="2027 to 2028")
    page.get_by_label("Amount to move").fill("20,000")
    page.get_by_role("button", name="Ask MOPAC for the change").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the change is needed")
    assert_accessible(page)
    page.get_by_label("Why the change is needed").fill(
        "The protocol took a quarter longer to agree, so the first year's sessions move on.")
    page.get_by_role("button", name="Ask MOPAC for the change").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Change asked for.")
    assert_accessible(page)
    change_url = page.url

    _switch(page, "manager@demo.example")
    page.goto(change_url)
    assert_accessible(page)
    page.get_by_label("Approve the change").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(
        "Change approved. The agreement is now version 2.")
    expect(page.get_by_role("link", name="Download the variation letter (PDF)")).to_be_visible()
    assert_accessible(page)
    page.goto(grant_url)
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        "Version 2 (1 change approved)")
    expect(page.locator("#variation-table")).to_contain_text("Approved, version 2")
    expect(page.locator("#funding-table")).to_contain_text("2027 to 2028")
    assert_accessible(page)
