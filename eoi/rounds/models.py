from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.extensions import Model, db
from eoi.money import financial_years_label
from eoi.reference.models import Indicator, Priority

if TYPE_CHECKING:
    from eoi.accounts.models import User


class RoundStatus(TitledEnum):
    draft = ("draft", "Draft")
    open = ("open", "Open")
    closed = ("closed", "Closed")
    assessed = ("assessed", "Assessed")
    decided = ("decided", "Decided")


round_priorities = Table(
    "round_priorities",
    db.metadata,
    Column("round_id", ForeignKey("funding_rounds.id"), primary_key=True),
    Column("priority_id", ForeignKey("priorities.id"), primary_key=True),
)

round_indicators = Table(
    "round_indicators",
    db.metadata,
    Column("round_id", ForeignKey("funding_rounds.id"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id"), primary_key=True),
)


class FundingRound(Versioned, Model):
    __tablename__ = "funding_rounds"
    __table_args__ = (
        CheckConstraint("envelope_pence > 0", name="envelope_positive"),
        CheckConstraint("last_financial_year >= first_financial_year", name="years_in_order"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint("min_member_boroughs BETWEEN 1 AND 33", name="min_boroughs_sane"),
        CheckConstraint("min_match_percent BETWEEN 0 AND 99", name="min_match_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    envelope_pence: Mapped[int] = mapped_column(BigInteger)
    first_financial_year: Mapped[int] = mapped_column(Integer)
    last_financial_year: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Submissions are accepted while now < closes_at: a round "closing at 23:59 on
    # 15 December" closes_at 00:00 on 16 December, London time.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column_type(RoundStatus, "round_status"), default=RoundStatus.draft)
    guidance: Mapped[str] = mapped_column(Text, default="")
    min_member_boroughs: Mapped[int] = mapped_column(Integer, default=2)
    # Match funding (everyone's money but MOPAC's) as a share of the total, in per cent.
    min_match_percent: Mapped[int] = mapped_column(Integer, default=25)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    priorities: Mapped[list[Priority]] = relationship(
        secondary=round_priorities, order_by=(Priority.kind, Priority.position))
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=round_indicators, order_by=(Indicator.outcome_id, Indicator.position))
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="funding_round", cascade="all, delete-orphan",
        order_by="(Criterion.position, Criterion.id)")

    def __repr__(self) -> str:
        return f"<FundingRound {self.id} {self.title!r} {self.status.value}>"

    def __str__(self) -> str:
        return self.title

    @property
    def years_label(self) -> str:
        return financial_years_label(self.first_financial_year, self.last_financial_year)

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)

    def accepts_submissions(self, now: datetime) -> bool:
        """Judged on the server's clock: open, and before the closing instant."""
        return self.status is RoundStatus.open and self.opens_at <= now < self.closes_at

    def can_view(self, user: "User") -> bool:
        return self.status is not RoundStatus.draft or user.is_fund_manager

    @classmethod
    def visible_to(cls, user: "User") -> Select["FundingRound"]:
        """`can_view` in SQL: drafts are the fund team's until they open."""
        query = select(cls)
        return query if user.is_fund_manager else query.where(cls.status != RoundStatus.draft)

    def can_edit(self, user: "User") -> bool:
        return self.status is RoundStatus.draft and user.is_fund_manager


class Criterion(Versioned, Model):
    """An assessment criterion with its weight and what each score from 0 to 4 means."""

    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "title", name="uq_criteria_round_title"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    descriptor_0: Mapped[str] = mapped_column(Text)
    descriptor_1: Mapped[str] = mapped_column(Text)
    descriptor_2: Mapped[str] = mapped_column(Text)
    descriptor_3: Mapped[str] = mapped_column(Text)
    descriptor_4: Mapped[str] = mapped_column(Text)

    funding_round: Mapped[FundingRound] = relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"<Criterion {self.id} {self.title!r} {self.weight}>"

    def __str__(self) -> str:
        return self.title

    @property
    def descriptors(self) -> list[str]:
        return [getattr(self, f"descriptor_{score}") for score in range(5)]
