"""The outbox (eoi.notifications): written with the change, sent by the scheduler once,
tried again later and later when the mail server fails, and a failure shown to the fund
team; and every email in the catalogue rendered, with who gets it."""

import email
import email.policy
import http.server
import json
import socket
import string
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from eoi import clock, mail
from eoi.accounts.models import Role, User, UserRole
from eoi.extensions import db
from eoi.notifications import outbox as outbox_module
from eoi.notifications.catalogue import EVENTS, SIGN_OFF, written
from eoi.notifications.models import Delivery, Notification
from eoi.notifications.outbox import BACKOFF, MOST_ATTEMPTS, Invitee, deliver_due, notify
from eoi.reference.models import LocalAuthority
from eoi.reminders.cli import EMAILS_JOB_ID, build_scheduler, run_emails_job
from tests.conftest import csrf_token
from tests.test_assessment import closed_round  # noqa: F401  (a fixture)
from tests.test_reminders import sent_emails
from tests.test_sessions import signed_in_client


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    return folder


def _tell(person, about="reset-1") -> int:
    told = notify("password_reset", about, [person], link="https://fund.example/x")
    db.session.commit()
    return told


def test_a_change_told_twice_makes_one_message(make_user, outbox):
    person = make_user(Role.partner)
    assert _tell(person) == 1
    assert _tell(person) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_message_is_written_only_if_its_change_is_committed(make_user, outbox):
    person = make_user(Role.partner)
    notify("password_reset", "reset-1", [person], link="https://fund.example/x")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_the_scheduler_sends_each_message_once(make_user, outbox):
    person = make_user(Role.partner, email="pat@example.org.uk")
    _tell(person)
    assert deliver_due() == 1
    assert deliver_due() == 0
    [message] = sent_emails(outbox)
    assert message["To"] == "pat@example.org.uk"
    notification = db.session.scalar(select(Notification))
    assert notification.delivery is Delivery.sent and notification.sent_at <= clock.now()


@pytest.mark.committed_database
def test_two_schedulers_at_once_send_a_message_once(app, make_user, outbox, monkeypatch):
    """The second process finds the message claimed by the first, mid-send."""
    person = make_user(Role.partner)
    _tell(person)
    sending, finish = threading.Event(), threading.Event()
    sends = []
    real_send = mail.send_email

    def slow_send(*args, **kwargs):
        sends.append(args)
        sending.set()
        finish.wait(10)
        real_send(*args, **kwargs)

    monkeypatch.setattr(outbox_module.mail, "send_email", slow_send)
    results = []

    def other_scheduler():
        with app.app_context():
            results.append(deliver_due())

    first = threading.Thread(target=other_scheduler)
    first.start()
    assert sending.wait(10)
    results.append(deliver_due())  # this process, while the other is sending
    finish.set()
    first.join(10)
    assert sorted(results) == [0, 1] and len(sends) == 1
    assert len(sent_emails(outbox)) == 1


def test_a_failing_mail_server_is_tried_again_later_then_the_failure_is_shown(
        app, make_user, outbox, monkeypatch):
    person = make_user(Role.partner, email="pat@example.org.uk")
    _tell(person)
    clock.set_now(clock.now(), ticking=False)

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(outbox_module.mail, "send_email", refused)
    for wait in BACKOFF:
        assert deliver_due() == 0
        notification = db.session.scalar(select(Notification))
        assert notification.delivery is Delivery.waiting
        assert notification.due_at == clock.now() + wait
        assert deliver_due() == 0  # not due yet: not even tried
        clock.advance(wait)
    deliver_due()
    notification = db.session.scalar(select(Notification))
    assert notification.delivery is Delivery.failed and notification.attempts == MOST_ATTEMPTS
    assert "the mail server is down" in notification.last_error

    manager = make_user(Role.fund_manager)
    client = signed_in_client(app, manager.email)
    page = client.get("/admin/notifications")
    assert "pat@example.org.uk" in page.text and "the mail server is down" in page.text
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(outbox))
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    again = client.post(f"/admin/notifications/{notification.id}/retry",
                        data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 302
    assert deliver_due() == 1 and len(sent_emails(outbox)) == 1
    assert "No emails have failed" in client.get("/admin/notifications").text


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos,
                              email.message_from_bytes(envelope.content,
                                                       policy=email.policy.default)))
        return "250 Message accepted for delivery"


