"""Spot personal data in a return's free text before we accept it.

Partners send counts and narrative. A stray email address, phone number or date of birth
in the narrative could identify a young person, so the text is refused with a message
that says what looks wrong without repeating it.

Every pattern runs on RE2, whose time grows with the length of the text and never with
its square, so no text, however crafted, keeps a worker busy: Python's `re` took 40 s over
a run of 40,000 digits, holding the interpreter lock all the while. RE2 has no
lookaround, so a pattern takes in the character before its finding instead (see
_after_boundaries), and the few checks that remain are plain Python on each match.
"""

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice

import re2

# The most text the guard reads at once. A narrative is at most 5,000 characters and an
# evidence file's words rarely a tenth of this; the benchmark holds the guard to under a
# second over this much of the worst text for each pattern. Longer text is refused, never
# passed unread.
MAX_TEXT_LENGTH = 1_000_000

CONTEXT = 20  # characters either side of a finding, so the partner can locate it
# The guard stops looking for a kind of personal data once it has found this many: the text
# is refused either way, and the message names only the first few.
MAX_FINDINGS = 100
MAX_LISTED = 10

LABELS = {
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a full postcode",
    "date_of_birth": "a date of birth",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
}


# What an organisation may publish about itself: not reported with allow_contact_details.
CONTACT_DETAILS = frozenset({"email", "phone", "postcode"})


class TooMuchText(ValueError):
    """The text is longer than the guard reads; callers refuse it in their own words."""


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: str
    label: str
    excerpt: str
    start: int
    end: int


# The patterns read the text as one ASCII byte per character (see _in_ascii), so `\w`,
# `\d`, `\s` and `\b` mean there what Python's Unicode-aware classes mean in the text.

