"""Every step of the panel's work, checked and audited: the panel, assignments, declarations,
scores, moderation, decisions and publishing. The arithmetic is eoi.scoring's."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eoi.accounts.models import Role, User
from eoi.assessment.models import (
    Assessment,
    AssessmentStatus,
    Decision,
    DecisionOutcome,
    ModeratedScore,
    PanelMember,
    Score,
)
from eoi.audit import changes_between, record_audit
from eoi.columns import check_version
from eoi.eois.models import Eoi, EoiStatus
from eoi.eois.operations import budget_reconciliation, mopac_requests
from eoi.extensions import db
from eoi.money import format_pence
from eoi.notifications import tell
from eoi.refusals import FieldRefusal, Refusal, TransitionRefused
from eoi.rounds.models import Criterion, FundingRound, RoundStatus
from eoi.scoring import (
    DEFAULT_THRESHOLD,
    Allocation,
    Bid,
    BidSummary,
    CriterionSpec,
    RankedBid,
    Rubric,
    allocate,
    check_scoresheet,
    rank,
    summarise,
)
from eoi.scoring.assignment import suggest_assignments
from eoi.states import StateMachine

ASSESSMENT = StateMachine("assessment", {
    AssessmentStatus.awaiting_declaration: frozenset({AssessmentStatus.in_progress,
                                                      AssessmentStatus.conflicted}),
    AssessmentStatus.in_progress: frozenset({AssessmentStatus.submitted}),
    # Submitted scores change only through moderation; a conflict is final.
    AssessmentStatus.submitted: frozenset(),
    AssessmentStatus.conflicted: frozenset(),
})

ASSESSORS_PER_BID = 3


class ScoresIncomplete(Refusal):
    def __init__(self, problems: dict[int, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def submitted_eois(funding_round: FundingRound) -> list[Eoi]:
    return list(db.session.scalars(select(Eoi).where(
        Eoi.round_id == funding_round.id, Eoi.status == EoiStatus.submitted)
        .order_by(Eoi.reference)))


def panel_of(funding_round: FundingRound) -> list[PanelMember]:
    return list(db.session.scalars(select(PanelMember).where(
        PanelMember.round_id == funding_round.id)
        .options(joinedload(PanelMember.user).joinedload(User.organisation))
        .order_by(PanelMember.id)))


def _require_scoring_open(funding_round: FundingRound) -> None:
    if funding_round.status is not RoundStatus.closed:
        raise TransitionRefused("Assessment happens while the round is closed, before it is "
                                "marked assessed")


# The panel -----------------------------------------------------------------------------------

def add_panel_member(funding_round: FundingRound, user, *, by) -> PanelMember:
    if not user.has_role(Role.panel_member):
        raise FieldRefusal("user_id", "Choose someone with the panel member role")
    if any(m.user_id == user.id for m in panel_of(funding_round)):
        raise FieldRefusal("user_id", f"{user.full_name} is already on this panel")
    if funding_round.status in (RoundStatus.assessed, RoundStatus.decided):
        raise TransitionRefused("The panel of an assessed round cannot change")
    member = PanelMember(funding_round=funding_round, user=user)
    db.session.add(member)
    record_audit("panel.member_added", funding_round, user=by,
                 summary=f"Put {user.full_name} on the panel")
    return member


def remove_panel_member(member: PanelMember, *, by) -> None:
    started = db.session.scalar(select(Assessment.id).join(Eoi).where(
        Eoi.round_id == member.round_id, Assessment.assessor_id == member.user_id))
    if started is not None:
        raise TransitionRefused(f"{member.user.full_name} has bids assigned: take those off "
                                "first")
    record_audit("panel.member_removed", member.funding_round, user=by,
                 summary=f"Took {member.user.full_name} off the panel")
    db.session.delete(member)


def system_conflict(eoi: Eoi, user) -> str | None:
    """An interest the service can see for itself: the assessor's organisation is one of the
    consortium's member boroughs or partners."""
    consortium = eoi.consortium
    if any(b.organisation is not None and b.organisation.id == user.organisation_id
           for b in consortium.member_boroughs):
        return f"{user.organisation.name} is a member of {consortium.name}"
    if any(p.organisation_id == user.organisation_id for p in consortium.current_partners):
        return f"{user.organisation.name} is a partner of {consortium.name}"
    return None