def test_messages_go_through_a_real_smtp_server(app, make_user, monkeypatch):
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        for key, value in {"EOI_SMTP_HOST": "127.0.0.1", "EOI_SMTP_PORT": port,
                           "EOI_SMTP_STARTTLS": False}.items():
            monkeypatch.setitem(app.config, key, value)
        person = make_user(Role.partner, email="pat@example.org.uk")
        _tell(person)
        assert deliver_due() == 1
    finally:
        server.stop()
    [(to, message)] = inbox.messages
    assert to == ["pat@example.org.uk"]
    assert "Reset your password" in message["Subject"]
    assert "https://fund.example/x" in message.get_body(("plain",)).get_content()
    assert 'lang="en-GB"' in message.get_body(("html",)).get_content()


def test_the_scheduler_sends_emails_every_few_seconds(app):
    job = build_scheduler(app).get_job(EMAILS_JOB_ID)
    assert job.func is run_emails_job and job.coalesce and job.max_instances == 1


# The catalogue: each email rendered, and who gets it ---------------------------------------

@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_email_in_the_catalogue_renders(name):
    event = EVENTS[name]
    fields = {field: f"<{field}>" for _, field, _, _ in string.Formatter().parse(
        event.subject + event.body) if field}
    subject, body = written(event, {**fields, "link": "https://fund.example/link"})
    assert "{" not in subject + body and body.endswith(SIGN_OFF)
    assert len(subject) <= 300 and event.who and event.title
    if event.secret:
        assert "https://fund.example/link" in body and event.service


# Each event's test below checks who gets it, through the operation that tells it.
TOLD_IN_TESTS = {
    "password_reset", "invited", "invitation_accepted",  # tests/test_joining.py
    "eoi_submitted", "decisions_published", "borough_invited", "invitation_answered",
    "lead_changed", "pledge_changed", "eoi_withdrawn", "bid_assigned", "scores_in",
    "round_opened", "round_closing", "grant_made", "milestone_reviewed", "return_reviewed",
    "payment_changed",
    "offer_accepted", "offer_question", "offer_answered", "offer_withdrawn",  # and
    "condition_sent",
    "condition_reviewed",  # tests/test_offers_and_conditions.py
    "claim_sent", "claim_checked", "claim_sent_back",  # tests/test_claims.py
    "variation_requested", "variation_to_confirm", "variation_decided",  # and
    # tests/test_variations.py
    "grant_closing", "final_report_sent", "final_report_reviewed",  # and
    "grant_closed",  # tests/test_closing.py
    "return_for_sign_off", "return_declined", "pledge_for_sign_off",  # tests/test_sign_off.py
    "certifier_changed",  # tests/test_naming_certifiers.py
}


def test_every_event_has_a_test_of_who_gets_it():
    assert set(EVENTS) == TOLD_IN_TESTS


FIELDS = {"link": "https://fund.example/link", "inviter": "Morgan Manager",
          "organisation": "London Borough of Bexley", "roles": "commissioner",
          "expires": "9 December 2026 at 10:00am"}


def test_an_invitee_without_an_account_is_told_at_their_address(app_context, reference, outbox):
    notify("invited", "invitation-1", [Invitee("nia@bexley.gov.uk", "Nia New")], **FIELDS)
    db.session.commit()
    assert deliver_due() == 1
    [message] = sent_emails(outbox)
    assert message["To"] == "nia@bexley.gov.uk"
    assert db.session.scalar(select(Notification.user_id)) is None


def test_messages_due_are_sent_oldest_first_a_batch_at_a_time(make_user, outbox, monkeypatch):
    monkeypatch.setattr(outbox_module, "SENT_EACH_RUN", 2)
    person = make_user(Role.partner)
    for n in range(3):
        _tell(person, about=f"reset-{n}")
        clock.advance(timedelta(seconds=1))
    assert deliver_due() == 2 and deliver_due() == 1


