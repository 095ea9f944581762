"""Open data from the app: the 360Giving package of every grant, valid against the schema,
matching the grant pages, public, and holding nothing unpublished or personal."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from eoi import clock
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.reference.models import Organisation, OrganisationType
from eoi.returns import operations as returns
from tests.conftest import complete_figures, fund, sign_in
from tests.opendata.test_threesixty import VALIDATOR

MOPAC_ID = "GB-GOR-PC000001"  # a well-formed identifier for the tests; MOPAC sets its own


def _publishable():
    mopac = db.session.scalar(select(Organisation).where(
        Organisation.type == OrganisationType.mopac))
    mopac.org_id = MOPAC_ID
    db.session.commit()


def test_nothing_is_published_until_mopac_has_an_identifier(client, granted):
    page = client.get("/open-data")
    assert page.status_code == 200
    assert "MOPAC&#39;s organisation identifier is not set" in page.text
    for extension in ("json", "csv", "xlsx"):
        assert client.get(f"/open-data/grants.{extension}").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager",
                                 "panel", "partner"])
def test_everyone_gets_the_same_open_data_or_none(app, client, granted, who):
    """Public data is the same for every reader, signed in or not: no role sees more."""
    people, grant = granted
    if who != "anonymous":
        sign_in(client, people[who].email)
    for extension in ("json", "csv", "xlsx"):
        assert client.get(f"/open-data/grants.{extension}").status_code == 404
    _publishable()
    bodies = {extension: client.get(f"/open-data/grants.{extension}")
              for extension in ("json", "csv", "xlsx")}
    assert all(response.status_code == 200 for response in bodies.values())
    package = bodies["json"].get_json()
    assert [g["id"] for g in package["grants"]] == [f"360G-mopac-{grant.reference}"]
    anonymous = app.test_client()
    assert anonymous.get("/open-data/grants.csv").data == bodies["csv"].data


def test_the_package_is_valid_and_matches_the_grant(client, granted):
    people, grant = granted
    _publishable()
    response = client.get("/open-data/grants.json")  # no sign-in: this is public
    assert response.status_code == 200
    data = response.get_json()
    assert list(VALIDATOR.iter_errors(data)) == []
    [record] = data["grants"]
    assert record["id"] == f"360G-mopac-{grant.reference}"
    assert record["amountAwarded"] == grant.pooled_total_pence / 100 == 170_000
    assert record["recipientOrganization"] == [{"id": "GB-LAE-GRE",
                                                "name": "Royal Borough of Greenwich"}]
    assert {(f["id"], f["name"]) for f in record["fundingOrganization"]} == {
        (MOPAC_ID, "Mayor's Office for Policing and Crime (MOPAC)"),
        ("GB-LAE-BEX", "London Borough of Bexley")}
    assert [(p["name"], p["geoCode"]) for p in record["beneficiaryLocation"]] == [
        ("Bexley", "E09000004"), ("Greenwich", "E09000011")]
    assert data["publisher"]["identifier"] == MOPAC_ID
    sign_in(client, people["partner"].email)
    page = client.get(f"/grants/{grant.id}").text
    for shown in ("£170,000", "London Borough of Bexley", "Bexley and Greenwich"):
        assert shown in page


def test_nothing_unpublished_or_personal_is_exported(client, granted, make_user):
    people, grant = granted
    ret = grant.returns[0]
    returns.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    db.session.commit()
    _publishable()
    text = client.get("/open-data/grants.json").text
    for private in (people["panel"].full_name, "Good.", "Workers started in six schools",
                    "A girl in Year 10", people["lead"].email):
        assert private not in text
    assert "score" not in text.lower()


def test_an_unpublished_decision_makes_no_grant_and_so_nothing_to_export(client, world):
    import pytest

    from eoi.refusals import TransitionRefused
    from eoi.rounds.models import RoundStatus

    people, eoi = world
    decision = fund(people, eoi)
    # As it was the moment before publishing: decided by the panel, not yet announced.
    eoi.funding_round.status = RoundStatus.assessed
    db.session.commit()
    assert grants.decisions_awaiting_grants() == []
    with pytest.raises(TransitionRefused, match="published"):
        grants.create_grant(decision, by=people["manager"])
    db.session.rollback()
    _publishable()
    assert client.get("/open-data/grants.json").status_code == 404
    assert "No grants have been awarded yet" in client.get("/open-data").text


def test_csv_and_xlsx_use_the_standard_columns(client, granted):
    _people, grant = granted
    _publishable()
    rows = list(csv.reader(io.StringIO(client.get("/open-data/grants.csv").text)))
    assert rows[0][:6] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded",
                           "Award Date"]
    assert "Beneficiary Location:Geographic Code" in rows[0]
    assert rows[1][0] == f"360G-mopac-{grant.reference}"
    workbook = load_workbook(io.BytesIO(client.get("/open-data/grants.xlsx").data))
    assert workbook.sheetnames == ["grants", "funding_organizations", "beneficiary_locations",
                                   "Meta"]
    funders = list(workbook["funding_organizations"].iter_rows(values_only=True))
    assert len(funders) == 3  # the header, MOPAC and Bexley


def test_the_export_command_writes_a_valid_file(app, granted, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "grants.json"
    refused = runner.invoke(args=["export", "360giving", "--out", str(out)])
    assert refused.exit_code != 0 and "organisation identifier is not set" in refused.output
    _publishable()
    result = runner.invoke(args=["export", "360giving", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 grant to" in result.output
    data = json.loads(out.read_text())
    assert list(VALIDATOR.iter_errors(data)) == []
    assert data["grants"][0]["dataSource"].endswith("/open-data")
