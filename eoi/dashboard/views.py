from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from eoi.accounts.models import Role, User
from eoi.audit.models import AuditEntry
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
        "recent_activity": db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(5)
        ).all(),
    }


@dashboard_bp.get("")
@login_required
def index():
    overview = fund_manager_overview() if current_user.has_role(Role.fund_manager) else None
    return render_template(
        "dashboard/index.html", title="Dashboard", Role=Role, overview=overview
    )