# Told of an EOI: its receipt and its decision ------------------------------------------

def _told(event: str) -> dict[str, list[str]]:
    """Who has a message of `event`, by its subject."""
    told: dict[str, list[str]] = {}
    for subject, address in db.session.execute(
            select(Notification.subject, Notification.email)
            .where(Notification.event == event).order_by(Notification.email)):
        told.setdefault(subject, []).append(address)
    return told


def test_a_submitted_eoi_sends_its_receipt_to_the_lead_and_each_member_boroughs_commissioners(
        world, make_user, outbox):
    from eoi.eois import operations as eois
    from tests.conftest import complete_everything

    people, eoi = world
    also_bexley = make_user(Role.commissioner, borough="Bexley", email="second@bexley.example")
    make_user(Role.commissioner, borough="Bexley", email="gone@bexley.example", active=False)
    make_user(Role.partner, borough="Bexley", email="not.a.commissioner@bexley.example")
    complete_everything(eoi, people["member"])
    eois.submit_eoi(eoi, by=people["lead"], now=clock.now())
    db.session.commit()
    [(subject, to)] = _told("eoi_submitted").items()
    assert subject == f"{eoi.reference} submitted: SE"
    assert to == sorted([people["lead"].email, people["member"].email, also_bexley.email])
    deliver_due()
    assert deliver_due() == 0
    receipts = [m for m in sent_emails(outbox) if "submitted:" in m["Subject"]]
    assert sorted(m["To"] for m in receipts) == to
    body = receipts[0].get_body(("plain",)).get_content()
    assert "This is your receipt" in body and f"/eois/{eoi.id}" in body


def test_publishing_decisions_tells_each_consortium_once(closed_round, outbox):  # noqa: F811
    from eoi.assessment import operations as panel
    from eoi.assessment.models import DecisionOutcome
    from eoi.rounds import operations as rounds
    from eoi.rounds.models import RoundStatus
    from tests.test_assessment import _fully_scored

    people, first, second, heaviest = _fully_scored(closed_round)
    funding_round = first.funding_round
    rounds.change_round_status(funding_round, RoundStatus.assessed, by=people["manager"],
                               now=clock.now())
    panel.record_decision(first, outcome=DecisionOutcome.fund, amount_pence=150_000_00,
                          conditions="", feedback="", by=people["manager"])
    panel.record_decision(second, outcome=DecisionOutcome.not_funded, amount_pence=0,
                          conditions="", feedback="", by=people["manager"])
    panel.moderate(first, heaviest.id, score=2, rationale="Agreed", by=people["manager"])
    assert not _told("decisions_published")  # nothing until they are published
    rounds.change_round_status(funding_round, RoundStatus.decided, by=people["manager"],
                               now=clock.now())
    db.session.commit()
    told = _told("decisions_published")
    assert told[f"Decision on {first.reference}: SE"] == sorted(
        [people["lead"].email, people["member"].email])
    sutton = db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == "Sutton"))
    assert told[f"Decision on {second.reference}: South"] == sorted(
        [second.consortium.lead.email, *(user.email for user in sutton.organisation.users)])
    # Told again (a retry of the same publishing): no second message.
    rounds._tell_the_decisions(funding_round)
    db.session.commit()
    assert _told("decisions_published") == told
    deliver_due()
    assert deliver_due() == 0  # the scheduler run twice
    decisions = sorted(m["To"] for m in sent_emails(outbox) if "Decision on" in m["Subject"])
    assert decisions == sorted(address for told_of in told.values() for address in told_of)
    assert len(decisions) == 4


def _to(event: str) -> list[str]:
    """Everyone with a message of `event`, in order, once each message."""
    return sorted(db.session.scalars(select(Notification.email)
                                      .where(Notification.event == event)))


def _emails(*people) -> list[str]:
    return sorted(person.email for person in people)


