"""Certifiers: an organisation's finance officer signs off the returns its people send, and
only then do they go to MOPAC as final; or declines them with a reason. The reminder job
reminds certifiers of returns waiting for them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.reminders.job import due_reminders
from eoi.returns import operations as returns
from eoi.returns.models import ReturnStatus
from tests.conftest import ask_route, complete_figures, csrf_token, sign_in, sign_out


@pytest.fixture
def with_certifier(granted, make_user):
    """The `granted` grant, with St Giles Trust's finance officer named its certifier, and
    its Q1 return filled in by the partner."""
    people, grant = granted
    people["certifier"] = make_user(Role.partner, Role.certifier, organisation="St Giles Trust",
                                    email="finance@stgiles.example.org.uk", name="Sam Okoro")
    ret = grant.returns[0]
    returns.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    db.session.commit()
    return people, grant, ret


def _told(event: str) -> set[str]:
    return {n.email for n in db.session.scalars(
        select(Notification).where(Notification.event == event))}


def test_without_certifiers_a_return_goes_straight_to_mopac(granted):
    people, grant = granted
    ret = grant.returns[0]
    returns.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    assert ret.status is ReturnStatus.submitted


def test_a_return_is_final_only_once_its_certifier_signs_it_off(with_certifier, make_user):
    people, grant, ret = with_certifier
    certifier = people["certifier"]
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    assert ret.status is ReturnStatus.signing
    assert _told("return_for_sign_off") == {certifier.email}
    # Not yet reported: its figures do not count, and MOPAC cannot review it.
    assert monitoring.latest_reported(grant) is None
    assert not ret.can_review(people["manager"])
    other = make_user(Role.commissioner, Role.certifier, borough="Bexley")
    for who in (people["partner"], people["manager"], other):
        with pytest.raises(TransitionRefused, match="another certifier"):
            returns.sign_off_return(ret, by=who, now=clock.now())
    returns.sign_off_return(ret, by=certifier, now=clock.now())
    db.session.commit()
    assert ret.status is ReturnStatus.submitted and ret.signed_off_by_id == certifier.id
    assert ret.can_review(people["manager"])
    assert monitoring.latest_reported(grant) is ret
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.subject_type == "QuarterlyReturn", AuditEntry.subject_id == ret.id)
        .order_by(AuditEntry.id)))
    assert actions[-2:] == ["return.sent_for_sign_off", "return.signed_off"]


def test_a_certifier_never_signs_off_what_they_sent(with_certifier):
    people, grant, ret = with_certifier
    returns.submit_return(ret, by=people["certifier"], now=clock.now())
    assert ret.status is ReturnStatus.signing
    assert not ret.can_sign_off(people["certifier"])
    assert _told("return_for_sign_off") == set()  # the only certifier sent it


def test_a_declined_return_goes_back_to_the_partner_with_the_reason(client, with_certifier):
    people, grant, ret = with_certifier
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["certifier"].email)
    page = client.get(f"/returns/{ret.id}").text
    assert "Sign off the return" in page and "Sign off and send to MOPAC" in page
    response = client.post(f"/returns/{ret.id}/decline", data={
        "csrf_token": csrf_token(page), "version": ret.version, "reason": ""})
    assert "Say why you cannot sign it off" in response.text
    response = client.post(f"/returns/{ret.id}/decline", data={
        "csrf_token": csrf_token(page), "version": ret.version,
        "reason": "The staff spend leaves out the agency worker"}, follow_redirects=True)
    assert "Sign-off declined" in response.text
    db.session.expire_all()
    assert ret.status is ReturnStatus.draft
    assert people["partner"].email in _told("return_declined")
    sign_out(client)
    sign_in(client, people["partner"].email)
    page = client.get(f"/returns/{ret.id}").text
    assert "Why your certifier did not sign it off" in page
    assert "The staff spend leaves out the agency worker" in page
    with pytest.raises(TransitionRefused):  # nothing waits for sign-off now
        returns.decline_return(ret, reason="x", by=people["certifier"], now=clock.now())


def test_signing_off_through_the_page(client, with_certifier):
    people, grant, ret = with_certifier
    sign_in(client, people["partner"].email)
    page = client.get(f"/returns/{ret.id}").text
    response = client.post(f"/returns/{ret.id}/submit", data={
        "csrf_token": csrf_token(page), "version": ret.version}, follow_redirects=True)
    assert "sent to your organisation&#39;s certifiers to sign off" in response.text
    assert "Waiting for a certifier of St Giles Trust" in response.text
    sign_out(client)
    sign_in(client, people["certifier"].email)
    page = client.get(f"/returns/{ret.id}").text
    db.session.expire_all()
    response = client.post(f"/returns/{ret.id}/sign-off", data={
        "csrf_token": csrf_token(page), "version": ret.version}, follow_redirects=True)
    assert "Return signed off and sent to MOPAC." in response.text
    db.session.expire_all()
    assert ret.status is ReturnStatus.submitted


def test_certifiers_are_reminded_after_three_days_and_seven(with_certifier):
    people, grant, ret = with_certifier
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    today = clock.today()

    def sign_offs(day):
        return [r for r in due_reminders(day) if r.key.startswith("sign-off:")]

    assert sign_offs(today + timedelta(days=2)) == []
    [third] = sign_offs(today + timedelta(days=3))
    assert third.to == [people["certifier"].email] and "Sign off the Q1" in third.subject
    [seventh] = sign_offs(today + timedelta(days=8))
    assert seventh.key != third.key


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner", "finance", "certifier"])
def test_sign_off_routes_by_person(app, client, with_certifier, who):
    people, grant, ret = with_certifier
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    failures = []
    for endpoint in ("returns.decline", "returns.sign_off"):  # decline first: it refuses
        url, status = ask_route(app, client, endpoint, "POST", {"return_id": ret.id},
                                signed_in=user is not None)
        expected = (302,) if user is None else (403,) if who != "certifier" else (200, 302)
        if status not in expected:
            failures.append(f"POST {url}: {status} for {who}")
    assert not failures, "\n".join(failures)


# Pledges ----------------------------------------------------------------------------------

@pytest.fixture
def bexley_pledge(world, make_user):
    """Bexley names a certifier; its officer proposes a second-year pledge."""
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeKind

    people, eoi = world
    people["certifier"] = make_user(Role.commissioner, Role.certifier, borough="Bexley",
                                    email="finance@bexley.example.org.uk")
    pledge = consortia.record_pledge(eoi.consortium, funder=people["member"].organisation,
                                     financial_year=2027, amount_pence=20_000_00,
                                     kind=PledgeKind.cash, by=people["member"])
    db.session.commit()
    return people, pledge


def test_a_boroughs_pledge_is_final_once_its_certifier_signs_it_off(client, bexley_pledge):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeStatus

    people, pledge = bexley_pledge
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    assert pledge.status is PledgeStatus.signing
    assert _told("pledge_for_sign_off") == {people["certifier"].email}
    with pytest.raises(TransitionRefused, match="signed off by a certifier"):
        consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    with pytest.raises(TransitionRefused, match="Only a certifier of the funder"):
        consortia.sign_off_pledge(pledge, approve=True, reason="", by=people["member"])
    with pytest.raises(FieldRefusal, match="Say why"):
        consortia.sign_off_pledge(pledge, approve=False, reason=" ", by=people["certifier"])
    consortia.sign_off_pledge(pledge, approve=False, reason="Not in the 2027 budget yet",
                              by=people["certifier"])
    assert pledge.status is PledgeStatus.proposed
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    db.session.commit()

    sign_in(client, people["certifier"].email)
    dashboard = client.get("/dashboard").text
    assert "Sign off London Borough of Bexley&#39;s pledge of £20,000" in dashboard
    url = f"/consortia/{pledge.consortium_id}/pledges/{pledge.id}/sign-off"
    page = client.get(url).text
    response = client.post(url, data={"csrf_token": csrf_token(page),
                                      "version": pledge.version, "outcome": "approve"},
                           follow_redirects=True)
    assert "Pledge signed off." in response.text
    db.session.expire_all()
    assert pledge.status is PledgeStatus.confirmed


def test_a_certifier_confirming_is_the_sign_off(bexley_pledge):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeStatus

    people, pledge = bexley_pledge
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["certifier"])
    assert pledge.status is PledgeStatus.confirmed


@pytest.mark.parametrize("who", ["lead", "member", "outsider", "manager", "partner",
                                 "certifier"])
def test_the_pledge_sign_off_page_by_person(app, client, bexley_pledge, who):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeStatus

    people, pledge = bexley_pledge
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    db.session.commit()
    sign_in(client, people[who].email)
    url, status = ask_route(app, client, "consortia.pledge_sign_off", "GET",
                            {"consortium_id": pledge.consortium_id, "pledge_id": pledge.id},
                            signed_in=True)
    assert status == (200 if who == "certifier" else 403), (url, who)


def test_certifiers_are_reminded_of_pledges_waiting_for_them(bexley_pledge):
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeStatus

    people, pledge = bexley_pledge
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    db.session.commit()
    today = clock.today()

    def waiting(day):
        return [r for r in due_reminders(day) if r.key.startswith("pledge-sign-off:")]

    assert waiting(today + timedelta(days=1)) == []
    [reminder] = waiting(today + timedelta(days=3))
    assert reminder.to == [people["certifier"].email]
    assert "Sign off London Borough of Bexley's pledge" in reminder.subject
