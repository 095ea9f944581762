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
from eoi.eois.models import CostCategory
from eoi.eois.uploads import MAX_BYTES
from eoi.exports import download
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.base import filled
from eoi.forms.fields import choices
from eoi.forms.grants import (
    AcceptOfferForm,
    CategoryMoveForm,
    ClaimCommentsForm,
    ClaimForm,
    ConditionEvidenceForm,
    ConditionForm,
    DecideVariationForm,
    EvidenceFileForm,
    ExtensionForm,
    FinalReportForm,
    GrantForm,
    GrantStateForm,
    MilestoneForm,
    OfferAnswerForm,
    OfferQuestionForm,
    PartnerChangeForm,
    PaymentForm,
    SendEvidenceForm,
    TargetChangeForm,
    VariationForm,
)
from eoi.forms.returns import ReviewForm
from eoi.grants import claims, closing, lists, monitoring, operations, variations
from eoi.grants.models import (
    Claim,
    ClaimEvidence,
    ClaimStatus,
    ConditionEvidence,
    Grant,
    GrantCondition,
    GrantIndicator,
    GrantState,
    Milestone,
    MilestoneEvidence,
    OfferQuestion,
    PartnerChange,
    Payment,
    PaymentStatus,
    Variation,
    VariationKind,
    VariationStatus,
)
from eoi.grants.status import explain_rules
from eoi.grants.timeline import timeline_of
from eoi.money import financial_year_label, format_pence
from eoi.pagination import page_number, paginate
from eoi.pdf import pdf_response, render_pdf
from eoi.permissions import fund_manager_only, load_or_404, require
from eoi.reference.models import Organisation, OrganisationType
from eoi.reports.published import published_achievements
from eoi.writes import (
    attempt,
    confirmed_action,
    explain,
    handle_form,
    handle_page_form,
    handle_upload,
)

grants_bp = Blueprint("grants", __name__, url_prefix="/grants")



def _file_added(form, attach, *, back: str, page):
    """An evidence file's upload: kept, and back to its page; or that page again, the
    refusal beside the file field."""
    evidence = handle_upload(form, attach, max_bytes=MAX_BYTES)
    if evidence is not None:
        flash(f"{evidence.filename} is added.", "success")
        return redirect(back)
    return page()


def _kept_file(model, evidence_id: int, **owner: int):
    """A kept evidence file's download, once it is shown to belong to the record its
    address names (a milestone's, a claim's or a condition's), which the caller has checked
    the person may see."""
    evidence = load_or_404(model, evidence_id)
    require(all(getattr(evidence, column) == value for column, value in owner.items()))
    return attachments.download_file(evidence)


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
        forecasts=monitoring.forecast_against_actual(grant),
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

def _answer_prefix(asked: OfferQuestion) -> str:
    # One form per question on the page: the prefix keeps their fields' ids apart.
    return f"question-{asked.id}"


def _offer_page(grant: Grant, *, answer_form=None, answering: int | None = None, **forms):
    forms.setdefault("accept_form", AcceptOfferForm(formdata=None, version=grant.version))
    forms.setdefault("question_form", OfferQuestionForm(formdata=None))
    answer_forms = {
        asked.id: answer_form if asked.id == answering else OfferAnswerForm(
            formdata=None, version=asked.version, prefix=_answer_prefix(asked))
        for asked in grant.offer_questions if asked.can_answer(current_user)}
    return render_template("grants/offer.html", title=f"The offer of {grant.reference}",
                           grant=grant, answer_forms=answer_forms, **forms)


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
    return handle_page_form(
        form, lambda: operations.ask_about_offer(grant, question=form.question.data,
                                                 by=current_user, now=clock.now()),
        success="Your question is sent to MOPAC's fund managers.",
        next_url=lambda _: url_for("grants.offer", grant_id=grant.id),
        page=lambda: _offer_page(grant, question_form=form, error_form=form))


