"""Claims: how money leaves MOPAC. A partner or the lead claims a scheduled payment, or
expenditure to date, with the evidence and the spend by cost category; a fund manager checks
it; a finance officer, never the person who checked or sent it, approves it; finance records
it paid. Either MOPAC step can send it back for changes. The claim's machine, and the
payment's moves it makes, are written here, once.

Claims never pass the award: an expenditure claim fits in what the payment schedule and
the other claims on their way leave of it, a scheduled payment is claimed as scheduled, and
paying is checked against the award once more, under the grant's version.
"""

from datetime import date, datetime

from sqlalchemy import func, select

from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants.models import (
    CLAIMS_IN_FLIGHT,
    MAX_NOTES,
    PAYING_GRANT_STATES,
    Claim,
    ClaimEvidence,
    ClaimSpend,
    ClaimStatus,
    Grant,
    Payment,
    PaymentStatus,
)
from eoi.grants.operations import (
    PAYMENT,
    grant_payment_problem,
    keep_evidence,
    milestone_problem,
    touch,
)
from eoi.money import format_pence
from eoi.notifications import tell
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.states import StateMachine

CLAIM = StateMachine("claim", {
    ClaimStatus.submitted: frozenset({ClaimStatus.checked, ClaimStatus.changes_requested}),
    ClaimStatus.checked: frozenset({ClaimStatus.approved, ClaimStatus.changes_requested}),
    ClaimStatus.changes_requested: frozenset({ClaimStatus.submitted}),
    ClaimStatus.approved: frozenset({ClaimStatus.paid}),
})


def claimable_payments(grant: Grant, claim: Claim | None = None) -> list[Payment]:
    """The grant's scheduled payments no other claim has asked for."""
    claimed = set(db.session.scalars(select(Claim.payment_id).where(
        Claim.grant_id == grant.id, Claim.payment_id.is_not(None),
        Claim.id != (claim.id if claim is not None else -1))))
    return [p for p in grant.payments
            if p.status is PaymentStatus.scheduled and p.id not in claimed]


def left_to_claim(grant: Grant, claim: Claim | None = None) -> int:
    """What an expenditure claim may ask for: the award less every payment scheduled,
    approved or paid, and less the expenditure claims on their way (but `claim`)."""
    scheduled = sum(p.amount_pence for p in grant.payments)
    on_their_way = db.session.scalar(
        select(func.coalesce(func.sum(Claim.amount_pence), 0)).where(
            Claim.grant_id == grant.id, Claim.payment_id.is_(None),
            Claim.status.in_([*CLAIMS_IN_FLIGHT, ClaimStatus.changes_requested]),
            Claim.id != (claim.id if claim is not None else -1))) or 0
    return grant.award_pence - scheduled - on_their_way


