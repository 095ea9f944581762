"""A quarterly return in the browser: St Giles Trust downloads the spreadsheet template,
fills it in, uploads it, fixes the row the service points at, is stopped from submitting
a case study with an email address in it, submits; the fund manager accepts it; the
dashboard and the quarterly report PDF show the new figures with small counts suppressed.
axe checks every page on the way."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from eoi import clock
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import Grant
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

SCHOOLS = "Bexley and Greenwich schools partnership"
NEW, LABEL, CONTINUING = 4, 2, 5


def _row(sheet, key: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)


def _fill(sheet, grant, period) -> None:
    """This quarter: 3 new and 9 continuing young people, one of them a boy, two living in
    Bexley and supported in Greenwich."""
    counts = {"supported": (3, 9), "gender:female": (2, 9), "gender:male": (1, 0),
              "age_band:13_15": (3, 4), "age_band:16_17": (0, 5),
              "disability:not_disabled": (3, 9)}
    for key, (new, continuing) in counts.items():
        sheet.cell(_row(sheet, key), NEW).value = new
        sheet.cell(_row(sheet, key), CONTINUING).value = continuing
    first, second = [r for r in range(1, sheet.max_row + 1)
                     if sheet.cell(r, 1).value == "borough"][:2]
    for row, home, new, continuing in ((first, "Greenwich", 1, 9), (second, "Bexley", 2, 0)):
        sheet.cell(row, LABEL).value = home
        sheet.cell(row, 3).value = "Greenwich"
        sheet.cell(row, NEW).value = new
        sheet.cell(row, CONTINUING).value = continuing
    # On profile and on target, so the grant turns green once the return is accepted.
    quarters_in_year = sum(r.financial_year == period.financial_year for r in grant.returns)
    for gi in grant.indicators:
        sheet.cell(_row(sheet, f"indicator:{gi.indicator_id}"), NEW).value = (
            (gi.target_for(period.financial_year) or 0) // quarters_in_year + 1)
    spend = monitoring.profiled_spend(grant, period)
    sheet.cell(_row(sheet, "spend:staff"), NEW).value = spend * 3 // 4 // 100
    sheet.cell(_row(sheet, "spend:delivery"), NEW).value = (
        f"{(spend - spend * 3 // 4 // 100 * 100) / 100:.2f}")
    for key, text in (("progress", "Group work in all twelve schools."),
                      ("challenges", "Two schools paused sessions during exams."),
                      ("risks", "A worker leaves in the spring."),
                      ("case_study", "A young person in Year 9 is back at school full time.")):
        sheet.cell(_row(sheet, f"narrative:{key}"), LABEL).value = text


def _pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_a_partner_sends_a_return_by_spreadsheet_and_the_fund_manager_accepts_it(
        page, demo, tmp_path):  # noqa: F811
    grant = next(g for g in db.session.scalars(db.select(Grant))
                 if g.consortium.name == SCHOOLS)
    overdue = next(r for r in grant.returns if r.is_overdue(clock.today()))
    quarter = overdue.period.label

    sign_in(page, "partner.stgiles@demo.example")
    page.get_by_role("link", name="Grants").first.click()
    expect(page.locator("h1")).to_have_text("Grants")
    assert_accessible(page)
    page.get_by_role("link", name=grant.reference).click()
    expect(page.locator("#status")).to_contain_text("Amber")
    expect(page.locator("#return-table")).to_contain_text("Overdue")
    assert_accessible(page)
    page.locator("#return-table").get_by_role("link", name=quarter).click()
    expect(page.locator("h1")).to_have_text(f"{quarter} return")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the return template (XLSX)").click()
    template = download_info.value
    assert template.suggested_filename.startswith(f"{grant.reference}-")
    # Downloads are kept without their extension, which openpyxl judges files by.
    workbook = load_workbook(io.BytesIO(Path(template.path()).read_bytes()))
    sheet = workbook["Return"]
    _fill(sheet, grant, overdue.period)
    female = _row(sheet, "gender:female")
    sheet.cell(female, NEW).value = "two"  # a slip the service must point at
    filled = tmp_path / "return.xlsx"
    workbook.save(filled)
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(filled))
    page.get_by_role("button", name="Upload spreadsheet").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Row {female}")
    expect(summary).to_contain_text("enter a whole number of young people")
    address = page.url
    assert address.endswith(f"/returns/{overdue.id}"), address  # the return's, not /upload
    assert_accessible(page)

    sheet.cell(female, NEW).value = 2
    workbook.save(filled)
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(filled))
    page.get_by_role("button", name="Upload spreadsheet").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Spreadsheet uploaded")
    expect(page.get_by_label("Continuing young people")).to_have_value("9")
    assert_accessible(page)

    case_study = page.get_by_label("Anonymised case study")
    case_study.fill("Her mother, jo.parent@example.com, says she is back at school.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Anonymised case study contains what looks like an email address")
    assert_accessible(page)
    page.get_by_label("Anonymised case study").fill(
        "One girl in Year 9 is back at school full time.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return saved")
    expect(page.locator("#small-numbers")).to_contain_text("“One girl” (anonymised case study)")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that nobody could recognise")
    assert_accessible(page)
    page.get_by_label("I have checked: nobody could recognise these young people").check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return submitted")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "manager@demo.example")
    page.goto(f"/returns/{overdue.id}")
    expect(page.locator("#review")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return accepted")
    expect(page.locator("#status")).to_contain_text("Green")
    assert_accessible(page)

    page.get_by_role("link", name="Programme").first.click()
    expect(page.locator("h1")).to_have_text("Programme dashboard")
    expect(page.locator("#young-people")).to_contain_text(quarter)
    gender = page.locator("#table-gender")
    expect(gender.get_by_role("row", name=re.compile("^Male"))).to_contain_text("[c]")
    boroughs = page.locator("#table-boroughs")
    expect(boroughs.get_by_role("row", name=re.compile("^Bexley"))).to_contain_text("[c]")
    expect(page.locator("#programme-grants")).to_contain_text(grant.reference)
    assert page.locator("svg[role=img]").count() >= 4
    assert_accessible(page)

    page.goto(f"/returns/{overdue.id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the quarterly report (PDF)").click()
    text = _pdf_text(download_info.value.path())
    assert "12 young people were supported this quarter" in text
    assert "[c]" in text
    assert re.search(r"Male \[c\]", text)
    assert "Group work in all twelve schools." in text


def test_the_fund_manager_follows_milestones_and_payments(page, demo, tmp_path):  # noqa: F811
    grant = next(g for g in db.session.scalars(db.select(Grant))
                 if g.consortium.name == SCHOOLS)
    sent = next(m for m in grant.milestones if m.status.value == "submitted")

    sign_in(page, "partner.stgiles@demo.example")
    due = next(m for m in grant.milestones if m.status.value == "due")
    page.goto(f"/grants/milestones/{due.id}")
    evidence = tmp_path / "evaluation.csv"
    evidence.write_text("Measure,Count\nSchools visited,12\n")
    page.get_by_label("Upload evidence").set_input_files(str(evidence))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#evidence-list")).to_contain_text("evaluation.csv")
    assert_accessible(page)
    page.get_by_role("button", name="Send evidence to MOPAC").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Evidence sent")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "manager@demo.example")
    page.goto(f"/grants/{grant.id}")
    payments = page.locator("#payment-table")
    expect(payments).to_contain_text(f"Cannot be paid yet: it is paid on acceptance of "
                                     f"the milestone '{sent.title}'")
    assert_accessible(page)
    page.locator("#milestone-table").get_by_role("link", name=sent.title).click()
    assert_accessible(page)
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Milestone accepted")
    # Now it can be claimed (tests/browser/test_after_the_award_journey.py claims one).
    expect(page.locator("#payment-table tr", has_text=f"On acceptance: {sent.title}")
           ).to_contain_text("Not claimed yet")
    assert_accessible(page)

    page.get_by_role("button", name="Schedule a payment").click()
    page.get_by_label("Description").fill("Extra")
    page.get_by_label("Amount").fill("1")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill(str(grant.ends_on.year))
    page.get_by_label("Paid on acceptance of").select_option(label="None: pay on the "
                                                             "scheduled date")
    page.get_by_role("button", name="Schedule payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("more than the award")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the grant").click()

    page.get_by_role("button", name="Add a milestone").click()
    page.get_by_role("button", name="Add milestone").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the milestone")
    assert_accessible(page)
    page.get_by_label("Milestone").fill("Final evaluation report")
    page.get_by_label("Evidence required").fill("The evaluator's final report")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill(str(grant.ends_on.year))
    page.get_by_role("button", name="Add milestone").click()
    expect(page.locator("#milestone-table")).to_contain_text("Final evaluation report")

    page.get_by_role("link", name="Change the grant's state").click()
    assert_accessible(page)
    page.get_by_label("New state").select_option(label="Suspended")
    page.get_by_label("Reason").fill("Waiting for the audit of the first year")
    page.get_by_role("button", name="Change state").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Suspended")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the grant agreement (PDF)").click()
    text = _pdf_text(download_info.value.path())
    for expected in (grant.reference, "St Giles Trust", "Final evaluation report",
                     "Payment schedule", "OFFICIAL-SENSITIVE"):
        assert expected in text, expected
