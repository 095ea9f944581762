"""Each person's starting page. Every figure on it is a count in SQL and every list on it is
short (the few soonest or newest, with a link to the whole list), so the page costs the same
few statements for a fund of five grants or of five thousand."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.audit.models import AuditEntry
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    MembershipStatus,
)
from eoi.dashboard import needs
from eoi.extensions import db
from eoi.grants.models import Grant, Milestone, MilestoneStatus
from eoi.reference.models import Organisation
from eoi.returns.models import QuarterlyReturn, ReturnStatus
from eoi.rounds.models import FundingRound

dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# A dashboard shows the first few of each kind and links to the rest.
SHOWN = 10
# Returns come onto a person's dashboard this long before they are due.
RETURNS_AHEAD = timedelta(days=45)


def fund_manager_overview() -> dict:
    return {
        "active_users": db.session.scalar(
            select(func.count(User.id)).where(User.is_active.is_(True))
        ),
        "organisations": db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.is_archived.is_(False))
        ),
        "consortia": db.session.scalar(select(func.count(Consortium.id))),
        "rounds": db.session.scalar(select(func.count(FundingRound.id))),
        "recent_activity": db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(5)
        ).all(),
    }


def _part_of(user):
    """Consortia a person is part of: a commissioner of a borough that has accepted
    membership, or one of a current partner's people (the consortium's own rules)."""
    return or_(Consortium.id.in_(Consortium.ids_with_member_officer(user)),
               Consortium.id.in_(Consortium.ids_with_partner_user(user)))


def consortia_of(user) -> tuple[list[Consortium], int, list[ConsortiumMembership]]:
    """The first consortia a person is part of, how many there are, and their borough's
    invitations waiting for an answer."""
    part_of = _part_of(user)
    mine = db.session.scalars(
        select(Consortium).where(part_of).order_by(Consortium.name, Consortium.id).limit(SHOWN)
        .options(selectinload(Consortium.memberships)
                 .joinedload(ConsortiumMembership.local_authority))).all()
    count = db.session.scalar(select(func.count(Consortium.id)).where(part_of)) or 0
    borough = user.borough
    invitations = db.session.scalars(
        select(ConsortiumMembership)
        .where(ConsortiumMembership.local_authority_id == borough.id,
               ConsortiumMembership.status == MembershipStatus.invited)
        .order_by(ConsortiumMembership.invited_at)
        .options(joinedload(ConsortiumMembership.consortium).joinedload(Consortium.lead))
    ).all() if borough else []
    return list(mine), count, list(invitations)


def reporting_due(user) -> list[tuple]:
    """The returns and milestones waiting on this person soonest, as partner or lead: (date,
    what, grant, endpoint, id, overdue)."""
    today = clock.today()
    returns = db.session.scalars(
        select(QuarterlyReturn).join(Grant, QuarterlyReturn.grant_id == Grant.id)
        .where(Grant.reportable_by(user),
               QuarterlyReturn.status.in_([ReturnStatus.draft, ReturnStatus.returned]),
               QuarterlyReturn.due_on <= today + RETURNS_AHEAD)
        .order_by(QuarterlyReturn.due_on, QuarterlyReturn.id).limit(SHOWN)
        .options(joinedload(QuarterlyReturn.grant))).all()
    milestones = db.session.scalars(
        select(Milestone).join(Grant, Milestone.grant_id == Grant.id)
        .where(Grant.reportable_by(user),
               Milestone.status.in_([MilestoneStatus.planned, MilestoneStatus.due,
                                     MilestoneStatus.returned]))
        .order_by(Milestone.due_on, Milestone.id).limit(SHOWN)
        .options(joinedload(Milestone.grant))).all()
    due = [(r.due_on, f"{r.period.label} return", r.grant, "returns.show", r.id,
            r.is_overdue(today)) for r in returns]
    due += [(m.due_on, m.title, m.grant, "grants.milestone", m.id, m.is_overdue(today))
            for m in milestones]
    return sorted(due, key=lambda item: item[0])[:SHOWN]


def needs_of(user) -> dict[str, list[needs.Need]]:
    """What waits on this person, by the part of the dashboard it belongs to."""
    found = {}
    now = clock.now()
    if user.is_fund_manager:
        found["fund_manager"] = needs.fund_manager_needs(now)
    if user.has_role(Role.commissioner):
        found["commissioner"] = needs.commissioner_needs(user, now)
    if user.has_role(Role.panel_member):
        found["panel"] = needs.panel_needs(user)
    if user.is_finance:
        found["finance"] = needs.finance_needs()
    if user.has_role(Role.certifier):
        found["certifier"] = needs.certifier_needs(user)
    return found


@dashboard_bp.get("")
@login_required
def index():
    overview = fund_manager_overview() if current_user.is_fund_manager else None
    consortia, consortia_count, invitations = consortia_of(current_user)
    return render_template(
        "dashboard/index.html", title="Dashboard", Role=Role, overview=overview,
        consortia=consortia, consortia_count=consortia_count, invitations=invitations,
        reporting=reporting_due(current_user), needs=needs_of(current_user),
    )
