"""Closing a grant: a fund manager moves it to *closing* (on the state page); the lead or a
partner writes the final report (what was achieved, what continues, what was learnt) and
sends the final claim; MOPAC accepts the report; once no claim or payment is left on its
way, a fund manager closes the grant. The final report's machine is written here, once."""

from datetime import datetime

from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.extensions import db
from eoi.grants.models import (
    CLAIMS_IN_FLIGHT,
    MAX_NOTES,
    FinalReport,
    FinalReportStatus,
    Grant,
    GrantState,
    PaymentStatus,
)
from eoi.grants.operations import GRANT
from eoi.notifications import tell
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.states import StateMachine

FINAL_REPORT = StateMachine("final report", {
    FinalReportStatus.sent: frozenset({FinalReportStatus.accepted, FinalReportStatus.returned}),
    FinalReportStatus.returned: frozenset({FinalReportStatus.sent}),
})

SECTIONS = (("achieved", "What the grant achieved"),
            ("continues", "What continues after it"),
            ("learning", "What was learnt"))


def can_write_final_report(grant: Grant, user) -> bool:
    report = grant.final_report
    return (grant.state is GrantState.closing
            and (grant.is_partner_user(user) or grant.is_owner(user))
            and (report is None or report.status is FinalReportStatus.returned))


def send_final_report(grant: Grant, *, answers: dict[str, str], by, now: datetime,
                      expected_version: int | None = None) -> FinalReport:
    if not can_write_final_report(grant, by):
        raise TransitionRefused("The final report is written by the grant's partners or lead "
                                "while it is closing, and changed only when MOPAC returns it")
    for field, label in SECTIONS:
        text = (answers.get(field) or "").strip()
        if not text:
            raise FieldRefusal(field, f"Enter {label[:1].lower()}{label[1:]}")
        if len(text) > MAX_NOTES:
            raise FieldRefusal(field, f"{label} must be {MAX_NOTES:,} characters or fewer")
    report = grant.final_report
    if report is not None:
        check_version(report, expected_version)
    else:
        report = FinalReport(grant=grant)
        db.session.add(report)
    report.achieved, report.continues, report.learning = (
        answers[field].strip() for field, _label in SECTIONS)
    report.sent_at, report.sent_by_id = now, by.id
    if report.id is None:  # sent as it is made: the status's default
        db.session.flush()
        record_audit("final_report.sent", report, user=by,
                     summary=f"Sent the final report of {grant.reference}")
    else:
        FINAL_REPORT.move(report, FinalReportStatus.sent, by=by, action="final_report.sent",
                          summary=f"Sent the final report of {grant.reference} again")
    tell.final_report_sent(report)
    return report


def review_final_report(report: FinalReport, *, accept: bool, comments: str, by,
                        now: datetime, expected_version: int | None = None) -> None:
    if not (report.status is FinalReportStatus.sent and report.grant.can_manage(by)):
        raise TransitionRefused("Only a fund manager reviews a final report, once sent")
    check_version(report, expected_version)
    if not accept and not comments.strip():
        raise FieldRefusal("comments", "Say what needs to change")
    if len(comments.strip()) > MAX_NOTES:
        raise FieldRefusal("comments", f"Comments must be {MAX_NOTES:,} characters or fewer")
    report.comments = comments.strip()
    report.reviewed_at, report.reviewed_by_id = now, by.id
    new = FinalReportStatus.accepted if accept else FinalReportStatus.returned
    FINAL_REPORT.move(report, new, by=by, action=f"final_report.{new.value}",
                      summary=f"{new.title}: the final report of {report.grant.reference}"
                      + (f" ({comments.strip()})" if comments.strip() else ""))
    tell.final_report_reviewed(report)


def closing_problems(grant: Grant) -> list[str]:
    """What stands between a closing grant and its closing, in words."""
    problems = []
    report = grant.final_report
    if report is None:
        problems.append("The final report has not been sent")
    elif report.status is not FinalReportStatus.accepted:
        problems.append(f"The final report is {report.status.title.lower()}")
    on_their_way = [c for c in grant.claims if c.status in CLAIMS_IN_FLIGHT]
    if on_their_way:
        problems.append(f"{len(on_their_way)} claim{'s are' if len(on_their_way) > 1 else ' is'}"
                        " not yet paid")
    if not any(c.status.value == "paid" for c in grant.claims) and not any(
            p.status is PaymentStatus.paid for p in grant.payments):
        problems.append("No claim has been paid")
    return problems


def close_grant(grant: Grant, *, by, now: datetime) -> None:
    if not grant.can_manage(by):
        raise TransitionRefused("Only a fund manager closes a grant")
    GRANT.check(grant.state, GrantState.closed)
    if grant.state is not GrantState.closing:
        raise TransitionRefused("A grant closes from closing, once its final report is in")
    if problems := closing_problems(grant):
        raise TransitionRefused("The grant cannot close yet: " + "; ".join(
            p[:1].lower() + p[1:] for p in problems))
    GRANT.move(grant, GrantState.closed, by=by, action="grant.closed",
               summary=f"Closed {grant.reference}: final report accepted, claims paid")
    tell.grant_closed(grant)
