"""Every change to an account goes through here, and every one is audited."""

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from eoi import clock
from eoi.accounts import throttling
from eoi.accounts.models import Role, SessionEnd, SignInFailure, User, UserRole, UserSession
from eoi.accounts.passwords import hash_password, needs_rehash, verify_password
from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version
from eoi.extensions import db
from eoi.reference.models import Organisation, OrganisationType
from eoi.refusals import DuplicateName, FieldRefusal, TransitionRefused

_AUDITED_FIELDS = ["email", "full_name", "organisation_id", "roles", "is_active"]

# A session's last-seen time is written when it is at least this old, not on every request.
SEEN_EVERY = timedelta(minutes=5)


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
    if {"roles", "organisation_id"} & changes.keys():
        # What they may see has changed: they sign in again to see it.
        end_sessions_of(user, SessionEnd.access_changed, by=by)
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
    if not active:
        # Ended, not merely refused while deactivated: reactivating must not revive them.
        end_sessions_of(user, SessionEnd.deactivated, by=by)
    return user


def set_password(user: User, new_password: str, *, by: User | None) -> None:
    """A new password, by the person themselves or a fund manager. Every other session of
    the person ends: whoever else held one (someone who knew the old password) is out."""
    own = by is not None and by.id == user.id
    user.password_hash = hash_password(new_password)
    record_audit("user.password_changed", user, user=by,
                 summary=f"Changed {'their own' if own else 'the'} password")
    end_sessions_of(user, SessionEnd.password_changed if own else SessionEnd.password_set,
                    by=by)


def change_own_password(user: User, *, current_password: str, new_password: str) -> None:
    """The person's own change: only with the password they have now."""
    if not verify_password(user.password_hash, current_password):
        raise FieldRefusal("current_password", "Your current password is not correct")
    set_password(user, new_password, by=user)


