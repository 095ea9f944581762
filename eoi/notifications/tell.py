"""What each change tells, and to whom: one function per event in the catalogue, called by
the operation that makes the change, in its transaction. Each message's key names the
record and its version after the change, so a change told twice makes one message and the
next change (a borough invited again, a return sent back twice) makes its own."""

from datetime import datetime, timedelta

from eoi import clock
from eoi.extensions import db
from eoi.formatting import london_date, london_datetime
from eoi.money import financial_year_label, format_pence
from eoi.notifications import recipients
from eoi.notifications.outbox import notify, service_link


def _key(kind: str, record) -> str:
    db.session.flush()  # the record's id, and its version after this change
    return f"{kind}-{record.id}-v{getattr(record, 'version', 0)}"


def _comments(text: str) -> str:
    return f"\n\nMOPAC's comments: {text}" if text.strip() else ""


# Consortia ---------------------------------------------------------------------------------

def borough_invited(membership, *, by) -> None:
    consortium = membership.consortium
    notify("borough_invited", _key("membership", membership),
           recipients.borough_commissioners(membership.local_authority_id),
           borough=membership.local_authority.name, consortium=consortium.name,
           inviter=by.full_name, link=service_link(f"/consortia/{consortium.id}"))


def invitation_answered(membership, *, by) -> None:
    consortium = membership.consortium
    notify("invitation_answered", _key("membership", membership),
           recipients.active(consortium.lead), borough=membership.local_authority.name,
           consortium=consortium.name, responder=by.full_name,
           answer=membership.status.title.lower().replace("member", "accepted"),
           link=service_link(f"/consortia/{consortium.id}"))


def lead_changed(consortium, *, old_lead, reason: str, by) -> None:
    notify("lead_changed", _key("consortium-lead", consortium),
           recipients.consortium_commissioners(consortium), consortium=consortium.name,
           new_lead=consortium.lead.full_name, old_lead=old_lead.full_name,
           changer=by.full_name, reason=reason.strip() or "none given",
           link=service_link(f"/consortia/{consortium.id}"))


def pledge_changed(pledge, *, reason: str | None, by) -> None:
    consortium = pledge.consortium
    notify("pledge_changed", _key("pledge", pledge), recipients.active(consortium.lead),
           funder=pledge.funder.name, consortium=consortium.name,
           status=pledge.status.title.lower(), amount=format_pence(pledge.amount_pence),
           year=financial_year_label(pledge.financial_year), changer=by.full_name,
           reason=f" The reason given: {(reason or '').strip()}" if (reason or "").strip() else "",
           link=service_link(f"/consortia/{consortium.id}"))


def pledge_for_sign_off(pledge) -> None:
    consortium = pledge.consortium
    notify("pledge_for_sign_off", _key("pledge", pledge),
           recipients.certifiers_of(pledge.funder_id),
           funder=pledge.funder.name, consortium=consortium.name,
           amount=format_pence(pledge.amount_pence),
           year=financial_year_label(pledge.financial_year),
           link=service_link(f"/consortia/{consortium.id}/pledges/{pledge.id}/sign-off"))


# EOIs and their assessment -------------------------------------------------------------------

def eoi_withdrawn_or_reopened(eoi, *, reason: str = "", by) -> None:
    # Reopened, it is a draft again; withdrawn, it is not.
    change = "reopened" if eoi.status.value == "draft" else "withdrew"
    notify("eoi_withdrawn", _key("eoi", eoi), recipients.consortium_commissioners(eoi.consortium),
           reference=eoi.reference or "", consortium=eoi.consortium.name, changer=by.full_name,
           change=change,
           reason=f" The reason given: {reason.strip()}" if reason.strip() else "",
           link=service_link(f"/eois/{eoi.id}"))


def bid_assigned(assessment, *, by) -> None:
    eoi = assessment.eoi
    notify("bid_assigned", _key("assessment", assessment), recipients.active(assessment.assessor),
           reference=eoi.reference or "", consortium=eoi.consortium.name,
           round=eoi.funding_round.title, assigner=by.full_name,
           link=service_link(f"/assessment/assessments/{assessment.id}"))


def scores_in(funding_round) -> None:
    notify("scores_in", f"round-{funding_round.id}-scored", recipients.fund_managers(),
           round=funding_round.title,
           link=service_link(f"/assessment/rounds/{funding_round.id}/ranking"))


def round_opened(funding_round) -> None:
    notify("round_opened", _key("round-opened", funding_round), recipients.every_commissioner(),
           round=funding_round.title, closes=london_datetime(funding_round.closes_at),
           link=service_link(f"/rounds/{funding_round.id}"))


