"""The words inside an uploaded file, so the privacy guard can read them as it reads a
narrative. Best effort: what cannot be read (a scanned PDF, say) passes, and the partner
has already been told never to upload anything that identifies a young person.

A document is read whole, as a person would read it: the body, headers, footers, footnotes
and comments, the document's properties (title, author, subject, keywords, custom ones),
and in a workbook every cell as it displays (a date of birth in a date cell shows as
03/04/2010, not 40271). Words split across runs of formatting are joined again, so
"07700 900" in bold and "123" after it are one number, and paragraphs, table cells and
rows are kept apart by newlines and tabs.

Reading is bounded: a document is unpacked through eoi.archives' limits, a PDF through
pypdf's, and reading stops once the words run past what the guard reads. The XML is read
a tag at a time by a pattern that never backtracks, never by an XML parser (no entities
are expanded, so no "billion laughs").
"""

import html
import io
import re
from collections.abc import Callable, Iterator

from eoi.archives import Archive, NotAnArchive, UnpacksTooLarge
from eoi.eois.uploads import csv_text
from eoi.returns.privacy import MAX_TEXT_LENGTH, TooMuchText, explain, find_personal_data
from eoi.returns.spreadsheet.cells import displayed

# Well-formed XML never has "<" inside a tag, so each token stops at the next one: each
# character is looked at no more than twice, however the file is made.
_TOKEN = re.compile(rb"<([^<>]*)>|[^<]+")
_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')

_PROPERTIES = r"docProps/(?:core|app|custom)\.xml"
# The XML parts that hold a document's words, by format.
_TEXT_PARTS = {
    "docx": re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes|comments"
                       rf"(?:Extended|Extensible)?)\.xml|{_PROPERTIES}"),
    "xlsx": re.compile(r"xl/(?:sharedStrings|worksheets/sheet\d+|comments\d*|comments/comment\d+"
                       rf"|threadedComments/threadedComment\d*)\.xml|{_PROPERTIES}"),
    "odt": re.compile(r"content\.xml|styles\.xml|meta\.xml"),
}
# Markup takes most of a part: this much holds more words than the guard reads.
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 2000
# A page's content stream holds its text and drawing, seldom more than a few megabytes.
_PDF_LIMITS = {"zlib_maximum_output_length": 20_000_000,
               "lzw_maximum_output_length": 20_000_000,
               "run_length_maximum_output_length": 20_000_000}

# Elements that end a line or a cell, by local name (Word's w:, OpenDocument's text: and
# table:, Excel's comments and shared strings alike).
_LINE_ENDS = frozenset({b"p", b"h", b"br", b"cr", b"line-break", b"tr", b"table-row",
                        b"si", b"comment", b"threadedComment", b"annotation", b"note",
                        b"creator", b"date", b"author", b"text"})
# Elements whose start begins a line too: a comment sits inside the paragraph it is on.
_LINE_STARTS = frozenset({b"annotation", b"comment", b"note"})
_CELL_ENDS = frozenset({b"tab", b"tc", b"table-cell", b"s"})
# Word keeps a run's text in these; anything else in its parts (drawing offsets, sizes)
# is read too, but on a line of its own, so it never joins the words beside it.
_WORD_TEXT = frozenset({b"t", b"delText", b"instrText"})


def text_of(extension: str, content: bytes) -> str:
    """The file's words. Raises TooMuchText when there are more than the guard reads, and
    eoi.archives' refusals for a document it cannot unpack within its limits."""
    if extension == "csv":
        text = csv_text(content) or ""
        _count(len(text))
        return text
    if extension == "pdf":
        return _pdf_text(content)
    parts = _TEXT_PARTS.get(extension)
    if parts is None:
        return ""
    texts, length = [], 0
    with Archive(content) as archive:
        read = _part_reader(archive)
        workbook = _Workbook(read) if extension == "xlsx" else None
        for name in archive.names:
            if not parts.fullmatch(name):
                continue
            xml = read(name)
            if workbook and name.startswith("xl/worksheets/"):
                texts.append(workbook.sheet_text(xml))
            elif name.startswith("docProps/") or name == "meta.xml":
                texts.append(_property_text(xml))
            else:
                texts.append(_document_text(xml, words_only=name.startswith("word/")))
            length += len(texts[-1]) + 1
            _count(length)
    return "\n".join(texts)


def _part_reader(archive: Archive) -> Callable[[str], bytes]:
    names = set(archive.names)

    def read(name: str) -> bytes:
        if name not in names:
            return b""
        xml = archive.read(name, at_most=MAX_PART_BYTES + 1)
        if len(xml) > MAX_PART_BYTES:
            raise TooMuchText(f"{name} is larger than {MAX_PART_BYTES:,} bytes")
        return xml
    return read


def _tags(xml: bytes) -> Iterator[tuple[bytes | None, bool, bytes]]:
    """(local name, whether it closes, the tag) for each tag, and (None, False, text) for
    the text between tags, unescaped."""
    for match in _TOKEN.finditer(xml):
        tag = match.group(1)
        if tag is None:
            yield None, False, match.group()
        elif tag[:1] in (b"?", b"!"):
            continue  # the XML declaration, comments, CDATA's start
        else:
            closing = tag[:1] == b"/"
            name = tag.lstrip(b"/").split(None, 1)[0].rstrip(b"/") if tag.strip(b"/ ") else b""
            yield name.rpartition(b":")[2], closing or tag.endswith(b"/"), tag