def test_consortium_invitations_answers_lead_and_pledges_tell_the_right_people(
        world, make_user, outbox):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeKind, PledgeStatus
    from tests.conftest import borough

    people, eoi = world
    consortium = eoi.consortium
    # The world fixture invited Bexley, Bexley accepted, and Bexley confirmed a pledge.
    assert _to("borough_invited") == _emails(people["member"])
    assert _to("invitation_answered") == _emails(people["lead"])
    assert _to("pledge_changed") == _emails(people["lead"])
    also_lewisham = make_user(Role.commissioner, borough="Lewisham")
    make_user(Role.partner, borough="Lewisham")
    membership = consortia.invite_borough(consortium, borough("Lewisham"), by=people["lead"])
    db.session.commit()
    assert _to("borough_invited") == _emails(people["member"], people["outsider"],
                                             also_lewisham)
    consortia.respond_to_invitation(membership, accept=False, by=people["outsider"])
    consortia.invite_borough(consortium, borough("Lewisham"), by=people["lead"])  # again
    db.session.commit()
    assert len(_to("borough_invited")) == 5  # a new invitation is a new message
    assert _to("invitation_answered") == _emails(people["lead"], people["lead"])
    consortia.change_lead(consortium, people["member"], reason="Capacity", by=people["lead"],
                          expected_version=None)
    db.session.commit()
    assert _to("lead_changed") == _emails(people["lead"], people["member"])
    pledge = consortia.record_pledge(consortium, funder=people["member"].organisation,
                                     financial_year=2026, amount_pence=1_000_00,
                                     kind=PledgeKind.cash, by=people["member"])
    db.session.commit()
    assert len(_to("pledge_changed")) == 1  # proposed: nobody is told
    consortia.change_pledge_status(pledge, PledgeStatus.withdrawn, reason="Budget cut",
                                   by=people["member"])
    db.session.commit()
    # Told to the lead now: Bexley's commissioner, who made the change.
    assert _to("pledge_changed") == _emails(people["lead"], people["member"])
    body = db.session.scalars(select(Notification.body).where(
        Notification.event == "pledge_changed").order_by(Notification.id.desc())).first()
    assert "withdrawn" in body and "Budget cut" in body


def test_withdrawing_and_reopening_an_eoi_tell_its_commissioners(world, outbox):
    from eoi.eois import operations as eois
    from tests.conftest import complete_everything

    people, eoi = world
    complete_everything(eoi, people["member"])
    eois.submit_eoi(eoi, by=people["lead"], now=clock.now())
    eois.withdraw_eoi(eoi, by=people["lead"], now=clock.now())
    eois.reopen_eoi(eoi, reason="Budget error", by=people["manager"])
    db.session.commit()
    assert _to("eoi_withdrawn") == _emails(*[people["lead"], people["member"]] * 2)
    subjects = set(db.session.scalars(select(Notification.subject).where(
        Notification.event == "eoi_withdrawn")))
    assert subjects == {f"{eoi.reference} withdrew: SE", f"{eoi.reference} reopened: SE"}


def test_assessors_are_told_of_their_bids_and_fund_managers_when_every_score_is_in(
        closed_round, outbox):  # noqa: F811
    from tests.test_assessment import _fully_scored

    people, first, second, _ = _fully_scored(closed_round)
    assert _to("bid_assigned") == _emails(people["a"], people["a"], people["b"], people["b"])
    managers = db.session.scalars(select(User).where(
        User.role_links.any(UserRole.role == Role.fund_manager))).all()
    assert _to("scores_in") == _emails(*managers)


def test_opening_a_round_tells_every_commissioner(make_user, outbox):
    from eoi.rounds import operations as rounds
    from eoi.rounds.models import RoundStatus
    from tests.test_rounds import _values

    manager = make_user(Role.fund_manager)
    commissioners = [make_user(Role.commissioner, borough=name) for name in ("Bexley", "Brent")]
    make_user(Role.commissioner, borough="Barnet", active=False)
    make_user(Role.partner)
    funding_round = rounds.create_round(values=_values(), by=manager)
    rounds.change_round_status(funding_round, RoundStatus.open, by=manager, now=clock.now())
    db.session.commit()
    assert _to("round_opened") == _emails(*commissioners)


