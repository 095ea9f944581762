"""EOI attachments (checked by content, stored outside static under random names) and the
EOI read back: the read-only page and the PDF, read with pypdf."""

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eoi import clock
from eoi.audit.models import AuditEntry
from eoi.eois import operations
from eoi.eois.models import EoiAttachment
from eoi.eois.uploads import MAX_BYTES, UploadRefused, check_file, clean_name
from eoi.extensions import db
from tests.conftest import complete_everything, csrf_token, sign_in, sign_out

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
XLSX_WITH_MACROS = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                         "xl/vbaProject.bin": b"\x00\x01"})


@pytest.mark.parametrize("name,content,kind", [
    ("report.pdf", PDF_BYTES, "pdf"),
    ("Needs assessment.DOCX", DOCX, "docx"),
    ("figures.xlsx", XLSX, "xlsx"),
    ("notes.odt", ODT, "odt"),
    ("counts.csv", b"borough,count\nCroydon,14\n", "csv"),
    ("windows.csv", "borough,note\nBromley,café\n".encode("cp1252"), "csv"),
])
def test_files_whose_content_matches_their_name_are_accepted(name, content, kind):
    assert check_file(name, content)[1].extension == kind


@pytest.mark.parametrize("name,content,message", [
    ("report.pdf", ELF_BYTES, "is called .pdf but is not a real PDF"),
    ("report.pdf", WINDOWS_EXE, "is called .pdf but is not a real PDF"),
    ("report.pdf", DOCX, "is called .pdf but is not a real PDF"),
    ("report.docx", XLSX, "is called .docx but is not a real Word document"),
    ("figures.xlsx", b"PK\x03\x04 not really a zip", "not a real Excel spreadsheet"),
    ("notes.odt", _zip({"mimetype": b"application/zip"}), "not a real OpenDocument text"),
    ("counts.csv", ELF_BYTES, "is called .csv but is not a real CSV file"),
    ("figures.xlsx", XLSX_WITH_MACROS, "contains macros"),
    ("setup.exe", WINDOWS_EXE, "must be a PDF, DOCX, XLSX, ODT or CSV"),
    ("no-extension", PDF_BYTES, "must be a PDF, DOCX, XLSX, ODT or CSV"),
    ("empty.pdf", b"", "is empty"),
    ("big.pdf", b"%PDF-" + b"0" * MAX_BYTES, "must be smaller than 10MB"),
    ("../", PDF_BYTES, "Select a file"),
])
def test_files_are_refused_with_a_reason(name, content, message):
    with pytest.raises(UploadRefused, match=message):
        check_file(name, content)


@pytest.mark.parametrize("given,shown", [
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\evil.docx", "evil.docx"),
    ("C:\\Users\\me\\Needs\u0000 2026.pdf", "Needs 2026.pdf"),
    ("  .hidden.csv ", "hidden.csv"),
    ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
])
def test_file_names_are_cleaned_to_their_last_part(given, shown):
    assert clean_name(given) == shown


def _upload(client, eoi, name: str, content: bytes):
    page = client.get(f"/eois/{eoi.id}/sections/need")
    return client.post(f"/eois/{eoi.id}/attachments", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page.text),
                             "file": (io.BytesIO(content), name)})


def _uploads(app) -> Path:
    return Path(app.config["EOI_STORAGE_FOLDER"]) / "uploads"


def _stored_files(app) -> set[str]:
    return {p.name for p in _uploads(app).iterdir()} if _uploads(app).exists() else set()


