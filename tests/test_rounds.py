"""Funding rounds: the state machine, opening rules, the deadline boundary, pages and access."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.forms.rounds import london_instant
from eoi.money import financial_year_of
from eoi.refusals import TransitionRefused
from eoi.rounds import operations
from eoi.rounds.defaults import DEFAULT_CRITERIA
from eoi.rounds.models import FundingRound, RoundStatus
from tests.conftest import ask_route, csrf_token, post_form, sign_in
from tests.test_authorisation import ACCESS, PER_RECORD


def _values(**overrides):
    now = clock.now()
    values = {
        "title": "Round one", "envelope_pence": 1_000_000_00, "first_financial_year": 2026,
        "last_financial_year": 2027, "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30), "guidance": "", "min_member_boroughs": 2,
        "min_match_percent": 25,
    }
    values.update(overrides)
    return values


@pytest.fixture
def manager(make_user):
    return make_user(Role.fund_manager)


@pytest.fixture
def draft(manager):
    funding_round = operations.create_round(values=_values(), by=manager)
    db.session.commit()
    return funding_round


def test_default_criteria_follow_the_workshop_and_weigh_100(draft):
    assert sum(weight for _t, _d, weight in DEFAULT_CRITERIA) == 100
    assert draft.total_weight == 100
    assert [c.title for c in draft.criteria][:3] == [
        "Strategic fit and additionality", "Evidence of need",
        "Partnership and sub-regional reach"]
    assert all(len(c.descriptors) == 5 and all(c.descriptors) for c in draft.criteria)
    assert len(draft.priorities) == 3 and draft.indicators


@pytest.mark.parametrize("current,new,allowed", [
    (RoundStatus.draft, RoundStatus.open, True),
    (RoundStatus.draft, RoundStatus.closed, False),
    (RoundStatus.open, RoundStatus.closed, True),
    (RoundStatus.open, RoundStatus.draft, False),
    (RoundStatus.closed, RoundStatus.assessed, True),
    (RoundStatus.closed, RoundStatus.open, False),
    (RoundStatus.assessed, RoundStatus.decided, True),
    (RoundStatus.decided, RoundStatus.assessed, False),
])
def test_round_state_machine(current, new, allowed):
    if allowed:
        operations.ROUND.check(current, new)
    else:
        with pytest.raises(TransitionRefused):
            operations.ROUND.check(current, new)


def test_a_round_opens_only_when_its_weights_add_up_to_100(draft, manager):
    draft.criteria[0].weight = 10
    with pytest.raises(TransitionRefused, match="add up to 95, not 100"):
        operations.change_round_status(draft, RoundStatus.open, by=manager, now=clock.now())
    draft.criteria[0].weight = 15
    operations.change_round_status(draft, RoundStatus.open, by=manager, now=clock.now())
    db.session.commit()
    assert draft.status is RoundStatus.open
    assert db.session.scalar(select(AuditEntry.changes).where(
        AuditEntry.action == "round.open")) == {"status": ["draft", "open"]}
    with pytest.raises(TransitionRefused, match="Only a draft round can be changed"):
        operations.update_round(draft, values=_values(), priorities=[], indicators=[],
                                by=manager, expected_version=None)


def test_a_round_whose_closing_time_has_passed_cannot_open(manager):
    funding_round = operations.create_round(
        values=_values(opens_at=clock.now() - timedelta(days=9),
                       closes_at=clock.now() - timedelta(days=1)), by=manager)
    assert "The closing time has already passed" in operations.opening_problems(
        funding_round, clock.now())


@pytest.mark.parametrize("closing_day", [date(2026, 12, 15), date(2027, 6, 15)])
def test_the_deadline_boundary(manager, closing_day):
    """Closing at 23:59 on the closing day: 23:59:59 is in, 00:00:00 is out, London time,
    in winter (GMT) and in summer (BST)."""
    closes_at = london_instant(closing_day, "23:59") + timedelta(minutes=1)
    funding_round = operations.create_round(
        values=_values(opens_at=datetime(2026, 1, 1, tzinfo=UTC), closes_at=closes_at),
        by=manager)
    funding_round.status = RoundStatus.open
    last_second = datetime.combine(closing_day, datetime.max.time().replace(microsecond=0),
                                   tzinfo=LONDON)
    assert funding_round.accepts_submissions(last_second)
    assert not funding_round.accepts_submissions(last_second + timedelta(seconds=1))
    funding_round.status = RoundStatus.closed
    assert not funding_round.accepts_submissions(last_second)


def test_a_round_does_not_take_submissions_before_it_opens(draft):
    draft.status = RoundStatus.open
    assert not draft.accepts_submissions(draft.opens_at - timedelta(seconds=1))
    assert draft.accepts_submissions(draft.opens_at)


def _form(**overrides):
    data = {"title": "Round two", "envelope": "£2,500,000", "first_financial_year": "2026",
            "last_financial_year": "2027", "opens_on": ["1", "4", "2026"],
            "opens_time": "09:00", "closes_on": ["30", "6", "2026"], "closes_time": "23:59",
            "min_member_boroughs": "2", "min_match_percent": "25"}
    data.update(overrides)
    return data


def test_create_a_round_through_the_page(client, manager):
    sign_in(client, manager.email)
    page = client.get("/rounds/new").text
    ids = sorted(int(i) for i in set(re.findall(
        r'name="priorities" type="checkbox" value="(\d+)"', page)))
    indicators = sorted(int(i) for i in set(re.findall(
        r'name="indicators" type="checkbox" value="(\d+)"', page)))
    response = post_form(client, "/rounds/new", {**_form(), "priorities": ids[:1],
                                                 "indicators": indicators[:2]})
    assert response.status_code == 302, response.text
    funding_round = db.session.scalar(select(FundingRound))
    assert funding_round.envelope_pence == 2_500_000_00
    # 23:59 on 30 June 2026 is BST: the round closes at 23:00 UTC that day, plus the minute.
    assert funding_round.closes_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert len(funding_round.priorities) == 1 and len(funding_round.indicators) == 2
    assert "30 June 2026 at 11:59pm" in client.get("/rounds").text
    assert "30 June 2026 at 11:59pm" in client.get(f"/rounds/{funding_round.id}").text


def test_bad_round_input_is_explained_and_changes_nothing(client, manager):
    sign_in(client, manager.email)
    this_year = financial_year_of(clock.today())  # the form offers years around this one
    response = post_form(client, "/rounds/new", _form(
        title="", envelope="lots", first_financial_year=str(this_year),
        last_financial_year=str(this_year - 1), closes_on=["31", "3", "2026"],
        closes_time="25:00", opens_on=["31", "2", "2026"], min_match_percent="100"))
    for message in ("Enter the round", "Fund envelope must be a number of pounds",
                    "The last financial year must not be before the first",
                    "Opening date must be a real date",
                    "Enter the closing time as hours and minutes",
                    "Minimum match funding must be between 0 and 99",
                    "Select at least one priority"):
        assert message in response.text, message
    assert db.session.scalar(select(FundingRound.id)) is None


def test_closing_before_opening_is_refused(client, manager):
    sign_in(client, manager.email)
    response = post_form(client, "/rounds/new", _form(closes_on=["1", "3", "2026"]))
    assert "The round must close after it opens" in response.text


def test_the_fund_manager_opens_a_round_from_its_page(client, manager, draft):
    sign_in(client, manager.email)
    draft.criteria[1].weight = 5
    db.session.commit()
    page = client.get(f"/rounds/{draft.id}").text
    assert "The criteria&#39;s weights add up to 95, not 100" in page
    response = post_form(client, f"/rounds/{draft.criteria[1].round_id}/criteria/"
                         f"{draft.criteria[1].id}", {
                             "title": draft.criteria[1].title, "description": "Need.",
                             "weight": "10", "position": "20",
                             **{f"descriptor_{s}": f"Score {s}" for s in range(5)},
                             "version": draft.criteria[1].version})
    assert response.status_code == 302
    token = csrf_token(client.get(f"/rounds/{draft.id}").text)
    page = client.post(f"/rounds/{draft.id}/status", data={"csrf_token": token,
                                                           "status": "open"},
                       follow_redirects=True).text
    assert "The round is now open" in page
    db.session.refresh(draft)
    assert draft.status is RoundStatus.open
    assert client.get(f"/rounds/{draft.id}/edit").status_code == 403  # no longer a draft


# Access, person by person ------------------------------------------------------------------

RULES = [  # (endpoint, method, roles allowed on a draft round, on an open round)
    ("rounds.show", "GET", {"fund_manager"}, {"fund_manager", "panel_member", "commissioner",
                                              "partner", "finance", "certifier"}),
    ("rounds.edit", "GET", {"fund_manager"}, set()),
    ("rounds.criterion_new", "GET", {"fund_manager"}, set()),
    ("rounds.criterion_edit", "GET", {"fund_manager"}, set()),
    ("rounds.criterion_remove", "POST", {"fund_manager"}, set()),
    ("rounds.change_status", "POST", {"fund_manager"}, {"fund_manager"}),
]


def test_every_round_route_has_a_rule():
    assert {e for e, _m, _d, _o in RULES} == {
        e for e, rule in ACCESS.items() if rule == PER_RECORD and e.startswith("rounds.")}


@pytest.mark.parametrize("who", ["anonymous", *(role.value for role in Role)])
@pytest.mark.parametrize("state", ["draft", "open"])
def test_round_routes(app, client, users_by_role, who, state):
    user = users_by_role[who]
    funding_round = operations.create_round(values=_values(), by=None)
    if state == "open":
        funding_round.status = RoundStatus.open
    db.session.commit()
    if user:
        sign_in(client, user.email)
    failures = []
    for endpoint, method, on_draft, on_open in RULES:
        allowed = on_draft if state == "draft" else on_open
        args = {"round_id": funding_round.id, "criterion_id": funding_round.criteria[-1].id}
        url, status = ask_route(app, client, endpoint, method, args, signed_in=user is not None)
        if method == "GET":
            expected = 302 if user is None else (200 if who in allowed else 403)
        else:
            expected = 302 if user is None or who in allowed else 403
        if status != expected:
            failures.append(f"{method} {url} ({state}): {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_a_rounds_years_read_as_one_span():
    from eoi.money import financial_years_label

    assert financial_years_label(2026, 2026) == "2026 to 2027"
    assert financial_years_label(2027, 2028) == "April 2027 to March 2029 (2 financial years)"


def test_the_rounds_pages_never_chain_years_into_one_another(app, demo):
    from tests.conftest import signed_in

    client = signed_in(app, "manager@demo.example")
    pages = [client.get("/rounds").text]
    with app.app_context():
        ids = list(db.session.scalars(select(FundingRound.id)))
    pages += [client.get(f"/rounds/{i}").text for i in ids]
    for page in pages:
        assert not re.search(r"\d{4} to \d{4} to \d{4}", page)
    assert any("financial years)" in page for page in pages)


def test_outcomes_keep_their_capitals_on_the_round_page(app, demo):
    """An outcome's title is a name: "…affected by CSE", never "…affected by cse"."""
    from eoi.reference.models import Outcome
    from tests.conftest import signed_in

    client = signed_in(app, "manager@demo.example")
    with app.app_context():
        ids = list(db.session.scalars(select(FundingRound.id)))
        titles = list(db.session.scalars(select(Outcome.title)))
    pages = "".join(client.get(f"/rounds/{i}").text for i in ids)
    shown = [t for t in titles if f"under the outcome “{t}”" in pages]
    assert shown and not any(t.lower() in pages for t in shown if t.lower() != t)
