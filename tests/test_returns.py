"""Quarterly returns through the app: the web form and the spreadsheet with the same rules,
the privacy guard, submission and review, and the reports with small counts suppressed."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from eoi import clock
from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.refusals import TransitionRefused
from eoi.returns import operations
from eoi.returns.figures import Cohorts
from eoi.returns.models import ReturnStatus
from eoi.returns.operations import RETURN, ReturnRefused
from tests.conftest import borough, complete_figures, csrf_token, post_form, sign_in, sign_out
from tests.documents import prepared_pdf


def _xlsx(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(sheet, key: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == key)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("current,new,allowed", [
    (ReturnStatus.draft, ReturnStatus.submitted, True),
    (ReturnStatus.draft, ReturnStatus.accepted, False),
    (ReturnStatus.submitted, ReturnStatus.accepted, True),
    (ReturnStatus.submitted, ReturnStatus.returned, True),
    (ReturnStatus.returned, ReturnStatus.submitted, True),
    (ReturnStatus.accepted, ReturnStatus.returned, False),
])
def test_the_return_state_machine(current, new, allowed):
    if allowed:
        RETURN.check(current, new)
    else:
        with pytest.raises(TransitionRefused):
            RETURN.check(current, new)


def test_a_return_is_saved_submitted_returned_and_accepted(granted):
    people, grant = granted
    partner, manager = people["partner"], people["manager"]
    ret = grant.returns[0]
    with pytest.raises(ReturnRefused) as refused:
        operations.submit_return(ret, by=partner, now=clock.now())
    assert "Enter the progress this quarter" in str(refused.value)
    operations.save_return(ret, complete_figures(grant), by=partner, now=clock.now())
    operations.submit_return(ret, by=partner, now=clock.now())
    with pytest.raises(TransitionRefused):
        operations.save_return(ret, complete_figures(grant), by=partner, now=clock.now())
    operations.review_return(ret, accept=False, comments="Check the age bands", by=manager,
                             now=clock.now())
    assert ret.status is ReturnStatus.returned
    operations.submit_return(ret, by=partner, now=clock.now())
    operations.review_return(ret, accept=True, comments="", by=manager, now=clock.now())
    assert ret.status is ReturnStatus.accepted
    assert operations.figures_of(ret) == complete_figures(grant)
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)
               if e.action.startswith("return.")]
    assert actions == ["return.saved", "return.submitted", "return.returned",
                       "return.submitted", "return.accepted"]


def test_figures_that_do_not_add_up_are_refused_and_nothing_changes(granted):
    people, grant = granted
    ret = grant.returns[0]
    figures = complete_figures(grant)
    figures.breakdowns["gender"]["female"] = Cohorts(1, 3)
    with pytest.raises(ReturnRefused) as refused:
        operations.save_return(ret, figures, by=people["partner"], now=clock.now())
    assert [p.field for p in refused.value.problems] == ["gender-female-new"]
    db.session.rollback()
    assert ret.new_supported == 0 and ret.counts == []


@pytest.mark.parametrize("narrative,found", [
    ("Contact her at jo.smith@example.com for details", "an email address"),
    ("She was born on 03/07/2011 and lives nearby", "a date of birth"),
])
def test_the_web_form_refuses_personal_data_beside_the_field(client, granted, narrative,
                                                             found):
    people, grant = granted
    ret = grant.returns[0]
    sign_in(client, people["partner"].email)
    form = {"supported-new": "0", "supported-continuing": "0", "case_study": narrative,
            "version": str(ret.version)}
    response = post_form(client, f"/returns/{ret.id}", form)
    assert response.status_code == 200
    assert f"Anonymised case study contains what looks like {found}" in response.text
    assert 'href="#case_study"' in response.text  # the error summary links to the box
    db.session.refresh(ret)
    assert ret.case_study == "" and ret.updated_at is None


def test_the_web_form_saves_and_shows_the_message_next_to_a_bad_count(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    sign_in(client, people["partner"].email)
    greenwich = borough("Greenwich").gss_code
    form = {"supported-new": "3", "supported-continuing": "0", "gender-female-new": "three",
            "version": str(ret.version)}
    response = post_form(client, f"/returns/{ret.id}", form)
    assert "Gender, Female, new: enter a whole number, like 12" in response.text
    form.update({"gender-female-new": "3", "age_band-13_15-new": "3",
                 "disability-not_known-new": "3", "borough-0-residence": greenwich,
                 "borough-0-service": greenwich, "borough-0-new": "3",
                 "spend-staff": "1,250.50", "progress": "Started.\r\nWell."})
    response = post_form(client, f"/returns/{ret.id}", form, follow_redirects=True)
    assert "Return saved as a draft." in response.text
    db.session.refresh(ret)
    saved = operations.figures_of(ret)
    assert saved.supported == Cohorts(3, 0)
    assert saved.boroughs == {(greenwich, greenwich): Cohorts(3, 0)}
    assert saved.spend == {"staff": 1_250_50}
    assert ret.progress == "Started.\nWell."


def test_two_people_saving_the_same_return_do_not_overwrite_each_other(client, granted,
                                                                      make_user):
    people, grant = granted
    ret = grant.returns[0]
    colleague = make_user(Role.partner, organisation="St Giles Trust",
                          email="colleague@stgiles.example")
    sign_in(client, people["partner"].email)
    stale = ret.version
    operations.save_return(ret, complete_figures(grant), by=colleague, now=clock.now())
    db.session.commit()
    response = post_form(client, f"/returns/{ret.id}", {
        "supported-new": "0", "supported-continuing": "0", "version": str(stale)})
    assert "Someone else saved this return" in response.text
    db.session.refresh(ret)
    assert ret.new_supported == 7


def _upload(client, ret, content: bytes):
    page = client.get(f"/returns/{ret.id}").text
    response = client.post(f"/returns/{ret.id}", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(content), "return.xlsx")},
        content_type="multipart/form-data", follow_redirects=True)
    # Whatever the outcome, the address is the return's own (the page's form posts there).
    assert response.request.path == f"/returns/{ret.id}"
    assert f'action="/returns/{ret.id}" enctype="multipart/form-data"' in page
    return response


def test_the_spreadsheet_round_trip_with_a_row_by_row_error(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    sign_in(client, people["partner"].email)
    template = client.get(f"/returns/{ret.id}/template.xlsx")
    assert template.mimetype.endswith("spreadsheetml.sheet")
    assert f"{grant.reference}-2026-Q1-return.xlsx" in template.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(template.data))
    sheet = workbook["Return"]
    sheet.cell(_row(sheet, "supported"), 4).value = 2
    sheet.cell(_row(sheet, "gender:female"), 4).value = "two"
    sheet.cell(_row(sheet, "age_band:16_17"), 4).value = 2
    sheet.cell(_row(sheet, "disability:disabled"), 4).value = 2
    first_borough = _row(sheet, "borough")
    sheet.cell(first_borough, 2).value = "Bexley"
    sheet.cell(first_borough, 3).value = "Greenwich"
    sheet.cell(first_borough, 4).value = 2
    response = _upload(client, ret, _xlsx(workbook))
    gender_row = _row(sheet, "gender:female")
    assert f"Row {gender_row}" in response.text
    assert "enter a whole number of young people" in response.text
    db.session.refresh(ret)
    assert ret.new_supported == 0  # nothing saved

    sheet.cell(gender_row, 4).value = 2
    response = _upload(client, ret, _xlsx(workbook))
    assert "Spreadsheet uploaded" in response.text
    db.session.refresh(ret)
    assert ret.entered_by == "spreadsheet"
    assert operations.figures_of(ret).boroughs == {
        (borough("Bexley").gss_code, borough("Greenwich").gss_code): Cohorts(2, 0)}

    other = grant.returns[1]
    response = _upload(client, other, _xlsx(workbook))
    assert "This spreadsheet is for" in response.text or "not" in response.text
    db.session.refresh(other)
    assert other.new_supported == 0


def test_submission_names_each_missing_piece(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    sign_in(client, people["partner"].email)
    page = client.get(f"/returns/{ret.id}").text
    response = client.post(f"/returns/{ret.id}/submit", data={
        "csrf_token": csrf_token(page), "version": ret.version})
    assert "Enter the progress this quarter" in response.text
    assert "Enter the anonymised case study" in response.text
    assert ret.status is ReturnStatus.draft


def test_review_needs_comments_to_return(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    operations.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["manager"].email)
    page = client.get(f"/returns/{ret.id}").text
    response = client.post(f"/returns/{ret.id}/review", data={
        "csrf_token": csrf_token(page), "version": ret.version, "outcome": "return"})
    assert "Say what the partner needs to change" in response.text
    response = client.post(f"/returns/{ret.id}/review", data={
        "csrf_token": csrf_token(page), "version": ret.version, "outcome": "accept"},
        follow_redirects=True)
    assert "Return accepted." in response.text


def test_the_quarterly_report_withholds_small_counts(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    # 7 new and 3 continuing: 1 boy, 2 young people from Bexley; all small and withheld.
    operations.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["member"].email)
    # Not yet accepted: nothing to share, so nothing for a commissioner.
    assert client.get(f"/returns/{ret.id}/report.pdf").status_code == 403
    sign_out(client)
    sign_in(client, people["partner"].email)
    preview = _pdf_text(client.get(f"/returns/{ret.id}/report.pdf").data)
    assert "draft, not for sharing" in preview
    operations.review_return(ret, accept=True, comments="", by=people["manager"],
                             now=clock.now())
    db.session.commit()
    sign_out(client)
    sign_in(client, people["member"].email)
    response = client.get(f"/returns/{ret.id}/report.pdf")
    text = _pdf_text(response.data)
    assert "Quarterly report" in text and "Q1 2026 to 2027" in text
    assert "draft" not in text
    assert "[c]" in text
    assert "10 young people were supported this quarter" in text
    gender_section = text[text.index("Gender"):text.index("Age band")]
    assert "Male" in gender_section
    assert " 1 " not in f" {gender_section} ".replace("\n", " ")
    assert "Workers started in six schools." in text
    assert "OFFICIAL-SENSITIVE" in text


def test_the_dashboard_and_exports_show_the_quarter_suppressed(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    operations.save_return(ret, complete_figures(grant, new=20, continuing=10),
                           by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    operations.review_return(ret, accept=True, comments="", by=people["manager"],
                             now=clock.now())
    db.session.commit()
    sign_in(client, people["manager"].email)
    page = client.get("/programme").text
    assert grant.reference in page
    assert "Young people supported in Q1 2026 to 2027" in page
    assert "30 young people across all grants" in page
    assert 'role="img"' in page and "<svg" in page  # charts, beside their tables
    assert "[c]" in page
    csv_text = client.get("/programme/grants.csv").text
    assert csv_text.splitlines()[0].startswith("Reference,Title,Consortium,Status")
    assert grant.reference in csv_text
    workbook = load_workbook(io.BytesIO(client.get("/programme/programme.xlsx").data))
    assert {"Grants", "Outcomes", "Gender", "Age band", "Disability",
            "Boroughs"} <= set(workbook.sheetnames)
    gender = {row[0]: row[1:] for row in workbook["Gender"].iter_rows(values_only=True)}
    assert gender["Male"][0] == "[c]"
    report = _pdf_text(prepared_pdf(client, "/programme/report.pdf"))
    assert "Programme report" in report and grant.reference in report
    assert "[c]" in report
    sign_out(client)
    sign_in(client, people["lead"].email)
    assert client.get("/programme").status_code == 403


def test_spend_and_outcomes_feed_the_status(granted):
    people, grant = granted
    ret = grant.returns[0]
    figures = complete_figures(grant)
    figures.spend = {"staff": 1_000_00}  # against £42,500 profiled for the first quarter
    operations.save_return(ret, figures, by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    status = monitoring.status_of(grant, date(2026, 8, 1))
    texts = [r.text for r in status.reasons]
    assert "Spend to date is £1,000, 2% of the £42,500 profiled by now" in texts
    # 12 achieved against 10 due by the end of Q1 (a quarter of 40): on track.
    assert not any(t.startswith("Outcomes") for t in texts)
    assert status.rag.value == "red"


def test_saving_again_replaces_the_figures(granted):
    people, grant = granted
    ret = grant.returns[0]
    operations.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    db.session.commit()
    operations.save_return(ret, complete_figures(grant, new=9), by=people["partner"],
                           now=clock.now())
    db.session.commit()
    db.session.expire_all()
    assert operations.figures_of(ret) == complete_figures(grant, new=9)


def test_a_narrative_naming_a_few_people_needs_the_partner_to_confirm(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    figures = complete_figures(grant)
    figures.narrative["progress"] = "We met one girl and 2 young men at the youth club."
    operations.save_return(ret, figures, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["partner"].email)
    page = client.get(f"/returns/{ret.id}").text
    assert "“one girl” (progress this quarter), “2 young men”" in page
    response = client.post(f"/returns/{ret.id}/submit", data={
        "csrf_token": csrf_token(page), "version": str(ret.version)})
    assert response.status_code == 200
    assert "Confirm that nobody could recognise" in response.text
    assert 'id="small_numbers_checked-error"' in response.text
    db.session.refresh(ret)
    assert ret.status.value == "draft"
    response = client.post(f"/returns/{ret.id}/submit", data={
        "csrf_token": csrf_token(page), "version": str(ret.version),
        "small_numbers_checked": "y"}, follow_redirects=True)
    assert "Return submitted" in response.text
    db.session.refresh(ret)
    assert ret.status.value == "submitted"


def test_commissioners_never_see_a_return_as_entered(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    # 37 is a figure only the return as entered holds: the report withholds or shows it,
    # but the return's own page and template must not show it to a commissioner.
    operations.save_return(ret, complete_figures(grant, new=37, continuing=3),
                           by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    for who in ("lead", "member"):
        sign_in(client, people[who].email)
        page = client.get(f"/returns/{ret.id}").text
        assert 'id="supported-table"' not in page and 'id="borough-pairs"' not in page
        assert "once MOPAC accepts it" in page
        assert client.get(f"/returns/{ret.id}/template.xlsx").status_code == 403
        assert client.get(f"/returns/{ret.id}/report.pdf").status_code == 403
        sign_out(client)
    operations.review_return(ret, accept=True, comments="", by=people["manager"],
                             now=clock.now())
    db.session.commit()
    sign_in(client, people["member"].email)
    page = client.get(f"/returns/{ret.id}").text
    assert 'id="supported-table"' not in page and "[c]" in page
    assert 'id="table-gender"' in page
    sign_out(client)
    sign_in(client, people["partner"].email)
    assert 'id="supported-table"' in client.get(f"/returns/{ret.id}").text


def test_figures_the_audit_does_not_pass_are_not_served(client, granted, monkeypatch):
    from eoi.disclosure.quarter import ProtectedQuarter, quarter_publication
    from eoi.reports import published

    def withholding_nothing(figures):
        publication, homes, served = quarter_publication(figures)
        return ProtectedQuarter(publication, frozenset(), (), homes, served, passed=False)

    people, grant = granted
    ret = grant.returns[0]
    operations.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    operations.submit_return(ret, by=people["partner"], now=clock.now())
    operations.review_return(ret, accept=True, comments="", by=people["manager"],
                             now=clock.now())
    db.session.commit()
    monkeypatch.setattr(published, "protect_quarter", withholding_nothing)
    monkeypatch.setattr(published, "_remembered", lambda digest: None)
    monkeypatch.setattr(published, "_remember", lambda digest, protected: None)
    sign_in(client, people["member"].email)
    response = client.get(f"/returns/{ret.id}/report.pdf")
    assert response.status_code == 503
    assert "These figures cannot be shown at the moment" in response.text
    assert client.get(f"/returns/{ret.id}").status_code == 503


def test_a_new_return_starts_from_the_spend_to_date_of_the_last_one_sent_in(client, granted):
    people, grant = granted
    first, second = grant.returns[0], grant.returns[1]
    figures = complete_figures(grant)
    figures.spend = {"staff": 30_000_00, "delivery": 12_500_50}
    operations.save_return(first, figures, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["partner"].email)

    def template_spend(ret) -> dict:
        sheet = load_workbook(io.BytesIO(client.get(
            f"/returns/{ret.id}/template.xlsx").data))["Return"]
        return {key: sheet.cell(_row(sheet, f"spend:{key}"), 4).value
                for key in ("staff", "delivery", "other")}

    # A draft is not sent in: nothing is carried from it.
    assert template_spend(second) == {"staff": None, "delivery": None, "other": None}
    operations.submit_return(first, by=people["partner"], now=clock.now())
    db.session.commit()
    assert template_spend(second) == {"staff": 30_000, "delivery": 12_500.5, "other": None}
    page = client.get(f"/returns/{second.id}").text
    assert "Filled in from your last return sent in" in page
    box = re.search(r'<input[^>]*name="spend-staff"[^>]*>', page)
    assert box and 'value="30,000"' in box.group(0), "the box opens with last quarter's figure"

    # Once this return has spend of its own, that is what it shows.
    own = complete_figures(grant)
    own.spend = {"staff": 41_000_00}
    operations.save_return(second, own, by=people["partner"], now=clock.now())
    db.session.commit()
    assert template_spend(second) == {"staff": 41_000, "delivery": None, "other": None}
    assert "Filled in from your last return sent in" not in client.get(
        f"/returns/{second.id}").text
