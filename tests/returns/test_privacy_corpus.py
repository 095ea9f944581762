"""The privacy guard over tests/privacy_corpus.py: what share of personal data it catches
and what share of ordinary prose it refuses. Deterministic: the same corpus, the same
rates."""

import pytest

from eoi.returns.privacy import find_personal_data
from tests.privacy_corpus import CONTACT_DETAILS, HARMLESS, PERSONAL

CATCH_RATE = 0.97
FALSE_ALARM_RATE = 0.02


def catch_rate() -> float:
    return sum(kind in {f.kind for f in find_personal_data(text)}
               for text, kind in PERSONAL) / len(PERSONAL)


def false_alarm_rate() -> float:
    return sum(bool(find_personal_data(text)) for text in HARMLESS) / len(HARMLESS)


def test_the_corpus_is_large_enough_to_measure():
    assert len(PERSONAL) >= 150
    assert len(HARMLESS) >= 150
    assert len(set(PERSONAL)) == len(PERSONAL)
    assert len(set(HARMLESS)) == len(HARMLESS)


def test_the_guard_catches_personal_data_in_every_format():
    missed = [(text, kind) for text, kind in PERSONAL
              if kind not in {f.kind for f in find_personal_data(text)}]
    assert catch_rate() >= CATCH_RATE, missed


def test_the_guard_seldom_refuses_ordinary_prose():
    refused = [text for text in HARMLESS if find_personal_data(text)]
    assert false_alarm_rate() <= FALSE_ALARM_RATE, refused


@pytest.mark.parametrize("text", CONTACT_DETAILS)
def test_an_organisations_contact_details_pass_only_where_allowed(text):
    assert find_personal_data(text)
    assert find_personal_data(text, allow_contact_details=True) == []


@pytest.mark.parametrize("text", [
    "Call our office on 020 7946 0018; her DOB is 2010-04-03.",
    "Our address is SE10 9XX. NHS number 943 476 5919.",
    "Email us at team@example.org. NI AB-12-34-56-C.",
])
def test_dates_of_birth_nhs_and_ni_numbers_are_never_allowed(text):
    kinds = {f.kind for f in find_personal_data(text, allow_contact_details=True)}
    assert kinds and kinds <= {"date_of_birth", "nhs_number", "ni_number"}
