from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eoi.accounts.models import User
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.inputs import id_from
from eoi.pagination import page_number, paginate
from eoi.permissions import permission_required

audit_bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

# Actions and record types are codes of at most this many characters (AuditEntry).
MAX_ACTION = 64


def _int_arg(name: str) -> int | None:
    return id_from(request.args.get(name, ""))


@audit_bp.get("")
@permission_required(lambda user: user.can_view_audit_trail())
def index():
    filters = {
        "action": request.args.get("action", "").strip()[:MAX_ACTION],
        "user_id": _int_arg("user_id"),
        "subject_type": request.args.get("subject_type", "").strip()[:MAX_ACTION],
        "subject_id": _int_arg("subject_id"),
    }
    query = select(AuditEntry).options(joinedload(AuditEntry.user))
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["user_id"]:
        query = query.where(AuditEntry.user_id == filters["user_id"])
    if filters["subject_type"]:
        query = query.where(AuditEntry.subject_type == filters["subject_type"])
    if filters["subject_id"]:
        query = query.where(AuditEntry.subject_id == filters["subject_id"])
    page = paginate(query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
                    page_number(request.args))

    return render_template(
        "admin/audit.html",
        title="Audit trail",
        page=page,
        filters=filters,
        arguments={name: value for name, value in filters.items() if value},
        people=db.session.execute(select(User.id, User.full_name)
                                  .order_by(User.full_name, User.id)).all(),
        subject_types=[(name, name) for name in db.session.scalars(
            select(AuditEntry.subject_type).distinct().order_by(AuditEntry.subject_type)
        )],
    )
