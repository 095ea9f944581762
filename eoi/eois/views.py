"""Expressions of interest: the task list, each section, the budget, submission."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.consortia.models import Consortium
from eoi.eois import attachments, lists, operations
from eoi.eois.models import BudgetLine, CostCategory, Eoi, EoiAttachment, EoiStatus
from eoi.eois.reading import read_budget, read_eoi
from eoi.eois.sections import SECTIONS, SECTIONS_BY_KEY
from eoi.eois.uploads import MAX_BYTES
from eoi.exports import download
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.base import filled
from eoi.forms.eois import (
    AttachmentForm,
    BudgetLineForm,
    ConflictForm,
    EditorForm,
    ReasonForm,
    section_form,
)
from eoi.forms.fields import choices
from eoi.inputs import id_from
from eoi.money import financial_year_label
from eoi.pdf import pdf_response, render_pdf
from eoi.permissions import load_or_404, require
from eoi.reference.models import Organisation, OrganisationType
from eoi.rounds.models import FundingRound
from eoi.writes import attempt, confirmed_action, explain, handle_form, handle_upload

eois_bp = Blueprint("eois", __name__, url_prefix="/eois")


def _eoi(eoi_id: int) -> Eoi:
    eoi = load_or_404(Eoi, eoi_id)
    require(eoi.can_view(current_user))
    return eoi


def _to_eoi(eoi: Eoi):
    return url_for("eois.show", eoi_id=eoi.id)


@eois_bp.get("")
@login_required
def index():
    return render_template("eois/index.html", title="Expressions of interest",
                           chosen=lists.eoi_list(current_user, request.args))


@eois_bp.get("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """The list as on screen, every page of it; fund managers' copy carries the panel's
    ranks and scores."""
    chosen = lists.eoi_list(current_user, request.args, with_page=False)
    return download(chosen.listing(), fmt, "expressions-of-interest", clock.now())


@eois_bp.post("/start")
@login_required
def start():
    consortium = load_or_404(Consortium, id_from(request.form.get("consortium_id")) or 0)
    funding_round = load_or_404(FundingRound, id_from(request.form.get("round_id")) or 0)
    require(consortium.is_member_officer(current_user)
            or current_user.id == consortium.lead_id)
    if ConfirmForm().validate_on_submit():
        outcome = attempt(lambda: operations.start_eoi(consortium, funding_round,
                                                       by=current_user))
        if outcome.ok:
            flash("Expression of interest started. Work through the sections in any order.",
                  "success")
            assert outcome.result is not None  # start_eoi returns the EOI
            return redirect(_to_eoi(outcome.result))
        explain(outcome)
    return redirect(url_for("consortia.show", consortium_id=consortium.id))


@eois_bp.get("/<int:eoi_id>")
@login_required
def show(eoi_id: int):
    eoi = _eoi(eoi_id)
    now = clock.now()
    sections = eoi.ordered_sections
    return render_template(
        "eois/show.html", title=str(eoi.consortium.name), eoi=eoi, sections=sections,
        titles={s.key: s.title for s in SECTIONS}, task_status=operations.task_status,
        problems=operations.submission_problems(eoi, now) if eoi.status is EoiStatus.draft
        else [], EoiStatus=EoiStatus, confirm=ConfirmForm(),
    )


def _section_page(eoi: Eoi, key: str, form, section, **extra):
    return render_template(
        "eois/section.html", title=SECTIONS_BY_KEY[key].title, eoi=eoi, form=form,
        section=section, spec=SECTIONS_BY_KEY[key], **extra)


@eois_bp.route("/<int:eoi_id>/sections/<key>", methods=["GET", "POST"])
@login_required
def section(eoi_id: int, key: str):
    eoi = _eoi(eoi_id)
    if key not in SECTIONS_BY_KEY:
        abort(404)
    require(eoi.can_edit(current_user))
    current = eoi.section(key)
    form = section_form(eoi, key, formdata=request.form if request.method == "POST" else None)
    extra = _section_context(eoi, key)
    if request.method == "GET":
        form.fill(current.content)
        form.version.data = current.version
        form.complete.data = "yes" if current.is_complete else None
        return _section_page(eoi, key, form, current, **extra)
    if not form.validate():
        return _section_page(eoi, key, form, current, **extra)
    outcome = attempt(lambda: operations.save_section(
        eoi, key, form.content(), mark_complete=form.complete.data == "yes", by=current_user,
        expected_version=form.version.data))
    if outcome.ok:
        flash(f"{SECTIONS_BY_KEY[key].title} saved.", "success")
        return redirect(_to_eoi(eoi))
    if outcome.conflict:
        return _conflict_page(eoi, key, form)
    if isinstance(outcome.refusal, operations.SectionIncomplete):
        for field_name, message in outcome.refusal.problems.items():
            target = getattr(form, field_name, None) or form.complete
            target.errors = [*target.errors, message]
    else:
        explain(outcome, form)
    return _section_page(eoi, key, form, current, **extra)


# What a section form posts besides the answers themselves.
_NOT_ANSWERS = {"csrf_token", "version", "complete", "submit", "choice"}


def _conflict_page(eoi: Eoi, key: str, form):
    """Both versions side by side: theirs as saved now, and this person's as they typed it,
    which the page posts again, field by field, if they choose to keep it."""
    current = eoi.section(key)
    db.session.refresh(current)
    return render_template(
        "eois/conflict.html", title="Someone else saved this section", eoi=eoi,
        spec=SECTIONS_BY_KEY[key], theirs=current.content, mine=form.content(),
        theirs_by=current.updated_by, theirs_at=current.updated_at,
        mine_fields=[(name, request.form.getlist(name)) for name in request.form
                     if name not in _NOT_ANSWERS],
        version=current.version, conflict_form=ConflictForm(), labels=_labels(form)), 409


def _labels(form) -> dict[str, str]:
    return {name: field.label.text for name, field in form._fields.items()}


@eois_bp.post("/<int:eoi_id>/sections/<key>/resolve")
@login_required
def resolve(eoi_id: int, key: str):
    """The second person chose between their version and the one saved meanwhile. Their
    version comes back as the section form's own fields, and goes through the same checks
    as any save of that form."""
    eoi = _eoi(eoi_id)
    if key not in SECTIONS_BY_KEY:
        abort(404)
    require(eoi.can_edit(current_user))
    choice = ConflictForm()
    if not (choice.validate_on_submit() and choice.choice.data == "mine"):
        return redirect(url_for("eois.section", eoi_id=eoi.id, key=key))
    posted = request.form.copy()
    posted.setlist("complete", ["no"])  # kept as a draft: they check it, then complete it
    form = section_form(eoi, key, formdata=posted)
    if not form.validate():
        return _section_page(eoi, key, form, eoi.section(key), **_section_context(eoi, key))
    outcome = attempt(lambda: operations.save_section(
        eoi, key, form.content(), mark_complete=False, by=current_user,
        expected_version=form.version.data))
    if outcome.ok:
        flash(f"Your version of {SECTIONS_BY_KEY[key].title.lower()} is saved. Check it "
              "and mark it complete when it is ready.", "success")
    elif outcome.conflict:
        flash("The section changed again. Here is the latest version.", "important")
    else:
        explain(outcome, form)
    return redirect(url_for("eois.section", eoi_id=eoi.id, key=key))


# Budget -------------------------------------------------------------------------------------

def _funders(eoi: Eoi) -> list[Organisation]:
    mopac = db.session.scalars(select(Organisation).where(
        Organisation.type == OrganisationType.mopac)).all()
    pledgers = {p.funder for p in eoi.consortium.pledges if p.is_live}
    boroughs = {la.organisation for la in eoi.consortium.member_boroughs if la.organisation}
    others = sorted((pledgers | boroughs) - set(mopac), key=lambda o: o.name)
    return list(mopac) + others


def _saved_section_page(eoi: Eoi, key: str, **extra):
    """The section's page with its form as saved: shown again after a POST to one of the
    page's other forms (a budget line, an attachment) that needs correcting."""
    current = eoi.section(key)
    form = section_form(eoi, key)
    form.fill(current.content)
    form.version.data = current.version
    return _section_page(eoi, key, form, current, **extra)


