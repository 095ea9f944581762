"""Funded grants: what was awarded, by whom, to whom, for which outcomes, and how the work
and the money are followed: milestones with their evidence, and payments."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.accounts.models import Role
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.consortia.models import Consortium, ConsortiumMembership, MembershipStatus
from eoi.eois.models import CostCategory, Eoi, UploadedFile
from eoi.eois.uploads import MAX_BYTES
from eoi.extensions import Model
from eoi.grants.periods import DEFAULT_DAYS_AFTER_END
from eoi.guard import guarded, unguarded
from eoi.reference.models import Indicator, Organisation

if TYPE_CHECKING:
    from eoi.accounts.models import User
    from eoi.returns.models import QuarterlyReturn

# Evidence notes and review comments: a page of text is plenty, and the privacy guard
# reads notes in full.
MAX_NOTES = 5000


class GrantState(TitledEnum):
    offered = ("offered", "Offered")
    active = ("active", "Active")
    suspended = ("suspended", "Suspended")
    closing = ("closing", "Closing: final report and claim")
    closed = ("closed", "Closed")
    withdrawn = ("withdrawn", "Offer withdrawn")


# A grant under way: accepted, not yet closed. Only these are reported on and reminded of;
# an offer is not yet the consortium's to deliver, a withdrawn one never will be.
LIVE_GRANT_STATES = (GrantState.active, GrantState.suspended, GrantState.closing)
# Claims are sent and paid while the grant runs, and for its final claim while it closes.
PAYING_GRANT_STATES = (GrantState.active, GrantState.closing)

# A condition's wording and the evidence it asks for: a paragraph each is plenty.
MAX_CONDITION = 1000


class Grant(Versioned, Model):
    """A funded EOI. `award_pence` is MOPAC's award, which payments draw on; the funding
    rows hold every funder's share of the pooled budget, MOPAC's included."""

    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("award_pence > 0", name="award_positive"),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("return_days_after_end BETWEEN 0 AND 90", name="return_days_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True,
        info=unguarded("A reference number the service gives."))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[GrantState] = mapped_column(enum_column_type(GrantState, "grant_state"),
                                              default=GrantState.offered)
    award_pence: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    return_days_after_end: Mapped[int] = mapped_column(Integer, default=DEFAULT_DAYS_AFTER_END)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # The lead's acceptance of the offer on the consortium's behalf: who, as what, when,
    # and the version of the offer they read (its letter is printed from that version).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_name: Mapped[str] = mapped_column(String(200), default="",
        info=guarded(field="name", label="Your full name"))
    accepted_role: Mapped[str] = mapped_column(String(200), default="",
        info=guarded(field="role", label="Your role"))
    accepted_version: Mapped[int | None] = mapped_column(Integer)
    # The agreement's version: 1 as accepted, one more for each change (variation) approved.
    agreement_version: Mapped[int] = mapped_column(Integer, default=1)

    eoi: Mapped[Eoi] = relationship()
    consortium: Mapped[Consortium] = relationship()
    owner: Mapped["User"] = relationship(foreign_keys=[owner_id])
    accepted_by: Mapped["User | None"] = relationship(foreign_keys=[accepted_by_id])
    conditions: Mapped[list["GrantCondition"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantCondition.id")
    offer_questions: Mapped[list["OfferQuestion"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="OfferQuestion.id")
    funding: Mapped[list["GrantFunding"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(GrantFunding.financial_year, GrantFunding.id)")
    budget_lines: Mapped[list["GrantBudgetLine"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(GrantBudgetLine.financial_year, GrantBudgetLine.id)")
    partners: Mapped[list["GrantPartner"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantPartner.id")
    indicators: Mapped[list["GrantIndicator"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantIndicator.id")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(Milestone.due_on, Milestone.id)")
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(Payment.scheduled_on, Payment.id)")
    returns: Mapped[list["QuarterlyReturn"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(QuarterlyReturn.financial_year, QuarterlyReturn.quarter)")
    claims: Mapped[list["Claim"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="Claim.id")
    variations: Mapped[list["Variation"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="Variation.id")
    versions: Mapped[list["GrantVersion"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantVersion.number")
    final_report: Mapped["FinalReport | None"] = relationship(
        back_populates="grant", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Grant {self.id} {self.reference}>"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def pooled_total_pence(self) -> int:
        return sum(f.amount_pence for f in self.funding)

    @property
    def paid_pence(self) -> int:
        return sum(p.amount_pence for p in self.payments if p.status is PaymentStatus.paid)

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_GRANT_STATES

    @property
    def open_blocking_conditions(self) -> list["GrantCondition"]:
        return [c for c in self.conditions if c.blocks_payments and not c.is_met]

    @property
    def partner_organisations(self) -> list[Organisation]:
        return [p.organisation for p in self.partners]

    # Permissions ---------------------------------------------------------------------------
    # Each rule that decides who sees a grant is written twice, side by side: in Python for
    # one grant (can_view), and in SQL for every grant at once (visible_to), which the lists
    # filter by. tests/test_grant_visibility.py holds the two to the same answers.
    def is_partner_user(self, user: "User") -> bool:
        return (user.has_role(Role.partner)
                and any(p.organisation_id == user.organisation_id for p in self.partners))

    @classmethod
    def _of_partner_user(cls, user: "User") -> ColumnElement[bool]:
        if not user.has_role(Role.partner):
            return false()
        return cls.id.in_(select(GrantPartner.grant_id)
                          .where(GrantPartner.organisation_id == user.organisation_id))

    def is_owner(self, user: "User") -> bool:
        return user.id == self.owner_id

    @classmethod
    def _of_owner(cls, user: "User") -> ColumnElement[bool]:
        return cls.owner_id == user.id

    @classmethod
    def _of_member_officer(cls, user: "User") -> ColumnElement[bool]:
        """Consortium.is_member_officer in SQL: a commissioner of a borough whose
        membership of the grant's consortium is accepted."""
        borough = user.borough
        if not user.has_role(Role.commissioner) or borough is None:
            return false()
        return cls.consortium_id.in_(
            select(ConsortiumMembership.consortium_id)
            .where(ConsortiumMembership.local_authority_id == borough.id,
                   ConsortiumMembership.status == MembershipStatus.accepted))

    def can_view(self, user: "User") -> bool:
        """MOPAC (its fund team and finance officers), the lead, the member boroughs'
        commissioners and the delivery partners."""
        return (user.is_fund_manager or user.is_finance or self.is_owner(user)
                or self.consortium.is_member_officer(user) or self.is_partner_user(user))

    @classmethod
    def viewable_by(cls, user: "User") -> ColumnElement[bool]:
        """can_view as a condition on the grants table, for lists and their counts."""
        if user.is_fund_manager or user.is_finance:
            return true()
        return or_(cls._of_owner(user), cls._of_member_officer(user),
                   cls._of_partner_user(user))

    @classmethod
    def visible_to(cls, user: "User") -> Select["Grant"]:
        """Every grant `user` may see (can_view), as a query to filter, order and page."""
        return select(cls).where(cls.viewable_by(user))

    @classmethod
    def visible_ids(cls, user: "User") -> Select[int]:
        """The ids of the grants `user` may see: what the records of a grant (payments,
        milestones, returns) are visible by."""
        return select(cls.id).where(cls.viewable_by(user))

    def can_manage(self, user: "User") -> bool:
        """Set milestones, payments and the grant's state: MOPAC, who holds the money."""
        return user.is_fund_manager

    def enters_returns(self, user: "User") -> bool:
        """Who enters the quarterly returns, and so sees their figures as entered: the
        delivery partners' staff, or the lead where the grant has no delivery partner."""
        return self.is_partner_user(user) or (not self.partners and self.is_owner(user))

    def can_report(self, user: "User") -> bool:
        """Fill in returns and send milestone evidence: the partners delivering, and the
        lead, who answers for the grant when a small partner cannot."""
        return self.is_live and (self.is_partner_user(user) or self.is_owner(user))

    @classmethod
    def reportable_by(cls, user: "User") -> ColumnElement[bool]:
        """can_report as a condition on the grants table, for the dashboard's lists."""
        return and_(cls.state.in_(LIVE_GRANT_STATES),
                    or_(cls._of_owner(user), cls._of_partner_user(user)))

    def can_answer_offer(self, user: "User") -> bool:
        """Accept the offer, or ask about it: the lead, for the consortium."""
        return self.state is GrantState.offered and self.is_owner(user)

    def can_meet_conditions(self, user: "User") -> bool:
        """Send evidence that a condition is met: from the offer on, since conditions are
        often met before the work starts."""
        return (self.state in (GrantState.offered, *LIVE_GRANT_STATES)
                and (self.is_partner_user(user) or self.is_owner(user)))


