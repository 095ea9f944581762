"""Lists and their downloads in the browser: the fund manager filters the EOIs, grants,
payments and returns and downloads each list as on screen; the Greenwich lead gets only
their own rows and no panel scores. axe checks every page visited."""

import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from eoi.extensions import db
from eoi.grants.models import Grant, GrantState
from eoi.rounds.models import FundingRound, RoundStatus
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def _download(page, link_name: str) -> bytes:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).first.click()
    with open(download_info.value.path(), "rb") as downloaded:
        return downloaded.read()


def _xlsx_rows(content: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def _filter(page, **chosen: str) -> None:
    for label, option in chosen.items():
        page.get_by_label(label.replace("_", " ").capitalize(), exact=True).select_option(
            label=option)
    page.get_by_role("button", name="Filter").click()


def test_a_fund_manager_downloads_each_list_as_filtered(page, demo):  # noqa: F811
    assessed = db.session.scalar(select(FundingRound).where(
        FundingRound.status == RoundStatus.assessed))
    grants = db.session.scalars(select(Grant).order_by(Grant.reference)).all()
    sign_in(page, "manager@demo.example")

    page.goto("/eois")
    _filter(page, round=assessed.title, status="Submitted")
    shown = page.locator("#eoi-list tbody tr")
    expect(shown.first).to_be_visible()
    assert_accessible(page)
    rows = _xlsx_rows(_download(page, "Excel (XLSX)"), "EOIs")
    assert len(rows) - 1 == shown.count()
    assert {row[1] for row in rows[1:]} == {assessed.title}
    assert "Score (out of 100)" in rows[0]

    page.goto("/grants")
    _filter(page, state="Active")
    expect(page.locator("#grant-table")).to_contain_text(grants[0].reference)
    assert_accessible(page)
    rows = _csv_rows(_download(page, "CSV"))
    # The demo's offer is left out: it is not active yet.
    assert [row[0] for row in rows[1:]] == [g.reference for g in grants
                                            if g.state is GrantState.active] != [
                                                g.reference for g in grants]

    page.get_by_role("link", name="payments across these grants").click()
    expect(page.locator("h1")).to_have_text("Payments")
    assert_accessible(page)
    _filter(page, status="Paid")
    expect(page.locator("#payment-list")).to_contain_text("Paid")
    assert_accessible(page)
    rows = _xlsx_rows(_download(page, "Excel (XLSX)"), "Payments")
    assert len(rows) > 1 and {row[6] for row in rows[1:]} == {"Paid"}
    assert dict(_xlsx_rows(_download(page, "Excel (XLSX)"), "About"))["Status"] == "Paid"

    page.goto("/grants")
    page.get_by_role("link", name="quarterly returns across these grants").click()
    _filter(page, status="Overdue")
    # The demo's Bexley and Greenwich grant has its latest return overdue.
    expect(page.locator("#return-list")).to_contain_text(grants[0].reference)
    assert_accessible(page)
    rows = _csv_rows(_download(page, "CSV"))
    assert grants[0].reference in {row[0] for row in rows[1:]}
    assert all(int(row[7]) > 0 for row in rows[1:])


def test_a_lead_commissioner_gets_only_their_own_rows(page, demo):  # noqa: F811
    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/returns")
    assert_accessible(page)
    rows = _csv_rows(_download(page, "CSV"))
    consortia = {row[1] for row in rows[1:]}
    assert consortia and all("Greenwich" in name for name in consortia)

    page.goto("/eois")
    assert_accessible(page)
    rows = _csv_rows(_download(page, "CSV"))
    assert "Score (out of 100)" not in rows[0] and "Rank" not in rows[0]
    assert len(rows) > 1
