"""What people send, read safely: numbers and ids from query strings and forms, and text
with the characters no document format can hold taken out. Pure."""

import re
import unicodedata
from urllib.parse import urlsplit

# Every table's ids fit PostgreSQL's integer; anything larger cannot name a record, and
# SQLite cannot even be asked about it (a Python int past 2**63 will not bind).
MAX_ID = 2**31 - 1

# ASCII digits only: str.isdigit() also says yes to "²" and "٣", which int() then refuses
# or reads differently. Bounded, so no run of digits is ever converted at length.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(text: object, *, maximum: int) -> int | None:
    """`text` as a whole number from 0 to `maximum`, or None when it is not one."""
    if not isinstance(text, str) or not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= maximum else None


def id_from(text: object) -> int | None:
    """An id from a query string or a form: a whole number that could name a record."""
    number = whole_number(text, maximum=MAX_ID)
    return number if number else None


def clean_text(value: str) -> str:
    """`value` without control characters (tab and line breaks apart, with Windows line
    breaks made plain) and without the Unicode non-characters and lone surrogates that
    UTF-8, XML and the databases refuse. A NUL in a name, or a bell in a title, would
    otherwise break every spreadsheet that holds it."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if _kept(ch))


def _kept(ch: str) -> bool:
    if ch in "\t\n":
        return True
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):  # control characters, lone surrogates
        return False
    code = ord(ch)
    return not (0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE)


def safe_next(target: str | None) -> str | None:
    """Only ever redirect within this service after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    # A backslash too: browsers read "/\\evil.example" as another site.
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target):
        return None
    return target
