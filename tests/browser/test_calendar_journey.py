"""A calendar feed in the browser: the demo lead commissioner gets a calendar link from
Your account, a calendar library reads the feed the live server gives (with the overdue
return of the Bexley and Greenwich grant and the open round's closing time), and once the
link is stopped the old address answers 404. axe checks every page on the way."""

import urllib.error
import urllib.request
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eoi import clock
from eoi.extensions import db
from eoi.grants.models import Grant
from eoi.rounds.models import FundingRound, RoundStatus
from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

# A journey through the pages, run once (on SQLite): tests/conftest.py says why.
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

SCHOOLS = "Bexley and Greenwich schools partnership"
# Straight to the loopback server, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_the_lead_commissioner_subscribes_to_their_deadlines_and_stops_the_link(
        page, demo, app, live_server, monkeypatch):  # noqa: F811
    # The link is made at the service's configured address: here, the test server's.
    monkeypatch.setitem(app.config, "EOI_BASE_URL", live_server)
    grant = next(g for g in db.session.scalars(select(Grant)) if g.consortium.name == SCHOOLS)
    overdue = next(r for r in grant.returns if r.is_overdue(clock.today()))
    open_round = db.session.scalar(select(FundingRound).where(
        FundingRound.status == RoundStatus.open))

    sign_in(page, "lead.greenwich@demo.example")
    page.goto("/account")
    assert_accessible(page)
    page.get_by_role("link", name="Set up calendar link").click()
    expect(page.locator("h1")).to_have_text("Your deadlines in your calendar")
    expect(page.locator("#feed-contents")).to_contain_text("when open funding rounds close")
    assert_accessible(page)

    page.get_by_role("button", name="Get a calendar link").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your calendar link is ready")
    link = page.get_by_label("Calendar link").input_value()
    assert link.startswith(f"{live_server}/calendar/") and link.endswith(".ics")
    assert_accessible(page)

    # Fetched as a calendar program would: outside the browser, with no sign-in.
    with DIRECT.open(link, timeout=10) as feed:
        assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
        events = {str(e["SUMMARY"]): e for e in
                  icalendar.Calendar.from_ical(feed.read()).walk("VEVENT")}
    due = events[f"Quarterly return due: {grant.reference} {overdue.period.short_label}"]
    assert due["DTSTART"].dt == overdue.due_on
    assert "overdue" in str(due["DESCRIPTION"])
    closes = events[f"Round closes: {open_round.title}"]
    assert closes["DTSTART"].dt == open_round.closes_at - timedelta(minutes=1)
    assert str(closes["DTSTART"].dt.tzinfo) == "Europe/London"

    page.reload()
    expect(page.get_by_label("Calendar link")).to_have_count(0)
    expect(page.get_by_text("Made on")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Stop the link").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your calendar link has stopped working")
    expect(page.get_by_role("button", name="Get a calendar link")).to_be_visible()
    assert_accessible(page)
    with pytest.raises(urllib.error.HTTPError) as stopped:
        DIRECT.open(link, timeout=10)
    assert stopped.value.code == 404
