"""What the privacy guard does with more text than it reads, and with characters outside
ASCII. (That its time grows with the text, not its square, is measured by `make bench`,
benchmarks/guard.py, over the worst text we know for each pattern: timings belong there,
not in tests.)"""

import pytest

from eoi.returns.privacy import (
    MAX_FINDINGS,
    MAX_LISTED,
    MAX_TEXT_LENGTH,
    TooMuchText,
    check_text,
    explain,
    find_personal_data,
)


def test_text_longer_than_the_guard_reads_is_refused_not_passed():
    with pytest.raises(TooMuchText):
        find_personal_data("a" * (MAX_TEXT_LENGTH + 1))
    assert find_personal_data("a" * MAX_TEXT_LENGTH) == []
    assert check_text({"case_study": "a" * (MAX_TEXT_LENGTH + 1)}) == {
        "case_study": f"Case study must be {MAX_TEXT_LENGTH:,} characters or fewer"}


def test_the_guard_stops_at_enough_findings_of_a_kind_and_names_only_the_first():
    text = " ".join(f"young{n}@example.org" for n in range(1000)) + " call 07700 900123"

    findings = find_personal_data(text)

    assert [f.kind for f in findings] == ["email"] * MAX_FINDINGS + ["phone"]
    message = explain(findings, "case study")
    assert message.count("an email address (") == MAX_LISTED
    assert "phone" not in message
    assert message.endswith(" and more: remove anything that could identify a young "
                            "person, then submit again.")


@pytest.mark.parametrize(("text", "kinds"), [
    ("Café 07700 900123", ["phone"]),  # a letter outside ASCII, then a space
    ("Référence 07700 900123", ["phone"]),
    ("£07700900123 was spent", []),  # money, not a number to ring
    ("€07700900123 was spent", []),
    ("éSE10 9NF", []),  # part of a longer word
    ("naïve SE10 9NF", ["postcode"]),
    ("born\u00a03\u00a0March\u00a02009", ["date_of_birth"]),  # \s takes no-break spaces
    ("020\u00a07946\u00a00018", ["phone"]),  # any space parts a number's digits
    ("SE10\u20139NF", ["postcode"]),  # and any dash a postcode's halves
    ("943\u2009476\u20095919", ["nhs_number"]),
    ("07700\u200b900123", ["phone"]),  # a zero-width space is a space
    ("josé@example.org", ["email"]),
])
def test_letters_and_spaces_outside_ascii_keep_their_meaning(text, kinds):
    assert [f.kind for f in find_personal_data(text)] == kinds
