import enum
from datetime import date, datetime
from typing import Any

from eoi.audit.models import AuditEntry
from eoi.extensions import db


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, taken before a change to compare after it."""
    return {field: _plain(getattr(obj, field)) for field in fields}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        field: [before.get(field), after.get(field)]
        for field in after
        if before.get(field) != after.get(field)
    }


def record_audit(
    action: str,
    subject: Any,
    *,
    user: Any,
    summary: str,
    changes: dict[str, list[Any]] | None = None,
) -> AuditEntry:
    """Record that `user` (None for the system) did `action` to `subject`.

    Called inside the operation's own transaction, so the entry is committed
    with the change it describes or not at all.
    """
    db.session.flush()  # the subject needs its id before we can point at it
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        action=action,
        subject_type=type(subject).__name__,
        subject_id=getattr(subject, "id", None),
        subject_label=str(subject)[:300],
        summary=summary[:500],
        changes=changes or None,
    )
    db.session.add(entry)
    return entry
