import csv
import zipfile
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from eoi.returns.figures import (
    BOROUGHS_FIELD,
    BREAKDOWNS,
    NARRATIVES,
    OUTSIDE_LONDON,
    Cohorts,
    ReturnFigures,
    breakdown_field,
    indicator_field,
    problems_in,
    spend_field,
    supported_field,
)
from eoi.returns.spreadsheet import (
    BLANK_BOROUGH_ROWS,
    HAS_MACROS,
    LISTS_SHEET,
    NO_RETURN_SHEET,
    NOT_A_RETURN,
    NOT_SAID_WHICH,
    SheetProblem,
    TemplateContext,
    build_template,
    read_return,
    template_filename,
)

GREENWICH, BEXLEY, HAMMERSMITH, LAMBETH = "E09000011", "E09000004", "E09000013", "E09000022"

CONTEXT = TemplateContext(
    grant_reference="GRT-2026-0003",
    grant_title="Safer Futures in Greenwich and Bexley",
    quarter_label="Q1 2026 to 2027 (April to June 2026)",
    quarter_key="2026-Q1",
    indicators=(
        ("referrals", "Referrals received", "referrals"),
        ("sessions", "Sessions delivered", "sessions"),
    ),
    boroughs=(
        (GREENWICH, "Greenwich"),
        (BEXLEY, "Bexley"),
        (HAMMERSMITH, "Hammersmith and Fulham"),
        (LAMBETH, "Lambeth"),
    ),
    cost_categories=(("staff", "Staff"), ("delivery", "Direct delivery")),
)
INDICATOR_NAMES = {key: name for key, name, _ in CONTEXT.indicators}


def complete_figures() -> ReturnFigures:
    """A consistent return: every breakdown and the boroughs add up to 12 new, 5 continuing."""
    return ReturnFigures(
        supported=Cohorts(12, 5),
        breakdowns={
            "gender": {"female": Cohorts(7, 2), "male": Cohorts(4, 3),
                       "another": Cohorts(1, 0), "not_known": Cohorts(0, 0)},
            "age_band": {"under_13": Cohorts(0, 0), "13_15": Cohorts(6, 1),
                         "16_17": Cohorts(5, 3), "18_24": Cohorts(1, 1)},
            "disability": {"disabled": Cohorts(2, 1), "not_disabled": Cohorts(9, 4),
                           "not_known": Cohorts(1, 0)},
        },
        boroughs={(GREENWICH, GREENWICH): Cohorts(8, 3), (BEXLEY, GREENWICH): Cohorts(2, 1),
                  (OUTSIDE_LONDON, BEXLEY): Cohorts(2, 1)},
        indicators={"referrals": 30, "sessions": 0},
        spend={"staff": 1_250_050, "delivery": 0},
        narrative={
            "progress": "Weekly sessions ran in two youth centres.\nAttendance rose.",
            "challenges": "=Staff sickness in May",  # looks like a formula; must stay text
            "risks": "",
            "case_study": "A young person referred by their school now attends every week.",
        },
    )


def empty_figures() -> ReturnFigures:
    return ReturnFigures(
        breakdowns={key: {category: Cohorts() for category, _ in categories}
                    for key, _, categories in BREAKDOWNS},
        indicators=dict.fromkeys(INDICATOR_NAMES),
        narrative={key: "" for key, _, _ in NARRATIVES},
    )


def open_sheet(content: bytes):
    workbook = load_workbook(BytesIO(content))
    return workbook, workbook["Return"]