def assign(eoi: Eoi, assessor, *, by, now: datetime) -> Assessment:
    _require_scoring_open(eoi.funding_round)
    if eoi.status is not EoiStatus.submitted:
        raise TransitionRefused("Only submitted expressions of interest are assessed")
    if not any(m.user_id == assessor.id for m in panel_of(eoi.funding_round)):
        raise FieldRefusal("user_id", "Put this person on the round's panel first")
    if any(a.assessor_id == assessor.id for a in eoi.assessments):
        raise FieldRefusal("user_id", f"{assessor.full_name} is already assessing this bid")
    reason = system_conflict(eoi, assessor)
    # Starts out conflicted when the service knows of the interest already.
    declared = {"status": AssessmentStatus.conflicted, "has_interest": True,
                "flagged_by_system": True, "interest_details": reason,
                "declared_at": now} if reason else {}
    assessment = Assessment(eoi=eoi, assessor=assessor, assigned_at=now, updated_at=now,
                            **declared)
    db.session.add(assessment)
    record_audit("assessment.assigned", eoi, user=by,
                 summary=f"Asked {assessor.full_name} to assess {eoi.reference}")
    if reason:
        record_audit("assessment.conflict_flagged", eoi, user=None,
                     summary=f"Conflict of interest for {assessor.full_name}: {reason}")
    tell.bid_assigned(assessment, by=by)
    return assessment


def _every_score_in(funding_round: FundingRound) -> bool:
    """No assessment of the round is waiting for its assessor: one query."""
    db.session.flush()
    waiting = db.session.scalar(
        select(func.count(Assessment.id)).join(Assessment.eoi)
        .where(Eoi.round_id == funding_round.id,
               Assessment.status.in_((AssessmentStatus.awaiting_declaration,
                                      AssessmentStatus.in_progress))))
    return not waiting


def unassign(assessment: Assessment, *, by) -> None:
    if assessment.status not in (AssessmentStatus.awaiting_declaration,
                                 AssessmentStatus.conflicted):
        raise TransitionRefused("An assessor who has started scoring stays on the bid")
    record_audit("assessment.unassigned", assessment.eoi, user=by,
                 summary=f"Took {assessment.assessor.full_name} off {assessment.eoi.reference}")
    # Deleted before it leaves the bid's list: deleting loads its scores, and that query
    # would first flush the removal, an assessment without a bid.
    db.session.delete(assessment)
    assessment.eoi.assessments.remove(assessment)


def assign_even_spread(funding_round: FundingRound, *, by, now: datetime) -> int:
    """Fill every bid up to three assessors, spread evenly, skipping anyone the service
    can see has an interest. Returns how many assignments were made."""
    _require_scoring_open(funding_round)
    eois = submitted_eois(funding_round)
    people = [m.user for m in panel_of(funding_round)]
    by_id = {p.id: p for p in people}
    conflicts = {e.id: {p.id for p in people if system_conflict(e, p)} for e in eois}
    existing = {e.id: {a.assessor_id for a in e.assessments} for e in eois}
    suggestion = suggest_assignments([e.id for e in eois], [p.id for p in people],
                                     conflicts, existing, per_bid=ASSESSORS_PER_BID)
    made = 0
    for eoi in eois:
        for person_id in suggestion[eoi.id]:
            assign(eoi, by_id[person_id], by=by, now=now)
            made += 1
    return made


# Declaring and scoring -------------------------------------------------------------------------

def declare(assessment: Assessment, *, has_interest: bool, details: str, by,
            now: datetime) -> Assessment:
    if not assessment.can_declare(by):
        raise TransitionRefused("This declaration cannot be made now")
    details = details.strip()
    if has_interest and not details:
        raise FieldRefusal("details", "Describe the interest")
    new = AssessmentStatus.conflicted if has_interest else AssessmentStatus.in_progress
    assessment.has_interest = has_interest
    assessment.interest_details, assessment.declared_at = details, now
    ASSESSMENT.move(assessment, new, by=by, action="assessment.declared",
                    subject=assessment.eoi,
                    summary=f"{by.full_name} declared "
                    + (f"an interest in {assessment.eoi.reference}: {details}" if has_interest
                       else f"no interest in {assessment.eoi.reference}"))
    return assessment