_EMAIL = re2.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Generous on purpose: a candidate may run on into a following count ("0018 12 young
# people"), so _phone_end trims it back to the longest part that is a UK number. Not after
# a letter, digit, "+" or currency sign (which _in_ascii writes as "$").
_PHONE = re2.compile(r"(?:^|[^\w+$])((?:\+44|\(?0)[\d ()-]{8,24})")

# Outward code then inward code. An outward code alone ("SE10") is district-level
# geography, which returns may report.
_POSTCODE = re2.compile(r"(?i)\b[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")

_NHS_NUMBER = re2.compile(r"(?:^|[^\w+])(\d{3}[ -]?\d{3}[ -]?\d{4})(?:\W|$)")

# HMRC's prefix rules: the letters D, F, I, Q, U, V (and O second) are never issued,
# nor are a handful of reserved pairs.
_NI_FIRST, _NI_SECOND = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
_NI_RESERVED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
_NI_PREFIXES = "|".join(first + second for first in _NI_FIRST for second in _NI_SECOND
                        if first + second not in _NI_RESERVED)
_NI_NUMBER = re2.compile(rf"(?i)\b(?:{_NI_PREFIXES}) ?\d{{2}} ?\d{{2}} ?\d{{2}} ?[A-D]\b")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
# Only a date that could be a real one: a numeric date is read either way round, in case
# someone wrote it US-style.
_DATE = (
    r"\b(?:"
    rf"(?:{_DAY}[/.-]{_MONTH_NUMBER}|{_MONTH_NUMBER}[/.-]{_DAY})[/.-](?:\d{{4}}|\d{{2}})"
    rf"|{_DAY}{_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+{_DAY}{_ORDINAL},?\s+\d{{4}}"
    r")\b"
)
# Returns mention meeting and session dates all the time; only a date that follows
# one of these words is taken to be someone's date of birth, and only the first one
# after it, within reach.
_BIRTH_CUE = r"\b(?:born\b|d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s?(?:day|date))"
_CUE_REACH = 30
# One pattern for the cue and its date, so a text of cues with no dates (or dates with
# no cues) is read in one pass, and every match is a finding.
_DATE_OF_BIRTH = re2.compile(rf"(?i)({_BIRTH_CUE})(?s:.){{0,{_CUE_REACH}}}?({_DATE})")


def find_personal_data(text: str, *, allow_contact_details: bool = False
                       ) -> list[PersonalDataFinding]:
    """Everything in `text` that looks like personal data, in order of position. With
    `allow_contact_details`, phone numbers, email addresses and postcodes are not reported
    (an organisation's own, in a service description); dates of birth, NHS and National
    Insurance numbers still are. Raises TooMuchText for text longer than MAX_TEXT_LENGTH."""
    if len(text) > MAX_TEXT_LENGTH:
        raise TooMuchText(f"{len(text):,} characters is more than the guard reads")
    data = _in_ascii(text)
    found = [(kind, start, end) for kind, finder in _FINDERS
             if not (allow_contact_details and kind in CONTACT_DETAILS)
             for start, end in islice(finder(text, data), MAX_FINDINGS)]
    # One stretch of text is reported once: the earliest, longest reading wins, and
    # on a tie the kind listed first in _FINDERS.
    found.sort(key=lambda item: (item[1], item[1] - item[2]))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if not kept or start >= kept[-1][2]:
            kept.append((kind, start, end))
    masked = _masked(text, kept)
    return [
        PersonalDataFinding(kind, LABELS[kind], _excerpt(masked, start, end), start, end)
        for kind, start, end in kept
    ]


def explain(findings: list[PersonalDataFinding], field_label: str) -> str:
    """One sentence telling the partner what to take out, or "" when nothing was found."""
    if not findings:
        return ""
    items = [f"{finding.label} ({finding.excerpt})" for finding in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        items.append("more")
    listed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    return (
        f"{field_label[:1].upper()}{field_label[1:]} contains what looks like {listed}: "
        "remove anything that could identify a young person, then submit again."
    )


def check_text(fields: Mapping[str, str]) -> dict[str, str]:
    """An explanation for every field holding personal data, keyed by field name."""
    explanations = {}
    for name, text in fields.items():
        label = name.replace("_", " ")
        if len(text) > MAX_TEXT_LENGTH:
            explanations[name] = (f"{label[:1].upper()}{label[1:]} must be "
                                  f"{MAX_TEXT_LENGTH:,} characters or fewer")
        elif findings := find_personal_data(text):
            explanations[name] = explain(findings, label)
    return explanations


def _in_ascii(text: str) -> bytes:
    """The text as one ASCII byte per character, each playing the part its character plays
    in the patterns: a Unicode digit becomes its ASCII digit, any other letter or digit
    "_" (a word character no pattern looks for), other spaces a tab (a space to `\\s`,
    but not the " " the patterns name), £ and € "$", anything else "#". Offsets stay those
    of the text, and RE2's ASCII classes then agree with Python's Unicode ones."""
    if text.isascii():
        return text.encode("ascii")
    if _OTHER_DIGIT.search(text):
        text = text.translate(_unicode_digits())
    for space in _OTHER_SPACES:
        text = text.replace(space, "\t")
    text = text.replace("£", "$").replace("€", "$")
    text = _OTHER_WORD_CHARACTER.sub("_", text)
    return _NOT_ASCII.sub("#", text).encode("ascii")


# Python's `re` here looks at one character at a time, so it never backtracks.
_OTHER_DIGIT = re.compile(r"[^\D\x00-\x7f]")
_OTHER_WORD_CHARACTER = re.compile(r"[^\W\x00-\x7f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_OTHER_SPACES = [chr(code) for code in range(0x80, 0x3001) if chr(code).isspace()]  # to U+3000


@cache
def _unicode_digits() -> dict[int, str]:
    """Every decimal digit outside ASCII (Arabic-Indic, fullwidth and the rest: about 650)
    as the ASCII digit it means, as `\\d` and int() read them."""
    return {code: str(unicodedata.decimal(chr(code))) for code in range(0x80, 0x110000)
            if chr(code).isdecimal()}


_FOUND = 1  # the group of a pattern that takes in the character before its finding


def _after_boundaries(pattern: re2._Regexp, data: bytes) -> Iterator[re2._Match]:
    """Every match of a pattern that takes in the character before its _FOUND group, as
    a lookbehind would only have looked at it. Each search starts on the last character
    of the previous finding, which may be the character before the next one, just as
    Python's finditer would have let a lookbehind look at it."""
    position = 0
    while match := pattern.search(data, position):
        yield match
        position = match.end(_FOUND) - 1


def _emails(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(data):
        yield match.span()


def _phones(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _after_boundaries(_PHONE, data):
        start, end = match.span(_FOUND)
        if end := _phone_end(text, start, data[start:end]):
            yield start, end


def _phone_end(text: str, start: int, candidate: bytes) -> int | None:
    """Where the longest part of the candidate that ends a group of digits and is a UK
    number ends. The candidate is in ASCII stand-ins, so its digits are ASCII digits."""
    digits = candidate.translate(None, b"+ ()-")
    number = digits
    if candidate.startswith(b"+44"):
        number = b"0" + digits[2:].removeprefix(b"0")  # "+44 (0)20 …" and "+44 20 …" alike
    not_dialled = len(digits) - len(number)  # "44", or "4" and "0", for "+44 (0)"
    after_digit = [at + 1 for at, byte in enumerate(candidate) if byte in _ASCII_DIGITS]
    for length in (11, 10):  # a UK number has 10 or 11 digits
        if length <= len(number) and _is_uk_number(number[:length]):
            end = start + after_digit[length + not_dialled - 1]
            if not text[end : end + 1].isalnum():
                return end
    return None


_ASCII_DIGITS = frozenset(b"0123456789")


def _is_uk_number(number: bytes) -> bool:
    """A mobile (07 and nine more digits) or a landline (01, 02 or 03 and eight or nine)."""
    if number.startswith(b"07"):
        return len(number) == 11
    return number[:2] in (b"01", b"02", b"03") and len(number) in (10, 11)


def _postcodes(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _POSTCODE.finditer(data):
        yield match.span()


def _dates_of_birth(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    """Only the first date after a cue: "born 3/3/2009, met on 4 March 2026" names one birth.
    The next cue is looked for from the end of this one, as it may be in the same reach."""
    position, last = 0, None
    while match := _DATE_OF_BIRTH.search(data, position):
        if match.span(2) != last:
            last = match.span(2)
            yield last
        position = match.end(1)


def _nhs_numbers(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _after_boundaries(_NHS_NUMBER, data):
        start, end = match.span(_FOUND)
        if _passes_nhs_check(data[start:end].translate(None, b" -")):
            yield start, end


def _passes_nhs_check(digits: bytes) -> bool:
    """The modulus-11 check digit: most random ten-digit numbers fail it. The digits are
    ASCII stand-ins."""
    weighted = sum((digit - 48) * weight for digit, weight in zip(digits[:9], range(10, 1, -1),
                                                                  strict=True))
    check = (11 - weighted % 11) % 11
    return check != 10 and check == digits[9] - 48


def _ni_numbers(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _NI_NUMBER.finditer(data):
        yield match.span()


_FINDERS = (
    ("email", _emails),
    ("ni_number", _ni_numbers),
    ("nhs_number", _nhs_numbers),
    ("date_of_birth", _dates_of_birth),
    ("postcode", _postcodes),
    ("phone", _phones),
)


def _masked(text: str, spans: list[tuple[str, int, int]]) -> str:
    """The text with every finding masked, built in one pass however many there are."""
    parts, done = [], 0
    for _, start, end in spans:
        parts += [text[done:start], _mask(text[start:end])]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _mask(found: str) -> str:
    """Keep only the first and last character, so the message never repeats the data."""
    return found[0] + "*" * (len(found) - 2) + found[-1]


def _excerpt(masked: str, start: int, end: int) -> str:
    """The masked finding with a little context; every finding in reach is masked too.
    (Python's `re` here reads at most CONTEXT characters.)"""
    before = masked[max(0, start - CONTEXT) : start]
    after = masked[end : end + CONTEXT]
    if start > CONTEXT:
        before = "…" + re.sub(r"^\S*\s+", "", before, count=1)
    if end + CONTEXT < len(masked):
        after = re.sub(r"\s+\S*$", "", after, count=1) + "…"
    return " ".join((before + masked[start:end] + after).split())
