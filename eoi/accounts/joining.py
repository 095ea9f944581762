"""Joining the service and getting back in: invitations, and resetting a forgotten password
by email. Each link carries a random token the database keeps only a hash of, works once,
and runs out (INVITATION_LIFETIME, RESET_LIFETIME). Every step is audited, and every email
goes through the outbox in the step's own transaction."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from eoi import clock
from eoi.accounts.models import (
    Invitation,
    InvitationStatus,
    PasswordReset,
    Role,
    SessionEnd,
    User,
)
from eoi.accounts.operations import (
    create_user,
    end_sessions_of,
    find_user_by_email,
    normalise_email,
)
from eoi.accounts.passwords import hash_password
from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.extensions import db
from eoi.formatting import london_datetime
from eoi.notifications.outbox import Invitee, notify, service_link
from eoi.reference.models import Organisation
from eoi.refusals import FieldRefusal, Refusal, TransitionRefused
from eoi.states import StateMachine

INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
# Resets asked for one account in an hour, beyond which no more emails go (the answer on
# the page is the same): so nobody can fill a person's inbox from the sign-in page.
RESETS_AN_HOUR = 3

INVITATION = StateMachine("invitation", {
    InvitationStatus.pending: frozenset({InvitationStatus.accepted, InvitationStatus.withdrawn}),
})


class LinkNotWorking(Refusal):
    """A link that was never made, has been used, or has run out: all look the same."""


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Password reset ---------------------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """Email a reset link if `email` is an active account's, and not too often; otherwise
    do nothing. The page says the same either way, so it tells nobody who has an account."""
    user = find_user_by_email(email)
    now = clock.now()
    if user is None or not user.is_active:
        return
    recent = db.session.scalar(select(func.count(PasswordReset.id)).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1)))
    if (recent or 0) >= RESETS_AN_HOUR:
        return
    # Only the newest link works.
    _void_resets_of(user)
    token, hashed = _new_token()
    reset = PasswordReset(user=user, token_hash=hashed, created_at=now,
                          expires_at=now + RESET_LIFETIME)
    db.session.add(reset)
    record_audit("user.password_reset_asked", user, user=None,
                 summary="Asked for a link to reset their password")
    notify("password_reset", f"reset-{reset.id}", [user],
           link=service_link(f"/reset-password/{token}"))


def _void_resets_of(user: User) -> None:
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=clock.now()))


def reset_for(token: str) -> PasswordReset:
    """The working reset `token` is for; LinkNotWorking otherwise."""
    reset = db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == token_hash(token)))
    if reset is None or not reset.works_at(clock.now()) or not reset.user.is_active:
        raise LinkNotWorking("This link has been used or has expired")
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Set the new password through a working link, use the link up, and end every session
    the person had: whoever else was signed in as them is out."""
    reset = reset_for(token)
    user = reset.user
    reset.used_at = clock.now()
    _void_resets_of(user)
    user.password_hash = hash_password(new_password)
    record_audit("user.password_reset", user, user=None,
                 summary="Reset their password through a link sent by email")
    end_sessions_of(user, SessionEnd.password_changed, by=None)
    return user


# Invitations ------------------------------------------------------------------------------

def invite(*, email: str, full_name: str, organisation: Organisation, roles: set[Role],
           by: User) -> Invitation:
    """Invite a person to join, and email them the link."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise FieldRefusal("email", "An account with this email address already exists")
    if pending_invitation_for(email) is not None:
        raise FieldRefusal("email", "This person has already been invited: resend that "
                                    "invitation from the list of invitations")
    if not roles:
        raise FieldRefusal("roles", "Select at least one role")
    now = clock.now()
    token, hashed = _new_token()
    invitation = Invitation(
        email=email, full_name=full_name.strip(), organisation=organisation,
        roles_held=",".join(role.value for role in Role if role in roles),
        token_hash=hashed, invited_by=by, created_at=now, sent_at=now,
        expires_at=now + INVITATION_LIFETIME)
    db.session.add(invitation)
    record_audit("invitation.sent", invitation, user=by,
                 summary=f"Invited {invitation.full_name} ({email}) at {organisation.name} as "
                 f"{', '.join(invitation.role_titles)}")
    _send_invitation(invitation, token, by)
    return invitation


def invite_partner_staff(partner, *, email: str, full_name: str, by: User) -> Invitation:
    """A lead commissioner (or the fund team) invites someone who works for one of the
    consortium's partners, as a partner of the service, at that organisation."""
    if not partner.consortium.can_manage(by) or partner.is_removed:
        raise TransitionRefused("Only the consortium's lead invites its partners' staff")
    return invite(email=email, full_name=full_name, organisation=partner.organisation,
                  roles={Role.partner}, by=by)


