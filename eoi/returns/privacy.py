"""Spot personal data in a return's free text before we accept it.

Partners send counts and narrative. A stray email address, phone number or date of birth
in the narrative could identify a young person, so the text is refused with a message
that says what looks wrong without repeating it.

Every pattern runs on RE2, whose time grows with the length of the text and never with
its square, so no text, however crafted, keeps a worker busy: Python's `re` took 40 s over
a run of 40,000 digits, holding the interpreter lock all the while. RE2 has no
lookaround, so a pattern takes in the character before its finding instead (see
_after_boundaries), and the few checks that remain are plain Python on each match.

Telephone numbers are checked against phonenumbers' metadata for the UK twice over: its
patterns are built into the RE2 pattern that finds them, so look-alikes cost nothing more
than the one pass, and phonenumbers itself then parses and validates each finding.
"""

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice
from operator import mul

import phonenumbers
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


# What an organisation may give of its own in a service description.
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
# `\d`, `\s` and `\b` mean there what Python's Unicode-aware classes mean in the text. Every
# space that is not ASCII (a no-break space, a thin space, a zero-width one) is a plain " "
# there and every dash a "-", so "07700\u00a0900123" and "SE10\u20139XX" read as they look.

# An address as written, or written to dodge a filter: "jane @ gmail.com",
# "jane[at]gmail[dot]com", "jane (at) gmail.com", "jane{at}gmail(dot)co(dot)uk".
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_DOT = rf"(?:\.|\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*|\s+dot\s+)"
_LABEL = r"[A-Za-z0-9-]+"
_EMAIL = re2.compile(
    rf"(?i)[\w.%+-]+(?: ?@ ?|\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*)"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,}}\b")
# "at" as a word is everywhere in prose ("look at nhs.uk"), so an address with it needs a
# "dot" as a word too, or a domain that only ever holds people's mailboxes.
_TOP_LEVEL = "com|org|net|uk|co|ac|gov|nhs|sch|edu|io|me|info|biz|london|ie|eu|de|fr"
_MAIL_DOMAIN = ("gmail|googlemail|hotmail|outlook|live|yahoo|ymail|icloud|me|aol|msn|"
                "btinternet|sky|virginmedia|talktalk|protonmail|proton|gmx|mail")
_WORD_EMAIL = re2.compile(
    rf"(?i)[\w.%+-]+\s+at\s+(?:{_LABEL}(?:{_DOT}{_LABEL})*\s+dot\s+(?:{_TOP_LEVEL})"
    rf"|(?:{_MAIL_DOMAIN})(?:\.{_LABEL})*\.(?:{_TOP_LEVEL}))\b")

# A telephone number as people write it, national ("07700 900123", "(020) 7946 0018",
# "0207-946-0018") or international ("+44 (0)20 7946 0018", "0044 7700 900123"), with up to
# three of " .()-" between any two digits. The national number must match phonenumbers'
# own patterns for a UK landline, mobile, pager, personal or internet number (built into the
# pattern in _phone_pattern), so RE2 turns away look-alikes in its one pass: freephone, 03
# and premium numbers are organisations', never a young person's, and pass. Not after a
# letter, digit, "+" or currency sign (which _in_ascii writes as "$"), nor before a letter,
# a digit, or a "." "/" or "-" and a digit (a decimal, or a date); the character after is
# the pattern's too, so each match is a finding and _phones confirms it with phonenumbers.
_SPACED = r"[ .()-]{0,3}"


# Outward code then inward code, the outward code starting with one of the postcode areas
# that exist, so "KS4 1ST" (key stage 4) or "Y10 2ND" (year 10) are not postcodes. An outward
# code alone ("SE10") is district-level geography, which returns may report.
_POSTCODE_AREAS = [
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD",
    "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
    "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
]
_POSTCODE = re2.compile(
    rf"(?i)\b(?:(?:{'|'.join(sorted(_POSTCODE_AREAS, key=len, reverse=True))})\d[A-Z\d]?"
    r"(?: ?- ?| {0,2})\d[ABD-HJLNP-UW-Z]{2}|GIR ?0AA)\b")

# Ten digits together or in the groupings people use ("943 476 5919", "9434 765 919",
# "943-476-5919", "94347 65919"), each checked against the NHS number's check digit.
_NHS_APART = "[ -]?"
_NHS_NUMBER = re2.compile(
    r"\b(?:"
    rf"\d{{3}}{_NHS_APART}\d{{3}}{_NHS_APART}\d{{4}}|\d{{3}}{_NHS_APART}\d{{4}}{_NHS_APART}\d{{3}}"
    rf"|\d{{4}}{_NHS_APART}\d{{3}}{_NHS_APART}\d{{3}}|\d{{5}}{_NHS_APART}\d{{5}}"
    r")\b")