def test_consortia_with_a_draft_are_told_7_days_and_1_day_before_the_round_closes(
        world, outbox):
    from eoi.notifications.tell import rounds_closing

    people, eoi = world
    closes = eoi.funding_round.closes_at  # 10 days away
    assert rounds_closing(closes - timedelta(days=8)) == 0
    assert rounds_closing(closes - timedelta(days=6)) == 2
    assert rounds_closing(closes - timedelta(days=5)) == 0  # told once
    assert rounds_closing(closes - timedelta(hours=12)) == 2
    assert rounds_closing(closes + timedelta(minutes=1)) == 0
    db.session.commit()
    assert _to("round_closing") == _emails(*[people["lead"], people["member"]] * 2)
    subjects = sorted(db.session.scalars(select(Notification.subject).where(
        Notification.event == "round_closing")).unique())
    assert subjects == ["Round closes in 1 day", "Round closes in 7 days"]


def test_grants_milestones_returns_and_payments_tell_the_grants_people(granted, make_user,
                                                                       outbox):
    from eoi.grants import operations as grants
    from eoi.returns import operations as returns
    from tests.conftest import claim_through, complete_figures

    people, grant = granted
    manager = people["manager"]
    st_giles_colleague = make_user(Role.partner, organisation="St Giles Trust")
    grant_people = _emails(people["lead"], people["partner"])
    assert _to("grant_made") == grant_people  # the colleague joined after
    milestone = grants.add_milestone(grant, title="Workers in post", evidence_required="x",
                                     due_on=clock.today(), by=manager)
    grants.send_evidence(milestone, notes="Both started", by=people["partner"], now=clock.now())
    grants.review_milestone(milestone, accept=False, comments="Send the contracts", by=manager,
                            now=clock.now())
    db.session.commit()
    now_told = _emails(people["lead"], people["partner"], st_giles_colleague)
    assert _to("milestone_reviewed") == now_told
    ret = grant.returns[0]
    returns.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now(),
                          small_numbers_checked=True)
    returns.review_return(ret, accept=True, comments="", by=manager, now=clock.now())
    payment = grants.schedule_payment(grant, description="Quarter 1", amount_pence=1_000_00,
                                      scheduled_on=clock.today(), milestone=None, by=manager)
    claim_through(grant, payment, people)
    db.session.commit()
    assert _to("return_reviewed") == now_told
    assert _to("payment_changed") == sorted(now_told * 2)  # approved, then paid
    assert "Send the contracts" in db.session.scalar(select(Notification.body).where(
        Notification.event == "milestone_reviewed"))


# Choosing how to be told, and the list under Your account -------------------------------

def _submitted_with(world, choice: str, outbox):
    from eoi.eois import operations as eois
    from tests.conftest import complete_everything

    people, eoi = world
    lead = signed_in_client_for(people["lead"])
    page = lead.get("/account/notifications/settings")
    assert "EOIs submitted" in page.text
    answer = lead.post("/account/notifications/settings", data={
        "csrf_token": csrf_token(page.text), "eoi_submitted": choice})
    assert answer.status_code == 302
    complete_everything(eoi, people["member"])
    eois.submit_eoi(eoi, by=people["lead"], now=clock.now())
    db.session.commit()
    deliver_due()
    return people, eoi, lead


def signed_in_client_for(user):
    from flask import current_app

    return signed_in_client(current_app, user.email)


def test_a_daily_digest_gathers_what_waits_for_it(world, outbox):
    from eoi.notifications.outbox import send_digests

    people, eoi, _ = _submitted_with(world, "daily", outbox)
    sent_to = [m["To"] for m in sent_emails(outbox) if "submitted:" in m["Subject"]]
    assert people["lead"].email not in sent_to and people["member"].email in sent_to
    assert send_digests() == 1
    db.session.commit()
    deliver_due()
    [digest] = [m for m in sent_emails(outbox) if "update" in m["Subject"]]
    assert digest["To"] == people["lead"].email
    body = digest.get_body(("plain",)).get_content()
    assert f"{eoi.reference} submitted: SE" in body and f"/eois/{eoi.id}" in body
    assert send_digests() == 0  # nothing waits now