def saved(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(sheet, key: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == key)


def borough_rows(sheet) -> list[int]:
    return [row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == "borough"]


def edited(changes: dict[tuple[str, int], object], figures: ReturnFigures | None = None,
           context: TemplateContext = CONTEXT) -> bytes:
    """A template with the cells at (row key, column) changed, as a person would change them."""
    workbook, sheet = open_sheet(build_template(context, figures))
    for (key, column), value in changes.items():
        sheet.cell(row_of(sheet, key), column).value = value
    return saved(workbook)


def read(content: bytes, **kwargs):
    return read_return(content, CONTEXT, **kwargs)


# Round trips -------------------------------------------------------------------------------


def test_a_saved_return_reads_back_the_same_with_no_problems():
    figures = complete_figures()
    reading = read(build_template(CONTEXT, figures), for_submission=False)
    assert reading.problems == []
    assert reading.figures == figures


def test_a_blank_template_reads_as_an_empty_draft():
    reading = read(build_template(CONTEXT))
    assert reading.problems == []
    assert reading.figures == empty_figures()


def test_a_blank_template_submitted_asks_for_what_is_missing_where_it_goes():
    content = build_template(CONTEXT)
    _, sheet = open_sheet(content)
    problems = read(content, for_submission=True).problems
    assert problems[0] == SheetProblem(
        f"Row {row_of(sheet, 'indicator:referrals')}, This quarter",
        "Enter a figure for Referrals received", indicator_field("referrals"))
    assert problems[-1] == SheetProblem(
        f"Row {row_of(sheet, 'narrative:case_study')}, Anonymised case study",
        "Enter the anonymised case study", "case_study")


def test_filling_in_a_blank_template_the_way_a_person_would():
    workbook, sheet = open_sheet(build_template(CONTEXT))
    for key, new, continuing in [
        ("supported", 3, "2"),  # a number typed into a cell formatted as text
        ("gender:female", 2, 1), ("gender:male", 1, 1),
        ("age_band:13_15", 3.0, 2),  # Excel stores every number as a float
        ("disability:not_known", " 3 ", 2),
    ]:
        row = row_of(sheet, key)
        sheet.cell(row, 4).value = new
        sheet.cell(row, 5).value = continuing
    first, second = borough_rows(sheet)[:2]
    sheet.cell(first, 2).value, sheet.cell(first, 3).value = "Greenwich", "Greenwich"
    sheet.cell(first, 4).value, sheet.cell(first, 5).value = 2, 2
    sheet.cell(second, 2).value, sheet.cell(second, 3).value = "Outside London", "Bexley"
    sheet.cell(second, 4).value = 1  # continuing left empty: 0
    sheet.cell(row_of(sheet, "indicator:referrals"), 4).value = 14
    sheet.cell(row_of(sheet, "spend:staff"), 4).value = 1250.5
    sheet.cell(row_of(sheet, "spend:delivery"), 4).value = "£1,000"
    sheet.cell(row_of(sheet, "narrative:progress"), 2).value = "Two groups started."

    reading = read(saved(workbook))

    assert reading.problems == []
    figures = reading.figures
    assert figures.supported == Cohorts(3, 2)
    assert figures.breakdowns["gender"]["female"] == Cohorts(2, 1)
    assert figures.breakdowns["gender"]["another"] == Cohorts(0, 0)
    assert figures.breakdowns["age_band"]["13_15"] == Cohorts(3, 2)
    assert figures.boroughs == {(GREENWICH, GREENWICH): Cohorts(2, 2),
                                (OUTSIDE_LONDON, BEXLEY): Cohorts(1, 0)}
    assert figures.indicators == {"referrals": 14, "sessions": None}
    assert figures.spend == {"staff": 125050, "delivery": 100000}
    assert figures.narrative["progress"] == "Two groups started."


def test_inserting_rows_does_not_stop_the_sheet_being_read():
    figures = complete_figures()
    workbook, sheet = open_sheet(build_template(CONTEXT, figures))
    sheet.insert_rows(row_of(sheet, "gender:male"))
    sheet.insert_rows(row_of(sheet, "spend:staff"), amount=3)
    reading = read(saved(workbook))
    assert reading.problems == []
    assert reading.figures == figures


def test_reordered_rows_still_read_by_their_keys():
    figures = complete_figures()
    workbook, sheet = open_sheet(build_template(CONTEXT, figures))
    female, male = row_of(sheet, "gender:female"), row_of(sheet, "gender:male")
    for column in range(1, 6):
        upper, lower = sheet.cell(female, column), sheet.cell(male, column)
        upper.value, lower.value = lower.value, upper.value
    assert read(saved(workbook)).figures == figures


def test_a_row_inserted_in_the_boroughs_block_is_read_as_boroughs():
    figures = complete_figures()
    workbook, sheet = open_sheet(build_template(CONTEXT, figures))
    row = borough_rows(sheet)[0]
    sheet.insert_rows(row)
    for column, value in enumerate(["Lambeth", "Lambeth", 1, 0], start=2):
        sheet.cell(row, column).value = value
    sheet.cell(row_of(sheet, "supported"), 4).value = 13
    sheet.cell(row_of(sheet, "gender:not_known"), 4).value = 1
    sheet.cell(row_of(sheet, "age_band:under_13"), 4).value = 1
    sheet.cell(row_of(sheet, "disability:not_known"), 4).value = 2

    reading = read(saved(workbook))

    assert reading.problems == []
    assert reading.figures.boroughs[LAMBETH, LAMBETH] == Cohorts(1, 0)


def test_a_row_added_elsewhere_with_something_in_it_is_a_problem():
    workbook, sheet = open_sheet(build_template(CONTEXT, complete_figures()))
    row = row_of(sheet, "gender:male")
    sheet.insert_rows(row)
    sheet.cell(row, 2).value = "Non-binary"
    sheet.cell(row, 4).value = 1
    assert read(saved(workbook)).problems[0] == SheetProblem(
        f"Row {row}",
        "This row was added to the spreadsheet, so what it holds was not read. Move it into "
        "the rows provided, or delete it", None)


def test_unknown_repeated_and_missing_rows_are_problems():
    workbook, sheet = open_sheet(build_template(CONTEXT, complete_figures()))
    unknown = row_of(sheet, "indicator:sessions")
    sheet.cell(unknown, 1).value = "indicator:retired"
    repeated = row_of(sheet, "spend:delivery")
    sheet.cell(repeated, 1).value = "spend:staff"

    problems = read(saved(workbook)).problems

    assert problems[:4] == [
        SheetProblem(f"Row {unknown}", "This row is not part of this return. Delete it, or "
                     "download the spreadsheet again and copy your figures into it", None),
        SheetProblem(f"Row {repeated}", "This row appears more than once. Delete the copy", None),
        SheetProblem("", "The row for Sessions delivered is missing. Download the spreadsheet "
                     "again and copy your figures into it", None),
        SheetProblem("", "The row for spend on Direct delivery is missing. Download the "
                     "spreadsheet again and copy your figures into it", None),
    ]


# Counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["twelve", 2.5, -2.5, True, datetime(2026, 5, 1), "12.5",
                                   "#VALUE!"])
