"""The panel's pages: the fund manager's panel, assignments, moderation, ranking and
decisions; each assessor's declaration and scores; the panel pack and decision letters."""

from fractions import Fraction
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eoi import clock
from eoi.accounts.models import Role, User, UserRole
from eoi.assessment import operations
from eoi.assessment.models import Assessment, AssessmentStatus, PanelMember
from eoi.documents import views as documents
from eoi.documents.kinds import PanelPack
from eoi.eois.models import Eoi, EoiStatus
from eoi.eois.operations import budget_reconciliation
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.assessment import (
    AssignForm,
    DecisionForm,
    DeclarationForm,
    ModerationForm,
    PanelMemberForm,
    scores_form,
)
from eoi.forms.fields import choices
from eoi.money import parse_pounds
from eoi.pagination import page_number, paginate
from eoi.pdf import pdf_response, render_pdf
from eoi.permissions import fund_manager_only, load_or_404, permission_required, require
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.scoring import DEFAULT_THRESHOLD, SCALE_TITLES, what_if
from eoi.writes import attempt, confirmed_action, explain, handle_form

assessment_bp = Blueprint("assessment", __name__, url_prefix="/assessment")



def _assessed_round(round_id: int) -> FundingRound:
    funding_round = load_or_404(FundingRound, round_id)
    require(funding_round.status in (RoundStatus.closed, RoundStatus.assessed,
                                      RoundStatus.decided))
    return funding_round


def _submitted_eoi(eoi_id: int) -> Eoi:
    eoi = load_or_404(Eoi, eoi_id)
    require(eoi.status is EoiStatus.submitted)
    return eoi


def _own_assessment(assessment_id: int) -> Assessment:
    assessment = load_or_404(Assessment, assessment_id)
    require(assessment.is_assessor(current_user))
    return assessment


@assessment_bp.get("")
@permission_required(lambda user: user.has_role(Role.panel_member, Role.fund_manager))
def index():
    mine = paginate(select(Assessment).where(Assessment.assessor_id == current_user.id)
                    .options(joinedload(Assessment.eoi).options(
                        joinedload(Eoi.consortium), joinedload(Eoi.funding_round)))
                    .order_by(Assessment.id), page_number(request.args))
    rounds = db.session.scalars(select(FundingRound).where(FundingRound.status.in_(
        [RoundStatus.closed, RoundStatus.assessed, RoundStatus.decided]))
        .order_by(FundingRound.closes_at.desc())).all() if current_user.is_fund_manager else []
    return render_template("assessment/index.html", title="Assessments", assessments=mine,
                           rounds=rounds, AssessmentStatus=AssessmentStatus)


# The panel and assignments (fund managers) --------------------------------------------------

@assessment_bp.route("/rounds/<int:round_id>/panel", methods=["GET", "POST"])
@fund_manager_only
def panel(round_id: int):
    funding_round = _assessed_round(round_id)
    members = operations.panel_of(funding_round)
    form = PanelMemberForm()
    candidates = db.session.scalars(
        select(User).join(UserRole).where(
            User.is_active.is_(True), UserRole.role == Role.panel_member,
            User.id.not_in(select(PanelMember.user_id).where(
                PanelMember.round_id == funding_round.id)))
        .options(joinedload(User.organisation)).order_by(User.full_name, User.id))
    form.user_id.choices = choices((u.id, f"{u.full_name}, {u.organisation.name}")
                                   for u in candidates)
    eois = paginate(
        select(Eoi).where(Eoi.round_id == funding_round.id,
                          Eoi.status == EoiStatus.submitted)
        .options(joinedload(Eoi.consortium), selectinload(Eoi.assessments)
                 .joinedload(Assessment.assessor))
        .order_by(Eoi.reference), page_number(request.args))
    return handle_form(
        form, lambda: operations.add_panel_member(
            funding_round, db.session.get(User, form.user_id.data), by=current_user),
        template="assessment/panel.html", success="Added to the panel.",
        next_url=lambda _: url_for("assessment.panel", round_id=funding_round.id),
        title=f"Panel: {funding_round.title}", funding_round=funding_round, members=members,
        eois=eois, confirm=ConfirmForm())


@assessment_bp.post("/panel-members/<int:member_id>/remove")
@fund_manager_only
def panel_remove(member_id: int):
    member = load_or_404(PanelMember, member_id)
    confirmed_action(lambda: operations.remove_panel_member(member, by=current_user),
                     "Taken off the panel.")
    return redirect(url_for("assessment.panel", round_id=member.round_id))


