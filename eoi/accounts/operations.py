"""Every change to an account goes through here, and every one is audited."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from eoi.accounts.models import Role, User, UserRole
from eoi.accounts.passwords import hash_password, needs_rehash, verify_password
from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version
from eoi.extensions import db
from eoi.reference.models import Organisation
from eoi.refusals import DuplicateName, FieldRefusal

MAX_FAILED_SIGN_INS = 5
FAILED_SIGN_IN_WINDOW = timedelta(minutes=15)
LOCKOUT_PERIOD = timedelta(minutes=15)

_AUDITED_FIELDS = ["email", "full_name", "organisation_id", "roles", "is_active"]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _set_roles(user: User, roles: set[Role]) -> None:
    kept = [link for link in user.role_links if link.role in roles]
    added = [UserRole(role=role) for role in sorted(roles - user.roles, key=lambda r: r.value)]
    user.role_links = kept + added


def create_user(
    *,
    email: str,
    full_name: str,
    organisation: Organisation,
    roles: set[Role],
    password: str,
    by: User | None,
) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DuplicateName("email")
    user = User(
        email=email,
        full_name=full_name.strip(),
        organisation=organisation,
        password_hash=hash_password(password),
    )
    _set_roles(user, roles)
    db.session.add(user)
    record_audit(
        "user.created",
        user,
        user=by,
        summary=f"Created account for {user.full_name} with roles "
        f"{', '.join(user.role_titles) or 'none'}",
        changes=changes_between({}, snapshot(user, _AUDITED_FIELDS)),
    )
    return user


def update_user(
    user: User,
    *,
    full_name: str,
    organisation: Organisation,
    roles: set[Role],
    by: User,
    expected_version: int | None = None,
) -> User:
    check_version(user, expected_version)
    if user.id == by.id and Role.fund_manager in user.roles - roles:
        # Otherwise the service could be left with nobody able to run it.
        raise FieldRefusal("roles", "You cannot remove your own fund manager role")
    before = snapshot(user, _AUDITED_FIELDS)
    user.full_name = full_name.strip()
    user.organisation = organisation
    _set_roles(user, roles)
    changes = changes_between(before, snapshot(user, _AUDITED_FIELDS))
    if changes:
        record_audit("user.updated", user, user=by, summary="Updated account", changes=changes)
    return user


def set_user_active(user: User, active: bool, *, by: User) -> User:
    if user.is_active == active:
        return user
    if not active and user.id == by.id:
        raise FieldRefusal("active", "You cannot deactivate your own account")
    before = snapshot(user, _AUDITED_FIELDS)
    user.is_active = active
    record_audit(
        "user.reactivated" if active else "user.deactivated",
        user,
        user=by,
        summary=("Reactivated" if active else "Deactivated") + f" account of {user.full_name}",
        changes=changes_between(before, snapshot(user, _AUDITED_FIELDS)),
    )
    return user


def set_password(user: User, new_password: str, *, by: User | None) -> None:
    user.password_hash = hash_password(new_password)
    user.failed_sign_in_count = 0
    user.first_failed_sign_in_at = None
    user.locked_until = None
    who = "their own" if by is not None and by.id == user.id else "the"
    record_audit("user.password_changed", user, user=by, summary=f"Changed {who} password")


class SignInOutcome(enum.Enum):
    signed_in = "signed_in"
    wrong_credentials = "wrong_credentials"
    locked = "locked"


@dataclass
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    locked_until: datetime | None = None


def attempt_sign_in(email: str, password: str, *, now: datetime) -> SignInResult:
    """Check a password, counting failures: 5 in 15 minutes lock the account for 15.

    A locked account is refused before its password is checked, so guessing
    during the lockout learns nothing.
    """
    user = find_user_by_email(email)
    if user is not None and user.is_locked(now):
        return SignInResult(SignInOutcome.locked, user, user.locked_until)

    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        return SignInResult(SignInOutcome.wrong_credentials)

    if not password_ok:
        window_open = (
            user.first_failed_sign_in_at is not None
            and now - user.first_failed_sign_in_at < FAILED_SIGN_IN_WINDOW
        )
        if window_open:
            user.failed_sign_in_count += 1
        else:
            user.failed_sign_in_count = 1
            user.first_failed_sign_in_at = now
        if user.failed_sign_in_count >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT_PERIOD
            user.failed_sign_in_count = 0
            user.first_failed_sign_in_at = None
            record_audit(
                "user.locked",
                user,
                user=None,
                summary=f"Locked after {MAX_FAILED_SIGN_INS} failed sign-in attempts",
            )
            return SignInResult(SignInOutcome.locked, user, user.locked_until)
        return SignInResult(SignInOutcome.wrong_credentials, user)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_in_count = 0
    user.first_failed_sign_in_at = None
    user.locked_until = None
    user.last_signed_in_at = now
    record_audit("user.signed_in", user, user=user, summary="Signed in")
    return SignInResult(SignInOutcome.signed_in, user)