def _words(text: bytes) -> str:
    return html.unescape(text.decode("utf-8", "replace"))


def _document_text(xml: bytes, *, words_only: bool) -> str:
    """A text part's words, runs joined, paragraphs and cells kept apart."""
    out: list[str] = []
    in_words = 0
    for name, closes, token in _tags(xml):
        if name is None:
            if not words_only or in_words:
                out.append(_words(token))
            elif token.strip():
                out.append(f"\n{_words(token)}\n")
        elif words_only and name in _WORD_TEXT:
            in_words = 0 if closes else 1
        elif (name in _LINE_ENDS and closes) or (name in _LINE_STARTS and not closes):
            out.append("\n")
        elif name in _CELL_ENDS and (closes or name in (b"tab", b"s")):
            out.append(" " if name == b"s" else "\t")
    return "".join(out)


def _property_text(xml: bytes) -> str:
    """Each property's value on a line of its own."""
    return "".join(_words(token) if name is None else "\n" for name, _, token in _tags(xml))


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return {match.group(1).rpartition(b":")[2]: match.group(2) or match.group(3) or b""
            for match in _ATTRIBUTE.finditer(tag)}


class _Workbook:
    """What a workbook's cells need to be read as they display: its shared strings, each
    style's number format and its date system."""

    def __init__(self, read: Callable[[str], bytes]):
        self.shared = self._shared_strings(read("xl/sharedStrings.xml"))
        self.formats = self._cell_formats(read("xl/styles.xml"))
        workbook = read("xl/workbook.xml")
        self.epoch = None
        if re.search(rb'date1904\s*=\s*["\'](?:1|true)["\']', workbook):
            from openpyxl.utils.datetime import CALENDAR_MAC_1904
            self.epoch = CALENDAR_MAC_1904

    @staticmethod
    def _shared_strings(xml: bytes) -> list[str]:
        strings: list[str] = []
        current: list[str] = []
        in_text, in_phonetic = False, False
        for name, closes, token in _tags(xml):
            if name is None:
                if in_text and not in_phonetic:
                    current.append(_words(token))
            elif name == b"t":
                in_text = not closes
            elif name == b"rPh":  # a reading aid for Japanese, not what the cell shows
                in_phonetic = not closes
            elif name == b"si" and closes:
                strings.append("".join(current))
                current = []
        return strings

    @staticmethod
    def _cell_formats(xml: bytes) -> list[str]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS

        codes: dict[int, str] = {}
        formats: list[str] = []
        in_cell_styles = False
        for name, closes, token in _tags(xml):
            if name == b"numFmt":
                attributes = _attributes(token)
                if attributes.get(b"numFmtId", b"").isdigit():
                    codes[int(attributes[b"numFmtId"])] = _words(attributes.get(b"formatCode",
                                                                                b""))
            elif name == b"cellXfs":
                in_cell_styles = not closes
            elif name == b"xf" and in_cell_styles and not token.startswith(b"/"):
                number = _attributes(token).get(b"numFmtId", b"0")
                key = int(number) if number.isdigit() else 0
                formats.append(codes.get(key) or BUILTIN_FORMATS.get(key, "General"))
        return formats

    def sheet_text(self, xml: bytes) -> str:
        """The sheet's cells as they display, a tab after each and a line for each row."""
        out: list[str] = []
        cell: dict[bytes, bytes] = {}
        value: list[str] = []
        in_value = False
        for name, closes, token in _tags(xml):
            if name is None:
                if in_value:
                    value.append(_words(token))
            elif name == b"c":
                if not token.startswith(b"/"):
                    cell, value = _attributes(token), []
                if closes:
                    out.append(self._displayed(cell, "".join(value)) + "\t")
                    cell, value = {}, []
            elif name in (b"v", b"t"):
                in_value = not closes
            elif name == b"row" and closes:
                out.append("\n")
        return "".join(out)

    def _displayed(self, cell: dict[bytes, bytes], value: str) -> str:
        kind = cell.get(b"t", b"n")
        if kind == b"s":
            index = int(value) if value.strip().isdigit() else -1
            return self.shared[index] if 0 <= index < len(self.shared) else ""
        if kind in (b"inlineStr", b"str", b"e", b"d"):
            return value
        if kind == b"b":
            return "TRUE" if value.strip() == "1" else "FALSE"
        try:
            number = float(value)
        except ValueError:
            return value
        style = cell.get(b"s", b"0")
        index = int(style) if style.isdigit() else 0
        number_format = self.formats[index] if index < len(self.formats) else "General"
        return displayed(int(number) if number.is_integer() else number, number_format,
                         epoch=self.epoch)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader, apply_configuration  # here: 11 MB few workers need

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


def personal_data_in_file(filename: str, extension: str, content: bytes, *,
                          allow_contact_details: bool = False) -> str | None:
    """A sentence saying what personal data the file seems to hold, or None. With
    `allow_contact_details`, as for find_personal_data."""
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
    findings = find_personal_data(text, allow_contact_details=allow_contact_details)
    return explain(findings, f"The file {filename}") or None