@grants_bp.post("/offer-questions/<int:question_id>/answer")
@fund_manager_only
def offer_answer(question_id: int):
    asked = load_or_404(OfferQuestion, question_id)
    require(asked.can_answer(current_user))
    form = OfferAnswerForm(prefix=_answer_prefix(asked))
    return handle_page_form(
        form, lambda: operations.answer_offer_question(
            asked, answer=form.answer.data or "", by=current_user, now=clock.now(),
            expected_version=form.version.data),
        success="Answer sent to the lead commissioner.",
        next_url=lambda _: url_for("grants.offer", grant_id=asked.grant_id),
        page=lambda: _offer_page(asked.grant, answer_form=form, answering=asked.id,
                                 error_form=form))


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
    forms.setdefault("file_form", EvidenceFileForm(formdata=None))
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
    return handle_page_form(
        form, lambda: operations.send_condition_evidence(
            condition, notes=form.notes.data or "", by=current_user, now=clock.now()),
        success="Evidence sent to MOPAC.",
        next_url=lambda _: url_for("grants.condition", condition_id=condition.id),
        page=lambda: _condition_page(condition, send_form=form, error_form=form))


@grants_bp.post("/conditions/<int:condition_id>/evidence")
@login_required
def condition_evidence_add(condition_id: int):
    condition = _condition(condition_id)
    require(condition.can_send_evidence(current_user))
    form = EvidenceFileForm()
    return _file_added(
        form, lambda name, content: operations.attach_condition_evidence(
            condition, name, content, by=current_user),
        back=url_for("grants.condition", condition_id=condition.id),
        page=lambda: _condition_page(condition, file_form=form, error_form=form))


@grants_bp.get("/conditions/<int:condition_id>/evidence/<int:evidence_id>")
@login_required
def condition_evidence_download(condition_id: int, evidence_id: int):
    return _kept_file(ConditionEvidence, evidence_id,
                      condition_id=_condition(condition_id).id)


@grants_bp.post("/conditions/<int:condition_id>/review")
@fund_manager_only
def condition_review(condition_id: int):
    condition = _condition(condition_id)
    require(condition.can_review(current_user))
    form = ReviewForm()
    return handle_page_form(
        form, lambda: operations.review_condition(
            condition, accept=form.outcome.data == "accept", comments=form.comments.data or "",
            by=current_user, now=clock.now(), expected_version=form.version.data),
        success=lambda _: ("Condition accepted as met." if condition.is_met
                           else "Condition sent back."),
        next_url=lambda _: url_for("grants.show", grant_id=condition.grant_id,
                                   _anchor="conditions"),
        page=lambda: _condition_page(condition, review_form=form, error_form=form))


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
    return _file_added(
        form, lambda name, content: operations.attach_evidence(
            milestone, name, content, by=current_user),
        back=url_for("grants.milestone", milestone_id=milestone.id),
        page=lambda: _milestone_page(milestone, file_form=form, error_form=form))