def test_a_count_that_is_not_a_whole_number_is_placed_at_its_row(value):
    content = edited({("gender:female", 4): value}, complete_figures())
    _, sheet = open_sheet(content)
    reading = read(content)
    assert reading.problems[0] == SheetProblem(
        f"Row {row_of(sheet, 'gender:female')}, New",
        "Gender, Female: enter a whole number of young people, like 12",
        breakdown_field("gender", "female", "new"))


@pytest.mark.parametrize("value", [-1, "-3", -3.0])
def test_a_count_below_zero_is_told_as_such_not_as_not_a_whole_number(value):
    content = edited({("gender:female", 4): value}, complete_figures())
    _, sheet = open_sheet(content)
    assert read(content).problems[0] == SheetProblem(
        f"Row {row_of(sheet, 'gender:female')}, New",
        "Gender, Female: enter 0 or more; a count cannot be below 0",
        breakdown_field("gender", "female", "new"))


def test_one_upload_lists_every_problem_at_once():
    """The workshop's upload: a count of -1 and an email address in the case study, both
    reported by the first upload, each at its row."""
    content = edited({("gender:female", 4): -1,
                      ("narrative:case_study", 2): "Write to jane.doe@example.org"},
                     complete_figures())
    _, sheet = open_sheet(content)
    problems = read(content).problems
    assert [p.where for p in problems] == [
        f"Row {row_of(sheet, 'gender:female')}, New",
        f"Row {row_of(sheet, 'narrative:case_study')}, Anonymised case study"]
    assert "cannot be below 0" in problems[0].message
    assert "looks like an email address" in problems[1].message


@pytest.mark.parametrize("value", ["7", " 7 ", 7.0, "7.0"])
def test_numbers_stored_as_text_or_floats_are_read(value):
    reading = read(edited({("gender:female", 4): value}, complete_figures()))
    assert reading.problems == []
    assert reading.figures.breakdowns["gender"]["female"] == Cohorts(7, 2)


