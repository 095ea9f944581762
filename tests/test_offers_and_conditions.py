"""A grant starts as an offer the lead accepts for the consortium; its conditions are records
with evidence, and those that hold back payments do so until MOPAC accepts them as met."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eoi import clock
from eoi.assessment.models import DecisionOutcome
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.grants import claims, operations
from eoi.grants.models import ClaimStatus, ConditionStatus, GrantState, PaymentStatus
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, StaleEdit, TransitionRefused
from tests.conftest import ask_route, claim_through, csrf_token, fund, post_form, sign_in
from tests.test_grants import VIEWERS

PROTOCOL = "Agree an information sharing protocol with both boroughs"
SAFEGUARDING = "Name a safeguarding lead in every partner school"


@pytest.fixture
def offered(world):
    """The `world` EOI funded with two conditions, one to a line, and offered."""
    people, eoi = world
    decision = fund(people, eoi)
    decision.outcome = DecisionOutcome.fund_with_conditions
    decision.conditions = f"{PROTOCOL}\n\n  {SAFEGUARDING}  \n"
    grant = operations.create_grant(decision, by=people["manager"])
    operations.schedule_payment(grant, description="First quarter", amount_pence=30_000_00,
                                scheduled_on=date(2026, 4, 1), milestone=None,
                                by=people["manager"])
    db.session.commit()
    return people, grant


def _audit(grant, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.subject_type == "Grant",
        AuditEntry.subject_id == grant.id)))


def _told(event: str) -> set[str]:
    return {n.email for n in db.session.scalars(
        select(Notification).where(Notification.event == event))}


def test_a_grant_starts_as_an_offer_with_each_condition_a_record(offered):
    people, grant = offered
    assert grant.state is GrantState.offered
    assert [(c.condition, c.blocks_payments, c.status) for c in grant.conditions] == [
        (PROTOCOL, True, ConditionStatus.open), (SAFEGUARDING, True, ConditionStatus.open)]
    assert operations.approval_problem(grant.payments[0]) == (
        "The lead commissioner has not accepted the offer yet")
    assert people["lead"].email in _told("grant_made")
    # An offer is not yet the consortium's to report on.
    assert not grant.can_report(people["partner"]) and not grant.can_report(people["lead"])


def test_only_the_lead_accepts_and_the_version_read_is_the_version_accepted(offered):
    people, grant = offered
    for who in ("partner", "member", "manager"):
        with pytest.raises(TransitionRefused, match="Only the lead commissioner"):
            operations.accept_offer(grant, name="A", role="B", by=people[who],
                                    now=clock.now(), expected_version=grant.version)
    read = grant.version
    operations.add_condition(grant, condition="Send the referral pathway",
                             evidence_required="", blocks_payments=False, by=people["manager"])
    db.session.commit()
    with pytest.raises(StaleEdit):
        operations.accept_offer(grant, name="Ann Lead", role="Head of service",
                                by=people["lead"], now=clock.now(), expected_version=read)
    db.session.rollback()
    with pytest.raises(FieldRefusal, match="Enter your role"):
        operations.accept_offer(grant, name="Ann Lead", role=" ", by=people["lead"],
                                now=clock.now(), expected_version=grant.version)
    db.session.rollback()
    version, now = grant.version, clock.now()
    operations.accept_offer(grant, name="Ann Lead", role="Head of service", by=people["lead"],
                            now=now, expected_version=version)
    db.session.commit()
    assert grant.state is GrantState.active
    assert (grant.accepted_name, grant.accepted_role, grant.accepted_version,
            grant.accepted_by_id, grant.accepted_at) == (
        "Ann Lead", "Head of service", version, people["lead"].id, now)
    [entry] = _audit(grant, "grant.offer_accepted")
    assert f"accepted version {version} of the offer" in entry.summary
    assert {people["manager"].email, people["partner"].email} <= _told("offer_accepted")


def test_accepting_through_the_offer_page(client, offered):
    people, grant = offered
    sign_in(client, people["lead"].email)
    page = client.get(f"/grants/{grant.id}")
    assert "This grant is offered" in page.text and "Read and accept the offer" in page.text
    url = f"/grants/{grant.id}/offer"
    offer = client.get(url)
    assert f"You accept version {grant.version} of the offer" in offer.text
    token, version = csrf_token(offer.text), grant.version
    response = client.post(f"{url}/accept", data={"csrf_token": token, "version": version,
                                                  "name": "", "role": "Head of service"})
    assert response.status_code == 200
    assert "Enter your full name" in response.text
    assert grant.state is GrantState.offered

    # MOPAC changes the offer while the lead reads it: nothing is accepted, and the page
    # shows the offer as it is now, to accept again.
    operations.add_condition(grant, condition="Send the referral pathway",
                             evidence_required="", blocks_payments=False, by=people["manager"])
    db.session.commit()
    response = client.post(f"{url}/accept", data={"csrf_token": token, "version": version,
                                                  "name": "Ann Lead", "role": "Head"})
    assert "MOPAC changed this offer after you opened it" in response.text
    db.session.expire_all()
    assert grant.state is GrantState.offered
    assert f'name="version" type="hidden" value="{grant.version}"' in response.text
    response = client.post(f"{url}/accept", data={
        "csrf_token": token, "version": grant.version, "name": "Ann Lead", "role": "Head"},
        follow_redirects=True)
    assert "Offer accepted. The grant is now active." in response.text
    db.session.expire_all()
    assert grant.state is GrantState.active and grant.accepted_version == version + 1


def test_the_lead_asks_about_the_offer_and_the_fund_managers_are_told(client, offered):
    people, grant = offered
    sign_in(client, people["lead"].email)
    url = f"/grants/{grant.id}/offer"
    token = csrf_token(client.get(url).text)
    response = client.post(f"{url}/question", data={
        "csrf_token": token, "question": "Call the girl's mum on 07700 900123 about it"})
    assert "Your question" in response.text and "phone number" in response.text
    assert _told("offer_question") == set()
    response = client.post(f"{url}/question", data={
        "csrf_token": token, "question": "Can the first payment come in May?"},
        follow_redirects=True)
    assert "Your question is sent to MOPAC" in response.text
    assert _told("offer_question") == {people["manager"].email}
    [entry] = _audit(grant, "grant.offer_question")
    assert entry.changes == {"question": [None, "Can the first payment come in May?"]}
    assert grant.state is GrantState.offered


def test_mopac_answers_the_question_on_the_offer_and_the_lead_is_told(app, client, offered):
    people, grant = offered
    manager, lead = people["manager"], people["lead"]
    asked = operations.ask_about_offer(grant, question="Can the first payment come in May?",
                                       by=lead, now=clock.now())
    db.session.commit()
    sign_in(client, manager.email)
    dashboard = client.get("/dashboard").text
    assert f"Answer a question about the offer of {grant.reference}</a>" in dashboard
    url = f"/grants/{grant.id}/offer"
    page = client.get(url).text
    assert "Can the first payment come in May?" in page and "Send the answer" in page
    token, field = csrf_token(page), f"question-{asked.id}"
    response = client.post(f"/grants/offer-questions/{asked.id}/answer", data={
        f"{field}-csrf_token": token, f"{field}-version": asked.version,
        f"{field}-answer": ""})
    assert response.status_code == 200 and "Enter your answer" in response.text
    response = client.post(f"/grants/offer-questions/{asked.id}/answer", data={
        f"{field}-csrf_token": token, f"{field}-version": asked.version,
        f"{field}-answer": "Ring Amy on 07700 900123"})
    assert "phone number" in response.text
    db.session.expire_all()
    assert asked.answered_at is None
    response = client.post(f"/grants/offer-questions/{asked.id}/answer", data={
        f"{field}-csrf_token": token, f"{field}-version": asked.version,
        f"{field}-answer": "Yes: it is scheduled for 1 May."}, follow_redirects=True)
    assert "Answer sent to the lead commissioner." in response.text
    db.session.expire_all()
    assert asked.answer == "Yes: it is scheduled for 1 May." and asked.answered_by == manager
    assert _told("offer_answered") == {lead.email}
    assert "Answer a question" not in client.get("/dashboard").text
    with pytest.raises(TransitionRefused, match="once"):
        operations.answer_offer_question(asked, answer="Again", by=manager, now=clock.now())
    lead_client = app.test_client()
    sign_in(lead_client, lead.email)
    page = lead_client.get(url).text
    assert "answered for MOPAC" in page and "Yes: it is scheduled for 1 May." in page
    other = operations.ask_about_offer(grant, question="And the second?", by=lead,
                                       now=clock.now())
    with pytest.raises(TransitionRefused, match="Only a fund manager"):
        operations.answer_offer_question(other, answer="x", by=lead, now=clock.now())


def test_a_fund_manager_withdraws_an_offer_but_cannot_make_it_active(client, offered):
    people, grant = offered
    manager = people["manager"]
    assert operations.manager_moves(grant) == [GrantState.withdrawn]
    with pytest.raises(TransitionRefused, match="only when the lead commissioner accepts"):
        operations.change_grant_state(grant, GrantState.active, reason="Keen", by=manager)
    sign_in(client, manager.email)
    response = post_form(client, f"/grants/{grant.id}/state",
                         {"state": "withdrawn", "reason": ""})
    assert "Enter the reason" in response.text
    response = post_form(client, f"/grants/{grant.id}/state", {
        "state": "withdrawn", "reason": "The consortium lost its lead provider"},
        follow_redirects=True)
    assert "Grant state changed." in response.text
    db.session.expire_all()
    assert grant.state is GrantState.withdrawn
    assert people["lead"].email in _told("offer_withdrawn")
    with pytest.raises(TransitionRefused):
        operations.accept_offer(grant, name="Ann", role="Head", by=people["lead"],
                                now=clock.now(), expected_version=grant.version)
    with pytest.raises(TransitionRefused, match="withdrawn takes no new payments"):
        operations.schedule_payment(grant, description="x", amount_pence=1_00,
                                    scheduled_on=date(2026, 5, 1), milestone=None, by=manager)


def test_no_payment_is_approved_while_a_condition_holding_it_back_is_open(offered):
    people, grant = offered
    manager, partner, lead = people["manager"], people["partner"], people["lead"]
    operations.accept_offer(grant, name="Ann", role="Head", by=lead, now=clock.now(),
                            expected_version=grant.version)
    payment = grant.payments[0]
    protocol, safeguarding = grant.conditions
    safeguarding.blocks_payments = False  # as MOPAC may decide, condition by condition
    # The partner may claim, and the fund team check, before the condition is met; finance
    # cannot approve.
    claim = claim_through(grant, payment, people, until=ClaimStatus.checked)
    with pytest.raises(TransitionRefused, match=(
            "cannot be approved: 1 condition holding back payments is not yet met: "
            f"'{PROTOCOL}'")):
        claims.approve_claim(claim, by=people["finance"], now=clock.now())
    with pytest.raises(FieldRefusal, match="Describe the evidence"):
        operations.send_condition_evidence(protocol, notes=" ", by=partner, now=clock.now())
    with pytest.raises(TransitionRefused, match="Only the grant's partners or lead"):
        operations.send_condition_evidence(protocol, notes="Signed", by=people["member"],
                                           now=clock.now())
    operations.send_condition_evidence(protocol, notes="Signed on 2 April", by=partner,
                                       now=clock.now())
    assert manager.email in _told("condition_sent")
    # Sent is not met: the payment still waits.
    assert operations.approval_problem(payment) is not None
    with pytest.raises(TransitionRefused, match="Only a fund manager"):
        operations.review_condition(protocol, accept=True, comments="", by=lead,
                                    now=clock.now())
    with pytest.raises(FieldRefusal, match="Say what is still needed"):
        operations.review_condition(protocol, accept=False, comments="", by=manager,
                                    now=clock.now())
    operations.review_condition(protocol, accept=False, comments="Bexley has not signed",
                                by=manager, now=clock.now())
    assert protocol.status is ConditionStatus.open
    operations.send_condition_evidence(protocol, notes="Both signed", by=partner,
                                       now=clock.now())
    operations.review_condition(protocol, accept=True, comments="", by=manager,
                                now=clock.now())
    assert protocol.status is ConditionStatus.met
    assert lead.email in _told("condition_reviewed")
    claims.approve_claim(claim, by=people["finance"], now=clock.now())
    assert payment.status is PaymentStatus.approved
    db.session.commit()
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject_type == "GrantCondition", AuditEntry.subject_id == protocol.id)
        .order_by(AuditEntry.id))]
    assert actions == ["condition.submitted", "condition.returned", "condition.submitted",
                       "condition.met"]


def test_conditions_through_their_pages(client, offered):
    people, grant = offered
    operations.accept_offer(grant, name="Ann", role="Head", by=people["lead"],
                            now=clock.now(), expected_version=grant.version)
    db.session.commit()
    protocol = grant.conditions[0]
    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/{grant.id}")
    assert "Cannot be paid yet: 2 conditions holding back payments are not yet met" in (
        page.text)
    response = post_form(client, f"/grants/{grant.id}/conditions/new",
                         {"condition": "", "evidence_required": ""})
    assert "Enter the condition" in response.text
    assert "Select whether it holds back payments" in response.text
    response = post_form(client, f"/grants/{grant.id}/conditions/new", {
        "condition": "Send the referral pathway", "evidence_required": "The pathway",
        "blocks_payments": "no"}, follow_redirects=True)
    assert "Condition added." in response.text and "Send the referral pathway" in response.text
    db.session.expire_all()
    assert [c.blocks_payments for c in grant.conditions] == [True, True, False]

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    sign_in(client, people["partner"].email)
    url = f"/grants/conditions/{protocol.id}"
    token = csrf_token(client.get(url).text)
    response = client.post(f"{url}/send", data={"csrf_token": token, "notes": ""})
    assert "Describe the evidence that the condition is met" in response.text
    response = client.post(f"{url}/send", data={"csrf_token": token,
                                                 "notes": "Signed by both boroughs"},
                           follow_redirects=True)
    assert "Evidence sent to MOPAC." in response.text

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    sign_in(client, people["manager"].email)
    page = client.get(url)
    assert "Signed by both boroughs" in page.text and "Review the evidence" in page.text
    db.session.expire_all()
    response = client.post(f"{url}/review", data={
        "csrf_token": csrf_token(page.text), "version": protocol.version,
        "outcome": "accept", "comments": ""}, follow_redirects=True)
    assert "Condition accepted as met." in response.text
    db.session.expire_all()
    assert protocol.status is ConditionStatus.met


def test_files_show_a_condition_is_met_until_it_is_sent(client, offered):
    people, grant = offered
    protocol = grant.conditions[0]
    sign_in(client, people["partner"].email)
    url = f"/grants/conditions/{protocol.id}"
    page = client.get(url).text
    assert "No files." in page and "Upload evidence" in page
    response = client.post(f"{url}/evidence", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(b"Borough,Contact\nBexley,07700 900123\n"), "protocol.csv")})
    assert "phone number" in response.text
    assert protocol.evidence == []
    response = client.post(f"{url}/evidence", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(b"Borough,Signed\nBexley,Yes\nGreenwich,Yes\n"), "protocol.csv")},
        follow_redirects=True)
    assert "protocol.csv is added." in response.text
    db.session.expire_all()
    [signed] = protocol.evidence
    assert db.session.scalar(select(AuditEntry.summary).where(
        AuditEntry.action == "condition.evidence_added")).startswith("Added evidence")
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})
    sign_in(client, people["manager"].email)
    download = client.get(f"{url}/evidence/{signed.id}")
    assert download.status_code == 200 and b"Greenwich,Yes" in download.data
    other = grant.conditions[1]
    assert client.get(f"/grants/conditions/{other.id}/evidence/{signed.id}").status_code == 403
    operations.send_condition_evidence(protocol, notes="The signed protocol is attached",
                                       by=people["partner"], now=clock.now())
    with pytest.raises(TransitionRefused, match="while the condition is open"):
        operations.attach_condition_evidence(protocol, "more.csv", b"a,b\n1,2\n",
                                             by=people["partner"])
    with pytest.raises(TransitionRefused, match="while the condition is open"):
        operations.attach_condition_evidence(other, "more.csv", b"a,b\n1,2\n",
                                             by=people["manager"])


def test_the_offer_letter_holds_the_conditions_and_then_the_acceptance(client, offered):
    people, grant = offered
    sign_in(client, people["lead"].email)

    def letter() -> str:
        response = client.get(f"/grants/{grant.id}/agreement.pdf")
        assert response.mimetype == "application/pdf"
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    text = " ".join(letter().split())
    for expected in ("Grant offer letter", PROTOCOL, SAFEGUARDING, "Yes, until met",
                     f"Version {grant.version}", "This is an offer", "£120,000",
                     "First quarter", "30 days after the end of each quarter"):
        assert expected in text, expected
    version = grant.version
    operations.accept_offer(grant, name="Ann Lead", role="Head of service", by=people["lead"],
                            now=clock.now(), expected_version=version)
    db.session.commit()
    text = " ".join(letter().split())
    assert "Grant agreement" in text and "Grant offer letter" not in text
    assert "By Ann Lead, Head of service, for the consortium" in text
    assert f"the offer accepted was version {version}" in text


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner"])
def test_offer_routes_while_offered(app, client, offered, who):
    people, grant = offered
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    asked = operations.ask_about_offer(grant, question="When is the first payment?",
                                       by=people["lead"], now=clock.now())
    db.session.commit()
    rules = [("grants.offer", "GET", VIEWERS), ("grants.offer_accept", "POST", {"lead"}),
             ("grants.offer_question", "POST", {"lead"}),
             ("grants.offer_answer", "POST", {"manager"}),
             ("grants.condition", "GET", VIEWERS),
             # Conditions are met from the offer on, before the work starts.
             ("grants.condition_send", "POST", {"lead", "partner"})]
    failures = []
    for endpoint, method, allowed in rules:
        url, status = ask_route(app, client, endpoint, method,
                                {"grant_id": grant.id, "condition_id": grant.conditions[0].id,
                                 "question_id": asked.id},
                                signed_in=user is not None)
        expected = (302,) if user is None else (403,) if who not in allowed else (
            (200, 302) if method == "POST" else (200,))
        if status not in expected:
            failures.append(f"{method} {url}: {status} for {who}")
    assert not failures, "\n".join(failures)
    db.session.expire_all()
    assert grant.state is GrantState.offered  # the empty posts accepted nothing


def test_an_offer_is_not_reminded_of_until_accepted(offered):
    from eoi.reminders.job import due_reminders

    people, grant = offered
    assert due_reminders(clock.today()) == []
    operations.accept_offer(grant, name="Ann", role="Head", by=people["lead"],
                            now=clock.now(), expected_version=grant.version)
    db.session.flush()
    assert due_reminders(clock.today()) != []


def test_the_leads_dashboard_asks_them_to_accept_the_offer(client, offered):
    people, grant = offered
    sign_in(client, people["lead"].email)
    assert f"Read and accept the offer of {grant.reference}" in client.get("/dashboard").text
    operations.accept_offer(grant, name="Ann", role="Head", by=people["lead"],
                            now=clock.now(), expected_version=grant.version)
    db.session.commit()
    assert "Read and accept the offer" not in client.get("/dashboard").text
