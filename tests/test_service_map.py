"""The service map: gap logic, entries through the pages, permissions, CSV in and out."""

import io
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.reference.models import LocalAuthority, Organisation
from eoi.service_map.csv_io import export_csv, import_csv
from eoi.service_map.gaps import Provision, ServiceFacts, gap_matrix, provision
from eoi.service_map.models import Cohort, Service, ServiceType
from eoi.service_map.operations import create_service
from tests.conftest import csrf_token, post_form, sign_in

TODAY = date(2026, 11, 24)
GIRLS, BOYS = Cohort.girls_young_women, Cohort.boys_young_men
ADVOCACY, ISVA = ServiceType.advocacy, ServiceType.isva


def facts(boroughs, types, cohorts, end=None):
    return ServiceFacts(frozenset(boroughs), frozenset(types), frozenset(cohorts), end)


# Pure gap logic ------------------------------------------------------------------------------

def test_provision_none_ending_and_ok():
    assert provision([], TODAY) is Provision.none
    assert provision([facts({1}, {ADVOCACY}, {GIRLS}, TODAY - timedelta(days=1))],
                     TODAY) is Provision.none  # funding already ended
    assert provision([facts({1}, {ADVOCACY}, {GIRLS}, TODAY + timedelta(days=365))],
                     TODAY) is Provision.ending
    assert provision([facts({1}, {ADVOCACY}, {GIRLS}, TODAY + timedelta(days=366))],
                     TODAY) is Provision.ok
    assert provision([facts({1}, {ADVOCACY}, {GIRLS}, None)], TODAY) is Provision.ok
    # One long-running service is enough for provision not to be ending.
    assert provision([facts({1}, {ADVOCACY}, {GIRLS}, TODAY),
                      facts({1}, {ADVOCACY}, {GIRLS}, None)], TODAY) is Provision.ok


def test_the_matrix_for_a_cohort_shows_exactly_the_gaps():
    services = [
        facts({1, 2}, {ADVOCACY}, {GIRLS}),
        facts({2}, {ISVA}, {GIRLS, BOYS}, TODAY + timedelta(days=30)),
        facts({3}, {ADVOCACY, ISVA}, {BOYS}),
    ]
    matrix = gap_matrix(services, [1, 2, 3], [ADVOCACY, ISVA], TODAY, cohort=BOYS)
    gaps = {(b, t) for b, row in matrix.items() for t, p in row.items() if p is Provision.none}
    assert gaps == {(1, ADVOCACY), (1, ISVA), (2, ADVOCACY)}
    assert matrix[2][ISVA] is Provision.ending
    everyone = gap_matrix(services, [1, 2, 3], [ADVOCACY, ISVA], TODAY)
    assert {(b, t) for b, row in everyone.items() for t, p in row.items()
            if p is Provision.none} == {(1, ISVA)}


service_facts = st.builds(
    facts,
    st.sets(st.integers(1, 4), min_size=1),
    st.sets(st.sampled_from([ADVOCACY, ISVA]), min_size=1),
    st.sets(st.sampled_from([GIRLS, BOYS]), min_size=1),
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2029, 1, 1))),
)


@given(st.lists(service_facts, max_size=8), st.sampled_from([None, GIRLS, BOYS]))
def test_a_cell_is_a_gap_exactly_when_no_running_service_covers_it(services, cohort):
    matrix = gap_matrix(services, [1, 2, 3, 4], [ADVOCACY, ISVA], TODAY, cohort)
    for borough, row in matrix.items():
        for service_type, cell in row.items():
            covering = [s for s in services if borough in s.borough_ids
                        and service_type in s.types and (cohort is None or cohort in s.cohorts)
                        and (s.funding_end_date is None or s.funding_end_date >= TODAY)]
            assert (cell is Provision.none) == (not covering)


# Through the pages ---------------------------------------------------------------------------

def _borough(name):
    return db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == name))


def _org(name):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


@pytest.fixture
def people(make_user):
    return {
        "partner": make_user(Role.partner, organisation="St Giles Trust"),
        "commissioner": make_user(Role.commissioner, borough="Greenwich"),
        "manager": make_user(Role.fund_manager),
        "panel": make_user(Role.panel_member),
        "abianda": make_user(Role.partner, organisation="Abianda"),
    }


@pytest.fixture
def st_giles_service(people):
    service = create_service(
        provider=_org("St Giles Trust"), by=None, name="Schools worker",
        description="In Greenwich schools", boroughs=[_borough("Greenwich")],
        types={ServiceType.schools_prevention}, cohorts={GIRLS},
        funding_end_date=date(2027, 3, 31))
    db.session.commit()
    return service


def _service_form(**overrides):
    greenwich, bexley = _borough("Greenwich"), _borough("Bexley")
    data = {"name": "Girls' group", "description": "Weekly group work",
            "boroughs": [greenwich.id, bexley.id], "types": ["group_work"],
            "cohorts": ["girls_young_women"],
            "funding_end_date": ["31", "3", "2028"]}
    data.update(overrides)
    return data


