"""Grant pages: the list, making a grant from a decision, its offer and the lead's
acceptance, its conditions, each grant with its timeline and status, its agreement PDF,
milestones with their evidence, and payments."""

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from eoi import clock
from eoi.assessment.models import Decision
from eoi.eois import attachments
from eoi.eois.uploads import MAX_BYTES
from eoi.exports import download
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.base import filled
from eoi.forms.fields import choices
from eoi.forms.grants import (
    AcceptOfferForm,
    ConditionEvidenceForm,
    ConditionForm,
    EvidenceFileForm,
    GrantForm,
    GrantStateForm,
    MilestoneForm,
    OfferQuestionForm,
    PaymentForm,
    SendEvidenceForm,
)
from eoi.forms.returns import ReviewForm
from eoi.grants import lists, monitoring, operations
from eoi.grants.models import (
    Grant,
    GrantCondition,
    GrantState,
    Milestone,
    MilestoneEvidence,
    Payment,
    PaymentStatus,
)
from eoi.grants.status import explain_rules
from eoi.grants.timeline import timeline_of
from eoi.pagination import page_number
from eoi.pdf import pdf_response, render_pdf
from eoi.permissions import fund_manager_only, load_or_404, require
from eoi.reports.published import published_achievements
from eoi.writes import attempt, confirmed_action, explain, handle_form, handle_upload

grants_bp = Blueprint("grants", __name__, url_prefix="/grants")



def _grant(grant_id: int) -> Grant:
    grant = load_or_404(Grant, grant_id)
    require(grant.can_view(current_user))
    return grant


def _grant_for_page(grant_id: int) -> Grant:
    """The grant with everything its page shows, in a few statements however long it runs."""
    grant = db.session.scalar(select(Grant).where(Grant.id == grant_id)
                              .options(*lists.grant_page_loads()))
    if grant is None:
        abort(404)
    require(grant.can_view(current_user))
    return grant


@grants_bp.get("")
@login_required
def index():
    chosen = lists.grant_list(current_user, request.args, clock.today())
    page = chosen.page(page_number(request.args))
    awaiting = (operations.decisions_awaiting_grants()
                if current_user.is_fund_manager else [])
    return render_template("grants/index.html", title="Grants", chosen=chosen, page=page,
                           statuses=chosen.statuses(page.rows), awaiting=awaiting)