# Signed-in sessions -------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User, *, user_agent: str, now: datetime) -> UserSession:
    """A new signed-in session for `user`; its token is set on `user` for Flask-Login to
    put in the cookie, and only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    user_session = UserSession(user=user, token_hash=_token_hash(token), created_at=now,
                               last_seen_at=now, user_agent=(user_agent or "")[:200])
    db.session.add(user_session)
    user.current_session, user.session_token = user_session, token
    return user_session


def signed_in_user(token: str, *, now: datetime, lifetime: timedelta) -> User | None:
    """The person whose live session `token` is, in one query; None for a token never
    made or ended, a session past its `lifetime`, or a deactivated account."""
    user_session = db.session.scalar(
        select(UserSession).join(UserSession.user).options(contains_eager(UserSession.user))
        .where(UserSession.token_hash == _token_hash(token))
    )
    if user_session is None or not user_session.is_live(now, lifetime):
        return None
    user = user_session.user
    if not user.is_active:
        return None
    user.current_session, user.session_token = user_session, token
    return user


def note_seen(user_session: UserSession, *, now: datetime) -> bool:
    """Move the session's last-seen time on if it is SEEN_EVERY old; whether it did.

    Not audited: it records no one's decision, and an entry every few minutes for every
    person would bury the ones that do."""
    if now - user_session.last_seen_at < SEEN_EVERY:
        return False
    user_session.last_seen_at = now
    return True


def end_session(user_session: UserSession, reason: SessionEnd, *, by: User | None) -> None:
    user_session.ended_at, user_session.end_reason = clock.now(), reason
    if reason is SessionEnd.signed_out:
        record_audit("user.signed_out", user_session.user, user=by, summary="Signed out")


def end_sessions_of(user: User, reason: SessionEnd, *, by: User | None) -> int:
    """End every live session of `user` but the one the change is being made in, if
    `user` is making it themselves; how many ended."""
    keep = by.current_session if by is not None and by.id == user.id else None
    query = select(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.scalars(query).all()
    for user_session in ended:
        end_session(user_session, reason, by=by)
    if ended:
        others = "other " if keep is not None else ""
        record_audit("user.sessions_ended", user, user=by,
                     summary=f"Ended {len(ended)} {others}session{'s' * (len(ended) != 1)}: "
                     f"{reason.title.lower()}")
    return len(ended)


class SignInOutcome(enum.Enum):
    signed_in = "signed_in"
    wrong_credentials = "wrong_credentials"
    # Too many wrong passwords in the last minute: refused whatever the password.
    throttled = "throttled"
    # The password was right; the account's authenticator app code comes next.
    needs_second_factor = "needs_second_factor"


@dataclass(frozen=True)
class SignInClient:
    """Where an attempt comes from: the client's address, the device cookie it sent (see
    eoi.accounts.throttling) and its user agent."""

    address: str | None = None
    device_cookie: str | None = None
    user_agent: str = ""


@dataclass
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    # On signing in: the browser's new device cookie.
    device_cookie: str | None = None


def attempt_sign_in(email: str, password: str, *, now: datetime,
                    client: SignInClient = SignInClient()) -> SignInResult:
    """Check a password, held to the limits in eoi.accounts.throttling.

    An address with no account, or a deactivated one, goes exactly the same way as a
    wrong password: the same queries, a password hash checked, the same failure counted,
    so neither the answer nor its timing says which addresses have accounts.
    """
    secret = current_app.config["SECRET_KEY"]
    email = normalise_email(email)
    user = find_user_by_email(email)
    device = throttling.trusted_device(secret, client.device_cookie, email=email,
                                       password_hash=user.password_hash if user else None,
                                       now=now)
    limits = throttling.limits_for(secret, email=email, address=client.address, device=device)
    refused = _over_a_limit(limits, now)
    # Checked even when refused, so a refusal takes as long as any other answer.
    password_ok = verify_password(user.password_hash if user else None, password)
    if refused:
        return SignInResult(SignInOutcome.throttled)
    if user is None or not password_ok or not user.is_active:  # no user: password_ok False
        _count_failure(limits, now)
        return SignInResult(SignInOutcome.wrong_credentials)

    if needs_rehash(user.password_hash):
        _write_past_version(user, password_hash=hash_password(password))
    if user.has_two_factor:  # the password was right: now the code (eoi.accounts.two_factor)
        return SignInResult(SignInOutcome.needs_second_factor, user)
    return signed_in_now(user, client, now, second_factor=False)


def _write_past_version(user: User, **values: object) -> None:
    """Signing in is not an edit of the account, so two sign-ins at once, or one during a
    fund manager's change to the account, never conflict."""
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    for name, value in values.items():
        set_committed_value(user, name, value)


def signed_in_now(user: User, client: SignInClient, now: datetime, *,
                  second_factor: bool) -> SignInResult:
    """The last step of every way in (a password, a code, a provider): the session made,
    the sign-in audited, and the browser's device cookie."""
    _write_past_version(user, last_signed_in_at=now)
    user_session = start_session(user, user_agent=client.user_agent, now=now)
    if second_factor:
        user_session.second_factor_at = now
    record_audit("user.signed_in", user, user=user,
                 summary="Signed in with a second factor" if second_factor else "Signed in")
    return SignInResult(SignInOutcome.signed_in, user, throttling.device_cookie(
        current_app.config["SECRET_KEY"], email=user.email, password_hash=user.password_hash,
        now=now))


def complete_sign_in(user_id: int, code: str, *, now: datetime,
                     client: SignInClient = SignInClient()) -> SignInResult:
    """The second step, for an account with two-factor sign-in: its code, then signed in."""
    from eoi.accounts import two_factor

    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.has_two_factor:
        return SignInResult(SignInOutcome.wrong_credentials)
    two_factor.check_code(user, code, now=now)
    return signed_in_now(user, client, now, second_factor=True)


def confirm_second_factor(user: User, code: str, *, now: datetime) -> None:
    """A code again, in a session already signed in, before a sensitive action."""
    from eoi.accounts import two_factor

    two_factor.check_code(user, code, now=now)
    assert user.current_session is not None
    user.current_session.second_factor_at = now


