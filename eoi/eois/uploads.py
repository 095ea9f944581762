"""What an attachment may be, judged by its content and not only by its name.

Pure: a name and bytes in, the file's kind or a refusal in the person's words out. A file
is accepted only when its name's ending and its content agree, so an executable renamed
`report.pdf` is refused, and so is a spreadsheet with macros, a PDF with scripts or a
document that would unpack to far more than it seems (see eoi.archives).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from eoi.archives import Archive, NotAnArchive, UnpacksTooLarge
from eoi.eois.active_content import CannotCheck, has_macros, pdf_active_content

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class FileKind:
    extension: str
    title: str
    media_type: str


PDF = FileKind("pdf", "PDF", "application/pdf")
DOCX = FileKind("docx", "Word document",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("xlsx", "Excel spreadsheet",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileKind("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text")
CSV = FileKind("csv", "CSV file", "text/csv")
KINDS = {kind.extension: kind for kind in (PDF, DOCX, XLSX, ODT, CSV)}
ALLOWED_LIST = "PDF, DOCX, XLSX, ODT or CSV"


class UploadRefused(ValueError):
    """The file cannot be attached; the message says why and what to do."""


def clean_name(filename: str) -> str:
    """The name to show and offer on download: its last path part only, with no control
    characters, so `../../etc/passwd.pdf` is shown (and stored nowhere) as `passwd.pdf`."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        name = stem[:MAX_NAME_LENGTH - len(extension) - 1] + dot + extension
    return name


# Excel's "Unicode text" and some other programs save CSV as UTF-16, which starts with a
# byte order mark.
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def csv_text(content: bytes) -> str | None:
    """A CSV file's text: UTF-16 when it starts with a byte order mark, else UTF-8 (with or
    without one) or, failing that, Windows' cp1252, as Excel on Windows saves CSV. None when
    it is none of these, or holds a NUL."""
    if content.startswith(_UTF16_MARKS):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return None if "\x00" in text else text
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_like_csv(content: bytes) -> bool:
    text = csv_text(content)
    if text is None:
        return False
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
        return False
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return False
    return bool(rows)


def _holds(kind: FileKind, archive: Archive) -> bool:
    """Whether the archive has the parts every file of its kind has."""
    names = set(archive.names)
    if kind is DOCX:
        return {"[Content_Types].xml", "word/document.xml"} <= names
    if kind is XLSX:
        return {"[Content_Types].xml", "xl/workbook.xml"} <= names
    return ("mimetype" in names
            and archive.read("mimetype", at_most=200).strip() == ODT.media_type.encode())


def check_file(filename: str, content: bytes) -> tuple[str, FileKind]:
    """The cleaned name and the kind of an acceptable file, or UploadRefused."""
    name = clean_name(filename)
    if not name:
        raise UploadRefused("Select a file")
    if not content:
        raise UploadRefused("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise UploadRefused("The selected file must be smaller than 10MB")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = KINDS.get(extension)
    if kind is None:
        raise UploadRefused(f"The selected file must be a {ALLOWED_LIST}")
    not_real = UploadRefused(f"The selected file is called .{extension} but is not a real "
                             f"{kind.title}: save it again as a {kind.title} and upload that")
    if kind is PDF:
        if not content.startswith(b"%PDF-"):
            raise not_real
        _check_pdf(content)
    elif kind is CSV:
        if not _looks_like_csv(content):
            raise not_real
    else:
        _check_archive(kind, content, not_real)
    return name, kind


def _check_archive(kind: FileKind, content: bytes, not_real: UploadRefused) -> None:
    try:
        with Archive(content) as archive:
            if not _holds(kind, archive):
                raise not_real
            if has_macros(archive.names):
                raise UploadRefused("The selected file contains macros: save it without "
                                    f"macros as a {kind.title}")
            archive.read_every_member()
    except NotAnArchive:
        raise not_real from None
    except UnpacksTooLarge as refused:
        raise UploadRefused(str(refused)) from None


def _check_pdf(content: bytes) -> None:
    try:
        active = pdf_active_content(content)
    except CannotCheck:
        raise UploadRefused("The selected PDF could not be checked: save it again as a PDF "
                            "(for example, print it to PDF) and upload that") from None
    if active:
        raise UploadRefused(f"The selected PDF contains {active}, so it cannot be accepted: "
                            "save it again without it (for example, print it to PDF) and "
                            "upload that")
