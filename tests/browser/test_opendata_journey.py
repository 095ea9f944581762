"""The public open-data page in the browser, without signing in: the demo grants listed,
the downloads offered, and axe finds nothing."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eoi.extensions import db
from eoi.reference.models import Organisation, OrganisationType
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def test_anyone_can_read_and_download_the_open_data(page, demo):  # noqa: F811
    page.goto("/open-data")
    expect(page.locator(".govuk-inset-text")).to_contain_text("not published yet")
    assert_accessible(page)

    mopac = db.session.scalar(select(Organisation).where(
        Organisation.type == OrganisationType.mopac))
    mopac.org_id = "GB-GOR-PC000001"
    db.session.commit()
    page.goto("/open-data")
    table = page.locator("#open-grants")
    expect(table).to_contain_text("360G-mopac-GRT-")
    expect(table).to_contain_text("Bexley, Greenwich")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="360Giving JSON").click()
    assert download_info.value.suggested_filename == "mopac-grants-360giving.json"
