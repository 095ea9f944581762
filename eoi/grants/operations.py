"""Every change to a grant, its milestones and its payments, each audited.

The state machines for grants, milestones and payments are written here, once.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import flag_modified

from eoi.assessment.models import Decision, DecisionOutcome
from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.consortia.models import PartnerRole, PledgeStatus
from eoi.eois import attachments
from eoi.eois.models import Eoi, UploadedFile
from eoi.extensions import db
from eoi.grants import categories
from eoi.grants.models import (
    MAX_CONDITION,
    MAX_NOTES,
    PAYING_GRANT_STATES,
    Claim,
    ConditionEvidence,
    ConditionStatus,
    Grant,
    GrantCondition,
    GrantFunding,
    GrantIndicator,
    GrantPartner,
    GrantState,
    IndicatorTarget,
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    OfferQuestion,
    Payment,
    PaymentStatus,
)
from eoi.grants.periods import quarters_between
from eoi.money import format_pence, share_out
from eoi.notifications import tell
from eoi.reference.models import OrganisationType
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.returns.models import QuarterlyReturn
from eoi.returns.privacy import explain, find_personal_data
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.states import StateMachine

GRANT = StateMachine("grant", {
    # Only the lead's acceptance (accept_offer) makes an offer active.
    GrantState.offered: frozenset({GrantState.active, GrantState.withdrawn}),
    # Closed straight from delivery is a grant ended early; at its end it goes by closing,
    # which only close_grant (closing.py) ends, once the final report and claim are in.
    GrantState.active: frozenset({GrantState.suspended, GrantState.closing, GrantState.closed}),
    GrantState.suspended: frozenset({GrantState.active, GrantState.closing, GrantState.closed}),
    GrantState.closing: frozenset({GrantState.closed, GrantState.active}),
}, attribute="state")

MILESTONE = StateMachine("milestone", {
    MilestoneStatus.planned: frozenset({MilestoneStatus.due, MilestoneStatus.submitted}),
    MilestoneStatus.due: frozenset({MilestoneStatus.submitted}),
    MilestoneStatus.submitted: frozenset({MilestoneStatus.accepted, MilestoneStatus.returned}),
    MilestoneStatus.returned: frozenset({MilestoneStatus.submitted}),
})

CONDITION = StateMachine("condition", {
    ConditionStatus.open: frozenset({ConditionStatus.submitted}),
    ConditionStatus.submitted: frozenset({ConditionStatus.met, ConditionStatus.open}),
})

PAYMENT = StateMachine("payment", {
    PaymentStatus.scheduled: frozenset({PaymentStatus.approved}),
    PaymentStatus.approved: frozenset({PaymentStatus.paid}),
})

# A planned milestone becomes due this close to its date: the same two weeks the first
# reminder gives.
DUE_WITHIN_DAYS = 14

# The partners who deliver, and so report; co-funders and schools do not.
DELIVERING_ROLES = (PartnerRole.lead_provider, PartnerRole.delivery_partner)

FUNDED = (DecisionOutcome.fund, DecisionOutcome.fund_with_conditions)


def _require_manager(by) -> None:
    if not by.is_fund_manager:
        raise TransitionRefused("Only a fund manager can do this")


# Grants ----------------------------------------------------------------------------------

def awaiting_grants() -> Select[Decision]:
    """Published decisions to fund that have no grant yet, as a query."""
    return (select(Decision).join(Decision.eoi).join(Eoi.funding_round)
            .where(Decision.outcome.in_(FUNDED), FundingRound.status == RoundStatus.decided)
            .where(~select(Grant.id).where(Grant.eoi_id == Decision.eoi_id).exists()))


def decisions_awaiting_grants() -> list[Decision]:
    """Published decisions to fund that have no grant yet."""
    return list(db.session.scalars(
        awaiting_grants().options(contains_eager(Decision.eoi).joinedload(Eoi.consortium))
        .order_by(Decision.id)).all())


def grant_reference(eoi: Eoi) -> str:
    """CCF-2026-0007 becomes GRT-2026-0007: the same number, so people can match them."""
    if eoi.reference is None:  # given at submission, and only submitted EOIs are decided
        raise ValueError(f"{eoi!r} was never submitted, so it has no reference")
    return "GRT-" + eoi.reference.split("-", 1)[1]


def create_grant(decision: Decision, *, by, starts_on: date | None = None,
                 return_days_after_end: int | None = None) -> Grant:
    _require_manager(by)
    eoi = decision.eoi
    funding_round = eoi.funding_round
    if not decision.is_published:
        raise TransitionRefused("A grant is made once the round's decisions are published")
    if decision.outcome not in FUNDED:
        raise TransitionRefused(f"{eoi.reference} was not funded")
    if db.session.scalar(select(Grant.id).where(Grant.eoi_id == eoi.id)) is not None:
        raise TransitionRefused(f"{eoi.reference} already has a grant")
    first_day = date(funding_round.first_financial_year, 4, 1)
    ends_on = date(funding_round.last_financial_year + 1, 3, 31)
    starts_on = starts_on or first_day
    if not first_day <= starts_on < ends_on:
        raise FieldRefusal("starts_on", f"The grant must start between {first_day:%-d %B %Y} "
                           f"and {ends_on:%-d %B %Y}, within the round's years")
    summary = eoi.section("summary")
    title = ((summary.content or {}).get("title") if summary else None) or eoi.consortium.name
    grant = Grant(
        eoi=eoi, consortium=eoi.consortium, reference=grant_reference(eoi), title=title[:200],
        owner_id=eoi.consortium.lead_id, award_pence=decision.amount_awarded_pence,
        starts_on=starts_on, ends_on=ends_on, created_by_id=by.id)
    if return_days_after_end is not None:
        grant.return_days_after_end = return_days_after_end
    db.session.add(grant)
    grant.funding = _funding_rows(eoi, decision.amount_awarded_pence)
    grant.budget_lines = categories.initial_lines(eoi, grant.funding)
    grant.partners = [GrantPartner(organisation_id=p.organisation_id)
                      for p in eoi.consortium.current_partners if p.role in DELIVERING_ROLES]
    grant.indicators = _indicator_rows(eoi)
    # The panel writes its conditions one to a line; each holds back payment until MOPAC
    # accepts the evidence, and the fund manager can say otherwise condition by condition.
    grant.conditions = [GrantCondition(condition=line.strip()[:MAX_CONDITION])
                        for line in (decision.conditions or "").splitlines() if line.strip()]
    db.session.flush()
    schedule_returns(grant)
    record_audit("grant.created", grant, user=by,
                 summary=f"Offered grant {grant.reference} from {eoi.reference}: "
                 f"{format_pence(grant.award_pence)} from MOPAC")
    tell.grant_made(grant)
    return grant


def _funding_rows(eoi: Eoi, award_pence: int) -> list[GrantFunding]:
    """MOPAC's award shared over the years as the EOI asked for it; every other funder's
    live confirmed pledges for the round's years as they stand."""
    funding_round = eoi.funding_round
    years = range(funding_round.first_financial_year, funding_round.last_financial_year + 1)
    asked: dict[int, int] = defaultdict(int)
    mopac = None
    for line in eoi.budget_lines:
        if line.funder.type is OrganisationType.mopac and line.financial_year in years:
            asked[line.financial_year] += line.amount_pence
            mopac = line.funder
    rows = [GrantFunding(financial_year=year, funder=mopac, amount_pence=share)
            for year, share in share_out(award_pence, asked).items() if share]
    pledged: dict[tuple[int, int], int] = defaultdict(int)
    for pledge in eoi.consortium.pledges:
        if (pledge.status in (PledgeStatus.confirmed, PledgeStatus.received)
                and pledge.financial_year in years
                and pledge.funder.type is not OrganisationType.mopac):
            pledged[(pledge.financial_year, pledge.funder_id)] += pledge.amount_pence
    rows += [GrantFunding(financial_year=year, funder_id=funder_id, amount_pence=amount)
             for (year, funder_id), amount in sorted(pledged.items())]
    return rows


