"""Claims: a partner or the lead claims; the fund team checks; finance, never the same
person, approves and records it paid; either sends it back. Never past the award."""

import io
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from eoi import clock
from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants import claims, operations
from eoi.grants.models import Claim, ClaimStatus, PaymentStatus
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, StaleEdit, TransitionRefused
from tests.conftest import claim_through, csrf_token, sign_in, sign_out


@pytest.fixture
def scheduled(granted):
    """The `granted` grant (£120,000 from MOPAC) with £100,000 scheduled in two payments."""
    people, grant = granted
    for description, pounds, on in (("First half", 50_000, date(2026, 4, 1)),
                                     ("Second half", 50_000, date(2026, 10, 1))):
        operations.schedule_payment(grant, description=description, amount_pence=pounds * 100,
                                    scheduled_on=on, milestone=None, by=people["manager"])
    db.session.commit()
    return people, grant


def _told(event: str) -> set[str]:
    return {n.email for n in db.session.scalars(
        select(Notification).where(Notification.event == event))}


def _expenditure(grant, people, pence: int, **kwargs) -> Claim:
    return claims.send_claim(grant, payment=None, amount_pence=pence,
                             spend_to=clock.today(), spend={CostCategory.staff: pence},
                             notes="Ledger attached", by=people["partner"], now=clock.now(),
                             **kwargs)


def test_a_claim_goes_from_the_partner_through_the_fund_team_to_finance(client, scheduled):
    people, grant = scheduled
    first = grant.payments[0]
    sign_in(client, people["partner"].email)
    url = f"/grants/{grant.id}/claims/new"
    form = client.get(url)
    assert "First half: £50,000, scheduled for 1 April 2026" in form.text
    assert "£20,000 of the award of £120,000 is left to claim" in form.text
    token = csrf_token(form.text)
    response = client.post(url, data={"csrf_token": token, "notes": "",
                                      "spend_staff": "-5", "spend_to": ["", "", ""]})
    for message in ("Select what you are claiming", "Describe the evidence for the claim",
                    "Staff must be a number of pounds", "Enter the date spend is counted to"):
        assert message in response.text, message
    assert db.session.scalar(select(Claim.id)) is None
    response = client.post(url, data={
        "csrf_token": token, "claiming": str(first.id), "spend_to": ["30", "6", "2026"],
        "spend_staff": "21,000", "spend_delivery": "4,000.50",
        "notes": "The ledger to 30 June is with the fund team"}, follow_redirects=True)
    assert "Claim sent to MOPAC." in response.text
    claim = db.session.scalar(select(Claim))
    assert (claim.payment_id, claim.amount_pence, claim.spend_total_pence, claim.status) == (
        first.id, 50_000_00, 25_000_50, ClaimStatus.submitted)
    assert _told("claim_sent") == {people["manager"].email}
    sign_out(client)

    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/claims/{claim.id}")
    assert "Check and pass to finance" in page.text and "Approve the claim" not in page.text
    response = client.post(f"/grants/claims/{claim.id}/check", data={
        "csrf_token": csrf_token(page.text), "version": claim.version}, follow_redirects=True)
    assert "Claim checked and passed to finance." in response.text
    assert _told("claim_checked") == {people["finance"].email}
    # The fund team cannot approve what it checked, nor at all.
    assert client.post(f"/grants/claims/{claim.id}/approve", data={
        "csrf_token": csrf_token(page.text)}).status_code == 403
    sign_out(client)

    sign_in(client, people["finance"].email)
    queue = client.get("/grants/claims?status=checked")
    assert "First half" in queue.text
    page = client.get(f"/grants/claims/{claim.id}")
    db.session.expire_all()
    response = client.post(f"/grants/claims/{claim.id}/approve", data={
        "csrf_token": csrf_token(page.text), "version": claim.version}, follow_redirects=True)
    assert "Claim approved." in response.text
    db.session.expire_all()
    assert (claim.status, first.status, first.approved_by_id) == (
        ClaimStatus.approved, PaymentStatus.approved, people["finance"].id)
    response = client.post(f"/grants/claims/{claim.id}/paid", data={
        "csrf_token": csrf_token(page.text), "version": claim.version}, follow_redirects=True)
    assert "Claim recorded as paid." in response.text
    db.session.expire_all()
    assert claim.status is ClaimStatus.paid and grant.paid_pence == 50_000_00
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.subject_type == "Claim", AuditEntry.subject_id == claim.id)
        .order_by(AuditEntry.id)))
    assert actions == ["claim.submitted", "claim.checked", "claim.approved", "claim.paid"]


