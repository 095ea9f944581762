"""Consortium routes, person by person: each rule depends on who leads, who is a member,
which borough was invited and whose pledge it is."""

import pytest

from eoi.accounts.models import Role
from eoi.consortia import operations
from eoi.consortia.models import PartnerRole, PledgeKind
from eoi.extensions import db
from eoi.reference.models import LocalAuthority, Organisation, Priority
from tests.conftest import ask_route, sign_in
from tests.test_authorisation import ACCESS, PER_RECORD

PEOPLE = ["anonymous", "fund_manager", "panel_member", "lead", "member", "outsider",
          "partner", "other_partner"]


def _borough(name):
    return db.session.scalar(db.select(LocalAuthority).where(LocalAuthority.name == name))


@pytest.fixture
def world(make_user):
    people = {
        "anonymous": None,
        "fund_manager": make_user(Role.fund_manager),
        "panel_member": make_user(Role.panel_member),
        "lead": make_user(Role.commissioner, borough="Greenwich"),
        "member": make_user(Role.commissioner, borough="Bexley"),
        "outsider": make_user(Role.commissioner, borough="Lewisham"),
        "partner": make_user(Role.partner, organisation="St Giles Trust"),
        "other_partner": make_user(Role.partner, organisation="Abianda"),
    }
    consortium = operations.create_consortium(name="South East", purpose="Together",
                                              by=people["lead"])
    bexley = operations.invite_borough(consortium, _borough("Bexley"), by=people["lead"])
    operations.respond_to_invitation(bexley, accept=True, by=people["member"])
    invited = operations.invite_borough(consortium, _borough("Lewisham"), by=people["lead"])
    partner = operations.add_partner(
        consortium,
        db.session.scalar(db.select(Organisation).where(Organisation.name == "St Giles Trust")),
        PartnerRole.lead_provider, by=people["lead"])
    pledge = operations.record_pledge(
        consortium, funder=people["member"].organisation, financial_year=2026,
        amount_pence=1_000_000, kind=PledgeKind.cash, by=people["member"])
    interest = operations.declare_lead_interest(
        user=people["lead"], priority=db.session.scalar(db.select(Priority)),
        capacity_days_per_month=4, seniority=operations.Seniority.manager,
        has_political_sign_off=True, notes="")
    db.session.commit()
    ids = {"consortium_id": consortium.id, "membership_id": invited.id,
           "partner_id": partner.id, "pledge_id": pledge.id, "interest_id": interest.id}
    return people, ids


ALL_SIGNED_IN = {"fund_manager", "panel_member", "lead", "member", "outsider", "partner",
                 "other_partner"}
VIEWERS = {"fund_manager", "lead", "member", "outsider", "partner"}
MANAGERS = {"fund_manager", "lead"}
COMMISSIONERS = {"lead", "member", "outsider"}

# (endpoint, method, who may: 200 for GET, 302 for POST; everyone else signed in gets 403)
RULES = [
    ("consortia.index", "GET", VIEWERS | {"other_partner"}),
    ("consortia.new", "GET", COMMISSIONERS),
    ("consortia.show", "GET", VIEWERS),
    ("consortia.edit", "GET", MANAGERS),
    ("consortia.invite", "GET", MANAGERS),
    ("consortia.lead", "GET", MANAGERS),
    ("consortia.partner_new", "GET", MANAGERS),
    ("consortia.partner_invite", "GET", MANAGERS),
    ("consortia.pledge_new", "GET", MANAGERS | {"member"}),
    ("consortia.pledge_edit", "GET", MANAGERS | {"member"}),
    ("consortia.pledge_status", "GET", MANAGERS | {"member"}),
    # No pledge waits for sign-off here: tests/test_sign_off.py asks it of one that does.
    ("consortia.pledge_sign_off", "GET", set()),
    ("consortia.register", "GET", COMMISSIONERS | {"fund_manager"}),
    ("consortia.register_new", "GET", COMMISSIONERS),
    ("consortia.register_edit", "GET", {"lead"}),
    ("consortia.accept", "POST", {"outsider"}),
    ("consortia.decline", "POST", {"outsider"}),
    ("consortia.leave", "POST", {"outsider"}),
    ("consortia.partner_remove", "POST", MANAGERS),
    ("consortia.register_withdraw", "POST", {"lead"}),
]


def test_every_consortium_route_has_a_rule():
    per_record = {endpoint for endpoint, rule in ACCESS.items()
                  if rule == PER_RECORD and endpoint.startswith("consortia.")}
    assert {endpoint for endpoint, _method, _who in RULES} == per_record


@pytest.mark.parametrize("who", PEOPLE)
def test_consortium_routes(app, client, world, who):
    people, ids = world
    user = people[who]
    if user:
        sign_in(client, user.email)
    failures = []
    for endpoint, method, allowed in RULES:
        url, status = ask_route(app, client, endpoint, method, ids, signed_in=user is not None)
        if method == "GET":
            expected = 302 if user is None else (200 if who in allowed else 403)
        else:
            expected = 302 if user is None or who in allowed else 403
        if status != expected:
            failures.append(f"{method} {url}: {status}, expected {expected}")
    assert not failures, "\n".join(failures)
    assert ALL_SIGNED_IN | {"anonymous"} == set(PEOPLE)