# HMRC's prefix rules: the letters D, F, I, Q, U, V (and O second) are never issued, nor
# are a handful of reserved pairs; QQ is HMRC's own example, which partners copy as the
# shape of a number, so it is refused too. Spaces or dashes may part the pairs.
_NI_FIRST, _NI_SECOND = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
_NI_RESERVED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
_NI_PREFIXES = "|".join([first + second for first in _NI_FIRST for second in _NI_SECOND
                         if first + second not in _NI_RESERVED] + ["QQ"])
_NI_APART = r"(?: ?- ?| {0,2})"
_NI_NUMBER = re2.compile(
    rf"(?i)\b(?:{_NI_PREFIXES}){_NI_APART}\d{{2}}{_NI_APART}\d{{2}}{_NI_APART}\d{{2}}"
    rf"{_NI_APART}[A-D]\b")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_PART = r" ?[/.-] ?"
_YEAR = r"(?:19|20)\d{2}"
# Only a date that could be a real one: a numeric date is read either way round, in case
# someone wrote it US-style; ISO ("2010-04-03") and compact ("20100403", "03042010") too.
_DATE = (
    r"\b(?:"
    rf"(?:{_DAY}{_PART}{_MONTH_NUMBER}|{_MONTH_NUMBER}{_PART}{_DAY}){_PART}(?:\d{{4}}|\d{{2}})"
    rf"|{_YEAR}{_PART}{_MONTH_NUMBER}{_PART}{_DAY}"
    rf"|{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    rf"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:{_YEAR}|\d{{2}})"
    rf"|{_DAY}{_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+(?:\d{{4}}|'?\d{{2}})"
    rf"|{_MONTH}\s+{_DAY}{_ORDINAL},?\s+(?:\d{{4}}|'?\d{{2}})"
    r")\b"
)
# Returns mention meeting and session dates all the time, and things are "born" of reviews:
# a date is a date of birth only when a cue introduces it, with nothing between them but
# punctuation and a few small words ("born on the 3rd March 2009", "DOB: 2010-04-03",
# "date of birth is 3/3/09", "born in Croydon on 3 March 2009").
_BIRTH_CUE = (r"\b(?:born|d\.? ?o\.? ?b\b\.?|date\s+of\s+birth|birth\s?(?:day|date)s?"
              r"|b'?day)")
_CAPITALISED = r"(?-i:[A-Z][A-Za-z'-]*)"
_CUE_GAP = (
    r"[\s:=|(),-]{0,4}"
    r"(?:(?:is|was|on|the|of|as|in|at|approx\.?|about)[\s:,]+){0,3}"
    rf"(?:in\s+{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}},?\s+(?:on\s+(?:the\s+)?)?)?"
)
_DATE_OF_BIRTH = re2.compile(rf"(?i)({_BIRTH_CUE}){_CUE_GAP}({_DATE})")


def find_personal_data(text: str, *, allow_contact_details: bool = False
                       ) -> list[PersonalDataFinding]:
    """Everything in `text` that looks like personal data, in order of position.

    With `allow_contact_details`, phone numbers, email addresses and postcodes are not
    reported: an organisation's own, in its service description, are fine there. Dates of
    birth, NHS and National Insurance numbers always are.
    Raises TooMuchText for text longer than MAX_TEXT_LENGTH."""
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
    in the patterns: a Unicode digit becomes its ASCII digit, any space (no-break, thin,
    zero-width and the rest) " ", any dash "-", a fullwidth "@", "+", "(" or ")" its ASCII
    self, any other letter or digit "_" (a word character no pattern looks for), £ and €
    "$", anything else "#". Offsets stay those of the text, and RE2's ASCII classes then
    agree with Python's Unicode ones."""
    if text.isascii():
        return text.encode("ascii")
    if _OTHER_DIGIT.search(text):
        text = text.translate(_unicode_digits())
    for character, stand_in in _STAND_INS:
        if character in text:
            text = text.replace(character, stand_in)
    text = _OTHER_WORD_CHARACTER.sub("_", text)
    return _NOT_ASCII.sub("#", text).encode("ascii")


# Python's `re` here looks at one character at a time, so it never backtracks.
_OTHER_DIGIT = re.compile(r"[^\D\x00-\x7f]")
_OTHER_WORD_CHARACTER = re.compile(r"[^\W\x00-\x7f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# Characters that Word, phones and copy-and-paste put in numbers and addresses.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_STAND_INS = (
    [(chr(code), " ") for code in range(0x80, 0x3001) if chr(code).isspace()]  # to U+3000
    + [(character, " ") for character in _INVISIBLE]
    + [(character, "-") for character in _DASHES]
    + [("\uff20", "@"), ("\ufe6b", "@"), ("\uff0b", "+"), ("\uff08", "("), ("\uff09", ")"),
       ("\uff0e", "."), ("\u2024", "."), ("£", "$"), ("€", "$")]
)


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
    """Plain and disguised addresses, in order; one that overlaps another is the
    overlap rule's to settle (see find_personal_data)."""
    yield from sorted(match.span() for pattern in (_EMAIL, _WORD_EMAIL)
                      for match in islice(pattern.finditer(data), MAX_FINDINGS))


