"""Closing a grant: a fund manager starts it; the lead or a partner sends the final report
and the final claim; MOPAC accepts the report; the grant closes only once nothing is left
on its way."""

from datetime import date

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.extensions import db
from eoi.grants import claims, closing, operations
from eoi.grants.models import ClaimStatus, FinalReportStatus, GrantState
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, TransitionRefused
from tests.conftest import ask_route, claim_through, csrf_token, sign_in, sign_out
from tests.test_grants import VIEWERS

REPORT = {"achieved": "Group work in twelve schools; 40 young people supported.",
          "continues": "Bexley funds the schools worker from April.",
          "learning": "Referrals come faster when school nurses are trained first."}


@pytest.fixture
def closing_grant(granted):
    """The `granted` grant with one payment of £60,000 paid on its claim, now closing."""
    people, grant = granted
    payment = operations.schedule_payment(grant, description="First half",
                                          amount_pence=60_000_00, scheduled_on=date(2026, 4, 1),
                                          milestone=None, by=people["manager"])
    claim_through(grant, payment, people)
    operations.change_grant_state(grant, GrantState.closing, reason="Delivery has ended",
                                  by=people["manager"])
    db.session.commit()
    return people, grant


def _told(event: str) -> set[str]:
    return {n.email for n in db.session.scalars(
        select(Notification).where(Notification.event == event))}


def test_closing_asks_for_the_final_report_and_claim_then_closes(client, closing_grant):
    people, grant = closing_grant
    manager = people["manager"]
    assert people["partner"].email in _told("grant_closing")
    # Only close_grant closes a closing grant.
    assert operations.manager_moves(grant) == [GrantState.active]
    with pytest.raises(TransitionRefused, match="closes once its final report"):
        operations.change_grant_state(grant, GrantState.closed, reason="x", by=manager)
    assert closing.closing_problems(grant) == ["The final report has not been sent"]
    with pytest.raises(TransitionRefused, match="cannot close yet: the final report"):
        closing.close_grant(grant, by=manager, now=clock.now())

    # The final claim, while it closes.
    second = operations.schedule_payment(grant, description="Final claim",
                                         amount_pence=60_000_00, scheduled_on=date(2027, 3, 31),
                                         milestone=None, by=manager)
    claim = claim_through(grant, second, people, until=ClaimStatus.checked)
    with pytest.raises(FieldRefusal, match="Enter what was learnt"):
        closing.send_final_report(grant, answers={**REPORT, "learning": " "},
                                  by=people["partner"], now=clock.now())
    report = closing.send_final_report(grant, answers=REPORT, by=people["partner"],
                                       now=clock.now())
    assert _told("final_report_sent") == {manager.email}
    with pytest.raises(TransitionRefused):
        closing.send_final_report(grant, answers=REPORT, by=people["lead"], now=clock.now())
    closing.review_final_report(report, accept=False, comments="Add the figures for Q4",
                                by=manager, now=clock.now())
    assert report.status is FinalReportStatus.returned
    closing.send_final_report(grant, answers={**REPORT, "achieved": "40 young people; Q4 in."},
                              by=people["lead"], now=clock.now(),
                              expected_version=report.version)
    closing.review_final_report(report, accept=True, comments="", by=manager, now=clock.now())
    assert people["lead"].email in _told("final_report_reviewed")
    assert closing.closing_problems(grant) == ["1 claim is not yet paid"]
    claims.approve_claim(claim, by=people["finance"], now=clock.now())
    claims.record_claim_paid(claim, by=people["finance"], now=clock.now())
    db.session.commit()

    sign_in(client, manager.email)
    page = client.get(f"/grants/{grant.id}/final-report").text
    assert "Close the grant" in page and REPORT["learning"] in page
    response = client.post(f"/grants/{grant.id}/close", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert "Grant closed." in response.text
    db.session.expire_all()
    assert grant.state is GrantState.closed
    assert people["partner"].email in _told("grant_closed")


def test_the_final_report_through_its_page(client, closing_grant):
    people, grant = closing_grant
    sign_in(client, people["partner"].email)
    url = f"/grants/{grant.id}/final-report"
    page = client.get(url).text
    assert "Write the final report" in page and "make the final claim" in page
    response = client.post(url, data={"csrf_token": csrf_token(page), "achieved": "",
                                      "continues": "x", "learning": "Call 07700 900123"})
    assert "Enter what the grant achieved" in response.text
    response = client.post(url, data={"csrf_token": csrf_token(page), **REPORT,
                                      "learning": "Call her mum on 07700 900123"})
    assert "phone number" in response.text and grant.final_report is None
    response = client.post(url, data={"csrf_token": csrf_token(page), **REPORT},
                           follow_redirects=True)
    assert "Final report sent to MOPAC." in response.text
    sign_out(client)
    sign_in(client, people["manager"].email)
    page = client.get(url).text
    assert "Review the final report" in page
    db.session.expire_all()
    response = client.post(f"{url}/review", data={
        "csrf_token": csrf_token(page), "version": grant.final_report.version,
        "outcome": "accept", "comments": ""}, follow_redirects=True)
    assert "Final report accepted." in response.text


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner", "finance"])
def test_closing_routes_by_person(app, client, closing_grant, who):
    people, grant = closing_grant
    closing.send_final_report(grant, answers=REPORT, by=people["partner"], now=clock.now())
    db.session.commit()
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    rules = [("grants.final_report", "GET", VIEWERS),
             ("grants.final_report_review", "POST", {"manager"}),
             ("grants.close", "POST", {"manager"})]
    failures = []
    for endpoint, method, allowed in rules:
        url, status = ask_route(app, client, endpoint, method, {"grant_id": grant.id},
                                signed_in=user is not None)
        expected = (302,) if user is None else (403,) if who not in allowed else (
            (200, 302) if method == "POST" else (200,))
        if status not in expected:
            failures.append(f"{method} {url}: {status} for {who}")
    assert not failures, "\n".join(failures)
    db.session.expire_all()
    assert grant.state is GrantState.closing  # the report is not accepted: nothing closed
