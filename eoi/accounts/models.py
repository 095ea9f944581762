from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.extensions import Model
from eoi.guard import unguarded
from eoi.reference.models import Organisation


class Role(TitledEnum):
    fund_manager = ("fund_manager", "Fund manager")
    panel_member = ("panel_member", "Panel member")
    commissioner = ("commissioner", "Commissioner")
    partner = ("partner", "Partner")
    finance = ("finance", "Finance officer")
    # Held beside an organisation's other role: its finance officer, whose sign-off makes
    # its returns final.
    certifier = ("certifier", "Certifier")


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"))

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role.value}>"


class User(Versioned, UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are compared case-insensitively by storing them lower-cased.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True,
        info=unguarded("The email address a member of staff signs in with, typed by "
                       "an administrator: never a young person's."))
    full_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255),
        info=unguarded("A hash of a password, never shown."))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (eoi.accounts.two_factor): the authenticator app's shared secret,
    # when it was set up, and the last time step a code was accepted for, so that no code
    # works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64),
        info=unguarded("A secret the service makes, never shown after setting up."))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by=UserRole.role
    )

    # The signed-in session (a UserSession) this object came through, and that session's
    # token: set by sign-in and by the user loader for the current request, never stored.
    # (Typed for the checker only: the ORM would take annotations here for columns.)
    if TYPE_CHECKING:
        current_session: "UserSession | None"
        session_token: str | None
    current_session = None
    session_token = None

    def get_session_token(self) -> str:
        """What Flask-Login keeps in the session cookie (login_manager.id_attribute): the
        token of a server-side session, never the account's id, so that ending the session
        ends every copy of the cookie. (get_id() stays the id: UserMixin compares people
        with it.)"""
        if self.session_token is None:
            raise LookupError("sign in through start_session(), which makes the token")
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})"

    @property
    def roles(self) -> set[Role]:
        return {link.role for link in self.role_links}

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_titles(self) -> list[str]:
        return [role.title for role in Role if role in self.roles]

    # Permissions live here so every view asks one rule, and tests check one rule.
    @property
    def is_fund_manager(self) -> bool:
        """MOPAC's fund team, who run the fund and see everything in it. The one place this
        is decided: SQL visibility (`visible_to` on each listed model) asks it too."""
        return self.is_active and self.has_role(Role.fund_manager)

    @property
    def is_finance(self) -> bool:
        """MOPAC's finance officers, who approve claims the fund team has checked and record
        them paid: they see every grant, as the fund team does, and change none."""
        return self.is_active and self.has_role(Role.finance)

    def can_administer(self) -> bool:
        return self.is_fund_manager

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
        return self.is_fund_manager

    def can_add_service(self) -> bool:
        return self.has_role(Role.fund_manager, Role.commissioner, Role.partner)

    def can_import_services(self) -> bool:
        return self.is_fund_manager


class SessionEnd(TitledEnum):
    """Why a signed-in session ended."""

    signed_out = ("signed_out", "Signed out")
    password_changed = ("password_changed", "Password changed")
    password_set = ("password_set", "New password set by a fund manager")
    deactivated = ("deactivated", "Account deactivated")
    access_changed = ("access_changed", "Roles or organisation changed")
    two_factor_reset = ("two_factor_reset", "Two-factor sign-in reset by a fund manager")
    ended_by_owner = ("ended_by_owner", "Ended by its owner from another session")


class UserSession(Model):
    """One browser signed in as one person. The session cookie carries a random token and
    the database keeps only its SHA-256, so a copy of the database signs nobody in. A
    session is live until it ends (signing out, a new password, deactivation, a change of
    access) or its lifetime runs out, and the cookie works only while it is live."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True,
        info=unguarded("A SHA-256 of a session token."))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Kept roughly: written at most every few minutes, not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a code from the person's authenticator app was last given in this session: at
    # sign-in, and again before the most sensitive actions (eoi.accounts.two_factor).
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[SessionEnd | None] = mapped_column(
        enum_column_type(SessionEnd, "session_end"))
    # The browser's own description of itself, shortened, so a person can tell their
    # sessions apart.
    user_agent: Mapped[str] = mapped_column(String(200), default="",
        info=unguarded("The browser's description of itself, sent in a header, not typed."))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user {self.user_id}>"

    def __str__(self) -> str:
        return f"Session of {self.user}"

    def is_live(self, now: datetime, lifetime: timedelta) -> bool:
        return self.ended_at is None and now < self.created_at + lifetime


class SignInFailure(Model):
    """One wrong password, counted against one key (an account, a client network or a
    device: see eoi.accounts.throttling) and deleted once it is older than the window it
    counts in. The key is a keyed hash: no email or IP address is kept."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_hash_failed_at", "key_hash", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64),
        info=unguarded("A keyed hash, made by the service."))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SignInFailure {self.id} at {self.failed_at}>"


class PasswordReset(Model):
    """A single-use link to choose a new password, sent by email. Only a hash of its token
    is kept; it works once, for RESET_LIFETIME (eoi.accounts.joining)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True,
        info=unguarded("A SHA-256 of a token the service makes."))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user {self.user_id}>"

    def __str__(self) -> str:
        return f"Password reset for {self.user}"

    def works_at(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class InvitationStatus(TitledEnum):
    pending = ("pending", "Waiting for them")
    accepted = ("accepted", "Accepted")
    withdrawn = ("withdrawn", "Withdrawn")


class Invitation(Versioned, Model):
    """An invitation to join the service: the account it will make (email, name,
    organisation, roles) and a hash of the single-use link's token. Accepting it makes the
    account with the password the person chooses; until then no account exists, so
    nothing can sign in with it."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("email = lower(email)", name="invitation_email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True,
        info=unguarded("The email address a member of staff will sign in with, typed by a "
                       "fund manager or lead commissioner: never a young person's."))
    full_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Role values, comma-separated, in Role's order.
    roles_held: Mapped[str] = mapped_column(String(200),
        info=unguarded("Role names the service writes."))
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column_type(InvitationStatus, "invitation_status"), default=InvitationStatus.pending)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True,
        info=unguarded("A SHA-256 of a token the service makes."))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # once accepted

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} {self.status.value}>"

    def __str__(self) -> str:
        return f"Invitation of {self.full_name} ({self.email})"

    @property
    def roles(self) -> set[Role]:
        return {Role(value) for value in self.roles_held.split(",") if value}

    @property
    def role_titles(self) -> list[str]:
        return [role.title for role in Role if role in self.roles]

    def works_at(self, now: datetime) -> bool:
        return self.status is InvitationStatus.pending and now < self.expires_at

    def can_manage(self, user: User) -> bool:
        """Resend or withdraw it: the fund team, or whoever sent it (a lead commissioner
        inviting their partner's staff)."""
        return user.is_fund_manager or (user.is_active and user.id == self.invited_by_id)

    def state_at(self, now: datetime) -> str:
        if self.status is InvitationStatus.pending and now >= self.expires_at:
            return "Expired"
        return self.status.title


class RecoveryCode(Model):
    """One of the ten single-use codes that stand in for the authenticator app, made when
    two-factor sign-in is set up and shown once. Only a hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64),
        info=unguarded("A keyed hash of a code the service makes."))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user {self.user_id}>"