@grants_bp.get("/milestones/<int:milestone_id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(milestone_id: int, evidence_id: int):
    return _kept_file(MilestoneEvidence, evidence_id,
                      milestone_id=_milestone(milestone_id).id)


@grants_bp.post("/milestones/<int:milestone_id>/send")
@login_required
def evidence_send(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(milestone.can_send_evidence(current_user))
    form = SendEvidenceForm()
    return handle_page_form(
        form, lambda: operations.send_evidence(
            milestone, notes=form.notes.data or "", by=current_user, now=clock.now()),
        success="Evidence sent to MOPAC.",
        next_url=lambda _: url_for("grants.milestone", milestone_id=milestone.id),
        page=lambda: _milestone_page(milestone, send_form=form, error_form=form))


@grants_bp.post("/milestones/<int:milestone_id>/review")
@fund_manager_only
def milestone_review(milestone_id: int):
    milestone = _milestone(milestone_id)
    require(milestone.can_review(current_user))
    form = ReviewForm()
    return handle_page_form(
        form, lambda: operations.review_milestone(
            milestone, accept=form.outcome.data == "accept", comments=form.comments.data or "",
            by=current_user, now=clock.now()),
        success=lambda _: f"Milestone {milestone.status.title.lower()}.",
        next_url=lambda _: url_for("grants.show", grant_id=milestone.grant_id,
                                   _anchor="milestones"),
        page=lambda: _milestone_page(milestone, review_form=form, error_form=form))


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


@grants_bp.post("/payments/<int:payment_id>/remove")
@fund_manager_only
def payment_remove(payment_id: int):
    return _payment_action(payment_id, lambda p: operations.remove_payment(p, by=current_user),
                           "Payment removed.")


# Claims ----------------------------------------------------------------------------------

@grants_bp.get("/claims")
@login_required
def claims_list():
    """The claims the person may see, newest first, by status: finance's queue is
    'Checked, with finance'."""
    chosen = request.args.get("status", "")
    query = Claim.visible_to(current_user)
    if chosen in {s.value for s in ClaimStatus}:
        query = query.where(Claim.status == ClaimStatus(chosen))
    page = paginate(query.options(*lists.claim_list_loads())
                    .order_by(Claim.submitted_at.desc(), Claim.id.desc()),
                    page_number(request.args))
    return render_template("grants/claims.html", title="Claims", page=page, chosen=chosen,
                           statuses=ClaimStatus.choices())


def _claim(claim_id: int) -> Claim:
    claim = load_or_404(Claim, claim_id)
    require(claim.can_view(current_user))
    return claim


def _claim_form(grant: Grant, claim: Claim | None = None, **kwargs):
    payments = [(p.id, f"{p.description}: {format_pence(p.amount_pence)}, scheduled for "
                 f"{p.scheduled_on:%-d %B %Y}")
                for p in claims.claimable_payments(grant, claim)]
    return ClaimForm(payments=payments, **kwargs)


def _save_claim(grant: Grant, form, claim: Claim | None = None):
    chosen = form.claiming.data
    payment = None if chosen == "expenditure" else db.session.get(Payment, int(chosen))
    return claims.send_claim(
        grant, payment=payment, amount_pence=form.amount.data, spend_to=filled(
            form.spend_to.data), spend=form.spend(), notes=form.notes.data or "",
        by=current_user, now=clock.now(), claim=claim,
        expected_version=form.version.data if claim is not None else None)


@grants_bp.route("/<int:grant_id>/claims/new", methods=["GET", "POST"])
@login_required
def claim_new(grant_id: int):
    grant = _grant(grant_id)
    require(grant.can_report(current_user))
    form = _claim_form(grant)
    return handle_form(
        form, lambda: _save_claim(grant, form), template="grants/claim_form.html",
        success="Claim sent to MOPAC.",
        next_url=lambda claim: url_for("grants.claim", claim_id=claim.id),
        title=f"Make a claim on {grant.reference}", grant=grant, claim=None,
        left=claims.left_to_claim(grant), cost_categories=list(CostCategory))


@grants_bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@login_required
def claim_edit(claim_id: int):
    claim = _claim(claim_id)
    require(claim.can_change(current_user))
    grant = claim.grant
    form = _claim_form(grant, claim, obj=None if request.method == "POST" else claim,
                       version=claim.version)
    if request.method == "GET":
        form.claiming.data = str(claim.payment_id) if claim.payment_id else "expenditure"
        form.amount.data = claim.amount_pence if claim.is_expenditure else None
        for line in claim.spend:
            getattr(form, f"spend_{line.category.value}").data = line.amount_pence
    return handle_form(
        form, lambda: _save_claim(grant, form, claim), template="grants/claim_form.html",
        success="Claim sent to MOPAC again.",
        next_url=lambda _: url_for("grants.claim", claim_id=claim.id),
        title=f"Change the claim on {grant.reference}", grant=grant, claim=claim,
        left=claims.left_to_claim(grant, claim), cost_categories=list(CostCategory))


def _claim_page(claim: Claim, **forms):
    forms.setdefault("comments_form", ClaimCommentsForm(formdata=None, version=claim.version))
    forms.setdefault("file_form", EvidenceFileForm(formdata=None))
    return render_template(
        "grants/claim.html", title=f"Claim on {claim.grant.reference}", claim=claim,
        grant=claim.grant, confirm=ConfirmForm(),
        approval_refusal=claims.approval_refusal(claim, current_user)
        if claim.status is ClaimStatus.checked and current_user.is_finance else None, **forms)


@grants_bp.get("/claims/<int:claim_id>")
@login_required
def claim(claim_id: int):
    return _claim_page(_claim(claim_id))


def _claim_action(claim_id: int, act, success: str):
    claim = _claim(claim_id)
    confirmed_action(lambda: act(claim), success)
    return redirect(url_for("grants.claim", claim_id=claim.id))


@grants_bp.post("/claims/<int:claim_id>/evidence")
@login_required
def claim_evidence_add(claim_id: int):
    claim = _claim(claim_id)
    require(claim.can_add_evidence(current_user))
    form = EvidenceFileForm()
    return _file_added(
        form, lambda name, content: claims.attach_claim_evidence(
            claim, name, content, by=current_user),
        back=url_for("grants.claim", claim_id=claim.id),
        page=lambda: _claim_page(claim, file_form=form, error_form=form))


@grants_bp.get("/claims/<int:claim_id>/evidence/<int:evidence_id>")
@login_required
def claim_evidence_download(claim_id: int, evidence_id: int):
    return _kept_file(ClaimEvidence, evidence_id, claim_id=_claim(claim_id).id)


@grants_bp.post("/claims/<int:claim_id>/check")
@fund_manager_only
def claim_check(claim_id: int):
    return _claim_action(claim_id, lambda c: claims.check_claim(
        c, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Claim checked and passed to finance.")


@grants_bp.post("/claims/<int:claim_id>/approve")
@login_required
def claim_approve(claim_id: int):
    require(current_user.is_finance)
    return _claim_action(claim_id, lambda c: claims.approve_claim(
        c, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Claim approved.")


@grants_bp.post("/claims/<int:claim_id>/paid")
@login_required
def claim_paid(claim_id: int):
    require(current_user.is_finance)
    return _claim_action(claim_id, lambda c: claims.record_claim_paid(
        c, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Claim recorded as paid.")


@grants_bp.post("/claims/<int:claim_id>/send-back")
@login_required
def claim_send_back(claim_id: int):
    claim = _claim(claim_id)
    require(current_user.is_fund_manager or current_user.is_finance)
    form = ClaimCommentsForm()
    return handle_page_form(
        form, lambda: claims.send_back_claim(
            claim, comments=form.comments.data or "", by=current_user, now=clock.now(),
            expected_version=form.version.data),
        success="Claim sent back for changes.",
        next_url=lambda _: url_for("grants.claim", claim_id=claim.id),
        page=lambda: _claim_page(claim, comments_form=form, error_form=form))


# Changes (variations) --------------------------------------------------------------------

def _variation(variation_id: int) -> Variation:
    variation = load_or_404(Variation, variation_id)
    require(variation.can_view(current_user))
    return variation


def _decided(variation: Variation) -> str:
    if variation.status is VariationStatus.approved:
        return f"Change approved. The agreement is now version {variation.made_version}."
    if variation.status is VariationStatus.awaiting_funder and variation.funder:
        return f"Change approved, for {variation.funder.name} to confirm."
    return "Change refused."


def _variation_form(grant: Grant, kind: VariationKind):
    """The form for asking for a `kind` of change, and what saves it."""
    if kind is VariationKind.extend_end_date:
        extension = ExtensionForm()
        return extension, lambda: variations.request_extension(
            grant, new_ends_on=extension.new_ends_on.data, reason=extension.reason.data or "",
            by=current_user, now=clock.now())
    if kind is VariationKind.change_target:
        target_form = TargetChangeForm(
            indicators=[(gi.id, gi.indicator.name) for gi in grant.indicators],
            years=[(year, financial_year_label(year))
                   for year in variations.grant_years(grant)])
        return target_form, lambda: variations.request_target_change(
            grant, grant_indicator=db.session.get(GrantIndicator,
                                                  int(target_form.grant_indicator_id.data)),
            year=int(target_form.target_year.data), new_target=target_form.new_target.data,
            reason=target_form.reason.data or "", by=current_user, now=clock.now())
    if kind is VariationKind.move_between_categories:
        category_form = CategoryMoveForm(
            years=[(year, financial_year_label(year))
                   for year in variations.grant_years(grant)],
            categories=[(c.value, c.title) for c in CostCategory])
        return category_form, lambda: variations.request_category_move(
            grant, year=int(category_form.from_year.data),
            from_category=CostCategory(category_form.from_category.data),
            to_category=CostCategory(category_form.to_category.data),
            amount_pence=category_form.amount.data, reason=category_form.reason.data or "",
            by=current_user, now=clock.now())
    if kind is VariationKind.change_partner:
        current = {p.organisation_id for p in grant.partners}
        voluntary = db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.type == OrganisationType.vcs).order_by(Organisation.name))
        partner_form = PartnerChangeForm(organisations=[
            (oid, f"{name} (a partner now)" if oid in current else name)
            for oid, name in voluntary])

        def save_partner():
            return variations.request_partner_change(
                grant, partner=db.session.get(Organisation, int(partner_form.partner_id.data)),
                change=PartnerChange(partner_form.change.data),
                reason=partner_form.reason.data or "", by=current_user, now=clock.now())

        return partner_form, save_partner
    funders = {f.funder_id: f.funder.name for f in grant.funding}
    move = VariationForm(funders=sorted(funders.items(), key=lambda pair: pair[1]),
                         years=[(year, financial_year_label(year))
                                for year in variations.grant_years(grant)])
    return move, lambda: variations.request_variation(
        grant, funder=db.session.get(Organisation, int(move.funder_id.data)),
        from_year=int(move.from_year.data), to_year=int(move.to_year.data),
        amount_pence=move.amount.data, reason=move.reason.data or "", by=current_user,
        now=clock.now())


@grants_bp.route("/<int:grant_id>/variations/new", methods=["GET", "POST"])
@login_required
def variation_new(grant_id: int):
    grant = _grant(grant_id)
    require(grant.is_owner(current_user) and grant.is_live)
    asked = request.args.get("kind", "")
    kind = next((k for k in VariationKind if k.value == asked),
                VariationKind.move_between_years)
    form, save = _variation_form(grant, kind)
    return handle_form(
        form, save, template="grants/variation_new.html",
        success="Change asked for. MOPAC's fund managers are told.",
        next_url=lambda variation: url_for("grants.variation", variation_id=variation.id),
        title=f"Ask for a change to {grant.reference}", grant=grant, kind=kind,
        kinds=list(VariationKind))


def _variation_page(variation: Variation, **forms):
    forms.setdefault("decide_form", DecideVariationForm(formdata=None,
                                                        version=variation.version))
    return render_template("grants/variation.html", title=f"Change to "
                           f"{variation.grant.reference}", variation=variation,
                           grant=variation.grant, confirm=ConfirmForm(), **forms)


@grants_bp.get("/variations/<int:variation_id>")
@login_required
def variation(variation_id: int):
    return _variation_page(_variation(variation_id))


@grants_bp.post("/variations/<int:variation_id>/decide")
@fund_manager_only
def variation_decide(variation_id: int):
    variation = _variation(variation_id)
    require(variation.can_decide(current_user))
    form = DecideVariationForm()
    return handle_page_form(
        form, lambda: variations.decide_variation(
            variation, approve=form.outcome.data == "approve",
            comments=form.comments.data or "", by=current_user, now=clock.now(),
            expected_version=form.version.data),
        success=lambda _: _decided(variation),
        next_url=lambda _: url_for("grants.variation", variation_id=variation.id),
        page=lambda: _variation_page(variation, decide_form=form, error_form=form))


@grants_bp.post("/variations/<int:variation_id>/confirm")
@login_required
def variation_confirm(variation_id: int):
    variation = _variation(variation_id)
    require(variation.can_confirm(current_user))
    confirmed_action(lambda: variations.confirm_variation(
        variation, by=current_user, now=clock.now(),
        expected_version=ConfirmForm().version.data),
        lambda _: "Change confirmed. The agreement is now version "
        f"{variation.grant.agreement_version}.")
    return redirect(url_for("grants.variation", variation_id=variation.id))


@grants_bp.get("/variations/<int:variation_id>/letter.pdf")
@login_required
def variation_letter(variation_id: int):
    variation = _variation(variation_id)
    if variation.status is not VariationStatus.approved:
        abort(404)
    grant = variation.grant
    version = next(v for v in grant.versions if v.number == variation.made_version)
    ids = {funder_id for _year, funder_id, _p in version.funding} | set(version.partners)
    names = {oid: name for oid, name in db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}
    content = render_pdf(
        "grants/variation_letter.pdf.html", funders=names,
        category_titles={c.value: c.title for c in CostCategory},
        partner_names=[names[oid] for oid in version.partners],
        title=f"Variation letter {grant.reference} version {variation.made_version}",
        variation=variation, grant=grant,
        printed_at=clock.now(), running_head=f"{grant.reference} · variation letter")
    return pdf_response(content, f"{grant.reference}-variation-{variation.made_version}.pdf")


# Closing ---------------------------------------------------------------------------------

def _final_report_page(grant: Grant, **forms):
    report = grant.final_report
    forms.setdefault("report_form", FinalReportForm(
        formdata=None, obj=report, version=report.version if report else None))
    forms.setdefault("review_form", ReviewForm(formdata=None,
                                               version=report.version if report else None))
    return render_template(
        "grants/final_report.html", title=f"Final report of {grant.reference}", grant=grant,
        report=report, sections=closing.SECTIONS, confirm=ConfirmForm(),
        can_write=closing.can_write_final_report(grant, current_user),
        problems=closing.closing_problems(grant), **forms)


@grants_bp.get("/<int:grant_id>/final-report")
@login_required
def final_report(grant_id: int):
    return _final_report_page(_grant(grant_id))


@grants_bp.post("/<int:grant_id>/final-report")
@login_required
def final_report_send(grant_id: int):
    grant = _grant(grant_id)
    require(closing.can_write_final_report(grant, current_user))
    form = FinalReportForm()
    return handle_page_form(
        form, lambda: closing.send_final_report(
            grant, answers={field: getattr(form, field).data or ""
                            for field, _label in closing.SECTIONS},
            by=current_user, now=clock.now(), expected_version=form.version.data),
        success="Final report sent to MOPAC.",
        next_url=lambda _: url_for("grants.final_report", grant_id=grant.id),
        page=lambda: _final_report_page(grant, report_form=form, error_form=form))


@grants_bp.post("/<int:grant_id>/final-report/review")
@fund_manager_only
def final_report_review(grant_id: int):
    grant = _grant(grant_id)
    report = grant.final_report
    if report is None or report.status.value != "sent":
        abort(403)
    form = ReviewForm()
    return handle_page_form(
        form, lambda: closing.review_final_report(
            report, accept=form.outcome.data == "accept", comments=form.comments.data or "",
            by=current_user, now=clock.now(), expected_version=form.version.data),
        success=lambda _: f"Final report {report.status.title.lower()}.",
        next_url=lambda _: url_for("grants.final_report", grant_id=grant.id),
        page=lambda: _final_report_page(grant, review_form=form, error_form=form))


@grants_bp.post("/<int:grant_id>/close")
@fund_manager_only
def close(grant_id: int):
    grant = _grant(grant_id)
    confirmed_action(lambda: closing.close_grant(grant, by=current_user, now=clock.now()),
                     "Grant closed.")
    return redirect(url_for("grants.show", grant_id=grant.id))
