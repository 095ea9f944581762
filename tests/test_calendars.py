"""Calendar feeds: who sees which deadlines, the feed as a calendar library reads it, and the
secret link made, shown once, replaced, stopped and refused for a deactivated account."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.accounts.operations import set_user_active
from eoi.audit.models import AuditEntry
from eoi.calendars import operations
from eoi.calendars.models import CalendarFeed
from eoi.consortia import operations as consortia
from eoi.eois import operations as eois
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants import operations as grants
from eoi.grants.models import Grant, GrantState
from eoi.refusals import TransitionRefused
from eoi.returns import operations as returns
from eoi.rounds import operations as rounds
from eoi.rounds.models import RoundStatus
from tests.conftest import complete_figures, csrf_token, sign_in

HOST = "127.0.0.1"  # EOI_BASE_URL's, in tests
# 23:59 on 14 January 2027 is the last minute it takes submissions.
ROUND_TWO_CLOSES = datetime(2027, 1, 15, 0, 0, tzinfo=LONDON)


@pytest.fixture
def deadlines(granted):
    """The `granted` grant with Q1's return accepted, one milestone open and one accepted;
    an open second round; and another consortium's grant, with a milestone of its own."""
    people, grant = granted
    manager, partner, outsider = people["manager"], people["partner"], people["outsider"]
    now = clock.now()

    first = grant.returns[0]
    returns.save_return(first, complete_figures(grant), by=partner, now=now)
    returns.submit_return(first, by=partner, now=now)
    returns.review_return(first, accept=True, comments="", by=manager, now=now)
    grants.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                         due_on=date(2026, 9, 30), by=manager)
    done = grants.add_milestone(grant, title="Schools signed up", evidence_required="Letters",
                                due_on=date(2026, 6, 30), by=manager)
    grants.attach_evidence(done, "schools.csv", b"School,Signed\nA,yes\n", by=partner)
    grants.send_evidence(done, notes="All six signed", by=partner, now=now)
    grants.review_milestone(done, accept=True, comments="", by=manager, now=now)

    round_two = rounds.create_round(values={
        "title": "Round two", "envelope_pence": 500_000_00, "first_financial_year": 2027,
        "last_financial_year": 2028, "opens_at": now - timedelta(days=1),
        "closes_at": ROUND_TWO_CLOSES, "guidance": "", "min_member_boroughs": 2,
        "min_match_percent": 25}, by=manager)
    round_two.status = RoundStatus.open

    # Made directly: only its being someone else's grant matters here.
    other = consortia.create_consortium(name="Lewisham alone", purpose="x", by=outsider)
    other_eoi = eois.start_eoi(other, round_two, by=outsider)
    other_grant = Grant(eoi=other_eoi, consortium=other, reference="GRT-2027-0099",
                        title="Lewisham outreach", owner_id=outsider.id, award_pence=1_00,
                        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
                        created_by_id=manager.id, state=GrantState.active)
    db.session.add(other_grant)
    grants.add_milestone(other_grant, title="Outreach started", evidence_required="Log",
                         due_on=date(2026, 10, 31), by=manager)
    db.session.commit()
    return people, grant, round_two, other_grant


def _summaries(user) -> list[str]:
    return [d.summary for d in operations.deadlines_for(user, date(2026, 11, 24))]


def _fetch(client, url: str):
    return client.get(urlsplit(url).path)


def _calendar(client, url: str) -> icalendar.Calendar:
    response = _fetch(client, url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.data)


