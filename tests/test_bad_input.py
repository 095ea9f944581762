"""Bad data never breaks a page for everyone: crafted section posts, stored answers of the
wrong shape, control characters, huge numbers and odd digits are refused or read as
nothing, and every form's every text has a maximum."""

import importlib
import io
import pkgutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

import eoi.forms
from eoi.eois.models import EoiSection
from eoi.eois.sections import SECTIONS, in_shape
from eoi.extensions import db
from eoi.forms.base import Form
from eoi.inputs import MAX_ID, clean_text, id_from, whole_number
from eoi.reference.models import Organisation
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in

HUGE = "9" * 30


# Sections ----------------------------------------------------------------------------------

def _every_view_of(client, eoi) -> list[int]:
    urls = [f"/eois/{eoi.id}", f"/eois/{eoi.id}/read", f"/eois/{eoi.id}/pdf", "/eois",
            "/eois/export.xlsx", *(f"/eois/{eoi.id}/sections/{s.key}" for s in SECTIONS)]
    return [client.get(url).status_code for url in urls]


def test_a_crafted_resolve_goes_through_the_sections_own_checks(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    section = eoi.section("priorities")
    token = csrf_token(client.get(f"/eois/{eoi.id}/sections/priorities").text)
    # The old attack: any JSON as "mine". It is no longer read at all.
    client.post(f"/eois/{eoi.id}/sections/priorities/resolve", data={
        "csrf_token": token, "choice": "mine", "mine": "[1, 2]",
        "version": section.version})
    # Field by field, a value no checkbox offers is refused beside the field.
    response = client.post(f"/eois/{eoi.id}/sections/priorities/resolve", data={
        "csrf_token": token, "choice": "mine", "priority_ids": ["abc", HUGE],
        "how": "x" * 6000, "version": section.version})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    db.session.refresh(section)
    assert section.content == {"priority_ids": [], "how": ""}
    assert set(_every_view_of(client, eoi)) == {200}


@pytest.mark.parametrize("stored", [
    [1, 2], "text", 7, None, {"title": ["a list"], "summary": {"a": 1}},
    {"priority_ids": "1", "how": 5}, {"priority_ids": [True, -1, "2"]},
    {"indicators": [1]}, {"indicators": {"x": {"baseline": "ten"}, "1": "no"}},
    {"indicators": {"1": {"baseline": [1], "targets": [2026]}}}, {"notes": ["n"]},
])
def test_stored_answers_of_the_wrong_shape_read_as_unanswered(client, world, stored):
    people, eoi = world
    db.session.execute(update(EoiSection).where(EoiSection.eoi_id == eoi.id)
                       .values(stored_content=stored))
    db.session.commit()
    sign_in(client, people["member"].email)
    assert set(_every_view_of(client, eoi)) == {200}
    response = post_form(client, f"/eois/{eoi.id}/sections/summary", {
        "title": "Mended", "summary": "Mended", "complete": "no",
        "version": eoi.section("summary").version})
    assert response.status_code == 302  # and the consortium can repair it


def test_the_shape_of_each_section_is_what_its_form_gives():
    assert in_shape("summary", {"title": "T", "extra": "x"}) == {"title": "T", "summary": ""}
    assert in_shape("outcomes", {"indicators": {"3": {"baseline": 1, "targets": {
        "2026": 4, "soon": 5}}}}) == {"indicators": {"3": {"baseline": 1,
                                                          "targets": {"2026": 4}}}}
    assert in_shape("nonsense", {"a": "b"}) == {}


# Control characters ------------------------------------------------------------------------

def test_control_characters_are_taken_out_of_whatever_is_typed(client, users_by_role):
    sign_in(client, users_by_role["fund_manager"].email)
    post_form(client, "/admin/organisations/new", {
        "name": "Bell\x07 and\x00 Null\u0085 Ltd\ufffe", "type": "vcs"})
    names = db.session.scalars(select(Organisation.name)).all()
    assert "Bell and Null Ltd" in names
    assert clean_text("one\r\ntwo\rthree\tfour\x1b") == "one\ntwo\nthree\tfour"


def test_a_control_character_already_stored_cannot_break_a_download(client, world):
    people, eoi = world
    db.session.execute(update(EoiSection).where(
        EoiSection.eoi_id == eoi.id, EoiSection.key == "summary").values(
        stored_content={"title": "Bell\x07 title", "summary": ""}))
    # PostgreSQL refuses NUL in text outright; \x01 is the worst a database can hold.
    eoi.consortium.name = "Start\x01 consortium"
    db.session.commit()
    sign_in(client, people["lead"].email)
    response = client.get("/eois/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("Bell title" in c for c in cells) and any("Start consortium" in c for c in cells)


# Numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"/admin/audit?user_id={HUGE}", f"/admin/audit?subject_id={HUGE}&page={HUGE}",
    f"/service-map?borough={HUGE}", "/service-map?borough=²", f"/service-map/gaps?borough={HUGE}",
    f"/lead-commissioners?priority={HUGE}&borough=²&bcu={HUGE}", f"/eois/{HUGE}",
    f"/consortia/{HUGE}", f"/grants/{2**40}", f"/returns?grant={HUGE}",
    f"/eois?round={HUGE}&status=²",
])
def test_huge_numbers_and_odd_digits_in_addresses_are_no_filter_or_not_found(
        client, users_by_role, url):
    sign_in(client, users_by_role["fund_manager"].email)
    assert client.get(url).status_code in (200, 404)


