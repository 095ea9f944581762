"""Free text beside uploads has a maximum length, on the form and in the operation: notes
sent with evidence, review comments on milestones and returns, and service
descriptions, typed or imported. The service map import takes only a CSV file, and
only so much of one."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from eoi import clock
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.grants.models import MAX_NOTES, MilestoneStatus
from eoi.reference.models import Organisation
from eoi.refusals import FieldRefusal
from eoi.returns import operations as returns
from eoi.service_map.csv_io import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from eoi.service_map.models import MAX_DESCRIPTION, Cohort, Service, ServiceType
from eoi.service_map.operations import create_service
from tests.conftest import complete_figures, csrf_token, post_form, sign_in

TOO_LONG = "x" * (MAX_NOTES + 1)


@pytest.fixture
def milestone(granted):
    people, grant = granted
    milestone = grants.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                                     due_on=grant.starts_on, by=people["manager"])
    db.session.commit()
    return people, milestone


def test_notes_sent_with_evidence_have_a_maximum_length(milestone):
    people, milestone = milestone
    with pytest.raises(FieldRefusal, match="Notes on the evidence must be 5,000 characters"):
        grants.send_evidence(milestone, notes=TOO_LONG, by=people["partner"], now=clock.now())
    grants.send_evidence(milestone, notes="x" * MAX_NOTES, by=people["partner"],
                         now=clock.now())


def test_the_send_evidence_form_refuses_long_notes_beside_the_field(client, milestone):
    people, milestone = milestone
    sign_in(client, people["partner"].email)
    page = client.get(f"/grants/milestones/{milestone.id}")
    response = client.post(f"/grants/milestones/{milestone.id}/send",
                           data={"csrf_token": csrf_token(page.text), "notes": TOO_LONG})
    assert response.status_code == 200
    assert 'id="notes-error"' in response.text
    assert f"Notes on the evidence must be {MAX_NOTES} characters or fewer" in response.text
    db.session.refresh(milestone)
    assert milestone.status is not MilestoneStatus.submitted


def test_review_comments_have_a_maximum_length(milestone):
    people, milestone = milestone
    grants.send_evidence(milestone, notes="Done", by=people["partner"], now=clock.now())
    with pytest.raises(FieldRefusal, match="Comments must be 5,000 characters or fewer"):
        grants.review_milestone(milestone, accept=False, comments=TOO_LONG,
                                by=people["manager"], now=clock.now())
    ret = milestone.grant.returns[0]
    returns.save_return(ret, complete_figures(milestone.grant), by=people["partner"],
                        now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    with pytest.raises(FieldRefusal, match="Comments must be 5,000 characters or fewer"):
        returns.review_return(ret, accept=False, comments=TOO_LONG, by=people["manager"],
                              now=clock.now())


def _a_service(**values):
    provider = db.session.scalar(select(Organisation).where(Organisation.name == "St Giles Trust"))
    return create_service(provider=provider, by=None, **{
        "name": "Outreach", "description": "", "boroughs": [], "types": {ServiceType.outreach},
        "cohorts": {Cohort.girls_young_women}, "funding_end_date": None} | values)


def test_a_service_description_has_a_maximum_length(world):
    with pytest.raises(FieldRefusal, match="description must be 2,000 characters or fewer"):
        _a_service(description="x" * (MAX_DESCRIPTION + 1))
    _a_service(description="x" * MAX_DESCRIPTION)


def test_the_service_form_refuses_a_long_description_beside_the_field(client, world):
    people, _ = world
    sign_in(client, people["manager"].email)
    response = post_form(client, "/service-map/new", {"description": "x" * (MAX_DESCRIPTION + 1)})
    assert f"The description must be {MAX_DESCRIPTION} characters or fewer" in response.text


# The service map import ----------------------------------------------------------------------

HEADER = "provider,service_name,description,boroughs,service_types,cohorts,funding_end_date\n"
ROW = "St Giles Trust,{name},{description},Islington,advocacy,girls_young_women,\n"


def _import(client, content: bytes, name: str = "services.csv"):
    page = client.get("/service-map/import")
    return client.post("/service-map/import", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(content), name),
    }, content_type="multipart/form-data", follow_redirects=True)


def _workbook() -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(HEADER.strip().split(","))
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (_workbook(), "The selected file is a spreadsheet, not a CSV file: save it as CSV UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "is a spreadsheet, not a CSV file"),
    (HEADER.encode() + b"\x00\x01\x02", "The selected file is not a CSV file"),
    ("provider,café\n".encode("cp1252"), "must be saved as UTF-8 CSV"),
    (HEADER.encode() + b"x" * MAX_IMPORT_BYTES, "The selected file must be smaller than 2MB"),
])
def test_the_import_takes_only_a_csv_file_and_only_so_much(client, world, content, message):
    people, _ = world
    sign_in(client, people["manager"].email)
    page = _import(client, content).text
    assert 'id="file-error"' in page
    assert message in page
    assert db.session.scalar(select(func.count(Service.id))) == 0


def test_the_import_refuses_too_many_rows_and_too_long_a_description(client, world):
    people, _ = world
    sign_in(client, people["manager"].email)
    rows = "".join(ROW.format(name=f"Service {n}", description="")
                   for n in range(MAX_IMPORT_ROWS + 1))
    page = _import(client, (HEADER + rows).encode()).text
    assert f"Row {MAX_IMPORT_ROWS + 2}: the file has more than 1,000 services" in page
    long = ROW.format(name="Outreach", description="x" * (MAX_DESCRIPTION + 1))
    page = _import(client, (HEADER + long).encode()).text
    assert "Row 2: the description must be 2,000 characters or fewer" in page
    assert db.session.scalar(select(func.count(Service.id))) == 0