def test_the_lead_commissioners_feed_lists_their_deadlines(client, deadlines):
    people, grant, round_two, _ = deadlines
    lead = people["lead"]
    url = operations.feed_url(operations.make_link(lead, by=lead))
    db.session.commit()
    assert url.startswith(f"http://{HOST}:5000/calendar/") and url.endswith(".ics")

    response = _fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'inline; filename="eoi-deadlines.ics"'
    # Titles, references and dates: not even the person's own name.
    assert lead.email not in response.text and lead.full_name not in response.text

    events = {str(e["SUMMARY"]): e for e in _calendar(client, url).walk("VEVENT")}
    q2, q3, q4 = grant.returns[1:]
    open_milestone = next(m for m in grant.milestones if m.title == "Workers in post")
    ref = grant.reference
    assert list(events) == [  # soonest first
        f"Milestone due: {ref} – Workers in post",
        f"Quarterly return due: {ref} Q2 2026-27",
        "Round closes: Round two",
        f"Quarterly return due: {ref} Q3 2026-27",
        f"Quarterly return due: {ref} Q4 2026-27",
    ]

    closes = events["Round closes: Round two"]
    # The last minute it accepts, as the round's page puts it: 11:59pm on the 14th.
    assert closes["DTSTART"].dt == ROUND_TWO_CLOSES - timedelta(minutes=1)
    assert closes["DTSTART"].dt.replace(tzinfo=None) == datetime(2027, 1, 14, 23, 59)
    assert str(closes["DTSTART"].dt.tzinfo) == "Europe/London"
    assert "DTEND" not in closes
    assert str(closes["UID"]) == f"round-{round_two.id}-closes@{HOST}"
    assert "14 January 2027 at 11:59pm" in str(closes["DESCRIPTION"])

    q3_event = events[f"Quarterly return due: {ref} Q3 2026-27"]
    assert q3_event["DTSTART"].dt == q3.due_on == date(2027, 1, 30)
    assert q3_event["DTEND"].dt == date(2027, 1, 31)
    assert str(q3_event["UID"]) == f"return-{q3.id}@{HOST}"
    assert str(q3_event["URL"]) == f"http://{HOST}:5000/returns/{q3.id}"

    milestone = events[f"Milestone due: {ref} – Workers in post"]
    assert milestone["DTSTART"].dt == date(2026, 9, 30)
    assert str(milestone["UID"]) == f"milestone-{open_milestone.id}@{HOST}"
    assert str(milestone["URL"]) == f"http://{HOST}:5000/grants/milestones/{open_milestone.id}"
    assert str(events[f"Quarterly return due: {ref} Q2 2026-27"]
               ["UID"]) == f"return-{q2.id}@{HOST}"
    assert str(events[f"Quarterly return due: {ref} Q4 2026-27"]
               ["UID"]) == f"return-{q4.id}@{HOST}"


def test_who_sees_which_deadlines(deadlines):
    people, grant, _, other_grant = deadlines
    ours = [s for s in _summaries(people["lead"]) if not s.startswith("Round")]
    # The delivering partner reports on the grant, but bids for no round.
    assert _summaries(people["partner"]) == ours
    # A member borough's commissioner sees the grant and the round.
    assert _summaries(people["member"]) == _summaries(people["lead"])
    # Another consortium's lead sees its own grant and the round, not this grant.
    assert _summaries(people["outsider"]) == [
        f"Milestone due: {other_grant.reference} – Outreach started", "Round closes: Round two"]
    # MOPAC sees every open grant; the panel, nothing.
    assert len(_summaries(people["manager"])) == len(_summaries(people["lead"])) + 1
    assert _summaries(people["panel"]) == []

    grants.change_grant_state(other_grant, GrantState.closed, reason="Ended early",
                              by=people["manager"])
    assert _summaries(people["outsider"]) == ["Round closes: Round two"]


def test_a_new_link_or_stopping_it_makes_the_old_one_404(client, granted):
    people, _ = granted
    lead = people["lead"]
    first = operations.feed_url(operations.make_link(lead, by=lead))
    db.session.commit()
    assert _fetch(client, first).status_code == 200

    second = operations.feed_url(operations.make_link(lead, by=lead))
    db.session.commit()
    assert _fetch(client, first).status_code == 404
    assert _fetch(client, second).status_code == 200

    assert operations.stop_link(lead, by=lead) is True
    db.session.commit()
    assert _fetch(client, second).status_code == 404
    assert operations.stop_link(lead, by=lead) is False  # nothing left to stop
    assert client.get("/calendar/not-a-token.ics").status_code == 404

    feed = db.session.scalar(select(CalendarFeed))
    assert feed.token_hash is None and feed.revoked_at is not None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.startswith("calendar_feed.")).order_by(AuditEntry.id)).all()
    assert [(e.action, e.user_id, e.summary) for e in entries] == [
        ("calendar_feed.link_made", lead.id, "Made a calendar link"),
        ("calendar_feed.link_made", lead.id,
         "Made a new calendar link; the old one no longer works"),
        ("calendar_feed.link_stopped", lead.id, "Stopped the calendar link"),
    ]
    # The secret is never written down, not even in the audit trail.
    secret = urlsplit(second).path.removeprefix("/calendar/").removesuffix(".ics")
    assert all(secret not in repr(e.changes) + e.summary for e in entries)


def test_the_database_keeps_only_a_hash_of_the_secret(granted):
    people, _ = granted
    secret = operations.make_link(people["partner"], by=people["partner"])
    db.session.commit()
    feed = db.session.scalar(select(CalendarFeed))
    assert feed.token_hash == operations.token_hash(secret) != secret
    assert len(secret) >= 43  # 32 random bytes
    assert operations.feed_owner(secret) == people["partner"]
    assert operations.feed_owner("") is None


