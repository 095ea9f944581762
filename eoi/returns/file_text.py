"""The words inside an uploaded file, so the privacy guard can read them as it reads a
narrative. Best effort: what cannot be read (a scanned PDF, say) passes, and the partner
has already been told never to upload anything that identifies a young person.

Reading is bounded: a document is unpacked through eoi.archives' limits, a PDF through
pypdf's, and reading stops once the words run past what the guard reads.
"""

import io
import re

from pypdf import PdfReader, apply_configuration

from eoi.archives import Archive, NotAnArchive, UnpacksTooLarge
from eoi.returns.privacy import MAX_TEXT_LENGTH, TooMuchText, explain, find_personal_data

# Well-formed XML never has "<" inside a tag, so this stops at the next one: each
# character is looked at no more than twice, however the file is made.
_TAG = re.compile(rb"<[^<>]*>")
# The XML parts that hold a document's text, by format.
_TEXT_PARTS = {
    "docx": re.compile(r"word/(document|header\d*|footer\d*|footnotes|comments)\.xml"),
    "xlsx": re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml"),
    "odt": re.compile(r"content\.xml"),
}
# Markup takes most of a part: this much holds more words than the guard reads.
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 2000
# A page's content stream holds its text and drawing, seldom more than a few megabytes.
_PDF_LIMITS = {"zlib_maximum_output_length": 20_000_000,
               "lzw_maximum_output_length": 20_000_000,
               "run_length_maximum_output_length": 20_000_000}


def text_of(extension: str, content: bytes) -> str:
    """The file's words. Raises TooMuchText when there are more than the guard reads, and
    eoi.archives' refusals for a document it cannot unpack within its limits."""
    if extension == "csv":
        text = _decoded(content)
        _count(len(text))
        return text
    if extension == "pdf":
        return _pdf_text(content)
    parts = _TEXT_PARTS.get(extension)
    if parts is None:
        return ""
    texts, length = [], 0
    with Archive(content) as archive:
        for name in archive.names:
            if parts.fullmatch(name):
                xml = archive.read(name, at_most=MAX_PART_BYTES + 1)
                if len(xml) > MAX_PART_BYTES:
                    raise TooMuchText(f"{name} is larger than {MAX_PART_BYTES:,} bytes")
                # Tags become spaces, so words in neighbouring cells or runs stay apart.
                words = _TAG.sub(b" ", xml).decode("utf-8", "replace")
                texts.append(words)
                length += len(texts[-1])
                _count(length)
    return "\n".join(texts)


def _decoded(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def _pdf_text(content: bytes) -> str:
    texts, length = [], 0
    try:
        with apply_configuration(None, **_PDF_LIMITS):
            pages = PdfReader(io.BytesIO(content)).pages
            if len(pages) > MAX_PDF_PAGES:
                raise TooMuchText(f"{len(pages):,} pages")
            for page in pages:
                texts.append(page.extract_text() or "")
                length += len(texts[-1])
                _count(length)
    except TooMuchText:
        raise
    except Exception:  # pypdf raises many kinds of error for a file it cannot read
        return ""
    return "\n".join(texts)


def _count(length: int) -> None:
    if length > MAX_TEXT_LENGTH:
        raise TooMuchText(f"more than {MAX_TEXT_LENGTH:,} characters")


def personal_data_in_file(filename: str, extension: str, content: bytes) -> str | None:
    """A sentence saying what personal data the file seems to hold, or None."""
    try:
        text = text_of(extension, content)
    except TooMuchText:
        return (f"The file {filename} has more words in it than can be checked for personal "
                "data: split it into smaller files and upload those")
    except UnpacksTooLarge as refused:
        return str(refused)
    except NotAnArchive:
        return (f"The file {filename} could not be read to check it for personal data: save "
                "it again and upload that")
    return explain(find_personal_data(text), f"The file {filename}") or None