def test_an_unreadable_count_still_gives_the_best_figures():
    reading = read(edited({("supported", 5): "five"}, complete_figures()))
    assert reading.problems[0].field == supported_field("continuing")
    assert reading.figures.supported == Cohorts(12, 0)
    assert reading.figures.breakdowns["gender"]["female"] == Cohorts(7, 2)


def test_a_breakdown_that_does_not_add_up_is_placed_at_its_first_row():
    content = edited({("gender:male", 5): 4}, complete_figures())
    _, sheet = open_sheet(content)
    figures = complete_figures()
    figures.breakdowns["gender"]["male"] = Cohorts(4, 4)
    expected = problems_in(figures, indicators=INDICATOR_NAMES, boroughs=dict(CONTEXT.boroughs),
                           for_submission=False)
    assert len(expected) == 1

    assert read(content).problems == [SheetProblem(
        f"Row {row_of(sheet, 'gender:female')}, Continuing", expected[0].message,
        breakdown_field("gender", "female", "continuing"))]


def test_cell_problems_come_first_in_sheet_order_then_the_rules():
    content = edited({("disability:disabled", 4): "x", ("gender:male", 5): "y",
                      ("age_band:16_17", 4): 4}, complete_figures())
    problems = read(content).problems
    assert [problem.field for problem in problems] == [
        breakdown_field("gender", "male", "continuing"),
        breakdown_field("disability", "disabled", "new"),
        # Then the rules: gender and age band no longer add up. Disability does not add up
        # either, but its unreadable cell is the problem to fix, so it is not repeated.
        breakdown_field("gender", "female", "continuing"),
        breakdown_field("age_band", "under_13", "new"),
    ]


# Boroughs -----------------------------------------------------------------------------------


def set_borough(sheet, row: int, residence, service, new=1, continuing=0) -> None:
    for column, value in enumerate([residence, service, new, continuing], start=2):
        sheet.cell(row, column).value = value


def with_borough_row(residence, service, new=1, continuing=0):
    """Moves one new young person from Greenwich/Greenwich onto a row of its own."""
    figures = complete_figures()
    figures.boroughs[GREENWICH, GREENWICH] = Cohorts(7, 3)
    workbook, sheet = open_sheet(build_template(CONTEXT, figures))
    row = borough_rows(sheet)[len(figures.boroughs)]
    set_borough(sheet, row, residence, service, new, continuing)
    return saved(workbook), row


def test_an_unknown_borough_is_named_in_the_problem():
    content, row = with_borough_row("Grenwich", "Greenwich")
    problems = read(content).problems
    assert problems == [SheetProblem(
        f"Row {row}, Borough where they live",
        "'Grenwich' is not a London borough. Choose one from the list", BOROUGHS_FIELD)]


@pytest.mark.parametrize("name", ["Hammersmith & Fulham", " hammersmith  and fulham ",
                                  "HAMMERSMITH&FULHAM"])
def test_borough_names_are_matched_as_people_type_them(name):
    content, _ = with_borough_row(name, "Greenwich")
    reading = read(content)
    assert reading.problems == []
    assert reading.figures.boroughs[HAMMERSMITH, GREENWICH] == Cohorts(1, 0)


def test_outside_london_is_only_for_where_young_people_live():
    content, row = with_borough_row("Greenwich", "Outside London")
    assert read(content).problems == [SheetProblem(
        f"Row {row}, Borough where they were served",
        "Choose the London borough where they were served. 'Outside London' is only for where "
        "young people live", BOROUGHS_FIELD)]


def test_a_borough_row_with_counts_needs_both_boroughs():
    content, row = with_borough_row(None, "Greenwich")
    assert read(content).problems == [SheetProblem(
        f"Row {row}, Borough where they live", "Choose the borough where they live from the list",
        BOROUGHS_FIELD)]


def test_the_same_pair_twice_is_added_together():
    content, _ = with_borough_row("Greenwich", "Greenwich")
    reading = read(content)
    assert reading.problems == []
    assert reading.figures == complete_figures()


