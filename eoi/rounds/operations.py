"""Every change to a funding round and its criteria: checked against the round's state,
audited."""

from datetime import datetime

from sqlalchemy import select

from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version, ensure_unique
from eoi.extensions import db
from eoi.money import format_pence
from eoi.reference.models import Indicator, Priority, PriorityKind
from eoi.refusals import DuplicateName, TransitionRefused
from eoi.rounds.defaults import DEFAULT_CRITERIA, descriptors_for
from eoi.rounds.models import Criterion, FundingRound, RoundStatus
from eoi.states import StateMachine

ROUND = StateMachine("round", {
    RoundStatus.draft: frozenset({RoundStatus.open}),
    RoundStatus.open: frozenset({RoundStatus.closed}),
    RoundStatus.closed: frozenset({RoundStatus.assessed}),
    RoundStatus.assessed: frozenset({RoundStatus.decided}),
    RoundStatus.decided: frozenset(),
})

ROUND_FIELDS = ["title", "envelope_pence", "first_financial_year", "last_financial_year",
                "opens_at", "closes_at", "guidance", "min_member_boroughs", "min_match_percent"]
CRITERION_FIELDS = ["title", "description", "weight", "position",
                    *(f"descriptor_{score}" for score in range(5))]


def _require_draft(funding_round: FundingRound) -> None:
    if funding_round.status is not RoundStatus.draft:
        raise TransitionRefused("Only a draft round can be changed")


def _facts(funding_round: FundingRound) -> dict:
    facts = snapshot(funding_round, ROUND_FIELDS)
    facts["priorities"] = sorted(p.title for p in funding_round.priorities)
    facts["indicators"] = sorted(i.name for i in funding_round.indicators)
    return facts


def create_round(*, values: dict, by) -> FundingRound:
    """A new draft round starts with the default criteria, every current strategic priority
    and every current indicator; the fund manager then trims them."""
    ensure_unique(FundingRound, "title", values["title"])
    funding_round = FundingRound(**values, status=RoundStatus.draft)
    funding_round.priorities = list(db.session.scalars(
        select(Priority).where(Priority.kind == PriorityKind.strategic,
                               Priority.is_archived.is_(False))))
    funding_round.indicators = list(db.session.scalars(
        select(Indicator).where(Indicator.is_archived.is_(False))))
    for position, (title, description, weight) in enumerate(DEFAULT_CRITERIA, start=1):
        funding_round.criteria.append(Criterion(
            title=title, description=description, weight=weight, position=position * 10,
            **{f"descriptor_{score}": text
               for score, text in enumerate(descriptors_for(description))}))
    db.session.add(funding_round)
    record_audit("round.created", funding_round, user=by,
                 summary=f"Created the draft round {funding_round.title} "
                 f"({format_pence(funding_round.envelope_pence)})",
                 changes=changes_between({}, _facts(funding_round)))
    return funding_round


def update_round(funding_round: FundingRound, *, values: dict, priorities: list[Priority],
                 indicators: list[Indicator], by, expected_version: int | None) -> FundingRound:
    check_version(funding_round, expected_version)
    _require_draft(funding_round)
    ensure_unique(FundingRound, "title", values["title"], exclude_id=funding_round.id)
    before = _facts(funding_round)
    for field, value in values.items():
        setattr(funding_round, field, value)
    funding_round.priorities, funding_round.indicators = priorities, indicators
    changes = changes_between(before, _facts(funding_round))
    if changes:
        record_audit("round.updated", funding_round, user=by, summary="Updated the round",
                     changes=changes)
    return funding_round


