"""Spot personal data in a return's free text before we accept it.

Partners send counts and narrative. A stray email address, phone number or date of birth
in the narrative could identify a young person, so the text is refused with a message
that says what looks wrong without repeating it.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

CONTEXT = 20  # characters either side of a finding, so the partner can locate it

LABELS = {
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a full postcode",
    "date_of_birth": "a date of birth",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
}


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: str
    label: str
    excerpt: str
    start: int
    end: int


_EMAIL = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Generous on purpose: a candidate may run on into a following count ("0018 12 young
# people"), so _phone_end trims it back to the longest part that is a UK number.
_PHONE = re.compile(r"(?<![\w+£$€])(?:\+44|\(?0)[\d ()-]{8,24}")
_UK_NUMBER = re.compile(r"07\d{9}|0[1-3]\d{8,9}")

# Outward code then inward code. An outward code alone ("SE10") is district-level
# geography, which returns may report.
_POSTCODE = re.compile(r"\b[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b", re.I)

_NHS_NUMBER = re.compile(r"(?<![\w+])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\w)")

# HMRC's prefix rules: the letters D, F, I, Q, U, V (and O second) are never issued,
# nor are a handful of reserved pairs.
_NI_NUMBER = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.I,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"""\b(?:
        (?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-](?:\d{{4}}|\d{{2}})
      | (?P<day_first>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}
      | {_MONTH}\s+(?P<day_after>\d{{1,2}}){_ORDINAL},?\s+\d{{4}}
    )\b""",
    re.I | re.X,
)
# Returns mention meeting and session dates all the time; only a date that follows
# one of these words is taken to be someone's date of birth.
_BIRTH_CUE = re.compile(r"\b(?:born\b|d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s?(?:day|date))", re.I)
_CUE_REACH = 30


def find_personal_data(text: str) -> list[PersonalDataFinding]:
    """Everything in `text` that looks like personal data, in order of position."""
    found = [(kind, start, end) for kind, finder in _FINDERS for start, end in finder(text)]
    # One stretch of text is reported once: the earliest, longest reading wins, and
    # on a tie the kind listed first in _FINDERS.
    found.sort(key=lambda item: (item[1], item[1] - item[2]))
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if not kept or start >= kept[-1][2]:
            kept.append((kind, start, end))
    masked = text
    for _, start, end in kept:
        masked = masked[:start] + _mask(text[start:end]) + masked[end:]
    return [
        PersonalDataFinding(kind, LABELS[kind], _excerpt(masked, start, end), start, end)
        for kind, start, end in kept
    ]


def explain(findings: list[PersonalDataFinding], field_label: str) -> str:
    """One sentence telling the partner what to take out, or "" when nothing was found."""
    if not findings:
        return ""
    items = [f"{finding.label} ({finding.excerpt})" for finding in findings]
    listed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    return (
        f"{field_label[:1].upper()}{field_label[1:]} contains what looks like {listed}: "
        "remove anything that could identify a young person, then submit again."
    )


def check_text(fields: Mapping[str, str]) -> dict[str, str]:
    """An explanation for every field holding personal data, keyed by field name."""
    explanations = {}
    for name, text in fields.items():
        if findings := find_personal_data(text):
            explanations[name] = explain(findings, name.replace("_", " "))
    return explanations


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _PHONE.finditer(text):
        if end := _phone_end(text, match):
            yield match.start(), end


def _phone_end(text: str, match: re.Match[str]) -> int | None:
    candidate = match.group()
    for length in range(len(candidate), 0, -1):
        end = match.start() + length
        ends_a_group = text[end - 1].isdigit() and not text[end : end + 1].isalnum()
        if ends_a_group and _is_uk_number(candidate[:length]):
            return end
    return None


def _is_uk_number(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")  # "+44 (0)20 …" and "+44 20 …" alike
    return bool(_UK_NUMBER.fullmatch(digits))


def _postcodes(text: str) -> Iterator[tuple[int, int]]:
    for match in _POSTCODE.finditer(text):
        yield match.span()


def _dates_of_birth(text: str) -> Iterator[tuple[int, int]]:
    """Only the first date after a cue: "born 3/3/2009, met on 4 March 2026" names one birth."""
    dates = [match.span() for match in _DATE.finditer(text) if _is_plausible_date(match)]
    found = set()
    for cue in _BIRTH_CUE.finditer(text):
        following = next(((start, end) for start, end in dates if start >= cue.end()), None)
        if following and following[0] - cue.end() <= _CUE_REACH:
            found.add(following)
    yield from sorted(found)


def _is_plausible_date(match: re.Match[str]) -> bool:
    if match["month"]:  # numeric: accept either order, in case someone wrote it US-style
        first, second = sorted((int(match["day"]), int(match["month"])))
        return 1 <= first <= 12 and second <= 31
    return 1 <= int(match["day_first"] or match["day_after"]) <= 31


def _nhs_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _NHS_NUMBER.finditer(text):
        if _passes_nhs_check(re.sub(r"\D", "", match.group())):
            yield match.span()


def _passes_nhs_check(digits: str) -> bool:
    """The modulus-11 check digit: most random ten-digit numbers fail it."""
    weights = range(10, 1, -1)
    weighted = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = (11 - weighted % 11) % 11
    return check != 10 and check == int(digits[9])


def _ni_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _NI_NUMBER.finditer(text):
        yield match.span()


_FINDERS = (
    ("email", _emails),
    ("ni_number", _ni_numbers),
    ("nhs_number", _nhs_numbers),
    ("date_of_birth", _dates_of_birth),
    ("postcode", _postcodes),
    ("phone", _phones),
)


def _mask(found: str) -> str:
    """Keep only the first and last character, so the message never repeats the data."""
    return found[0] + "*" * (len(found) - 2) + found[-1]


def _excerpt(masked: str, start: int, end: int) -> str:
    """The masked finding with a little context; every finding in reach is masked too."""
    before = masked[max(0, start - CONTEXT) : start]
    after = masked[end : end + CONTEXT]
    if start > CONTEXT:
        before = "…" + re.sub(r"^\S*\s+", "", before, count=1)
    if end + CONTEXT < len(masked):
        after = re.sub(r"\s+\S*$", "", after, count=1) + "…"
    return " ".join((before + masked[start:end] + after).split())
