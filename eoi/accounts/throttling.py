"""How fast passwords may be guessed, without letting anyone keep the owner out.

Wrong passwords are counted for a minute, in the database so that every worker sees them
(eoi.accounts.operations.attempt_sign_in keeps the counts), against:

- the account: 10 a minute, keyed by the normalised email address, so an address with no
  account is counted exactly like one with (nobody learns which exist from being refused);
- the client's network (an IPv4 address, an IPv6 /64): 30 a minute across every account
  it tries, so one machine cannot guess a little at many accounts;
- or, instead of both, the browser's own device cookie: a browser that has signed in to
  this account before carries one (OWASP's "device cookies") and is counted on its own,
  10 a minute. Someone else's guessing then never keeps the owner out of their own browser.

A refused attempt is not counted, so guessing never pushes the wait past a minute. (A
browser that has never signed in to the account waits while guessing at the account goes
on, and a minute after it stops.)

Keys and cookies are made with the service's secret, so the counts hold no email address
or IP address, and a device cookie cannot be made by anyone but the service.
"""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

WINDOW = timedelta(minutes=1)
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 30
DEVICE_LIMIT = 10

DEVICE_COOKIE = "eoi_device"
DEVICE_COOKIE_LIFETIME = timedelta(days=180)


def _keyed(secret: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def client_network(address: str | None) -> str:
    """What a client is counted by: its IPv4 address, or its IPv6 /64 (one household or
    machine is usually given a whole /64, so counting single IPv6 addresses counts
    nothing)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def account_key(secret: str, email: str) -> str:
    return _keyed(secret, "account", email)


def limits_for(secret: str, *, email: str, address: str | None,
               device: str | None) -> dict[str, int]:
    """The counts an attempt is held to, each key with its limit: the trusted `device`'s
    own, or else the account's and the client network's. `email` is normalised."""
    if device is not None:
        return {_keyed(secret, "device", device): DEVICE_LIMIT}
    return {account_key(secret, email): ACCOUNT_LIMIT,
            _keyed(secret, "network", client_network(address)): ADDRESS_LIMIT}


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="eoi.accounts.device-cookie")


def _password_tag(secret: str, password_hash: str) -> str:
    # A new password (or a new hash of it) makes earlier device cookies ordinary browsers,
    # so one held by whoever had the old password no longer lets it guess on its own count.
    return _keyed(secret, "password", password_hash)[:16]


def device_cookie(secret: str, *, email: str, password_hash: str, now: datetime) -> str:
    """A new device cookie for a browser that has just signed in as `email`."""
    return _serializer(secret).dumps({
        "account": account_key(secret, email)[:32],
        "device": secrets.token_urlsafe(16),
        "password": _password_tag(secret, password_hash),
        "issued": int(now.timestamp()),
    })


def trusted_device(secret: str, cookie: str | None, *, email: str,
                   password_hash: str | None, now: datetime) -> str | None:
    """The device the cookie names, if it was made by this service for a sign-in as
    `email` with its current password, within DEVICE_COOKIE_LIFETIME; else None."""
    if not cookie or password_hash is None:
        return None
    try:
        claims = _serializer(secret).loads(cookie)
        issued = datetime.fromtimestamp(claims["issued"], now.tzinfo)
        trusted = (
            isinstance(claims["device"], str)
            and hmac.compare_digest(claims["account"], account_key(secret, email)[:32])
            and hmac.compare_digest(claims["password"], _password_tag(secret, password_hash))
            and timedelta(0) <= now - issued <= DEVICE_COOKIE_LIFETIME
        )
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    return claims["device"] if trusted else None
