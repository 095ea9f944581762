"""Funding rounds: fund managers set them up and open them; everyone signed in reads them."""


from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eoi import clock
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.fields import choices
from eoi.forms.rounds import CriterionForm, RoundForm
from eoi.money import financial_year_label, financial_year_of
from eoi.pagination import page_number, paginate
from eoi.permissions import code_asked_again, load_or_404, permission_required, require
from eoi.reference.models import Indicator, Outcome, Priority, PriorityKind
from eoi.rounds import operations
from eoi.rounds.models import Criterion, FundingRound, RoundStatus
from eoi.writes import confirmed_action, handle_form

rounds_bp = Blueprint("rounds", __name__, url_prefix="/rounds")

fund_manager_only = permission_required(lambda user: user.can_manage_rounds())


def _round(round_id: int) -> FundingRound:
    funding_round = load_or_404(FundingRound, round_id)
    require(funding_round.can_view(current_user))
    return funding_round


def _editable_round(round_id: int) -> FundingRound:
    funding_round = _round(round_id)
    require(funding_round.can_edit(current_user))
    return funding_round


@rounds_bp.get("")
@login_required
def index():
    rounds = paginate(FundingRound.visible_to(current_user)
                      .order_by(FundingRound.closes_at.desc(), FundingRound.id.desc()),
                      page_number(request.args))
    return render_template("rounds/index.html", title="Funding rounds", rounds=rounds)


def _round_form(funding_round: FundingRound | None) -> RoundForm:
    form = RoundForm(obj=funding_round if request.method == "GET" and funding_round else None)
    if request.method == "GET" and funding_round:
        form.fill_from(funding_round)
    this_year = financial_year_of(clock.today())
    form.first_financial_year.choices = form.last_financial_year.choices = choices(
        (year, financial_year_label(year)) for year in range(this_year - 1, this_year + 6))
    form.priorities.choices = choices(
        (p.id, f"{p.title} ({p.kind.title.lower()})") for p in db.session.scalars(
            select(Priority).where(Priority.is_archived.is_(False))
            .order_by(Priority.kind, Priority.position)))
    form.indicators.choices = choices(
        (i.id, f"{i.name} ({i.outcome.title})") for i in db.session.scalars(
            select(Indicator).join(Outcome).where(Indicator.is_archived.is_(False))
            .order_by(Outcome.position, Indicator.position)))
    return form


def _chosen(model, ids):
    return db.session.scalars(select(model).where(model.id.in_(ids))).all()


@rounds_bp.route("/new", methods=["GET", "POST"])
@fund_manager_only
def new():
    form = _round_form(None)
    if request.method == "GET":
        form.min_member_boroughs.data, form.min_match_percent.data = 2, 25
        form.opens_time.data, form.closes_time.data = "09:00", "23:59"
        form.priorities.data = list(db.session.scalars(select(Priority.id).where(
            Priority.kind == PriorityKind.strategic, Priority.is_archived.is_(False))))
        # SelectChoices, as choices() makes (WTForms 3.3); the stubs know only 3.2's tuples.
        form.indicators.data = [int(c.value) for c in form.indicators.choices]  # type: ignore[union-attr]

    def save():
        funding_round = operations.create_round(values=form.values(), by=current_user)
        funding_round.priorities = _chosen(Priority, form.priorities.data)
        funding_round.indicators = _chosen(Indicator, form.indicators.data)
        return funding_round

    return handle_form(form, save, template="rounds/form.html",
                       success="Draft round created with the default criteria. Check them "
                       "before you open the round.",
                       next_url=lambda r: url_for("rounds.show", round_id=r.id),
                       title="Create a funding round")


