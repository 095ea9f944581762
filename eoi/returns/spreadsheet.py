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
"""

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eoi import archives
from eoi.archives import Archive, NotAnArchive, UnpacksTooLarge
from eoi.eois.active_content import has_macros
from eoi.returns.figures import (
    BOROUGHS_FIELD,
    BREAKDOWNS,
    COHORTS,
    MAX_COUNT,
    NARRATIVES,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
    breakdown_field,
    indicator_field,
    problems_in,
    spend_field,
    supported_field,
)
from eoi.returns.privacy import MAX_TEXT_LENGTH, explain, find_personal_data

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
_LIMITS = replace(archives.UPLOADS, unpacked_bytes=MAX_UNPACKED)

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
AMOUNT_PROBLEM = "{label}: enter the amount in pounds, like 1250.50"
PENCE_PROBLEM = "{label}: enter the amount in pounds and pence, like 1250.50, with no more \
than 2 numbers after the decimal point"
NEGATIVE_SPEND = "{label}: spend must be £0 or more"

_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HINT = Font(italic=True, color="505A5F")
_INPUT = PatternFill("solid", fgColor="FFF2A8")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


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


# Building the template ----------------------------------------------------------------------


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


# Reading a return ---------------------------------------------------------------------------


def read_return(content: bytes, context: TemplateContext, *,
                for_submission: bool = False) -> SheetReading:
    """The figures in an uploaded spreadsheet, and everything wrong with them.

    Problems with single cells come first, in sheet order, then those `problems_in` finds.
    When there are any, `figures` is the best reading possible, but must not be saved.
    """
    workbook, refused = _open(content)
    if refused:
        return SheetReading(None, [SheetProblem("", refused, None)])
    if RETURN_SHEET not in workbook.sheetnames:
        return SheetReading(None, [SheetProblem("", NO_RETURN_SHEET, None)])
    sheet = workbook[RETURN_SHEET]
    sheets = [s for s in workbook.worksheets if isinstance(s, Worksheet)]
    if any(s.max_row > MAX_ROWS or s.max_column > MAX_COLUMNS for s in sheets):
        return SheetReading(None, [SheetProblem("", TOO_LARGE, None)])
    # More words than the privacy guard reads: a filled-in template has a few thousand.
    if sum(len(cell) for s in sheets for row in s.iter_rows(values_only=True)
           for cell in row if isinstance(cell, str)) > MAX_TEXT_LENGTH:
        return SheetReading(None, [SheetProblem("", TOO_LARGE, None)])
    if refused := _wrong_return(sheet, context):
        return SheetReading(None, [SheetProblem("", refused, None)])

    reader = _Reader(context)
    reader.read(sheet)
    figures = reader.figures
    # Personal data anywhere outside the narrative is reported instead of whatever else is
    # wrong with that cell, so no message ever repeats it.
    found = _personal_data(sheet, sheets, reader)
    flagged = {place for place, _ in found}
    cell_problems = sorted(
        [item for item in reader.problems if item[0] not in flagged] + found,
        key=lambda item: item[0],
    )
    problems = [problem for _, problem in cell_problems] + reader.missing_rows()

    # One message per field: when a cell could not be read, the rules about the figure it
    # should have held would only repeat the same complaint.
    reported = {problem.field for problem in problems if problem.field}
    for problem in problems_in(
        figures,
        indicators={key: name for key, name, _ in context.indicators},
        boroughs=dict(context.boroughs),
        for_submission=for_submission,
    ):
        if problem.field not in reported:
            problems.append(SheetProblem(reader.where.get(problem.field, ""), problem.message,
                                         problem.field))
    return SheetReading(figures, problems)


def _open(content: bytes) -> tuple[Any, str | None]:
    try:
        # Unpacked in full through the limits first, so openpyxl never meets a zip bomb.
        with Archive(content, _LIMITS) as archive:
            if has_macros(archive.names):
                return None, HAS_MACROS
            archive.read_every_member()
    except NotAnArchive:
        return None, NOT_A_RETURN
    except UnpacksTooLarge:
        return None, TOO_LARGE
    try:
        with warnings.catch_warnings():
            # LibreOffice and Excel add extensions openpyxl warns it cannot keep: we only read.
            warnings.simplefilter("ignore")
            return load_workbook(BytesIO(content), data_only=True, keep_links=False), None
    except Exception:  # openpyxl raises many kinds of error for a zip that is not a workbook
        return None, NOT_A_RETURN


def _wrong_return(sheet: Worksheet, context: TemplateContext) -> str | None:
    said: dict[str, str] = {}
    for values in sheet.iter_rows(min_row=1, max_col=DETAIL, values_only=True):
        key = _text(values[KEY - 1])
        if key in (GRANT, QUARTER) and key not in said:
            said[key] = _text(values[DETAIL - 1])
    grant, quarter = said.get(GRANT), said.get(QUARTER)
    if not grant or not quarter:
        return NOT_SAID_WHICH
    if (grant, quarter) != (context.grant_reference, context.quarter_key):
        # Only repeat what the file says when it looks like a reference and a quarter.
        plain = all(_PLAIN.fullmatch(text) and not find_personal_data(text)
                    for text in (grant, quarter))
        shown = f"{grant}, quarter {quarter}" if plain else "a different grant or quarter"
        return (
            f"This spreadsheet is for {shown}, not for "
            f"{context.grant_reference}, quarter {context.quarter_key} "
            f"({context.quarter_label}). Download the spreadsheet for this return and enter "
            "your figures in it"
        )
    return None


_PLAIN = re.compile(r"[A-Za-z0-9 -]{1,30}")


# Where a problem is in the sheet: (row, column), with column 0 for a whole row.
_Place = tuple[int, int]


class _Reader:
    """Reads the Return sheet row by row, remembering where each field came from."""

    def __init__(self, context: TemplateContext):
        self.indicator_names = {key: name for key, name, _ in context.indicators}
        self.cost_titles = dict(context.cost_categories)
        self.codes = {_normal_name(name): code for code, name in context.boroughs}
        self.figures = ReturnFigures(
            breakdowns={key: {category: Cohorts() for category, _ in categories}
                        for key, _, categories in BREAKDOWNS},
            indicators=dict.fromkeys(self.indicator_names),
            narrative={key: "" for key, _, _ in NARRATIVES},
        )
        self.problems: list[tuple[_Place, SheetProblem]] = []
        self.where: dict[str, str] = {}  # web form field -> where it is in the sheet
        self.cells: dict[_Place, tuple[str, str | None]] = {}  # input cell -> where, field
        self.narrative_cells: set[_Place] = set()
        self.section = ""
        self.seen: set[str] = set()

        # Each row key we expect, with how to read it and what to call it if it is missing.
        self.rows: dict[str, tuple[Callable[[int, tuple], None], str]] = {
            SUPPORTED: (self._supported, "young people supported"),
        }
        for key, title, categories in BREAKDOWNS:
            for category, category_title in categories:
                self.rows[f"{key}:{category}"] = (
                    self._breakdown(key, category, f"{title}, {category_title}"),
                    f"{title}, {category_title}")
        for key, name in self.indicator_names.items():
            self.rows[INDICATOR + key] = (self._indicator(key, name), name)
        for key, title in self.cost_titles.items():
            self.rows[SPEND + key] = (self._spend(key, title), f"spend on {title}")
        for key, title, _ in NARRATIVES:
            self.rows[NARRATIVE + key] = (self._narrative(key, title), title)

    def read(self, sheet: Worksheet) -> None:
        rows = sheet.iter_rows(min_row=1, max_col=CONTINUING, values_only=True)
        for number, values in enumerate(rows, start=1):
            self._row(number, values)

    def _row(self, number: int, values: tuple) -> None:
        key = _text(values[KEY - 1])
        if key.startswith(SECTION):
            self.section = key.removeprefix(SECTION)
            if self.section == BOROUGHS_SECTION:
                self.where[BOROUGHS_FIELD] = f"Row {number}, Boroughs"
        elif key in (NOTE, GRANT, QUARTER):
            pass
        elif key == BOROUGH:
            self._borough(number, values)
        elif not key:
            # A row a person inserted has no key. In the boroughs block it can only be more
            # boroughs; anywhere else we cannot know what it is.
            if all(_is_blank(value) for value in values[LABEL - 1:]):
                return
            if self.section == BOROUGHS_SECTION:
                self._borough(number, values)
            else:
                self._row_problem(number, "This row was added to the spreadsheet, so what it "
                                  "holds was not read. Move it into the rows provided, or "
                                  "delete it")
        elif key not in self.rows:
            self._row_problem(number, "This row is not part of this return. Delete it, or "
                              "download the spreadsheet again and copy your figures into it")
        elif key in self.seen:
            self._row_problem(number, "This row appears more than once. Delete the copy")
        else:
            self.seen.add(key)
            self.rows[key][0](number, values)

    def missing_rows(self) -> list[SheetProblem]:
        return [
            SheetProblem("", f"The row for {label} is missing. Download the spreadsheet again "
                         "and copy your figures into it", None)
            for key, (_, label) in self.rows.items() if key not in self.seen
        ]

    def _supported(self, number: int, values: tuple) -> None:
        self.figures.supported = self._cohorts(
            number, values, "Young people supported", supported_field)

    def _breakdown(self, breakdown: str, category: str, label: str):
        def read(number: int, values: tuple) -> None:
            self.figures.breakdowns[breakdown][category] = self._cohorts(
                number, values, label, lambda cohort: breakdown_field(breakdown, category, cohort))
        return read

    def _cohorts(self, number: int, values: tuple, label: str,
                 field_of: Callable[[str], str]) -> Cohorts:
        counts = {}
        for cohort, column in COHORT_COLUMNS:
            field = field_of(cohort)
            self.where[field] = self._cell(number, column, COHORT_CAPTIONS[cohort], field)
            counts[cohort] = self._count(number, column, values, label) or 0
        return Cohorts(**counts)

    def _count(self, number: int, column: int, values: tuple, label: str,
               problem: str = COUNT_PROBLEM) -> int | None:
        try:
            return _whole_number(values[column - 1])
        except ValueError:
            self._problem(number, column, problem.format(label=label))
            return None

    def _indicator(self, key: str, name: str):
        def read(number: int, values: tuple) -> None:
            field = indicator_field(key)
            self.where[field] = self._cell(number, VALUE, INDICATOR_CAPTION, field)
            self.figures.indicators[key] = self._count(number, VALUE, values, name,
                                                       INDICATOR_PROBLEM)
        return read

    def _spend(self, key: str, title: str):
        def read(number: int, values: tuple) -> None:
            field = spend_field(key)
            self.where[field] = self._cell(number, VALUE, SPEND_CAPTION, field)
            try:
                pence = _pence(values[VALUE - 1])
            except ValueError as error:
                self._problem(number, VALUE, str(error).format(label=title))
                return
            if pence is not None:
                self.figures.spend[key] = pence
        return read

    def _narrative(self, key: str, title: str):
        def read(number: int, values: tuple) -> None:
            # problems_in checks narrative for personal data; the field is the narrative key.
            self.where[key] = self._cell(number, TEXT, title, key)
            self.narrative_cells.add((number, TEXT))
            value = values[TEXT - 1]
            self.figures.narrative[key] = "" if value is None else str(value)
        return read

    def _borough(self, number: int, values: tuple) -> None:
        names = [_text(values[RESIDENCE - 1]), _text(values[SERVICE - 1])]
        counts = [values[NEW - 1], values[CONTINUING - 1]]
        if not any(names) and all(_is_blank(value) or value == 0 for value in counts):
            return
        for column, caption in ((NEW, "New"), (CONTINUING, "Continuing")):
            self._cell(number, column, caption, BOROUGHS_FIELD)
        new, continuing = (self._count(number, column, values, "Boroughs") or 0
                           for column in (NEW, CONTINUING))
        residence = self._borough_code(number, RESIDENCE, names[0])
        service = self._borough_code(number, SERVICE, names[1])
        if residence and service:
            pair = (residence, service)
            self.figures.boroughs[pair] = (self.figures.boroughs.get(pair, Cohorts())
                                           + Cohorts(new, continuing))

    def _borough_code(self, number: int, column: int, name: str) -> str | None:
        caption = RESIDENCE_CAPTION if column == RESIDENCE else SERVICE_CAPTION
        self._cell(number, column, caption, BOROUGHS_FIELD)
        normal = _normal_name(name)
        if not normal:
            self._problem(number, column, f"Choose the {caption.lower()} from the list")
            return None
        if normal == _normal_name(OUTSIDE_LONDON_NAME):
            if column == RESIDENCE:
                return OUTSIDE_LONDON
            self._problem(number, column, "Choose the London borough where they were served. "
                          f"'{OUTSIDE_LONDON_NAME}' is only for where young people live")
            return None
        code = self.codes.get(normal)
        if code is None:
            self._problem(number, column,
                          f"{_quoted(name)} is not a London borough. Choose one from the list")
        return code

    def _cell(self, number: int, column: int, caption: str, field: str | None) -> str:
        where = f"Row {number}, {caption}"
        self.cells[number, column] = (where, field)
        return where

    def _problem(self, number: int, column: int, message: str) -> None:
        where, field = self.cells.get((number, column), (f"Row {number}", None))
        self.problems.append(((number, column), SheetProblem(where, message, field)))

    def _row_problem(self, number: int, message: str) -> None:
        self.problems.append(((number, 0), SheetProblem(f"Row {number}", message, None)))


def _personal_data(return_sheet: Worksheet, sheets: list[Worksheet],
                   reader: _Reader) -> list[tuple[_Place, SheetProblem]]:
    """Personal data in any text cell but the narrative, which problems_in checks.

    Problems on the Return sheet are placed by (row, column); those on other sheets sort
    after it, by a row number beyond any the Return sheet can have.
    """
    found = []
    for index, sheet in enumerate([return_sheet, *[s for s in sheets if s is not return_sheet]]):
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or (
                        index == 0 and (cell.row, cell.column) in reader.narrative_cells):
                    continue
                findings = find_personal_data(cell.value)
                if not findings:
                    continue
                if index == 0:
                    where, field = reader.cells.get(
                        (cell.row, cell.column),
                        (f"Row {cell.row}, column {cell.column_letter}", None))
                    place = (cell.row, cell.column)
                else:
                    where, field = f"{sheet.title} sheet, cell {cell.coordinate}", None
                    place = (index * (MAX_ROWS + 1) + cell.row, cell.column)
                found.append((place, SheetProblem(where, explain(findings, "This cell"), field)))
    return found


# Reading single cells -----------------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_PENNY = Decimal("0.01")
# Excel saves sums it worked out with binary noise (0.1 + 0.2 is saved as
# 0.30000000000000004); an amount this close to a whole penny is that penny.
_NOISE = Decimal("0.000001")


def _decimal(value: Any, *, pounds: bool = False) -> Decimal | None:
    """A number from a cell, None for an empty one. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int, but TRUE is not a count
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if pounds:
            text = text.removeprefix("£").strip()
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        return Decimal(text.replace(",", ""))
    raise ValueError(value)  # a date, a time or anything else openpyxl can return


def _whole_number(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number < 0 or number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _pence(value: Any) -> int | None:
    """Pounds in a cell as exact pence. Raises ValueError with a message to format."""
    try:
        amount = _decimal(value, pounds=True)
        if amount is None:
            return None
        rounded = amount.quantize(_PENNY)
    except (ValueError, InvalidOperation):
        raise ValueError(AMOUNT_PROBLEM) from None
    noise = isinstance(value, float) and abs(rounded - amount) < _NOISE
    if rounded != amount and not noise:
        raise ValueError(PENCE_PROBLEM)
    if rounded < 0:
        raise ValueError(NEGATIVE_SPEND)
    return int(rounded * 100)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normal_name(name: str) -> str:
    """Borough names as people type them: any case, spacing, and '&' for 'and'."""
    return " ".join(name.replace("&", " and ").split()).casefold()


def _quoted(text: str) -> str:
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}…'"
