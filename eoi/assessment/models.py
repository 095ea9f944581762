"""Panel assessment: who sits on a round's panel, each assessor's declaration and scores,
the chair's moderated scores, and the funding decision on each EOI."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.eois.models import Eoi
from eoi.extensions import Model
from eoi.guard import guarded
from eoi.rounds.models import Criterion, FundingRound, RoundStatus

if TYPE_CHECKING:
    from eoi.accounts.models import User


class PanelMember(Model):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_panel_members_round_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    funding_round: Mapped[FundingRound] = relationship()
    user: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<PanelMember {self.round_id}:{self.user_id}>"

    def __str__(self) -> str:
        return f"{self.user.full_name} on the panel of {self.funding_round.title}"


class AssessmentStatus(TitledEnum):
    awaiting_declaration = ("awaiting_declaration", "Declaration needed")
    in_progress = ("in_progress", "In progress")
    submitted = ("submitted", "Submitted")
    conflicted = ("conflicted", "Conflict of interest")


# Where an assessor's work lets them read the bid: they declared no interest.
BID_READERS = (AssessmentStatus.in_progress, AssessmentStatus.submitted)


class Assessment(Versioned, Model):
    """One assessor's work on one EOI: the declaration first, then the scores."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("eoi_id", "assessor_id", name="uq_assessments_eoi_assessor"),
        CheckConstraint("(status = 'awaiting_declaration') OR (declared_at IS NOT NULL)",
                        name="declared_before_scoring"),
        CheckConstraint("(status != 'submitted') OR (submitted_at IS NOT NULL)",
                        name="submitted_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column_type(AssessmentStatus, "assessment_status"),
        default=AssessmentStatus.awaiting_declaration)
    # The assessor's own declaration, and whether the system found an interest itself.
    has_interest: Mapped[bool | None] = mapped_column(Boolean)
    interest_details: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="details", label="The description of the interest"))
    flagged_by_system: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Set on every save of the scores, so a save bumps the version and two tabs saving
    # the same assessment are caught.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    eoi: Mapped[Eoi] = relationship(back_populates="assessments")
    assessor: Mapped["User"] = relationship()
    scores: Mapped[list["Score"]] = relationship(back_populates="assessment",
                                                 cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.assessor.full_name}'s assessment of {self.eoi.reference}"

    def score_for(self, criterion_id: int) -> "Score | None":
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)

    # Permissions ---------------------------------------------------------------------------
    def is_assessor(self, user: "User") -> bool:
        return user.id == self.assessor_id

    def can_declare(self, user: "User") -> bool:
        return (self.is_assessor(user) and self.status is AssessmentStatus.awaiting_declaration
                and self.eoi.funding_round.status is RoundStatus.closed)

    def can_read_bid(self, user: "User") -> bool:
        """Only after declaring no interest: a conflicted assessor never opens the bid."""
        return self.is_assessor(user) and self.status in BID_READERS

    @classmethod
    def bid_readable_by(cls, user: "User") -> ColumnElement[bool]:
        """`can_read_bid` in SQL."""
        return and_(cls.assessor_id == user.id, cls.status.in_(BID_READERS))

    def can_score(self, user: "User") -> bool:
        return (self.is_assessor(user) and self.status is AssessmentStatus.in_progress
                and self.eoi.funding_round.status is RoundStatus.closed)

    def can_see_panel_scores(self, user: "User") -> bool:
        """Blind scoring: the others' scores only once one's own are in."""
        return (user.is_fund_manager
                or (self.is_assessor(user) and self.status is AssessmentStatus.submitted))


class Score(Model):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "criterion_id", name="uq_scores_assessment_criterion"),
        CheckConstraint("score BETWEEN 0 AND 4", name="score_on_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    # A draft may leave a criterion unscored; submission needs every one.
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comment_{criterion_id}", label="The comment"))

    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()

    def __repr__(self) -> str:
        return f"<Score {self.assessment_id}:{self.criterion_id} {self.score}>"


class ModeratedScore(Versioned, Model):
    """The chair's agreed score on one criterion of one EOI, replacing the assessors' mean."""

    __tablename__ = "moderated_scores"
    __table_args__ = (
        UniqueConstraint("eoi_id", "criterion_id", name="uq_moderated_scores_eoi_criterion"),
        CheckConstraint("score BETWEEN 0 AND 4", name="score_on_scale"),
        CheckConstraint("length(rationale) > 0", name="rationale_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now,
                                                   onupdate=clock.now)

    eoi: Mapped[Eoi] = relationship()
    criterion: Mapped[Criterion] = relationship()
    moderated_by: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<ModeratedScore {self.eoi_id}:{self.criterion_id} {self.score}>"

    def __str__(self) -> str:
        return f"Moderated score for {self.criterion.title} of {self.eoi.reference}"


class DecisionOutcome(TitledEnum):
    fund = ("fund", "Fund")
    fund_with_conditions = ("fund_with_conditions", "Fund with conditions")
    reserve = ("reserve", "Reserve")
    not_funded = ("not_funded", "Not funded")


class Decision(Versioned, Model):
    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("amount_awarded_pence >= 0", name="amount_not_negative"),
        CheckConstraint("(outcome IN ('fund', 'fund_with_conditions')) = "
                        "(amount_awarded_pence > 0)", name="award_only_when_funded"),
        CheckConstraint("(outcome != 'fund_with_conditions') OR (length(conditions) > 0)",
                        name="conditions_stated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), unique=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(
        enum_column_type(DecisionOutcome, "decision_outcome"))
    amount_awarded_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    conditions: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    eoi: Mapped[Eoi] = relationship(back_populates="decision")
    decided_by: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<Decision {self.eoi_id} {self.outcome.value}>"

    def __str__(self) -> str:
        return f"Decision on {self.eoi.reference}"

    @property
    def is_published(self) -> bool:
        return self.eoi.funding_round.status is PUBLISHED

    @staticmethod
    def published_round_ids():
        """`is_published` in SQL: the rounds whose decisions are out."""
        return select(FundingRound.id).where(FundingRound.status == PUBLISHED)


# A round's decisions reach the consortia when the round is decided.
PUBLISHED = RoundStatus.decided
