"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, through pyotp) and ten
single-use recovery codes.

A person sets it up under *Your account*: the service makes a secret, shows it as a QR code
(segno) and as text, and keeps it only once a code from the app proves the app has it.
From then on, signing in asks for a code after the password, and the most sensitive actions
(publishing decisions, changing someone's roles) ask again when the last code is older than
REASK_AFTER. EOI_REQUIRE_2FA names the roles that must set it up before they can do
anything else. A code works once: the last time step accepted is kept.
"""

import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, select, update

from eoi.accounts.models import RecoveryCode, Role, SessionEnd, SignInFailure, User
from eoi.audit import record_audit
from eoi.extensions import db
from eoi.refusals import FieldRefusal, TransitionRefused

ISSUER = "Co-commissioning fund"
RECOVERY_CODES = 10
REASK_AFTER = timedelta(minutes=15)
# Between a right password and its code: after this, the password is asked for again.
PENDING_FOR = timedelta(minutes=5)
# Wrong codes allowed for one account in a minute (a code is 6 digits: 10 a minute would
# take years to guess, but there is no reason to allow more).
WRONG_CODES_A_MINUTE = 5
WINDOW = timedelta(minutes=1)
WRONG_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code"
TOO_MANY = "Too many wrong codes. Wait a minute, then try again"


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_svg(user: User, secret: str) -> str:
    """The secret as a QR code an authenticator app scans: inline SVG with a title."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", omitsize=True)


def spaced(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def required_roles() -> frozenset[Role]:
    return current_app.config["EOI_REQUIRE_2FA"]


def is_required_for(user: User) -> bool:
    return bool(user.roles & required_roles())


def _step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step `code` is right for (this 30 seconds, or the one either side, for a
    phone's clock a little out), if it is later than `after`."""
    totp = pyotp.TOTP(secret)
    counter = totp.timecode(now)
    for step in (counter, counter - 1, counter + 1):
        if (after is None or step > after) and hmac.compare_digest(
                totp.generate_otp(step).encode(), code.encode()):
            return step
    return None


_CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _normalised(code: str) -> str:
    """What was typed, as a code: ASCII letters and digits only, lower case (spaces and
    hyphens people type are dropped; so is any other script's digit, which no code has)."""
    return "".join(ch for ch in code.lower() if ch in _CODE_CHARACTERS)[:20]


def _code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, _normalised(code).encode(), hashlib.sha256).hexdigest()


def _recovery_codes(user: User) -> list[str]:
    """Ten new codes, replacing any before; each 10 letters and digits, shown as xxxxx-xxxxx."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = []
    for _ in range(RECOVERY_CODES):
        code = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{code[:5]}-{code[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))
    return codes


def set_up(user: User, secret: str, code: str, *, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with `secret`, once `code` shows the app has it; the
    recovery codes, to be shown once. The session it is done in has given its code."""
    if user.has_two_factor:
        raise TransitionRefused("Two-factor sign-in is already set up")
    step = _step(secret, _normalised(code), now, None)
    if step is None:
        raise FieldRefusal("code", "The code is not right. Check your app shows "
                                   f"{ISSUER}, then enter the code it shows now")
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    if user.current_session is not None:
        user.current_session.second_factor_at = now
    codes = _recovery_codes(user)
    record_audit("user.two_factor_set_up", user, user=user,
                 summary="Set up two-factor sign-in with an authenticator app")
    return codes


def new_recovery_codes(user: User) -> list[str]:
    codes = _recovery_codes(user)
    record_audit("user.recovery_codes_made", user, user=user,
                 summary="Made new recovery codes: the earlier ones no longer work")
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _failure_key(user: User) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"second-factor:{user.id}".encode(), hashlib.sha256).hexdigest()


def check_code(user: User, code: str, *, now: datetime) -> None:
    """Accept a code from the app, or a recovery code (used up); FieldRefusal otherwise.
    Wrong codes are counted and, past WRONG_CODES_A_MINUTE, every code is refused."""
    key = _failure_key(user)
    wrong = db.session.scalar(select(func.count(SignInFailure.id)).where(
        SignInFailure.key_hash == key, SignInFailure.failed_at > now - WINDOW)) or 0
    if wrong >= WRONG_CODES_A_MINUTE:
        raise FieldRefusal("code", TOO_MANY)
    typed = _normalised(code)
    assert user.totp_secret is not None
    step = _step(user.totp_secret, typed, now, user.totp_last_step) if len(typed) == 6 else None
    if step is not None:
        # Past the account's version, as signing in is: a code is not an edit of the account.
        db.session.execute(update(User).where(User.id == user.id)
                           .values(totp_last_step=step))
        return
    recovery = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(typed),
        RecoveryCode.used_at.is_(None)))
    if recovery is not None:
        recovery.used_at = now
        record_audit("user.recovery_code_used", user, user=user,
                     summary=f"Used a recovery code ({recovery_codes_left(user) - 1} left)")
        return
    # Kept: a refusal rolls back the rest, but the count must stand (see the view).
    raise WrongCode(key, now)


class WrongCode(FieldRefusal):
    def __init__(self, key: str, now: datetime):
        super().__init__("code", WRONG_CODE)
        self.key, self.now = key, now


def count_wrong_code(refusal: WrongCode) -> None:
    db.session.add(SignInFailure(key_hash=refusal.key, failed_at=refusal.now))


def is_fresh(session_second_factor_at: datetime | None, now: datetime) -> bool:
    return session_second_factor_at is not None and now - session_second_factor_at < REASK_AFTER


def turn_off(user: User, *, by: User) -> None:
    """Off, by the person (unless their roles require it) or reset by a fund manager, who
    signs them out everywhere: they set it up again at their next sign-in if required."""
    from eoi.accounts.operations import end_sessions_of

    if not user.has_two_factor:
        raise TransitionRefused("Two-factor sign-in is not set up")
    own = by.id == user.id
    if own and is_required_for(user):
        raise TransitionRefused("Your roles need two-factor sign-in: it cannot be turned off")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if own:
        record_audit("user.two_factor_turned_off", user, user=by,
                     summary="Turned off two-factor sign-in")
    else:
        record_audit("user.two_factor_reset", user, user=by,
                     summary=f"Reset the two-factor sign-in of {user.full_name}")
        end_sessions_of(user, SessionEnd.two_factor_reset, by=by)


def parse_required_roles(value: str | None, production: bool) -> frozenset[Role]:
    """EOI_REQUIRE_2FA: role names, comma-separated, or "none"; by default fund managers and
    panel members in production, nobody elsewhere (the demo offers it, never forces it)."""
    if value is None or not value.strip():
        return frozenset({Role.fund_manager, Role.panel_member}) if production else frozenset()
    if value.strip().lower() == "none":
        return frozenset()
    names = {name.strip() for name in value.split(",") if name.strip()}
    known: Collection[str] = {role.value for role in Role}
    unknown = sorted(names - set(known))
    if unknown:
        raise ValueError(f"not roles: {', '.join(unknown)} (roles: {', '.join(sorted(known))})")
    return frozenset(Role(name) for name in names)
