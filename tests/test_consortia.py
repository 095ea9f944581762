"""Consortia: pooled budget arithmetic, BCU spans, membership and lead rules, pledges."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.consortia import operations
from eoi.consortia.budget import PledgeLine, pooled_budget
from eoi.consortia.models import MembershipStatus, PledgeKind, PledgeStatus
from eoi.consortia.spans import span_warnings
from eoi.extensions import db
from eoi.money import financial_year_of, format_pence, parse_pounds
from eoi.reference.models import LocalAuthority, Organisation, OrganisationType
from eoi.refusals import FieldRefusal, TransitionRefused
from tests.conftest import csrf_token, post_form, sign_in

# Pure arithmetic ---------------------------------------------------------------------------

pledge_lines = st.lists(st.builds(
    PledgeLine,
    funder=st.sampled_from(["MOPAC", "Bexley", "Greenwich", "NHS England"]),
    financial_year=st.integers(2025, 2028),
    amount_pence=st.integers(1, 10**10),
    is_mopac=st.booleans(),
    is_live=st.booleans(),
), max_size=30).map(lambda lines: [
    # A funder is MOPAC or not, whatever the draw said.
    PledgeLine(line.funder, line.financial_year, line.amount_pence,
               line.funder == "MOPAC", line.is_live) for line in lines
])


@given(pledge_lines)
def test_totals_by_year_and_by_funder_both_equal_the_sum_of_live_pledges(lines):
    budget = pooled_budget(lines)
    live_total = sum(line.amount_pence for line in lines if line.is_live)
    assert sum(budget.by_year.values()) == live_total
    assert sum(budget.by_funder.values()) == live_total
    assert budget.total == live_total
    for funder in budget.funders:
        assert sum(budget.cells[funder].values()) == budget.by_funder[funder]
    assert budget.mopac_total == sum(
        line.amount_pence for line in lines if line.is_live and line.funder == "MOPAC")
    if live_total:
        assert 0 <= budget.mopac_share <= 1
    else:
        assert budget.mopac_share is None


def test_mopac_share_and_order():
    budget = pooled_budget([
        PledgeLine("Bexley", 2026, 25_000_00, False),
        PledgeLine("MOPAC", 2026, 50_000_00, True),
        PledgeLine("Greenwich", 2027, 25_000_00, False),
        PledgeLine("Greenwich", 2027, 99_000_00, False, is_live=False),
    ])
    assert budget.funders == ["MOPAC", "Bexley", "Greenwich"]
    assert budget.by_year == {2026: 75_000_00, 2027: 25_000_00}
    assert budget.mopac_share_label() == "50.0%"


@pytest.mark.parametrize("text,pence", [
    ("12500", 12_500_00), ("£12,500", 12_500_00), ("12,500.5", 12_500_50),
    (" £1,000,000.05 ", 1_000_000_05), ("0.99", 99),
])
def test_parse_pounds(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "abc", "12,50", "1.234", "-5", "£"])
def test_parse_pounds_refuses(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_format_pence():
    assert format_pence(1_234_567_00) == "£1,234,567"
    assert format_pence(1_50) == "£1.50"


def test_financial_year_starts_on_1_april():
    from datetime import date

    assert financial_year_of(date(2027, 3, 31)) == 2026
    assert financial_year_of(date(2027, 4, 1)) == 2027


# BCU spans ---------------------------------------------------------------------------------

def _boroughs(*names):
    return [db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == n))
            for n in names]


def test_a_consortium_that_splits_a_bcu_is_warned(reference):
    warnings = span_warnings(_boroughs("Bexley", "Greenwich"))
    assert warnings == ["Bexley and Greenwich are in the South East BCU; Lewisham, also in it, "
                        "is not a member."]


def test_a_whole_bcu_gets_no_warning(reference):
    assert span_warnings(_boroughs("Bexley", "Greenwich", "Lewisham")) == []


def test_spanning_several_bcus_is_said(reference):
    warnings = span_warnings(_boroughs("Brent", "Harrow", "Barnet", "Islington"))
    assert "This consortium spans 2 BCUs: Central North and North West." in warnings
    assert any(w.startswith("Islington is in the Central North BCU; Camden") for w in warnings)


# Membership and lead rules ------------------------------------------------------------------

@pytest.fixture
def people(make_user):
    return {
        "lead": make_user(Role.commissioner, borough="Greenwich", name="Grace Lead"),
        "bexley": make_user(Role.commissioner, borough="Bexley", name="Dan Bexley"),
        "lewisham": make_user(Role.commissioner, borough="Lewisham", name="Lou Lewisham"),
        "manager": make_user(Role.fund_manager, name="Mo Manager"),
        "partner": make_user(Role.partner, organisation="St Giles Trust"),
    }


@pytest.fixture
def consortium(people):
    consortium = operations.create_consortium(name="South East", purpose="Schools work",
                                              by=people["lead"])
    db.session.commit()
    return consortium


def test_forming_makes_the_creator_lead_and_their_borough_a_member(consortium, people):
    assert consortium.lead == people["lead"]
    assert [la.name for la in consortium.member_boroughs] == ["Greenwich"]
    assert not consortium.is_sub_regional


def test_only_a_commissioner_of_the_invited_borough_accepts(consortium, people):
    membership = operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    for someone in ("lead", "lewisham", "manager"):
        with pytest.raises(TransitionRefused):
            operations.respond_to_invitation(membership, accept=True, by=people[someone])
    operations.respond_to_invitation(membership, accept=True, by=people["bexley"])
    assert membership.status is MembershipStatus.accepted
    assert consortium.is_sub_regional
    with pytest.raises(TransitionRefused):  # accepted cannot be accepted again
        operations.respond_to_invitation(membership, accept=True, by=people["bexley"])


def test_declined_boroughs_can_be_invited_again(consortium, people):
    membership = operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    operations.respond_to_invitation(membership, accept=False, by=people["bexley"])
    operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    assert membership.status is MembershipStatus.invited


def test_the_leads_borough_cannot_leave(consortium, people):
    with pytest.raises(TransitionRefused, match="Name a lead from another borough first"):
        operations.leave_consortium(consortium.memberships[0], by=people["lead"])


def test_the_lead_must_be_an_officer_of_an_accepted_member(consortium, people):
    membership = operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    with pytest.raises(FieldRefusal):  # invited, not yet accepted
        operations.change_lead(consortium, people["bexley"], reason="x", by=people["lead"],
                               expected_version=None)
    operations.respond_to_invitation(membership, accept=True, by=people["bexley"])
    with pytest.raises(FieldRefusal):
        operations.change_lead(consortium, people["lewisham"], reason="x", by=people["lead"],
                               expected_version=None)
    operations.change_lead(consortium, people["bexley"], reason="Grace moves on",
                           by=people["lead"], expected_version=None)
    db.session.commit()
    assert consortium.lead == people["bexley"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "consortium.lead_changed"))
    assert "Reason: Grace moves on" in entry.summary
    # Greenwich may leave now that it no longer leads.
    operations.leave_consortium(consortium.membership_for(_boroughs("Greenwich")[0].id),
                                by=people["lead"])
    assert [la.name for la in consortium.member_boroughs] == ["Bexley"]


# Pledges ------------------------------------------------------------------------------------

def _mopac():
    return db.session.scalar(
        select(Organisation).where(Organisation.type == OrganisationType.mopac))


def test_pledge_life_and_its_rules(consortium, people):
    pledge = operations.record_pledge(consortium, funder=_mopac(), financial_year=2026,
                                      amount_pence=50_000_00, kind=PledgeKind.cash,
                                      by=people["lead"])
    assert pledge.status is PledgeStatus.proposed
    assert not pledge.can_confirm(people["lead"])  # MOPAC confirms its own money
    assert pledge.can_confirm(people["manager"])
    operations.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["manager"])
    with pytest.raises(TransitionRefused):
        operations.update_pledge(pledge, financial_year=2026, amount_pence=1, kind=PledgeKind.cash,
                                 by=people["lead"], expected_version=None)
    with pytest.raises(TransitionRefused):
        operations.change_pledge_status(pledge, PledgeStatus.proposed, by=people["manager"])
    with pytest.raises(FieldRefusal, match="Enter why"):
        operations.change_pledge_status(pledge, PledgeStatus.withdrawn, by=people["manager"],
                                        reason="  ")
    operations.change_pledge_status(pledge, PledgeStatus.withdrawn, by=people["manager"],
                                    reason="Budget cut")
    db.session.commit()
    assert pledge.withdrawal_reason == "Budget cut" and not pledge.is_live
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.subject_type == "Pledge", AuditEntry.subject_id == pledge.id)).all()
    assert actions == ["pledge.proposed", "pledge.confirmed", "pledge.withdrawn"]


def test_a_member_pledges_only_for_their_own_borough(consortium, people):
    membership = operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    operations.respond_to_invitation(membership, accept=True, by=people["bexley"])
    assert consortium.pledge_funders_for(people["bexley"]) == [people["bexley"].organisation]
    with pytest.raises(FieldRefusal):
        operations.record_pledge(consortium, funder=_mopac(), financial_year=2026,
                                 amount_pence=1_00, kind=PledgeKind.cash, by=people["bexley"])
    assert consortium.pledge_funders_for(people["lewisham"]) == []


def test_the_database_refuses_a_withdrawal_without_reason(consortium, people):
    pledge = operations.record_pledge(consortium, funder=_mopac(), financial_year=2026,
                                      amount_pence=1_00, kind=PledgeKind.cash, by=people["lead"])
    db.session.commit()
    pledge.status = PledgeStatus.withdrawn
    with pytest.raises(Exception, match="(?i)check|constraint"):
        db.session.commit()
    db.session.rollback()


# Through the pages ------------------------------------------------------------------------

def test_three_borough_consortium_through_the_pages(client, people):
    lead, bexley, lewisham = people["lead"], people["bexley"], people["lewisham"]
    sign_in(client, lead.email)
    response = post_form(client, "/consortia/new", {"name": "South East London CSE",
                                                    "purpose": "Schools and outreach"})
    consortium_url = response.headers["Location"]
    consortium_id = int(consortium_url.rsplit("/", 1)[1])
    ids = {la.name: la.id for la in _boroughs("Bexley", "Lewisham")}
    post_form(client, f"/consortia/{consortium_id}/invite",
              {"boroughs": [ids["Bexley"], ids["Lewisham"]]})
    page = client.get(consortium_url).text
    assert len(re.findall(r">\s*Invited\s*<", page)) == 2

    for officer in (bexley, lewisham):
        client.post("/sign-out", data={"csrf_token": csrf_token(page)})
        sign_in(client, officer.email)
        page = client.get(consortium_url).text
        assert "is invited to join this consortium" in page
        membership_id = next(m.id for m in db.session.get(
            operations.Consortium, consortium_id).memberships
            if m.local_authority_id == officer.borough.id)
        client.post(f"/consortia/{consortium_id}/memberships/{membership_id}/accept",
                    data={"csrf_token": csrf_token(page)})
    page = client.get(consortium_url).text
    assert len(re.findall(r">\s*Member\s*<", page)) == 3
    assert "Sub-regional: 3 boroughs" in page
    assert "govuk-warning-text" not in page  # the whole South East BCU

    # Lewisham cannot pledge Bexley's money; Bexley pledges its own; the lead records MOPAC's.
    refused = post_form(client, f"/consortia/{consortium_id}/pledges/new", {
        "funder_id": bexley.organisation_id, "financial_year": "2026",
        "amount": "£25,000", "kind": "cash"})
    assert "Select who is pledging" in refused.text
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    sign_in(client, bexley.email)
    response = post_form(client, f"/consortia/{consortium_id}/pledges/new", {
        "funder_id": bexley.organisation_id, "financial_year": "2026",
        "amount": "£25,000", "kind": "cash"})
    assert response.status_code == 302, response.text
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    sign_in(client, lead.email)
    bad = post_form(client, f"/consortia/{consortium_id}/pledges/new", {
        "funder_id": _mopac().id, "financial_year": "2026", "amount": "lots", "kind": "cash"})
    assert "Amount pledged must be a number of pounds" in bad.text
    for year, amount in (("2026", "75,000"), ("2027", "100000")):
        post_form(client, f"/consortia/{consortium_id}/pledges/new", {
            "funder_id": _mopac().id, "financial_year": year, "amount": amount,
            "kind": "cash"})
    page = client.get(consortium_url).text
    assert "£200,000" in page  # the pool's total
    assert "£100,000" in page  # 2026's total and 2027's
    assert 'id="mopac-share">87.5%<' in page


def test_the_bcu_warning_on_the_page(client, people):
    consortium = operations.create_consortium(name="Two of three", purpose="x", by=people["lead"])
    membership = operations.invite_borough(consortium, _boroughs("Bexley")[0], by=people["lead"])
    operations.respond_to_invitation(membership, accept=True, by=people["bexley"])
    db.session.commit()
    sign_in(client, people["lead"].email)
    page = client.get(f"/consortia/{consortium.id}").text
    assert ("Bexley and Greenwich are in the South East BCU; Lewisham, also in it, is not a "
            "member.") in page


def test_lead_register_declare_and_filter(client, people):
    sign_in(client, people["lead"].email)
    priority_id = db.session.scalar(select(operations.Priority.id).where(
        operations.Priority.code == "boys-young-men"))
    bad = post_form(client, "/lead-commissioners/new", {
        "priority_id": priority_id, "capacity_days_per_month": "lots", "seniority": "manager"})
    assert "Capacity must be a whole number" in bad.text
    response = post_form(client, "/lead-commissioners/new", {
        "priority_id": priority_id, "capacity_days_per_month": "4", "seniority": "manager",
        "has_political_sign_off": "y"})
    assert response.status_code == 302
    again = post_form(client, "/lead-commissioners/new", {
        "priority_id": priority_id, "capacity_days_per_month": "2", "seniority": "manager"})
    assert "You have already declared interest in this priority" in again.text
    south_east = _boroughs("Greenwich")[0].bcu_id
    west = _boroughs("Ealing")[0].bcu_id
    assert "Grace Lead" in client.get(f"/lead-commissioners?bcu={south_east}").text
    assert "Grace Lead" not in client.get(f"/lead-commissioners?bcu={west}").text
    assert "Grace Lead" in client.get(f"/lead-commissioners?priority={priority_id}").text


def test_only_the_funders_side_withdraws_a_confirmed_pledge(consortium, people):
    pledge = operations.record_pledge(consortium, funder=_mopac(), financial_year=2026,
                                      amount_pence=10_00, kind=PledgeKind.cash, by=people["lead"])
    assert pledge.can_withdraw(people["lead"])  # their own proposal
    operations.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["manager"])
    assert not pledge.can_withdraw(people["lead"])
    assert pledge.can_withdraw(people["manager"])
