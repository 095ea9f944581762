"""The worst text we know for each of the privacy guard's patterns, at any length.

Each was slow once: Python's backtracking `re` took time growing with the square of a run
of letters or digits (the email pattern scanned the rest of the run from every
character), the masking copied the whole text once per finding, and each birth cue
looked through every date. The benchmark and tests/returns/test_privacy_worst_case.py
read them.
"""

UNITS = {
    # email
    "a run of letters": "a",
    "a run of digits": "0",
    "dots and letters": "a.",
    "at signs": "a@",
    "unfinished domains": "a@a.",
    "email addresses": "x@y.com ",
    # phone
    "phone candidates that are not numbers": "0 ",
    "opening brackets": "(0",
    "+44 with nothing after": "+44 ",
    "phone numbers": "07700 900123 ",
    # postcode
    "outward codes": "A1",
    "postcodes": "SE10 9NF ",
    # date of birth
    "birth cues": "born ",
    "birth cues, then a date out of reach": ("", "born ", " " * 40 + "3/3/2009"),
    "a birth cue, then impossible dates": ("born ", "31/31/2000 ", ""),
    "unfinished dates": "1/1/",
    "impossible dates": "31/31/2000 ",
    "dates without a cue": "1/1/2000 ",
    "months": "March ",
    "dates of birth": "born 3/3/2009 ",
    "short cues before numbers": "dob 1 ",
    # NHS number
    "numbers failing the NHS check": "123 456 7891 ",
    "NHS numbers": "943 476 5919 ",
    # National Insurance number
    "reserved NI prefixes": "GB123456C ",
    "NI numbers": "AB123456C ",
    # any pattern: text outside ASCII is read through stand-ins
    "accented letters": "é",
    "no-break spaces": "\xa0",
    "curly quotes": "’",
    "fullwidth digits": "０",
}


def worst_texts(length: int) -> dict[str, str]:
    """Each worst text, `length` characters long: its unit over and over, or a head, the
    unit over and over, then a tail."""
    texts = {}
    for name, unit in UNITS.items():
        head, unit, tail = unit if isinstance(unit, tuple) else ("", unit, "")
        repeated = length - len(head) - len(tail)
        texts[name] = head + (unit * (repeated // len(unit) + 1))[:repeated] + tail
    return texts
