"""What needs each person now: the things waiting on them, counted in SQL, each with the
page where it is done (an endpoint and its arguments), so the dashboard is one click from
the work. A few of each kind are named; counts say how many there are in all.

Plain functions of a person and a day, usable without a request: the dashboard view turns
each Need into a link."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from eoi.accounts.models import User
from eoi.assessment.models import Assessment, Decision
from eoi.assessment.operations import STILL_SCORING
from eoi.consortia.models import Consortium, Pledge, PledgeStatus
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.formatting import closing_time
from eoi.grants.models import (
    Claim,
    ClaimStatus,
    Grant,
    GrantState,
    Milestone,
    MilestoneStatus,
    OfferQuestion,
)
from eoi.grants.operations import awaiting_grants
from eoi.grants.status import Rag
from eoi.money import format_pence
from eoi.reference.models import Organisation, OrganisationType
from eoi.returns.models import QuarterlyReturn, ReturnStatus
from eoi.rounds.models import FundingRound, RoundStatus

# Named one by one, at most; the rest are counted.
NAMED = 5
# An open round comes onto the fund team's list this long before it closes.
CLOSING_SOON = timedelta(days=14)
# Decisions stay on a commissioner's dashboard this long after they are made.
DECISIONS_SHOWN_FOR = timedelta(days=120)


@dataclass(frozen=True)
class Need:
    """One thing waiting on the person: `text` is the link's words, `endpoint` and
    `arguments` the page where it is done, `detail` a few words after the link."""

    text: str
    endpoint: str
    arguments: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _and_more(needs: list[Need], total: int, one: str, many: str, endpoint: str,
              arguments: dict[str, Any] | None = None) -> list[Need]:
    """The needs named, and a link to the rest when there are more than NAMED."""
    if total > len(needs):
        rest = total - len(needs)
        needs.append(Need(f"{rest:,} more {one if rest == 1 else many}", endpoint,
                          arguments or {}))
    return needs


# The fund team ------------------------------------------------------------------------------

def fund_manager_needs(now) -> list[Need]:
    needs: list[Need] = []
    submitted = _count(select(QuarterlyReturn.id)
                       .where(QuarterlyReturn.status == ReturnStatus.submitted))
    if submitted:
        needs.append(Need(_plural(submitted, "quarterly return to review",
                                  "quarterly returns to review"),
                          "returns.index", {"status": ReturnStatus.submitted.value}))
    needs += _milestones_to_check()
    needs += _questions_to_answer()
    needs += _claims_at(ClaimStatus.submitted, "claim to check", "claims to check")
    needs += _rounds_to_move_on(now)
    needs += _pledges_to_confirm(Organisation.type == OrganisationType.mopac)
    awaiting = _count(awaiting_grants())
    if awaiting:
        needs.append(Need(_plural(awaiting, "decision to fund waiting for its grant",
                                  "decisions to fund waiting for their grants"),
                          "grants.index"))
    # Links, not counts: a grant's colour is worked out from all its returns, which for the
    # whole fund is the slowest question the service asks (the grants list's filter).
    for rag in (Rag.red, Rag.amber):
        needs.append(Need(f"Grants at {rag.title.lower()}", "grants.index",
                          {"status": rag.value}, "with the reasons for each"))
    return needs


def finance_needs() -> list[Need]:
    return (_claims_at(ClaimStatus.checked, "claim to approve", "claims to approve")
            + _claims_at(ClaimStatus.approved, "claim approved, to record as paid",
                         "claims approved, to record as paid"))


def certifier_needs(user: User) -> list[Need]:
    """Returns its people sent, and pledges it confirmed, waiting for this certifier."""
    sent_by_us = select(User.id).where(User.organisation_id == user.organisation_id,
                                       User.id != user.id)
    returns = (select(QuarterlyReturn).where(QuarterlyReturn.status == ReturnStatus.signing,
                                             QuarterlyReturn.submitted_by_id.in_(sent_by_us)))
    named = db.session.scalars(returns.order_by(QuarterlyReturn.due_on, QuarterlyReturn.id)
                               .limit(NAMED).options(joinedload(QuarterlyReturn.grant))).all()
    needs = [Need(f"Sign off the {r.period.short_label} return for {r.grant.reference}",
                  "returns.show", {"return_id": r.id}) for r in named]
    needs = _and_more(needs, _count(returns), "return to sign off", "returns to sign off",
                      "returns.index", {"status": ReturnStatus.signing.value})
    pledges = select(Pledge).where(Pledge.status == PledgeStatus.signing,
                                   Pledge.funder_id == user.organisation_id)
    needs += [Need(f"Sign off {p.funder.name}'s pledge of {format_pence(p.amount_pence)}",
                   "consortia.pledge_sign_off", {"consortium_id": p.consortium_id,
                                                 "pledge_id": p.id},
                   f"to {p.consortium.name}")
              for p in db.session.scalars(pledges.order_by(Pledge.id).limit(NAMED).options(
                  joinedload(Pledge.funder), joinedload(Pledge.consortium)))]
    return needs


def _claims_at(status: ClaimStatus, one: str, many: str) -> list[Need]:
    waiting = select(Claim).where(Claim.status == status)
    named = db.session.scalars(waiting.order_by(Claim.submitted_at, Claim.id).limit(NAMED)
                               .options(joinedload(Claim.grant), joinedload(Claim.payment))
                               ).all()
    needs = [Need(f"{c.what}: {format_pence(c.amount_pence)}", "grants.claim",
                  {"claim_id": c.id}, f"on {c.grant.reference}") for c in named]
    return _and_more(needs, _count(waiting), one, many, "grants.claims_list",
                     {"status": status.value})


def _offers_to_accept(user: User) -> list[Need]:
    offers = db.session.scalars(select(Grant).where(
        Grant.owner_id == user.id, Grant.state == GrantState.offered)
        .order_by(Grant.id).limit(NAMED)).all()
    return [Need(f"Read and accept the offer of {g.reference}", "grants.offer",
                 {"grant_id": g.id}, f"{g.title}: {format_pence(g.award_pence)} from MOPAC")
            for g in offers]


def _questions_to_answer() -> list[Need]:
    """Questions about offers still open (an offer withdrawn needs no answer)."""
    waiting = (select(OfferQuestion).join(OfferQuestion.grant)
               .where(OfferQuestion.answered_at.is_(None), Grant.state == GrantState.offered))
    named = db.session.scalars(waiting.order_by(OfferQuestion.asked_at, OfferQuestion.id)
                               .limit(NAMED).options(joinedload(OfferQuestion.grant)
                                                     .joinedload(Grant.consortium))).all()
    needs = [Need(f"Answer a question about the offer of {q.grant.reference}", "grants.offer",
                  {"grant_id": q.grant_id, "_anchor": f"question-{q.id}"},
                  f"from {q.grant.consortium.name}") for q in named]
    # Fewer than NAMED found are all there are: counted only when there may be more.
    total = len(named) if len(named) < NAMED else _count(waiting)
    return _and_more(needs, total, "question about an offer to answer",
                     "questions about offers to answer", "grants.index",
                     {"state": GrantState.offered.value})


def _milestones_to_check() -> list[Need]:
    waiting = select(Milestone).where(Milestone.status == MilestoneStatus.submitted)
    named = db.session.scalars(waiting.order_by(Milestone.due_on, Milestone.id).limit(NAMED)
                               .options(joinedload(Milestone.grant))).all()
    needs = [Need(f"Check the evidence for “{m.title}”", "grants.milestone",
                  {"milestone_id": m.id}, f"on {m.grant.reference}") for m in named]
    return _and_more(needs, _count(waiting), "milestone to check", "milestones to check",
                     "grants.index")


def _rounds_to_move_on(now) -> list[Need]:
    rounds = db.session.scalars(
        select(FundingRound).where(FundingRound.status.in_(
            [RoundStatus.draft, RoundStatus.open, RoundStatus.closed, RoundStatus.assessed]))
        .order_by(FundingRound.closes_at)).all()
    needs = []
    for funding_round in rounds:
        if funding_round.status is RoundStatus.draft:
            needs.append(Need(f"Finish setting up {funding_round.title}", "rounds.show",
                              {"round_id": funding_round.id}, "and open it"))
        elif funding_round.status is RoundStatus.open:
            if funding_round.closes_at - now <= CLOSING_SOON:
                needs.append(Need(f"{funding_round.title} closes soon", "rounds.show",
                                  {"round_id": funding_round.id}, "see who has submitted"))
        elif funding_round.status is RoundStatus.closed:
            needs.append(Need(f"Get the bids of {funding_round.title} scored",
                              "assessment.ranking", {"round_id": funding_round.id},
                              "assign the panel and mark the round assessed"))
        else:
            needs.append(Need(f"Moderate and publish the decisions on {funding_round.title}",
                              "assessment.ranking", {"round_id": funding_round.id}))
    return needs


def _pledges_to_confirm(funders) -> list[Need]:
    waiting = (select(Pledge).join(Organisation, Organisation.id == Pledge.funder_id)
               .where(Pledge.status == PledgeStatus.proposed, funders))
    named = db.session.scalars(waiting.order_by(Pledge.id).limit(NAMED).options(
        joinedload(Pledge.consortium), joinedload(Pledge.funder))).all()
    needs = [Need(f"Confirm {p.funder.name}'s pledge of {format_pence(p.amount_pence)}",
                  "consortia.pledge_status", {"consortium_id": p.consortium_id, "pledge_id": p.id},
                  f"to {p.consortium.name}") for p in named]
    return _and_more(needs, _count(waiting), "pledge to confirm", "pledges to confirm",
                     "consortia.index")


# Commissioners ----------------------------------------------------------------------------

def commissioner_needs(user: User, now) -> list[Need]:
    drafts = (select(Eoi).where(Eoi.status == EoiStatus.draft, Eoi.edited_by(user))
              .join(Eoi.funding_round).where(FundingRound.status == RoundStatus.open))
    named = db.session.scalars(drafts.order_by(FundingRound.closes_at, Eoi.id).limit(NAMED)
                               .options(selectinload(Eoi.sections),
                                        joinedload(Eoi.funding_round),
                                        joinedload(Eoi.consortium))).all()
    needs = _offers_to_accept(user)
    for eoi in named:
        left = sum(not s.is_complete for s in eoi.sections)
        needs.append(Need(f"Finish the EOI of {eoi.consortium.name}", "eois.show",
                          {"eoi_id": eoi.id},
                          (f"{_plural(left, 'section', 'sections')} to complete, "
                           if left else "ready to submit, ")
                          + f"the round closes at {closing_time(eoi.funding_round.closes_at)}"))
    _and_more(needs, _count(drafts), "draft", "drafts", "eois.index", {"status": "draft"})
    needs += _eois_to_start(user, now)
    if user.organisation_id is not None:
        needs += _pledges_to_confirm(Pledge.funder_id == user.organisation_id)
    decided = db.session.scalars(
        select(Decision).join(Decision.eoi).where(Eoi.decision_seen_by(user),
                                                  Decision.decided_at >= now - DECISIONS_SHOWN_FOR)
        .order_by(Decision.decided_at.desc()).limit(NAMED)
        .options(joinedload(Decision.eoi).joinedload(Eoi.consortium))).all()
    needs += [Need(f"Read the decision on {d.eoi.reference}", "eois.show", {"eoi_id": d.eoi_id},
                   f"{d.eoi.consortium.name}: {d.outcome.title.lower()}"
                   + (f", {format_pence(d.amount_awarded_pence)}"
                      if d.amount_awarded_pence else "")) for d in decided]
    return needs


def _eois_to_start(user: User, now) -> list[Need]:
    """Open rounds a consortium the person may start for (eois.views.start) has no EOI in."""
    mine = or_(Consortium.lead_id == user.id,
               Consortium.id.in_(Consortium.ids_with_member_officer(user)))
    not_started = ~select(Eoi.id).where(Eoi.consortium_id == Consortium.id,
                                        Eoi.round_id == FundingRound.id).exists()
    pairs = db.session.execute(
        # Every open round for every consortium of theirs: a product meant as such.
        select(Consortium, FundingRound).join(FundingRound, true())
        .where(mine, not_started, FundingRound.status == RoundStatus.open,
               FundingRound.opens_at <= now, FundingRound.closes_at > now)
        .order_by(FundingRound.closes_at, Consortium.name).limit(NAMED)).all()
    return [Need(f"Start an EOI for {funding_round.title}", "consortia.show",
                 {"consortium_id": consortium.id, "_anchor": "eois"},
                 f"with {consortium.name}, by {closing_time(funding_round.closes_at)}")
            for consortium, funding_round in pairs]


# Panel members -----------------------------------------------------------------------------

def panel_needs(user: User) -> list[Need]:
    waiting = (select(Assessment).where(Assessment.assessor_id == user.id,
                                        Assessment.status.in_(STILL_SCORING)))
    total = _count(waiting)
    if not total:
        return []
    return [Need(_plural(total, "bid to declare or score", "bids to declare or score"),
                 "assessment.index")]
