from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.accounts.models import Role
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.extensions import Model, db
from eoi.guard import guarded
from eoi.reference.models import LocalAuthority, Organisation, OrganisationType, Priority

if TYPE_CHECKING:
    from eoi.accounts.models import User


class MembershipStatus(TitledEnum):
    invited = ("invited", "Invited")
    accepted = ("accepted", "Member")
    declined = ("declined", "Declined")
    left = ("left", "Left")


class PartnerRole(TitledEnum):
    lead_provider = ("lead_provider", "Lead provider")
    delivery_partner = ("delivery_partner", "Delivery partner")
    statutory_partner = ("statutory_partner", "Statutory partner")
    school = ("school", "School")
    co_funder = ("co_funder", "Co-funder")


class PledgeKind(TitledEnum):
    cash = ("cash", "Cash")
    in_kind = ("in_kind", "In kind")


class PledgeStatus(TitledEnum):
    proposed = ("proposed", "Proposed")
    # Confirmed by a funder that names certifiers: final once one of them signs it off.
    signing = ("signing", "Awaiting sign-off")
    confirmed = ("confirmed", "Confirmed")
    received = ("received", "Received")
    withdrawn = ("withdrawn", "Withdrawn")


class Seniority(TitledEnum):
    officer = ("officer", "Officer")
    manager = ("manager", "Manager")
    head_of_service = ("head_of_service", "Head of service")
    director = ("director", "Director or assistant director")


class Consortium(Versioned, Model):
    __tablename__ = "consortia"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    lead: Mapped["User"] = relationship(foreign_keys=[lead_id])
    memberships: Mapped[list["ConsortiumMembership"]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan",
        order_by="ConsortiumMembership.id",
    )
    partners: Mapped[list["ConsortiumPartner"]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan",
        order_by="ConsortiumPartner.id",
    )
    pledges: Mapped[list["Pledge"]] = relationship(
        back_populates="consortium", order_by="(Pledge.financial_year, Pledge.id)"
    )

    def __repr__(self) -> str:
        return f"<Consortium {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return self.name

    @property
    def member_boroughs(self) -> list[LocalAuthority]:
        return sorted(
            (m.local_authority for m in self.memberships if m.status is MembershipStatus.accepted),
            key=lambda la: la.name,
        )

    @property
    def is_sub_regional(self) -> bool:
        return len(self.member_boroughs) > 1

    @property
    def current_partners(self) -> list["ConsortiumPartner"]:
        return [p for p in self.partners if not p.is_removed]

    def membership_for(self, local_authority_id: int | None) -> "ConsortiumMembership | None":
        return next(
            (m for m in self.memberships if m.local_authority_id == local_authority_id), None
        )

    # Permissions: one rule each, asked by the views and checked by the tests. Beside each
    # rule a list needs, the same rule in SQL: the ids of the consortia it holds for, so a
    # list filters in the database (tests/test_visibility.py checks the two agree).
    def is_member_officer(self, user: "User") -> bool:
        """A commissioner of a borough that has accepted membership."""
        membership = self.membership_for(user.borough.id if user.borough else None)
        return (
            user.has_role(Role.commissioner)
            and membership is not None
            and membership.status is MembershipStatus.accepted
        )

    @staticmethod
    def ids_with_member_officer(user: "User") -> Select[int]:
        """`is_member_officer` in SQL."""
        borough = user.borough
        if not (user.has_role(Role.commissioner) and borough is not None):
            return select(ConsortiumMembership.consortium_id).where(false())
        return select(ConsortiumMembership.consortium_id).where(
            ConsortiumMembership.local_authority_id == borough.id,
            ConsortiumMembership.status == MembershipStatus.accepted)

    @staticmethod
    def ids_led_by(user: "User") -> Select[int]:
        """The consortia whose lead is `user` (`user.id == consortium.lead_id`)."""
        return select(Consortium.id).where(Consortium.lead_id == user.id)

    def is_partner_user(self, user: "User") -> bool:
        return any(p.organisation_id == user.organisation_id for p in self.current_partners)

    @staticmethod
    def ids_with_partner_user(user: "User") -> Select[int]:
        """`is_partner_user` in SQL."""
        return select(ConsortiumPartner.consortium_id).where(
            ConsortiumPartner.organisation_id == user.organisation_id,
            ConsortiumPartner.is_removed.is_(False))

    @staticmethod
    def sees_every_consortium(user: "User") -> bool:
        # Boroughs see each other's consortia: knowing who is doing what is the point.
        return user.is_fund_manager or user.has_role(Role.commissioner)

    def can_view(self, user: "User") -> bool:
        return self.sees_every_consortium(user) or self.is_partner_user(user)

    @classmethod
    def visible_to(cls, user: "User") -> Select["Consortium"]:
        """`can_view` in SQL: the consortia this person may see."""
        query = select(cls)
        if cls.sees_every_consortium(user):
            return query
        return query.where(cls.id.in_(cls.ids_with_partner_user(user)))

    def can_manage(self, user: "User") -> bool:
        """Edit details, invite boroughs, add partners, name the lead."""
        return user.id == self.lead_id or user.is_fund_manager

    def can_pledge(self, user: "User") -> bool:
        return self.can_manage(user) or self.is_member_officer(user)

    def pledge_funders_for(self, user: "User") -> list[Organisation]:
        """Whom this person may record a pledge for."""
        if self.can_manage(user):
            boroughs = [la.organisation for la in self.member_boroughs if la.organisation]
            others = db.session.scalars(
                db.select(Organisation)
                .where(Organisation.type != OrganisationType.local_authority,
                       Organisation.is_archived.is_(False))
                .order_by(Organisation.name)
            ).all()
            return boroughs + list(others)
        if self.is_member_officer(user) and user.has_role(Role.commissioner):
            return [user.organisation]
        return []