def _typed_answers(eoi: Eoi, key: str):
    """The section's form as typed, when a button of one of the page's other forms posted it
    along (every control on a section's page belongs to the one form, so a button elsewhere
    on the page sends the answers too), or None when it was not posted."""
    if "version" not in request.form:
        return None
    form = section_form(eoi, key, formdata=request.form)
    form.validate()
    form.complete.errors = []  # whether it is complete is asked by Save, not by an upload
    return form


def _answers_with_problems(form) -> bool:
    return form is not None and any(field.errors for field in form)


def _saved_meanwhile(eoi: Eoi, key: str, typed) -> bool:
    """Whether someone saved the section after this person opened it: their typing then
    goes to the conflict page, not over the other person's answers."""
    return typed is not None and typed.version.data != eoi.section(key).version


def _button_keeping_answers(eoi: Eoi, key: str, act, success: str, anchor: str):
    """A button of one of a section page's other forms (remove a line, remove a file): `act`,
    with the answers typed beside it kept. Returns whether it happened, and the page to
    show."""
    typed = _typed_answers(eoi, key)
    if _answers_with_problems(typed):
        return False, _page_as_typed(eoi, key, typed, **_section_context(eoi, key))
    if _saved_meanwhile(eoi, key, typed):
        return False, _conflict_page(eoi, key, typed)
    outcome = attempt(_keeping_answers(eoi, key, typed, act))
    if outcome.ok:
        flash(success, "success")
    elif _about_the_answers(outcome, typed):
        explain(outcome, typed)
        return False, _page_as_typed(eoi, key, typed, **_section_context(eoi, key))
    else:
        explain(outcome)
    return outcome.ok, redirect(url_for("eois.section", eoi_id=eoi.id, key=key, _anchor=anchor))