def rubric_of(funding_round: FundingRound) -> Rubric:
    return Rubric(tuple(CriterionSpec(c.id, c.title, c.weight, c.position)
                        for c in funding_round.criteria))


def save_scores(assessment: Assessment, entries: dict[int, tuple[int | None, str]], *,
                submit: bool, by, now: datetime, expected_version: int | None) -> Assessment:
    """`entries` is {criterion id: (score or None, comment)}. A draft may be partial; a
    submission must be complete, with a comment wherever the scale asks for one."""
    if not assessment.can_score(by):
        raise TransitionRefused("These scores cannot be changed now")
    check_version(assessment, expected_version)
    criteria = {c.id: c for c in assessment.eoi.funding_round.criteria}
    if submit:
        problems = check_scoresheet(
            rubric_of(assessment.eoi.funding_round),
            {cid: score for cid, (score, _c) in entries.items() if score is not None},
            {cid: comment for cid, (_s, comment) in entries.items()})
        if problems:
            raise ScoresIncomplete(problems)
    before, after = {}, {}
    for criterion_id, (value, comment) in entries.items():
        if criterion_id not in criteria:
            continue
        score = assessment.score_for(criterion_id)
        if score is None:
            score = Score(criterion_id=criterion_id)
            assessment.scores.append(score)
        title = criteria[criterion_id].title
        before[title] = [score.score, score.comment or ""]
        score.score, score.comment = value, comment.strip()
        after[title] = [value, score.comment]
    assessment.updated_at = now
    changes = changes_between(before, after)
    if submit:
        assessment.submitted_at = now
        ASSESSMENT.move(assessment, AssessmentStatus.submitted, by=by,
                        action="assessment.submitted", subject=assessment.eoi,
                        summary=f"{by.full_name} submitted scores for {assessment.eoi.reference}",
                        changes=changes)
        if _every_score_in(assessment.eoi.funding_round):
            tell.scores_in(assessment.eoi.funding_round)
    elif changes:
        record_audit("assessment.saved", assessment.eoi, user=by,
                     summary=f"{by.full_name} saved draft scores for {assessment.eoi.reference}",
                     changes=changes)
    return assessment


# The panel's view: summaries, moderation, ranking ---------------------------------------------

# Assessments whose scores are not in yet.
STILL_SCORING = (AssessmentStatus.awaiting_declaration, AssessmentStatus.in_progress)


def submitted_sheets(eoi: Eoi) -> dict[str, dict[int, int]]:
    return {a.assessor.full_name: {s.criterion_id: s.score for s in a.scores
                                   if s.score is not None}
            for a in eoi.assessments if a.status is AssessmentStatus.submitted}


def moderated_scores(eoi: Eoi) -> dict[int, ModeratedScore]:
    return {m.criterion_id: m for m in db.session.scalars(
        select(ModeratedScore).where(ModeratedScore.eoi_id == eoi.id))}


def summary_of(eoi: Eoi) -> BidSummary | None:
    """The panel's scores for one bid brought together, or None before any are in."""
    sheets = submitted_sheets(eoi)
    if not sheets:
        return None
    moderated = {cid: m.score for cid, m in moderated_scores(eoi).items()}
    return summarise(rubric_of(eoi.funding_round), sheets, moderated)


# An assessor's scores of one bid, by criterion id.
Sheet = dict[int, int]


