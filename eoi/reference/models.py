from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi.columns import TitledEnum, Versioned, enum_column_type
from eoi.extensions import Model
from eoi.guard import unguarded

if TYPE_CHECKING:
    from eoi.accounts.models import User


class OrganisationType(TitledEnum):
    local_authority = ("local_authority", "Local authority")
    mopac = ("mopac", "MOPAC")
    vcs = ("vcs", "Voluntary and community sector")
    health = ("health", "Health")
    police = ("police", "Police")
    probation = ("probation", "Probation")
    school = ("school", "School")
    other = ("other", "Other")


class PriorityKind(TitledEnum):
    strategic = ("strategic", "Strategic priority")
    cross_cutting = ("cross_cutting", "Cross-cutting theme")


class BasicCommandUnit(Versioned, Model):
    """A Metropolitan Police BCU. Names are not from an official list, so they are editable."""

    __tablename__ = "basic_command_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    local_authorities: Mapped[list["LocalAuthority"]] = relationship(
        back_populates="bcu", order_by="LocalAuthority.name"
    )

    def __repr__(self) -> str:
        return f"<BasicCommandUnit {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return f"{self.name} BCU"


class LocalAuthority(Versioned, Model):
    """One of London's 33 local authorities: 32 boroughs and the City of London."""

    __tablename__ = "local_authorities"
    __table_args__ = (
        CheckConstraint(
            "gss_code LIKE 'E09%' AND length(gss_code) = 9", name="gss_code_london_borough"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    official_name: Mapped[str] = mapped_column(String(200),
        info=unguarded("Reference data: an ONS name loaded from eoi/reference/data, not editable."))
    gss_code: Mapped[str] = mapped_column(String(9), unique=True,
        info=unguarded("Reference data: an ONS GSS code, checked by a constraint."))
    org_id: Mapped[str] = mapped_column(String(50), unique=True)
    # The City of London has its own police force and sits in no BCU.
    bcu_id: Mapped[int | None] = mapped_column(ForeignKey("basic_command_units.id"), index=True)

    bcu: Mapped[BasicCommandUnit | None] = relationship(back_populates="local_authorities")
    organisation: Mapped["Organisation | None"] = relationship(back_populates="local_authority")

    def __repr__(self) -> str:
        return f"<LocalAuthority {self.gss_code} {self.name!r}>"

    def __str__(self) -> str:
        return self.name


class Organisation(Versioned, Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[OrganisationType] = mapped_column(
        enum_column_type(OrganisationType, "organisation_type")
    )
    # An org-id.guide identifier such as GB-CHC-1234567 or GB-LAE-BEX.
    org_id: Mapped[str | None] = mapped_column(String(60), unique=True)
    charity_number: Mapped[str | None] = mapped_column(String(20))
    company_number: Mapped[str | None] = mapped_column(String(20))
    local_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_authorities.id"), unique=True
    )
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    local_authority: Mapped[LocalAuthority | None] = relationship(back_populates="organisation")
    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name


class Priority(Versioned, Model):
    """A strategic priority or cross-cutting theme that EOIs are written against."""

    __tablename__ = "priorities"
    __table_args__ = (UniqueConstraint("kind", "title", name="uq_priorities_kind_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key for rows the reference loader owns, so reloading never duplicates
    # them nor overwrites a fund manager's edits. Rows added by hand have none.
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    kind: Mapped[PriorityKind] = mapped_column(enum_column_type(PriorityKind, "priority_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<Priority {self.id} {self.kind.value} {self.title!r}>"

    def __str__(self) -> str:
        return self.title


class Outcome(Versioned, Model):
    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="outcome", order_by="(Indicator.position, Indicator.id)"
    )

    def __repr__(self) -> str:
        return f"<Outcome {self.id} {self.title!r}>"

    def __str__(self) -> str:
        return self.title


class Indicator(Versioned, Model):
    """A measurable indicator of an outcome: what is counted, in what unit, how."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("outcome_id", "name", name="uq_indicators_outcome_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    definition: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    outcome: Mapped[Outcome] = relationship(back_populates="indicators")

    def __repr__(self) -> str:
        return f"<Indicator {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name
