"""What an attachment may be, judged by its content and not only by its name.

Pure: a name and bytes in, the file's kind or a refusal in the person's words out. A file
is accepted only when its name's ending and its content agree, so an executable renamed
`report.pdf` is refused, and so is a spreadsheet with macros.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

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


def _zip_names(content: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None


def _odt_mimetype(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("mimetype")
        return archive.read(info).strip() if info.file_size < 200 else b""


def _looks_like_csv(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")  # Excel on Windows saves CSV this way
        except UnicodeDecodeError:
            return False
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
        return False
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return False
    return bool(rows)


def _content_is(kind: FileKind, content: bytes) -> bool:
    if kind is PDF:
        return content.startswith(b"%PDF-")
    if kind is CSV:
        return _looks_like_csv(content)
    names = _zip_names(content)
    if names is None:
        return False
    if kind is DOCX:
        return {"[Content_Types].xml", "word/document.xml"} <= names
    if kind is XLSX:
        return {"[Content_Types].xml", "xl/workbook.xml"} <= names
    return "mimetype" in names and _odt_mimetype(content) == ODT.media_type.encode()


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
    if not _content_is(kind, content):
        raise UploadRefused(f"The selected file is called .{extension} but is not a real "
                            f"{kind.title}: save it again as a {kind.title} and upload that")
    if kind in (DOCX, XLSX) and any(n.endswith("vbaProject.bin")
                                    for n in _zip_names(content) or ()):  # None: not a zip
        raise UploadRefused("The selected file contains macros: save it without macros "
                            f"as a {kind.title}")
    return name, kind
