"""Every route, asked by anonymous and by each role: who may, who gets 403.

A new route fails `test_every_route_has_a_rule` until it is added to ACCESS.
"""

import pytest
from sqlalchemy import func, select

from eoi.accounts.models import Role, UserSession
from eoi.extensions import db
from eoi.reference.models import BasicCommandUnit, Indicator, LocalAuthority, Outcome, Priority
from eoi.service_map.models import Service
from tests.conftest import csrf_token, sign_in

PUBLIC = "public"
SIGNED_IN = "signed in"
FUND_MANAGER = "fund manager"
# Routes whose rule depends on the record (a consortium's lead, a borough's officers):
# tests/test_consortia_authorisation.py checks them person by person.
PER_RECORD = "per record"
SERVICE_PROVIDERS = "fund manager, commissioner or partner"
# An organisation's certifiers name the others (tests/test_naming_certifiers.py checks that
# MOPAC's people, who have none, are refused too).
CERTIFIERS = "certifiers"

ACCESS = {
    "static": PUBLIC,
    "pages.home": PUBLIC,
    "pages.accessibility": PUBLIC,
    "pages.privacy": PUBLIC,
    "pages.healthz": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.forgotten_password": PUBLIC,
    # Anyone holding the link's token, signed in or not; a made-up one is 404 to everyone:
    # tests/test_joining.py checks both, for every role.
    "auth.reset_password": PER_RECORD,
    "auth.join": PER_RECORD,
    # Anyone, once single sign-on is set up; 404 to everyone until then. The browser journeys
    # in tests/browser/test_single_sign_on_journey.py use them against a real provider.
    "auth.single_sign_on": PER_RECORD,
    "auth.single_sign_on_done": PER_RECORD,
    "auth.sign_out": SIGNED_IN,
    "account.index": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.two_factor_index": SIGNED_IN,
    "account.two_factor_set_up": SIGNED_IN,
    "account.recovery_codes": SIGNED_IN,
    "account.two_factor_off": SIGNED_IN,
    "account.sessions": SIGNED_IN,
    "account.notifications": SIGNED_IN,
    "account.notification_settings": SIGNED_IN,
    "account.session_end": SIGNED_IN,
    "account.certifiers": CERTIFIERS,
    "account.certifier_name": CERTIFIERS,
    "account.certifier_remove": CERTIFIERS,
    # Each answers per person: the code step for whoever has just given a right password,
    # the code asked again for whoever has two-factor sign-in. tests/test_two_factor.py
    # checks both for every role.
    "auth.second_factor": PER_RECORD,
    "account.confirm_code": PER_RECORD,
    "dashboard.index": SIGNED_IN,
    "calendars.index": SIGNED_IN,
    "calendars.make_link": SIGNED_IN,
    "calendars.stop_link": SIGNED_IN,
    # No sign-in: calendar programs fetch it. The secret in the address is the key, and an
    # unknown or stopped one is 404 to everyone; tests/test_calendars.py checks it.
    "calendars.feed": PER_RECORD,
    "admin.index": FUND_MANAGER,
    "admin.users": FUND_MANAGER,
    "admin.user_new": FUND_MANAGER,
    "admin.user_edit": FUND_MANAGER,
    "admin.user_set_active": FUND_MANAGER,
    "admin.user_password": FUND_MANAGER,
    "admin.user_two_factor_reset": FUND_MANAGER,
    "admin.invitations": FUND_MANAGER,
    "admin.invitation_new": FUND_MANAGER,
    # The fund team, or whoever sent the invitation: tests/test_joining.py checks each role.
    "admin.invitation_resend": PER_RECORD,
    "admin.invitation_withdraw": PER_RECORD,
    "admin.notifications": FUND_MANAGER,
    "admin.notification_retry": FUND_MANAGER,
    "admin.organisations": FUND_MANAGER,
    "admin.organisation_new": FUND_MANAGER,
    "admin.organisation_edit": FUND_MANAGER,
    "admin.reference": FUND_MANAGER,
    "admin.reference_bcu_edit": FUND_MANAGER,
    "admin.reference_local_authority_edit": FUND_MANAGER,
    "admin.reference_priority_new": FUND_MANAGER,
    "admin.reference_priority_edit": FUND_MANAGER,
    "admin.reference_outcome_new": FUND_MANAGER,
    "admin.reference_outcome_edit": FUND_MANAGER,
    "admin.reference_indicator_new": FUND_MANAGER,
    "admin.reference_indicator_edit": FUND_MANAGER,
    "audit.index": FUND_MANAGER,
    "rounds.index": SIGNED_IN,
    "rounds.new": FUND_MANAGER,
    **{f"rounds.{name}": PER_RECORD for name in (
        "show", "edit", "change_status", "criterion_new", "criterion_edit", "criterion_remove",
    )},
    **{f"eois.{name}": PER_RECORD for name in (
        "index", "start", "show", "section", "resolve", "budget_line_add",
        "budget_line_remove", "submit", "submitted", "withdraw", "reopen", "editors",
        "attachment_add", "attachment_remove", "attachment_download", "read", "pdf",
    )},
    **{f"assessment.{name}": PER_RECORD for name in (
        "index", "panel", "panel_remove", "spread", "assign", "unassign", "declare", "score",
        "moderation", "ranking", "decision", "panel_pack", "decision_letter",
    )},
    **{f"grants.{name}": PER_RECORD for name in (
        "index", "new", "show", "agreement", "state", "offer", "offer_accept",
        "offer_question", "offer_answer", "condition_new", "condition", "condition_send",
        "condition_review",
        "condition_evidence_add", "condition_evidence_download",
        "milestone_new", "milestone",
        "evidence_add", "evidence_download", "evidence_send", "milestone_review",
        "payment_new", "payment_remove", "claims_list", "claim_new", "claim", "claim_edit",
        "claim_check", "claim_approve", "claim_paid", "claim_send_back", "claim_evidence_add",
        "claim_evidence_download", "variation_new",
        "variation", "variation_decide", "variation_confirm", "variation_letter",
        "final_report", "final_report_send", "final_report_review", "close",
    )},
    **{f"returns.{name}": PER_RECORD for name in (
        "show", "template", "submit", "review", "report", "sign_off", "decline",
    )},
    "opendata.index": PUBLIC,
    # Public, but 404 until MOPAC's org-id is set: tests/test_opendata.py checks them.
    **{f"opendata.{name}": PER_RECORD for name in ("grants_json", "grants_csv", "grants_xlsx")},
    # The "being prepared" page's status and its "ask again" button: the document's own
    # rule (the fund team's, as both kinds are); tests/test_prepared_documents.py checks them
    # for every role, with the panel pack and programme report routes that ask.
    **{f"documents.{name}": PER_RECORD for name in ("status", "again")},
    "reports.dashboard": FUND_MANAGER,
    "reports.report_pdf": FUND_MANAGER,
    "reports.grants_csv": FUND_MANAGER,
    "reports.programme_xlsx": FUND_MANAGER,
    "service_map.index": SIGNED_IN,
    "service_map.export": SIGNED_IN,
    # Lists anyone signed in may open; each shows only the rows its reader may see, which
    # tests/test_exports.py checks person by person.
    "eois.export": SIGNED_IN,
    "grants.export": SIGNED_IN,
    "grants.payments": SIGNED_IN,
    "grants.payments_export": SIGNED_IN,
    "returns.index": SIGNED_IN,
    "returns.export": SIGNED_IN,
    "service_map.gaps": SIGNED_IN,
    "service_map.show": SIGNED_IN,
    "service_map.new": "fund manager, commissioner or partner",
    "service_map.edit": PER_RECORD,
    "service_map.import_services": FUND_MANAGER,
    **{f"consortia.{name}": PER_RECORD for name in (
        "index", "new", "show", "edit", "invite", "accept", "decline", "leave", "lead",
        "partner_new", "partner_invite", "partner_remove", "pledge_new", "pledge_edit",
        "pledge_status", "pledge_sign_off",
        "register", "register_new", "register_edit", "register_withdraw",
    )},
}

