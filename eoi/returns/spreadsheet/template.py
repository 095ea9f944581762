"""Building the return spreadsheet for one grant and quarter."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eoi.returns.figures import (
    BREAKDOWNS,
    MAX_COUNT,
    NARRATIVES,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
)
from eoi.returns.spreadsheet.layout import (
    BLANK_BOROUGH_ROWS,
    BOROUGH,
    BOROUGHS_SECTION,
    COHORT_COLUMNS,
    CONTINUING,
    DETAIL,
    FORECAST,
    FORECAST_CAPTION,
    GRANT,
    INDICATOR,
    INDICATOR_CAPTION,
    INSTRUCTIONS_SHEET,
    KEY,
    LABEL,
    LISTS_SHEET,
    NARRATIVE,
    NEW,
    NOTE,
    QUARTER,
    RESIDENCE,
    RESIDENCE_CAPTION,
    RETURN_SHEET,
    SECTION,
    SERVICE,
    SERVICE_CAPTION,
    SPEND,
    SPEND_CAPTION,
    SUPPORTED,
    TEXT,
    VALUE,
    TemplateContext,
)

_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HINT = Font(italic=True, color="505A5F")
_INPUT = PatternFill("solid", fgColor="FFF2A8")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")



def build_template(context: TemplateContext, figures: ReturnFigures | None = None) -> bytes:
    """The return spreadsheet for one grant and quarter, filled in with `figures` if given."""
    workbook = Workbook()
    workbook.properties.creator = "London Co-commissioning Fund"
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # the one sheet a new workbook comes with
    sheet.title = RETURN_SHEET
    _write_return(_Template(sheet, len(context.boroughs)), context, figures)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), context)
    _write_lists(workbook.create_sheet(LISTS_SHEET), context)
    workbook.active = 0
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Template:
    """Writes the Return sheet a row at a time."""

    def __init__(self, sheet: Worksheet, borough_count: int):
        self.sheet = sheet
        self.row = 0
        self.counts = _whole_numbers(MAX_COUNT, "a whole number of young people")
        self.indicator_values = _whole_numbers(10 * MAX_COUNT, "a whole number")
        self.money = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            showErrorMessage=True, errorTitle="Amount in pounds",
            error="Enter the amount in pounds, like 1250.50",
        )
        # The Lists sheet holds borough names, with Outside London last, in column A, and
        # borough names only in column B.
        self.residences = _choice(f"{LISTS_SHEET}!$A$1:$A${borough_count + 1}")
        self.services = _choice(f"{LISTS_SHEET}!$B$1:$B${max(borough_count, 1)}")
        for validation in (self.counts, self.indicator_values, self.money,
                           self.residences, self.services):
            sheet.add_data_validation(validation)
        for column, width in ((KEY, 24), (LABEL, 48), (DETAIL, 34), (NEW, 16), (CONTINUING, 16)):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.column_dimensions["A"].hidden = True

    def next_row(self, key: str = "") -> int:
        self.row += 1
        if key:
            _put_text(self.sheet.cell(self.row, KEY), key)
        return self.row

    def text(self, column: int, text: str, font: Font | None = None, wrap: bool = False) -> None:
        cell = self.sheet.cell(self.row, column)
        _put_text(cell, text)
        if font:
            cell.font = font
        if wrap:
            cell.alignment = _WRAP

    def entry(self, column: int, value: Any, validation: DataValidation | None = None,
              number_format: str | None = None) -> None:
        cell = self.sheet.cell(self.row, column)
        if isinstance(value, str):
            _put_text(cell, value)
        else:
            cell.value = value
        cell.fill = _INPUT
        cell.protection = _UNLOCKED
        if validation:
            validation.add(cell)
        if number_format:
            cell.number_format = number_format

    def cohorts(self, cohorts: Cohorts | None) -> None:
        for cohort, column in COHORT_COLUMNS:
            value = None if cohorts is None else getattr(cohorts, cohort)
            self.entry(column, value, self.counts, "0")

    def heading(self, section: str, title: str, captions: dict[int, str] | None = None,
                hint: str = "") -> None:
        self.next_row()  # a blank row between sections
        self.next_row(SECTION + section)
        self.text(LABEL, title, _BOLD)
        if hint:
            self.text(DETAIL, hint, _HINT, wrap=True)
        for column, caption in (captions or {}).items():
            self.text(column, caption, _BOLD)

    def note(self, text: str, font: Font | None = None, height: float | None = None) -> None:
        self.next_row(NOTE)
        self.text(LABEL, text, font, wrap=height is not None)
        if height:
            self.sheet.row_dimensions[self.row].height = height


def _write_return(template: _Template, context: TemplateContext,
                  figures: ReturnFigures | None) -> None:
    names = dict(context.boroughs)
    template.note("Quarterly outcome return", _TITLE)
    template.note("Read the Instructions sheet first. Enter your figures in the yellow cells.",
                  _HINT)
    for key, label, value in (
        (GRANT, "Grant reference", context.grant_reference),
        (NOTE, "Grant", context.grant_title),
        (NOTE, "Quarter", context.quarter_label),
        (QUARTER, "Return code (do not change)", context.quarter_key),
    ):
        template.next_row(key)
        template.text(LABEL, label, _BOLD)
        template.text(DETAIL, value)

    template.heading(SUPPORTED, "Young people supported", {NEW: "New", CONTINUING: "Continuing"})
    template.next_row(SUPPORTED)
    template.text(LABEL, "Young people supported")
    template.cohorts(figures.supported if figures else None)

    for key, title, categories in BREAKDOWNS:
        template.heading(key, title, {NEW: "New", CONTINUING: "Continuing"},
                         hint="Must add up to the young people supported")
        given = figures.breakdowns.get(key, {}) if figures else {}
        for category, category_title in categories:
            template.next_row(f"{key}:{category}")
            template.text(LABEL, category_title)
            template.cohorts(given.get(category))

    template.heading(BOROUGHS_SECTION, "Boroughs",
                     hint="Must add up to the young people supported")
    template.note("Use one row for each pair of boroughs, choosing them from the lists. "
                  f"Choose '{OUTSIDE_LONDON_NAME}' for young people who live outside London. "
                  "Leave rows you do not need empty.", _HINT, height=45)
    template.next_row(NOTE)
    for column, caption in ((RESIDENCE, RESIDENCE_CAPTION), (SERVICE, SERVICE_CAPTION),
                            (NEW, "New"), (CONTINUING, "Continuing")):
        template.text(column, caption, _BOLD)
    pairs = list(figures.boroughs.items()) if figures else []
    for (residence, service), cohorts in pairs:
        template.next_row(BOROUGH)
        template.entry(RESIDENCE, OUTSIDE_LONDON_NAME if residence == OUTSIDE_LONDON
                       else names.get(residence, residence), template.residences)
        template.entry(SERVICE, names.get(service, service), template.services)
        template.cohorts(cohorts)
    for _ in range(BLANK_BOROUGH_ROWS):
        template.next_row(BOROUGH)
        template.entry(RESIDENCE, None, template.residences)
        template.entry(SERVICE, None, template.services)
        template.cohorts(None)

    template.heading("indicators", "Indicators", {DETAIL: "Unit", VALUE: INDICATOR_CAPTION})
    if not context.indicators:
        template.note("This grant has no indicators to report.", _HINT)
    for key, name, unit in context.indicators:
        template.next_row(INDICATOR + key)
        template.text(LABEL, name, wrap=True)
        template.text(DETAIL, unit)
        reported = figures.indicators.get(key) if figures else None
        template.entry(VALUE, reported, template.indicator_values, "0")

    template.heading("spend", "Spend to date", {VALUE: SPEND_CAPTION},
                     hint="In pounds, since the grant began")
    for key, title in context.cost_categories:
        template.next_row(SPEND + key)
        template.text(LABEL, title)
        pence = figures.spend.get(key) if figures else None
        template.entry(VALUE, None if pence is None else _pounds(pence), template.money,
                       "#,##0.00")

    template.heading("forecast", "Forecast for the rest of the year", {VALUE: FORECAST_CAPTION},
                     hint="In pounds, from the end of this quarter to 31 March")
    for key, title in context.cost_categories:
        template.next_row(FORECAST + key)
        template.text(LABEL, title)
        pence = figures.forecast.get(key) if figures else None
        template.entry(VALUE, None if pence is None else _pounds(pence), template.money,
                       "#,##0.00")

    template.heading("narrative", "About this quarter")
    for key, title, hint in NARRATIVES:
        template.next_row(NOTE)
        template.text(LABEL, title, _BOLD)
        template.note(hint, _HINT, height=30)
        template.next_row(NARRATIVE + key)
        text = figures.narrative.get(key, "") if figures else ""
        template.entry(TEXT, text or None)
        template.sheet.cell(template.row, TEXT).alignment = _WRAP
        template.sheet.row_dimensions[template.row].height = 160


def _write_instructions(sheet: Worksheet, context: TemplateContext) -> None:
    sheet.column_dimensions["A"].width = 100
    lines = [
        ("How to fill in your quarterly return", _TITLE),
        (f"This spreadsheet is for {context.grant_reference}, {context.grant_title}, "
         f"{context.quarter_label} only.", None),
        ("", None),
        ("Enter your figures in the yellow cells on the Return sheet. Leave the other cells, "
         "and the names of the sheets, as they are.", None),
        ("Enter counts as whole numbers only, like 12. Leave a cell empty, or enter 0, if "
         "there were none.", None),
        ("Enter counts of young people only. Never enter names, dates of birth, addresses, "
         "phone numbers, email addresses or anything else that could identify a young "
         "person.", _BOLD),
        ("The breakdowns by gender, age band and disability, and the boroughs, must each add "
         "up to the young people supported: the new and the continuing young people "
         "separately.", None),
        ("Boroughs: use one row for each pair of the borough where young people live and the "
         "borough where they were served, choosing both from the lists. Choose "
         f"'{OUTSIDE_LONDON_NAME}' for young people who live outside London. If you use the "
         "same pair on two rows, we add them together.", None),
        ("Indicators: enter the figure for this quarter only.", None),
        ("Spend to date: enter what you have spent in each cost category since the grant "
         "began, in pounds and pence, like 1250.50.", None),
        ("About this quarter: write in the yellow cell under each heading. The case study must "
         "be anonymised.", None),
        ("", None),
        ("Save the file as an Excel workbook (.xlsx) and upload it on the return page. We check "
         "it with the same rules as the online form, and tell you which rows to correct.",
         None),
    ]
    for number, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(number, 1)
        _put_text(cell, text)
        cell.alignment = _WRAP
        if font:
            cell.font = font


def _write_lists(sheet: Worksheet, context: TemplateContext) -> None:
    names = [name for _, name in context.boroughs]
    for number, name in enumerate([*names, OUTSIDE_LONDON_NAME], start=1):
        _put_text(sheet.cell(number, 1), name)
    for number, name in enumerate(names, start=1):
        _put_text(sheet.cell(number, 2), name)
    sheet.sheet_state = "hidden"


def _whole_numbers(most: int, what: str) -> DataValidation:
    return DataValidation(
        type="whole", operator="between", formula1="0", formula2=str(most), allow_blank=True,
        showErrorMessage=True, errorTitle="Whole numbers only",
        error=f"Enter {what} from 0 to {most}, like 12",
    )


def _choice(cells: str) -> DataValidation:
    return DataValidation(
        type="list", formula1=cells, allow_blank=True, showErrorMessage=True,
        errorTitle="Choose from the list", error="Choose a borough from the list",
    )


def _put_text(cell: Any, text: str) -> None:
    """Text stays text: a title or narrative starting with '=' must not become a formula."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _pounds(pence: int) -> int | float:
    pounds, remainder = divmod(pence, 100)
    return pounds if not remainder else pence / 100