def send_claim(grant: Grant, *, payment: Payment | None, amount_pence: int | None,
               spend_to: date, spend: dict[CostCategory, int], notes: str, by, now: datetime,
               claim: Claim | None = None, expected_version: int | None = None) -> Claim:
    """A new claim, or (`claim`) one sent back, changed and sent again."""
    if not grant.can_report(by):
        raise TransitionRefused("Only the grant's partners or lead claim, while it is live")
    if grant.state not in PAYING_GRANT_STATES:
        raise TransitionRefused(f"The grant is {grant.state.title.lower()}: it takes no claims")
    if claim is not None:
        if not claim.can_change(by):
            raise TransitionRefused("Only a claim sent back for changes can be changed")
        check_version(claim, expected_version)
    if payment is not None:
        if payment not in claimable_payments(grant, claim):
            raise FieldRefusal("claiming", "Choose one of the grant's scheduled payments not "
                               "already claimed")
        if problem := milestone_problem(payment):
            raise FieldRefusal("claiming", f"It cannot be claimed yet. {problem}")
        amount = payment.amount_pence
    else:
        if not amount_pence or amount_pence <= 0:
            raise FieldRefusal("amount", "Enter the amount you are claiming, more than £0")
        room = left_to_claim(grant, claim)
        if amount_pence > room:
            raise FieldRefusal("amount", (
                f"The claim would take payments past the award of "
                f"{format_pence(grant.award_pence)}: at most {format_pence(max(room, 0))} is "
                "left to claim beyond the payments scheduled"))
        if amount_pence > sum(spend.values()):
            raise FieldRefusal("amount", (
                f"An expenditure claim can be no more than the spend to date you give, "
                f"{format_pence(sum(spend.values()))}"))
        amount = amount_pence
    if not grant.starts_on <= spend_to <= now.astimezone(LONDON).date():
        raise FieldRefusal("spend_to", f"The date must be between the grant's start, "
                           f"{grant.starts_on:%-d %B %Y}, and today")
    if any(pence < 0 for pence in spend.values()):
        raise FieldRefusal("spend", "Spend cannot be less than £0")
    if len(notes.strip()) > MAX_NOTES:
        raise FieldRefusal("notes", f"The evidence must be {MAX_NOTES:,} characters or fewer")

    if claim is None:
        claim = Claim(grant=grant, submitted_by_id=by.id, submitted_at=now)
        db.session.add(claim)
    claim.payment, claim.is_expenditure, claim.amount_pence = payment, payment is None, amount
    claim.spend_to, claim.notes = spend_to, notes.strip()
    # Changed in place: the flush inserts before it deletes, so a category's row replaced by
    # a new one would meet the old one in the unique rule.
    lines = {line.category: line for line in claim.spend}
    for category, pence in spend.items():
        if pence and category in lines:
            lines[category].amount_pence = pence
        elif pence:
            claim.spend.append(ClaimSpend(category=category, amount_pence=pence))
        elif category in lines:
            claim.spend.remove(lines[category])
    summary = f"Claimed {format_pence(amount)}: {claim.what}"
    if claim.id is None:
        db.session.flush()
        record_audit("claim.submitted", claim, user=by, summary=summary)
    else:
        claim.submitted_at, claim.submitted_by_id = now, by.id
        claim.comments = ""
        CLAIM.move(claim, ClaimStatus.submitted, by=by, action="claim.submitted",
                   summary=f"Changed and sent again. {summary}")
    tell.claim_sent(claim)
    return claim


def attach_claim_evidence(claim: Claim, filename: str, content: bytes, *,
                          by) -> ClaimEvidence:
    if not claim.can_add_evidence(by):
        raise TransitionRefused("Files are added to a claim by the grant's partners or lead, "
                                "until the fund team has checked it")
    return keep_evidence(claim, ClaimEvidence, filename, content, by=by,
                         action="claim.evidence_added")


def check_claim(claim: Claim, *, by, now: datetime, expected_version: int | None = None) -> None:
    if not claim.can_check(by):
        raise TransitionRefused("Only a fund manager checks a claim, once it is sent")
    check_version(claim, expected_version)
    claim.checked_at, claim.checked_by_id = now, by.id
    CLAIM.move(claim, ClaimStatus.checked, by=by, action="claim.checked",
               summary=f"Checked the claim of {format_pence(claim.amount_pence)} and passed "
               "it to finance")
    tell.claim_checked(claim)


def send_back_claim(claim: Claim, *, comments: str, by, now: datetime,
                    expected_version: int | None = None) -> None:
    if not (claim.can_check(by) or (claim.status is ClaimStatus.checked and by.is_finance)):
        raise TransitionRefused("Only the fund team, or finance once it is checked, sends a "
                                "claim back")
    check_version(claim, expected_version)
    if not comments.strip():
        raise FieldRefusal("comments", "Say what needs to change")
    if len(comments.strip()) > MAX_NOTES:
        raise FieldRefusal("comments", f"Comments must be {MAX_NOTES:,} characters or fewer")
    claim.comments = comments.strip()
    # Changed, it is checked afresh.
    claim.checked_at = claim.checked_by_id = None
    CLAIM.move(claim, ClaimStatus.changes_requested, by=by, action="claim.changes_requested",
               summary=f"Sent the claim back for changes: {comments.strip()}",
               changes={"reason": [None, comments.strip()]})
    tell.claim_sent_back(claim)


