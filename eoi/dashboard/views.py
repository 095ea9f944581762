from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.assessment.models import Assessment, AssessmentStatus
from eoi.audit.models import AuditEntry
from eoi.consortia.models import Consortium, ConsortiumMembership, MembershipStatus
from eoi.extensions import db
from eoi.reference.models import Organisation

dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def fund_manager_overview() -> dict:
    return {
        "active_users": db.session.scalar(
            select(func.count(User.id)).where(User.is_active.is_(True))
        ),
        "organisations": db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.is_archived.is_(False))
        ),
        "consortia": db.session.scalar(select(func.count(Consortium.id))),
        "recent_activity": db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(5)
        ).all(),
    }


def consortia_of(user) -> tuple[list[Consortium], list[ConsortiumMembership]]:
    """The consortia a person is part of (through their borough or organisation), and
    their borough's open invitations."""
    consortia = db.session.scalars(select(Consortium).order_by(Consortium.name)).all()
    borough = user.borough
    mine, invitations = [], []
    for consortium in consortia:
        membership = consortium.membership_for(borough.id if borough else None)
        if membership and membership.status is MembershipStatus.invited:
            invitations.append(membership)
        elif (membership and membership.status is MembershipStatus.accepted) or (
            consortium.is_partner_user(user)
        ):
            mine.append(consortium)
    return mine, invitations


def reporting_due(user) -> list[tuple]:
    """Returns and milestones waiting on this person, as partner or lead: (date, what,
    grant, endpoint, id, overdue), soonest first."""
    from eoi.grants.models import Grant

    today = clock.today()
    due = []
    for grant in db.session.scalars(select(Grant).order_by(Grant.reference)):
        if not grant.can_report(user):
            continue
        due += [(r.due_on, f"{r.period.label} return", grant, "returns.show", r.id,
                 r.is_overdue(today)) for r in grant.returns
                if r.is_open and r.due_on <= today + timedelta(days=45)]
        due += [(m.due_on, m.title, grant, "grants.milestone", m.id, m.is_overdue(today))
                for m in grant.milestones if m.is_open]
    return sorted(due, key=lambda item: item[0])


@dashboard_bp.get("")
@login_required
def index():
    overview = fund_manager_overview() if current_user.is_fund_manager else None
    consortia, invitations = consortia_of(current_user)
    return render_template(
        "dashboard/index.html", title="Dashboard", Role=Role, overview=overview,
        consortia=consortia, invitations=invitations, reporting=reporting_due(current_user),
        assessments_to_do=db.session.scalar(select(func.count(Assessment.id)).where(
            Assessment.assessor_id == current_user.id,
            Assessment.status.in_([AssessmentStatus.awaiting_declaration,
                                   AssessmentStatus.in_progress]))),
    )