def test_an_attachment_is_uploaded_stored_privately_and_downloaded(app, client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    before = _stored_files(app)
    response = _upload(client, eoi, "../../../static/Needs assessment.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = db.session.scalar(select(EoiAttachment))
    assert attachment.filename == "Needs assessment.pdf"
    new_files = _stored_files(app) - before
    assert new_files == {attachment.stored_name}
    assert len(attachment.stored_name) == 48 and attachment.stored_name.isalnum()
    stored = _uploads(app) / attachment.stored_name
    assert stored.read_bytes() == PDF_BYTES
    assert "static" not in str(stored.resolve().relative_to(_uploads(app).resolve()))
    assert not (Path(app.root_path) / "static" / "Needs assessment.pdf").exists()

    page = client.get(f"/eois/{eoi.id}/sections/need")
    assert "Needs assessment.pdf" in page.text and "1KB" in page.text
    download = client.get(f"/eois/{eoi.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert 'attachment; filename="Needs assessment.pdf"' in download.headers[
        "Content-Disposition"]
    assert db.session.scalar(select(AuditEntry.summary).where(
        AuditEntry.action == "eoi.attachment_added")).startswith("Attached Needs assessment.pdf")

    for who in ("outsider", "panel", "partner"):
        sign_out(client)
        sign_in(client, people[who].email)
        assert client.get(f"/eois/{eoi.id}/attachments/{attachment.id}").status_code == 403
    # The bytes are never reachable under /assets, whatever the name.
    assert client.get(f"/assets/{attachment.stored_name}").status_code == 404


@pytest.mark.parametrize("name,content,message", [
    ("report.pdf", WINDOWS_EXE, "The selected file is called .pdf but is not a real PDF"),
    ("huge.pdf", b"%PDF-" + b"0" * (MAX_BYTES + 10), "must be smaller than 10MB"),
    ("../../../../tmp/evil.sh", b"#!/bin/sh\nrm -rf /\n", "must be a PDF, DOCX"),
])
def test_a_refused_file_is_explained_beside_the_field_and_nothing_is_stored(
        app, client, world, name, content, message):
    people, eoi = world
    sign_in(client, people["lead"].email)
    before = _stored_files(app)
    response = _upload(client, eoi, name, content)
    assert response.status_code == 200
    assert 'class="govuk-error-summary' in response.text
    assert message in response.text
    assert 'id="file-error"' in response.text  # beside the field, as GOV.UK asks
    assert _stored_files(app) == before
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0
    assert not Path("/tmp/evil.sh").exists()


def test_removing_an_attachment_deletes_its_file(app, client, world):
    people, eoi = world
    attachment = operations.attach_file(eoi, "a.csv", b"a,b\n1,2\n", by=people["lead"])
    db.session.commit()
    stored = _uploads(app) / attachment.stored_name
    assert stored.exists()
    sign_in(client, people["member"].email)
    page = client.get(f"/eois/{eoi.id}/sections/need")
    client.post(f"/eois/{eoi.id}/attachments/{attachment.id}/remove",
                data={"csrf_token": csrf_token(page.text)})
    assert not stored.exists()
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0


def test_a_submitted_eoi_takes_no_new_attachments(world):
    people, eoi = world
    complete_everything(eoi, people["member"])
    operations.submit_eoi(eoi, by=people["lead"], now=clock.now())
    with pytest.raises(Exception, match="cannot be changed now"):
        operations.attach_file(eoi, "late.csv", b"a\n1\n", by=people["lead"])


# Reading and printing ----------------------------------------------------------------------

def _submitted(world):
    people, eoi = world
    complete_everything(eoi, people["member"])
    operations.save_section(eoi, "summary", {
        "title": "Schools and beyond",
        "summary": "A St Giles worker in every secondary school.\n\nSecond paragraph."},
        mark_complete=True, by=people["lead"], expected_version=None)
    operations.attach_file(eoi, "needs-assessment.pdf", PDF_BYTES, by=people["lead"])
    operations.submit_eoi(eoi, by=people["lead"], now=clock.now())
    db.session.commit()
    return people, eoi


def test_the_whole_eoi_reads_on_one_page(client, world):
    people, eoi = _submitted(world)
    sign_in(client, people["manager"].email)
    page = client.get(f"/eois/{eoi.id}/read")
    assert page.status_code == 200
    for text in ("Schools and beyond", "Need and evidence", "needs-assessment.pdf",
                 "Budget by funder and year", "£150,000", "£200,000", "25.0% of the total",
                 eoi.reference):
        assert text in page.text, text


def test_the_pdf_has_a_cover_every_section_the_budget_and_the_marking(client, world):
    people, eoi = _submitted(world)
    sign_in(client, people["member"].email)
    response = client.get(f"/eois/{eoi.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="{eoi.reference}.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    cover = pages[0]
    for text in ("Expression of interest: SE", "Round", eoi.reference, "Submitted",
                 "Bexley and Greenwich", people["lead"].full_name, "Schools and beyond",
                 "£150,000 of a total of £200,000"):
        assert text in cover, text
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {len(pages)}" in text
    body = "\n".join(pages[1:])
    for spec in eoi.ordered_sections:
        assert operations.SECTIONS_BY_KEY[spec.key].title in body, spec.key
    for text in ("A St Giles worker in every secondary school.", "Budget by funder and year",
                 "Mayor's Office for Policing and Crime (MOPAC)", "needs-assessment.pdf",
                 "Indicators, baselines and targets"):
        assert text in body, text
    assert reader.metadata.title == "Expression of interest: SE"


def test_a_draft_prints_too_and_says_what_is_missing(client, world):
    people, eoi = world
    sign_in(client, people["lead"].email)
    response = client.get(f"/eois/{eoi.id}/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "None yet: not submitted" in text
    assert "Not started" in text and "Not answered yet" in text
    assert 'filename="eoi-' in response.headers["Content-Disposition"]


def test_a_failed_save_leaves_no_stray_file(app, world, monkeypatch):
    people, eoi = world
    before = _stored_files(app)

    def failing_audit(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(operations, "record_audit", failing_audit)
    with pytest.raises(RuntimeError):
        operations.attach_file(eoi, "a.csv", b"a,b\n1,2\n", by=people["lead"])
    assert _stored_files(app) == before


def test_page_headers_escape_names_that_would_break_out_of_the_css_string():
    from eoi.formatting import css_string

    escaped = str(css_string('Barnardo\'s "Tri-borough" </style><script>'))
    assert '"' not in escaped and "<" not in escaped and ">" not in escaped
    assert escaped.startswith("Barnardo's \\22 Tri-borough\\22 ")
