"""The words inside an uploaded file, so the privacy guard can read them as it reads a
narrative. Best effort: what cannot be read (a scanned PDF, say) passes, and the partner
has already been told never to upload anything that identifies a young person."""

import io
import re
import zipfile

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from eoi.returns.privacy import explain, find_personal_data

_TAG = re.compile(rb"<[^>]+>")
# The XML parts that hold a document's text, by format.
_TEXT_PARTS = {
    "docx": re.compile(r"word/(document|header\d*|footer\d*|footnotes|comments)\.xml"),
    "xlsx": re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml"),
    "odt": re.compile(r"content\.xml"),
}


def text_of(extension: str, content: bytes) -> str:
    if extension == "csv":
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
        return ""
    if extension == "pdf":
        try:
            pages = PdfReader(io.BytesIO(content)).pages
            return "\n".join(page.extract_text() or "" for page in pages)
        except (PdfReadError, ValueError, KeyError):
            return ""
    parts = _TEXT_PARTS.get(extension)
    if parts is None:
        return ""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        texts = []
        for name in archive.namelist():
            if parts.fullmatch(name):
                # Tags become spaces, so words in neighbouring cells or runs stay apart.
                texts.append(_TAG.sub(b" ", archive.read(name)).decode("utf-8", "replace"))
        return "\n".join(texts)


def personal_data_in_file(filename: str, extension: str, content: bytes) -> str | None:
    """A sentence saying what personal data the file seems to hold, or None."""
    findings = find_personal_data(text_of(extension, content))
    return explain(findings, f"The file {filename}") or None