@dataclass
class RoundBids:
    """The submitted bids of some rounds with all that ranking them reads: the submitted
    scores, who is still scoring, the chair's moderated scores, MOPAC requests and
    decisions. Loaded by `round_bids` in a fixed number of statements however many bids
    there are, scores as plain rows rather than records, so that a ranking, its problems
    and the EOI download cost the same for 5 bids or 5,000."""

    eois: list[Eoi]
    rubrics: dict[int, Rubric]
    moderated: dict[int, dict[int, int]]
    requests: dict[int, int]
    sheets: dict[int, dict[str, Sheet]]  # per EOI id, submitted_sheets(eoi)
    scoring: dict[int, list[str]]  # per EOI id, the assessors yet to submit, by name
    _summaries: dict[int, BidSummary | None] = field(default_factory=dict)

    def of(self, funding_round: FundingRound) -> list[Eoi]:
        return [e for e in self.eois if e.round_id == funding_round.id]

    def summary(self, eoi: Eoi) -> BidSummary | None:
        """`summary_of(eoi)`, from what was loaded, worked out once however often asked."""
        if eoi.id not in self._summaries:
            sheets = self.sheets.get(eoi.id)
            self._summaries[eoi.id] = summarise(
                self.rubrics[eoi.round_id], sheets,
                self.moderated.get(eoi.id, {})) if sheets else None
        return self._summaries[eoi.id]


def round_bids(funding_rounds: list[FundingRound]) -> RoundBids:
    ids = [r.id for r in funding_rounds]
    bids = select(Eoi.id).where(Eoi.round_id.in_(ids), Eoi.status == EoiStatus.submitted)
    eois = list(db.session.scalars(
        select(Eoi).where(Eoi.id.in_(bids)).order_by(Eoi.reference)
        .options(joinedload(Eoi.consortium), joinedload(Eoi.decision))))
    criteria: dict[int, list[CriterionSpec]] = {i: [] for i in ids}
    for c in db.session.scalars(select(Criterion).where(Criterion.round_id.in_(ids))
                                .order_by(Criterion.position, Criterion.id)):
        criteria[c.round_id].append(CriterionSpec(c.id, c.title, c.weight, c.position))
    sheets: dict[int, dict[str, Sheet]] = {}
    scoring: dict[int, list[str]] = {}
    sheet: Sheet = {}
    last = None
    for assessment_id, eoi_id, assessor, status, criterion_id, score in db.session.execute(
            select(Assessment.id, Assessment.eoi_id, User.full_name, Assessment.status,
                   Score.criterion_id, Score.score)
            .join(User, User.id == Assessment.assessor_id)
            .outerjoin(Score, Score.assessment_id == Assessment.id)
            .where(Assessment.eoi_id.in_(bids)).order_by(Assessment.id, Score.id)):
        first_row = assessment_id != last  # of this assessment: a row per score follows
        last = assessment_id
        if status is AssessmentStatus.submitted:
            if first_row:  # as submitted_sheets: a later sheet of the same name wins
                sheet = {}
                sheets.setdefault(eoi_id, {})[assessor] = sheet
            if score is not None:
                sheet[criterion_id] = score
        elif status in STILL_SCORING and first_row:
            scoring.setdefault(eoi_id, []).append(assessor)
    moderated: dict[int, dict[int, int]] = {}
    for eoi_id, criterion_id, score in db.session.execute(
            select(ModeratedScore.eoi_id, ModeratedScore.criterion_id, ModeratedScore.score)
            .join(Eoi).where(Eoi.round_id.in_(ids))):
        moderated.setdefault(eoi_id, {})[criterion_id] = score
    return RoundBids(eois, {i: Rubric(tuple(specs)) for i, specs in criteria.items()},
                     moderated, mopac_requests(bids), sheets, scoring)