def save_criterion(funding_round: FundingRound, criterion: Criterion | None, *, values: dict,
                   by, expected_version: int | None = None) -> Criterion:
    _require_draft(funding_round)
    clash = next((c for c in funding_round.criteria
                  if c.title == values["title"] and c is not criterion), None)
    if clash is not None:
        raise DuplicateName("title")
    if criterion is None:
        criterion = Criterion(**values)
        funding_round.criteria.append(criterion)
        record_audit("criterion.created", criterion, user=by,
                     summary=f"Added the criterion {criterion.title} to {funding_round.title}",
                     changes=changes_between({}, snapshot(criterion, CRITERION_FIELDS)))
        return criterion
    check_version(criterion, expected_version)
    before = snapshot(criterion, CRITERION_FIELDS)
    for field, value in values.items():
        setattr(criterion, field, value)
    changes = changes_between(before, snapshot(criterion, CRITERION_FIELDS))
    if changes:
        record_audit("criterion.updated", criterion, user=by,
                     summary=f"Updated the criterion {criterion.title}", changes=changes)
    return criterion


def remove_criterion(criterion: Criterion, *, by) -> None:
    funding_round = criterion.funding_round
    _require_draft(funding_round)
    record_audit("criterion.removed", funding_round, user=by,
                 summary=f"Removed the criterion {criterion.title} "
                 f"(weight {criterion.weight})")
    funding_round.criteria.remove(criterion)


def opening_problems(funding_round: FundingRound, now: datetime) -> list[str]:
    """Why a draft round cannot open yet, in words the fund manager can act on."""
    problems = []
    if funding_round.total_weight != 100:
        problems.append(f"The criteria's weights add up to {funding_round.total_weight}, "
                        "not 100")
    if not funding_round.criteria:
        problems.append("The round has no assessment criteria")
    if not any(p.kind is PriorityKind.strategic for p in funding_round.priorities):
        problems.append("Choose at least one strategic priority")
    if not funding_round.indicators:
        problems.append("Choose at least one outcome indicator applicants may use")
    if funding_round.closes_at <= now:
        problems.append("The closing time has already passed")
    return problems


def status_problems(funding_round: FundingRound, new: RoundStatus, now: datetime) -> list[str]:
    """Why the round cannot move to `new` yet: opening needs a complete round, marking it
    assessed needs every bid scored, publishing needs a decision on every bid."""
    if new is RoundStatus.open:
        return opening_problems(funding_round, now)
    if new in (RoundStatus.assessed, RoundStatus.decided):
        from eoi.assessment.operations import publishing_problems, scoring_problems

        check = scoring_problems if new is RoundStatus.assessed else publishing_problems
        return list[str](check(funding_round))
    return []


def change_round_status(funding_round: FundingRound, new: RoundStatus, *, by,
                        now: datetime) -> FundingRound:
    ROUND.check(funding_round.status, new)
    problems = status_problems(funding_round, new, now)
    if problems:
        raise TransitionRefused(". ".join(problems))
    ROUND.move(funding_round, new, by=by, action=f"round.{new.value}",
               summary=f"Round {new.title.lower()}")
    if new is RoundStatus.decided:
        _tell_the_decisions(funding_round)
    elif new is RoundStatus.open:
        from eoi.notifications import tell

        tell.round_opened(funding_round)
    return funding_round


def _tell_the_decisions(funding_round: FundingRound) -> None:
    """Each consortium with a decision is told once: the key names the EOI, so publishing
    told twice (or a retry) makes no second email."""
    from eoi.assessment.models import Decision
    from eoi.consortia.models import Consortium
    from eoi.eois.models import Eoi
    from eoi.notifications.outbox import notify, service_link
    from eoi.notifications.recipients import commissioners_of_consortia

    decided = db.session.execute(
        select(Eoi.id, Eoi.reference, Eoi.consortium_id, Consortium.name)
        .join(Decision, Decision.eoi_id == Eoi.id)
        .join(Consortium, Consortium.id == Eoi.consortium_id)
        .where(Eoi.round_id == funding_round.id).order_by(Eoi.id)).all()
    told = commissioners_of_consortia({row.consortium_id for row in decided})
    for eoi_id, reference, consortium_id, consortium in decided:
        notify("decisions_published", f"eoi-{eoi_id}", told.get(consortium_id, []),
               reference=reference or "", consortium=consortium, round=funding_round.title,
               link=service_link(f"/eois/{eoi_id}"))


