"""A section's page has other forms beside its questions (an upload on *Need and evidence*,
budget lines on *Budget*). Every control on the page belongs to the section's one form, so
pressing any of them posts the answers too, and they are kept as a draft rather than lost."""

import io
import re

from sqlalchemy import func, select

from eoi.eois import operations
from eoi.eois.models import BudgetLine, CostCategory, EoiAttachment
from eoi.extensions import db
from tests.conftest import csrf_token, mopac, sign_in
from tests.test_guard_everywhere import PERSONAL

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEED = {"quantitative": "312 referrals last year", "qualitative": "Schools asked for help",
        "contextual": "County lines", "data_sources": "MPS, 2025"}


def _page(client, eoi, key: str) -> tuple[str, str]:
    """The section page's CSRF token and the version of the answers it shows."""
    page = client.get(f"/eois/{eoi.id}/sections/{key}")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text)
    assert version, "the section form carries its version"
    return csrf_token(page.text), version.group(1)


def test_uploading_a_file_keeps_the_answers_typed_above_it(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    token, version = _page(client, eoi, "need")
    response = client.post(f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
                           data={"csrf_token": token, "version": version, **NEED,
                                 "file": (io.BytesIO(PDF_BYTES), "needs.pdf")})
    assert response.status_code == 302
    db.session.expire_all()
    section = eoi.section("need")
    assert section.content == NEED and not section.is_complete
    assert db.session.scalar(select(EoiAttachment.filename)) == "needs.pdf"
    page = client.get(f"/eois/{eoi.id}/sections/need")
    assert "312 referrals last year" in page.text and "needs.pdf" in page.text


def test_a_complete_section_stays_complete_while_its_answers_still_pass(client, world):
    people, eoi = world
    operations.save_section(eoi, "need", {**NEED, "data_sources": "MPS"}, mark_complete=True,
                            by=people["lead"], expected_version=None)
    db.session.commit()
    sign_in(client, people["member"].email)
    token, version = _page(client, eoi, "need")
    client.post(f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
                data={"csrf_token": token, "version": version, **NEED,
                      "file": (io.BytesIO(PDF_BYTES), "needs.pdf")})
    db.session.expire_all()
    assert eoi.section("need").content["data_sources"] == "MPS, 2025"
    assert eoi.section("need").is_complete

    token, version = _page(client, eoi, "need")
    client.post(f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
                data={"csrf_token": token, "version": version, **NEED, "quantitative": "",
                      "file": (io.BytesIO(PDF_BYTES), "more.pdf")})
    db.session.expire_all()
    assert eoi.section("need").content["quantitative"] == ""
    assert not eoi.section("need").is_complete  # an answer it needs is gone


def test_removing_a_file_keeps_the_answers_typed(client, world):
    people, eoi = world
    attachment = operations.attach_file(eoi, "a.csv", b"a,b\n1,2\n", by=people["lead"])
    db.session.commit()
    sign_in(client, people["member"].email)
    token, version = _page(client, eoi, "need")
    client.post(f"/eois/{eoi.id}/attachments/{attachment.id}/remove",
                data={"csrf_token": token, "version": version, **NEED})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0
    assert eoi.section("need").content == NEED


def test_answers_that_cannot_be_kept_stop_the_upload_and_stay_on_the_page(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    token, version = _page(client, eoi, "need")
    response = client.post(
        f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
        data={"csrf_token": token, "version": version, **NEED, "qualitative": PERSONAL,
              "file": (io.BytesIO(PDF_BYTES), "needs.pdf")})
    assert response.status_code == 200
    assert 'class="govuk-error-summary' in response.text
    assert 'id="qualitative-error"' in response.text
    assert "312 referrals last year" in response.text  # what was typed is still there
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0
    assert eoi.section("need").content.get("quantitative", "") == ""


def test_an_upload_after_someone_else_saved_goes_to_the_choice_of_versions(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    token, version = _page(client, eoi, "need")
    operations.save_section(eoi, "need", {**NEED, "contextual": "Theirs"}, mark_complete=False,
                            by=people["lead"], expected_version=None)
    db.session.commit()
    response = client.post(f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
                           data={"csrf_token": token, "version": version, **NEED,
                                 "file": (io.BytesIO(PDF_BYTES), "needs.pdf")})
    assert response.status_code == 409
    assert "Theirs" in response.text and "County lines" in response.text
    db.session.expire_all()
    assert eoi.section("need").content["contextual"] == "Theirs"
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0


def _add_line(client, eoi, *, notes: str, amount: str):
    """Press "Add to the budget" with the notes typed on the page."""
    token, version = _page(client, eoi, "budget")
    return client.post(f"/eois/{eoi.id}/budget/lines", data={
        "csrf_token": token, "version": version, "notes": notes, "financial_year": "2026",
        "category": CostCategory.staff.value, "funder_id": str(mopac().id), "amount": amount})


def test_adding_and_removing_budget_lines_keeps_the_notes_typed(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    response = _add_line(client, eoi, notes="Staff costs rise in year two", amount="1000")
    assert response.status_code == 302
    db.session.expire_all()
    assert eoi.section("budget").content == {"notes": "Staff costs rise in year two"}
    line = db.session.scalar(select(BudgetLine))
    assert line.amount_pence == 1000_00

    token, version = _page(client, eoi, "budget")
    client.post(f"/eois/{eoi.id}/budget/lines/{line.id}/remove", data={
        "csrf_token": token, "version": version, "notes": "No staff after all"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(BudgetLine.id))) == 0
    assert eoi.section("budget").content == {"notes": "No staff after all"}


def test_a_budget_line_refused_shows_the_notes_as_typed(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    response = _add_line(client, eoi, notes="Typed, not yet saved", amount="-5")
    assert response.status_code == 200
    assert 'id="amount-error"' in response.text and "Typed, not yet saved" in response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(BudgetLine.id))) == 0
    assert eoi.section("budget").content.get("notes", "") == ""


def test_every_button_on_a_section_page_posts_the_section_form(client, world):
    people, eoi = world
    operations.attach_file(eoi, "a.csv", b"a,b\n1,2\n", by=people["lead"])
    operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.staff,
                               funder=mopac(), amount_pence=1_00, by=people["lead"])
    db.session.commit()
    sign_in(client, people["member"].email)
    for key in ("need", "budget"):
        html = client.get(f"/eois/{eoi.id}/sections/{key}").text
        main = html[html.index('<main'):html.index('</main>')]
        assert main.count("<form") == 1, f"{key}: one form on the page, the section's"
        buttons = re.findall(r"<button[^>]*>", main)
        assert len(buttons) >= 3
        inside = main[main.index('id="section-form"'):]
        for button in buttons:
            assert 'form="section-form"' in button or button in inside, button


def test_notes_the_guard_refuses_stop_the_budget_line_and_are_shown_beside_the_notes(
        client, world):
    people, eoi = world
    line = operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.staff,
                                      funder=mopac(), amount_pence=1_00, by=people["lead"])
    db.session.commit()
    sign_in(client, people["member"].email)
    for url, extra in ((f"/eois/{eoi.id}/budget/lines", {
            "financial_year": "2026", "category": CostCategory.delivery.value,
            "funder_id": str(mopac().id), "amount": "1000"}),
            (f"/eois/{eoi.id}/budget/lines/{line.id}/remove", {})):
        token, version = _page(client, eoi, "budget")
        response = client.post(url, data={"csrf_token": token, "version": version,
                                          "notes": PERSONAL, **extra})
        assert response.status_code == 200, url
        assert 'id="notes-error"' in response.text and "looks like a phone number" in \
            response.text
        db.session.expire_all()
        assert db.session.scalar(select(func.count(BudgetLine.id))) == 1
        assert eoi.section("budget").content.get("notes", "") == ""
