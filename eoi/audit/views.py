from typing import Any

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import func, select

from eoi.accounts.models import User
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.inputs import id_from
from eoi.permissions import permission_required

audit_bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50


def _int_arg(name: str) -> int | None:
    return id_from(request.args.get(name, ""))


@audit_bp.get("")
@permission_required(lambda user: user.can_view_audit_trail())
def index():
    filters = {
        "action": request.args.get("action", "").strip(),
        "user_id": _int_arg("user_id"),
        "subject_type": request.args.get("subject_type", ""),
        "subject_id": _int_arg("subject_id"),
    }
    page = max(_int_arg("page") or 1, 1)

    query = select(AuditEntry)
    if filters["action"]:
        query = query.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["user_id"]:
        query = query.where(AuditEntry.user_id == filters["user_id"])
    if filters["subject_type"]:
        query = query.where(AuditEntry.subject_type == filters["subject_type"])
    if filters["subject_id"]:
        query = query.where(AuditEntry.subject_id == filters["subject_id"])

    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    entries = db.session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    last_page = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)

    def page_url(number: int) -> str:
        args: dict[str, Any] = {k: v for k, v in filters.items() if v}
        return url_for("audit.index", page=number, **args)

    return render_template(
        "admin/audit.html",
        title="Audit trail",
        entries=entries,
        filters=filters,
        total=total,
        page=page,
        last_page=last_page,
        page_url=page_url,
        people=db.session.scalars(select(User).order_by(User.full_name)).all(),
        subject_types=[(name, name) for name in db.session.scalars(
            select(AuditEntry.subject_type).distinct().order_by(AuditEntry.subject_type)
        )],
    )
