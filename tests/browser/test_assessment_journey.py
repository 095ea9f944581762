"""The panel in the browser: three assessors score a bid, one is blocked by a conflict, the
chair moderates a disagreement, decisions are published, and the consortium downloads its
decision letter. axe checks every page on the way."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from eoi import clock
from eoi.accounts.operations import find_user_by_email
from eoi.assessment import operations as panel
from eoi.demo.eois import submit_demo_eoi
from eoi.extensions import db
from eoi.money import financial_year_of
from eoi.rounds import operations as rounds
from eoi.rounds.models import RoundStatus
from tests.browser.conftest import assert_accessible, delivered
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

ROUND = "Co-commissioning fund: round three (panel journey)"
SCHOOLS = "Bexley and Greenwich schools partnership"
NORTH_WEST = "North West London young women's partnership"


@pytest.fixture
def closed_round(demo):  # noqa: F811
    """A third round that took two demo bids and has just closed, with no panel yet."""
    manager = find_user_by_email("manager@demo.example")
    year = financial_year_of(clock.today())
    now = clock.now()
    funding_round = rounds.create_round(values={
        "title": ROUND, "envelope_pence": 400_000_00, "first_financial_year": year,
        "last_financial_year": year + 1, "opens_at": now - timedelta(days=20),
        "closes_at": now + timedelta(hours=1), "guidance": "", "min_member_boroughs": 2,
        "min_match_percent": 25}, by=manager)
    funding_round.status = RoundStatus.open
    schools = submit_demo_eoi(SCHOOLS, funding_round, now=now - timedelta(days=2))
    north_west = submit_demo_eoi(NORTH_WEST, funding_round, now=now - timedelta(days=1))
    rounds.change_round_status(funding_round, RoundStatus.closed, by=manager, now=now)
    db.session.commit()
    return funding_round, schools, north_west


def _score_in_the_browser(page, criteria, scores: dict[int, int], default: int) -> None:
    for criterion in criteria:
        value = scores.get(criterion.id, default)
        page.locator(f"input[name='score_{criterion.id}'][value='{value}']").check()
        page.get_by_label(f"Comment on {criterion.title}").fill(
            f"Scored {value}: {'a real gap' if value == 0 else 'well evidenced'}.")


def test_three_assessors_a_conflict_moderation_and_a_published_decision(page, closed_round,
                                                                       outbox):
    funding_round, schools, north_west = closed_round
    criteria = funding_round.criteria
    contested = criteria[2]  # partnership and sub-regional reach

    # The chair puts the panel together and spreads the bids.
    sign_in(page, "manager@demo.example")
    page.goto(f"/rounds/{funding_round.id}")
    page.get_by_role("link", name="Panel, assignments and progress").click()
    for person in ("Priya Shah", "Tom Okafor", "Ruth Lindqvist"):
        # get_attribute waits for the option, so the page has reloaded after the last add.
        option = page.locator("#user_id option", has_text=person)
        page.get_by_label("Who should join the panel?").select_option(
            value=option.get_attribute("value"))
        page.get_by_role("button", name="Add to the panel").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Added to the panel")
        expect(page.get_by_role("cell", name=person, exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Assign an even spread").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("5 assignments made")
    expect(page.locator(f"#assessors-{schools.id}")).to_contain_text("Ruth Lindqvist")
    expect(page.locator(f"#assessors-{north_west.id}")).not_to_contain_text("Ruth Lindqvist")
    page.get_by_role("link", name=f"Assign an assessor to {north_west.reference}").click()
    page.get_by_label("Add an assessor").select_option(
        label="Ruth Lindqvist (conflict of interest)")
    assert_accessible(page)
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(f"#assessors-{north_west.id}")).to_contain_text(
        "Found by the service: NHS England (London) is a partner of " + NORTH_WEST)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # Meanwhile two assessors score the North West bid (not the subject of this journey).
    for email in ("panel1@demo.example", "panel2@demo.example"):
        assessor = find_user_by_email(email)
        assessment = next(a for a in north_west.assessments if a.assessor_id == assessor.id)
        panel.declare(assessment, has_interest=False, details="", by=assessor, now=clock.now())
        panel.save_scores(assessment, {c.id: (2, "Adequate.") for c in criteria}, submit=True,
                          by=assessor, now=clock.now(), expected_version=None)
    db.session.commit()

    # Ruth cannot open the North West bid; she scores the schools bid.
    sign_in(page, "panel3@demo.example")
    page.get_by_role("link", name="Assessments", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=f"View {north_west.reference}").click()
    expect(page.locator("h1")).to_have_text("Conflict of interest")
    expect(page.get_by_role("link", name="Read the expression of interest")).to_have_count(0)
    assert_accessible(page)
    assert page.request.get(f"/eois/{north_west.id}/read").status == 403

    for email, contested_score in (("panel3@demo.example", 4), ("panel1@demo.example", 0),
                                   ("panel2@demo.example", 3)):
        if email != "panel3@demo.example":
            sign_in(page, email)
        page.get_by_role("link", name="Assessments", exact=True).click()
        page.get_by_role("link", name=f"Declare any interest {schools.reference}").click()
        expect(page.locator("h1")).to_have_text("Declare any interest")
        page.get_by_label("No, I have no interest to declare").check()
        assert_accessible(page)
        page.get_by_role("button", name="Save declaration").click()
        expect(page.get_by_role("link", name="Read the expression of interest")).to_be_visible()
        if email == "panel1@demo.example":
            # Blind: before her own scores are in she sees nobody else's.
            expect(page.get_by_text("The panel's scores")).to_have_count(0)
        _score_in_the_browser(page, criteria, {contested.id: contested_score}, default=3)
        assert_accessible(page)
        page.get_by_role("button", name="Submit scores").click()
        expect(page.locator("#panel-scores")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()

    # The chair moderates the disagreement, marks the round assessed, decides and publishes.
    sign_in(page, "manager@demo.example")
    page.goto(f"/assessment/rounds/{funding_round.id}/ranking")
    expect(page.locator("#ranking-table")).to_contain_text("Needs moderation")
    assert_accessible(page)
    page.get_by_role("link", name=f"Scores of {schools.reference}").click()
    expect(page.locator("#panel-scores-flags")).to_contain_text("a spread of 4")
    page.get_by_label("Criterion").select_option(label=contested.title)
    page.locator("input[name='score'][value='3']").check()
    page.get_by_label("Rationale").fill("Two of three assessors found the partnership strong.")
    assert_accessible(page)
    page.get_by_role("button", name="Record moderated score").click()
    expect(page.locator("#moderated-scores")).to_contain_text("Two of three assessors")
    assert_accessible(page)

    page.goto(f"/assessment/rounds/{funding_round.id}/ranking")
    expect(page.locator("#ranking-table")).not_to_contain_text("Needs moderation")
    page.get_by_role("button", name="Mark as assessed").click()
    page.goto(f"/assessment/rounds/{funding_round.id}/ranking")
    for bid, outcome, amount in ((schools, "Fund", "180,000"),
                                 (north_west, "Not funded", "")):
        page.get_by_role("link", name=f"Record the decision on {bid.reference}").click()
        page.get_by_label(outcome, exact=True).check()
        page.get_by_label("Amount awarded, in pounds").fill(amount)
        assert_accessible(page)
        page.get_by_role("button", name="Save decision").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the decisions").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("decided")
    # Each consortium is told once, even with the scheduler run twice.
    delivered(outbox)
    # (A long subject is folded onto its own line; a mail client shows it unfolded.)
    decisions = [(m["To"], m["Subject"].strip()) for m in delivered(outbox)
                 if m["Subject"].strip().startswith("Decision on")
                 and any(bid.reference in m["Subject"] for bid in (schools, north_west))]
    assert len(decisions) == len(set(decisions))
    assert ("lead.greenwich@demo.example", f"Decision on {schools.reference}: "
            f"{schools.consortium.name}") in decisions
    assert ("officer.bexley@demo.example", f"Decision on {schools.reference}: "
            f"{schools.consortium.name}") in decisions
    assert {subject for _, subject in decisions} == {
        f"Decision on {bid.reference}: {bid.consortium.name}" for bid in (schools, north_west)}
    page.get_by_role("button", name="Sign out").click()

    # The consortium sees its decision and downloads the letter.
    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/eois")
    page.get_by_role("link", name=f"{SCHOOLS} for {ROUND}").click()
    expect(page.locator("#decision")).to_contain_text("Decision: Fund, £180,000")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the decision letter (PDF)").click()
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(download_info.value.path()).pages)
    for expected in (f"Your expression of interest {schools.reference}", "Decision: Fund",
                     "£180,000", "Scored 0: a real gap.", contested.title,
                     "OFFICIAL-SENSITIVE"):
        assert expected in text, expected
    for name in ("Priya Shah", "Tom Okafor", "Ruth Lindqvist"):
        assert name not in text
