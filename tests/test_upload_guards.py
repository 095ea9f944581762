"""Uploads that would hurt the server or whoever opens them are refused, in every path
that takes a file: zip bombs and lying ZIP directories, macros in any case and folder,
PDFs with scripts, actions or embedded files, and files too full of words to check."""

import io
import random
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from sqlalchemy import func, select

from eoi.archives import TOO_LARGE
from eoi.eois import active_content
from eoi.eois.models import EoiAttachment
from eoi.eois.uploads import UploadRefused, check_file
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.grants.models import MilestoneEvidence
from eoi.returns.file_text import personal_data_in_file
from eoi.returns.privacy import MAX_TEXT_LENGTH
from eoi.returns.spreadsheet import HAS_MACROS, build_template, read_return
from eoi.returns.spreadsheet import TOO_LARGE as SHEET_TOO_LARGE
from tests.conftest import csrf_token, sign_in
from tests.pdfs import one_page
from tests.returns.test_spreadsheet import CONTEXT
from tests.zips import (
    DOCX_PARTS,
    ODT_PARTS,
    XLSX_PARTS,
    declaring,
    members_of,
    zip_bomb,
    zipped,
)


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_file(name, content)
    return str(refused.value)


# ZIP files: DOCX, XLSX and ODT --------------------------------------------------------------

@pytest.mark.parametrize(("name", "parts", "into"), [
    ("report.docx", DOCX_PARTS, "word/document.xml"),
    ("budget.xlsx", XLSX_PARTS, "xl/worksheets/sheet1.xml"),
    ("notes.odt", ODT_PARTS, "content.xml"),
])
def test_a_zip_bomb_is_refused_as_too_large_once_unpacked(name, parts, into):
    assert _refusal(name, zip_bomb(parts, megabytes=20, into=into)) == TOO_LARGE


def test_a_document_whose_directory_lies_about_its_size_is_refused():
    lying = declaring(zip_bomb(DOCX_PARTS, megabytes=20), "word/document.xml",
                      file_size=50_000)
    assert "is not a real Word document" in _refusal("report.docx", lying)


def test_a_document_of_too_many_parts_is_refused():
    parts = DOCX_PARTS | {f"word/media/image{n}.png": b"x" for n in range(1000)}
    assert _refusal("report.docx", zipped(parts)) == TOO_LARGE


@pytest.mark.parametrize(("name", "parts", "macros"), [
    ("figures.xlsx", XLSX_PARTS, "xl/VBAPROJECT.BIN"),
    ("figures.xlsx", XLSX_PARTS, "xl/vbaproject.bin"),
    ("figures.xlsx", XLSX_PARTS, "xl/macrosheets/sheet1.xml"),  # Excel 4 macros
    ("report.docx", DOCX_PARTS, "word/vbaProject.bin"),
    ("report.docx", DOCX_PARTS, "customUI/VbaProject.bin"),
    ("notes.odt", ODT_PARTS, "Basic/Standard/Module1.xml"),
    ("notes.odt", ODT_PARTS, "Scripts/python/run.py"),
    ("notes.odt", ODT_PARTS, "basic/script-lc.xml"),
])
def test_macros_are_refused_whatever_their_case_or_folder(name, parts, macros):
    assert "contains macros" in _refusal(name, zipped(parts | {macros: b"\x00\x01"}))


def test_folders_that_only_sound_like_macros_are_accepted():
    check_file("notes.odt", zipped(ODT_PARTS | {"Pictures/basic.png": b"x"}))
    check_file("report.docx", zipped(DOCX_PARTS | {"word/media/scripts.png": b"x"}))


# PDFs ---------------------------------------------------------------------------------------

def _written_by_pypdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if change:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_an_ordinary_pdf_is_accepted():
    check_file("report.pdf", _written_by_pypdf())
    check_file("report.pdf", one_page())


@pytest.mark.parametrize("opening", [
    b"/OpenAction [3 0 R /XYZ null null 0]",  # as LibreOffice writes in every PDF
    b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>",
])
def test_a_pdf_that_only_opens_at_a_page_is_accepted(opening):
    check_file("report.pdf", one_page(opening))


