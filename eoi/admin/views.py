"""Fund managers' pages: accounts, organisations and London reference data."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eoi import clock
from eoi.accounts import joining, two_factor
from eoi.accounts import operations as accounts
from eoi.accounts.models import Invitation, InvitationStatus, Role, User
from eoi.admin import lists
from eoi.extensions import db
from eoi.forms.admin import (
    BcuForm,
    ConfirmForm,
    IndicatorForm,
    InvitationForm,
    LocalAuthorityForm,
    NewUserForm,
    OrganisationForm,
    OutcomeForm,
    PriorityForm,
    ResetPasswordForm,
    UserForm,
)
from eoi.forms.base import filled
from eoi.forms.fields import choices
from eoi.inputs import safe_next
from eoi.notifications import outbox
from eoi.notifications.models import Delivery, Notification
from eoi.pagination import page_number, paginate
from eoi.permissions import code_asked_again, fund_manager_only, load_or_404, require
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Outcome,
    Priority,
    PriorityKind,
)
from eoi.reference.operations import create_record, organisation_choices, update_record
from eoi.writes import confirmed_action, handle_form

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@admin_bp.get("")
@fund_manager_only
def index():
    """The fund team's administration, one entry in the navigation for its four parts."""
    return render_template("admin/index.html", title="Administration")


def _form_values(form, *fields) -> dict:
    return {field: getattr(form, field).data for field in fields}


# Accounts ------------------------------------------------------------------


@admin_bp.get("/users")
@fund_manager_only
def users():
    filters = lists.user_filters(request.args)
    return render_template(
        "admin/users.html",
        title="Users",
        page=paginate(lists.users_query(filters), page_number(request.args)),
        filters=filters,
        organisations=lists.organisation_options(),
        max_search=lists.MAX_SEARCH,
        Role=Role,
    )


@admin_bp.route("/users/new", methods=["GET", "POST"])
@fund_manager_only
def user_new():
    form = NewUserForm()
    form.organisation_id.choices = choices(organisation_choices())

    def save():
        return accounts.create_user(
            email=filled(form.email.data),
            full_name=form.full_name.data,
            organisation=db.session.get_one(Organisation, form.organisation_id.data),
            roles=form.role_set(),
            password=form.password.data,
            by=current_user,
        )

    return handle_form(
        form,
        save,
        template="admin/user_new.html",
        success="Account created. Tell the person their email address and initial password.",
        next_url=lambda user: url_for("admin.user_edit", user_id=user.id),
        title="Add a user",
    )


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@fund_manager_only
def user_edit(user_id: int):
    user = load_or_404(User, user_id)
    # Roles decide what a person sees: changing them asks for a recent code.
    if asked := code_asked_again(url_for("admin.user_edit", user_id=user.id)):
        return asked
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = [role.value for role in user.roles]
    form.organisation_id.choices = choices(organisation_choices())

    def save():
        return accounts.update_user(
            user,
            full_name=form.full_name.data,
            organisation=db.session.get_one(Organisation, form.organisation_id.data),
            roles=form.role_set(),
            by=current_user,
            expected_version=form.version.data,
        )

    return handle_form(
        form,
        save,
        template="admin/user_edit.html",
        success="Account saved.",
        next_url=lambda saved: url_for("admin.user_edit", user_id=saved.id),
        record=user,
        conflict_fields=["full_name", "organisation_id", "roles"],
        title=f"Edit {user.full_name}",
        user=user,
        confirm=ConfirmForm(formdata=None, obj=user),
    )


@admin_bp.post("/users/<int:user_id>/active")
@fund_manager_only
def user_set_active(user_id: int):
    user = load_or_404(User, user_id)
    make_active = request.form.get("active") == "1"
    confirmed_action(lambda: accounts.set_user_active(user, make_active, by=current_user),
                     f"{user.full_name}'s account is now "
                     f"{'active' if make_active else 'deactivated'}.")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.post("/users/<int:user_id>/two-factor-reset")
@fund_manager_only
def user_two_factor_reset(user_id: int):
    user = load_or_404(User, user_id)
    if asked := code_asked_again(url_for("admin.user_edit", user_id=user.id)):
        return asked
    confirmed_action(lambda: two_factor.turn_off(user, by=current_user),
                     f"{user.full_name}'s two-factor sign-in is reset, and they are signed out. "
                     "They sign in with their password alone, and set it up again if their "
                     "roles need it.")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@fund_manager_only