def _about_the_answers(outcome, typed) -> bool:
    """Whether a refusal names one of the typed answers (the privacy guard finding a phone
    number in one, say), so it belongs beside that answer."""
    return typed is not None and any(hasattr(typed, name) for name in outcome.field_errors)


def _keeping_answers(eoi: Eoi, key: str, typed, act):
    """`act`, after the answers `typed` alongside it are kept as a draft, in one transaction:
    if either is refused, neither happens."""
    def keep_then_act():
        if typed is not None:
            operations.keep_typed_answers(eoi, key, typed.content(), by=current_user,
                                          expected_version=typed.version.data)
        return act()
    return keep_then_act


def _page_as_typed(eoi: Eoi, key: str, typed, **extra):
    """The section's page after another of its forms failed: the answers as typed (still
    unsaved) where they were posted, else as saved."""
    if typed is None:
        return _saved_section_page(eoi, key, **extra)
    return _section_page(eoi, key, typed, eoi.section(key), **extra)


def _section_context(eoi: Eoi, key: str) -> dict:
    """What a section's page shows beside its questions: the budget's lines, the evidence's
    attachments."""
    if key == "budget":
        return _budget_context(eoi)
    if key == "need":
        return {"attachment_form": AttachmentForm(formdata=None)}
    return {}


def _budget_context(eoi: Eoi, line_form: BudgetLineForm | None = None) -> dict:
    line_form = line_form or BudgetLineForm(formdata=None)
    line_form.setup(eoi, _funders(eoi))
    return {"line_form": line_form, "reconciliation": operations.budget_reconciliation(eoi),
            "years": operations.round_years(eoi), "year_label": financial_year_label,
            "CostCategory": CostCategory}


@eois_bp.post("/<int:eoi_id>/budget/lines")
@login_required
def budget_line_add(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_edit(current_user))
    line_form = BudgetLineForm()
    line_form.setup(eoi, _funders(eoi))
    typed = _typed_answers(eoi, "budget")
    if _saved_meanwhile(eoi, "budget", typed):
        return _conflict_page(eoi, "budget", typed)
    if line_form.validate_on_submit() and not _answers_with_problems(typed):
        outcome = attempt(_keeping_answers(eoi, "budget", typed, lambda: operations.add_budget_line(
            eoi, financial_year=line_form.financial_year.data,
            category=CostCategory(line_form.category.data),
            funder=db.session.get_one(Organisation, line_form.funder_id.data),
            amount_pence=filled(line_form.amount.data), by=current_user)))
        if outcome.ok:
            flash("Added to the budget.", "success")
            return redirect(url_for("eois.section", eoi_id=eoi.id, key="budget",
                                    _anchor="budget-lines"))
        explain(outcome, typed if _about_the_answers(outcome, typed) else line_form)
    return _page_as_typed(eoi, "budget", typed, error_form=line_form if line_form.errors
                          else None, **_budget_context(eoi, line_form))


@eois_bp.post("/<int:eoi_id>/budget/lines/<int:line_id>/remove")
@login_required
def budget_line_remove(eoi_id: int, line_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_edit(current_user))
    line = load_or_404(BudgetLine, line_id)
    require(line.eoi_id == eoi.id)
    _, page = _button_keeping_answers(
        eoi, "budget", lambda: operations.remove_budget_line(line, by=current_user),
        "Removed from the budget.", "budget-lines")
    return page


# Attachments ---------------------------------------------------------------------------------

@eois_bp.post("/<int:eoi_id>/attachments")
@login_required
def attachment_add(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_edit(current_user))
    attachment_form = AttachmentForm()
    typed = _typed_answers(eoi, "need")
    if _saved_meanwhile(eoi, "need", typed):
        return _conflict_page(eoi, "need", typed)
    if not _answers_with_problems(typed):
        attachment = handle_upload(
            attachment_form, lambda name, content: _keeping_answers(
                eoi, "need", typed, lambda: operations.attach_file(
                    eoi, name, content, by=current_user))(),
            max_bytes=MAX_BYTES, beside=typed)
        if attachment is not None:
            flash(f"{attachment.filename} is attached.", "success")
            return redirect(url_for("eois.section", eoi_id=eoi.id, key="need",
                                    _anchor="attachments"))
    return _page_as_typed(eoi, "need", typed, attachment_form=attachment_form,
                          error_form=attachment_form if attachment_form.errors else None)