@pytest.mark.parametrize(("content", "found"), [
    (_written_by_pypdf(lambda w: w.add_open_action(JavaScript("app.alert(1)"))), "JavaScript"),
    (_written_by_pypdf(lambda w: w.add_attachment("list.csv", b"name\nJo\n")),
     "files embedded in it"),
    (one_page(b"/OpenAction << /S /URI /URI (https://example.org) >>"),
     "an action that runs when it opens"),
    (one_page(b"/OpenAction 4 0 R", more={4: b"<< /S /SubmitForm /F (https://x.org) >>"}),
     "an action that runs when it opens"),
    (one_page(page_extra=b" /AA << /O 4 0 R >>", more={4: b"<< /S /GoTo /D [3 0 R /Fit] >>"}),
     "actions that run by themselves"),
    (one_page(b"/Outlines 4 0 R", more={4: b"<< /S /Launch /F (cmd.exe) >>"}),
     "an action that starts a program"),
    # Names written with #xx escapes, in an object packed into a compressed object stream.
    (one_page(b"/Names 4 0 R", more={4: b"<< /J#61vaScript 5 0 R >>",
                                      5: b"<< /Names [(x) 6 0 R] >>",
                                      6: b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"},
              packed=frozenset({4, 5, 6})), "JavaScript"),
    (one_page(more={4: b"<< /Type /Emb#65ddedFile /Length 0 >>"}, packed=frozenset({4})),
     "files embedded in it"),
])
def test_a_pdf_that_would_run_or_open_anything_is_refused(content, found):
    assert _refusal("report.pdf", content) == (
        f"The selected PDF contains {found}, so it cannot be accepted: save it again "
        "without it (for example, print it to PDF) and upload that")


def test_a_pdf_too_damaged_to_read_is_still_searched_for_scripts():
    damaged = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /J#61vaScript >> >> endobj\n%%EOF\n"
    assert "contains an action that runs when it opens" in _refusal("report.pdf", damaged)
    check_file("report.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")


@pytest.mark.parametrize("limit", ["MAX_PDF_OBJECTS", "MAX_PDF_VALUES"])
def test_a_pdf_with_more_in_it_than_is_worth_checking_is_refused(monkeypatch, limit):
    content = one_page(more={n: b"<< /A [1 2 3] >>" for n in range(4, 10)})
    check_file("report.pdf", content)
    monkeypatch.setattr(active_content, limit, 8)
    assert "could not be checked" in _refusal("report.pdf", content)


def test_a_pdf_with_an_object_that_cannot_be_read_is_refused():
    broken = one_page(more={4: b")))"})
    assert "could not be checked" in _refusal("report.pdf", broken)


# Words in evidence --------------------------------------------------------------------------

def _words(length: int, letters: bytes = b"abcdefghij ") -> bytes:
    """Letters that pack loosely, as words do, so a file of them is no zip bomb."""
    return bytes(random.Random(length).choices(letters, k=length))


def test_evidence_with_more_words_than_the_guard_reads_is_refused_not_passed():
    words = _words(MAX_TEXT_LENGTH + 1)
    for name, content in (("notes.csv", words),
                          ("notes.docx", zipped(DOCX_PARTS | {"word/document.xml": words}))):
        assert "more words in it than can be checked" in personal_data_in_file(
            name, name[-4:].strip("."), content)


def test_tags_in_evidence_take_time_in_proportion_to_the_document():
    # Hundreds of thousands of "<" never closed: a tag pattern that ran on from each to the
    # end of the part would take hours. (Not a timing test: that one never finishes.)
    xml = _words(900_000, b"<ab") + b" jo.bloggs@example.com"
    message = personal_data_in_file("notes.docx", "docx",
                                    zipped(DOCX_PARTS | {"word/document.xml": xml}))
    assert "email address" in message


# The return spreadsheet ---------------------------------------------------------------------

def _template_with(parts: dict[str, bytes]) -> bytes:
    return zipped(members_of(build_template(CONTEXT)) | parts)


def test_a_return_spreadsheet_padded_with_a_zip_bomb_is_refused_before_openpyxl_reads_it():
    bomb = _template_with({"xl/media/image1.png": bytes(19 * 1024 * 1024)})
    assert [p.message for p in read_return(bomb, CONTEXT).problems] == [SHEET_TOO_LARGE]


def test_a_return_spreadsheet_with_excel_4_macros_is_refused():
    macros = _template_with({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    assert [p.message for p in read_return(macros, CONTEXT).problems] == [HAS_MACROS]


# Through the pages: nothing is kept ---------------------------------------------------------

def _stored_files(app) -> set[str]:
    folder = Path(app.config["EOI_STORAGE_FOLDER"]) / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _post_file(client, page_url: str, url: str, name: str, content: bytes):
    page = client.get(page_url)
    return client.post(url, content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page.text),
                             "file": (io.BytesIO(content), name)})


def test_a_zip_bomb_attached_to_an_eoi_is_refused_beside_the_field_and_nothing_kept(
        app, client, world):
    people, eoi = world
    sign_in(client, people["lead"].email)
    before = _stored_files(app)
    response = _post_file(client, f"/eois/{eoi.id}/sections/need", f"/eois/{eoi.id}/attachments",
                          "needs.docx", zip_bomb(DOCX_PARTS))
    assert response.status_code == 200
    assert 'id="file-error"' in response.text
    assert "The selected file is too large once unpacked" in response.text
    assert _stored_files(app) == before
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("contracts.docx", zip_bomb(DOCX_PARTS), "The selected file is too large once unpacked"),
    ("contracts.pdf", one_page(b"/OpenAction 4 0 R",
                               more={4: b"<< /S /JavaScript /JS (app.alert(1)) >>"}),
     "The selected PDF contains"),
    ("contracts.xlsx", zipped(XLSX_PARTS | {"XL/VBAPROJECT.BIN": b"\x00"}), "contains macros"),
])
def test_dangerous_milestone_evidence_is_refused_beside_the_field_and_nothing_kept(
        app, client, granted, name, content, message):
    people, grant = granted
    milestone = grants.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                                     due_on=grant.starts_on, by=people["manager"])
    db.session.commit()
    sign_in(client, people["partner"].email)
    before = _stored_files(app)
    response = _post_file(client, f"/grants/milestones/{milestone.id}",
                          f"/grants/milestones/{milestone.id}/evidence", name, content)
    assert response.status_code == 200
    assert 'id="file-error"' in response.text
    assert message in response.text
    assert _stored_files(app) == before
    assert db.session.scalar(select(func.count(MilestoneEvidence.id))) == 0