@grants_bp.get("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """The grants as on screen, with the filters chosen there."""
    chosen = lists.grant_list(current_user, request.args, clock.today())
    return download(chosen.listing(), fmt, "grants", clock.now())


@grants_bp.get("/payments")
@login_required
def payments():
    chosen = lists.payment_list(current_user, request.args)
    return render_template("grants/payments.html", title="Payments", chosen=chosen,
                           page=chosen.page(page_number(request.args)))


@grants_bp.get("/payments/export.<any(csv, xlsx):fmt>")
@login_required
def payments_export(fmt: str):
    chosen = lists.payment_list(current_user, request.args)
    return download(chosen.listing(), fmt, "payments", clock.now())


@grants_bp.route("/from-decision/<int:decision_id>", methods=["GET", "POST"])
@fund_manager_only
def new(decision_id: int):
    decision = load_or_404(Decision, decision_id)
    require(decision in operations.decisions_awaiting_grants())
    form = GrantForm()
    if request.method == "GET":
        form.starts_on.data = date(decision.eoi.funding_round.first_financial_year, 4, 1)
    return handle_form(
        form, lambda: operations.create_grant(decision, by=current_user,
                                              starts_on=form.starts_on.data,
                                              return_days_after_end=form.return_days.data),
        template="grants/new.html", success="Grant made.",
        next_url=lambda grant: url_for("grants.show", grant_id=grant.id),
        title=f"Make a grant from {decision.eoi.reference}", decision=decision)


@grants_bp.get("/<int:grant_id>")
@login_required
def show(grant_id: int):
    grant = _grant_for_page(grant_id)
    today = clock.today()
    progress = monitoring.indicator_progress(grant)
    return render_template(
        "grants/show.html", title=f"{grant.reference}: {grant.title}", grant=grant,
        today=today, status=monitoring.status_of(grant, today), progress=progress,
        # Counts of young people as entered for MOPAC and the partners; as published
        # (accepted returns, protected) for commissioners.
        achieved=None if grant.can_manage(current_user) or grant.enters_returns(current_user)
        else published_achievements(grant.reference, progress),
        spend=monitoring.spend_to_date(grant), timeline=timeline_of(grant, today),
        rules=explain_rules(), confirm=ConfirmForm(),
        approval_problems={p.id: operations.approval_problem(p) for p in grant.payments
                           if p.status is PaymentStatus.scheduled})


@grants_bp.get("/<int:grant_id>/agreement.pdf")
@login_required
def agreement(grant_id: int):
    grant = _grant(grant_id)
    content = render_pdf(
        "grants/agreement.pdf.html", title=f"Grant agreement {grant.reference}", grant=grant,
        printed_at=clock.now(), running_head=f"{grant.reference} · grant agreement")
    return pdf_response(content, f"{grant.reference}-agreement.pdf")


@grants_bp.route("/<int:grant_id>/state", methods=["GET", "POST"])
@fund_manager_only
def state(grant_id: int):
    grant = _grant(grant_id)
    allowed = operations.manager_moves(grant)
    require(bool(allowed))
    form = GrantStateForm(allowed=allowed)
    return handle_form(
        form, lambda: operations.change_grant_state(grant, GrantState(form.state.data),
                                                    reason=form.reason.data, by=current_user),
        template="grants/state.html", success="Grant state changed.",
        next_url=lambda _: url_for("grants.show", grant_id=grant.id),
        title=f"Change the state of {grant.reference}", grant=grant)


# The offer -------------------------------------------------------------------------------

def _offer_page(grant: Grant, **forms):
    forms.setdefault("accept_form", AcceptOfferForm(formdata=None, version=grant.version))
    forms.setdefault("question_form", OfferQuestionForm(formdata=None))
    return render_template("grants/offer.html", title=f"The offer of {grant.reference}",
                           grant=grant, **forms)


@grants_bp.get("/<int:grant_id>/offer")
@login_required
def offer(grant_id: int):
    return _offer_page(_grant(grant_id))


@grants_bp.post("/<int:grant_id>/offer/accept")
@login_required
def offer_accept(grant_id: int):
    grant = _grant(grant_id)
    require(grant.can_answer_offer(current_user))
    form = AcceptOfferForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.accept_offer(
            grant, name=form.name.data, role=form.role.data, by=current_user,
            now=clock.now(), expected_version=form.version.data))
        if outcome.ok:
            flash("Offer accepted. The grant is now active.", "success")
            return redirect(url_for("grants.show", grant_id=grant.id))
        if outcome.conflict:
            # The offer changed since it was opened: show it as it is now, to be read again.
            flash("MOPAC changed this offer after you opened it. Nothing has been accepted: "
                  "read the offer as it is now, then accept it.", "important")
            form.version.data = grant.version
            return _offer_page(grant, accept_form=form)
        explain(outcome, form)
    return _offer_page(grant, accept_form=form, error_form=form)


@grants_bp.post("/<int:grant_id>/offer/question")
@login_required
def offer_question(grant_id: int):
    grant = _grant(grant_id)
    require(grant.can_answer_offer(current_user))
    form = OfferQuestionForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.ask_about_offer(
            grant, question=form.question.data, by=current_user))
        if outcome.ok:
            flash("Your question is sent to MOPAC's fund managers.", "success")
            return redirect(url_for("grants.offer", grant_id=grant.id))
        explain(outcome, form)
    return _offer_page(grant, question_form=form, error_form=form)


# Conditions ------------------------------------------------------------------------------

@grants_bp.route("/<int:grant_id>/conditions/new", methods=["GET", "POST"])
@fund_manager_only
def condition_new(grant_id: int):
    grant = _grant(grant_id)
    form = ConditionForm()
    return handle_form(
        form, lambda: operations.add_condition(
            grant, condition=form.condition.data, evidence_required=form.evidence_required.data
            or "", blocks_payments=form.blocks_payments.data == "yes", by=current_user),
        template="grants/condition_new.html", success="Condition added.",
        next_url=lambda _: url_for("grants.show", grant_id=grant.id, _anchor="conditions"),
        title=f"Add a condition to {grant.reference}", grant=grant)


def _condition(condition_id: int) -> GrantCondition:
    condition = load_or_404(GrantCondition, condition_id)
    require(condition.can_view(current_user))
    return condition


def _condition_page(condition: GrantCondition, **forms):
    forms.setdefault("send_form", ConditionEvidenceForm(formdata=None))
    forms.setdefault("review_form", ReviewForm(formdata=None, version=condition.version))
    return render_template("grants/condition.html", title="Condition of "
                           f"{condition.grant.reference}", condition=condition,
                           grant=condition.grant, **forms)


@grants_bp.get("/conditions/<int:condition_id>")
@login_required
def condition(condition_id: int):
    return _condition_page(_condition(condition_id))


@grants_bp.post("/conditions/<int:condition_id>/send")
@login_required
def condition_send(condition_id: int):
    condition = _condition(condition_id)
    require(condition.can_send_evidence(current_user))
    form = ConditionEvidenceForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.send_condition_evidence(
            condition, notes=form.notes.data or "", by=current_user, now=clock.now()))
        if outcome.ok:
            flash("Evidence sent to MOPAC.", "success")
            return redirect(url_for("grants.condition", condition_id=condition.id))
        explain(outcome, form)
    return _condition_page(condition, send_form=form, error_form=form)


@grants_bp.post("/conditions/<int:condition_id>/review")
@fund_manager_only
def condition_review(condition_id: int):
    condition = _condition(condition_id)
    require(condition.can_review(current_user))
    form = ReviewForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.review_condition(
            condition, accept=form.outcome.data == "accept", comments=form.comments.data or "",
            by=current_user, now=clock.now(), expected_version=form.version.data))
        if outcome.ok:
            flash("Condition accepted as met." if condition.is_met
                  else "Condition sent back.", "success")
            return redirect(url_for("grants.show", grant_id=condition.grant_id,
                                    _anchor="conditions"))
        explain(outcome, form)
    return _condition_page(condition, review_form=form, error_form=form)


# Milestones ------------------------------------------------------------------------------

@grants_bp.route("/<int:grant_id>/milestones/new", methods=["GET", "POST"])
@fund_manager_only
def milestone_new(grant_id: int):
    grant = _grant(grant_id)
    form = MilestoneForm()
    return handle_form(
        form, lambda: operations.add_milestone(
            grant, title=form.title.data, evidence_required=form.evidence_required.data,
            due_on=filled(form.due_on.data), by=current_user),
        template="grants/milestone_new.html", success="Milestone added.",
        next_url=lambda _: url_for("grants.show", grant_id=grant.id, _anchor="milestones"),
        title=f"Add a milestone to {grant.reference}", grant=grant)


def _milestone(milestone_id: int) -> Milestone:
    milestone = load_or_404(Milestone, milestone_id)
    require(milestone.grant.can_view(current_user))
    return milestone


def _milestone_page(milestone: Milestone, **forms):
    forms.setdefault("file_form", EvidenceFileForm(formdata=None))
    forms.setdefault("send_form", SendEvidenceForm(formdata=None))
    forms.setdefault("review_form", ReviewForm(formdata=None))
    return render_template("grants/milestone.html", title=milestone.title,
                           milestone=milestone, grant=milestone.grant, confirm=ConfirmForm(),
                           today=clock.today(), **forms)


@grants_bp.get("/milestones/<int:milestone_id>")
@login_required
def milestone(milestone_id: int):
    return _milestone_page(_milestone(milestone_id))


@grants_bp.post("/milestones/<int:milestone_id>/evidence")
@login_required
def evidence_add(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(milestone.can_send_evidence(current_user))
    form = EvidenceFileForm()
    evidence = handle_upload(form, lambda name, content: operations.attach_evidence(
        milestone, name, content, by=current_user), max_bytes=MAX_BYTES)
    if evidence is not None:
        flash(f"{evidence.filename} is added.", "success")
        return redirect(url_for("grants.milestone", milestone_id=milestone.id))
    return _milestone_page(milestone, file_form=form, error_form=form)


@grants_bp.get("/milestones/<int:milestone_id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(milestone_id: int, evidence_id: int):
    milestone = _milestone(milestone_id)
    evidence = load_or_404(MilestoneEvidence, evidence_id)
    require(evidence.milestone_id == milestone.id)
    return attachments.download(evidence.stored_name, media_type=evidence.media_type,
                                filename=evidence.filename)


@grants_bp.post("/milestones/<int:milestone_id>/send")
@login_required
def evidence_send(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(milestone.can_send_evidence(current_user))
    form = SendEvidenceForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.send_evidence(
            milestone, notes=form.notes.data or "", by=current_user, now=clock.now()))
        if outcome.ok:
            flash("Evidence sent to MOPAC.", "success")
            return redirect(url_for("grants.milestone", milestone_id=milestone.id))
        explain(outcome, form)
    return _milestone_page(milestone, send_form=form, error_form=form)


@grants_bp.post("/milestones/<int:milestone_id>/review")
@fund_manager_only
def milestone_review(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(milestone.can_review(current_user))
    form = ReviewForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.review_milestone(
            milestone, accept=form.outcome.data == "accept", comments=form.comments.data or "",
            by=current_user, now=clock.now()))
        if outcome.ok:
            flash(f"Milestone {milestone.status.title.lower()}.", "success")
            return redirect(url_for("grants.show", grant_id=milestone.grant_id,
                                    _anchor="milestones"))
        explain(outcome, form)
    return _milestone_page(milestone, review_form=form, error_form=form)


# Payments --------------------------------------------------------------------------------

@grants_bp.route("/<int:grant_id>/payments/new", methods=["GET", "POST"])
@fund_manager_only
def payment_new(grant_id: int):
    grant = _grant(grant_id)
    form = PaymentForm()
    form.milestone_id.choices = choices([("none", "None: pay on the scheduled date"),
                                         *((m.id, m.title) for m in grant.milestones)])

    def save():
        chosen = form.milestone_id.data
        milestone = None if chosen == "none" else db.session.get(Milestone, int(chosen))
        return operations.schedule_payment(
            grant, description=form.description.data, amount_pence=filled(form.amount.data),
            scheduled_on=filled(form.scheduled_on.data), milestone=milestone, by=current_user)

    return handle_form(
        form, save, template="grants/payment_new.html", success="Payment scheduled.",
        next_url=lambda _: url_for("grants.show", grant_id=grant.id, _anchor="payments"),
        title=f"Schedule a payment for {grant.reference}", grant=grant)


def _payment_action(payment_id: int, act, success: str):
    payment = load_or_404(Payment, payment_id)
    confirmed_action(lambda: act(payment), success)
    return redirect(url_for("grants.show", grant_id=payment.grant_id, _anchor="payments"))


@grants_bp.post("/payments/<int:payment_id>/approve")
@fund_manager_only
def payment_approve(payment_id: int):
    return _payment_action(payment_id, lambda p: operations.approve_payment(
        p, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Payment approved.")


@grants_bp.post("/payments/<int:payment_id>/paid")
@fund_manager_only
def payment_paid(payment_id: int):
    return _payment_action(payment_id, lambda p: operations.record_paid(
        p, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Payment recorded as paid.")


@grants_bp.post("/payments/<int:payment_id>/remove")
@fund_manager_only
def payment_remove(payment_id: int):
    return _payment_action(payment_id, lambda p: operations.remove_payment(p, by=current_user),
                           "Payment removed.")
