import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with OWASP's 19 MiB, 2 passes, 1 lane (the Password Storage Cheat Sheet's
# configuration equivalent in strength to argon2-cffi's default of 64 MiB, 3 passes, 4 lanes)
# so that a sign-in costs a web worker 19 MiB, not 64: a worker's memory stays bounded when
# several people sign in at once. Hashes made with other parameters are upgraded at the next
# sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200

# The 20,000 most common passwords, as Django ships them (BSD licence; Royce Williams's list
# drawn from breaches). The NCSC's advice: a length, a deny list of common and breached
# passwords, and no rules about upper case, digits or symbols, which make passwords no
# stronger and harder to remember.
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")
TOO_COMMON = "This password is too common. Choose another: three random words is a good start"


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as listed:
        return frozenset(line.strip().lower() for line in listed if line.strip())


def is_too_common(password: str) -> bool:
    """On the deny list, ignoring case and the spaces people put around it, or the same
    few characters over and over ("aaaaaaaaaaaa", "abcabcabcabc")."""
    folded = password.strip().lower()
    return folded in _common() or len(set(folded)) < 4

# Verified against when an email matches no account, so that a wrong email takes
# as long as a wrong password and response times do not reveal who has an account.
_DUMMY_HASH = _hasher.hash("no account has this password")


def use_cheap_parameters_for_tests() -> None:
    """Still Argon2id, with far less memory and time, so a suite that makes hundreds of
    accounts stays quick. Never called by the service itself."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