@assessment_bp.post("/rounds/<int:round_id>/spread")
@fund_manager_only
def spread(round_id: int):
    funding_round = _assessed_round(round_id)
    confirmed_action(
        lambda: operations.assign_even_spread(funding_round, by=current_user, now=clock.now()),
        lambda made: f"{made} assignments made." if made else "Every bid already has its "
        "assessors, or nobody without a conflict is left.")
    return redirect(url_for("assessment.panel", round_id=funding_round.id))


@assessment_bp.route("/eois/<int:eoi_id>/assign", methods=["GET", "POST"])
@fund_manager_only
def assign(eoi_id: int):
    eoi = _submitted_eoi(eoi_id)
    form = AssignForm()
    taken = {a.assessor_id for a in eoi.assessments}
    form.user_id.choices = choices(
        (m.user_id, m.user.full_name + (" (conflict of interest)"
                                        if operations.system_conflict(eoi, m.user) else ""))
        for m in operations.panel_of(eoi.funding_round) if m.user_id not in taken)
    return handle_form(
        form, lambda: operations.assign(eoi, db.session.get(User, form.user_id.data),
                                        by=current_user, now=clock.now()),
        template="assessment/assign.html", success="Assessor assigned.",
        next_url=lambda _: url_for("assessment.panel", round_id=eoi.round_id),
        title=f"Assign an assessor to {eoi.reference}", eoi=eoi)


@assessment_bp.post("/assessments/<int:assessment_id>/unassign")
@fund_manager_only
def unassign(assessment_id: int):
    assessment = load_or_404(Assessment, assessment_id)
    round_id = assessment.eoi.round_id
    confirmed_action(lambda: operations.unassign(assessment, by=current_user),
                     "Assessor taken off the bid.")
    return redirect(url_for("assessment.panel", round_id=round_id))


# The assessor's own work -----------------------------------------------------------------------

@assessment_bp.route("/assessments/<int:assessment_id>/declaration", methods=["GET", "POST"])
@login_required
def declare(assessment_id: int):
    assessment = _own_assessment(assessment_id)
    if not assessment.can_declare(current_user):
        return redirect(url_for("assessment.score", assessment_id=assessment.id))
    form = DeclarationForm()
    return handle_form(
        form, lambda: operations.declare(
            assessment, has_interest=form.has_interest.data == "yes",
            details=form.details.data or "", by=current_user, now=clock.now()),
        template="assessment/declare.html", success="Declaration recorded.",
        next_url=lambda a: url_for("assessment.score", assessment_id=a.id),
        title=f"Declare any interest in {assessment.eoi.reference}", assessment=assessment)