def moderate(eoi: Eoi, criterion_id: int, *, score: int, rationale: str, by,
             expected_version: int | None = None) -> ModeratedScore:
    if not by.is_fund_manager:
        raise TransitionRefused("Only the chair moderates")
    if eoi.funding_round.status not in (RoundStatus.closed, RoundStatus.assessed):
        raise TransitionRefused("Scores can no longer be moderated: decisions are published")
    if not submitted_sheets(eoi):
        raise TransitionRefused("There are no submitted scores to moderate yet")
    criterion = next((c for c in eoi.funding_round.criteria if c.id == criterion_id), None)
    if criterion is None:
        raise FieldRefusal("criterion_id", "Choose one of the round's criteria")
    if not rationale.strip():
        raise FieldRefusal("rationale", "Enter the reason for the moderated score")
    existing = moderated_scores(eoi).get(criterion_id)
    if existing is not None:
        check_version(existing, expected_version)
    before = [existing.score, existing.rationale] if existing else [None, None]
    if existing is None:
        existing = ModeratedScore(eoi=eoi, criterion_id=criterion_id)
        db.session.add(existing)
    existing.score, existing.rationale = score, rationale.strip()
    existing.moderated_by_id = by.id
    record_audit("assessment.moderated", eoi, user=by,
                 summary=f"Moderated {criterion.title} of {eoi.reference} to {score}: "
                 f"{rationale.strip()}",
                 changes={criterion.title: [before, [score, rationale.strip()]]})
    return existing


@dataclass(frozen=True)
class RankingRow:
    eoi: Eoi
    summary: BidSummary
    ranked: RankedBid
    mopac_request_pence: int


def ranking(funding_round: FundingRound, loaded: RoundBids | None = None) -> list[RankingRow]:
    """The round's scored bids in rank order, by eoi.scoring's rules."""
    loaded = loaded or round_bids([funding_round])
    heaviest = loaded.rubrics[funding_round.id].heaviest().key
    bids: list[Bid] = []
    by_reference: dict[Hashable, tuple[Eoi, BidSummary, int]] = {}
    for eoi in loaded.of(funding_round):
        summary = loaded.summary(eoi)
        if summary is None:
            continue
        request = loaded.requests.get(eoi.id, 0)
        assert eoi.submitted_at is not None  # set on every submission
        bids.append(Bid(eoi.reference, summary.score, summary.for_criterion(heaviest).agreed,
                        request, eoi.submitted_at))
        by_reference[eoi.reference] = (eoi, summary, request)
    rows = []
    for ranked in rank(bids):
        eoi, summary, request = by_reference[ranked.bid.key]
        rows.append(RankingRow(eoi, summary, ranked, request))
    return rows


def allocation(rows: list[RankingRow], envelope_pence: int, threshold: Fraction =
               DEFAULT_THRESHOLD, partial_awards: bool = False) -> Allocation:
    return allocate([row.ranked for row in rows], envelope_pence, threshold, partial_awards)


@dataclass(frozen=True)
class CriterionFeedback:
    title: str
    weight: int
    agreed: Fraction
    comments: list[str]


def feedback_for(eoi: Eoi) -> list[CriterionFeedback]:
    """What the consortium is told per criterion: the agreed score and the panel's comments,
    never who wrote them, in an order that does not follow the assessors."""
    summary = summary_of(eoi)
    if summary is None:
        return []
    comments: dict[int | str, list[str]] = {}
    for assessment in eoi.assessments:
        if assessment.status is AssessmentStatus.submitted:
            for score in assessment.scores:
                if score.comment:
                    comments.setdefault(score.criterion_id, []).append(score.comment)
    return [CriterionFeedback(c.criterion.title, c.criterion.weight, c.agreed,
                              sorted(comments.get(c.criterion.key, [])))
            for c in summary.criteria]


class Problem(str):
    """Why a round cannot move on, in words, naming the bids to put right: each of `bids`
    (reference, EOI id) is a link to `endpoint`, the page where that is done. Equal to its
    words, which is all a refusal or the command line shows."""

    before: str
    bids: tuple[tuple[str, int], ...]
    after: str
    endpoint: str

    def __new__(cls, before: str, bids: Sequence[Eoi] = (), after: str = "",
                endpoint: str = "") -> "Problem":
        named = tuple((e.reference or str(e), e.id) for e in bids)
        problem = super().__new__(cls, before + ", ".join(r for r, _ in named) + after)
        problem.before, problem.bids, problem.after = before, named, after
        problem.endpoint = endpoint
        return problem