class ConsortiumMembership(Versioned, Model):
    """A borough's place in a consortium: invited, then accepted or declined; may leave.
    Versioned, so two answers to one invitation at once cannot both count."""

    __tablename__ = "consortium_memberships"
    __table_args__ = (
        UniqueConstraint("consortium_id", "local_authority_id",
                         name="uq_consortium_memberships_consortium_borough"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"),
                                                    index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column_type(MembershipStatus, "membership_status")
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consortium: Mapped[Consortium] = relationship(back_populates="memberships")
    local_authority: Mapped[LocalAuthority] = relationship()

    def __repr__(self) -> str:
        return (f"<ConsortiumMembership {self.consortium_id}:{self.local_authority_id} "
                f"{self.status.value}>")

    def __str__(self) -> str:
        return f"{self.local_authority.name} in {self.consortium.name}"

    def can_respond(self, user: "User") -> bool:
        """Only a commissioner of the invited borough answers for it."""
        borough = user.borough
        return (user.has_role(Role.commissioner) and borough is not None
                and borough.id == self.local_authority_id)


class ConsortiumPartner(Versioned, Model):
    __tablename__ = "consortium_partners"
    __table_args__ = (
        UniqueConstraint("consortium_id", "organisation_id",
                         name="uq_consortium_partners_consortium_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[PartnerRole] = mapped_column(enum_column_type(PartnerRole, "partner_role"))
    is_removed: Mapped[bool] = mapped_column(Boolean, default=False)

    consortium: Mapped[Consortium] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<ConsortiumPartner {self.consortium_id}:{self.organisation_id}>"

    def __str__(self) -> str:
        return f"{self.organisation.name} ({self.role.title}) in {self.consortium.name}"


class Pledge(Versioned, Model):
    """Money (or its worth in kind) a funder puts into a consortium's pool for one year."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("financial_year BETWEEN 2000 AND 2100", name="financial_year_sane"),
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawal_reason IS NOT NULL)",
            name="withdrawal_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The year the financial year starts: 2026 is 1 April 2026 to 31 March 2027.
    financial_year: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[PledgeKind] = mapped_column(enum_column_type(PledgeKind, "pledge_kind"))
    status: Mapped[PledgeStatus] = mapped_column(
        enum_column_type(PledgeStatus, "pledge_status"), default=PledgeStatus.proposed
    )
    withdrawal_reason: Mapped[str | None] = mapped_column(Text,
        info=guarded(field="reason", label="The reason"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # When it was confirmed for a certifier to sign off: the reminders count from it.
    sign_off_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consortium: Mapped[Consortium] = relationship(back_populates="pledges")
    funder: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Pledge {self.id} {self.funder_id} {self.financial_year} {self.amount_pence}p>"

    def __str__(self) -> str:
        from eoi.money import financial_year_label, format_pence

        return (f"{self.funder.name}: {format_pence(self.amount_pence)} for "
                f"{financial_year_label(self.financial_year)}")

    @property
    def is_live(self) -> bool:
        return self.status is not PledgeStatus.withdrawn

    def can_edit(self, user: "User") -> bool:
        """Change the amount, year or kind: only while proposed."""
        return self.status is PledgeStatus.proposed and self.can_record(user)

    def can_record(self, user: "User") -> bool:
        return self.consortium.can_manage(user) or (
            self.consortium.is_member_officer(user) and self.funder_id == user.organisation_id
        )

    def can_withdraw(self, user: "User") -> bool:
        """Whoever recorded a proposal may take it back; once confirmed, only the funder's
        side can withdraw it."""
        if self.status is PledgeStatus.proposed:
            return self.can_record(user) or self.can_confirm(user)
        return self.can_confirm(user)

    def can_sign_off(self, user: "User") -> bool:
        """A certifier of the funder signs off (or declines) its confirmed pledge."""
        return (self.status is PledgeStatus.signing and user.is_active
                and user.has_role(Role.certifier) and user.organisation_id == self.funder_id)

    def can_confirm(self, user: "User") -> bool:
        """The funder's own side confirms: its officers, MOPAC's fund managers for MOPAC,
        and the lead (who holds the letter) for funders without accounts here."""
        if user.organisation_id == self.funder_id:
            return True
        if self.funder.type is OrganisationType.mopac:
            return user.is_fund_manager
        if self.funder.type is OrganisationType.local_authority:
            return user.is_fund_manager
        return self.consortium.can_manage(user)


class LeadInterest(Versioned, Model):
    """A commissioner's declared interest in leading work on a strategic priority."""

    __tablename__ = "lead_interests"
    __table_args__ = (
        UniqueConstraint("user_id", "priority_id", name="uq_lead_interests_user_priority"),
        CheckConstraint("capacity_days_per_month BETWEEN 1 AND 22", name="capacity_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id"), index=True)
    capacity_days_per_month: Mapped[int] = mapped_column(Integer)
    seniority: Mapped[Seniority] = mapped_column(enum_column_type(Seniority, "seniority"))
    has_political_sign_off: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    user: Mapped["User"] = relationship()
    priority: Mapped[Priority] = relationship()

    def __repr__(self) -> str:
        return f"<LeadInterest {self.user_id} {self.priority_id}>"

    def __str__(self) -> str:
        return f"{self.user.full_name}: {self.priority.title}"

    def can_edit(self, user: "User") -> bool:
        return user.id == self.user_id

    def can_view(self, user: "User") -> bool:
        """On the register: not withdrawn, declared by an active borough commissioner."""
        return (user.can_view_lead_register() and not self.is_withdrawn
                and self.user.is_active and self.user.borough is not None)

    @classmethod
    def visible_to(cls, user: "User") -> Select["LeadInterest"]:
        """`can_view` in SQL: the register as this person may see it."""
        from eoi.accounts.models import User

        if not user.can_view_lead_register():
            return select(cls).where(false())
        return (select(cls).join(cls.user).join(User.organisation)
                .join(Organisation.local_authority)
                .where(cls.is_withdrawn.is_(False), User.is_active.is_(True)))
