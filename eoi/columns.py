"""Column types and enum helpers shared by every domain area."""

import enum
from datetime import UTC
from typing import TYPE_CHECKING, Self

from sqlalchemy import DateTime, Enum, Integer, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from eoi.extensions import db
from eoi.refusals import DuplicateName, StaleEdit


class UTCDateTime(TypeDecorator):
    """Stores naive UTC and hands back aware UTC datetimes.

    SQLite keeps no time zone, PostgreSQL would convert to the session's: storing
    plain UTC everywhere means both databases return the same instant.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use eoi.clock.now()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class TitledEnum(enum.Enum):
    """An enum whose members carry the words a user reads."""

    _value_: str
    title: str

    if TYPE_CHECKING:
        # A type checker takes __new__ for the signature of a lookup by value, Role("x").
        def __new__(cls, value: str) -> Self: ...

    else:
        # Members are written (value, title).
        def __new__(cls, value: str, title: str):
            member = object.__new__(cls)
            member._value_ = value
            member.title = title
            return member

    def __str__(self) -> str:
        return self.title

    @classmethod
    def choices(cls):
        return [(member.value, member.title) for member in cls]


def enum_column_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a named CHECK constraint, storing values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Versioned:
    """Optimistic locking: an UPDATE against a stale version raises StaleDataError,
    so two people editing the same record never silently overwrite each other."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


def check_version(record: Versioned, expected_version: int | None) -> None:
    if expected_version is not None and record.version != expected_version:
        raise StaleEdit(str(record))


def ensure_unique(model, field: str, value, *, exclude_id: int | None = None, **scope) -> None:
    """Refuse a value another record already has, before the database's unique rule would,
    so the message can go beside the field. `scope` narrows the check (unique per round)."""
    query = select(model.id).where(getattr(model, field) == value)
    for name, scoped_value in scope.items():
        query = query.where(getattr(model, name) == scoped_value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DuplicateName(field)
