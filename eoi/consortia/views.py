"""Consortia, their members, lead, partners and pledges; and the lead commissioner register."""


from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from eoi import clock
from eoi.accounts import joining
from eoi.accounts.models import User
from eoi.audit.models import AuditEntry
from eoi.consortia import operations
from eoi.consortia.budget import PledgeLine, pooled_budget
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    ConsortiumPartner,
    LeadInterest,
    MembershipStatus,
    PartnerRole,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Seniority,
)
from eoi.consortia.spans import bcu_spans, span_warnings
from eoi.eois.models import Eoi
from eoi.extensions import db
from eoi.forms.base import filled
from eoi.forms.consortia import (
    ConsortiumForm,
    InviteForm,
    LeadForm,
    LeadInterestForm,
    PartnerForm,
    PartnerInvitationForm,
    PledgeForm,
    PledgeSignOffForm,
    PledgeStatusForm,
)
from eoi.forms.fields import choices
from eoi.inputs import id_from
from eoi.money import financial_year_label, financial_year_of
from eoi.pagination import page_number, paginate
from eoi.permissions import load_or_404, permission_required, require
from eoi.reference.models import (
    BasicCommandUnit,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Priority,
    PriorityKind,
)
from eoi.reference.operations import organisation_choices
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.writes import confirmed_action, handle_form

consortia_bp = Blueprint("consortia", __name__)

signed_in_viewer = permission_required(lambda user: user.can_view_consortia())


def _consortium(consortium_id: int) -> Consortium:
    consortium = load_or_404(Consortium, consortium_id)
    require(consortium.can_view(current_user))
    return consortium


def _consortium_page(consortium_id: int) -> Consortium:
    """The consortium with all its page shows, loaded together."""
    consortium = db.session.scalar(
        select(Consortium).where(Consortium.id == consortium_id).options(
            joinedload(Consortium.lead).joinedload(User.organisation)
            .joinedload(Organisation.local_authority),
            selectinload(Consortium.memberships).joinedload(ConsortiumMembership.local_authority)
            .joinedload(LocalAuthority.bcu).selectinload(BasicCommandUnit.local_authorities),
            selectinload(Consortium.partners).joinedload(ConsortiumPartner.organisation),
            selectinload(Consortium.pledges).joinedload(Pledge.funder)))
    if consortium is None:
        abort(404)
    require(consortium.can_view(current_user))
    return consortium


def _to_consortium(consortium: Consortium, anchor: str | None = None):
    return url_for("consortia.show", consortium_id=consortium.id, _anchor=anchor)


@consortia_bp.get("/consortia")
@signed_in_viewer
def index():
    consortia = paginate(
        Consortium.visible_to(current_user)
        .options(joinedload(Consortium.lead), selectinload(Consortium.memberships)
                 .joinedload(ConsortiumMembership.local_authority))
        .order_by(Consortium.name, Consortium.id), page_number(request.args))
    borough = current_user.borough
    invitations = db.session.scalars(
        select(ConsortiumMembership).join(ConsortiumMembership.consortium)
        .where(ConsortiumMembership.local_authority_id == borough.id,
               ConsortiumMembership.status == MembershipStatus.invited,
               Consortium.id.in_(Consortium.visible_to(current_user)
                                 .with_only_columns(Consortium.id)))
        .options(joinedload(ConsortiumMembership.consortium).joinedload(Consortium.lead))
        .order_by(Consortium.name)).all() if borough else []
    return render_template("consortia/index.html", title="Consortia", consortia=consortia,
                           invitations=invitations)


@consortia_bp.route("/consortia/new", methods=["GET", "POST"])
@permission_required(lambda user: user.can_form_consortium())
def new():
    form = ConsortiumForm()
    return handle_form(
        form,
        lambda: operations.create_consortium(name=form.name.data, purpose=form.purpose.data,
                                             by=current_user),
        template="consortia/form.html",
        success="Consortium formed. You are its lead commissioner: now invite other boroughs.",
        next_url=_to_consortium,
        title="Form a consortium",
    )