class ConditionStatus(TitledEnum):
    open = ("open", "Open")
    submitted = ("submitted", "Evidence sent")
    met = ("met", "Met")


class GrantCondition(Versioned, Model):
    """One condition of the award: what must be done, the evidence that shows it, and
    whether MOPAC holds back every payment until it is met."""

    __tablename__ = "grant_conditions"
    __table_args__ = (
        CheckConstraint("(status != 'met') OR (reviewed_at IS NOT NULL)",
                        name="met_has_review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    condition: Mapped[str] = mapped_column(String(MAX_CONDITION))
    evidence_required: Mapped[str] = mapped_column(String(MAX_CONDITION), default="")
    blocks_payments: Mapped[bool] = mapped_column(default=True)
    status: Mapped[ConditionStatus] = mapped_column(
        enum_column_type(ConditionStatus, "condition_status"), default=ConditionStatus.open)
    evidence_notes: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="notes", label="The evidence"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="conditions")
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list["ConditionEvidence"]] = relationship(
        back_populates="condition", cascade="all, delete-orphan",
        order_by="ConditionEvidence.id")

    def __repr__(self) -> str:
        return f"<GrantCondition {self.id} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.condition[:80]} ({self.grant.reference})"

    @property
    def is_met(self) -> bool:
        return self.status is ConditionStatus.met

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["GrantCondition"]:
        """Every condition `user` may see: those of the grants they may see."""
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def can_send_evidence(self, user: "User") -> bool:
        return self.status is ConditionStatus.open and self.grant.can_meet_conditions(user)

    def can_review(self, user: "User") -> bool:
        return self.status is ConditionStatus.submitted and self.grant.can_manage(user)