def user_password(user_id: int):
    user = load_or_404(User, user_id)
    form = ResetPasswordForm()

    def save():
        accounts.set_password(user, form.password.data, by=current_user)
        return user

    return handle_form(
        form,
        save,
        template="admin/user_password.html",
        success=f"Password set. Tell {user.full_name} their new password.",
        next_url=lambda saved: url_for("admin.user_edit", user_id=saved.id),
        title=f"Set a new password for {user.full_name}",
        user=user,
    )


# Invitations -----------------------------------------------------------------


@admin_bp.get("/invitations")
@fund_manager_only
def invitations():
    query = (select(Invitation).options(joinedload(Invitation.organisation))
             .where(Invitation.status == InvitationStatus.pending)
             .order_by(Invitation.sent_at.desc(), Invitation.id.desc()))
    return render_template("admin/invitations.html", title="Invitations",
                           page=paginate(query, page_number(request.args)),
                           now=clock.now(), confirm=ConfirmForm(formdata=None))


@admin_bp.route("/invitations/new", methods=["GET", "POST"])
@fund_manager_only
def invitation_new():
    form = InvitationForm()
    form.organisation_id.choices = choices(organisation_choices())

    def save():
        return joining.invite(
            email=filled(form.email.data), full_name=form.full_name.data,
            organisation=db.session.get_one(Organisation, form.organisation_id.data),
            roles=form.role_set(), by=current_user)

    return handle_form(
        form, save, template="admin/invitation_new.html",
        success="Invitation sent. The link in it works for 7 days.",
        next_url=lambda invitation: url_for("admin.invitations"), title="Invite a person")


# Resending and withdrawing are for whoever sent the invitation too (a lead commissioner
# inviting their partner's staff), who returns to the page they came from.


@admin_bp.post("/invitations/<int:invitation_id>/resend")
@login_required
def invitation_resend(invitation_id: int):
    return _invitation_changed(invitation_id, joining.resend_invitation, lambda invitation: (
        f"Invitation sent to {invitation.email} again. The earlier link no longer works."))


@admin_bp.post("/invitations/<int:invitation_id>/withdraw")
@login_required
def invitation_withdraw(invitation_id: int):
    return _invitation_changed(invitation_id, joining.withdraw_invitation, lambda invitation: (
        f"Invitation of {invitation.full_name} withdrawn. Its link no longer works."))


def _invitation_changed(invitation_id: int, change, said):
    invitation = load_or_404(Invitation, invitation_id)
    require(invitation.can_manage(current_user))
    confirmed_action(lambda: change(invitation, by=current_user,
                                    expected_version=ConfirmForm().version.data),
                     said(invitation))
    return redirect(_back_to(request.form.get("back")))


def _back_to(page: str | None) -> str:
    return safe_next(page) or url_for("admin.invitations")


# Emails the service sends ------------------------------------------------------


