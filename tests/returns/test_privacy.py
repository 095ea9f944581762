import pytest
from hypothesis import given
from hypothesis import strategies as st

from eoi.returns.privacy import LABELS, check_text, explain, find_personal_data

FLAGGED = [
    ("Please contact jane.doe@example.org today", "email"),
    ("Referral came from J.Smith+work@mail.co.uk last week", "email"),
    ("Her number is 020 7946 0018 if needed", "phone"),
    ("Call (020) 7946 0018", "phone"),
    ("Call +44 20 7946 0018", "phone"),
    ("Call +44 (0)20 7946 0018", "phone"),
    ("Mobile 07700 900123", "phone"),
    ("Mobile 07700900123", "phone"),
    ("Mobile +44 7700 900123", "phone"),
    ("Mobile 07700-900-123", "phone"),
    ("Office 0161 496 0000", "phone"),
    ("Ring 01632 960000", "phone"),
    ("Ring 020 7946 0018 12 young people were waiting", "phone"),
    ("She lives at SE10 9NF with her aunt", "postcode"),
    ("Moved to E1 6AN", "postcode"),
    ("Placement near EC1A 1BB", "postcode"),
    ("address se109nf", "postcode"),
    ("W1A 1AA", "postcode"),
    ("He was born 03/03/2009 in Croydon", "date_of_birth"),
    ("DOB: 3-3-09", "date_of_birth"),
    ("D.O.B 3.3.2009", "date_of_birth"),
    ("Date of birth 3 March 2009", "date_of_birth"),
    ("She was born on the 3rd March 2009 in Lewisham", "date_of_birth"),
    ("His birthday is March 3, 2009", "date_of_birth"),
    ("dob 14th of Feb 2010", "date_of_birth"),
    ("NHS no. 943 476 5919", "nhs_number"),
    ("NHS 9434765919", "nhs_number"),
    ("NHS 401-023-2137", "nhs_number"),
    ("NI AB 12 34 56 C", "ni_number"),
    ("NI AB123456C", "ni_number"),
    ("ni number ce 12 34 56 d", "ni_number"),
    # HMRC's example prefix: partners copy it as the shape of a number, so it is refused.
    ("NI QQ 12 34 56 C", "ni_number"),
]

NOT_FLAGGED = [
    "In 2026 we expanded the service",
    "A grant of £120,000 over two years",
    "We worked with 31 young people this quarter",
    "Most referrals came from SE10 and E1",
    "On 3 March 2026 we met the safeguarding lead",
    "Between 01/04/2026 and 30/06/2026 we ran 12 sessions",
    "Reference 943 476 5918",  # a failed NHS check digit
    "Q2 2026 return",
    "Tower Hamlets and Barking and Dagenham",
    "FQ 12 34 56 C has a prefix never issued",
    "0.5 FTE youth worker",
    "1,234 contacts",
    "Young people aged 14 to 17, Year 9 to Year 12",
]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_personal_data_is_found(text, kind):
    findings = find_personal_data(text)

    assert [finding.kind for finding in findings] == [kind]
    assert findings[0].label == LABELS[kind]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_the_excerpt_never_repeats_the_personal_data(text, kind):
    [finding] = find_personal_data(text)
    found = text[finding.start : finding.end]

    assert found not in finding.excerpt
    assert f"{found[0]}{'*' * (len(found) - 2)}{found[-1]}" in finding.excerpt


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_return_text_is_not_flagged(text):
    assert find_personal_data(text) == []


def test_only_the_first_date_after_a_cue_is_a_date_of_birth():
    text = "born 3/3/2009, first seen on 4 March 2026"

    assert [text[f.start : f.end] for f in find_personal_data(text)] == ["3/3/2009"]


def test_findings_come_in_order_with_their_offsets():
    text = "Mum on 07700 900123, email mum@example.com, lives E1 6AN"

    findings = find_personal_data(text)

    assert [f.kind for f in findings] == ["phone", "email", "postcode"]
    assert [text[f.start : f.end] for f in findings] == [
        "07700 900123",
        "mum@example.com",
        "E1 6AN",
    ]


def test_the_excerpt_shows_context_and_masks_neighbouring_data():
    text = "We spoke to her and agreed to contact jo.bloggs@example.com 07700 900123 today."

    email, phone = find_personal_data(text)

    assert email.excerpt == "…agreed to contact j*******************m 0**********3 today."
    assert "900123" not in email.excerpt
    assert "jo.bloggs" not in phone.excerpt


def test_explain_names_each_finding_in_one_sentence():
    text = "Contact jane@example.org, born 3/3/2009."

    message = explain(find_personal_data(text), "narrative on progress")

    assert message == (
        "Narrative on progress contains what looks like an email address "
        "(Contact j**************g, born 3******9.) and a date of birth "
        "(…born 3******9.): remove anything that could identify "
        "a young person, then submit again."
    )


def test_explain_says_nothing_when_nothing_was_found():
    assert explain([], "Narrative") == ""


def test_check_text_explains_each_field_with_personal_data():
    fields = {
        "narrative_on_progress": "We met her at E1 6AN.",
        "challenges": "Recruitment of a second worker took longer than planned.",
        "case_study": "Call 07700 900123.",
    }

    explanations = check_text(fields)

    assert set(explanations) == {"narrative_on_progress", "case_study"}
    assert explanations["narrative_on_progress"].startswith(
        "Narrative on progress contains what looks like a full postcode (We met her at E****N.)"
    )
    assert explanations["case_study"].startswith(
        "Case study contains what looks like a phone number"
    )


MOBILE_LAYOUTS = [
    lambda number: number,
    lambda number: f"{number[:5]} {number[5:]}",
    lambda number: f"{number[:5]}-{number[5:8]}-{number[8:]}",
    lambda number: f"({number[:5]}) {number[5:]}",
    lambda number: f"+44 {number[1:5]} {number[5:]}",
]


@given(
    st.from_regex(r"07[0-9]{9}", fullmatch=True),
    st.sampled_from(MOBILE_LAYOUTS),
    st.sampled_from(["Call", "Her mum is on", "ring"]),
)
def test_mobile_numbers_are_found_in_any_common_layout(number, layout, lead_in):
    text = f"{lead_in} {layout(number)} after school."

    [finding] = find_personal_data(text)

    assert finding.kind == "phone"
    assert text[finding.start : finding.end] == layout(number)
    assert number[2:-1] not in finding.excerpt


@given(st.integers(min_value=0, max_value=10_000_000))
def test_money_and_counts_are_not_personal_data(amount):
    assert find_personal_data(f"A grant of £{amount:,} reached {amount % 1000} young people") == []


@given(st.dates(), st.sampled_from(["%d/%m/%Y", "%d %B %Y", "%B %d, %Y", "%d.%m.%y"]))
def test_dates_without_a_birth_cue_are_not_flagged(day, layout):
    assert find_personal_data(f"On {day.strftime(layout)} we met the school") == []