def test_boroughs_that_do_not_add_up_point_at_the_boroughs_heading():
    content, _ = with_borough_row("Lambeth", "Lambeth", new=2)
    _, sheet = open_sheet(content)
    assert read(content).problems == [SheetProblem(
        f"Row {row_of(sheet, 'section:boroughs')}, Boroughs",
        "Boroughs: the new young people add up to 13, but the return says 12 new young people "
        "were supported", BOROUGHS_FIELD)]


# Indicators and spend -----------------------------------------------------------------------


def test_an_indicator_that_is_not_a_whole_number():
    content = edited({("indicator:sessions", 4): "lots"}, complete_figures())
    _, sheet = open_sheet(content)
    reading = read(content)
    assert reading.problems == [SheetProblem(
        f"Row {row_of(sheet, 'indicator:sessions')}, This quarter",
        "Sessions delivered: enter a whole number, like 12", indicator_field("sessions"))]
    assert reading.figures.indicators["sessions"] is None


@pytest.mark.parametrize(("value", "pence"), [
    ("1250.50", 125050), ("£1,250.50", 125050), (1250.5, 125050), (1250, 125000),
    ("0", 0), (0.1 + 0.2, 30),  # Excel's arithmetic noise in a sum it worked out
    (None, None), ("  ", None),
])
def test_spend_is_read_as_exact_pence(value, pence):
    reading = read(edited({("spend:staff", 4): value}, complete_figures()))
    assert reading.problems == []
    assert reading.figures.spend.get("staff") == pence


@pytest.mark.parametrize(("value", "message"), [
    (1.005, "Staff: enter the amount in pounds and pence, like 1250.50, with no more than 2 "
            "numbers after the decimal point"),
    ("12.345", "Staff: enter the amount in pounds and pence, like 1250.50, with no more than 2 "
               "numbers after the decimal point"),
    (-5, "Staff: spend must be £0 or more"),
    ("a lot", "Staff: enter the amount in pounds, like 1250.50"),
    ("1" * 40, "Staff: enter the amount in pounds, like 1250.50"),
    (True, "Staff: enter the amount in pounds, like 1250.50"),
])
def test_spend_that_is_not_pounds_and_pence_is_refused(value, message):
    content = edited({("spend:staff", 4): value}, complete_figures())
    _, sheet = open_sheet(content)
    reading = read(content)
    assert reading.problems == [SheetProblem(
        f"Row {row_of(sheet, 'spend:staff')}, Spend to date (£)", message, spend_field("staff"))]
    assert "staff" not in reading.figures.spend


# Personal data ------------------------------------------------------------------------------


def test_an_email_address_in_the_narrative_is_refused_naming_the_field():
    content = edited({("narrative:progress", 2): "Contact jane.doe@example.org for details"},
                     complete_figures())
    _, sheet = open_sheet(content)
    problems = read(content).problems
    assert len(problems) == 1
    assert problems[0].where == f"Row {row_of(sheet, 'narrative:progress')}, Progress this quarter"
    assert problems[0].field == "progress"
    assert problems[0].message.startswith(
        "Progress this quarter contains what looks like an email address")
    assert "jane.doe@example.org" not in problems[0].message


def test_personal_data_anywhere_else_is_refused_without_repeating_it():
    figures = complete_figures()
    workbook, sheet = open_sheet(build_template(CONTEXT, figures))
    row = borough_rows(sheet)[len(figures.boroughs)]
    set_borough(sheet, row, "Mobile 07700 900123", "Greenwich", None, None)
    sheet.cell(row_of(sheet, "gender:female"), 6).value = "born 03/03/2009"
    workbook["Instructions"]["B2"] = "ask sam@example.org"

    problems = read(saved(workbook)).problems

    assert [(problem.where, problem.field) for problem in problems] == [
        (f"Row {row_of(sheet, 'gender:female')}, column F", None),
        (f"Row {row}, Borough where they live", BOROUGHS_FIELD),
        ("Instructions sheet, cell B2", None),
    ]
    assert problems[0].message.startswith("This cell contains what looks like a date of birth")
    assert problems[1].message.startswith("This cell contains what looks like a phone number")
    assert all("900123" not in problem.message and "sam@" not in problem.message
               for problem in problems)