def approval_refusal(claim: Claim, by) -> str | None:
    """Why `by` cannot approve the claim now, in words; None when they can."""
    if not by.is_finance:
        return "Only a finance officer approves a claim"
    if claim.status is not ClaimStatus.checked:
        return "A claim is approved once the fund team has checked it"
    if by.id == claim.checked_by_id:
        return "You checked this claim, so another person must approve it"
    if by.id == claim.submitted_by_id:
        return "You sent this claim, so another person must approve it"
    if problem := grant_payment_problem(claim.grant):
        return problem
    if claim.payment is not None:
        return milestone_problem(claim.payment)
    if claim.amount_pence > claim.grant.award_pence - sum(
            p.amount_pence for p in claim.grant.payments):
        return (f"It would take payments past the award of "
                f"{format_pence(claim.grant.award_pence)}")
    return None


def approve_claim(claim: Claim, *, by, now: datetime,
                  expected_version: int | None = None) -> None:
    check_version(claim, expected_version)
    if refusal := approval_refusal(claim, by):
        raise TransitionRefused(f"This claim cannot be approved: {refusal[:1].lower()}"
                                f"{refusal[1:]}")
    grant = claim.grant
    payment = claim.payment
    if payment is None:
        # Expenditure is paid as it is approved: a payment of its own, due at once.
        payment = Payment(description=f"Claim: expenditure to {claim.spend_to:%-d %B %Y}",
                          amount_pence=claim.amount_pence,
                          scheduled_on=now.astimezone(LONDON).date())
        grant.payments.append(payment)
        claim.payment = payment
        db.session.flush()
        record_audit("payment.scheduled", payment, user=by,
                     summary=f"Scheduled {format_pence(payment.amount_pence)} for the claim")
    # The grant's version moves on, so two approvals racing for the last of the award
    # conflict rather than both passing the check above.
    touch(grant)
    payment.approved_at, payment.approved_by_id = now, by.id
    PAYMENT.move(payment, PaymentStatus.approved, by=by, action="payment.approved",
                 summary=f"Approved {format_pence(payment.amount_pence)} on its claim")
    claim.approved_at, claim.approved_by_id = now, by.id
    CLAIM.move(claim, ClaimStatus.approved, by=by, action="claim.approved",
               summary=f"Approved the claim of {format_pence(claim.amount_pence)}")
    tell.payment_changed(payment)


def record_claim_paid(claim: Claim, *, by, now: datetime,
                      expected_version: int | None = None) -> None:
    if not claim.can_record_paid(by):
        raise TransitionRefused("Only a finance officer records an approved claim as paid")
    check_version(claim, expected_version)
    payment = claim.payment
    grant = claim.grant
    if payment is None:  # approval always makes one
        raise TransitionRefused("This claim has no payment to record")
    if grant.paid_pence + payment.amount_pence > grant.award_pence:
        raise TransitionRefused(
            f"Paying {format_pence(payment.amount_pence)} would take payments past the award "
            f"of {format_pence(grant.award_pence)}")
    # Bumping the grant's version makes two payments marked paid at once conflict, so the
    # check above cannot be raced past.
    touch(grant)
    payment.paid_at, payment.paid_by_id = now, by.id
    PAYMENT.move(payment, PaymentStatus.paid, by=by, action="payment.paid",
                 summary=f"Paid {format_pence(payment.amount_pence)}")
    claim.paid_at, claim.paid_by_id = now, by.id
    CLAIM.move(claim, ClaimStatus.paid, by=by, action="claim.paid",
               summary=f"Paid the claim of {format_pence(claim.amount_pence)}")
    tell.payment_changed(payment)
