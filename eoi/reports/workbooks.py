"""XLSX downloads built from rows of values, one sheet each; used by every export."""

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[Sequence]]], *,
                   bold_first_row: bool = False) -> bytes:
    """(sheet title, rows) in order. Text starting with '=' is written as text: openpyxl
    would otherwise store it as a formula, and a name or title must never run."""
    from openpyxl import Workbook  # slow to import; only exports need it
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook comes with
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([_printable(value) for value in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                elif isinstance(cell.value, Decimal):  # money, in pounds
                    cell.number_format = "#,##0.00"
        if bold_first_row and sheet.max_row:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            # Headings stay in view, and each column can be sorted and filtered.
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _printable(value):
    """Text without the control characters XLSX cannot hold: input is cleaned as it is
    typed, but a row stored before that, or by other means, must not stop the download."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