NUL = "%00x%07"


@pytest.mark.parametrize("url", [
    f"/admin/users?q={NUL}&role={NUL}&status={NUL}", f"/admin/organisations?type={NUL}",
    f"/admin/audit?action={NUL}&subject_type={NUL}&user_id={NUL}",
    f"/lead-commissioners?borough={NUL}&bcu={NUL}&priority={NUL}",
    f"/service-map?borough={NUL}&cohort={NUL}&q={NUL}", f"/service-map/gaps?cohort={NUL}",
    f"/programme?quarter={NUL}", f"/programme/programme.xlsx?quarter={NUL}",
    f"/eois?round={NUL}&status={NUL}&q={NUL}", f"/eois/export.csv?status={NUL}",
    f"/grants?status={NUL}&rag={NUL}&q={NUL}", f"/grants/payments?status={NUL}",
    f"/returns?status={NUL}&grant={NUL}", f"/open-data?borough={NUL}",
])
def test_control_characters_in_an_address_are_no_filter(client, users_by_role, url):
    # PostgreSQL refuses a NUL in any text it is asked about, so one in a filter would be a
    # 500 there; every query string is cleaned before a view reads it.
    sign_in(client, users_by_role["fund_manager"].email)
    assert client.get(url).status_code == 200


def test_a_nul_in_the_sign_in_address_is_harmless(client, users_by_role):
    response = post_form(client, f"/sign-in?next=/eois{NUL}", {
        "email": users_by_role["fund_manager"].email, "password": PASSWORD})
    assert response.status_code == 302 and "\x00" not in response.location


def test_huge_ids_in_a_form_are_not_found(client, world):
    people, _eoi = world
    sign_in(client, people["lead"].email)
    token = csrf_token(client.get("/account").text)
    for consortium_id in (HUGE, "²", "-1", ""):
        response = client.post("/eois/start", data={
            "csrf_token": token, "consortium_id": consortium_id, "round_id": HUGE})
        assert response.status_code == 404


def test_whole_numbers_are_ascii_digits_within_a_maximum():
    assert whole_number("12", maximum=100) == 12
    assert [whole_number(text, maximum=100) for text in
            ("²", "٣", "1_0", " 1", "-1", "101", HUGE, "", None)] == [None] * 9
    assert id_from(str(MAX_ID)) == MAX_ID and id_from(str(MAX_ID + 1)) is None
    assert id_from("0") is None


# Every form ---------------------------------------------------------------------------------

def _form_classes() -> list[type]:
    for module in pkgutil.iter_modules(eoi.forms.__path__):
        importlib.import_module(f"eoi.forms.{module.name}")
    found, todo = [], list(Form.__subclasses__())
    while todo:
        form_class = todo.pop()
        found.append(form_class)
        todo += form_class.__subclasses__()
    return found


# Fields that read their text into something bounded: a number, an amount, a date, a
# choice, a version, a file.
PARSED = {"CountField", "MoneyField", "PoundsField", "OptionalCount", "VersionField",
          "WholeNumberField", "OptionalDateField", "ChoiceField", "SelectField",
          "SelectMultipleField", "RadioField", "BooleanField", "SubmitField", "FileField",
          "CSRFTokenField", "HiddenField", "PasswordField", "DateField", "IntegerField",
          "DecimalField", "EmailField"}


def _unbounded(form) -> list[str]:
    from wtforms.validators import Length

    return [name for name, field in form._fields.items()
            if type(field).__name__ not in PARSED
            and not any(isinstance(v, Length) and v.max and v.max > 0 for v in field.validators)]


def test_every_form_takes_out_control_characters():
    from flask_wtf import FlaskForm

    forms = _form_classes()
    assert len(forms) > 30
    outside = [c for c in FlaskForm.__subclasses__() if c is not Form]
    assert outside == [], "forms inherit eoi.forms.base.Form"


def test_every_text_a_form_takes_has_a_maximum(app, world, granted):
    from eoi.assessment.views import scores_form
    from eoi.forms.eois import section_form
    from eoi.returns.views import _return_form

    people, grant = granted
    eoi = grant.eoi
    with app.test_request_context():
        static = [c() for c in _form_classes() if "setup" not in c.__dict__
                  and not c.__name__.endswith(("Base", "ReturnForm", "ScoresForm",
                                               "QuestionsForm", "PrioritiesForm",
                                               "OutcomesForm", "BudgetForm", "StateForm"))]
        dynamic = [section_form(eoi, s.key) for s in SECTIONS]
        dynamic.append(scores_form(eoi.funding_round.criteria))
        dynamic.append(_return_form(grant.returns[0], borough_rows=2))
        found = {type(form).__name__: _unbounded(form) for form in static + dynamic}
    assert {name: fields for name, fields in found.items() if fields} == {}
