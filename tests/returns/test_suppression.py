import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eoi.returns.suppression import (
    HIDDEN,
    SUPPRESSED,
    TOTAL,
    Cell,
    SuppressedTable,
    is_protected,
    recoverable_cells,
    suppress_row,
    suppress_table,
)


def shown(cells: list[Cell]) -> list[str]:
    return [cell.shown for cell in cells]


def shown_cell(value: int) -> Cell:
    return Cell(value, f"{value:,}", False, None)


def small_cell() -> Cell:
    return Cell(None, SUPPRESSED, True, "small")


def hidden_cell(value: int) -> Cell:
    if 0 < value < 5:
        return small_cell()
    return Cell(None, HIDDEN, True, "complementary")


def test_a_small_count_and_the_smallest_other_cell_are_hidden():
    cells, total = suppress_row([12, 3, 0, 20])

    assert shown(cells) == [HIDDEN, SUPPRESSED, "0", "20"]
    assert [cell.reason for cell in cells] == ["complementary", "small", None, None]
    assert total == Cell(35, "35", False, None)


def test_a_row_whose_total_is_small_hides_the_total_too():
    cells, total = suppress_row([3, 0, 0])

    assert shown(cells) == [SUPPRESSED, "0", "0"]
    assert total == Cell(None, SUPPRESSED, True, "small")


def test_with_only_zeros_beside_a_small_count_the_total_is_hidden_instead():
    # The other 7 are in no listed column, so the total is not small.
    cells, total = suppress_row([3, 0, 0], total=10)

    assert shown(cells) == [SUPPRESSED, "0", "0"]
    assert total == Cell(None, HIDDEN, True, "complementary")


def test_a_complement_too_small_to_protect_is_passed_over():
    # Hiding the 5 would leave 1 + 5 = 6, and a hidden figure is at least 5: the 1 shows.
    cells, total = suppress_row([1, 5, 10])

    assert shown(cells) == [SUPPRESSED, "5", HIDDEN]
    assert total.shown == "16"


def test_small_counts_that_add_up_to_too_little_need_a_complement():
    # 1 + 1 = 2 with each at least 1: both would be known to be 1.
    cells, _ = suppress_row([1, 1, 10])

    assert shown(cells) == [SUPPRESSED, SUPPRESSED, HIDDEN]


def test_large_counts_are_shown_with_thousands_separators():
    cells, total = suppress_row([1200, 0, 35])

    assert shown(cells) == ["1,200", "0", "35"]
    assert total == Cell(1235, "1,235", False, None)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        suppress_row([3, -1])


RESIDENCE_BY_SERVICE = {
    "Camden": {"Camden": 12, "Islington": 3, "Hackney": 9},
    "Islington": {"Camden": 7, "Islington": 15, "Hackney": 6},
    "Hackney": {"Camden": 0, "Islington": 8, "Hackney": 11},
}


def test_a_two_way_table_hides_a_rectangle_around_the_small_count():
    # Hiding 9 protects the 3 along its row, and 8 along its column; then 11 protects
    # the 9 and the 8 in turn. Each of the four is in a row and a column with another.
    table = suppress_table(RESIDENCE_BY_SERVICE)

    assert {row: shown(list(cells.values())) for row, cells in table.cells.items()} == {
        "Camden": ["12", SUPPRESSED, HIDDEN],
        "Islington": ["7", "15", "6"],
        "Hackney": ["0", HIDDEN, HIDDEN],
    }
    assert shown(list(table.row_totals.values())) == ["24", "28", "19"]
    assert shown(list(table.column_totals.values())) == ["19", "26", "26"]
    assert table.grand_total.shown == "71"
    assert is_protected(table)
    assert recoverable_cells(table, RESIDENCE_BY_SERVICE) == set()


def test_a_lone_suppression_is_not_protected():
    lone = SuppressedTable(
        cells={"Camden": {"Camden": shown_cell(12), "Islington": small_cell()}},
        row_totals={"Camden": shown_cell(15)},
        column_totals={"Camden": shown_cell(12), "Islington": small_cell()},
        grand_total=shown_cell(15),
    )

    assert not is_protected(lone)


def test_recoverable_cells_works_a_small_count_out_of_a_total():
    original = {"Camden": {"Camden": 12, "Islington": 3}, "Hackney": {"Camden": 6, "Islington": 9}}
    leaky = SuppressedTable(
        cells={
            "Camden": {"Camden": shown_cell(12), "Islington": small_cell()},
            "Hackney": {"Camden": shown_cell(6), "Islington": shown_cell(9)},
        },
        row_totals={"Camden": shown_cell(15), "Hackney": shown_cell(15)},
        column_totals={"Camden": shown_cell(18), "Islington": shown_cell(12)},
        grand_total=shown_cell(30),
    )

    assert recoverable_cells(leaky, original) == {("Camden", "Islington")}


def test_four_ones_under_a_total_of_four_cannot_be_protected_and_are_reported():
    # Zeros are shown, so four "fewer than 5" cells under a "fewer than 5" total are all 1.
    # Hiding more cannot help; the honest answer is to say so (and merge categories).
    counts = {"Camden": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 0}, "Hackney": {"a": 20, "e": 9}}

    table = suppress_table(counts)

    assert ("Camden", "a") in recoverable_cells(table, counts)
    assert is_protected(table)