@rounds_bp.get("/<int:round_id>")
@login_required
def show(round_id: int):
    funding_round = db.session.scalar(
        select(FundingRound).where(FundingRound.id == round_id)
        .options(selectinload(FundingRound.priorities), selectinload(FundingRound.criteria),
                 selectinload(FundingRound.indicators).joinedload(Indicator.outcome)))
    if funding_round is None:
        abort(404)
    require(funding_round.can_view(current_user))
    # Only the fund team moves a round on, so only they are told what stops it.
    next_states = sorted(operations.ROUND.allowed(funding_round.status),
                         key=list(RoundStatus).index) if current_user.can_manage_rounds() else []
    return render_template(
        "rounds/show.html", title=funding_round.title, funding_round=funding_round,
        RoundStatus=RoundStatus,
        problems=[p for state in next_states
                  for p in operations.status_problems(funding_round, state, clock.now())],
        next_states=next_states,
        confirm=ConfirmForm(),
    )


@rounds_bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@fund_manager_only
def edit(round_id: int):
    funding_round = _editable_round(round_id)
    form = _round_form(funding_round)
    return handle_form(
        form,
        lambda: operations.update_round(
            funding_round, values=form.values(),
            priorities=_chosen(Priority, form.priorities.data),
            indicators=_chosen(Indicator, form.indicators.data),
            by=current_user, expected_version=form.version.data),
        template="rounds/form.html", success="Round saved.",
        next_url=lambda r: url_for("rounds.show", round_id=r.id),
        record=funding_round, conflict_fields=operations.ROUND_FIELDS,
        title=f"Edit {funding_round.title}", funding_round=funding_round)


@rounds_bp.post("/<int:round_id>/status")
@fund_manager_only
def change_status(round_id: int):
    funding_round = _round(round_id)
    target = request.form.get("status", "")
    if target == RoundStatus.decided.value and (asked := code_asked_again(
            url_for("rounds.show", round_id=funding_round.id))):
        return asked
    if target in {s.value for s in RoundStatus}:
        confirmed_action(
            lambda: operations.change_round_status(funding_round, RoundStatus(target),
                                                   by=current_user, now=clock.now()),
            f"The round is now {RoundStatus(target).title.lower()}.")
    return redirect(url_for("rounds.show", round_id=funding_round.id))


@rounds_bp.route("/<int:round_id>/criteria/new", methods=["GET", "POST"])
@fund_manager_only
def criterion_new(round_id: int):
    funding_round = _editable_round(round_id)
    form = CriterionForm()
    return handle_form(
        form, lambda: operations.save_criterion(funding_round, None, values=form.values(),
                                                by=current_user),
        template="rounds/criterion_form.html", success="Criterion added.",
        next_url=lambda c: url_for("rounds.show", round_id=funding_round.id,
                                   _anchor="criteria"),
        title="Add a criterion", funding_round=funding_round)


@rounds_bp.route("/<int:round_id>/criteria/<int:criterion_id>", methods=["GET", "POST"])
@fund_manager_only
def criterion_edit(round_id: int, criterion_id: int):
    funding_round = _editable_round(round_id)
    criterion = load_or_404(Criterion, criterion_id)
    require(criterion.round_id == funding_round.id)
    form = CriterionForm(obj=criterion if request.method == "GET" else None)
    return handle_form(
        form, lambda: operations.save_criterion(funding_round, criterion, values=form.values(),
                                                by=current_user,
                                                expected_version=form.version.data),
        template="rounds/criterion_form.html", success="Criterion saved.",
        next_url=lambda c: url_for("rounds.show", round_id=funding_round.id,
                                   _anchor="criteria"),
        record=criterion, conflict_fields=operations.CRITERION_FIELDS,
        title=f"Edit {criterion.title}", funding_round=funding_round, criterion=criterion)


@rounds_bp.post("/<int:round_id>/criteria/<int:criterion_id>/remove")
@fund_manager_only
def criterion_remove(round_id: int, criterion_id: int):
    funding_round = _editable_round(round_id)
    criterion = load_or_404(Criterion, criterion_id)
    require(criterion.round_id == funding_round.id)
    confirmed_action(lambda: operations.remove_criterion(criterion, by=current_user),
                     "Criterion removed.")
    return redirect(url_for("rounds.show", round_id=funding_round.id, _anchor="criteria"))
