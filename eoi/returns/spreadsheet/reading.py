"""Reading an uploaded return spreadsheet back into `ReturnFigures`, with every problem
placed at the row and column where a person will find it."""

import re
import warnings
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from eoi import archives
from eoi.archives import Archive, NotAnArchive, UnpacksTooLarge
from eoi.eois.active_content import has_macros
from eoi.returns.figures import (
    BOROUGHS_FIELD,
    BREAKDOWNS,
    NARRATIVES,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
    breakdown_field,
    forecast_field,
    indicator_field,
    problems_in,
    spend_field,
    supported_field,
)
from eoi.returns.privacy import MAX_TEXT_LENGTH, explain, find_personal_data
from eoi.returns.spreadsheet.cells import (
    BelowZero,
    _is_blank,
    _normal_name,
    _pence,
    _quoted,
    _text,
    _whole_number,
    displayed,
)
from eoi.returns.spreadsheet.layout import (
    BOROUGH,
    BOROUGHS_SECTION,
    COHORT_CAPTIONS,
    COHORT_COLUMNS,
    CONTINUING,
    COUNT_PROBLEM,
    DETAIL,
    FORECAST,
    FORECAST_CAPTION,
    GRANT,
    HAS_MACROS,
    INDICATOR,
    INDICATOR_CAPTION,
    INDICATOR_PROBLEM,
    KEY,
    LABEL,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED,
    NARRATIVE,
    NEGATIVE_COUNT,
    NEW,
    NO_RETURN_SHEET,
    NOT_A_RETURN,
    NOT_SAID_WHICH,
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
    TOO_LARGE,
    VALUE,
    SheetProblem,
    SheetReading,
    TemplateContext,
)

# A filled-in template unpacks to well under a megabyte: see MAX_UNPACKED.
_LIMITS = replace(archives.UPLOADS, unpacked_bytes=MAX_UNPACKED)


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
            self.rows[FORECAST + key] = (self._spend(key, title, forecast=True),
                                         f"forecast spend on {title}")
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
        except BelowZero:
            self._problem(number, column, NEGATIVE_COUNT.format(label=label))
            return None
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

    def _spend(self, key: str, title: str, *, forecast: bool = False):
        """Spend to date in a category, or (`forecast`) the rest of the year's forecast."""
        field = forecast_field(key) if forecast else spend_field(key)
        caption = FORECAST_CAPTION if forecast else SPEND_CAPTION
        kept = self.figures.forecast if forecast else self.figures.spend

        def read(number: int, values: tuple) -> None:
            self.where[field] = self._cell(number, VALUE, caption, field)
            try:
                pence = _pence(values[VALUE - 1])
            except ValueError as error:
                self._problem(number, VALUE, str(error).format(label=title))
                return
            if pence is not None:
                kept[key] = pence
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
    """Personal data in any cell but the narrative, which problems_in checks, each cell read
    as it displays (a date cell as 03/04/2010) and each row read whole, so "Date of birth"
    in one cell and the date in the next is found.

    Problems on the Return sheet are placed by (row, column); those on other sheets sort
    after it, by a row number beyond any the Return sheet can have.
    """
    found = []
    for index, sheet in enumerate([return_sheet, *[s for s in sheets if s is not return_sheet]]):
        for row in sheet.iter_rows():
            cells = [(cell, text) for cell in row
                     if not (index == 0 and (cell.row, cell.column) in reader.narrative_cells)
                     and (text := displayed(cell.value, cell.number_format))]
            for cell, findings in _findings_by_cell(cells):
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


def _findings_by_cell(cells: list[tuple[Any, str]]) -> list[tuple[Any, list]]:
    """The row's cells' text joined by tabs and read at once, each finding given to the
    cell it starts in. A row longer than the guard reads is read a cell at a time."""
    joined = "\t".join(text for _, text in cells)
    if len(joined) > MAX_TEXT_LENGTH:
        return [(cell, findings) for cell, text in cells
                if (findings := find_personal_data(text))]
    starts, at = [], 0
    for _, text in cells:
        starts.append(at)
        at += len(text) + 1
    by_cell: dict[int, list] = {}
    for finding in find_personal_data(joined):
        by_cell.setdefault(bisect_right(starts, finding.start) - 1, []).append(finding)
    return [(cells[number][0], findings) for number, findings in sorted(by_cell.items())]