class GrantBudgetLine(Model):
    """What the pooled budget plans to spend in one cost category in one financial year.
    Each year's lines add up to that year's funding (`categories.reshape` keeps them so when
    money moves between years); moving money between categories changes only these."""

    __tablename__ = "grant_budget_lines"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        UniqueConstraint("grant_id", "financial_year", "category",
                         name="uq_grant_budget_lines_year_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[CostCategory] = mapped_column(
        enum_column_type(CostCategory, "grant_cost_category"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[Grant] = relationship(back_populates="budget_lines")


class OfferQuestion(Versioned, Model):
    """A question the lead asks about an offer, and MOPAC's answer: both kept with the grant,
    so whoever accepts later reads what was asked and said."""

    __tablename__ = "offer_questions"
    __table_args__ = (
        CheckConstraint("(answered_at IS NULL) = (answered_by_id IS NULL)",
                        name="answer_has_author"),
        CheckConstraint("(answered_at IS NULL) OR (length(answer) > 0)",
                        name="answered_has_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    question: Mapped[str] = mapped_column(Text,
        info=guarded(field="question", label="Your question"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="answer", label="Your answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="offer_questions")
    asked_by: Mapped["User"] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])

    def __repr__(self) -> str:
        return f"<OfferQuestion {self.id} {'answered' if self.answered_at else 'open'}>"

    def __str__(self) -> str:
        return f"Question about the offer of {self.grant.reference}"

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    def can_answer(self, user: "User") -> bool:
        return self.answered_at is None and self.grant.can_manage(user)


class ConditionEvidence(UploadedFile, Model):
    """A file that shows a condition is met (a signed protocol, a policy), kept as milestone
    evidence is."""

    __tablename__ = "condition_evidence"
    __table_args__ = (
        CheckConstraint(f"size_bytes BETWEEN 1 AND {MAX_BYTES}", name="size_within_limit"),
    )

    condition_id: Mapped[int] = mapped_column(ForeignKey("grant_conditions.id"), index=True)

    condition: Mapped[GrantCondition] = relationship(back_populates="evidence")


class GrantFunding(Model):
    """One funder's share of the pooled budget for one financial year."""

    __tablename__ = "grant_funding"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        UniqueConstraint("grant_id", "financial_year", "funder_id",
                         name="uq_grant_funding_year_funder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[Grant] = relationship(back_populates="funding")
    funder: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<GrantFunding {self.grant_id} {self.financial_year} {self.funder_id}>"


class GrantPartner(Model):
    __tablename__ = "grant_partners"
    __table_args__ = (
        UniqueConstraint("grant_id", "organisation_id", name="uq_grant_partners_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    grant: Mapped[Grant] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<GrantPartner {self.grant_id}:{self.organisation_id}>"


class GrantIndicator(Model):
    """An indicator the grant reports on, with its baseline and a target per year."""

    __tablename__ = "grant_indicators"
    __table_args__ = (
        UniqueConstraint("grant_id", "indicator_id", name="uq_grant_indicators_indicator"),
        CheckConstraint("baseline IS NULL OR baseline >= 0", name="baseline_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    baseline: Mapped[int | None] = mapped_column(Integer)

    grant: Mapped[Grant] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator] = relationship()
    targets: Mapped[list["IndicatorTarget"]] = relationship(
        cascade="all, delete-orphan", order_by="IndicatorTarget.financial_year")

    def __repr__(self) -> str:
        return f"<GrantIndicator {self.grant_id}:{self.indicator_id}>"

    def target_for(self, financial_year: int) -> int | None:
        return next((t.target for t in self.targets if t.financial_year == financial_year),
                    None)


class IndicatorTarget(Model):
    __tablename__ = "indicator_targets"
    __table_args__ = (
        UniqueConstraint("grant_indicator_id", "financial_year",
                         name="uq_indicator_targets_year"),
        CheckConstraint("target >= 0", name="target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_indicator_id: Mapped[int] = mapped_column(ForeignKey("grant_indicators.id"),
                                                    index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)


class MilestoneStatus(TitledEnum):
    planned = ("planned", "Planned")
    due = ("due", "Due")
    submitted = ("submitted", "Evidence sent")
    accepted = ("accepted", "Accepted")
    returned = ("returned", "Returned for changes")


# Still waiting on the partner.
OPEN_MILESTONES = (MilestoneStatus.planned, MilestoneStatus.due, MilestoneStatus.returned)


class Milestone(Versioned, Model):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("(status != 'returned') OR (length(review_comments) > 0)",
                        name="returned_has_comments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    evidence_required: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_column_type(MilestoneStatus, "milestone_status"), default=MilestoneStatus.planned)
    evidence_notes: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="notes", label="Notes on the evidence"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="milestones")
    evidence: Mapped[list["MilestoneEvidence"]] = relationship(
        back_populates="milestone", order_by="MilestoneEvidence.id")
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])

    def __repr__(self) -> str:
        return f"<Milestone {self.id} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.title} ({self.grant.reference})"

    @property
    def is_open(self) -> bool:
        """Still waiting on the partner."""
        return self.status in OPEN_MILESTONES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["Milestone"]:
        """Every milestone `user` may see: those of the grants they may see."""
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def can_send_evidence(self, user: "User") -> bool:
        return self.is_open and self.grant.can_report(user)

    def can_review(self, user: "User") -> bool:
        return self.status is MilestoneStatus.submitted and self.grant.can_manage(user)


class MilestoneEvidence(UploadedFile, Model):
    """A file sent as evidence; kept like EOI attachments, outside the web folders."""

    __tablename__ = "milestone_evidence"
    __table_args__ = (
        CheckConstraint(f"size_bytes BETWEEN 1 AND {MAX_BYTES}", name="size_within_limit"),
    )

    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)

    milestone: Mapped[Milestone] = relationship(back_populates="evidence")


class PaymentStatus(TitledEnum):
    scheduled = ("scheduled", "Scheduled")
    approved = ("approved", "Approved")
    paid = ("paid", "Paid")


class Payment(Versioned, Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("(status = 'scheduled') OR (approved_at IS NOT NULL)",
                        name="approved_has_time"),
        CheckConstraint("(status != 'paid') OR (paid_at IS NOT NULL)", name="paid_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    scheduled_on: Mapped[date] = mapped_column(Date, index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column_type(PaymentStatus, "payment_status"), default=PaymentStatus.scheduled)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="payments")
    milestone: Mapped[Milestone | None] = relationship()

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.status.value} {self.amount_pence}p>"

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["Payment"]:
        """Every payment `user` may see: those of the grants they may see."""
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def __str__(self) -> str:
        from eoi.money import format_pence

        return f"{self.description}, {format_pence(self.amount_pence)} ({self.grant.reference})"


class ClaimStatus(TitledEnum):
    submitted = ("submitted", "Sent to MOPAC")
    checked = ("checked", "Checked, with finance")
    changes_requested = ("changes_requested", "Changes requested")
    approved = ("approved", "Approved by finance")
    paid = ("paid", "Paid")


# Claims on their way: their money is spoken for until they are paid or sent back.
CLAIMS_IN_FLIGHT = (ClaimStatus.submitted, ClaimStatus.checked, ClaimStatus.approved)


class Claim(Versioned, Model):
    """A partner's or lead's request for money: a scheduled payment (`payment`), or
    expenditure to date (no payment until finance approves it, which schedules one). Checked
    by a fund manager, then approved by a finance officer (never the same person), then paid.
    """

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("(status != 'changes_requested') OR (length(comments) > 0)",
                        name="changes_have_comments"),
        CheckConstraint("(status NOT IN ('approved', 'paid')) OR "
                        "(approved_by_id IS NOT NULL AND approved_by_id != checked_by_id "
                        "AND approved_by_id != submitted_by_id)",
                        name="two_people_approve"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    # One claim for a scheduled payment; sent back, it is changed and sent again.
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    is_expenditure: Mapped[bool] = mapped_column(default=False)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    spend_to: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="notes", label="The evidence"))
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column_type(ClaimStatus, "claim_status"), default=ClaimStatus.submitted,
        index=True)
    comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="claims")
    payment: Mapped[Payment | None] = relationship()
    spend: Mapped[list["ClaimSpend"]] = relationship(
        cascade="all, delete-orphan", order_by="ClaimSpend.id")
    evidence: Mapped[list["ClaimEvidence"]] = relationship(
        back_populates="claim", order_by="ClaimEvidence.id")
    submitted_by: Mapped["User"] = relationship(foreign_keys=[submitted_by_id])
    checked_by: Mapped["User | None"] = relationship(foreign_keys=[checked_by_id])
    approved_by: Mapped["User | None"] = relationship(foreign_keys=[approved_by_id])

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.status.value} {self.amount_pence}p>"

    def __str__(self) -> str:
        from eoi.money import format_pence

        return f"Claim of {format_pence(self.amount_pence)} ({self.grant.reference})"

    @property
    def what(self) -> str:
        if self.payment is not None:
            return self.payment.description
        return f"Expenditure to {self.spend_to:%-d %B %Y}"

    @property
    def spend_total_pence(self) -> int:
        return sum(line.amount_pence for line in self.spend)

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["Claim"]:
        """Every claim `user` may see: those of the grants they may see."""
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def can_change(self, user: "User") -> bool:
        """Change and send again a claim sent back: whoever may claim on the grant."""
        return self.status is ClaimStatus.changes_requested and self.grant.can_report(user)

    def can_add_evidence(self, user: "User") -> bool:
        """Invoices and ledgers go with a claim until the fund team has checked it."""
        return (self.status in (ClaimStatus.submitted, ClaimStatus.changes_requested)
                and self.grant.can_report(user))

    def can_check(self, user: "User") -> bool:
        return self.status is ClaimStatus.submitted and user.is_fund_manager

    def can_approve(self, user: "User") -> bool:
        return (self.status is ClaimStatus.checked and user.is_finance
                and user.id not in (self.checked_by_id, self.submitted_by_id))

    def can_send_back(self, user: "User") -> bool:
        return self.can_check(user) or self.can_approve(user)

    def can_record_paid(self, user: "User") -> bool:
        return self.status is ClaimStatus.approved and user.is_finance


class ClaimEvidence(UploadedFile, Model):
    """A file sent with a claim (an invoice, a ledger), kept as milestone evidence is."""

    __tablename__ = "claim_evidence"
    __table_args__ = (
        CheckConstraint(f"size_bytes BETWEEN 1 AND {MAX_BYTES}", name="size_within_limit"),
    )

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)

    claim: Mapped[Claim] = relationship(back_populates="evidence")


class ClaimSpend(Model):
    """What was spent to the claim's date in one cost category, as the claimant says."""

    __tablename__ = "claim_spend"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        UniqueConstraint("claim_id", "category", name="uq_claim_spend_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    category: Mapped[CostCategory] = mapped_column(
        enum_column_type(CostCategory, "claim_cost_category"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)


class VariationKind(TitledEnum):
    move_between_years = ("move_between_years", "Move money between years")
    extend_end_date = ("extend_end_date", "Extend the end date")
    change_partner = ("change_partner", "Add or remove a delivery partner")
    change_target = ("change_target", "Change a target")
    move_between_categories = ("move_categories", "Move money between cost categories")


class PartnerChange(TitledEnum):
    add = ("add", "Add")
    remove = ("remove", "Remove")


class VariationStatus(TitledEnum):
    requested = ("requested", "Requested")
    awaiting_funder = ("awaiting_funder", "Waiting for the funder to confirm")
    approved = ("approved", "Approved")
    refused = ("refused", "Refused")


class Variation(Versioned, Model):
    """A change to the agreement the lead asks for, with a reason: MOPAC approves or refuses
    it, and a change to another funder's money waits for that funder too. Approved, it makes
    the agreement's next version."""

    __tablename__ = "variations"
    __table_args__ = (
        CheckConstraint("amount_pence IS NULL OR amount_pence > 0", name="amount_positive"),
        CheckConstraint("from_year IS NULL OR from_year != to_year", name="years_differ"),
        CheckConstraint("(status != 'refused') OR (length(comments) > 0)",
                        name="refusal_has_comments"),
        CheckConstraint("(kind != 'move_between_years') OR (funder_id IS NOT NULL AND "
                        "from_year IS NOT NULL AND to_year IS NOT NULL AND "
                        "amount_pence IS NOT NULL)", name="move_complete"),
        CheckConstraint("(kind != 'extend_end_date') OR (new_ends_on IS NOT NULL)",
                        name="extension_complete"),
        CheckConstraint("(kind != 'change_partner') OR (partner_id IS NOT NULL AND "
                        "partner_change IS NOT NULL)", name="partner_complete"),
        CheckConstraint("(kind != 'change_target') OR (grant_indicator_id IS NOT NULL AND "
                        "target_year IS NOT NULL AND new_target IS NOT NULL)",
                        name="target_complete"),
        CheckConstraint("new_target IS NULL OR new_target >= 0", name="target_not_negative"),
        CheckConstraint("(kind != 'move_categories') OR (from_year IS NOT NULL AND "
                        "from_category IS NOT NULL AND to_category IS NOT NULL AND "
                        "from_category != to_category AND amount_pence IS NOT NULL)",
                        name="category_move_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    kind: Mapped[VariationKind] = mapped_column(
        enum_column_type(VariationKind, "variation_kind"))
    status: Mapped[VariationStatus] = mapped_column(
        enum_column_type(VariationStatus, "variation_status"),
        default=VariationStatus.requested, index=True)
    # Moving money: whose, from which year, to which, how much. Between cost categories:
    # within `from_year`, from one category to another.
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    from_year: Mapped[int | None] = mapped_column(Integer)
    to_year: Mapped[int | None] = mapped_column(Integer)
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    from_category: Mapped[CostCategory | None] = mapped_column(
        enum_column_type(CostCategory, "variation_from_category"))
    to_category: Mapped[CostCategory | None] = mapped_column(
        enum_column_type(CostCategory, "variation_to_category"))
    # Extending: the new last day.
    new_ends_on: Mapped[date | None] = mapped_column(Date)
    # A delivery partner added or removed.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    partner_change: Mapped[PartnerChange | None] = mapped_column(
        enum_column_type(PartnerChange, "partner_change"))
    # A target changed: the indicator's, for the year, to the new figure.
    grant_indicator_id: Mapped[int | None] = mapped_column(ForeignKey("grant_indicators.id"))
    target_year: Mapped[int | None] = mapped_column(Integer)
    new_target: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, info=guarded(field="reason", label="Reason"))
    comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The agreement version its approval made.
    made_version: Mapped[int | None] = mapped_column(Integer)

    grant: Mapped[Grant] = relationship(back_populates="variations")
    funder: Mapped[Organisation | None] = relationship(foreign_keys=[funder_id])
    partner: Mapped[Organisation | None] = relationship(foreign_keys=[partner_id])
    grant_indicator: Mapped[GrantIndicator | None] = relationship()
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])
    confirmed_by: Mapped["User | None"] = relationship(foreign_keys=[confirmed_by_id])

    def __repr__(self) -> str:
        return f"<Variation {self.id} {self.kind.value} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.summary} ({self.grant.reference})"

    @property
    def summary(self) -> str:
        from eoi.money import financial_year_label, format_pence

        if self.kind is VariationKind.extend_end_date and self.new_ends_on:
            return f"Extend the end date to {self.new_ends_on:%-d %B %Y}"
        if (self.kind is VariationKind.change_target and self.grant_indicator
                and self.target_year is not None):
            return (f"Change the {financial_year_label(self.target_year)} target for "
                    f"{self.grant_indicator.indicator.name} to {self.new_target}")
        if (self.kind is VariationKind.move_between_categories and self.from_category
                and self.to_category and self.amount_pence and self.from_year):
            return (f"Move {format_pence(self.amount_pence)} in "
                    f"{financial_year_label(self.from_year)} from "
                    f"{self.from_category.title.lower()} to {self.to_category.title.lower()}")
        if self.kind is VariationKind.change_partner and self.partner:
            return (f"Add {self.partner.name} as a delivery partner"
                    if self.partner_change is PartnerChange.add
                    else f"Remove {self.partner.name} as a delivery partner")
        assert self.funder and self.amount_pence and self.from_year and self.to_year
        return (f"Move {format_pence(self.amount_pence)} of {self.funder.name}'s money from "
                f"{financial_year_label(self.from_year)} to "
                f"{financial_year_label(self.to_year)}")

    @property
    def needs_funder(self) -> bool:
        """Moving another funder's money waits for that funder to confirm it."""
        from eoi.reference.models import OrganisationType

        return (self.kind is VariationKind.move_between_years and self.funder is not None
                and self.funder.type is not OrganisationType.mopac)

    def can_view(self, user: "User") -> bool:
        return self.grant.can_view(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["Variation"]:
        return select(cls).where(cls.grant_id.in_(Grant.visible_ids(user)))

    def can_decide(self, user: "User") -> bool:
        return self.status is VariationStatus.requested and self.grant.can_manage(user)

    def can_confirm(self, user: "User") -> bool:
        """The funder's own people confirm a change to its money, as they confirm pledges."""
        return (self.status is VariationStatus.awaiting_funder
                and user.organisation_id == self.funder_id and user.is_active)


class GrantVersion(Model):
    """The agreement as it stood at one version: its budget profile, targets and end date,
    kept when a change makes the next one, so the history can always be read."""

    __tablename__ = "grant_versions"
    __table_args__ = (UniqueConstraint("grant_id", "number", name="uq_grant_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    variation_id: Mapped[int | None] = mapped_column(ForeignKey("variations.id"))
    ends_on: Mapped[date] = mapped_column(Date)
    # [[financial year, funder id, pence], ...] and {indicator id: {year: target}}.
    funding: Mapped[list] = mapped_column(JSON,
        info=unguarded("Numbers and ids the service copies from the grant."))
    targets: Mapped[dict] = mapped_column(JSON,
        info=unguarded("Numbers and ids the service copies from the grant."))
    # [organisation id, ...] of the delivery partners.
    partners: Mapped[list] = mapped_column(JSON, default=list,
        info=unguarded("Ids the service copies from the grant."))
    # [[financial year, cost category, pence], ...]: the budget by category.
    categories: Mapped[list] = mapped_column(JSON, default=list,
        info=unguarded("Numbers and category keys the service copies from the grant."))
    # [[title, due date], ...] and [[financial year, quarter, due date], ...]: the milestones
    # and the reporting dates as they stood.
    milestones: Mapped[list] = mapped_column(JSON, default=list,
        info=unguarded("Milestone titles, set by the fund team, and dates the service copies "
                       "from the grant."))
    return_schedule: Mapped[list] = mapped_column(JSON, default=list,
        info=unguarded("Quarters and dates the service copies from the grant."))

    grant: Mapped[Grant] = relationship(back_populates="versions")
    variation: Mapped[Variation | None] = relationship()


class FinalReportStatus(TitledEnum):
    sent = ("sent", "Sent to MOPAC")
    returned = ("returned", "Returned for changes")
    accepted = ("accepted", "Accepted")


class FinalReport(Versioned, Model):
    """What a grant achieved, what continues after it, and what was learnt: asked for when
    the grant is closing, written by the lead or a partner, accepted by MOPAC."""

    __tablename__ = "final_reports"
    __table_args__ = (
        CheckConstraint("(status != 'returned') OR (length(comments) > 0)",
                        name="returned_has_comments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), unique=True)
    achieved: Mapped[str] = mapped_column(Text,
        info=guarded(field="achieved", label="What the grant achieved"))
    continues: Mapped[str] = mapped_column(Text,
        info=guarded(field="continues", label="What continues after it"))
    learning: Mapped[str] = mapped_column(Text,
        info=guarded(field="learning", label="What was learnt"))
    status: Mapped[FinalReportStatus] = mapped_column(
        enum_column_type(FinalReportStatus, "final_report_status"),
        default=FinalReportStatus.sent)
    comments: Mapped[str] = mapped_column(Text, default="",
        info=guarded(field="comments", label="Comments"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    grant: Mapped[Grant] = relationship(back_populates="final_report")
    sent_by: Mapped["User"] = relationship(foreign_keys=[sent_by_id])
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])

    def __repr__(self) -> str:
        return f"<FinalReport {self.grant_id} {self.status.value}>"

    def __str__(self) -> str:
        return f"Final report ({self.grant.reference})"
