"""The spreadsheet way in to a quarterly return.

A partner downloads a template for one grant and quarter, fills it in in Excel or
LibreOffice, and uploads it. Reading it builds the same `ReturnFigures` the web form builds
and asks `problems_in` what is wrong, so the two ways in can never disagree; each problem is
then placed at the row and column where a person will find it.

Every row we write carries a key in hidden column A, and rows are found by that key, never
by their number: a person inserting, deleting or reordering rows does not stop the sheet
being read.

A reading always holds the whole return: every breakdown category (0 when empty), every
indicator of the grant (None when empty) and every narrative ("" when empty). Spend holds
only the cost categories that were filled in. When a borough pair appears on more than one
row, its counts are added together, as a person splitting a pair over two rows would expect.

The package: `layout` says what the sheet holds (sheets, columns, row keys, limits and
messages), `template` builds it, `reading` reads an upload back and `cells` reads single
cells. Callers import from here.
"""

from typing import TYPE_CHECKING

from eoi.returns.spreadsheet.layout import (
    BLANK_BOROUGH_ROWS,
    HAS_MACROS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED,
    MEDIA_TYPE,
    NO_RETURN_SHEET,
    NOT_A_RETURN,
    NOT_SAID_WHICH,
    RETURN_SHEET,
    TOO_LARGE,
    SheetProblem,
    SheetReading,
    TemplateContext,
    template_filename,
)

if TYPE_CHECKING:
    from eoi.returns.figures import ReturnFigures


# openpyxl (with the numpy it brings) is imported when a spreadsheet is first written or
# read, not with the service: most web workers never touch one.
def read_return(content: bytes, context: TemplateContext, *,
                for_submission: bool = False) -> SheetReading:
    from eoi.returns.spreadsheet.reading import read_return as read

    return read(content, context, for_submission=for_submission)


def build_template(context: TemplateContext, figures: "ReturnFigures | None" = None) -> bytes:
    from eoi.returns.spreadsheet.template import build_template as build

    return build(context, figures)

__all__ = [
    "BLANK_BOROUGH_ROWS",
    "HAS_MACROS",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "MEDIA_TYPE",
    "NO_RETURN_SHEET",
    "NOT_A_RETURN",
    "NOT_SAID_WHICH",
    "RETURN_SHEET",
    "TOO_LARGE",
    "SheetProblem",
    "SheetReading",
    "TemplateContext",
    "build_template",
    "read_return",
    "template_filename",
]
