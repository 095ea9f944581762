"""What in an uploaded file would run by itself when someone opens it: macros in Office and
OpenDocument files, scripts and actions in a PDF. Pure: names or bytes in, what was found
in words out.

Panel members and MOPAC's staff open these files on their own machines, so a file that
would run anything is refused, however harmless it claims to be.
"""

import io
from collections.abc import Iterable

import re2

# Word and Excel keep macros in a VBA project, found by this name in any folder and any
# case; Excel 4 macros are sheets of their own.
_VBA_PROJECT = "vbaproject.bin"
_EXCEL4_MACRO_FOLDER = "macrosheets"
# LibreOffice keeps a document's macros in these top-level folders.
_OPENDOCUMENT_MACRO_FOLDERS = {"basic", "scripts"}


def has_macros(names: Iterable[str]) -> bool:
    """Whether an Office or OpenDocument file with these members holds macros."""
    for name in names:
        folders = name.replace("\\", "/").lower().split("/")
        *path, last = folders
        if (last.endswith(_VBA_PROJECT) or _EXCEL4_MACRO_FOLDER in path
                or (path and path[0] in _OPENDOCUMENT_MACRO_FOLDERS)):
            return True
    return False


# What a PDF reader would run or open by itself, as keys or as names (`/S /Launch`).
_ACTIVE = {
    "/JavaScript": "JavaScript",
    "/JS": "JavaScript",
    "/OpenAction": "an action that runs when it opens",
    "/AA": "actions that run by themselves",
    "/Launch": "an action that starts a program",
    "/EmbeddedFiles": "files embedded in it",
    "/EmbeddedFile": "files embedded in it",
}
# Enough for any report: a long one with its images and fonts has a few thousand objects.
MAX_PDF_OBJECTS = 100_000
MAX_PDF_VALUES = 1_000_000  # keys, values and items in them all


class CannotCheck(ValueError):
    """A PDF with more in it than is worth checking, or with an object that cannot be
    read (where a reader that repairs files might find anything)."""


def pdf_active_content(content: bytes) -> str | None:
    """What the PDF holds that would run or open by itself (in words), or None.

    Every object in the cross-reference table is read, including those packed inside
    compressed object streams, and pypdf decodes names written with #xx escapes. A file
    pypdf cannot read at all is searched as bytes for the same names instead. Raises
    CannotCheck past MAX_PDF_OBJECTS or MAX_PDF_VALUES, counted as they are read, so a
    crafted file costs no more than that much parsing.
    """
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        numbers = [(number, generation) for generation, table in reader.xref.items()
                   for number in table]
        numbers += [(number, 0) for number in reader.xref_objStm]
    except Exception:  # pypdf raises many kinds of error for a file it cannot read
        return _active_in_bytes(content)
    if len(numbers) > MAX_PDF_OBJECTS:
        raise CannotCheck
    budget = _Budget(MAX_PDF_VALUES)
    if found := _active_in(reader.trailer, budget):
        return found
    for number, generation in numbers:
        try:
            value = reader.get_object(IndirectObject(number, generation, reader))
        except Exception:
            raise CannotCheck from None
        if found := _active_in(value, budget):
            return found
    return None


class _Budget:
    def __init__(self, values: int):
        self.left = values

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise CannotCheck


def _active_in(value, budget: _Budget) -> str | None:
    """Walk one object's dictionaries and arrays; a reference is read as an object of
    its own, from the cross-reference table."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    pending = [value]
    while pending:
        value = pending.pop()
        budget.spend()
        if isinstance(value, DictionaryObject):  # streams are dictionaries too
            for key, item in value.items():
                if key in _ACTIVE and not (key == "/OpenAction" and _opens_at_a_page(item)):
                    return _ACTIVE[key]
                pending.append(item)
        elif isinstance(value, ArrayObject):
            pending.extend(value)
        elif isinstance(value, NameObject) and value in _ACTIVE:
            return _ACTIVE[value]
    return None


def _opens_at_a_page(action) -> bool:
    """Whether an /OpenAction only opens the document at a page, as LibreOffice writes in
    every PDF it exports: a destination, or an action that goes to one."""
    from pypdf.generic import ArrayObject, DictionaryObject

    try:
        action = action.get_object()
    except Exception:
        return False
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo"


def _escapable(name: str) -> str:
    """A pattern for a PDF name, each character as itself or as a #xx escape."""
    characters = (f"(?:{re2.escape(ch)}|#(?i:{ord(ch):02x}))" for ch in name.lstrip("/"))
    return "/" + "".join(characters)


# A name ends at white space, a delimiter or the end of the file.
_ACTIVE_NAME = re2.compile("(" + "|".join(_escapable(name) for name in _ACTIVE) + ")"
                           r"(?:[\x00\t\n\f\r /<>\[\]()%{}]|$)")


def _active_in_bytes(content: bytes) -> str | None:
    if match := _ACTIVE_NAME.search(content):
        return _ACTIVE[_unescaped(match[1])]
    return None


def _unescaped(name: bytes) -> str:
    parts = name.split(b"#")
    return (parts[0] + b"".join(bytes.fromhex(part[:2].decode()) + part[2:]
                                for part in parts[1:])).decode("latin-1")
