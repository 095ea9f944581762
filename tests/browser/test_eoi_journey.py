import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from eoi import clock
from tests.browser.conftest import assert_accessible, delivered
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

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
    page.get_by_role("link", name=f"Bexley and Greenwich schools partnership for {ROUND}").click()
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


def _complete(page, section: str, answers: dict[str, str]) -> None:
    """Open a section from the task list, answer it, mark it complete and save."""
    page.get_by_role("link", name=section, exact=True).click()
    for label, text in answers.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Yes, I've completed this section").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(f"#section-{SECTION_IDS[section]}-status")).to_have_text("Completed")


SECTION_IDS = {
    "Summary": "summary", "Priorities addressed": "priorities", "Need and evidence": "need",
    "Proposed delivery model": "delivery", "Outcomes and targets": "outcomes",
    "Partnership and governance": "partnership",
    "Participation of young people and families": "participation",
    "Data sharing and consent": "data_sharing", "Risks and mitigations": "risks",
    "Budget": "budget", "Sustainability and exit": "sustainability",
}


def test_two_boroughs_complete_every_section_and_the_lead_submits(page, demo, tmp_path,  # noqa: F811
                                                                   outbox):

    from eoi.money import financial_year_label, financial_year_of

    year = financial_year_label(financial_year_of(clock.today()) + 1)  # round two's first
    consortium = "Bexley and Greenwich schools partnership"

    # The lead confirms Greenwich's pledge for the year, so it can count as match funding.
    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/consortia")
    page.get_by_role("link", name=consortium).click()
    page.get_by_role("link", name=f"Update status of the pledge of Royal Borough of Greenwich "
                     f"for {year}").click()
    page.get_by_label("Confirmed").check()
    assert_accessible(page)
    page.get_by_role("button", name="Update pledge").click()
    page.get_by_role("button", name="Sign out").click()

    # A colleague from Bexley starts the EOI and writes most of it.
    sign_in(page, "officer.bexley@demo.example")
    page.goto("/consortia")
    page.get_by_role("link", name=consortium).click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Start an expression of interest for {ROUND}").click()
    problems = page.locator("#submission-problems")
    expect(problems).to_contain_text("These sections are not complete: Summary, Priorities")
    expect(problems).to_contain_text("Add the budget: no lines yet")
    assert_accessible(page)
    _complete(page, "Summary", {"Project title": "Schools and beyond",
                                "Summary of the proposal": "A St Giles worker in every "
                                "secondary school in both boroughs."})

    page.get_by_role("link", name="Need and evidence", exact=True).click()
    # The answers are typed before the files are attached: no upload may lose them.
    need = {"Quantitative evidence": "Referrals rose by a third in two years.",
            "Qualitative evidence": "Young people want one worker who stays.",
            "Context": "Peer groups cross the borough boundary.",
            "Data sources": "MASH returns, 2024 to 2026"}
    for label, answer in need.items():
        page.get_by_label(label, exact=True).fill(answer)
    fake = tmp_path / "evidence.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is a Windows program, not a PDF")
    page.get_by_label("Upload a file").set_input_files(str(fake))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("is not a real PDF")
    expect(page.locator("#file-error")).to_be_visible()
    expect(page.get_by_label("Context", exact=True)).to_have_value(need["Context"])
    assert_accessible(page)
    evidence = tmp_path / "referrals-by-school.csv"
    evidence.write_text("school term,referrals\nAutumn 2025,14\nSpring 2026,19\n")
    page.get_by_label("Upload a file").set_input_files(str(evidence))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#attachment-table")).to_contain_text("referrals-by-school.csv")
    for label, answer in need.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(answer)
    assert_accessible(page)
    # Enter in the one-line box saves the section; it does not press the file's Remove.
    page.get_by_label("Data sources", exact=True).press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you have completed this section")
    expect(page.locator("#attachment-table")).to_contain_text("referrals-by-school.csv")
    page.get_by_label("Yes, I've completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-need-status")).to_have_text("Completed")
    _complete(page, "Proposed delivery model", {
        "The delivery model": "Workers in twelve schools, one caseload across two boroughs.",
        "Service components and cohorts": "Advocacy and group work for girls aged 11 to 18.",
        "How support follows young people": "The same worker, wherever the young person "
        "moves.",
        "Work with schools": "Planned around the academic year."})
    _complete(page, "Partnership and governance", {
        "Partners and their roles": "Bexley and Greenwich commission; St Giles delivers.",
        "Voluntary and community sector involvement": "St Giles leads delivery.",
        "The lead commissioner's capacity": "Four days a month, with sign-off."})
    _complete(page, "Participation of young people and families", {
        "How young people and families shape the service": "A paid advisory group."})
    _complete(page, "Data sharing and consent", {
        "Information sharing between partners": "Aggregates monthly.",
        "Consent and young people's trust": "Young people decide what is shared."})
    _complete(page, "Risks and mitigations", {
        "Main risks and how you will manage them": "Recruitment: second staff.",
        "Effect on local provision and small providers": "Adds to what exists."})
    _complete(page, "Sustainability and exit", {
        "How the work continues after the grant": "Boroughs fund the core posts.",
        "Exit plan": "A plan agreed with each young person."})
    # Everything ready but the lead's sections: a member cannot submit.
    expect(page.get_by_role("button", name="Check and submit")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # The lead completes the priorities, outcomes and budget, then submits.
    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/eois")
    assert_accessible(page)
    page.get_by_role("link", name=f"{consortium} for {ROUND}").click()
    page.get_by_role("link", name="Priorities addressed", exact=True).click()
    page.get_by_label("Gang-associated and peer-on-peer CSE", exact=False).first.check()
    page.get_by_label("How the proposal addresses them").fill("Peer groups in schools.")
    page.get_by_label("Yes, I've completed this section").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-priorities-status")).to_have_text("Completed")

    page.get_by_role("link", name="Outcomes and targets", exact=True).click()
    page.get_by_label("Young people engaged with support (young people)").check()
    page.get_by_label("Baseline: Young people engaged with support").fill("40")
    first_year = financial_year_of(clock.today()) + 1
    for start in (first_year, first_year + 1):
        page.get_by_label(f"Target for {financial_year_label(start)}: Young people engaged "
                          "with support", exact=True).fill("60")
    page.get_by_label("Yes, I've completed this section").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-outcomes-status")).to_have_text("Completed")

    page.get_by_role("link", name="Budget", exact=True).click()
    for funder, category, amount in [
            ("Mayor's Office for Policing and Crime (MOPAC)", "Staff", "100,000"),
            ("Royal Borough of Greenwich", "Direct delivery", "40000")]:
        page.get_by_label("Financial year").select_option(label=year)
        page.get_by_label("Cost category").select_option(label=category)
        page.get_by_label("Paid for by").select_option(label=funder)
        page.get_by_label("Amount in pounds").fill(amount)
        page.get_by_label("Notes on the budget (optional)").fill(f"Last added: {category}")
        if category == "Staff":
            page.get_by_role("button", name="Add to the budget").click()
        else:  # Enter in the amount adds the line, as it would in a form of its own
            page.get_by_label("Amount in pounds").press("Enter")
        expect(page.get_by_label("Notes on the budget (optional)")).to_have_value(
            f"Last added: {category}")
    expect(page.locator("#budget-problems")).to_contain_text("meets the round's rules")
    page.get_by_label("Yes, I've completed this section").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-budget-status")).to_have_text("Completed")
    expect(page.locator("#submission-problems")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Check and submit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit").click()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"CCF-\d{4}-\d{4}", reference)
    assert_accessible(page)
    # The receipt: to the lead and every commissioner of the member boroughs (the demo's
    # two), once each.
    receipts = [m for m in delivered(outbox) if m["Subject"].strip() == f"{reference} submitted: "
                f"{consortium}"]
    assert sorted(m["To"] for m in receipts) == ["lead.greenwich@demo.example",
                                                 "officer.bexley@demo.example"]
    assert "This is your receipt" in receipts[0].get_body(("plain",)).get_content()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the expression of interest as a PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}.pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(download.path()).pages)
    for expected in (f"Expression of interest: {consortium}", reference, "Bexley and Greenwich",
                     "Grace Mensah", "A St Giles worker in every", "referrals-by-school.csv",
                     "Young people engaged with support", "£100,000", "£140,000",
                     "OFFICIAL-SENSITIVE", "Page 1 of"):
        assert expected in text, expected

    page.get_by_role("link", name="Back to the expression of interest").click()
    page.get_by_role("link", name="Read the whole expression of interest").click()
    expect(page.locator("#read-need")).to_contain_text("referrals-by-school.csv")
    assert_accessible(page)