def _indicator_rows(eoi: Eoi) -> list[GrantIndicator]:
    offered = {str(i.id) for i in eoi.funding_round.indicators}
    section = eoi.section("outcomes")
    rows = []
    for indicator_id, figures in ((section.content if section else None) or {}).get(
            "indicators", {}).items():
        if indicator_id not in offered:
            continue
        row = GrantIndicator(indicator_id=int(indicator_id), baseline=figures.get("baseline"))
        row.targets = [IndicatorTarget(financial_year=int(year), target=int(target))
                       for year, target in sorted((figures.get("targets") or {}).items())
                       if target is not None]
        rows.append(row)
    return rows


def schedule_returns(grant: Grant) -> None:
    """A return for every quarter the grant delivers in, due the agreed days after it."""
    have = {(r.financial_year, r.quarter) for r in grant.returns}
    for quarter in quarters_between(grant.starts_on, grant.ends_on):
        if (quarter.financial_year, quarter.number) not in have:
            grant.returns.append(QuarterlyReturn(
                financial_year=quarter.financial_year, quarter=quarter.number,
                due_on=quarter.due_date(grant.return_days_after_end)))


def manager_moves(grant: Grant) -> list[GrantState]:
    """The states a fund manager can move the grant to: all the machine allows, but an
    offer becomes active only by the lead's acceptance, and a closing grant closes only
    through close_grant."""
    made_elsewhere = {GrantState.offered: GrantState.active,
                      GrantState.closing: GrantState.closed}.get(grant.state)
    return sorted((s for s in GRANT.allowed(grant.state) if s is not made_elsewhere),
                  key=lambda s: s.value)