WHO = ["anonymous", *(role.value for role in Role)]
# Roles that, held alone, provide no service for the service map: the panel, and MOPAC's and
# the organisations' finance people.
NOT_PROVIDERS = {Role.panel_member.value, Role.finance.value, Role.certifier.value}


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "add new routes to ACCESS with their rule"


def _an_invitation() -> int:
    """A pending invitation (each POST may withdraw it: a new one then)."""
    from eoi.accounts.joining import invite
    from eoi.accounts.models import Invitation, InvitationStatus, User

    found = db.session.scalar(select(Invitation.id).where(
        Invitation.status == InvitationStatus.pending))
    if found is None:
        by = db.session.scalar(select(User).where(User.email == "fund_manager@example.org.uk"))
        found = invite(email=f"invited{db.session.scalar(select(func.count(Invitation.id)))}"
                       "@example.org.uk", full_name="Ivy Invited",
                       organisation=db.session.scalar(select(LocalAuthority)).organisation,
                       roles={Role.partner}, by=by).id
        db.session.commit()
    return found


def _a_failed_notification() -> int:
    from eoi.notifications.models import Delivery, Notification

    found = db.session.scalar(select(Notification.id).where(
        Notification.delivery == Delivery.failed))
    if found is None:
        failed = Notification(key=f"test:{db.session.scalar(select(func.count(Notification.id)))}",
                              event="password_reset", email="x@example.org.uk",
                              subject="A test", body="A test", delivery=Delivery.failed)
        db.session.add(failed)
        db.session.commit()
        found = failed.id
    return found


