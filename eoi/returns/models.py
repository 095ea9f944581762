"""Quarterly outcome returns: aggregate counts, indicator values, spend and narrative.

Nothing here describes one young person. Counts are stored as the partner gave them;
suppression of small counts happens when figures are published, not here, because MOPAC
needs the true figures to check the return adds up.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.eois.models import CostCategory
from eoi.extensions import Model
from eoi.grants.models import Grant
from eoi.grants.periods import Quarter
from eoi.guard import guarded, unguarded
from eoi.reference.models import Indicator

if TYPE_CHECKING:
    from eoi.accounts.models import User


class ReturnStatus(TitledEnum):
    draft = ("draft", "Not submitted")
    # Sent by a partner whose organisation names certifiers: final once one signs it off.
    signing = ("signing", "Awaiting sign-off")
    submitted = ("submitted", "Submitted")
    accepted = ("accepted", "Accepted")
    returned = ("returned", "Returned for changes")


# Still with the partner: not yet submitted, or sent back.
OPEN_RETURNS = (ReturnStatus.draft, ReturnStatus.returned)


class QuarterlyReturn(Versioned, Model):
    __tablename__ = "quarterly_returns"
    __table_args__ = (
        UniqueConstraint("grant_id", "financial_year", "quarter",
                         name="uq_quarterly_returns_quarter"),
        # The fund's first and last quarters, for the returns list's filter.
        Index("ix_quarterly_returns_period", "financial_year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_in_range"),
        CheckConstraint("(status = 'draft') OR (submitted_at IS NOT NULL)",
                        name="submitted_has_time"),
        CheckConstraint("(status != 'returned') OR (length(review_comments) > 0)",
                        name="returned_has_comments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column_type(ReturnStatus, "return_status"), default=ReturnStatus.draft)
    new_supported: Mapped[int] = mapped_column(Integer, default=0)
    continuing_supported: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    case_study: Mapped[str] = mapped_column(Text, default="")
    # "web" or "spreadsheet": how the figures last came in, to see which way partners prefer.
    entered_by: Mapped[str] = mapped_column(String(20), default="web",
        info=unguarded("A code: web or spreadsheet."))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The certifier's sign-off, or their reason for declining it.
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sign_off_comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="reason", label="Reason"))

    grant: Mapped[Grant] = relationship(back_populates="returns")
    counts: Mapped[list["ReturnCount"]] = relationship(cascade="all, delete-orphan")
    borough_counts: Mapped[list["ReturnBoroughCount"]] = relationship(
        cascade="all, delete-orphan")
    indicator_values: Mapped[list["ReturnIndicatorValue"]] = relationship(
        cascade="all, delete-orphan")
    spend: Mapped[list["ReturnSpend"]] = relationship(cascade="all, delete-orphan")
    forecast: Mapped[list["ReturnForecast"]] = relationship(cascade="all, delete-orphan")
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])
    signed_off_by: Mapped["User | None"] = relationship(foreign_keys=[signed_off_by_id])

    def __repr__(self) -> str:
        return f"<QuarterlyReturn {self.id} {self.period.short_label} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.period.short_label} return for {self.grant.reference}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)

    @property
    def is_open(self) -> bool:
        """Still with the partner: not yet submitted, or sent back."""
        return self.status in OPEN_RETURNS

    def is_overdue(self, today: date) -> bool:
        return self.status is ReturnStatus.draft and self.due_on < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_on).days if self.is_overdue(today) else 0

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["QuarterlyReturn"]:
        """Every return `user` may see (can_view): those of the grants they may see."""
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def can_edit(self, user: "User") -> bool:
        # Whoever enters a return sees its figures as entered, so only those who send it.
        return (self.is_open and self.grant.can_report(user)
                and self.grant.enters_returns(user))

    def can_see_figures(self, user: "User") -> bool:
        """The figures as entered: whoever sends them (Grant.enters_returns) and MOPAC.
        Every other commissioner (the lead of a grant with a partner too) sees the
        published, protected figures."""
        return self.grant.can_manage(user) or self.grant.enters_returns(user)

    def can_review(self, user: "User") -> bool:
        return self.status is ReturnStatus.submitted and self.grant.can_manage(user)

    def can_sign_off(self, user: "User") -> bool:
        """A certifier of the organisation that sent it, who did not send it themselves."""
        from eoi.accounts.models import Role

        sender = self.submitted_by
        return (self.status is ReturnStatus.signing and sender is not None
                and user.is_active and user.has_role(Role.certifier)
                and user.organisation_id == sender.organisation_id and user.id != sender.id)


class ReturnCount(Model):
    """Young people supported in one category of one breakdown (gender, age band or
    disability), new and continuing."""

    __tablename__ = "return_counts"
    __table_args__ = (
        UniqueConstraint("return_id", "breakdown", "category",
                         name="uq_return_counts_category"),
        CheckConstraint("new_count >= 0 AND continuing_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("quarterly_returns.id"), index=True)
    breakdown: Mapped[str] = mapped_column(String(20),
        info=unguarded("A code of a breakdown, checked against the service's list."))
    category: Mapped[str] = mapped_column(String(20),
        info=unguarded("A code of a category, checked against the service's list."))
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    continuing_count: Mapped[int] = mapped_column(Integer, default=0)


class ReturnBoroughCount(Model):
    """Young people by where they live and where they were served: the two differ when
    support follows a young person across a boundary."""

    __tablename__ = "return_borough_counts"
    __table_args__ = (
        UniqueConstraint("return_id", "residence_code", "service_code",
                         name="uq_return_borough_counts_pair"),
        CheckConstraint("new_count >= 0 AND continuing_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("quarterly_returns.id"), index=True)
    # GSS codes, or "outside_london" for a young person living outside London.
    residence_code: Mapped[str] = mapped_column(String(20),
        info=unguarded("An ONS GSS code, checked against the boroughs."))
    service_code: Mapped[str] = mapped_column(String(20),
        info=unguarded("An ONS GSS code, checked against the boroughs."))
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    continuing_count: Mapped[int] = mapped_column(Integer, default=0)


class ReturnIndicatorValue(Model):
    __tablename__ = "return_indicator_values"
    __table_args__ = (
        UniqueConstraint("return_id", "indicator_id", name="uq_return_indicator_values"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("quarterly_returns.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[int] = mapped_column(Integer)

    indicator: Mapped[Indicator] = relationship()


class ReturnSpend(Model):
    """Spend to date, since the grant began, in one cost category."""

    __tablename__ = "return_spend"
    __table_args__ = (
        UniqueConstraint("return_id", "category", name="uq_return_spend_category"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("quarterly_returns.id"), index=True)
    category: Mapped[CostCategory] = mapped_column(enum_column_type(CostCategory,
                                                                    "cost_category"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)


class ReturnForecast(Model):
    """What the partner expects to spend in one cost category from the end of the return's
    quarter to the end of its financial year."""

    __tablename__ = "return_forecasts"
    __table_args__ = (
        UniqueConstraint("return_id", "category", name="uq_return_forecasts_category"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("quarterly_returns.id"), index=True)
    category: Mapped[CostCategory] = mapped_column(enum_column_type(CostCategory,
                                                                    "forecast_cost_category"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