def change_grant_state(grant: Grant, new: GrantState, *, reason: str, by) -> None:
    _require_manager(by)
    GRANT.check(grant.state, new)
    if new not in manager_moves(grant):
        raise TransitionRefused(
            "An offer becomes active only when the lead commissioner accepts it"
            if grant.state is GrantState.offered else
            "A closing grant closes once its final report is accepted and its claims paid")
    if not reason.strip():
        raise FieldRefusal("reason", "Say why the grant's state is changing")
    GRANT.move(grant, new, by=by, action="grant.state_changed",
               summary=f"{grant.reference} is now {new.title.lower()}: {reason.strip()}",
               changes={"reason": [None, reason.strip()]})  # guarded there (eoi.guard)
    if new is GrantState.withdrawn:
        tell.offer_withdrawn(grant, reason=reason.strip())
    if new is GrantState.closing:
        tell.grant_closing(grant)


# The offer -------------------------------------------------------------------------------

def accept_offer(grant: Grant, *, name: str, role: str, by, now: datetime,
                 expected_version: int | None) -> None:
    """The lead accepts the offer for the consortium: the version they read is the version
    accepted, so an offer changed since they opened it is a conflict, to read again."""
    if not grant.can_answer_offer(by):
        raise TransitionRefused("Only the lead commissioner accepts an offer, while it stands")
    check_version(grant, expected_version)
    if not name.strip():
        raise FieldRefusal("name", "Enter your full name")
    if not role.strip():
        raise FieldRefusal("role", "Enter your role")
    accepted_version = grant.version
    grant.accepted_at, grant.accepted_by_id = now, by.id
    grant.accepted_name, grant.accepted_role = name.strip()[:200], role.strip()[:200]
    grant.accepted_version = accepted_version
    GRANT.move(grant, GrantState.active, by=by, action="grant.offer_accepted",
               summary=f"{grant.accepted_name}, {grant.accepted_role}, accepted version "
               f"{accepted_version} of the offer of {grant.reference} for "
               f"{grant.consortium.name}")
    tell.offer_accepted(grant)