# Properties over random tables ------------------------------------------------

BOROUGHS = ["Camden", "Hackney", "Islington", "Lambeth", "Newham"]


@st.composite
def tables(draw) -> dict[str, dict[str, int]]:
    rows = draw(st.integers(1, 5))
    columns = draw(st.integers(1, 5))
    counts = st.integers(0, 30)
    return {
        residence: {service: draw(counts) for service in BOROUGHS[:columns]}
        for residence in BOROUGHS[:rows]
    }


def figures(table: SuppressedTable, original: dict[str, dict[str, int]]):
    """Every published figure beside its true value: (key, cell, value)."""
    columns = list(next(iter(original.values())))
    for row, counts in original.items():
        for column in columns:
            yield (row, column), table.cells[row][column], counts[column]
        yield (row, TOTAL), table.row_totals[row], sum(counts.values())
    for column in columns:
        total = sum(counts[column] for counts in original.values())
        yield (TOTAL, column), table.column_totals[column], total
    grand_total = sum(sum(counts.values()) for counts in original.values())
    yield (TOTAL, TOTAL), table.grand_total, grand_total


def everything_hidden(table: SuppressedTable, original) -> SuppressedTable:
    """The most any suppression could do: hide every figure that is not zero."""
    hidden = {
        key: cell if value == 0 else hidden_cell(value)
        for key, cell, value in figures(table, original)
    }
    return SuppressedTable(
        cells={
            row: {column: hidden[row, column] for column in table.cells[row]} for row in table.cells
        },
        row_totals={row: hidden[row, TOTAL] for row in table.row_totals},
        column_totals={column: hidden[TOTAL, column] for column in table.column_totals},
        grand_total=hidden[TOTAL, TOTAL],
    )


def worked_out_by_subtraction(table: SuppressedTable, original) -> set:
    """An attacker with only subtraction, written independently of the module."""
    known = {key: cell.value for key, cell, _ in figures(table, original) if not cell.suppressed}
    rows, columns = list(table.cells), list(table.column_totals)
    lines = [([(row, column) for column in columns], (row, TOTAL)) for row in rows]
    lines += [([(row, column) for row in rows], (TOTAL, column)) for column in columns]
    lines += [([(row, TOTAL) for row in rows], (TOTAL, TOTAL))]
    lines += [([(TOTAL, column) for column in columns], (TOTAL, TOTAL))]
    worked_out = set()
    progress = True
    while progress:
        progress = False
        for parts, total in lines:
            unknown = [key for key in [*parts, total] if key not in known]
            if len(unknown) == 1:
                [key] = unknown
                rest = sum(known[part] for part in parts if part != key)
                known[key] = known[total] - rest if key != total else rest
                worked_out.add(key)
                progress = True
    return worked_out


@settings(max_examples=150, deadline=None)
@given(tables())
def test_suppressed_tables_are_safe_to_publish(original):
    table = suppress_table(original)

    for _, cell, value in figures(table, original):
        if cell.suppressed:
            assert cell.value is None
            assert cell.shown == (SUPPRESSED if 0 < value < 5 else HIDDEN)
        else:
            assert not 0 < value < 5
            assert (cell.value, cell.shown) == (value, f"{value:,}")
        if value == 0:
            assert cell.shown == "0"
    assert is_protected(table)
    assert worked_out_by_subtraction(table, original) == set()
    # Anything still recoverable would be recoverable however much was hidden, and that
    # needs four 1s under a total of 4 somewhere.
    recoverable = recoverable_cells(table, original)
    assert recoverable <= recoverable_cells(everything_hidden(table, original), original)
    if not any(value == 4 for key, _, value in figures(table, original) if TOTAL in key):
        assert recoverable == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=4))
def test_no_small_count_in_a_row_has_only_one_possible_value(counts):
    cells, total = suppress_row(counts)

    for cell, value in zip([*cells, total], [*counts, sum(counts)], strict=True):
        if cell.suppressed:
            assert cell.value is None
        else:
            assert not 0 < value < 5
            assert (cell.value, cell.shown) == (value, f"{value:,}")
    if counts == [1, 1, 1, 1]:
        return  # the one row nothing can protect: four 1s under a total of 4
    for position, cell in enumerate(cells):
        if cell.reason == "small":
            assert len(possible_values(cells, total, position)) > 1


def possible_values(cells: list[Cell], total: Cell, position: int) -> set[int]:
    """Brute force: every value the cell could take, given only what is published."""
    ceiling = total.value if total.value is not None else 100
    options = [[value for value in range(ceiling + 1) if could_be(cell, value)] for cell in cells]
    guesses = itertools.product(*options)
    return {guess[position] for guess in guesses if could_be(total, sum(guess))}


def could_be(cell: Cell, value: int) -> bool:
    if not cell.suppressed:
        return value == cell.value
    return 0 < value < 5 if cell.reason == "small" else value >= 5
