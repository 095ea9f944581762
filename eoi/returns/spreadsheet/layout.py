"""What the return spreadsheet holds, shared by the template and the reader: its sheets,
columns, row keys, limits and messages."""

from collections.abc import Sequence
from dataclasses import dataclass

from eoi.returns.figures import COHORTS, ReturnFigures

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RETURN_SHEET = "Return"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"

BLANK_BOROUGH_ROWS = 40

# A filled-in template unpacks to well under a megabyte. The limits stop a crafted file
# (a zip bomb, or a cell typed a million rows down) from tying up the server.
MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 100

# Columns of the Return sheet.
KEY, LABEL, DETAIL, NEW, CONTINUING = 1, 2, 3, 4, 5
COHORT_COLUMNS = (("new", NEW), ("continuing", CONTINUING))
RESIDENCE, SERVICE = LABEL, DETAIL
VALUE = NEW  # indicators and spend
TEXT = LABEL  # narrative

COHORT_CAPTIONS = dict(COHORTS)
RESIDENCE_CAPTION = "Borough where they live"
SERVICE_CAPTION = "Borough where they were served"
INDICATOR_CAPTION = "This quarter"
SPEND_CAPTION = "Spend to date (£)"
FORECAST_CAPTION = "Forecast, rest of year (£)"

# Keys in column A. These appear in every downloaded spreadsheet, so they must never change.
NOTE = "note"  # text we wrote for people to read; nothing in the row is read back
GRANT = "grant"
QUARTER = "quarter"
SECTION = "section:"
SUPPORTED = "supported"
BOROUGH = "borough"
BOROUGHS_SECTION = "boroughs"
INDICATOR = "indicator:"
SPEND = "spend:"
FORECAST = "forecast:"
NARRATIVE = "narrative:"

NOT_A_RETURN = (
    "The file must be the return spreadsheet (.xlsx) downloaded from this service. "
    "Download it again, enter your figures and save it as an Excel workbook (.xlsx)"
)
HAS_MACROS = (
    "The file contains macros, so it cannot be accepted. Download the return spreadsheet "
    "again, enter your figures and save it as an Excel workbook (.xlsx), not a "
    "macro-enabled workbook"
)
TOO_LARGE = (
    "The file is too large to be the return spreadsheet. Download the spreadsheet again "
    "and enter your figures in it"
)
NO_RETURN_SHEET = (
    f"The spreadsheet has no sheet called '{RETURN_SHEET}'. Download the return spreadsheet "
    "again and enter your figures in it, without renaming its sheets"
)
NOT_SAID_WHICH = (
    "The spreadsheet does not say which grant and quarter it is for. Download the return "
    "spreadsheet again and enter your figures in it, without changing the top rows"
)

COUNT_PROBLEM = "{label}: enter a whole number of young people, like 12"
INDICATOR_PROBLEM = "{label}: enter a whole number, like 12"
# -1 is a whole number: what is wrong with it is that it is below zero.
NEGATIVE_COUNT = "{label}: enter 0 or more; a count cannot be below 0"
AMOUNT_PROBLEM = "{label}: enter the amount in pounds, like 1250.50"
PENCE_PROBLEM = "{label}: enter the amount in pounds and pence, like 1250.50, with no more \
than 2 numbers after the decimal point"
NEGATIVE_SPEND = "{label}: spend must be £0 or more"


@dataclass(frozen=True)
class TemplateContext:
    grant_reference: str  # "GRT-2026-0003"
    grant_title: str
    quarter_label: str  # "Q1 2026 to 2027 (April to June 2026)"
    quarter_key: str  # "2026-Q1": written into the sheet and checked on upload
    indicators: Sequence[tuple[str, str, str]]  # (key, name, unit)
    boroughs: Sequence[tuple[str, str]]  # (GSS code, borough name)
    cost_categories: Sequence[tuple[str, str]]  # (key, title)


@dataclass(frozen=True)
class SheetProblem:
    where: str  # "Row 14, New"; "" for a problem with the whole file
    message: str
    field: str | None  # the web form's field name, when the problem belongs to one


@dataclass
class SheetReading:
    figures: ReturnFigures | None  # None when the file could not be read at all
    problems: list[SheetProblem]


def template_filename(context: TemplateContext) -> str:
    return f"{context.grant_reference}-{context.quarter_key}-return.xlsx"