def scoring_problems(funding_round: FundingRound, loaded: RoundBids | None = None
                     ) -> list[Problem]:
    """Why the round cannot yet be marked assessed, each bid linked to its assessors."""
    problems = []
    loaded = loaded or round_bids([funding_round])
    eois = loaded.of(funding_round)
    if not eois:
        problems.append(Problem("No expressions of interest were submitted"))
    for eoi in eois:
        waiting = loaded.scoring.get(eoi.id)
        if waiting:
            problems.append(Problem("", [eoi], f" is still with {', '.join(waiting)}",
                                    "assessment.assign"))
        elif not loaded.sheets.get(eoi.id):
            problems.append(Problem("", [eoi], " has no submitted scores",
                                    "assessment.assign"))
    return problems


# Decisions ----------------------------------------------------------------------------------------

def record_decision(eoi: Eoi, *, outcome: DecisionOutcome, amount_pence: int, conditions: str,
                    feedback: str, by, expected_version: int | None = None) -> Decision:
    if not by.is_fund_manager:
        raise TransitionRefused("Only a fund manager records decisions")
    funding_round = eoi.funding_round
    if funding_round.status is not RoundStatus.assessed:
        raise TransitionRefused("Decisions are recorded once the round is assessed, and "
                                "before they are published")
    if eoi.status is not EoiStatus.submitted:
        raise TransitionRefused("Only submitted expressions of interest get a decision")
    funded = outcome in (DecisionOutcome.fund, DecisionOutcome.fund_with_conditions)
    request = budget_reconciliation(eoi).mopac_request
    if funded and amount_pence <= 0:
        raise FieldRefusal("amount", "Enter the amount awarded")
    if not funded:
        amount_pence = 0
    if amount_pence > request:
        raise FieldRefusal("amount", f"The award cannot be more than the MOPAC request of "
                           f"{format_pence(request)}")
    others = sum(d.amount_awarded_pence for d in _decisions(funding_round) if d.eoi_id != eoi.id)
    if others + amount_pence > funding_round.envelope_pence:
        raise FieldRefusal("amount", "Awards would come to "
                           f"{format_pence(others + amount_pence)}, more than the envelope of "
                           f"{format_pence(funding_round.envelope_pence)}")
    if outcome is DecisionOutcome.fund_with_conditions and not conditions.strip():
        raise FieldRefusal("conditions", "Enter the conditions of the award")
    decision = eoi.decision
    if decision is not None:
        check_version(decision, expected_version)
    fields = {"outcome": outcome.value, "amount_awarded_pence": amount_pence,
              "conditions": conditions.strip(), "feedback": feedback.strip()}
    before = ({} if decision is None else {
        "outcome": decision.outcome.value, "amount_awarded_pence": decision.amount_awarded_pence,
        "conditions": decision.conditions, "feedback": decision.feedback})
    if decision is None:
        decision = Decision(eoi=eoi)
        db.session.add(decision)
    decision.outcome, decision.amount_awarded_pence = outcome, amount_pence
    decision.conditions, decision.feedback = fields["conditions"], fields["feedback"]
    decision.decided_by_id = by.id
    record_audit("decision.recorded", eoi, user=by,
                 summary=f"Decided {eoi.reference}: {outcome.title}"
                 + (f", {format_pence(amount_pence)}" if amount_pence else ""),
                 changes=changes_between(before, fields))
    return decision


def _decisions(funding_round: FundingRound) -> list[Decision]:
    return list(db.session.scalars(select(Decision).join(Eoi).where(
        Eoi.round_id == funding_round.id)))


def publishing_problems(funding_round: FundingRound, loaded: RoundBids | None = None
                        ) -> list[Problem]:
    """Why the round's decisions cannot be published yet: a bid without a decision, or a
    disagreement the chair has not moderated in the open; each bid linked to where it is
    put right."""
    loaded = loaded or round_bids([funding_round])
    eois = loaded.of(funding_round)
    problems = []
    unmoderated = [e for e in eois
                   if (summary := loaded.summary(e)) is not None and summary.needs_moderation]
    if unmoderated:
        problems.append(Problem("Moderate the disagreements on ", unmoderated, "",
                                "assessment.moderation"))
    undecided = [e for e in eois if e.decision is None]
    if undecided:
        problems.append(Problem("Record a decision for ", undecided, "", "assessment.decision"))
    return problems