def test_nobody_approves_a_claim_they_checked_or_sent(scheduled, make_user):
    people, grant = scheduled
    both = make_user(Role.fund_manager, Role.finance)
    claim = claim_through(grant, grant.payments[0], people, until=ClaimStatus.submitted)
    claims.check_claim(claim, by=both, now=clock.now())
    with pytest.raises(TransitionRefused, match="you checked this claim, so another person"):
        claims.approve_claim(claim, by=both, now=clock.now())
    with pytest.raises(TransitionRefused, match="only a finance officer"):
        claims.approve_claim(claim, by=people["manager"], now=clock.now())

    # A finance officer who is also the partner's colleague, claiming, cannot approve it.
    claimant = make_user(Role.partner, Role.finance, organisation="St Giles Trust")
    other = claims.send_claim(grant, payment=grant.payments[1], amount_pence=None,
                              spend_to=clock.today(), spend={}, notes="", by=claimant,
                              now=clock.now())
    claims.check_claim(other, by=people["manager"], now=clock.now())
    with pytest.raises(TransitionRefused, match="you sent this claim"):
        claims.approve_claim(other, by=claimant, now=clock.now())
    claims.approve_claim(claim, by=people["finance"], now=clock.now())
    db.session.commit()
    # And the database itself refuses one person in both places.
    with pytest.raises(IntegrityError):
        db.session.execute(update(Claim).where(Claim.id == claim.id)
                           .values(approved_by_id=both.id))
        db.session.flush()
    db.session.rollback()


def test_the_claim_page_tells_finance_why_it_cannot_approve(client, scheduled, make_user):
    people, grant = scheduled
    both = make_user(Role.fund_manager, Role.finance, email="both@example.org.uk")
    claim = claim_through(grant, grant.payments[0], people, until=ClaimStatus.submitted)
    claims.check_claim(claim, by=both, now=clock.now())
    db.session.commit()
    sign_in(client, both.email)
    page = client.get(f"/grants/claims/{claim.id}").text
    assert "It cannot be approved by you now: you checked this claim" in page
    assert "Approve the claim</button>" not in page


def test_claims_never_pass_the_award(scheduled):
    people, grant = scheduled
    with pytest.raises(FieldRefusal, match="at most £20,000 is left to claim"):
        _expenditure(grant, people, 20_000_01)
    with pytest.raises(FieldRefusal, match="no more than the spend to date"):
        claims.send_claim(grant, payment=None, amount_pence=10_000_00, spend_to=clock.today(),
                          spend={CostCategory.staff: 9_999_99}, notes="", by=people["partner"],
                          now=clock.now())
    first = _expenditure(grant, people, 15_000_00)
    # What is on its way is spoken for.
    with pytest.raises(FieldRefusal, match="at most £5,000 is left"):
        _expenditure(grant, people, 5_000_01)
    claims.check_claim(first, by=people["manager"], now=clock.now())
    claims.approve_claim(first, by=people["finance"], now=clock.now())
    # Approved expenditure is a payment of its own, approved at once.
    assert first.payment.description == f"Claim: expenditure to {clock.today():%-d %B %Y}"
    assert first.payment.status is PaymentStatus.approved
    assert sum(p.amount_pence for p in grant.payments) == 115_000_00
    with pytest.raises(FieldRefusal, match="at most £5,000 is left"):
        _expenditure(grant, people, 5_000_01)
    with pytest.raises(FieldRefusal, match="already claimed"):
        claims.send_claim(grant, payment=first.payment, amount_pence=None,
                          spend_to=clock.today(), spend={}, notes="", by=people["partner"],
                          now=clock.now())
    # If the schedule were got round, approval checks the award again.
    last = _expenditure(grant, people, 5_000_00)
    claims.check_claim(last, by=people["manager"], now=clock.now())
    operations.schedule_payment(grant, description="Late", amount_pence=1_00,
                                scheduled_on=date(2027, 1, 1), milestone=None,
                                by=people["manager"])
    with pytest.raises(TransitionRefused, match="past the award"):
        claims.approve_claim(last, by=people["finance"], now=clock.now())


