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
    "disguised at signs": "a [at] ",
    "disguised addresses, unfinished": "a (at) b (dot) ",
    "words and at": "a at ",
    "at and dot as words": "a at b dot ",
    "disguised addresses": "jane at gmail dot com ",
    # phone
    "phone candidates that are not numbers": "0 ",
    "opening brackets": "(0",
    "+44 with nothing after": "+44 ",
    "phone numbers": "07700 900123 ",
    "short groups that could start numbers": "01 ",
    "landline look-alikes RE2 turns away": "01000 000000 ",
    "freephone numbers": "0800 800 5000 ",
    "landlines phonenumbers is asked about": "020 7946 0018 ",
    "international prefixes": "+44 (0)",
    "dotted digits": "0.1 ",
    "date ranges": "01/04/2026 - 30/06/2026 ",
    "week lists": "weeks 1, 2, 3, 4, 5, 6, 7, 8 ",
    # postcode
    "outward codes": "A1",
    "postcodes": "SE10 9NF ",
    "postcodes with dashes": "SE10-9NF ",
    "school years and ordinals": "KS4 1st ",
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
    "cues and small words": "born on the in at ",
    "cues and places": "born in Croydon London Bromley ",
    "compact dates of birth": "DOB 20100403 ",
    "ISO dates of birth": "DOB 2010-04-03 ",
    # NHS number
    "numbers failing the NHS check": "123 456 7891 ",
    "NHS numbers": "943 476 5919 ",
    "digits and dashes": "1-",
    "NHS numbers in other groupings": "9434 765 919 ",
    # National Insurance number
    "reserved NI prefixes": "GB123456C ",
    "NI numbers": "AB123456C ",
    "NI numbers with dashes": "AB-12-34-56-C ",
    # any pattern: text outside ASCII is read through stand-ins
    "accented letters": "é",
    "no-break spaces": "\xa0",
    "curly quotes": "’",
    "fullwidth digits": "０",
    "thin spaces between digits": "0\u2009",
    "zero-width spaces": "\u200b",
    "en dashes": "\u2013",
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