def _phones(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    """Each number the pattern finds that phonenumbers, asked about each one (up to a
    bound per text), takes for a person's UK number."""
    for asked, match in enumerate(_after_boundaries(_PHONE, data)):
        start, end = match.span(_FOUND)
        if asked >= 4 * MAX_FINDINGS or _is_persons_number(data[start:end].decode("ascii")):
            yield start, end


def _is_persons_number(candidate: str) -> bool:
    """Whether phonenumbers parses the candidate (in ASCII stand-ins) as a valid UK number
    of a kind a person has, or it is one of Ofcom's numbers for drama and examples, which
    phonenumbers calls invalid but which stand for real ones in what people write."""
    try:
        number = phonenumbers.parse(candidate, "GB")
    except phonenumbers.NumberParseException:
        return False
    if number.country_code != 44:
        return False
    if _SAMPLE_NUMBER.fullmatch(str(number.national_number)):
        return True
    return (phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in _PERSONS_TYPES)


_PERSONS_TYPES = frozenset({
    phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER, phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.PAGER,
})
# Any 07 number (mobiles, pagers and personal numbers, with ranges phonenumbers does not
# know yet and Ofcom's 07700 900xxx for drama), and the drama landlines 01632 960xxx.
_SAMPLE_NUMBERS = r"7\d{9}|1632960\d{3}"
_SAMPLE_NUMBER = re2.compile(_SAMPLE_NUMBERS)


def _spaced(pattern: str) -> str:
    """A phonenumbers pattern for national numbers ("7(?:[1-3]\\d\\d|...)\\d{6}") with
    _SPACED allowed before each digit. Its patterns are made of digits, `\\d`, classes of
    digits, groups, alternatives and counted repeats, nothing else."""
    out, at = [], 0
    while at < len(pattern):
        character = pattern[at]
        if pattern.startswith("\\d", at):
            atom, at = "\\d", at + 2
        elif character == "[":
            close = pattern.index("]", at)
            atom, at = pattern[at : close + 1], close + 1
        elif character.isdigit():
            atom, at = character, at + 1
        elif character == "{":
            close = pattern.index("}", at)
            out.append(pattern[at : close + 1])
            at = close + 1
            continue
        elif character in "()?:|":
            out.append(character)
            at += 1
            continue
        else:
            raise ValueError(f"unexpected {character!r} in a phonenumbers pattern")
        out.append(f"(?:{_SPACED}{atom})")
    return "".join(out)


def _phone_pattern() -> re2._Regexp:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    assert metadata is not None
    patterns = [description.national_number_pattern
                for description in (metadata.fixed_line, metadata.mobile,
                                    metadata.personal_number, metadata.voip, metadata.pager)
                if description is not None and description.national_number_pattern]
    national = "|".join(f"(?:{_spaced(pattern)})" for pattern in [*patterns, _SAMPLE_NUMBERS])
    options = re2.Options()
    options.longest_match = True  # "020 7946 0018", not "020 7946 001" and a digit
    options.max_mem = 64 << 20  # the pattern is large; its DFA then stays in memory
    return re2.compile(
        r"(?:^|[^\w+$])("
        r"(?:(?:\+ ?|00 ?)44[ .-]{0,2}(?:\(?0\)?)?|\(?0)"
        rf"(?:{national}))"
        r"(?:$|[^\w./-]|[./-](?:$|[^\d]))", options)


_PHONE = _phone_pattern()


def _postcodes(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _POSTCODE.finditer(data):
        start, end = match.span()
        if not _is_ordinal(text[end - 3 : end]):
            yield start, end


def _is_ordinal(inward: str) -> bool:
    """Whether a lower-case inward code reads as an ordinal ("1st", "2nd", "3rd", "4th"):
    "N1 1st floor" is a floor, not a postcode."""
    if not inward.islower():
        return False
    digit, suffix = inward[0], inward[1:]
    return suffix == {"1": "st", "2": "nd", "3": "rd"}.get(digit, "th")


def _dates_of_birth(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _DATE_OF_BIRTH.finditer(data):
        yield match.span(2)


def _nhs_numbers(text: str, data: bytes) -> Iterator[tuple[int, int]]:
    for match in _NHS_NUMBER.finditer(data):
        if _passes_nhs_check(match.group().translate(None, b" -")):
            yield match.span()


def _passes_nhs_check(digits: bytes) -> bool:
    """The modulus-11 check digit: most random ten-digit numbers fail it. The digits are
    ASCII stand-ins."""
    values = digits.translate(_DIGIT_VALUES)
    check = (11 - sum(map(mul, values[:9], _NHS_WEIGHTS)) % 11) % 11
    return check != 10 and check == values[9]


_DIGIT_VALUES = bytes.maketrans(b"0123456789", bytes(range(10)))
_NHS_WEIGHTS = range(10, 1, -1)


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