def test_a_date_of_birth_in_a_date_cell_is_found_as_it_displays():
    workbook, sheet = open_sheet(build_template(CONTEXT, complete_figures()))
    notes = workbook["Instructions"]
    notes["B3"], notes["C3"] = "DOB", datetime(2010, 4, 3)
    notes["C3"].number_format = "dd/mm/yyyy"
    notes["B4"], notes["C4"] = "Her mobile", 7700900123
    notes["C4"].number_format = "00000 000000"

    problems = read(saved(workbook)).problems

    assert [(problem.where, problem.message.split(" (")[0]) for problem in problems] == [
        ("Instructions sheet, cell C3", "This cell contains what looks like a date of birth"),
        ("Instructions sheet, cell C4", "This cell contains what looks like a phone number"),
    ]
    assert all("900123" not in problem.message and "04/20" not in problem.message
               for problem in problems)


# Files that are not this return -------------------------------------------------------------


def refused(content: bytes) -> list[SheetProblem]:
    reading = read(content)
    assert reading.figures is None
    return reading.problems


def test_a_spreadsheet_for_another_grant_or_quarter_is_refused():
    other_grant = replace(CONTEXT, grant_reference="GRT-2026-0001", quarter_key="2026-Q2")
    assert refused(build_template(other_grant)) == [SheetProblem(
        "", "This spreadsheet is for GRT-2026-0001, quarter 2026-Q2, not for GRT-2026-0003, "
        "quarter 2026-Q1 (Q1 2026 to 2027 (April to June 2026)). Download the spreadsheet for "
        "this return and enter your figures in it", None)]
    other_quarter = replace(CONTEXT, quarter_key="2026-Q2")
    assert "is for GRT-2026-0003, quarter 2026-Q2, not for" in (
        refused(build_template(other_quarter))[0].message)


def test_a_quarter_code_that_is_not_plain_is_not_repeated():
    message = refused(edited({("quarter", 3): "call 07700 900123"}))[0].message
    assert message.startswith("This spreadsheet is for a different grant or quarter, not for")


@pytest.mark.parametrize("key", ["grant", "quarter"])
def test_a_spreadsheet_that_does_not_say_which_return_is_refused(key):
    assert refused(edited({(key, 3): None})) == [SheetProblem("", NOT_SAID_WHICH, None)]


def test_a_workbook_without_the_return_sheet_is_refused():
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    assert refused(saved(workbook)) == [SheetProblem("", NO_RETURN_SHEET, None)]


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    b"",
    b"\x00\x01 not a spreadsheet at all" * 50,
    b"Name,New\nFemale,12\n",
    zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    zip_of({"xl/workbook.xml": b"<not really"}),
])
def test_a_file_that_is_not_a_spreadsheet_is_refused(content):
    assert refused(content) == [SheetProblem("", NOT_A_RETURN, None)]


