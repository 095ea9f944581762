"""Single sign-on through OpenID Connect (Authlib), for organisations whose staff have
Microsoft Entra ID or another provider: EOI_OIDC_ISSUER, EOI_OIDC_CLIENT_ID and
EOI_OIDC_CLIENT_SECRET. The provider says who the person is; roles stay in this service's
database. A person is matched by an email address the provider has verified, to an active
account or a pending invitation; anyone else is told to ask for an invitation."""

import secrets

from authlib.integrations.flask_client import OAuth
from flask import current_app

from eoi import clock
from eoi.accounts.joining import pending_invitation_for
from eoi.accounts.models import InvitationStatus
from eoi.accounts.operations import (
    SignInClient,
    SignInOutcome,
    SignInResult,
    create_user,
    find_user_by_email,
    signed_in_now,
)
from eoi.refusals import Refusal

oauth = OAuth()


class NotSignedIn(Refusal):
    """The provider's answer signs nobody in here: the reason is for the person."""


def is_configured() -> bool:
    return bool(current_app.config.get("EOI_OIDC_ISSUER"))


def provider_name(*, capital: bool = False) -> str:
    name = current_app.config["EOI_OIDC_NAME"]
    return name[:1].upper() + name[1:] if capital else name


def client():
    """The provider's client, made from the settings the first time it is asked for (and
    again if they change): its metadata is read from the issuer's discovery document."""
    config = current_app.config
    issuer = config["EOI_OIDC_ISSUER"].rstrip("/")
    if "authlib.integrations.flask_client" not in current_app.extensions:
        oauth.init_app(current_app._get_current_object())  # type: ignore[attr-defined]
    name = f"sso_{abs(hash((issuer, config['EOI_OIDC_CLIENT_ID']))) % 10**8}"
    found = oauth.create_client(name)
    if found is None:
        found = oauth.register(
            name, client_id=config["EOI_OIDC_CLIENT_ID"],
            client_secret=config["EOI_OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"})
    return found


def sign_in_with(claims: dict, *, client: SignInClient) -> SignInResult:
    """Sign in the person the provider vouched for, or refuse with a reason."""
    from eoi.accounts import joining
    from eoi.audit import record_audit

    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise NotSignedIn(f"{provider_name(capital=True)} did not confirm your email address, "
                          "so it cannot sign you in here. Sign in with your password instead")
    now = clock.now()
    user = find_user_by_email(email)
    if user is None:
        invitation = pending_invitation_for(email)
        if invitation is None:
            raise NotSignedIn(f"There is no account for {email}. Ask the fund team at MOPAC, "
                              "or your consortium's lead commissioner, to invite you")
        # Accepted by signing in: a password nobody knows, so this person signs in only
        # through their organisation (or resets one by email if they ever need it).
        user = create_user(email=invitation.email, full_name=invitation.full_name,
                           organisation=invitation.organisation, roles=invitation.roles,
                           password=secrets.token_urlsafe(32), by=None)
        invitation.user_id = user.id
        joining.INVITATION.move(invitation, InvitationStatus.accepted, by=user,
                                action="invitation.accepted",
                                summary=f"{user.full_name} accepted the invitation by signing "
                                f"in through {provider_name()}")
    if not user.is_active:
        raise NotSignedIn("This account is deactivated. Ask the fund team at MOPAC")
    record_audit("user.signed_in_through_provider", user, user=user,
                 summary=f"{provider_name()} confirmed {email}")
    if user.has_two_factor:
        return SignInResult(SignInOutcome.needs_second_factor, user)
    return signed_in_now(user, client, now, second_factor=False)