@consortia_bp.get("/consortia/<int:consortium_id>")
@signed_in_viewer
def show(consortium_id: int):
    consortium = _consortium_page(consortium_id)
    budget = pooled_budget([
        PledgeLine(funder=p.funder.name, financial_year=p.financial_year,
                   amount_pence=p.amount_pence, is_mopac=p.funder.type is OrganisationType.mopac,
                   is_live=p.is_live)
        for p in consortium.pledges
    ])
    pledge_ids = [p.id for p in consortium.pledges]
    history = db.session.scalars(
        select(AuditEntry).where(or_(
            (AuditEntry.subject_type == "Consortium") & (AuditEntry.subject_id == consortium.id),
            (AuditEntry.subject_type == "Pledge") & AuditEntry.subject_id.in_(pledge_ids),
        )).options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).all()
    borough = current_user.borough
    eois = db.session.scalars(
        Eoi.visible_to(current_user).where(Eoi.consortium_id == consortium.id)
        .options(joinedload(Eoi.funding_round)).order_by(Eoi.id)).all()
    started = set(db.session.scalars(select(Eoi.round_id).where(
        Eoi.consortium_id == consortium.id)))
    open_rounds = db.session.scalars(
        select(FundingRound).where(FundingRound.status == RoundStatus.open)
        .order_by(FundingRound.closes_at)).all()
    can_start = consortium.is_member_officer(current_user) or (
        current_user.id == consortium.lead_id)
    startable = [r for r in open_rounds if r.id not in started] if can_start else []
    return render_template(
        "consortia/show.html",
        eois=eois,
        startable_rounds=startable,
        title=consortium.name,
        consortium=consortium,
        spans=bcu_spans(consortium.member_boroughs),
        warnings=span_warnings(consortium.member_boroughs),
        budget=budget,
        history=history,
        own_membership=consortium.membership_for(borough.id if borough else None),
        year_label=financial_year_label,
        MembershipStatus=MembershipStatus,
        PledgeStatus=PledgeStatus,
        partner_invitations=joining.invitations_for_partners(consortium)
        if consortium.can_manage(current_user) else [],
        now=clock.now(),
    )


@consortia_bp.route("/consortia/<int:consortium_id>/edit", methods=["GET", "POST"])
@signed_in_viewer
def edit(consortium_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    form = ConsortiumForm(obj=consortium if request.method == "GET" else None)
    return handle_form(
        form,
        lambda: operations.update_consortium(consortium, name=form.name.data,
                                             purpose=form.purpose.data, by=current_user,
                                             expected_version=form.version.data),
        template="consortia/form.html",
        success="Consortium saved.",
        next_url=_to_consortium,
        record=consortium,
        conflict_fields=["name", "purpose"],
        title=f"Edit {consortium.name}",
        consortium=consortium,
    )


@consortia_bp.route("/consortia/<int:consortium_id>/invite", methods=["GET", "POST"])
@signed_in_viewer
def invite(consortium_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    taken = {m.local_authority_id for m in consortium.memberships
             if m.status in (MembershipStatus.invited, MembershipStatus.accepted)}
    boroughs = db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)).all()
    form = InviteForm()
    form.boroughs.choices = choices(
        (la.id, la.name + (f" ({la.bcu.name} BCU)" if la.bcu else ""))
        for la in boroughs if la.id not in taken
    )

    def save():
        for borough_id in filled(form.boroughs.data):
            operations.invite_borough(consortium, db.session.get_one(LocalAuthority, borough_id),
                                      by=current_user)
        return consortium

    return handle_form(form, save, template="consortia/invite.html",
                       success="Invitations sent. Each borough's commissioners can now accept.",
                       next_url=lambda c: _to_consortium(c, "members"),
                       title="Invite boroughs", consortium=consortium)


def _membership(consortium_id: int, membership_id: int) -> ConsortiumMembership:
    membership = load_or_404(ConsortiumMembership, membership_id)
    if membership.consortium_id != consortium_id:
        abort(404)
    require(membership.can_respond(current_user))
    return membership


def _membership_action(consortium_id: int, membership_id: int, act, done: str):
    membership = _membership(consortium_id, membership_id)
    confirmed_action(lambda: act(membership),
                     done.format(borough=membership.local_authority.name))
    return redirect(_to_consortium(membership.consortium, "members"))


@consortia_bp.post("/consortia/<int:consortium_id>/memberships/<int:membership_id>/accept")
@signed_in_viewer
def accept(consortium_id: int, membership_id: int):
    return _membership_action(
        consortium_id, membership_id,
        lambda m: operations.respond_to_invitation(m, accept=True, by=current_user),
        "{borough} is now a member of this consortium.")