def test_a_partner_adds_their_own_service(client, people):
    sign_in(client, people["partner"].email)
    page = client.get("/service-map/new").text
    assert "Provider: <strong>St Giles Trust</strong>" in page
    response = post_form(client, "/service-map/new", {
        **_service_form(), "provider_id": _org("St Giles Trust").id})
    assert response.status_code == 302
    service = db.session.scalar(select(Service).where(Service.name == "Girls' group"))
    assert service.provider.name == "St Giles Trust"
    assert {b.name for b in service.boroughs} == {"Greenwich", "Bexley"}
    assert service.funding_end_date == date(2028, 3, 31)
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.subject_type == "Service")) == "service.created"


def test_a_partner_cannot_add_for_another_provider(client, people):
    """A crafted provider is ignored: partners only ever list their own organisation's."""
    sign_in(client, people["partner"].email)
    post_form(client, "/service-map/new", {**_service_form(), "provider_id": _org("Abianda").id})
    providers = db.session.scalars(select(Service.provider_id)).all()
    assert providers == [_org("St Giles Trust").id]


def test_bad_service_input_is_explained(client, people):
    sign_in(client, people["manager"].email)
    response = post_form(client, "/service-map/new", {
        "provider_id": "", "name": "", "funding_end_date": ["31", "2", "2027"]})
    for message in ("Select the organisation that runs the service", "Enter the service",
                    "Select at least one borough served", "Select at least one type of service",
                    "Select at least one group of young people",
                    "Funding end date must be a real date"):
        assert message in response.text, message
    assert db.session.scalar(select(func.count(Service.id))) == 0


def test_a_crafted_date_with_missing_parts_is_a_field_error(client, people):
    sign_in(client, people["manager"].email)
    response = post_form(client, "/service-map/new", {
        **_service_form(), "provider_id": _org("Abianda").id, "funding_end_date": ["31"]})
    assert response.status_code == 200
    assert "Funding end date must be a real date" in response.text


@pytest.mark.parametrize("who,status", [
    ("partner", 200), ("manager", 200), ("commissioner", 403), ("panel", 403), (None, 302),
])
def test_who_may_edit_an_entry(client, people, st_giles_service, who, status):
    if who:
        sign_in(client, people[who].email)
    assert client.get(f"/service-map/{st_giles_service.id}/edit").status_code == status
    if who:
        token = csrf_token(client.get("/account").text)
        response = client.post(f"/service-map/{st_giles_service.id}/edit",
                               data={"csrf_token": token})
        assert response.status_code == (200 if status == 200 else 403)


def test_two_people_editing_an_entry(client, people, st_giles_service):
    sign_in(client, people["partner"].email)
    opened = st_giles_service.version
    st_giles_service.description = "Changed elsewhere"
    db.session.commit()
    response = post_form(client, f"/service-map/{st_giles_service.id}/edit", {
        **_service_form(name="Schools worker"), "provider_id": st_giles_service.provider_id,
        "version": opened})
    assert "Someone else changed this record" in response.text
    db.session.refresh(st_giles_service)
    assert st_giles_service.description == "Changed elsewhere"


def test_the_gap_page_marks_exactly_the_gaps(client, people, st_giles_service):
    sign_in(client, people["panel"].email)
    page = client.get("/service-map/gaps?cohort=girls_young_women").text
    cells = re.findall(r'data-gap="(\w+)"', page)
    assert len(cells) == 33 * len(ServiceType)
    assert cells.count("none") == 33 * len(ServiceType) - 1
    assert cells.count("ending") == 1 or cells.count("ok") == 1
    boys = client.get("/service-map/gaps?cohort=boys_young_men").text
    assert re.findall(r'data-gap="(\w+)"', boys).count("none") == 33 * len(ServiceType)


# CSV -------------------------------------------------------------------------------------------

HEADER = "provider,service_name,description,boroughs,service_types,cohorts,funding_end_date\n"


def _upload(client, text: str):
    page = client.get("/service-map/import")
    return client.post("/service-map/import", data={
        "csrf_token": csrf_token(page.text),
        "file": (io.BytesIO(text.encode()), "services.csv"),
    }, content_type="multipart/form-data", follow_redirects=True)


