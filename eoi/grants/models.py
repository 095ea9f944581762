"""Funded grants: what was awarded, by whom, to whom, for which outcomes, and how the work
and the money are followed: milestones with their evidence, and payments."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
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
from eoi.eois.models import Eoi, UploadedFile
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
    closed = ("closed", "Closed")
    withdrawn = ("withdrawn", "Offer withdrawn")


# A grant under way: accepted, not yet closed. Only these are reported on and reminded of;
# an offer is not yet the consortium's to deliver, a withdrawn one never will be.
LIVE_GRANT_STATES = (GrantState.active, GrantState.suspended)

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

    eoi: Mapped[Eoi] = relationship()
    consortium: Mapped[Consortium] = relationship()
    owner: Mapped["User"] = relationship(foreign_keys=[owner_id])
    accepted_by: Mapped["User | None"] = relationship(foreign_keys=[accepted_by_id])
    conditions: Mapped[list["GrantCondition"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan", order_by="GrantCondition.id")
    funding: Mapped[list["GrantFunding"]] = relationship(
        back_populates="grant", cascade="all, delete-orphan",
        order_by="(GrantFunding.financial_year, GrantFunding.id)")
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
        """MOPAC, the lead, the member boroughs' commissioners and the delivery partners."""
        return (user.is_fund_manager or self.is_owner(user)
                or self.consortium.is_member_officer(user) or self.is_partner_user(user))

    @classmethod
    def viewable_by(cls, user: "User") -> ColumnElement[bool]:
        """can_view as a condition on the grants table, for lists and their counts."""
        if user.is_fund_manager:
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