@consortia_bp.post("/consortia/<int:consortium_id>/memberships/<int:membership_id>/decline")
@signed_in_viewer
def decline(consortium_id: int, membership_id: int):
    return _membership_action(
        consortium_id, membership_id,
        lambda m: operations.respond_to_invitation(m, accept=False, by=current_user),
        "You declined the invitation for {borough}.")


@consortia_bp.post("/consortia/<int:consortium_id>/memberships/<int:membership_id>/leave")
@signed_in_viewer
def leave(consortium_id: int, membership_id: int):
    return _membership_action(
        consortium_id, membership_id,
        lambda m: operations.leave_consortium(m, by=current_user),
        "{borough} has left this consortium.")


@consortia_bp.route("/consortia/<int:consortium_id>/lead", methods=["GET", "POST"])
@signed_in_viewer
def lead(consortium_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    form = LeadForm(obj=consortium if request.method == "GET" else None)
    candidates = operations.lead_candidates(consortium)
    form.lead_id.choices = choices(
        (u.id, f"{u.full_name}, {u.organisation.name}") for u in candidates
    )
    return handle_form(
        form,
        lambda: operations.change_lead(consortium, db.session.get_one(User, form.lead_id.data),
                                       reason=form.reason.data, by=current_user,
                                       expected_version=form.version.data),
        template="consortia/lead.html",
        success="Lead commissioner changed.",
        next_url=_to_consortium,
        record=consortium,
        conflict_fields=["lead_id"],
        title="Change the lead commissioner",
        consortium=consortium,
        candidates=candidates,
    )


@consortia_bp.route("/consortia/<int:consortium_id>/partners/new", methods=["GET", "POST"])
@signed_in_viewer
def partner_new(consortium_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    form = PartnerForm()
    form.organisation_id.choices = choices(organisation_choices())
    return handle_form(
        form,
        lambda: operations.add_partner(
            consortium, db.session.get_one(Organisation, form.organisation_id.data),
            PartnerRole(form.role.data), by=current_user),
        template="consortia/form.html",
        success="Partner added.",
        next_url=lambda partner: _to_consortium(consortium, "partners"),
        title="Add a partner",
        consortium=consortium,
    )


@consortia_bp.route("/consortia/<int:consortium_id>/partners/<int:partner_id>/invite",
                    methods=["GET", "POST"])
@signed_in_viewer
def partner_invite(consortium_id: int, partner_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    partner = load_or_404(ConsortiumPartner, partner_id)
    require(partner.consortium_id == consortium.id and not partner.is_removed)
    form = PartnerInvitationForm()
    return handle_form(
        form,
        lambda: joining.invite_partner_staff(partner, email=filled(form.email.data),
                                             full_name=form.full_name.data, by=current_user),
        template="consortia/partner_invite.html",
        success="Invitation sent. The link in it works for 7 days.",
        next_url=lambda invitation: _to_consortium(consortium, "partners"),
        title=f"Invite someone from {partner.organisation.name}",
        consortium=consortium, partner=partner)


@consortia_bp.post("/consortia/<int:consortium_id>/partners/<int:partner_id>/remove")
@signed_in_viewer
def partner_remove(consortium_id: int, partner_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_manage(current_user))
    partner = load_or_404(ConsortiumPartner, partner_id)
    require(partner.consortium_id == consortium.id)
    confirmed_action(lambda: operations.remove_partner(partner, by=current_user),
                     f"{partner.organisation.name} is no longer a partner.")
    return redirect(_to_consortium(consortium, "partners"))


def _year_choices(extra: int | None = None):
    this_year = financial_year_of(clock.today())
    years = set(range(this_year - 1, this_year + 5)) | ({extra} if extra else set())
    return choices((year, financial_year_label(year)) for year in sorted(years))


@consortia_bp.route("/consortia/<int:consortium_id>/pledges/new", methods=["GET", "POST"])
@signed_in_viewer
def pledge_new(consortium_id: int):
    consortium = _consortium(consortium_id)
    require(consortium.can_pledge(current_user))
    form = PledgeForm()
    form.funder_id.choices = choices((o.id, o.name)
                                     for o in consortium.pledge_funders_for(current_user))
    form.financial_year.choices = _year_choices()
    return handle_form(
        form,
        lambda: operations.record_pledge(
            consortium, funder=db.session.get_one(Organisation, form.funder_id.data),
            financial_year=form.financial_year.data, amount_pence=filled(form.amount.data),
            kind=PledgeKind(form.kind.data), by=current_user),
        template="consortia/pledge_form.html",
        success="Pledge proposed. The funder confirms it when it is agreed.",
        next_url=lambda pledge: _to_consortium(consortium, "pledges"),
        title="Add a pledge",
        consortium=consortium,
    )


def _pledge(consortium_id: int, pledge_id: int) -> Pledge:
    consortium = _consortium(consortium_id)
    pledge = load_or_404(Pledge, pledge_id)
    require(pledge.consortium_id == consortium.id)
    return pledge


@consortia_bp.route("/consortia/<int:consortium_id>/pledges/<int:pledge_id>",
                    methods=["GET", "POST"])
@signed_in_viewer
def pledge_edit(consortium_id: int, pledge_id: int):
    pledge = _pledge(consortium_id, pledge_id)
    require(pledge.can_edit(current_user))
    form = PledgeForm(obj=pledge if request.method == "GET" else None)
    if request.method == "GET":
        form.amount.data, form.kind.data = pledge.amount_pence, pledge.kind.value
    form.funder_id.choices = choices([(pledge.funder_id, pledge.funder.name)])
    form.funder_id.data = pledge.funder_id
    form.financial_year.choices = _year_choices(pledge.financial_year)
    return handle_form(
        form,
        lambda: operations.update_pledge(
            pledge, financial_year=form.financial_year.data,
            amount_pence=filled(form.amount.data),
            kind=PledgeKind(form.kind.data), by=current_user,
            expected_version=form.version.data),
        template="consortia/pledge_form.html",
        success="Pledge saved.",
        next_url=lambda saved: _to_consortium(saved.consortium, "pledges"),
        record=pledge,
        conflict_fields=["financial_year", "amount_pence", "kind"],
        title=f"Change the pledge from {pledge.funder.name}",
        consortium=pledge.consortium,
        pledge=pledge,
    )


@consortia_bp.route("/consortia/<int:consortium_id>/pledges/<int:pledge_id>/status",
                    methods=["GET", "POST"])
@signed_in_viewer
def pledge_status(consortium_id: int, pledge_id: int):
    pledge = _pledge(consortium_id, pledge_id)
    # Sign-off has its own page (pledge_sign_off): here, confirm or withdraw.
    allowed = [
        status for status in operations.PLEDGE.allowed(pledge.status)
        if (pledge.can_withdraw(current_user) if status is PledgeStatus.withdrawn
            else pledge.can_confirm(current_user) and pledge.status is not PledgeStatus.signing
            and status is not PledgeStatus.signing)
    ]
    require(bool(allowed))
    form = PledgeStatusForm(obj=pledge if request.method == "GET" else None)
    form.status.data = None if request.method == "GET" else form.status.data
    form.status.choices = choices((s.value, s.title) for s in
                                  sorted(allowed, key=lambda s: list(PledgeStatus).index(s)))
    return handle_form(
        form,
        lambda: operations.change_pledge_status(
            pledge, PledgeStatus(form.status.data), by=current_user, reason=form.reason.data,
            expected_version=form.version.data),
        template="consortia/pledge_status.html",
        success="Pledge updated.",
        next_url=lambda saved: _to_consortium(saved.consortium, "pledges"),
        record=pledge,
        conflict_fields=["status"],
        title=f"Update the pledge from {pledge.funder.name}",
        consortium=pledge.consortium,
        pledge=pledge,
        year_label=financial_year_label,
    )


@consortia_bp.route("/consortia/<int:consortium_id>/pledges/<int:pledge_id>/sign-off",
                    methods=["GET", "POST"])
@signed_in_viewer
def pledge_sign_off(consortium_id: int, pledge_id: int):
    pledge = _pledge(consortium_id, pledge_id)
    require(pledge.can_sign_off(current_user))
    form = PledgeSignOffForm(version=pledge.version)
    return handle_form(
        form,
        lambda: operations.sign_off_pledge(
            pledge, approve=form.outcome.data == "approve", reason=form.reason.data or "",
            by=current_user, expected_version=form.version.data),
        template="consortia/pledge_sign_off.html",
        success="Pledge signed off." if request.form.get("outcome") == "approve"
        else "Sign-off declined: the pledge is proposed again.",
        next_url=lambda saved: _to_consortium(saved.consortium, "pledges"),
        record=pledge, conflict_fields=["status"],
        title=f"Sign off the pledge from {pledge.funder.name}",
        consortium=pledge.consortium, pledge=pledge, year_label=financial_year_label)


# The lead commissioner register ----------------------------------------------------------

register_viewer = permission_required(lambda user: user.can_view_lead_register())


def _strategic_priority_choices():
    priorities = db.session.scalars(
        select(Priority).where(Priority.kind == PriorityKind.strategic,
                               Priority.is_archived.is_(False)).order_by(Priority.position)
    )
    return choices((p.id, p.title) for p in priorities)


@consortia_bp.get("/lead-commissioners")
@register_viewer
def register():
    # Each filter is an id or nothing, as chosen and as the page links carry it on.
    filters = {key: str(id_from(request.args.get(key, "")) or "")
               for key in ("borough", "bcu", "priority")}
    query = (LeadInterest.visible_to(current_user)
             .options(joinedload(LeadInterest.priority), joinedload(LeadInterest.user)
                      .joinedload(User.organisation).joinedload(Organisation.local_authority)
                      .joinedload(LocalAuthority.bcu))
             .order_by(LeadInterest.priority_id, User.full_name, LeadInterest.id))
    if borough_id := id_from(filters["borough"]):
        query = query.where(LocalAuthority.id == borough_id)
    if bcu_id := id_from(filters["bcu"]):
        query = query.where(LocalAuthority.bcu_id == bcu_id)
    if priority_id := id_from(filters["priority"]):
        query = query.where(LeadInterest.priority_id == priority_id)
    return render_template(
        "consortia/register.html",
        title="Lead commissioner register",
        interests=paginate(query, page_number(request.args)),
        filters=filters,
        boroughs=db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)).all(),
        bcus=db.session.scalars(select(BasicCommandUnit).order_by(BasicCommandUnit.name)).all(),
        priorities=db.session.scalars(
            select(Priority).where(Priority.kind == PriorityKind.strategic)
            .order_by(Priority.position)).all(),
    )


def _interest_values(form) -> dict:
    return {
        "capacity_days_per_month": form.capacity_days_per_month.data,
        "seniority": Seniority(form.seniority.data),
        "has_political_sign_off": form.has_political_sign_off.data,
        "notes": form.notes.data or "",
    }


@consortia_bp.route("/lead-commissioners/new", methods=["GET", "POST"])
@permission_required(lambda user: user.can_declare_lead_interest())
def register_new():
    form = LeadInterestForm()
    form.priority_id.choices = _strategic_priority_choices()
    return handle_form(
        form,
        lambda: operations.declare_lead_interest(
            user=current_user, priority=db.session.get_one(Priority, form.priority_id.data),
            **_interest_values(form)),
        template="consortia/register_form.html",
        success="Your interest is on the register.",
        next_url=lambda interest: url_for("consortia.register"),
        title="Declare interest in leading",
    )


@consortia_bp.route("/lead-commissioners/<int:interest_id>", methods=["GET", "POST"])
@register_viewer
def register_edit(interest_id: int):
    interest = load_or_404(LeadInterest, interest_id)
    require(interest.can_edit(current_user))
    form = LeadInterestForm(obj=interest if request.method == "GET" else None)
    if request.method == "GET":
        form.seniority.data = interest.seniority.value
    form.priority_id.choices = choices([(interest.priority_id, interest.priority.title)])
    form.priority_id.data = interest.priority_id
    return handle_form(
        form,
        lambda: operations.update_lead_interest(interest, by=current_user,
                                                expected_version=form.version.data,
                                                **_interest_values(form)),
        template="consortia/register_form.html",
        success="Your interest is updated.",
        next_url=lambda saved: url_for("consortia.register"),
        record=interest,
        conflict_fields=["capacity_days_per_month", "seniority", "has_political_sign_off",
                         "notes"],
        title=f"Your interest in leading {interest.priority.title}",
        interest=interest,
    )


@consortia_bp.post("/lead-commissioners/<int:interest_id>/withdraw")
@register_viewer
def register_withdraw(interest_id: int):
    interest = load_or_404(LeadInterest, interest_id)
    require(interest.can_edit(current_user))
    confirmed_action(lambda: operations.withdraw_lead_interest(interest, by=current_user),
                     "Your interest is withdrawn from the register.")
    return redirect(url_for("consortia.register"))