def invitations_for_partners(consortium) -> list[Invitation]:
    """Invitations waiting for people at the consortium's current partners."""
    organisations = [partner.organisation_id for partner in consortium.current_partners]
    if not organisations:
        return []
    return list(db.session.scalars(select(Invitation).where(
        Invitation.organisation_id.in_(organisations),
        Invitation.status == InvitationStatus.pending).order_by(Invitation.sent_at.desc())
        .limit(100)))


def _send_invitation(invitation: Invitation, token: str, by: User) -> None:
    # Each sending is its own message: the key names the token's hash.
    notify("invited", f"invitation-{invitation.token_hash[:16]}",
           [Invitee(invitation.email, invitation.full_name)],
           inviter=by.full_name, organisation=invitation.organisation.name,
           roles=" and ".join(title.lower() for title in invitation.role_titles),
           expires=london_datetime(invitation.expires_at),
           link=service_link(f"/join/{token}"))


def pending_invitation_for(email: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(
        Invitation.email == normalise_email(email),
        Invitation.status == InvitationStatus.pending,
        Invitation.expires_at > clock.now()))


def resend_invitation(invitation: Invitation, *, by: User,
                      expected_version: int | None = None) -> Invitation:
    """A new link, for another INVITATION_LIFETIME: the old link stops working."""
    _require_manager_of(invitation, by)
    check_version(invitation, expected_version)
    if invitation.status is not InvitationStatus.pending:
        raise LinkNotWorking(f"This invitation has been {invitation.status.title.lower()}")
    now = clock.now()
    token, invitation.token_hash = _new_token()
    invitation.sent_at, invitation.expires_at = now, now + INVITATION_LIFETIME
    record_audit("invitation.resent", invitation, user=by,
                 summary=f"Sent the invitation of {invitation.full_name} again")
    _send_invitation(invitation, token, by)
    return invitation


def withdraw_invitation(invitation: Invitation, *, by: User,
                        expected_version: int | None = None) -> Invitation:
    _require_manager_of(invitation, by)
    check_version(invitation, expected_version)
    INVITATION.move(invitation, InvitationStatus.withdrawn, by=by, action="invitation.withdrawn",
                    summary=f"Withdrew the invitation of {invitation.full_name}")
    return invitation


def _require_manager_of(invitation: Invitation, by: User) -> None:
    if not invitation.can_manage(by):
        raise TransitionRefused("Only the fund team, or whoever sent it, can change this "
                                "invitation")


def invitation_for(token: str) -> Invitation:
    """The working invitation `token` is for; LinkNotWorking otherwise."""
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.token_hash == token_hash(token)))
    if invitation is None or not invitation.works_at(clock.now()):
        raise LinkNotWorking("This link has been used or has expired")
    return invitation


def accept_invitation(token: str, password: str) -> User:
    """Make the account the invitation describes, with the password chosen."""
    invitation = invitation_for(token)
    if find_user_by_email(invitation.email) is not None:  # made since, by hand
        raise LinkNotWorking("An account with this email address already exists: sign in")
    user = create_user(email=invitation.email, full_name=invitation.full_name,
                       organisation=invitation.organisation, roles=invitation.roles,
                       password=password, by=None)
    invitation.user_id = user.id
    INVITATION.move(invitation, InvitationStatus.accepted, by=user,
                    action="invitation.accepted",
                    summary=f"{user.full_name} accepted the invitation and chose a password")
    if invitation.invited_by is not None and invitation.invited_by.is_active:
        notify("invitation_accepted", f"invitation-{invitation.id}", [invitation.invited_by],
               name=user.full_name, email=user.email, organisation=invitation.organisation.name,
               roles=" and ".join(title.lower() for title in invitation.role_titles))
    return user