def test_a_long_digest_lists_the_first_and_links_to_the_rest(make_user, outbox):
    from eoi.notifications.models import Delivery
    from eoi.notifications.outbox import DIGEST_ITEMS, send_digests

    person, other = make_user(Role.partner), make_user(Role.partner)
    for n in range(DIGEST_ITEMS + 3):
        for who in (person, other) if n < 2 else (person,):
            db.session.add(Notification(
                key=f"test-{who.id}-{n}", event="grant_made", user_id=who.id, email=who.email,
                created_at=clock.now(), due_at=clock.now(), delivery=Delivery.digest,
                attempts=0, subject=f"Update {n}", body=f"See https://fund.example/{n}"))
        clock.advance(timedelta(seconds=1))
    db.session.commit()
    assert send_digests() == 2
    db.session.commit()
    digest = db.session.scalar(select(Notification).where(
        Notification.event == "daily_digest", Notification.user_id == person.id))
    assert digest.subject == f"{DIGEST_ITEMS + 3} updates from the co-commissioning fund"
    assert "Update 0\nhttps://fund.example/0" in digest.body
    assert f"Update {DIGEST_ITEMS - 1}\n" in digest.body
    assert f"Update {DIGEST_ITEMS}\n" not in digest.body and "And 3 more: " in digest.body
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.delivery == Delivery.digest)) == 0
    assert send_digests() == 0


def test_turned_off_is_not_emailed_but_is_listed(world, outbox):
    people, eoi, lead = _submitted_with(world, "off", outbox)
    assert people["lead"].email not in [m["To"] for m in sent_emails(outbox)
                                         if "submitted:" in m["Subject"]]
    page = lead.get("/account/notifications")
    assert f"{eoi.reference} submitted: SE" in page.text and "Not emailed" in page.text
    assert "govuk-tag--blue" in page.text  # new
    assert "govuk-tag--blue" not in lead.get("/account/notifications").text  # now read
    assert "None new" in lead.get("/account").text


def test_a_choice_that_is_not_offered_is_refused(world, outbox):
    people, _ = world
    lead = signed_in_client_for(people["lead"])
    page = lead.get("/account/notifications/settings")
    answer = lead.post("/account/notifications/settings", data={
        "csrf_token": csrf_token(page.text), "eoi_submitted": "hourly"})
    assert answer.status_code == 200 and "Not a valid choice" in answer.text
    assert "password_reset" not in page.text  # service messages cannot be turned off


class _NotifyApi(http.server.BaseHTTPRequestHandler):
    """GOV.UK Notify's email endpoint as its API documents it: a JWT signed with the key's
    secret, for the key's service, and the message as JSON."""

    received: list = []
    secret = ""
    service_id = ""

    def do_POST(self):  # noqa: N802 (http.server's name)
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, self.secret, algorithms=["HS256"])
        assert claims["iss"] == self.service_id
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": str(uuid.uuid4())}).encode())

    def log_message(self, *args):
        pass


def test_messages_go_through_gov_uk_notify_when_it_is_set(app, make_user, monkeypatch):
    service_id, secret, template = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    _NotifyApi.received, _NotifyApi.secret, _NotifyApi.service_id = [], secret, service_id
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotifyApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for key, value in {"EOI_NOTIFY_API_KEY": f"eoi_test-{service_id}-{secret}",
                           "EOI_NOTIFY_TEMPLATE_ID": template,
                           "EOI_NOTIFY_BASE_URL": f"http://127.0.0.1:{server.server_port}",
                           }.items():
            monkeypatch.setitem(app.config, key, value)
        person = make_user(Role.partner, email="pat@example.org.uk")
        _tell(person)
        assert deliver_due() == 1
    finally:
        server.shutdown()
        thread.join(5)
    [(path, sent)] = _NotifyApi.received
    assert path == "/v2/notifications/email"
    assert sent["email_address"] == "pat@example.org.uk" and sent["template_id"] == template
    assert "Reset your password" in sent["personalisation"]["subject"]
    assert "https://fund.example/x" in sent["personalisation"]["body"]


def test_notify_needs_its_template():
    from eoi.config import ConfigurationError, load_config

    with pytest.raises(ConfigurationError, match="EOI_NOTIFY_TEMPLATE_ID"):
        load_config(Path("/tmp"), {"EOI_NOTIFY_API_KEY": "x"})
