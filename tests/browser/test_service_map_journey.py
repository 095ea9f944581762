import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

HEADER = "provider,service_name,description,boroughs,service_types,cohorts,funding_end_date\n"


def test_a_partner_maps_a_service_and_reads_the_gaps(page, demo):  # noqa: F811
    sign_in(page, "partner.stgiles@demo.example")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Service map").click()
    expect(page.locator("h1")).to_have_text("Service map")
    assert_accessible(page)

    page.get_by_role("button", name="Add a service").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select at least one borough served")
    assert_accessible(page)
    page.get_by_label("Service name").fill("Boys' mentoring in Bexley")
    page.get_by_label("Mentoring").check()
    page.get_by_label("Boys and young men").check()
    page.get_by_label("Bexley", exact=True).check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Service added")
    expect(page.locator(".govuk-summary-list")).to_contain_text("31 March 2099")
    assert_accessible(page)

    page.get_by_role("link", name="Service map").first.click()
    page.get_by_label("For", exact=True).select_option(label="Boys and young men")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table")).to_contain_text("Boys' mentoring in Bexley")
    assert_accessible(page)

    page.get_by_role("link", name="gaps in provision").click()
    page.get_by_label("Young people", exact=True).select_option(label="Boys and young men")
    page.get_by_role("button", name="Show gaps").click()
    bexley = page.locator("tr").filter(has=page.get_by_role("rowheader", name="Bexley"))
    mentoring_column = 1 + 5  # the row header, then Mentoring is the sixth service type
    expect(bexley.locator("td").nth(mentoring_column - 1)).to_have_text("Yes")
    expect(page.locator("caption")).to_contain_text("for boys and young men")
    assert_accessible(page)


def test_a_fund_manager_imports_a_csv(page, demo, tmp_path):  # noqa: F811
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Abianda,New group,,Nowhere,group_work,girls_young_women,\n")
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Abianda,New group,,Islington,group_work,girls_young_women,\n")

    sign_in(page, "manager@demo.example")
    page.goto("/service-map")
    page.get_by_role("button", name="Import from CSV").click()
    assert_accessible(page)
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Row 2: unknown borough 'Nowhere'")
    assert_accessible(page)
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported 1 new and 0 updated services")
    assert_accessible(page)
