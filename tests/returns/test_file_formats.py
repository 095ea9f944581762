"""The privacy guard reads whole documents: words split across runs, paragraphs, headers,
footers, footnotes, comments and properties, workbook cells as they display and CSV in
UTF-16 (eoi/returns/file_text.py)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment

from eoi.eois.uploads import CSV, check_file, csv_text
from eoi.returns.file_text import personal_data_in_file, text_of
from tests.zips import DOCX_PARTS, ODT_PARTS, XLSX_PARTS, members_of, zipped

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str, **parts: str) -> bytes:
    document = f"<?xml version='1.0'?><w:document {W}><w:body>{body}</w:body></w:document>"
    return zipped(DOCX_PARTS | {"word/document.xml": document.encode()}
                  | {name.replace("__", "/").replace("_", "."): xml.encode()
                     for name, xml in parts.items()})


def _paragraph(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{run}'
                             "</w:t></w:r>" for run in runs) + "</w:p>"


def _kinds(extension: str, content: bytes, **options) -> str | None:
    return personal_data_in_file(f"evidence.{extension}", extension, content, **options)


# Word ----------------------------------------------------------------------------------------

def test_a_number_split_across_runs_is_one_number():
    content = _docx(_paragraph("Call her on 07700 900", "123", " after school."))
    assert "07700 900123" in text_of("docx", content)
    assert "a phone number" in _kinds("docx", content)


def test_paragraphs_are_kept_apart():
    content = _docx(_paragraph("Sessions in weeks 1 2 3 4 5") + _paragraph("6 7 8 9 10 11"))
    assert text_of("docx", content).splitlines()[:2] == ["Sessions in weeks 1 2 3 4 5",
                                                         "6 7 8 9 10 11"]
    assert _kinds("docx", content) is None


def test_drawing_offsets_never_join_the_words_beside_them():
    body = ("<w:p><w:r><w:t>Ref 0</w:t></w:r><w:r><w:drawing><wp:posOffset>7700900123"
            "</wp:posOffset></w:drawing></w:r></w:p>")
    assert "07700900123" not in text_of("docx", _docx(body))


@pytest.mark.parametrize(("part", "xml", "kind"), [
    ("word/comments.xml", f"<w:comments {W}><w:comment>{_paragraph('DOB 2010-04-03')}"
     "</w:comment></w:comments>", "a date of birth"),
    ("word/header1.xml", f"<w:hdr {W}>{_paragraph('Case: jane at gmail dot com')}</w:hdr>",
     "an email address"),
    ("word/footer2.xml", f"<w:ftr {W}>{_paragraph('NHS 943 476 ', '5919')}</w:ftr>",
     "an NHS number"),
    ("word/footnotes.xml", f"<w:footnotes {W}><w:footnote>{_paragraph('Lives at SE10-9XX')}"
     "</w:footnote></w:footnotes>", "a full postcode"),
    ("word/endnotes.xml", f"<w:endnotes {W}>{_paragraph('NI QQ-12-34-56-C')}</w:endnotes>",
     "a National Insurance number"),
    ("docProps/core.xml", "<cp:coreProperties><dc:title>Case notes</dc:title><dc:creator>"
     "jane.doe@example.org</dc:creator></cp:coreProperties>", "an email address"),
    ("docProps/app.xml", "<Properties><Company>07700 900123</Company></Properties>",
     "a phone number"),
    ("docProps/custom.xml", "<Properties><property name='DOB'><vt:lpwstr>born 20100403"
     "</vt:lpwstr></property></Properties>", "a date of birth"),
])
def test_every_part_of_a_word_document_is_read(part, xml, kind):
    content = zipped(members_of(_docx(_paragraph("Quarterly evidence"))) | {part: xml.encode()})
    assert kind in _kinds("docx", content)


def test_entities_are_read_as_the_characters_they_stand_for():
    content = _docx(_paragraph("Mobile 07700&#160;900123 &amp; more"))
    assert "a phone number" in _kinds("docx", content)


def test_an_organisations_own_details_pass_only_where_allowed():
    content = _docx(_paragraph("Call the office on 020 7946 0018 or write to SE10 9XX"))
    assert _kinds("docx", content)
    assert _kinds("docx", content, allow_contact_details=True) is None
    dob = _docx(_paragraph("Office 020 7946 0018; her DOB 03/04/2010"))
    assert "a date of birth" in _kinds("docx", dob, allow_contact_details=True)


# OpenDocument ------------------------------------------------------------------------------

def _odt(body: str, **parts: bytes) -> bytes:
    content = (f"<office:document-content><office:body><office:text>{body}</office:text>"
               "</office:body></office:document-content>").encode()
    return zipped(ODT_PARTS | {"content.xml": content} | parts)


def test_odt_spans_are_joined_and_paragraphs_kept_apart():
    content = _odt('<text:p>Call 07700 <text:span text:style-name="T1">900</text:span>123'
                   "</text:p><text:p>weeks 1 2 3</text:p><text:p>4 5 6 7 8 9 10</text:p>")
    text = text_of("odt", content)
    assert "Call 07700 900123" in text
    assert "weeks 1 2 3\n4 5 6" in text
    assert "a phone number" in _kinds("odt", content)


def test_odt_spaces_tabs_annotations_and_meta_are_read():
    annotation = ("<text:p>Seen<office:annotation><dc:creator>Worker</dc:creator>"
                  "<text:p>D.O.B<text:s/>03/04/2010</text:p></office:annotation></text:p>")
    assert "a date of birth" in _kinds("odt", _odt(annotation))
    meta = (b"<office:document-meta><office:meta><meta:initial-creator>jane[at]gmail[dot]com"
            b"</meta:initial-creator></office:meta></office:document-meta>")
    assert "an email address" in _kinds("odt", _odt("<text:p>Notes</text:p>", **{
        "meta.xml": meta}))
    header = (b"<office:document-styles><style:header><text:p>Flat 2, E1<text:s/>6AN</text:p>"
              b"</style:header></office:document-styles>")
    assert "a full postcode" in _kinds("odt", _odt("<text:p>Notes</text:p>", **{
        "styles.xml": header}))


# Excel ---------------------------------------------------------------------------------------

def _xlsx(fill) -> bytes:
    workbook = Workbook()
    fill(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_date_of_birth_in_a_date_cell_is_read_as_it_displays():
    def fill(sheet):
        sheet["A1"], sheet["B1"] = "Date of birth", dt.date(2010, 4, 3)
        sheet["B1"].number_format = "dd/mm/yyyy"

    content = _xlsx(fill)
    assert "Date of birth\t03/04/2010" in text_of("xlsx", content)
    assert "a date of birth" in _kinds("xlsx", content)


def test_a_number_formatted_as_a_phone_number_is_read_as_its_digits():
    def fill(sheet):
        sheet["A1"], sheet["B1"] = "Mobile", 7700900123
        sheet["B1"].number_format = "00000 000000"

    assert "a phone number" in _kinds("xlsx", _xlsx(fill))


def test_plain_numbers_and_dates_without_a_cue_pass():
    def fill(sheet):
        sheet.append(["Week", "Date", "Sessions", "Spend"])
        for week in range(1, 9):
            sheet.append([week, dt.date(2026, 4, week), week * 2, 1250.5])
        for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].number_format = "dd/mm/yyyy"

    assert _kinds("xlsx", _xlsx(fill)) is None


def test_cell_comments_are_read():
    def fill(sheet):
        sheet["A1"] = "Referrals"
        sheet["A1"].comment = Comment("Her mum: 07700 900123", "Worker")

    assert "a phone number" in _kinds("xlsx", _xlsx(fill))


def test_inline_strings_and_threaded_comments_are_read():
    sheet = (b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>NI AB-12-'
             b'</t></is></c></row></sheetData></worksheet>')
    threaded = (b"<ThreadedComments><threadedComment ref='A1'><text>Her email is jo (at) "
                b"gmail.com</text></threadedComment></ThreadedComments>")
    content = zipped(XLSX_PARTS | {"xl/worksheets/sheet1.xml": sheet,
                                   "xl/threadedComments/threadedComment1.xml": threaded})
    assert "an email address" in _kinds("xlsx", content)
    inline = sheet.replace(b"NI AB-12-", b"NI AB-12-34-56-C")
    assert "a National Insurance number" in _kinds("xlsx", zipped(
        XLSX_PARTS | {"xl/worksheets/sheet1.xml": inline}))


def test_a_workbook_in_the_1904_date_system_shows_its_dates_right():
    workbook = Workbook()
    workbook.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "DOB", dt.date(2010, 4, 3)
    sheet["B1"].number_format = "dd/mm/yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "DOB\t03/04/2010" in text_of("xlsx", buffer.getvalue())


# CSV -----------------------------------------------------------------------------------------

def test_a_utf16_csv_is_accepted_and_checked():
    content = "Name,Note\nYP1,born 03/04/2010\n".encode("utf-16")
    assert content.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert check_file("counts.csv", content)[1] is CSV
    assert csv_text(content).startswith("Name,Note")
    assert "a date of birth" in _kinds("csv", content)


def test_a_csv_with_nuls_is_still_not_a_csv():
    assert csv_text(b"a,b\x00\n") is None