def ask_about_offer(grant: Grant, *, question: str, by, now: datetime) -> OfferQuestion:
    if not grant.can_answer_offer(by):
        raise TransitionRefused("Only the lead commissioner asks about an offer, while it "
                                "stands")
    if not question.strip():
        raise FieldRefusal("question", "Enter your question")
    _check_length(question, "question", "Your question")
    if findings := find_personal_data(question):
        raise FieldRefusal("question", explain(findings, "Your question"))
    asked = OfferQuestion(grant=grant, question=question.strip(), asked_at=now,
                          asked_by_id=by.id)
    db.session.add(asked)
    record_audit("grant.offer_question", grant, user=by,
                 summary=f"Asked MOPAC about the offer of {grant.reference}",
                 changes={"question": [None, question.strip()]})  # guarded there
    tell.offer_question(grant, question=question.strip(), by=by)
    return asked


def answer_offer_question(asked: OfferQuestion, *, answer: str, by, now: datetime,
                          expected_version: int | None = None) -> None:
    if not asked.can_answer(by):
        raise TransitionRefused("Only a fund manager answers a question about an offer, once")
    check_version(asked, expected_version)
    if not answer.strip():
        raise FieldRefusal("answer", "Enter your answer")
    _check_length(answer, "answer", "Your answer")
    if findings := find_personal_data(answer):
        raise FieldRefusal("answer", explain(findings, "Your answer"))
    asked.answer, asked.answered_at, asked.answered_by_id = answer.strip(), now, by.id
    record_audit("grant.offer_answered", asked.grant, user=by,
                 summary=f"Answered a question about the offer of {asked.grant.reference}",
                 changes={"answer": [None, asked.answer]})
    tell.offer_answered(asked)


# Conditions ------------------------------------------------------------------------------

def add_condition(grant: Grant, *, condition: str, evidence_required: str,
                  blocks_payments: bool, by) -> GrantCondition:
    _require_manager(by)
    if grant.state in (GrantState.closed, GrantState.withdrawn):
        raise TransitionRefused(f"A grant that is {grant.state.title.lower()} takes no new "
                                "conditions")
    record = GrantCondition(condition=condition.strip(),
                            evidence_required=evidence_required.strip(),
                            blocks_payments=blocks_payments)
    grant.conditions.append(record)
    touch(grant)  # a changed offer is a new version of it, to be accepted as it now is
    record_audit("condition.added", record, user=by,
                 summary=f"Added the condition {record.condition[:80]!r}"
                 + (", which holds back payments" if blocks_payments else ""))
    return record


def send_condition_evidence(condition: GrantCondition, *, notes: str, by,
                            now: datetime) -> None:
    if not condition.can_send_evidence(by):
        raise TransitionRefused("Only the grant's partners or lead send evidence, while the "
                                "condition is open")
    if not notes.strip():
        raise FieldRefusal("notes", "Describe the evidence that the condition is met")
    _check_length(notes, "notes", "The evidence")
    condition.evidence_notes = notes.strip()
    condition.submitted_at, condition.submitted_by_id = now, by.id
    CONDITION.move(condition, ConditionStatus.submitted, by=by, action="condition.submitted",
                   summary=f"Sent evidence for the condition {condition.condition[:80]!r}")
    tell.condition_sent(condition)


def attach_condition_evidence(condition: GrantCondition, filename: str, content: bytes, *,
                              by) -> ConditionEvidence:
    if not condition.can_send_evidence(by):
        raise TransitionRefused("Files are added by the grant's partners or lead, while the "
                                "condition is open")
    return keep_evidence(condition, ConditionEvidence, filename, content, by=by,
                         action="condition.evidence_added")


def review_condition(condition: GrantCondition, *, accept: bool, comments: str, by,
                     now: datetime, expected_version: int | None = None) -> None:
    if not condition.can_review(by):
        raise TransitionRefused("Only a fund manager reviews a condition's evidence, once sent")
    check_version(condition, expected_version)
    if not accept and not comments.strip():
        raise FieldRefusal("comments", "Say what is still needed")
    _check_length(comments, "comments", "Comments")
    condition.review_comments = comments.strip()
    condition.reviewed_at, condition.reviewed_by_id = now, by.id
    new = ConditionStatus.met if accept else ConditionStatus.open
    CONDITION.move(condition, new, by=by,
                   action="condition.met" if accept else "condition.returned",
                   summary=("Accepted as met: " if accept else "Sent back: ")
                   + repr(condition.condition[:80])
                   + (f" ({comments.strip()})" if comments.strip() else ""))
    tell.condition_reviewed(condition)