def test_a_deactivated_persons_feed_is_404(client, granted):
    people, _ = granted
    partner = people["partner"]
    url = operations.feed_url(operations.make_link(partner, by=partner))
    set_user_active(partner, False, by=people["manager"])
    db.session.commit()
    assert _fetch(client, url).status_code == 404


def test_only_the_person_or_a_fund_manager_changes_a_link(granted):
    people, _ = granted
    with pytest.raises(TransitionRefused):
        operations.make_link(people["lead"], by=people["member"])
    operations.make_link(people["lead"], by=people["lead"])
    with pytest.raises(TransitionRefused):
        operations.stop_link(people["lead"], by=people["partner"])
    assert operations.stop_link(people["lead"], by=people["manager"]) is True


def test_the_page_shows_the_new_link_once(client, make_user):
    person = make_user(Role.partner, organisation="St Giles Trust")
    assert client.get("/account/calendar").status_code == 302  # sign in first
    sign_in(client, person.email)
    account = client.get("/account")
    assert "Not set up" in account.text and "Set up" in account.text

    page = client.get("/account/calendar")
    assert "Get a calendar link" in page.text and "when open funding rounds close" not in page.text
    made = client.post("/account/calendar/link", data={"csrf_token": csrf_token(page.text)},
                       follow_redirects=True)
    assert "Your calendar link is ready" in made.text
    link = _shown_link(made.text)
    feed = db.session.scalar(select(CalendarFeed))
    assert operations.token_hash(urlsplit(link).path[10:-4]) == feed.token_hash
    assert _fetch(client, link).status_code == 200
    assert "Subscribe from web" in made.text and "From URL" in made.text

    again = client.get("/account/calendar")
    assert _shown_link(again.text) is None
    assert "Made on" in again.text and "Make a new link" in again.text
    assert "Manage" in client.get("/account").text

    remade = client.post("/account/calendar/link",
                         data={"csrf_token": csrf_token(again.text)}, follow_redirects=True)
    assert "the old one has stopped working" in remade.text
    new_link = _shown_link(remade.text)
    assert new_link != link
    assert _fetch(client, link).status_code == 404
    assert _fetch(client, new_link).status_code == 200

    stopped = client.post("/account/calendar/stop",
                          data={"csrf_token": csrf_token(again.text)}, follow_redirects=True)
    assert "Your calendar link has stopped working" in stopped.text
    assert "you stopped your last one" in stopped.text
    assert _fetch(client, new_link).status_code == 404

    # Without a CSRF token nothing is made.
    assert client.post("/account/calendar/link").status_code == 400
    assert db.session.scalar(select(CalendarFeed)).token_hash is None



def _shown_link(html: str) -> str | None:
    """The calendar link in the page's read-only box, if it shows one."""
    match = re.search(r'id="calendar-link" [^>]*value="([^"]+)"', html)
    return match.group(1) if match else None


def test_the_calendar_page_sits_under_your_account_in_the_navigation(client, granted):
    people, _grant = granted
    sign_in(client, people["partner"].email)
    page = client.get("/account/calendar").text
    current = page[page.index("govuk-service-navigation__item--active"):][:400]
    assert "Your account" in current


def test_a_feed_asks_the_database_for_what_its_person_may_see(app, demo):
    """Five statements at most whatever the fund's size (the rounds closing, the open returns
    and the open milestones of the live grants the person may see, and the person's
    organisation and borough, which say what that is), and the same deadlines as asking each
    grant whether the person may see it."""
    from eoi.accounts.models import User
    from eoi.grants.models import LIVE_GRANT_STATES
    from tests.queries import counted_statements

    with app.app_context():
        today = clock.today()
        for person in db.session.scalars(select(User).order_by(User.id)):
            assert person.roles is not None  # read first, as signing in does
            with counted_statements() as statements:
                deadlines = operations.deadlines_for(person, today)
            assert statements.count <= 5, person.email
            grants = [g for g in db.session.scalars(select(Grant))
                      if g.state in LIVE_GRANT_STATES and g.can_view(person)]
            expected = {f"return-{r.id}" for g in grants for r in g.returns if r.is_open} | {
                f"milestone-{m.id}" for g in grants for m in g.milestones if m.is_open}
            assert {d.uid.split("@")[0] for d in deadlines
                    if not d.uid.startswith("round-")} == expected, person.email
