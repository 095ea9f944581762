"""Grants from published decisions: the agreement, milestones with evidence, payments and
their rules, the grant's status and timeline, every state machine, and the pages."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from eoi import clock
from eoi.audit.models import AuditEntry
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants import claims, monitoring, operations, variations
from eoi.grants.models import ClaimStatus, GrantState, MilestoneStatus, PaymentStatus
from eoi.grants.status import Rag
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.returns import operations as returns
from tests.conftest import (
    ask_route,
    claim_through,
    complete_figures,
    csrf_token,
    fund,
    mopac,
    post_form,
    sign_in,
    sign_out,
)
from tests.test_authorisation import ACCESS, PER_RECORD


def test_a_grant_is_made_from_a_published_decision(granted):
    people, grant = granted
    assert grant.reference == "GRT-" + grant.eoi.reference.split("-", 1)[1]
    assert grant.owner_id == people["lead"].id
    assert grant.award_pence == 120_000_00
    # MOPAC's award in the year it was asked for, and Bexley's confirmed pledge.
    shares = {(f.financial_year, f.funder.name): f.amount_pence for f in grant.funding}
    assert shares == {(2026, "Mayor's Office for Policing and Crime (MOPAC)"): 120_000_00,
                      (2026, "London Borough of Bexley"): 50_000_00}
    assert [p.organisation.name for p in grant.partners] == ["St Giles Trust"]
    assert [(gi.baseline, gi.target_for(2026)) for gi in grant.indicators] == [(10, 40)]
    assert [(r.period.short_label, r.due_on) for r in grant.returns] == [
        ("Q1 2026-27", date(2026, 7, 30)), ("Q2 2026-27", date(2026, 10, 30)),
        ("Q3 2026-27", date(2027, 1, 30)), ("Q4 2026-27", date(2027, 4, 30))]
    assert db.session.query(AuditEntry).filter_by(action="grant.created").count() == 1


def test_a_decision_makes_one_grant_only_once_published(world):
    people, eoi = world
    decision = fund(people, eoi)
    operations.create_grant(decision, by=people["manager"])
    with pytest.raises(TransitionRefused, match="already has a grant"):
        operations.create_grant(decision, by=people["manager"])
    with pytest.raises(TransitionRefused, match="fund manager"):
        operations.create_grant(decision, by=people["lead"])


def test_share_out_adds_up_exactly():
    assert operations.share_out(100, {2026: 1, 2027: 1, 2028: 1}) == {
        2026: 34, 2027: 33, 2028: 33}
    assert sum(operations.share_out(12_345_67, {1: 7, 2: 11}).values()) == 12_345_67
    assert operations.share_out(5, {}) == {}


@pytest.mark.parametrize("machine,current,new,allowed", [
    (operations.GRANT, GrantState.active, GrantState.suspended, True),
    (operations.GRANT, GrantState.closed, GrantState.active, False),
    (operations.MILESTONE, MilestoneStatus.planned, MilestoneStatus.due, True),
    (operations.MILESTONE, MilestoneStatus.planned, MilestoneStatus.accepted, False),
    (operations.MILESTONE, MilestoneStatus.submitted, MilestoneStatus.returned, True),
    (operations.MILESTONE, MilestoneStatus.returned, MilestoneStatus.submitted, True),
    (operations.MILESTONE, MilestoneStatus.accepted, MilestoneStatus.submitted, False),
    (operations.PAYMENT, PaymentStatus.scheduled, PaymentStatus.approved, True),
    (operations.PAYMENT, PaymentStatus.scheduled, PaymentStatus.paid, False),
    (operations.PAYMENT, PaymentStatus.paid, PaymentStatus.approved, False),
])
def test_state_machines(machine, current, new, allowed):
    if allowed:
        machine.check(current, new)
    else:
        with pytest.raises(TransitionRefused):
            machine.check(current, new)


def _milestone(grant, manager, *, due=date(2026, 9, 30)):
    return operations.add_milestone(grant, title="Workers in post",
                                    evidence_required="Contracts", due_on=due, by=manager)


def test_a_milestone_goes_from_planned_to_accepted_with_evidence(granted):
    people, grant = granted
    manager, partner = people["manager"], people["partner"]
    milestone = _milestone(grant, manager)
    assert operations.mark_milestones_due(date(2026, 9, 15)) == []  # 15 days: not yet
    assert operations.mark_milestones_due(date(2026, 9, 16)) == [milestone]
    assert milestone.status is MilestoneStatus.due
    with pytest.raises(FieldRefusal, match="Add a file of evidence"):
        operations.send_evidence(milestone, notes=" ", by=partner, now=clock.now())
    with pytest.raises(TransitionRefused):
        operations.send_evidence(milestone, notes="Done", by=people["outsider"], now=clock.now())
    operations.send_evidence(milestone, notes="Both workers started on 1 September",
                             by=partner, now=clock.now())
    with pytest.raises(FieldRefusal, match="Say what needs to change"):
        operations.review_milestone(milestone, accept=False, comments="", by=manager,
                                    now=clock.now())
    operations.review_milestone(milestone, accept=False, comments="Send the contracts",
                                by=manager, now=clock.now())
    assert milestone.status is MilestoneStatus.returned
    operations.send_evidence(milestone, notes="Contracts attached", by=partner, now=clock.now())
    operations.review_milestone(milestone, accept=True, comments="", by=manager, now=clock.now())
    assert milestone.status is MilestoneStatus.accepted
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)
               if e.action.startswith("milestone.")]
    assert actions == ["milestone.added", "milestone.due", "milestone.submitted",
                       "milestone.returned", "milestone.submitted", "milestone.accepted"]


def test_milestone_evidence_with_personal_data_is_refused(granted):
    people, grant = granted
    milestone = _milestone(grant, people["manager"])
    content = b"Attendance,Contact\nSession 1,jo.bloggs@example.com\n"
    with pytest.raises(FieldRefusal, match="email address"):
        operations.attach_evidence(milestone, "attendance.csv", content, by=people["partner"])
    with pytest.raises(FieldRefusal, match="date of birth"):
        operations.send_evidence(milestone, notes="Young person born 3 March 2011",
                                 by=people["partner"], now=clock.now())
    evidence = operations.attach_evidence(milestone, "sessions.csv",
                                          b"Session,Attendees\n1,12\n2,14\n",
                                          by=people["partner"])
    assert evidence.filename == "sessions.csv"


def test_payments_never_exceed_the_award_and_wait_for_their_milestone(granted):
    people, grant = granted
    manager = people["manager"]
    milestone = _milestone(grant, manager)
    first = operations.schedule_payment(grant, description="Quarter 1 in advance",
                                        amount_pence=60_000_00, scheduled_on=date(2026, 4, 1),
                                        milestone=None, by=manager)
    tied = operations.schedule_payment(grant, description="On workers in post",
                                       amount_pence=60_000_00, scheduled_on=date(2026, 10, 1),
                                       milestone=milestone, by=manager)
    with pytest.raises(FieldRefusal, match="at most £0 is left"):
        operations.schedule_payment(grant, description="Extra", amount_pence=1,
                                    scheduled_on=date(2026, 11, 1), milestone=None, by=manager)
    with pytest.raises(FieldRefusal, match="Workers in post"):
        claim_through(grant, tied, people)
    claim_through(grant, first, people)
    assert grant.paid_pence == 60_000_00 and first.status is PaymentStatus.paid

    operations.send_evidence(milestone, notes="Done", by=people["partner"], now=clock.now())
    operations.review_milestone(milestone, accept=True, comments="", by=manager, now=clock.now())
    claim = claim_through(grant, tied, people, until=ClaimStatus.approved)
    # Even if the schedule were got round, paying can never pass the award.
    tied.amount_pence = 60_000_01
    with pytest.raises(TransitionRefused, match="past the award"):
        claims.record_claim_paid(claim, by=people["finance"], now=clock.now())


def test_a_suspended_grant_takes_no_claims_and_approves_no_payments(granted):
    people, grant = granted
    manager = people["manager"]
    payment = operations.schedule_payment(grant, description="Q1", amount_pence=10_00,
                                          scheduled_on=date(2026, 4, 1), milestone=None,
                                          by=manager)
    claim = claim_through(grant, payment, people, until=ClaimStatus.checked)
    with pytest.raises(FieldRefusal, match="Say why"):
        operations.change_grant_state(grant, GrantState.suspended, reason=" ", by=manager)
    operations.change_grant_state(grant, GrantState.suspended, reason="Audit", by=manager)
    with pytest.raises(TransitionRefused, match="suspended"):
        claims.approve_claim(claim, by=people["finance"], now=clock.now())
    other = operations.schedule_payment(grant, description="Q2", amount_pence=10_00,
                                        scheduled_on=date(2026, 7, 1), milestone=None,
                                        by=manager)
    with pytest.raises(TransitionRefused, match="suspended: it takes no claims"):
        claim_through(grant, other, people)


def test_the_status_comes_from_returns_milestones_and_spend(granted):
    people, grant = granted
    # On 24 November 2026 the Q1 and Q2 returns are overdue; Q1 by 117 days.
    status = monitoring.status_of(grant, date(2026, 11, 24))
    assert status.rag is Rag.red
    assert status.reasons[0].text == (
        "2 returns are overdue; the Q1 2026-27 return is 117 days overdue")
    assert monitoring.status_of(grant, date(2026, 7, 1)).rag is Rag.green
    _milestone(grant, people["manager"], due=date(2026, 6, 1))
    assert monitoring.status_of(grant, date(2026, 7, 1)).reasons[0].text == (
        "1 milestone is overdue")


# Every route, person by person -------------------------------------------------------------

# MOPAC's finance officers see every grant, as the fund team does, and change only claims.
VIEWERS = {"manager", "lead", "member", "partner", "finance"}
REPORTERS = {"lead", "partner"}
# Returns: sent by the grant's partner, who with MOPAC alone sees the figures as entered
# (the template holds them; the report of a return not yet accepted is only a preview).
RETURN_SENDERS = {"partner"}
SEE_FIGURES = {"manager", "partner"}

GRANT_RULES = [  # (endpoint, method, who may)
    ("grants.index", "GET", {"lead", "member", "outsider", "manager", "panel", "partner",
                             "finance"}),
    ("grants.show", "GET", VIEWERS),
    ("grants.agreement", "GET", VIEWERS),
    ("grants.state", "GET", {"manager"}),
    ("grants.offer", "GET", VIEWERS),
    ("grants.offer_accept", "POST", set()),  # accepted already: tests/grants/test_offers.py
    ("grants.offer_question", "POST", set()),
    ("grants.offer_answer", "POST", {"manager"}),  # asked before it was accepted
    ("grants.condition_new", "GET", {"manager"}),
    ("grants.condition", "GET", VIEWERS),
    ("grants.condition_send", "POST", REPORTERS),
    ("grants.condition_evidence_add", "POST", REPORTERS),
    ("grants.condition_evidence_download", "GET", VIEWERS),
    ("grants.condition_review", "POST", {"manager"}),
    ("grants.milestone_new", "GET", {"manager"}),
    ("grants.milestone", "GET", VIEWERS),
    ("grants.evidence_download", "GET", VIEWERS),
    ("grants.payment_new", "GET", {"manager"}),
    ("returns.show", "GET", VIEWERS),
    ("returns.template", "GET", SEE_FIGURES),
    ("returns.report", "GET", SEE_FIGURES),
    ("grants.evidence_add", "POST", REPORTERS),
    ("grants.milestone_review", "POST", {"manager"}),
    ("grants.claims_list", "GET", {"lead", "member", "outsider", "manager", "panel", "partner",
                                   "finance"}),
    ("grants.claim_new", "GET", REPORTERS),
    ("grants.claim", "GET", VIEWERS),
    ("grants.claim_edit", "GET", REPORTERS),
    ("grants.claim_check", "POST", {"manager"}),
    ("grants.claim_approve", "POST", {"finance"}),
    ("grants.claim_paid", "POST", {"finance"}),
    ("grants.claim_send_back", "POST", {"manager", "finance"}),
    ("grants.claim_evidence_add", "POST", REPORTERS),
    ("grants.claim_evidence_download", "GET", VIEWERS),
    ("grants.variation_new", "GET", {"lead"}),
    ("grants.variation", "GET", VIEWERS),
    ("grants.variation_letter", "GET", VIEWERS),
    ("grants.variation_decide", "POST", {"manager"}),
    ("grants.variation_confirm", "POST", {"member"}),  # Bexley's officer, for its money
    # Closing: tests/test_closing.py asks these of a closing grant too.
    ("grants.final_report", "GET", VIEWERS),
    ("grants.final_report_send", "POST", set()),  # the grant is not closing
    ("grants.final_report_review", "POST", set()),
    ("grants.close", "POST", {"manager"}),  # refused, in words, as it is not closing
    ("grants.payment_remove", "POST", {"manager"}),
    ("returns.review", "POST", {"manager"}),
    # No return waits for sign-off here (St Giles names no certifier): tests/test_sign_off.py
    ("returns.sign_off", "POST", set()),
    ("returns.decline", "POST", set()),
    ("returns.show", "POST", RETURN_SENDERS),
    ("returns.submit", "POST", RETURN_SENDERS),
    ("grants.evidence_send", "POST", REPORTERS),
    ("grants.state", "POST", {"manager"}),
    ("grants.new", "GET", set()),  # its decision already has its grant
    ("grants.new", "POST", set()),
]


def test_every_grant_route_has_a_rule():
    assert {e for e, _m, _w in GRANT_RULES} == {
        e for e, rule in ACCESS.items()
        if rule == PER_RECORD and e.startswith(("grants.", "returns."))}


@pytest.fixture
def busy_grant(granted):
    """A grant with a milestone waiting for evidence (with a file), one waiting for review,
    a condition of each (holding back no payment), three payments (one approved on its claim),
    claims for expenditure sent, checked and sent back, a submitted return and a draft one."""

    people, grant = granted
    manager, partner = people["manager"], people["partner"]
    open_condition, sent_condition = (operations.add_condition(
        grant, condition=f"Condition {n}", evidence_required="A letter", blocks_payments=False,
        by=manager) for n in range(2))
    from eoi.grants.models import OfferQuestion

    asked = OfferQuestion(grant=grant, question="When is the first payment?",
                          asked_at=clock.now(), asked_by_id=people["lead"].id)
    db.session.add(asked)
    protocol = operations.attach_condition_evidence(sent_condition, "protocol.csv",
                                                    b"Borough,Signed\nBexley,Yes\n", by=partner)
    operations.send_condition_evidence(sent_condition, notes="Signed", by=partner,
                                       now=clock.now())
    open_one = _milestone(grant, manager)
    operations.attach_evidence(open_one, "sessions.csv", b"Session,Attendees\n1,12\n",
                               by=partner)
    sent = _milestone(grant, manager, due=date(2026, 8, 31))
    operations.send_evidence(sent, notes="Done", by=partner, now=clock.now())
    payments = [operations.schedule_payment(grant, description=f"Payment {n}",
                                            amount_pence=10_00, scheduled_on=date(2026, 4, 1),
                                            milestone=None, by=manager) for n in range(3)]

    def expenditure():
        return claims.send_claim(grant, payment=None, amount_pence=1_00, spend_to=clock.today(),
                                 spend={CostCategory.staff: 1_00}, notes="Ledger", by=partner,
                                 now=clock.now())

    claimed = {
        "approved": claim_through(grant, payments[1], people, until=ClaimStatus.approved),
        "submitted": expenditure(), "checked": expenditure(), "sent_back": expenditure(),
    }
    claims.check_claim(claimed["checked"], by=manager, now=clock.now())
    invoice = claims.attach_claim_evidence(claimed["submitted"], "invoice.csv",
                                           b"Item,Amount\nWorker,100\n", by=partner)
    # Changes need a second year to move money into: the grant runs on while they are asked.
    ends_on, grant.ends_on = grant.ends_on, date(2028, 3, 31)
    changes = {key: variations.request_variation(
        grant, funder=funder, from_year=2026, to_year=2027, amount_pence=1_00, reason=key,
        by=people["lead"], now=clock.now())
        for key, funder in (("approved", mopac()), ("asked", mopac()),
                            ("with_bexley", people["member"].organisation))}
    for key in ("approved", "with_bexley"):
        variations.decide_variation(changes[key], approve=True, comments="", by=manager,
                                    now=clock.now())
    grant.ends_on = ends_on
    claims.send_back_claim(claimed["sent_back"], comments="Add the invoices", by=manager,
                           now=clock.now())
    submitted, draft = grant.returns[0], grant.returns[1]
    returns.save_return(submitted, complete_figures(grant), by=partner, now=clock.now())
    returns.submit_return(submitted, by=partner, now=clock.now())
    db.session.commit()
    return people, grant, {"open": open_one, "sent": sent, "payments": payments,
                           "claims": claimed, "changes": changes, "invoice": invoice,
                           "open_condition": open_condition, "sent_condition": sent_condition,
                           "protocol": protocol, "asked": asked,
                           "submitted": submitted, "draft": draft}


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner", "finance"])
def test_grant_routes(app, client, busy_grant, who):

    people, grant, records = busy_grant
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    args = {"grant_id": grant.id, "decision_id": grant.eoi.decision.id,
            "milestone_id": records["open"].id, "evidence_id": records["open"].evidence[0].id,
            "payment_id": records["payments"][0].id, "return_id": records["draft"].id,
            "condition_id": records["open_condition"].id,
            "claim_id": records["claims"]["submitted"].id,
            "variation_id": records["changes"]["approved"].id,
            "question_id": records["asked"].id}
    special = {
        "grants.condition_review": {"condition_id": records["sent_condition"].id},
        "grants.milestone_review": {"milestone_id": records["sent"].id},
        "grants.claim_check": {"claim_id": records["claims"]["submitted"].id},
        "grants.claim_evidence_download": {"evidence_id": records["invoice"].id},
        "grants.condition_evidence_download": {"condition_id": records["sent_condition"].id,
                                               "evidence_id": records["protocol"].id},
        "grants.variation_decide": {"variation_id": records["changes"]["asked"].id},
        "grants.variation_confirm": {"variation_id": records["changes"]["with_bexley"].id},
        "grants.claim_send_back": {"claim_id": records["claims"]["checked"].id},
        "grants.claim_approve": {"claim_id": records["claims"]["checked"].id},
        "grants.claim_paid": {"claim_id": records["claims"]["approved"].id},
        "grants.claim_edit": {"claim_id": records["claims"]["sent_back"].id},
        "grants.payment_remove": {"payment_id": records["payments"][2].id},
        "returns.review": {"return_id": records["submitted"].id},
        "returns.report": {"return_id": records["submitted"].id},
    }
    failures = []
    for endpoint, method, allowed in GRANT_RULES:
        url, status = ask_route(app, client, endpoint, method,
                                {**args, **special.get(endpoint, {})},
                                signed_in=user is not None)
        if user is None:
            ok = status == 302
        elif who not in allowed:
            ok = status == 403
        elif method == "POST":
            ok = status in (200, 302)
        else:
            ok = status == 200
        if not ok:
            failures.append(f"{method} {url}: {status} for {who}")
    assert not failures, "\n".join(failures)


def test_making_a_grant_is_for_fund_managers_once_decisions_are_published(client, world):

    people, eoi = world
    decision = fund(people, eoi)
    for who in ("lead", "partner", "panel"):
        sign_in(client, people[who].email)
        assert client.get(f"/grants/from-decision/{decision.id}").status_code == 403
        sign_out(client)
    sign_in(client, people["manager"].email)
    assert "Make the grant" in client.get("/grants").text
    response = post_form(client, f"/grants/from-decision/{decision.id}", {
        "starts_on": ["1", "3", "2026"],
        "return_days": "30"})
    assert response.status_code == 200
    assert "The grant must start between 1 April 2026" in response.text
    response = post_form(client, f"/grants/from-decision/{decision.id}", {
        "starts_on": ["1", "7", "2026"],
        "return_days": "45"}, follow_redirects=True)
    assert "Grant made." in response.text
    grant = decision.eoi.consortium and db.session.scalar(
        db.select(operations.Grant).where(operations.Grant.eoi_id == eoi.id))
    assert [r.period.short_label for r in grant.returns] == [
        "Q2 2026-27", "Q3 2026-27", "Q4 2026-27"]
    assert grant.returns[0].due_on == date(2026, 11, 14)


def test_the_agreement_pdf_has_parties_amounts_outcomes_milestones_and_payments(client,
                                                                                busy_grant):

    people, grant, _records = busy_grant
    sign_in(client, people["partner"].email)
    response = client.get(f"/grants/{grant.id}/agreement.pdf")
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (grant.reference, "Grant agreement", "St Giles Trust", "£120,000",
                     "£170,000", "London Borough of Bexley", "Workers in post", "Contracts",
                     "Payment 0", "OFFICIAL-SENSITIVE", "30 days after the end of each quarter"):
        assert expected in text, expected


def test_payments_through_the_grant_page(client, busy_grant):

    people, grant, records = busy_grant
    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/{grant.id}").text
    assert "Claim: approved by finance" in page and "Not claimed yet" in page
    response = post_payment = client.post(f"/grants/{grant.id}/payments/new", data={
        "csrf_token": csrf_token(page), "description": "Too much", "amount": "200,000",
        "scheduled_on": ["1", "1", "2027"],
        "milestone_id": "none"})
    assert post_payment.status_code == 200
    assert "more than the award of £120,000" in response.text
    sign_out(client)

    # Finance records the approved claim paid: a page opened before someone else's change
    # is a conflict, and nothing is paid.
    claim = records["claims"]["approved"]
    sign_in(client, people["finance"].email)
    page = client.get(f"/grants/claims/{claim.id}").text
    assert "Record as paid" in page
    response = client.post(f"/grants/claims/{claim.id}/paid", data={
        "csrf_token": csrf_token(page), "version": claim.version - 1}, follow_redirects=True)
    assert "Someone else changed this" in response.text
    assert claim.payment.status is PaymentStatus.approved
    response = client.post(f"/grants/claims/{claim.id}/paid", data={
        "csrf_token": csrf_token(page), "version": claim.version}, follow_redirects=True)
    assert "Claim recorded as paid." in response.text
    db.session.expire_all()
    assert claim.status is ClaimStatus.paid and claim.payment.status is PaymentStatus.paid


def test_the_state_form_changes_the_state_with_a_reason(client, granted):
    people, grant = granted
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/grants/{grant.id}/state", {"state": "closed",
                                                              "reason": ""})
    assert "Enter the reason" in response.text
    response = post_form(client, f"/grants/{grant.id}/state", {
        "state": "suspended", "reason": "Audit"}, follow_redirects=True)
    assert "Grant state changed." in response.text
    db.session.refresh(grant)
    assert grant.state is GrantState.suspended
    # Closed is offered; active is not, as the grant is active already... until suspended.
    page = client.get(f"/grants/{grant.id}/state").text
    assert 'value="active"' in page and 'value="suspended"' not in page


def test_the_dashboard_lists_what_the_partner_and_lead_owe(client, busy_grant):
    people, grant, records = busy_grant
    for who in ("partner", "lead"):
        sign_in(client, people[who].email)
        page = client.get("/dashboard").text
        assert 'id="reporting-due"' in page
        assert f"/returns/{records['draft'].id}" in page  # the open Q2 return
        assert f"/returns/{records['submitted'].id}" not in page  # already with MOPAC
        assert f"/grants/milestones/{records['open'].id}" in page
        sign_out(client)
    sign_in(client, people["member"].email)
    assert 'id="reporting-due"' not in client.get("/dashboard").text