CLOSING_NOTICES = (7, 1)  # days before a round closes


def rounds_closing(now: datetime) -> int:
    """The notice, 7 days and 1 day before an open round closes, to the commissioners of
    each consortium with a draft in it; how many messages were new. Run daily (the
    reminder job); the key makes each notice once, however often it runs."""
    from sqlalchemy import select

    from eoi.eois.models import Eoi, EoiStatus
    from eoi.rounds.models import FundingRound, RoundStatus

    told = 0
    for days in CLOSING_NOTICES:
        closing = db.session.scalars(select(FundingRound).where(
            FundingRound.status == RoundStatus.open, FundingRound.closes_at > now,
            FundingRound.closes_at <= now + timedelta(days=days))).all()
        for funding_round in closing:
            drafts = db.session.scalars(select(Eoi).where(
                Eoi.round_id == funding_round.id, Eoi.status == EoiStatus.draft)).all()
            people = recipients.commissioners_of_consortia({eoi.consortium_id for eoi in drafts})
            for eoi in drafts:
                told += notify(
                    "round_closing", f"round-{funding_round.id}-closing-{days}-eoi-{eoi.id}",
                    people.get(eoi.consortium_id, []), round=funding_round.title,
                    closes=london_datetime(funding_round.closes_at),
                    days="1 day" if days == 1 else f"{days} days",
                    consortium=eoi.consortium.name, link=service_link(f"/eois/{eoi.id}"))
    return told


# Accounts ---------------------------------------------------------------------------------

def certifier_changed(person, *, named: bool, by) -> None:
    # Roles are rows of their own, so the person's version does not move: the time tells
    # one naming from the next.
    notify("certifier_changed", f"certifier-{person.id}-{named}-{clock.now().isoformat()}",
           recipients.active(person),
           change="You are now" if named else "You are no longer",
           action="named you" if named else "removed you as",
           organisation=person.organisation.name, changer=by.full_name,
           meaning=("Returns and pledges your organisation sends wait for a certifier other "
                    "than their sender to sign them off: you will be told of each one. Your "
                    "organisation's certifiers are listed here:"
                    if named else "You will no longer be asked to sign off its returns and "
                    "pledges. Your account is here:"),
           link=service_link("/account/certifiers" if named else "/account"))


# Grants -----------------------------------------------------------------------------------

def grant_made(grant) -> None:
    notify("grant_made", _key("grant-made", grant), recipients.grant_people(grant),
           grant=grant.reference, title=grant.title, reference=grant.eoi.reference or "",
           award=format_pence(grant.award_pence), starts=london_date(grant.starts_on),
           ends=london_date(grant.ends_on), link=service_link(f"/grants/{grant.id}"))


def offer_accepted(grant) -> None:
    notify("offer_accepted", _key("offer-accepted", grant),
           recipients.fund_managers() + recipients.grant_people(grant),
           grant=grant.reference, title=grant.title, name=grant.accepted_name,
           role=grant.accepted_role, version=str(grant.accepted_version),
           link=service_link(f"/grants/{grant.id}"))


def offer_question(grant, *, question: str, by) -> None:
    # Each question is its own message, however many the lead asks of one version.
    about = f"offer-question-{grant.id}-{clock.now().timestamp():.0f}-{len(question)}"
    notify("offer_question", about, recipients.fund_managers(), grant=grant.reference,
           who=by.full_name, question=question, link=service_link(f"/grants/{grant.id}"))


def offer_answered(asked) -> None:
    grant = asked.grant
    notify("offer_answered", _key("offer-answer", asked), recipients.active(asked.asked_by),
           grant=grant.reference, question=asked.question, answer=asked.answer,
           link=service_link(f"/grants/{grant.id}/offer"))


def offer_withdrawn(grant, *, reason: str) -> None:
    notify("offer_withdrawn", _key("offer-withdrawn", grant), recipients.grant_people(grant),
           grant=grant.reference, title=grant.title, reason=reason,
           link=service_link(f"/grants/{grant.id}"))


def condition_sent(condition) -> None:
    grant = condition.grant
    notify("condition_sent", _key("condition", condition), recipients.fund_managers(),
           grant=grant.reference, condition=condition.condition[:200],
           link=service_link(f"/grants/conditions/{condition.id}"))


def condition_reviewed(condition) -> None:
    grant = condition.grant
    notify("condition_reviewed", _key("condition", condition), recipients.grant_people(grant),
           review="accepted as met" if condition.is_met else "sent back",
           grant=grant.reference, condition=condition.condition[:200],
           comments=_comments(condition.review_comments or ""),
           link=service_link(f"/grants/conditions/{condition.id}"))