@assessment_bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
@login_required
def score(assessment_id: int):
    assessment = _own_assessment(assessment_id)
    if assessment.status is AssessmentStatus.awaiting_declaration:
        return redirect(url_for("assessment.declare", assessment_id=assessment.id))
    eoi = assessment.eoi
    criteria = eoi.funding_round.criteria
    form = scores_form(criteria, formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.fill(assessment)
        form.version.data = assessment.version
    else:
        require(assessment.can_score(current_user))
    if request.method == "POST" and form.validate():
        submit = bool(form.submit.data)
        outcome = attempt(lambda: operations.save_scores(
            assessment, form.entries(), submit=submit, by=current_user, now=clock.now(),
            expected_version=form.version.data))
        if outcome.ok:
            flash("Scores submitted. You can now see the panel's scores for this bid."
                  if submit else "Draft scores saved.", "success")
            return redirect(url_for("assessment.score", assessment_id=assessment.id))
        if outcome.conflict:
            flash("You saved these scores in another window since this page was opened. "
                  "Here they are as saved now.", "important")
            return redirect(url_for("assessment.score", assessment_id=assessment.id))
        if isinstance(outcome.refusal, operations.ScoresIncomplete):
            for criterion_id, message in outcome.refusal.problems.items():
                # eoi.scoring words a missing comment "Explain a score of…"; the rest are
                # about the score itself.
                field = (f"comment_{criterion_id}" if message.startswith("Explain")
                         else f"score_{criterion_id}")
                getattr(form, field).errors.append(message)
        else:
            explain(outcome, form)
    return render_template(
        "assessment/score.html", title=f"Assess {eoi.reference}", assessment=assessment,
        eoi=eoi, form=form, AssessmentStatus=AssessmentStatus, SCALE_TITLES=SCALE_TITLES,
        summary=operations.summary_of(eoi) if assessment.can_see_panel_scores(current_user)
        else None)


# Moderation, ranking and decisions (the chair) ------------------------------------------------

@assessment_bp.route("/eois/<int:eoi_id>/moderation", methods=["GET", "POST"])
@fund_manager_only
def moderation(eoi_id: int):
    eoi = _submitted_eoi(eoi_id)
    form = ModerationForm()
    form.criterion_id.choices = choices((c.id, c.title) for c in eoi.funding_round.criteria)
    return handle_form(
        form, lambda: operations.moderate(eoi, form.criterion_id.data,
                                          score=int(form.score.data),
                                          rationale=form.rationale.data, by=current_user),
        template="assessment/moderation.html", success="Moderated score recorded.",
        next_url=lambda _: url_for("assessment.moderation", eoi_id=eoi.id),
        title=f"Moderate {eoi.reference}", eoi=eoi, summary=operations.summary_of(eoi),
        moderated=operations.moderated_scores(eoi),
        sheets=operations.submitted_sheets(eoi))


def _what_if_parameters() -> tuple[dict, dict]:
    """The what-if's envelope, threshold and partial awards from the query string, with a
    message beside each field that was not understood."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"envelope": None, "threshold": None, "partial": None}
    raw_envelope = request.args.get("envelope", "").strip()
    if raw_envelope:
        try:
            values["envelope"] = parse_pounds(raw_envelope)
        except ValueError:
            errors["envelope"] = "Envelope must be a number of pounds, like 1,500,000"
    raw_threshold = request.args.get("threshold", "").strip()
    if raw_threshold:
        try:
            values["threshold"] = Fraction(raw_threshold)
            if not 0 <= values["threshold"] <= 100:
                raise ValueError
        except (ValueError, ZeroDivisionError):
            values["threshold"] = None
            errors["threshold"] = "Quality threshold must be a number from 0 to 100, like 55"
    if "envelope" in request.args:  # the what-if form was sent: its checkbox counts
        values["partial"] = request.args.get("partial") == "yes"
    return values, errors


@assessment_bp.get("/rounds/<int:round_id>/ranking")
@fund_manager_only
def ranking(round_id: int):
    funding_round = _assessed_round(round_id)
    loaded = operations.round_bids([funding_round])
    rows = operations.ranking(funding_round, loaded)
    base = operations.allocation(rows, funding_round.envelope_pence)
    values, errors = _what_if_parameters()
    alternative = changes = None
    if not errors and any(v is not None for v in values.values()):
        alternative, changes = what_if([r.ranked for r in rows], base, values["envelope"],
                                       values["threshold"], values["partial"])
    return render_template(
        "assessment/ranking.html", title=f"Ranking: {funding_round.title}",
        funding_round=funding_round, rows=rows, base=base, alternative=alternative,
        changes=changes, values=values, errors=errors, raw=request.args,
        threshold=DEFAULT_THRESHOLD, confirm=ConfirmForm(),
        scoring_problems=operations.scoring_problems(funding_round, loaded)
        if funding_round.status is RoundStatus.closed else [],
        publishing_problems=operations.publishing_problems(funding_round, loaded)
        if funding_round.status is RoundStatus.assessed else [])


@assessment_bp.route("/eois/<int:eoi_id>/decision", methods=["GET", "POST"])
@fund_manager_only
def decision(eoi_id: int):
    eoi = _submitted_eoi(eoi_id)
    existing = eoi.decision
    form = DecisionForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET" and existing:
        form.outcome.data = existing.outcome.value
        form.amount.data = existing.amount_awarded_pence or None
        form.version.data = existing.version
    return handle_form(
        form, lambda: operations.record_decision(eoi, **form.values(), by=current_user,
                                                 expected_version=form.version.data),
        template="assessment/decision.html", success=f"Decision on {eoi.reference} saved.",
        next_url=lambda _: url_for("assessment.ranking", round_id=eoi.round_id,
                                   _anchor="ranking"),
        record=existing, conflict_fields=["outcome", "amount_awarded_pence", "conditions"],
        title=f"Decision on {eoi.reference}", eoi=eoi, summary=operations.summary_of(eoi),
        request_pence=budget_reconciliation(eoi).mopac_request)


# Documents ---------------------------------------------------------------------------------

@assessment_bp.get("/rounds/<int:round_id>/panel-pack.pdf")
@fund_manager_only
def panel_pack(round_id: int):
    # Hundreds of pages for a national round: prepared by the scheduler, not in the request.
    return documents.serve(PanelPack(_assessed_round(round_id)))


@assessment_bp.get("/eois/<int:eoi_id>/decision-letter.pdf")
@login_required
def decision_letter(eoi_id: int):
    eoi = load_or_404(Eoi, eoi_id)
    require(eoi.can_see_decision(current_user))
    content = render_pdf(
        "assessment/decision_letter.pdf.html", title=f"Decision on {eoi.reference}",
        eoi=eoi, decision=eoi.decision, summary=operations.summary_of(eoi),
        feedback=operations.feedback_for(eoi), printed_at=clock.now(),
        running_head=f"{eoi.reference} · decision")
    return pdf_response(content, f"{eoi.reference}-decision.pdf")

