"""XLSX downloads built from rows of values, one sheet each; used by every export. Written
with openpyxl's write-only mode, which keeps only the row being written in memory: a list of
every grant a national fund holds costs no more memory than a page of it."""

import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

# Read in pieces of this size when the finished file is sent.
CHUNK = 64 * 1024


def write_workbook(target: IO[bytes], sheets: Iterable[tuple[str, Iterable[Iterable]]], *,
                   bold_first_row: bool = False) -> None:
    """(sheet title, rows) in order, written to `target`. Text starting with '=' is written
    as text: openpyxl would otherwise store it as a formula, and a name or title must never
    run."""
    from openpyxl import Workbook  # slow to import; only exports need it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        width = count = 0
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, _printable(value))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                elif isinstance(cell.value, Decimal):  # money, in pounds
                    cell.number_format = "#,##0.00"
                if bold_first_row and count == 0:
                    cell.font = bold
                cells.append(cell)
            if bold_first_row and count == 0 and cells:
                # Headings stay in view, and each column can be sorted and filtered.
                sheet.freeze_panes = "A2"
            sheet.append(cells)
            width, count = max(width, len(cells)), count + 1
        if bold_first_row and count and width:
            from openpyxl.utils import get_column_letter
            sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{count}"
    workbook.save(target)


def workbook_bytes(sheets: Iterable[tuple[str, Iterable[Iterable]]], *,
                   bold_first_row: bool = False) -> bytes:
    with tempfile.TemporaryFile() as target:
        write_workbook(target, sheets, bold_first_row=bold_first_row)
        target.seek(0)
        return target.read()


def workbook_chunks(sheets: Iterable[tuple[str, Iterable[Iterable]]], *,
                    bold_first_row: bool = False) -> Iterator[bytes]:
    """The workbook as pieces to stream: written to a temporary file first (a ZIP cannot be
    sent before its last row is in), then read back a piece at a time."""
    with tempfile.TemporaryFile() as target:
        write_workbook(target, sheets, bold_first_row=bold_first_row)
        target.seek(0)
        while chunk := target.read(CHUNK):
            yield chunk


def _printable(value):
    """Text without the control characters XLSX cannot hold: input is cleaned as it is
    typed, but a row stored before that, or by other means, must not stop the download."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
