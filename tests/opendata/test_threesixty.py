"""360Giving records: valid against the standard's own schema (offline), with identifiers,
dates and titles a reader of the data can rely on."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from eoi.opendata.threesixty import (
    AwardedGrant,
    Org,
    Place,
    grant_id,
    months_between,
    package,
    problems,
)

SCHEMAS = Path(__file__).parents[2] / "eoi" / "reference" / "data" / "360giving"
WEB = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/{}/schema/{}"


def _validator() -> Draft202012Validator:
    """The package schema, with the grant schema registered where it refers to it (1.4.2)
    and where it says it lives (1.4.3); the http $schema address defeats auto-detection, so
    both are read as Draft 2020-12 explicitly."""
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources(
        (WEB.format(version, "360-giving-schema.json"), resource)
        for version in ("1.4.2", "1.4.3"))
    schema = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    return Draft202012Validator(schema, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


VALIDATOR = _validator()
MOPAC = Org("XI-EXAMPLE-MOPAC", "Mayor's Office for Policing and Crime")
GRANT = AwardedGrant(
    reference="GRT-2026-0007", title="Schools and beyond: exploitation prevention",
    description="A St Giles Trust worker in twelve secondary schools across two boroughs.",
    amount_pence=320_000_00, award_date=date(2026, 3, 2), starts_on=date(2026, 4, 1),
    ends_on=date(2027, 3, 31), recipient=Org("GB-LAE-GRE", "Royal Borough of Greenwich"),
    funders=(MOPAC, Org("GB-LAE-BEX", "London Borough of Bexley")),
    places=(Place("Bexley", "E09000004"), Place("Greenwich", "E09000011")),
    programme="Co-commissioning fund: round one", programme_code="round-1",
    from_open_call=True, modified=datetime(2026, 11, 24, 9, 30, tzinfo=UTC))


def _package(*grants):
    return package(grants or [GRANT], prefix="360G-mopac-", publisher=MOPAC,
                   data_source="https://eoi.example/open-data", issued=date(2026, 11, 24))


def test_a_package_is_valid_against_the_360giving_schema():
    data = _package()
    errors = [e.message for e in VALIDATOR.iter_errors(data)]
    assert errors == []
    record = data["grants"][0]
    assert record["id"] == "360G-mopac-GRT-2026-0007"
    assert record["amountAwarded"] == 320000
    assert record["beneficiaryLocation"][1] == {
        "name": "Greenwich", "geoCode": "E09000011", "geoCodeType": "LONB", "countryCode": "GB"}
    assert [f["id"] for f in record["fundingOrganization"]] == ["XI-EXAMPLE-MOPAC",
                                                                "GB-LAE-BEX"]
    assert record["plannedDates"][0]["duration"] == 12
    assert problems(record, today=date(2026, 11, 24)) == []


def test_the_schema_check_is_real():
    record = _package()["grants"][0]
    broken = {**_package(), "grants": [{**record, "awardDate": "24/11/2026"}]}
    assert list(VALIDATOR.iter_errors(broken))
    assert list(VALIDATOR.iter_errors({**_package(), "grants": [{**record, "currency": 12}]}))


def test_pence_are_kept_and_grants_come_in_reference_order():
    other = replace(GRANT, reference="GRT-2026-0001", amount_pence=1_234_56)
    data = _package(GRANT, other)
    assert [g["id"] for g in data["grants"]] == ["360G-mopac-GRT-2026-0001",
                                                 "360G-mopac-GRT-2026-0007"]
    assert data["grants"][0]["amountAwarded"] == 1234.56
    assert not list(VALIDATOR.iter_errors(data))


@pytest.mark.parametrize("prefix", ["mopac-", "360G-mopac", "360g-mopac-", "360G--", ""])
def test_a_prefix_must_be_a_360giving_one(prefix):
    with pytest.raises(ValueError, match="360G-"):
        grant_id(prefix, "GRT-2026-0001")


def test_problems_a_reader_would_trip_over():
    record = _package(replace(
        GRANT, title="x" * 141, description="x" * 141, places=(),
        recipient=Org("GREENWICH", "Royal Borough of Greenwich"),
        award_date=date(2027, 1, 1)))["grants"][0]
    found = problems(record, today=date(2026, 11, 24))
    assert any("longer than 140" in p for p in found)
    assert any("only repeats the title" in p for p in found)
    assert any("no known org-id (GREENWICH)" in p for p in found)
    assert any("no beneficiary location" in p for p in found)
    assert any("award date 2027-01-01 is impossible" in p for p in found)


def test_months_between():
    assert months_between(date(2026, 4, 1), date(2027, 3, 31)) == 12
    assert months_between(date(2025, 10, 1), date(2027, 3, 31)) == 18
    assert months_between(date(2026, 4, 1), date(2026, 4, 30)) == 1


@given(pence=st.integers(1, 10**10), start=st.dates(date(2015, 1, 1), date(2030, 12, 31)),
       days=st.integers(1, 2000), boroughs=st.integers(1, 5))
def test_any_grant_makes_a_valid_package(pence, start, days, boroughs):
    from datetime import timedelta

    grant = replace(GRANT, amount_pence=pence, starts_on=start,
                    ends_on=start + timedelta(days=days),
                    places=tuple(Place(f"Borough {n}", f"E0900000{n}")
                                 for n in range(1, boroughs + 1)))
    data = _package(grant)
    assert not list(VALIDATOR.iter_errors(data))
    assert data["grants"][0]["amountAwarded"] * 100 == pytest.approx(pence)