def test_a_macro_enabled_workbook_is_refused():
    with zipfile.ZipFile(BytesIO(build_template(CONTEXT))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macros"
    assert refused(zip_of(parts)) == [SheetProblem("", HAS_MACROS, None)]


# The template itself ------------------------------------------------------------------------


def london_boroughs() -> list[tuple[str, str]]:
    path = Path(__file__).parents[2] / "eoi/reference/data/london-local-authorities.csv"
    with path.open(newline="") as file:
        return [(row["gss_code"], row["name"]) for row in csv.DictReader(file)]


def test_the_template_offers_all_33_boroughs_in_dropdowns():
    boroughs = london_boroughs()
    assert len(boroughs) == 33
    context = replace(CONTEXT, boroughs=boroughs)
    workbook, sheet = open_sheet(build_template(context))

    assert workbook.sheetnames == ["Return", "Instructions", LISTS_SHEET]
    assert workbook.active.title == "Return"
    lists = workbook[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    residences = [lists.cell(row, 1).value for row in range(1, 35)]
    assert residences == [name for _, name in boroughs] + ["Outside London"]
    assert lists.cell(34, 2).value is None
    assert sheet.column_dimensions["A"].hidden

    validations = {str(v.formula1): v for v in sheet.data_validations.dataValidation}
    first = borough_rows(sheet)[0]
    assert f"B{first}" in validations["Lists!$A$1:$A$34"]
    assert f"C{first}" in validations["Lists!$B$1:$B$33"]
    whole = next(v for v in sheet.data_validations.dataValidation if v.type == "whole")
    assert f"D{row_of(sheet, 'gender:female')}" in whole
    assert len(borough_rows(sheet)) == BLANK_BOROUGH_ROWS
    assert read_return(build_template(context), context).problems == []


def test_input_cells_are_unlocked_and_labels_are_not():
    _, sheet = open_sheet(build_template(CONTEXT))
    row = row_of(sheet, "supported")
    assert not sheet.cell(row, 4).protection.locked
    assert sheet.cell(row, 2).protection.locked
    assert sheet.cell(row_of(sheet, "section:gender"), 2).font.bold


def test_a_saved_return_keeps_its_borough_rows_and_leaves_blank_ones_after():
    figures = complete_figures()
    _, sheet = open_sheet(build_template(CONTEXT, figures))
    rows = borough_rows(sheet)
    assert len(rows) == len(figures.boroughs) + BLANK_BOROUGH_ROWS
    assert [sheet.cell(rows[2], column).value for column in range(2, 6)] == [
        "Outside London", "Bexley", 2, 1]


def test_narrative_that_looks_like_a_formula_stays_text():
    _, sheet = open_sheet(build_template(CONTEXT, complete_figures()))
    cell = sheet.cell(row_of(sheet, "narrative:challenges"), 2)
    assert cell.data_type == "s"
    assert cell.value == "=Staff sickness in May"


def test_the_suggested_filename():
    assert template_filename(CONTEXT) == "GRT-2026-0003-2026-Q1-return.xlsx"


# Property: any consistent return survives the trip, with the web form's own problems -------


def split(total: int, parts: int):
    """Strategy: `parts` non-negative whole numbers adding up to `total`."""
    return st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), total],
                                            strict=True)])


CODES = [code for code, _ in CONTEXT.boroughs]
NARRATIVE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\n"),
    max_size=80)


@st.composite
def consistent_figures(draw) -> ReturnFigures:
    supported = Cohorts(draw(st.integers(0, 300)), draw(st.integers(0, 300)))
    breakdowns = {}
    for key, _, categories in BREAKDOWNS:
        news = draw(split(supported.new, len(categories)))
        continuings = draw(split(supported.continuing, len(categories)))
        breakdowns[key] = {category: Cohorts(new, continuing) for (category, _), new, continuing
                           in zip(categories, news, continuings, strict=True)}
    pairs = draw(st.lists(st.tuples(st.sampled_from([*CODES, OUTSIDE_LONDON]),
                                    st.sampled_from(CODES)),
                          min_size=1, max_size=6, unique=True))
    news = draw(split(supported.new, len(pairs)))
    continuings = draw(split(supported.continuing, len(pairs)))
    return ReturnFigures(
        supported=supported,
        breakdowns=breakdowns,
        boroughs={pair: Cohorts(new, continuing)
                  for pair, new, continuing in zip(pairs, news, continuings, strict=True)},
        indicators={key: draw(st.none() | st.integers(0, 99_990)) for key in INDICATOR_NAMES},
        spend={key: pence for key, pence in draw(st.dictionaries(
            st.sampled_from([key for key, _ in CONTEXT.cost_categories]),
            st.integers(0, 10**11))).items()},
        narrative={key: draw(NARRATIVE_TEXT) for key, _, _ in NARRATIVES},
    )


@settings(max_examples=40, deadline=None)
@given(consistent_figures(), st.booleans())
def test_any_consistent_return_round_trips_with_the_web_forms_problems(figures, submitting):
    reading = read(build_template(CONTEXT, figures), for_submission=submitting)
    assert reading.figures == figures
    expected = problems_in(figures, indicators=INDICATOR_NAMES, boroughs=dict(CONTEXT.boroughs),
                           for_submission=submitting)
    assert [(p.field, p.message) for p in reading.problems] == [
        (p.field, p.message) for p in expected]
    assert all(p.where for p in reading.problems)
