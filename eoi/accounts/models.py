from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.extensions import db
from eoi.reference.models import Organisation


class Role(TitledEnum):
    fund_manager = ("fund_manager", "Fund manager")
    panel_member = ("panel_member", "Panel member")
    commissioner = ("commissioner", "Commissioner")
    partner = ("partner", "Partner")


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"))

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role.value}>"


class User(Versioned, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are compared case-insensitively by storing them lower-cased.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("failed_sign_in_count >= 0", name="failed_sign_in_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_sign_in_count: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by=UserRole.role
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})"

    @property
    def roles(self) -> set[Role]:
        return {link.role for link in self.role_links}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_titles(self) -> list[str]:
        return [role.title for role in Role if role in self.roles]

    # Permissions live here so every view asks one rule, and tests check one rule.
    def can_administer(self) -> bool:
        return self.is_active and self.has_role(Role.fund_manager)

    def can_view_audit_trail(self) -> bool:
        return self.can_administer()

    @property
    def borough(self):
        """The local authority this person works for, if they work for one."""
        return self.organisation.local_authority if self.organisation else None

    def can_view_consortia(self) -> bool:
        return self.has_role(Role.fund_manager, Role.commissioner, Role.partner)

    def can_form_consortium(self) -> bool:
        return self.has_role(Role.commissioner) and self.borough is not None

    def can_view_lead_register(self) -> bool:
        return self.has_role(Role.fund_manager, Role.commissioner)

    def can_declare_lead_interest(self) -> bool:
        return self.can_form_consortium()

    def can_manage_rounds(self) -> bool:
        return self.has_role(Role.fund_manager)

    def can_add_service(self) -> bool:
        return self.has_role(Role.fund_manager, Role.commissioner, Role.partner)

    def can_import_services(self) -> bool:
        return self.has_role(Role.fund_manager)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now