def test_csv_import_refuses_the_whole_file_and_names_each_bad_row(client, people):
    sign_in(client, people["manager"].email)
    text = HEADER + (
        "Abianda,Young women's support,,E09000019;E09000003,advocacy,girls_young_women,\n"
        "Nobody Ltd,Ghost,,E09000001,advocacy,girls_young_women,\n"
        "Abianda,,,E09999999,teleportation,aliens,31/02/2027\n"
        "Abianda,Young women's support,,Islington,advocacy,girls_young_women,\n"
    )
    page = _upload(client, text).text
    for message in ("Row 3: unknown provider &#39;Nobody Ltd&#39;",
                    "Row 4: enter the service name", "Row 4: unknown borough &#39;E09999999&#39;",
                    "Row 4: unknown service type &#39;teleportation&#39;",
                    "Row 4: unknown cohort &#39;aliens&#39;",
                    "Row 4: funding end date &#39;31/02/2027&#39; must be a real date",
                    "Row 5: the same provider and service name appear on an earlier row"):
        assert message in page, message
    assert "Row 2" not in page
    assert db.session.scalar(select(func.count(Service.id))) == 0


def test_csv_import_then_export_round_trips(client, people, st_giles_service):
    sign_in(client, people["manager"].email)
    text = HEADER + (
        "Abianda,Young women's support,Co-located,Islington;E09000003,advocacy;mentoring,"
        "girls_young_women;transition,2027-06-30\n"
        "GB-LAE-GRE,Boys' outreach,,Greenwich,Outreach,Boys and young men,\n"
    )
    page = _upload(client, text).text
    assert "Imported 2 new and 0 updated services" in page
    exported = client.get("/service-map/export.csv")
    assert exported.mimetype == "text/csv"
    body = exported.get_data(as_text=True)
    assert "Abianda,Young women's support,Co-located,E09000003;E09000019,advocacy;mentoring," \
           "girls_young_women;transition,2027-06-30" in body
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    page = _upload(client, body).text
    assert "Imported 0 new and 3 updated services" in page
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before  # nothing changed


def test_export_keeps_the_filters_on_screen(client, people, st_giles_service):
    sign_in(client, people["panel"].email)
    greenwich, bexley = _borough("Greenwich"), _borough("Bexley")
    assert "Schools worker" in client.get(
        f"/service-map/export.csv?borough={greenwich.id}").get_data(as_text=True)
    assert "Schools worker" not in client.get(
        f"/service-map/export.csv?borough={bexley.id}").get_data(as_text=True)


def test_export_as_xlsx_keeps_the_filters_and_records_them(client, people, st_giles_service):
    from io import BytesIO

    from openpyxl import load_workbook

    sign_in(client, people["partner"].email)
    greenwich = _borough("Greenwich")
    response = client.get(f"/service-map/export.xlsx?borough={greenwich.id}&type=helpline")
    assert response.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(BytesIO(response.data))
    assert [row[1] for row in workbook["Services"].iter_rows(values_only=True)] == [
        "service_name"]  # the Schools worker is no helpline
    assert dict(workbook["About"].iter_rows(values_only=True))["Borough"] == "Greenwich"
    workbook = load_workbook(BytesIO(client.get(
        f"/service-map/export.xlsx?borough={greenwich.id}").data))
    assert list(workbook["Services"].iter_rows(values_only=True))[1][1] == "Schools worker"


def test_text_like_a_formula_is_guarded_in_the_csv_and_imports_back_unchanged(
        client, people, st_giles_service):
    st_giles_service.description = "=1+1 sessions, -2 dropped"
    db.session.commit()
    sign_in(client, people["manager"].email)
    body = client.get("/service-map/export.csv").get_data(as_text=True)
    assert "'=1+1 sessions, -2 dropped" in body
    st_giles_service.description = "changed"
    db.session.commit()
    assert "Imported 0 new and 1 updated services" in _upload(client, body).text
    db.session.refresh(st_giles_service)
    assert st_giles_service.description == "=1+1 sessions, -2 dropped"


def test_only_fund_managers_import(client, people):
    sign_in(client, people["partner"].email)
    assert client.get("/service-map/import").status_code == 403


def test_export_csv_pure(reference):
    service = create_service(
        provider=_borough("Bexley").organisation, by=None, name="Helpline, with comma",
        description='Says "hello"', boroughs=[_borough("Bexley")], types={ServiceType.helpline},
        cohorts={Cohort.lgbt}, funding_end_date=None)
    text = export_csv([service])
    assert text.splitlines()[1] == ('London Borough of Bexley,"Helpline, with comma",'
                                    '"Says ""hello""",E09000004,helpline,lgbt,')
    assert import_csv("provider\n", by=None).errors[0].startswith("Row 1: the header is missing")


def test_csv_import_takes_control_characters_out_and_bounds_the_description(client, people):
    sign_in(client, people["manager"].email)
    page = _upload(client, HEADER + (
        "Abianda,Bell\x07 service,Escape\x1b text,Islington,advocacy,girls_young_women,\n")).text
    assert "Imported 1 new and 0 updated services" in page
    service = db.session.scalars(select(Service)).one()
    assert (service.name, service.description) == ("Bell service", "Escape text")
    page = _upload(client, HEADER + (
        f"Abianda,Long,{'x' * 2001},Islington,advocacy,girls_young_women,\n")).text
    assert "Row 2: the description must be 2,000 characters or fewer" in page