@admin_bp.get("/notifications")
@fund_manager_only
def notifications():
    """Messages not sent yet, and those that failed: what the fund team needs to see."""
    shown = request.args.get("delivery", "")
    delivery = Delivery(shown) if shown in {d.value for d in Delivery} else Delivery.failed
    query = (select(Notification).where(Notification.delivery == delivery)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    counts = dict(db.session.execute(
        select(Notification.delivery, func.count()).group_by(Notification.delivery)).all())
    return render_template("admin/notifications.html", title="Emails",
                           page=paginate(query, page_number(request.args)), delivery=delivery,
                           counts=counts, Delivery=Delivery, confirm=ConfirmForm(formdata=None))


@admin_bp.post("/notifications/<int:notification_id>/retry")
@fund_manager_only
def notification_retry(notification_id: int):
    notification = load_or_404(Notification, notification_id)
    confirmed_action(lambda: outbox.try_again(notification, by=current_user),
                     f"The email to {notification.email} will be sent again.")
    return redirect(url_for("admin.notifications"))


# Organisations ---------------------------------------------------------------

_ORGANISATION_FIELDS = ("name", "type", "org_id", "charity_number", "company_number",
                        "is_archived")


@admin_bp.get("/organisations")
@fund_manager_only
def organisations():
    type_value = lists.organisation_type(request.args)
    return render_template(
        "admin/organisations.html",
        title="Organisations",
        page=paginate(lists.organisations_query(type_value), page_number(request.args)),
        type_value=type_value,
        arguments={"type": type_value} if type_value else {},
        OrganisationType=OrganisationType,
    )


def _organisation_values(form) -> dict:
    values = _form_values(form, *_ORGANISATION_FIELDS)
    values["type"] = OrganisationType(values["type"])
    return values


@admin_bp.route("/organisations/new", methods=["GET", "POST"])
@fund_manager_only
def organisation_new():
    form = OrganisationForm()
    return handle_form(
        form,
        lambda: create_record(Organisation, _organisation_values(form), by=current_user,
                              unique=("name",) + (("org_id",) if form.org_id.data else ())),
        template="admin/organisation_form.html",
        success="Organisation added.",
        next_url=lambda org: url_for("admin.organisations"),
        title="Add an organisation",
    )


@admin_bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@fund_manager_only
def organisation_edit(organisation_id: int):
    organisation = load_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if request.method == "GET":
        form.type.data = organisation.type.value
    return handle_form(
        form,
        lambda: update_record(
            organisation, _organisation_values(form), by=current_user,
            expected_version=form.version.data,
            unique=("name",) + (("org_id",) if form.org_id.data else ()),
        ),
        template="admin/organisation_form.html",
        success="Organisation saved.",
        next_url=lambda org: url_for("admin.organisations"),
        record=organisation,
        conflict_fields=list(_ORGANISATION_FIELDS),
        title=f"Edit {organisation.name}",
    )


# Reference data ----------------------------------------------------------------


@admin_bp.get("/reference")
@fund_manager_only
def reference():
    return render_template(
        "admin/reference.html",
        title="Reference data",
        bcus=db.session.scalars(select(BasicCommandUnit).order_by(BasicCommandUnit.name)).all(),
        local_authorities=db.session.scalars(
            select(LocalAuthority).order_by(LocalAuthority.gss_code)
        ).all(),
        priorities=db.session.scalars(
            select(Priority).order_by(Priority.kind, Priority.position, Priority.id)
        ).all(),
        outcomes=db.session.scalars(select(Outcome).order_by(Outcome.position, Outcome.id)).all(),
        PriorityKind=PriorityKind,
    )


@admin_bp.route("/reference/bcus/<int:bcu_id>", methods=["GET", "POST"])
@fund_manager_only
def reference_bcu_edit(bcu_id: int):
    bcu = load_or_404(BasicCommandUnit, bcu_id)
    form = BcuForm(obj=bcu if request.method == "GET" else None)
    return handle_form(
        form,
        lambda: update_record(bcu, _form_values(form, "name"), by=current_user,
                              expected_version=form.version.data, unique=("name",)),
        template="admin/reference_form.html",
        success="Basic Command Unit saved.",
        next_url=lambda saved: url_for("admin.reference", _anchor="bcus"),
        record=bcu,
        conflict_fields=["name"],
        title=f"Edit the {bcu.name} Basic Command Unit",
        back=url_for("admin.reference", _anchor="bcus"),
    )


@admin_bp.route("/reference/local-authorities/<int:local_authority_id>", methods=["GET", "POST"])
@fund_manager_only
def reference_local_authority_edit(local_authority_id: int):
    local_authority = load_or_404(LocalAuthority, local_authority_id)
    form = LocalAuthorityForm(obj=local_authority if request.method == "GET" else None)
    if request.method == "GET":
        form.bcu_id.data = local_authority.bcu_id or 0
    bcus = db.session.scalars(select(BasicCommandUnit).order_by(BasicCommandUnit.name))
    form.bcu_id.choices = choices([(0, "None (not policed by the Metropolitan Police)")]
                                  + [(bcu.id, bcu.name) for bcu in bcus])
    return handle_form(
        form,
        lambda: update_record(local_authority, {"bcu_id": form.bcu_id.data or None},
                              by=current_user, expected_version=form.version.data),
        template="admin/reference_form.html",
        success=f"{local_authority.name} saved.",
        next_url=lambda saved: url_for("admin.reference", _anchor="local-authorities"),
        record=local_authority,
        conflict_fields=["bcu_id"],
        title=f"Edit {local_authority.name}",
        caption=f"{local_authority.official_name}, {local_authority.gss_code}",
        back=url_for("admin.reference", _anchor="local-authorities"),
    )


_PRIORITY_FIELDS = ("kind", "title", "description", "position", "is_archived")


def _priority_values(form) -> dict:
    values = _form_values(form, *_PRIORITY_FIELDS)
    values["kind"] = PriorityKind(values["kind"])
    return values


@admin_bp.route("/reference/priorities/new", methods=["GET", "POST"])
@fund_manager_only
def reference_priority_new():
    form = PriorityForm()
    return handle_form(
        form,
        lambda: create_record(Priority, _priority_values(form), by=current_user,
                              unique=("title",), scope=("kind",)),
        template="admin/reference_form.html",
        success="Priority added.",
        next_url=lambda saved: url_for("admin.reference", _anchor="priorities"),
        title="Add a priority or theme",
        back=url_for("admin.reference", _anchor="priorities"),
    )


@admin_bp.route("/reference/priorities/<int:priority_id>", methods=["GET", "POST"])
@fund_manager_only
def reference_priority_edit(priority_id: int):
    priority = load_or_404(Priority, priority_id)
    form = PriorityForm(obj=priority if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = priority.kind.value
    return handle_form(
        form,
        lambda: update_record(priority, _priority_values(form), by=current_user,
                              expected_version=form.version.data,
                              unique=("title",), scope=("kind",)),
        template="admin/reference_form.html",
        success="Priority saved.",
        next_url=lambda saved: url_for("admin.reference", _anchor="priorities"),
        record=priority,
        conflict_fields=list(_PRIORITY_FIELDS),
        title=f"Edit {priority.title}",
        back=url_for("admin.reference", _anchor="priorities"),
    )


_OUTCOME_FIELDS = ("title", "description", "position", "is_archived")


@admin_bp.route("/reference/outcomes/new", methods=["GET", "POST"])
@fund_manager_only
def reference_outcome_new():
    form = OutcomeForm()
    return handle_form(
        form,
        lambda: create_record(Outcome, _form_values(form, *_OUTCOME_FIELDS), by=current_user,
                              unique=("title",)),
        template="admin/reference_form.html",
        success="Outcome added. Now add its indicators.",
        next_url=lambda saved: url_for("admin.reference_outcome_edit", outcome_id=saved.id),
        title="Add an outcome",
        back=url_for("admin.reference", _anchor="outcomes"),
    )


@admin_bp.route("/reference/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@fund_manager_only
def reference_outcome_edit(outcome_id: int):
    outcome = load_or_404(Outcome, outcome_id)
    form = OutcomeForm(obj=outcome if request.method == "GET" else None)
    return handle_form(
        form,
        lambda: update_record(outcome, _form_values(form, *_OUTCOME_FIELDS), by=current_user,
                              expected_version=form.version.data, unique=("title",)),
        template="admin/outcome_edit.html",
        success="Outcome saved.",
        next_url=lambda saved: url_for("admin.reference", _anchor="outcomes"),
        record=outcome,
        conflict_fields=list(_OUTCOME_FIELDS),
        title=f"Edit {outcome.title}",
        outcome=outcome,
        back=url_for("admin.reference", _anchor="outcomes"),
    )


_INDICATOR_FIELDS = ("name", "unit", "definition", "position", "is_archived")


@admin_bp.route("/reference/outcomes/<int:outcome_id>/indicators/new", methods=["GET", "POST"])
@fund_manager_only
def reference_indicator_new(outcome_id: int):
    outcome = load_or_404(Outcome, outcome_id)
    form = IndicatorForm()
    return handle_form(
        form,
        lambda: create_record(
            Indicator, {"outcome_id": outcome.id, **_form_values(form, *_INDICATOR_FIELDS)},
            by=current_user, unique=("name",), scope=("outcome_id",),
        ),
        template="admin/reference_form.html",
        success="Indicator added.",
        next_url=lambda saved: url_for("admin.reference_outcome_edit", outcome_id=outcome.id),
        title="Add an indicator",
        caption=outcome.title,
        back=url_for("admin.reference_outcome_edit", outcome_id=outcome.id),
    )


@admin_bp.route("/reference/indicators/<int:indicator_id>", methods=["GET", "POST"])
@fund_manager_only
def reference_indicator_edit(indicator_id: int):
    indicator = load_or_404(Indicator, indicator_id)
    form = IndicatorForm(obj=indicator if request.method == "GET" else None)
    return handle_form(
        form,
        lambda: update_record(indicator, _form_values(form, *_INDICATOR_FIELDS),
                              by=current_user, expected_version=form.version.data,
                              unique=("name",), scope=("outcome_id",)),
        template="admin/reference_form.html",
        success="Indicator saved.",
        next_url=lambda saved: url_for("admin.reference_outcome_edit",
                                       outcome_id=saved.outcome_id),
        record=indicator,
        conflict_fields=list(_INDICATOR_FIELDS),
        title=f"Edit {indicator.name}",
        caption=indicator.outcome.title,
        back=url_for("admin.reference_outcome_edit", outcome_id=indicator.outcome_id),
    )