def test_a_claim_sent_back_is_changed_and_sent_again(client, scheduled):
    people, grant = scheduled
    claim = _expenditure(grant, people, 10_000_00)
    with pytest.raises(FieldRefusal, match="Say what needs to change"):
        claims.send_back_claim(claim, comments=" ", by=people["manager"], now=clock.now())
    claims.check_claim(claim, by=people["manager"], now=clock.now())
    claims.send_back_claim(claim, comments="Split the spend by category",
                           by=people["finance"], now=clock.now())
    db.session.commit()
    assert claim.status is ClaimStatus.changes_requested and claim.checked_by_id is None
    assert {people["lead"].email, people["partner"].email} <= _told("claim_sent_back")
    with pytest.raises(TransitionRefused):
        claims.check_claim(claim, by=people["manager"], now=clock.now())

    sign_in(client, people["partner"].email)
    url = f"/grants/claims/{claim.id}/edit"
    form = client.get(url)
    assert "Split the spend by category" in form.text and 'value="10,000"' in form.text
    stale = claim.version
    claims_version = {"csrf_token": csrf_token(form.text), "claiming": "expenditure",
                      "amount": "10,000", "spend_to": ["1", "10", "2026"],
                      "spend_staff": "8,000", "spend_training": "2,000", "notes": "Split"}
    response = client.post(url, data={**claims_version, "version": stale},
                           follow_redirects=True)
    assert "Claim sent to MOPAC again." in response.text
    db.session.expire_all()
    assert claim.status is ClaimStatus.submitted and claim.comments == ""
    assert {line.category: line.amount_pence for line in claim.spend} == {
        CostCategory.staff: 8_000_00, CostCategory.training: 2_000_00}
    with pytest.raises(TransitionRefused, match="Only a claim sent back"):
        _expenditure(grant, people, 1_00, claim=claim, expected_version=claim.version)
    db.session.rollback()
    claims.send_back_claim(claim, comments="Again", by=people["manager"], now=clock.now())
    db.session.commit()
    with pytest.raises(StaleEdit):
        _expenditure(grant, people, 1_00, claim=claim, expected_version=stale)


def test_only_the_grants_partners_and_lead_claim_and_only_on_a_live_grant(scheduled):
    people, grant = scheduled
    for who in ("member", "manager", "finance", "outsider"):
        with pytest.raises(TransitionRefused, match="Only the grant's partners or lead"):
            claims.send_claim(grant, payment=grant.payments[0], amount_pence=None,
                              spend_to=clock.today(), spend={}, notes="", by=people[who],
                              now=clock.now())
    with pytest.raises(FieldRefusal, match="between the grant's start"):
        claims.send_claim(grant, payment=grant.payments[0], amount_pence=None,
                          spend_to=date(2030, 1, 1), spend={}, notes="", by=people["lead"],
                          now=clock.now())


def test_the_claims_list_shows_each_person_what_they_may_see(client, scheduled, make_user):
    people, grant = scheduled
    claim_through(grant, grant.payments[0], people, until=ClaimStatus.checked)
    db.session.commit()
    for who, sees in (("finance", True), ("manager", True), ("lead", True), ("member", True),
                      ("partner", True), ("outsider", False), ("panel", False)):
        sign_in(client, people[who].email)
        page = client.get("/grants/claims").text
        assert ("First half" in page) is sees, who
        sign_out(client)
    sign_in(client, people["finance"].email)
    assert "First half" not in client.get("/grants/claims?status=paid").text
    assert "First half" in client.get("/grants/claims?status=checked").text


def test_the_dashboards_say_which_claims_wait_on_whom(client, scheduled):
    people, grant = scheduled
    claim = claim_through(grant, grant.payments[0], people, until=ClaimStatus.submitted)
    db.session.commit()
    sign_in(client, people["manager"].email)
    assert "First half: £50,000</a>: on GRT-" in client.get("/dashboard").text
    sign_out(client)
    sign_in(client, people["finance"].email)
    dashboard = client.get("/dashboard").text
    assert "No claim is waiting for finance just now." in dashboard
    assert 'href="/grants/claims"' in dashboard.split("<main")[0]  # finance's navigation
    claims.check_claim(claim, by=people["manager"], now=clock.now())
    db.session.commit()
    assert "First half: £50,000</a>: on GRT-" in client.get("/dashboard").text


def test_invoices_go_with_a_claim_until_it_is_checked(client, scheduled):
    people, grant = scheduled
    claim = claim_through(grant, grant.payments[0], people, until=ClaimStatus.submitted)
    db.session.commit()
    sign_in(client, people["partner"].email)
    page = client.get(f"/grants/claims/{claim.id}").text
    assert "Invoices and other evidence" in page and "Upload evidence" in page
    response = client.post(f"/grants/claims/{claim.id}/evidence", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(b"Name,Phone\nAmy,07700 900123\n"), "invoices.csv")})
    assert "phone number" in response.text
    assert claim.evidence == []
    response = client.post(f"/grants/claims/{claim.id}/evidence", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(b"Invoice,Amount\nINV-7,21000\n"), "invoices.csv")},
        follow_redirects=True)
    assert "invoices.csv is added." in response.text
    db.session.expire_all()
    [invoice] = claim.evidence
    sign_out(client)
    sign_in(client, people["finance"].email)
    download = client.get(f"/grants/claims/{claim.id}/evidence/{invoice.id}")
    assert download.status_code == 200 and b"INV-7" in download.data
    claims.check_claim(claim, by=people["manager"], now=clock.now())
    with pytest.raises(TransitionRefused, match="until the fund team has checked it"):
        claims.attach_claim_evidence(claim, "more.csv", b"a,b\n1,2\n", by=people["partner"])
