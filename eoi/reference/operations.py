"""Every change to organisations and reference data, each audited."""

from typing import Any

from sqlalchemy import select

from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version, ensure_unique
from eoi.extensions import db
from eoi.reference.models import Organisation


def _audit_action(obj: Any, verb: str) -> str:
    return f"{type(obj).__name__.lower()}.{verb}"


def create_record(model, values: dict[str, Any], *, by, unique: tuple[str, ...] = (), scope=()):
    """Create a reference record from clean form values, refusing duplicates.

    `unique` names fields that must be unique, within the fields named in `scope`.
    """
    scoped = {name: values[name] for name in scope}
    for field in unique:
        ensure_unique(model, field, values[field], **scoped)
    record = model(**values)
    db.session.add(record)
    record_audit(
        _audit_action(record, "created"),
        record,
        user=by,
        summary=f"Created {type(record).__name__.lower()} {record}",
        changes=changes_between({}, snapshot(record, list(values))),
    )
    return record


def update_record(
    record,
    values: dict[str, Any],
    *,
    by,
    expected_version: int | None,
    unique: tuple[str, ...] = (),
    scope=(),
):
    """Apply clean form values to a record, refusing a save against a stale version."""
    check_version(record, expected_version)
    scoped = {name: values.get(name, getattr(record, name)) for name in scope}
    for field in unique:
        if field in values:
            ensure_unique(type(record), field, values[field], exclude_id=record.id, **scoped)
    before = snapshot(record, list(values))
    for field, value in values.items():
        setattr(record, field, value)
    changes = changes_between(before, snapshot(record, list(values)))
    if changes:
        record_audit(
            _audit_action(record, "updated"),
            record,
            user=by,
            summary=f"Updated {type(record).__name__.lower()} {record}",
            changes=changes,
        )
    return record


def organisation_choices() -> list[tuple[int, str]]:
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.is_archived.is_(False))
        .order_by(Organisation.name)
    )
    return [(org.id, org.name) for org in organisations]