@eois_bp.post("/<int:eoi_id>/attachments/<int:attachment_id>/remove")
@login_required
def attachment_remove(eoi_id: int, attachment_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_edit(current_user))
    attachment = load_or_404(EoiAttachment, attachment_id)
    require(attachment.eoi_id == eoi.id)
    removed, page = _button_keeping_answers(
        eoi, "need", lambda: operations.remove_attachment(attachment, by=current_user),
        f"{attachment.filename} is removed.", "attachments")
    if removed:
        attachments.discard(attachment.stored_name)  # only once the database forgot it
    return page


@eois_bp.get("/<int:eoi_id>/attachments/<int:attachment_id>")
@login_required
def attachment_download(eoi_id: int, attachment_id: int):
    eoi = _eoi(eoi_id)
    attachment = load_or_404(EoiAttachment, attachment_id)
    if attachment.eoi_id != eoi.id:
        abort(404)
    return attachments.download_file(attachment)


# Reading and printing --------------------------------------------------------------------------

@eois_bp.get("/<int:eoi_id>/read")
@login_required
def read(eoi_id: int):
    eoi = _eoi(eoi_id)
    return render_template("eois/read.html", title=f"{eoi.consortium.name}: the whole EOI",
                           eoi=eoi, readings=read_eoi(eoi), budget=read_budget(eoi))


@eois_bp.get("/<int:eoi_id>/pdf")
@login_required
def pdf(eoi_id: int):
    eoi = _eoi(eoi_id)
    readings = read_eoi(eoi)
    project_title = (eoi.section("summary").content or {}).get("title")
    content = render_pdf(
        "eois/pdf.html", title=f"Expression of interest: {eoi.consortium.name}", eoi=eoi,
        readings=readings, budget=read_budget(eoi), project_title=project_title,
        printed_at=clock.now(), running_head=f"{eoi.reference or 'Draft'} · {eoi.consortium.name}")
    return pdf_response(content, f"{eoi.reference or f'eoi-{eoi.id}-draft'}.pdf")


# Submission and after -------------------------------------------------------------------------

@eois_bp.route("/<int:eoi_id>/submit", methods=["GET", "POST"])
@login_required
def submit(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_submit(current_user))
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: operations.submit_eoi(eoi, by=current_user, now=clock.now()))
        if outcome.ok:
            return redirect(url_for("eois.submitted", eoi_id=eoi.id))
        explain(outcome)
        return redirect(_to_eoi(eoi))
    return render_template("eois/submit.html", title="Submit the expression of interest",
                           eoi=eoi, problems=operations.submission_problems(eoi, clock.now()),
                           confirm=form)


@eois_bp.get("/<int:eoi_id>/submitted")
@login_required
def submitted(eoi_id: int):
    eoi = _eoi(eoi_id)
    if eoi.status is not EoiStatus.submitted:
        return redirect(_to_eoi(eoi))
    return render_template("eois/submitted.html", title="Expression of interest submitted",
                           eoi=eoi)


@eois_bp.post("/<int:eoi_id>/withdraw")
@login_required
def withdraw(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_withdraw(current_user))
    confirmed_action(lambda: operations.withdraw_eoi(eoi, by=current_user, now=clock.now()),
                     f"{eoi.reference} is withdrawn.")
    return redirect(_to_eoi(eoi))


@eois_bp.route("/<int:eoi_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_reopen(current_user))
    form = ReasonForm()
    return handle_form(
        form, lambda: operations.reopen_eoi(eoi, reason=form.reason.data, by=current_user),
        template="eois/reopen.html", success="The EOI is open for changes again.",
        next_url=_to_eoi, title="Reopen the expression of interest", eoi=eoi)


@eois_bp.route("/<int:eoi_id>/editors", methods=["GET", "POST"])
@login_required
def editors(eoi_id: int):
    eoi = _eoi(eoi_id)
    require(eoi.can_invite_editors(current_user))
    form = EditorForm()
    partner_orgs = [p.organisation_id for p in eoi.consortium.current_partners]
    people = db.session.scalars(select(User).where(
        User.organisation_id.in_(partner_orgs), User.is_active.is_(True))
        .order_by(User.full_name)).all() if partner_orgs else []
    form.user_id.choices = choices((u.id, f"{u.full_name}, {u.organisation.name}")
                                   for u in people if u.has_role(Role.partner))
    return handle_form(
        form, lambda: operations.invite_editor(eoi, db.session.get(User, form.user_id.data),
                                               by=current_user),
        template="eois/editors.html", success="They can now edit the EOI.",
        next_url=lambda _: url_for("eois.editors", eoi_id=eoi.id),
        title="People from partners who can edit", eoi=eoi)