# Milestones ------------------------------------------------------------------------------

def add_milestone(grant: Grant, *, title: str, evidence_required: str, due_on: date,
                  by) -> Milestone:
    _require_manager(by)
    if grant.state in (GrantState.closed, GrantState.withdrawn):
        raise TransitionRefused(f"A grant that is {grant.state.title.lower()} takes no new "
                                "milestones")
    if not grant.starts_on <= due_on <= grant.ends_on + timedelta(days=90):
        raise FieldRefusal("due_on", f"The due date must be between {grant.starts_on:%-d %B %Y}"
                           " and three months after the grant ends")
    milestone = Milestone(title=title.strip(), evidence_required=evidence_required.strip(),
                          due_on=due_on)
    grant.milestones.append(milestone)
    record_audit("milestone.added", milestone, user=by,
                 summary=f"Added the milestone {milestone.title!r}, due {due_on:%-d %B %Y}")
    return milestone


def attach_evidence(milestone: Milestone, filename: str, content: bytes, *,
                    by) -> MilestoneEvidence:
    """Check the file's type and that it holds no personal data, keep its bytes and record
    it. If the transaction then fails, the caller discards the stored bytes."""
    if not milestone.can_send_evidence(by):
        raise TransitionRefused("Evidence can be added only while the milestone is open, by "
                                "the grant's partners or lead")
    return keep_evidence(milestone, MilestoneEvidence, filename, content, by=by,
                         action="milestone.evidence_added")


E = TypeVar("E", bound=UploadedFile)  # a kept file's record: evidence of some kind


def keep_evidence(record, evidence_class: type[E], filename: str, content: bytes, *, by,
                  action: str) -> E:
    """A file kept with `record` (a milestone, condition or claim) in its `evidence`, and
    audited as `action`. It is read for personal data as a return's text is
    (attachments.kept); if the transaction then fails, the stored bytes are discarded."""
    with attachments.kept(filename, content) as kept:
        evidence = evidence_class(**kept.columns())
        evidence.uploaded_by_id = by.id
        record.evidence.append(evidence)
        record_audit(action, record, user=by, summary=f"Added evidence {kept}")
    return evidence


def send_evidence(milestone: Milestone, *, notes: str, by, now: datetime) -> None:
    if not milestone.can_send_evidence(by):
        raise TransitionRefused("Only the grant's partners or lead send evidence, while the "
                                "milestone is open")
    if not milestone.evidence and not notes.strip():
        raise FieldRefusal("notes", "Add a file of evidence, or describe the evidence")
    _check_length(notes, "notes", "Notes on the evidence")
    if findings := find_personal_data(notes):
        raise FieldRefusal("notes", explain(findings, "Notes on the evidence"))
    milestone.evidence_notes = notes.strip()
    milestone.submitted_at, milestone.submitted_by_id = now, by.id
    MILESTONE.move(milestone, MilestoneStatus.submitted, by=by, action="milestone.submitted",
                   summary=f"Sent evidence for {milestone.title!r}")


def review_milestone(milestone: Milestone, *, accept: bool, comments: str, by,
                     now: datetime) -> None:
    if not milestone.can_review(by):
        raise TransitionRefused("Only a fund manager reviews a milestone's evidence, once sent")
    new = MilestoneStatus.accepted if accept else MilestoneStatus.returned
    if not accept and not comments.strip():
        raise FieldRefusal("comments", "Say what needs to change")
    _check_length(comments, "comments", "Comments")
    milestone.review_comments = comments.strip()
    milestone.reviewed_at, milestone.reviewed_by_id = now, by.id
    MILESTONE.move(milestone, new, by=by, action=f"milestone.{new.value}",
                   summary=f"{new.title}: {milestone.title!r}"
                   + (f" ({comments.strip()})" if comments.strip() else ""))
    tell.milestone_reviewed(milestone)


def _check_length(text: str, field: str, label: str) -> None:
    if len(text.strip()) > MAX_NOTES:
        raise FieldRefusal(field, f"{label} must be {MAX_NOTES:,} characters or fewer")