def _url_for_rule(app, rule, user_id: int) -> str:
    ids = {
        "user_id": user_id,
        "organisation_id": lambda: db.session.scalar(select(LocalAuthority)).organisation.id,
        "bcu_id": lambda: db.session.scalar(select(BasicCommandUnit.id)),
        "local_authority_id": lambda: db.session.scalar(select(LocalAuthority.id)),
        "priority_id": lambda: db.session.scalar(select(Priority.id)),
        "outcome_id": lambda: db.session.scalar(select(Outcome.id)),
        "indicator_id": lambda: db.session.scalar(select(Indicator.id)),
        "filename": "eoi.css",
        "service_id": lambda: db.session.scalar(select(Service.id)),
        "fmt": "xlsx",
        "invitation_id": _an_invitation,
        "notification_id": _a_failed_notification,
        "session_id": lambda: db.session.scalar(select(func.min(UserSession.id))) or 1,
    }
    values = {arg: (ids[arg]() if callable(ids[arg]) else ids[arg]) for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _expected(access: str, who: str, signed_in_status: int) -> int:
    if access == PUBLIC:
        return signed_in_status
    if who == "anonymous":
        return 302  # to the sign-in page
    if access == FUND_MANAGER and who != Role.fund_manager.value:
        return 403
    if access == SERVICE_PROVIDERS and who in NOT_PROVIDERS:
        return 403
    if access == CERTIFIERS and who != Role.certifier.value:
        return 403
    return signed_in_status


def _rules(app, method: str):
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if method in rule.methods and ACCESS[rule.endpoint] != PER_RECORD),
        key=lambda rule: rule.endpoint,
    )


@pytest.fixture
def a_service(reference):
    """One entry on the service map, so its pages have something to show."""
    from eoi.service_map.models import Cohort, ServiceType
    from eoi.service_map.operations import create_service

    create_service(
        provider=db.session.scalar(select(LocalAuthority)).organisation, by=None,
        name="Advocacy", description="", boroughs=[db.session.scalar(select(LocalAuthority))],
        types={ServiceType.advocacy}, cohorts={Cohort.boys_young_men}, funding_end_date=None)
    db.session.commit()


@pytest.mark.parametrize("who", WHO)
def test_get_routes(app, client, users_by_role, a_service, who):
    user = users_by_role[who]
    target = users_by_role["partner"]
    if user:
        sign_in(client, user.email)
    failures = []
    for rule in _rules(app, "GET"):
        url = _url_for_rule(app, rule, target.id)
        response = client.get(url)
        ok_status = 302 if (rule.endpoint == "pages.home" and user) or (
            rule.endpoint == "auth.sign_in" and user) else 200
        expected = _expected(ACCESS[rule.endpoint], who, ok_status)
        if response.status_code != expected:
            failures.append(f"GET {url}: {response.status_code}, expected {expected}")
        if response.status_code == 302 and expected == 302 and who == "anonymous" and (
            ACCESS[rule.endpoint] != PUBLIC
        ):
            assert response.headers["Location"].startswith("/sign-in?next=")
        if response.status_code == 403:
            assert "You do not have access to this page" in response.text
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", WHO)
def test_post_routes(app, client, users_by_role, a_service, who):
    """Every POST is refused to those without access, even with a valid CSRF token."""
    user = users_by_role[who]
    target = users_by_role["partner"]
    if user:
        sign_in(client, user.email)
    failures = []
    for rule in _rules(app, "POST"):
        if rule.endpoint == "auth.sign_out":
            continue  # signs the client out: checked on its own below
        token = csrf_token(client.get("/sign-in" if not user else "/account/password").text)
        url = _url_for_rule(app, rule, target.id)
        response = client.post(url, data={"csrf_token": token})
        access = ACCESS[rule.endpoint]
        allowed = access == PUBLIC or (user is not None and (
            access == SIGNED_IN or (access == CERTIFIERS and who == Role.certifier.value)
            or (access != CERTIFIERS and who == Role.fund_manager.value)
            or (access == SERVICE_PROVIDERS and who not in NOT_PROVIDERS)))
        if allowed:
            # An empty form is a validation error shown on the page, or a redirect.
            ok = response.status_code in (200, 302)
        else:
            ok = response.status_code == (302 if user is None else 403)
        if not ok:
            failures.append(f"POST {url}: {response.status_code} for {who}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", WHO)
def test_sign_out(client, users_by_role, who):
    user = users_by_role[who]
    if user:
        sign_in(client, user.email)
    token = csrf_token(client.get("/sign-in" if not user else "/account").text)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