def _over_a_limit(limits: dict[str, int], now: datetime) -> bool:
    counts = dict(db.session.execute(
        select(SignInFailure.key_hash, func.count())
        .where(SignInFailure.key_hash.in_(limits),
               SignInFailure.failed_at > now - throttling.WINDOW)
        .group_by(SignInFailure.key_hash)
    ).all())
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def _count_failure(limits: dict[str, int], now: datetime) -> None:
    """Count a wrong password against each key, and forget failures too old to count.

    Not audited: anyone can make these, for addresses with no account too, and they are
    kept only for a minute."""
    db.session.add_all(SignInFailure(key_hash=key, failed_at=now) for key in limits)
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.failed_at <= now - throttling.WINDOW),
        execution_options={"synchronize_session": False})


def live_sessions_of(user: User, *, now: datetime, lifetime: timedelta) -> list[UserSession]:
    """The person's sessions that still sign them in, newest first (a person has a few)."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id,
                                  UserSession.ended_at.is_(None),
                                  UserSession.created_at > now - lifetime)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc()).limit(100)))


def end_own_session(user: User, session_id: int) -> UserSession:
    """End one of the person's own sessions, from another; not this one (sign out for that)."""
    user_session = db.session.get(UserSession, session_id)
    if user_session is None or user_session.user_id != user.id or user_session.ended_at:
        raise TransitionRefused("That session has already ended")
    if user.current_session is not None and user_session.id == user.current_session.id:
        raise TransitionRefused("This is the session you are using: sign out to end it")
    end_session(user_session, SessionEnd.ended_by_owner, by=user)
    record_audit("user.session_ended", user, user=user,
                 summary="Ended one of their sessions from another")
    return user_session


# Certifiers ------------------------------------------------------------------------------
# MOPAC's fund team names an organisation's first certifier (in Administration); from then
# on its certifiers name and remove the others among its own people, as a finance team
# decides for itself who signs its figures off.


def can_name_certifiers(user: User) -> bool:
    return (user.is_active and user.has_role(Role.certifier)
            and user.organisation.type is not OrganisationType.mopac)


def _one_of_ours(person: User | None, by: User) -> bool:
    if not can_name_certifiers(by):
        raise TransitionRefused("Only a certifier of the organisation names its certifiers")
    return (person is not None and person.organisation_id == by.organisation_id
            and person.is_active)


def name_certifier(person: User | None, *, by: User) -> User:
    if not _one_of_ours(person, by):
        raise FieldRefusal("email", f"Enter the email address of someone with an account at "
                           f"{by.organisation.name}")
    assert person is not None  # one of ours
    if person.has_role(Role.certifier):
        raise FieldRefusal("email", f"{person.full_name} is a certifier already")
    _change_certifier(person, person.roles | {Role.certifier}, by=by,
                      summary=f"Named {person.full_name} a certifier of "
                      f"{person.organisation.name}")
    return person


def remove_certifier(person: User | None, *, by: User) -> User:
    if not _one_of_ours(person, by) or person is None or not person.has_role(Role.certifier):
        raise TransitionRefused(f"That person is not a certifier of {by.organisation.name}")
    others = db.session.scalar(select(func.count(User.id)).where(
        User.organisation_id == by.organisation_id, User.is_active, User.id != person.id,
        User.role_links.any(UserRole.role == Role.certifier)))
    if not others:
        # With none left, its returns and pledges would stop waiting for a sign-off.
        raise TransitionRefused("An organisation that names certifiers keeps at least one: "
                                "name another first, or ask MOPAC's fund team")
    _change_certifier(person, person.roles - {Role.certifier}, by=by,
                      summary=f"Removed {person.full_name} as a certifier of "
                      f"{person.organisation.name}")
    return person


def _change_certifier(person: User, roles: set[Role], *, by: User, summary: str) -> None:
    from eoi.notifications import tell

    before = snapshot(person, _AUDITED_FIELDS)
    _set_roles(person, roles)
    record_audit("user.certifier_changed", person, user=by, summary=summary,
                 changes=changes_between(before, snapshot(person, _AUDITED_FIELDS)))
    if person.id != by.id:
        # As when MOPAC changes someone's roles: they sign in again to see what changed.
        # Stepping down yourself keeps you signed in, with the role gone from your next click.
        end_sessions_of(person, SessionEnd.access_changed, by=by)
    tell.certifier_changed(person, named=Role.certifier in roles, by=by)