def mark_milestones_due(today: date) -> list[Milestone]:
    """Planned milestones within two weeks of their date become due. Run by the daily job,
    so recorded as the system's doing."""
    milestones = db.session.scalars(
        select(Milestone).where(Milestone.status == MilestoneStatus.planned,
                                Milestone.due_on <= today + timedelta(days=DUE_WITHIN_DAYS))
    ).all()
    for milestone in milestones:
        MILESTONE.move(milestone, MilestoneStatus.due, by=None, action="milestone.due",
                       summary=f"{milestone.title!r} is due on {milestone.due_on:%-d %B %Y}")
    return list(milestones)


# Payments --------------------------------------------------------------------------------

def schedule_payment(grant: Grant, *, description: str, amount_pence: int,
                     scheduled_on: date, milestone: Milestone | None, by) -> Payment:
    _require_manager(by)
    if grant.state in (GrantState.closed, GrantState.withdrawn):
        raise TransitionRefused(f"A grant that is {grant.state.title.lower()} takes no new "
                                "payments")
    if amount_pence <= 0:
        raise FieldRefusal("amount", "Enter an amount more than £0")
    if milestone is not None and milestone.grant_id != grant.id:
        raise FieldRefusal("milestone", "Choose one of this grant's milestones")
    scheduled = sum(p.amount_pence for p in grant.payments)
    if scheduled + amount_pence > grant.award_pence:
        raise FieldRefusal("amount", (
            f"Payments would come to {format_pence(scheduled + amount_pence)}, more than the "
            f"award of {format_pence(grant.award_pence)}; at most "
            f"{format_pence(grant.award_pence - scheduled)} is left to schedule"))
    payment = Payment(description=description.strip(), amount_pence=amount_pence,
                      scheduled_on=scheduled_on, milestone=milestone)
    grant.payments.append(payment)
    touch(grant)
    record_audit("payment.scheduled", payment, user=by,
                 summary=f"Scheduled {format_pence(amount_pence)} for {scheduled_on:%-d %B %Y}"
                 + (f", on acceptance of {milestone.title!r}" if milestone else ""))
    return payment


def grant_payment_problem(grant: Grant) -> str | None:
    """Why no payment of the grant can be approved now, in words; None when one can."""
    if grant.state is GrantState.offered:
        return "The lead commissioner has not accepted the offer yet"
    if grant.state not in PAYING_GRANT_STATES:
        return f"The grant is {grant.state.title.lower()}"
    if blocking := grant.open_blocking_conditions:
        return (f"{len(blocking)} condition{'s' if len(blocking) > 1 else ''} holding back "
                f"payments {'are' if len(blocking) > 1 else 'is'} not yet met: "
                + "; ".join(repr(c.condition[:80]) for c in blocking))
    return None


def milestone_problem(payment: Payment) -> str | None:
    milestone = payment.milestone
    if milestone is not None and milestone.status is not MilestoneStatus.accepted:
        return (f"It is paid on acceptance of the milestone {milestone.title!r}, which is "
                f"{milestone.status.title.lower()}")
    return None


def approval_problem(payment: Payment) -> str | None:
    """Why the payment cannot be approved yet, in words; None when it can."""
    return grant_payment_problem(payment.grant) or milestone_problem(payment)


def remove_payment(payment: Payment, *, by) -> None:
    _require_manager(by)
    if payment.status is not PaymentStatus.scheduled:
        raise TransitionRefused("Only a payment not yet approved can be removed")
    if db.session.scalar(select(Claim.id).where(Claim.payment_id == payment.id)):
        raise TransitionRefused("This payment is claimed: send the claim back instead")
    record_audit("payment.removed", payment.grant, user=by,
                 summary=f"Removed the payment {payment.description!r} of "
                 f"{format_pence(payment.amount_pence)}")
    payment.grant.payments.remove(payment)
    db.session.delete(payment)


def touch(grant: Grant) -> None:  # also claims.py's
    """Make the flush write the grant, so its version moves on."""
    flag_modified(grant, "award_pence")