def _claim_fields(claim) -> dict[str, str]:
    return {"grant": claim.grant.reference, "amount": format_pence(claim.amount_pence),
            "claim": claim.what, "link": service_link(f"/grants/claims/{claim.id}")}


def claim_sent(claim) -> None:
    notify("claim_sent", _key("claim", claim), recipients.fund_managers(),
           **_claim_fields(claim))


def claim_checked(claim) -> None:
    notify("claim_checked", _key("claim", claim), recipients.finance_officers(),
           **_claim_fields(claim))


def claim_sent_back(claim) -> None:
    people = recipients.grant_people(claim.grant)
    submitter = claim.submitted_by
    if submitter.is_active and all(p.id != submitter.id for p in people):
        people.append(submitter)
    notify("claim_sent_back", _key("claim", claim), people,
           comments=_comments(claim.comments), **_claim_fields(claim))


def _variation_fields(variation) -> dict[str, str]:
    return {"grant": variation.grant.reference, "change": variation.summary,
            "link": service_link(f"/grants/variations/{variation.id}")}


def variation_requested(variation) -> None:
    notify("variation_requested", _key("variation", variation), recipients.fund_managers(),
           reason=variation.reason, **_variation_fields(variation))


def variation_to_confirm(variation) -> None:
    notify("variation_to_confirm", _key("variation", variation),
           recipients.people_of(variation.funder_id), funder=variation.funder.name,
           **_variation_fields(variation))


def variation_decided(variation) -> None:
    approved = variation.status.value == "approved"
    notify("variation_decided", _key("variation", variation),
           recipients.grant_people(variation.grant),
           decision="approved" if approved else "refused",
           version=(f" The agreement is now version {variation.made_version}; its variation "
                    "letter is on the change's page." if approved else ""),
           comments=_comments(variation.comments), **_variation_fields(variation))


def grant_closing(grant) -> None:
    notify("grant_closing", _key("grant-closing", grant), recipients.grant_people(grant),
           grant=grant.reference, title=grant.title,
           link=service_link(f"/grants/{grant.id}/final-report"))


def final_report_sent(report) -> None:
    grant = report.grant
    notify("final_report_sent", _key("final-report", report), recipients.fund_managers(),
           grant=grant.reference, link=service_link(f"/grants/{grant.id}/final-report"))


def final_report_reviewed(report) -> None:
    grant = report.grant
    notify("final_report_reviewed", _key("final-report", report),
           recipients.grant_people(grant),
           review="accepted" if report.status.value == "accepted" else "returned for changes",
           grant=grant.reference, comments=_comments(report.comments or ""),
           link=service_link(f"/grants/{grant.id}/final-report"))


def grant_closed(grant) -> None:
    notify("grant_closed", _key("grant-closed", grant), recipients.grant_people(grant),
           grant=grant.reference, title=grant.title, link=service_link(f"/grants/{grant.id}"))


def return_for_sign_off(ret) -> None:
    sender = ret.submitted_by
    notify("return_for_sign_off", _key("return", ret),
           [c for c in recipients.certifiers_of(sender.organisation_id) if c.id != sender.id],
           quarter=ret.period.short_label, grant=ret.grant.reference, sender=sender.full_name,
           link=service_link(f"/returns/{ret.id}"))


def return_declined(ret) -> None:
    notify("return_declined", _key("return", ret), recipients.grant_people(ret.grant),
           quarter=ret.period.short_label, grant=ret.grant.reference,
           reason=ret.sign_off_comments, link=service_link(f"/returns/{ret.id}"))


def milestone_reviewed(milestone) -> None:
    grant = milestone.grant
    notify("milestone_reviewed", _key("milestone", milestone), recipients.grant_people(grant),
           review="accepted" if milestone.status.value == "accepted" else "sent back",
           milestone=milestone.title, grant=grant.reference,
           comments=_comments(milestone.review_comments or ""),
           link=service_link(f"/grants/milestones/{milestone.id}"))


def return_reviewed(ret) -> None:
    grant = ret.grant
    notify("return_reviewed", _key("return", ret), recipients.grant_people(grant),
           review="accepted" if ret.status.value == "accepted" else "sent back",
           quarter=ret.period.short_label, grant=grant.reference,
           comments=_comments(ret.review_comments or ""),
           link=service_link(f"/returns/{ret.id}"))


def payment_changed(payment) -> None:
    grant = payment.grant
    notify("payment_changed", _key("payment", payment), recipients.grant_people(grant),
           status=payment.status.title.lower(), amount=format_pence(payment.amount_pence),
           payment=payment.description, grant=grant.reference,
           link=service_link(f"/grants/{grant.id}#payments"))
