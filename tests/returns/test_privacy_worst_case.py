"""The privacy guard takes time in proportion to the text, whatever the text: the worst
we know for each pattern, at 100 and 200 thousand characters, and what it does with more
text than it reads."""

import time

import pytest

from benchmarks.worst_cases import UNITS, worst_texts
from eoi.returns.privacy import (
    MAX_FINDINGS,
    MAX_LISTED,
    MAX_TEXT_LENGTH,
    TooMuchText,
    check_text,
    explain,
    find_personal_data,
)

SIZE = 100_000


def _seconds(text: str) -> float:
    """The quickest of at least three runs and of enough to take a twentieth of a second,
    so a busy machine's pauses fall outside at least one of them."""
    best, spent, runs = float("inf"), 0.0, 0
    while spent < 0.05 or runs < 3:
        runs += 1
        started = time.perf_counter()
        find_personal_data(text)
        took = time.perf_counter() - started
        best, spent = min(best, took), spent + took
    return best


@pytest.mark.parametrize("name", UNITS)
def test_twice_the_worst_text_takes_about_twice_as_long(name):
    """Linear time: doubling the text roughly doubles the time. Quadratic would be four
    times; the allowance is three so a loaded machine does not fail it."""
    single, double = worst_texts(SIZE)[name], worst_texts(2 * SIZE)[name]
    ratios = []
    for _ in range(3):  # a pause landing on the short run alone is not a verdict
        ratios.append(_seconds(double) / max(_seconds(single), 1e-4))
        if ratios[-1] < 3:
            return
    pytest.fail(f"{name}: twice the text took {min(ratios):.1f} times as long")


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
