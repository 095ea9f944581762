"""A quarterly return: the web form, the spreadsheet template and its upload, submission,
the fund manager's review, and the quarterly report PDF."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from eoi import clock
from eoi.consortia.models import Consortium
from eoi.downloads import attachment
from eoi.eois.models import CostCategory
from eoi.eois.uploads import MAX_BYTES
from eoi.exports import download
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.returns import (
    SPARE_BOROUGH_ROWS,
    DeclineSignOffForm,
    ReturnUploadForm,
    ReviewForm,
    SubmitReturnForm,
    return_form,
)
from eoi.grants import monitoring
from eoi.grants.models import Grant, GrantIndicator
from eoi.pagination import page_number
from eoi.pdf import pdf_response, render_pdf
from eoi.permissions import require
from eoi.reports.published import (
    PUBLISHED,
    BeingPrepared,
    borough_table,
    cohort_tables,
    protected_quarter,
    published_achievements,
    supported_total,
)
from eoi.returns import lists, operations, spreadsheet
from eoi.returns.figures import (
    BREAKDOWNS,
    NARRATIVES,
    SMALL_NUMBERS_FIELD,
    small_numbers_of_people,
)
from eoi.returns.models import QuarterlyReturn, ReturnStatus
from eoi.returns.operations import ReturnRefused
from eoi.writes import attempt, confirmed_action, explain, handle_page_form

returns_bp = Blueprint("returns", __name__, url_prefix="/returns")


@returns_bp.get("")
@login_required
def index():
    chosen = lists.return_list(current_user, request.args, clock.today())
    return render_template("returns/index.html", title="Quarterly returns", chosen=chosen,
                           page=chosen.page(page_number(request.args)))


@returns_bp.get("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    chosen = lists.return_list(current_user, request.args, clock.today())
    return download(chosen.listing(), fmt, "returns", clock.now())


def _page_loads() -> tuple[ORMOption, ...]:
    """What a return's page reads: its figures, and what its grant's permissions ask."""
    grant = joinedload(QuarterlyReturn.grant)
    return (
        selectinload(QuarterlyReturn.counts),
        selectinload(QuarterlyReturn.borough_counts),
        selectinload(QuarterlyReturn.indicator_values),
        selectinload(QuarterlyReturn.spend),
        selectinload(QuarterlyReturn.forecast),
        grant.selectinload(Grant.indicators).joinedload(GrantIndicator.indicator),
        grant.selectinload(Grant.partners),
        grant.joinedload(Grant.consortium).selectinload(Consortium.memberships),
    )


def _return(return_id: int) -> QuarterlyReturn:
    ret = db.session.scalar(select(QuarterlyReturn).where(QuarterlyReturn.id == return_id)
                            .options(*_page_loads()))
    if ret is None:
        abort(404)
    require(ret.can_view(current_user))
    return ret


def _boroughs() -> dict[str, str]:
    """The London boroughs, read once a request: the form, the page and the published
    tables each name them."""
    if "london_boroughs" not in g:
        g.london_boroughs = operations.london_boroughs()
    return g.london_boroughs


def _return_form(ret: QuarterlyReturn, *, borough_rows: int, formdata=None):
    return return_form(indicators=operations.indicators_for(ret.grant),
                       boroughs=_boroughs(), borough_rows=borough_rows,
                       formdata=formdata)


def _saved_form(ret: QuarterlyReturn):
    """The web form showing the return as it is saved, with room for more borough rows."""
    figures = operations.figures_to_start_from(ret)
    form = _return_form(ret, borough_rows=len(figures.boroughs) + SPARE_BOROUGH_ROWS)
    form.fill(figures)
    form.version.data = ret.version
    form.spend_carried = bool(figures.spend) and not ret.spend  # told beside the boxes
    return form


def _page(ret: QuarterlyReturn, form=None, *, upload_form=None, review_form=None,
          submit_form=None, decline_form=None, error_form=None, status=200):
    form = form or _saved_form(ret)
    if submit_form is None:
        submit_form = SubmitReturnForm(formdata=None)
        submit_form.version.data = ret.version
    figures = operations.figures_of(ret)
    can_see_figures = ret.can_see_figures(current_user)
    return render_template(
        "returns/show.html", title=f"{ret.period.label} return: {ret.grant.reference}",
        ret=ret, grant=ret.grant, form=form, figures=figures,
        upload_form=upload_form or ReturnUploadForm(formdata=None),
        review_form=review_form or ReviewForm(formdata=None), confirm=ConfirmForm(),
        decline_form=decline_form or DeclineSignOffForm(formdata=None, version=ret.version),
        error_form=error_form, narratives=NARRATIVES,
        indicators=operations.indicators_for(ret.grant),
        boroughs=_boroughs(), categories=list(CostCategory),
        can_edit=ret.can_edit(current_user), today=clock.today(), breakdowns=BREAKDOWNS,
        can_see_figures=can_see_figures, submit_form=submit_form,
        small_numbers=small_numbers_of_people(figures.narrative),
        published=None if can_see_figures else _published_figures(ret),
        borough_rows=sum(1 for name in form._fields if name.endswith("-residence"))), status


@returns_bp.route("/<int:return_id>", methods=["GET", "POST"])
@login_required
def show(return_id: int):
    ret = _return(return_id)
    if request.method == "GET":
        return _page(ret)
    require(ret.can_edit(current_user))
    if "file" in request.files:
        return _upload(ret)
    # Enough borough rows for whatever the page posted, however many it had.
    posted_rows = sum(1 for name in request.form if name.endswith("-residence"))
    form = _return_form(ret, borough_rows=max(posted_rows, SPARE_BOROUGH_ROWS),
                        formdata=request.form)
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.save_return(
            ret, form.figures(), by=current_user, now=clock.now(),
            expected_version=form.version.data))
        if outcome.ok:
            flash("Return saved as a draft.", "success")
            return redirect(url_for("returns.show", return_id=ret.id))
        if outcome.conflict:
            flash("Someone else saved this return since you opened it. Your figures are "
                  "below: check them against the saved return, then save again.", "important")
            db.session.refresh(ret)
            form.version.data = ret.version
        elif isinstance(outcome.refusal, ReturnRefused):
            for problem in outcome.refusal.problems:
                form.add_problem(problem.field, problem.message)
        else:
            explain(outcome, form)
    return _page(ret, form, error_form=form)


@returns_bp.get("/<int:return_id>/template.xlsx")
@login_required
def template(return_id: int):
    ret = _return(return_id)
    require(ret.can_see_figures(current_user))  # it holds the figures as entered
    context = _context(ret)
    content = spreadsheet.build_template(context, operations.figures_to_start_from(ret))
    filename = spreadsheet.template_filename(context)
    return attachment(content, spreadsheet.MEDIA_TYPE, filename)


def _context(ret: QuarterlyReturn) -> spreadsheet.TemplateContext:
    grant = ret.grant
    return spreadsheet.TemplateContext(
        grant_reference=grant.reference, grant_title=grant.title,
        quarter_label=ret.period.label,
        quarter_key=f"{ret.financial_year}-Q{ret.quarter}",
        indicators=[(str(gi.indicator_id), gi.indicator.name, gi.indicator.unit)
                    for gi in grant.indicators],
        boroughs=list(_boroughs().items()),
        cost_categories=CostCategory.choices())


def _upload(ret: QuarterlyReturn):
    """The spreadsheet's POST, to the return's own address: after a problem the page shown is
    the return's, and the address bar says so (reloading it or sharing it shows the return,
    not a bare upload address)."""
    upload_form = ReturnUploadForm()
    if upload_form.validate_on_submit():
        content = upload_form.file.data.stream.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            problems = [spreadsheet.SheetProblem("", "The file must be smaller than 10MB",
                                                 None)]
            reading = None
        else:
            reading = spreadsheet.read_return(content, _context(ret))
            problems = list(reading.problems)
        figures = reading.figures if reading is not None else None  # None: with problems
        if figures is not None and not problems:
            outcome = attempt(lambda: operations.save_return(
                ret, figures, by=current_user, now=clock.now(),
                entered_by="spreadsheet"))
            if outcome.ok:
                flash("Spreadsheet uploaded: its figures are saved as a draft. Check them "
                      "below, then submit the return.", "success")
                return redirect(url_for("returns.show", return_id=ret.id))
            if isinstance(outcome.refusal, ReturnRefused):  # the same rules: a safety net
                problems = [spreadsheet.SheetProblem("", p.message, p.field)
                            for p in outcome.refusal.problems]
            else:
                explain(outcome, upload_form)
        for problem in problems:
            where = f"{problem.where}: " if problem.where else ""
            upload_form.file.errors.append(f"{where}{problem.message}")
    return _page(ret, upload_form=upload_form, error_form=upload_form)


@returns_bp.post("/<int:return_id>/submit")
@login_required
def submit(return_id: int):
    ret = _return(return_id)
    require(ret.can_edit(current_user))
    confirm = SubmitReturnForm()
    if confirm.validate_on_submit():
        outcome = attempt(lambda: operations.submit_return(
            ret, by=current_user, now=clock.now(), expected_version=confirm.version.data,
            small_numbers_checked=bool(confirm.small_numbers_checked.data)))
        if outcome.ok and ret.status is ReturnStatus.signing:
            flash("Return sent to your organisation's certifiers to sign off. It goes to "
                  "MOPAC once one of them does.", "success")
        elif outcome.ok:
            flash("Return submitted. MOPAC will check it and tell you if anything needs "
                  "changing.", "success")
        elif isinstance(outcome.refusal, ReturnRefused):
            problems = outcome.refusal.problems
            if all(p.field == SMALL_NUMBERS_FIELD for p in problems):
                confirm.small_numbers_checked.errors = [p.message for p in problems]
                return _page(ret, submit_form=confirm, error_form=confirm)
            form = _saved_form(ret)
            for problem in problems:
                form.add_problem(problem.field, problem.message)
            return _page(ret, form, error_form=form)
        elif outcome.conflict:
            flash("The return changed since this page was opened. Check it, then submit "
                  "again.", "important")
        else:
            explain(outcome)
    return redirect(url_for("returns.show", return_id=ret.id))


@returns_bp.post("/<int:return_id>/review")
@login_required
def review(return_id: int):
    ret = _return(return_id)
    require(ret.can_review(current_user))
    review_form = ReviewForm()
    if review_form.validate_on_submit():
        outcome = attempt(lambda: operations.review_return(
            ret, accept=review_form.outcome.data == "accept",
            comments=review_form.comments.data or "", by=current_user, now=clock.now(),
            expected_version=review_form.version.data))
        if outcome.ok:
            flash(f"Return {ret.status.title.lower()}.", "success")
            return redirect(url_for("grants.show", grant_id=ret.grant_id, _anchor="returns"))
        if outcome.conflict:
            flash("The return changed since this page was opened. Check it again.",
                  "important")
            return redirect(url_for("returns.show", return_id=ret.id))
        explain(outcome, review_form)
    return _page(ret, review_form=review_form, error_form=review_form)


@returns_bp.post("/<int:return_id>/sign-off")
@login_required
def sign_off(return_id: int):
    ret = _return(return_id)
    require(ret.can_sign_off(current_user))
    confirmed_action(lambda: operations.sign_off_return(
        ret, by=current_user, now=clock.now(), expected_version=ConfirmForm().version.data),
        "Return signed off and sent to MOPAC.")
    return redirect(url_for("returns.show", return_id=ret.id))


@returns_bp.post("/<int:return_id>/decline")
@login_required
def decline(return_id: int):
    ret = _return(return_id)
    require(ret.can_sign_off(current_user))
    form = DeclineSignOffForm()
    return handle_page_form(
        form, lambda: operations.decline_return(
            ret, reason=form.reason.data or "", by=current_user, now=clock.now(),
            expected_version=form.version.data),
        success="Sign-off declined: the return is back with the partner.",
        next_url=lambda _: url_for("returns.show", return_id=ret.id),
        page=lambda: _page(ret, decline_form=form, error_form=form))


def _published_figures(ret: QuarterlyReturn) -> dict | None:
    """The return's figures as published (protected with the quarter's other reports),
    once MOPAC has accepted it; None before; {"being_prepared": True} while the scheduler
    protects a national quarter."""
    if ret.status not in PUBLISHED:
        return None
    scope = ret.grant.reference
    try:
        protected = protected_quarter(ret.period, scope)
    except BeingPrepared:
        return {"being_prepared": True}
    return {"tables": cohort_tables(protected, scope),
            "boroughs": borough_table(protected, scope, _boroughs()),
            "supported": supported_total(protected, scope)}


@returns_bp.get("/<int:return_id>/report.pdf")
@login_required
def report(return_id: int):
    """The quarterly report boroughs receive, protected with every other report published
    for the quarter. Only an accepted return makes one to share; its partner and MOPAC can
    preview a submitted one, marked as a draft."""
    ret = _return(return_id)
    published = ret.status in PUBLISHED
    # A preview only once submitted: a draft's figures need not add up yet.
    require(published or (ret.status is ReturnStatus.submitted
                          and ret.can_see_figures(current_user)))
    grant = ret.grant
    protected = protected_quarter(ret.period, grant.reference,
                                  including=None if published else ret)
    progress = monitoring.indicator_progress(grant)
    tables = cohort_tables(protected, grant.reference)
    boroughs = borough_table(protected, grant.reference, _boroughs())
    content = render_pdf(
        "returns/report.pdf.html", title=f"Quarterly report {grant.reference} "
        f"{ret.period.short_label}", ret=ret, grant=grant, tables=tables, boroughs=boroughs,
        supported=supported_total(protected, grant.reference), narratives=NARRATIVES,
        progress=progress, achieved=published_achievements(grant.reference, progress),
        spend=monitoring.spend_to_date(grant),
        status=monitoring.status_of(grant, clock.today()),
        charts={t.key: t.chart() for t in tables}, draft=not published,
        printed_at=clock.now(), running_head=f"{grant.reference} · {ret.period.short_label}")
    return pdf_response(content,
                        f"{grant.reference}-{ret.financial_year}-Q{ret.quarter}-report.pdf")
