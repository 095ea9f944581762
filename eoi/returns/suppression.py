"""Small-count suppression for figures that leave MOPAC, protected against the totals.

A count of 1 to 4 young people is published as "fewer than 5". That alone is not enough:
with a row's total and its other cells shown, a suppressed cell is a subtraction away.
So further figures are hidden ("complementary" suppression) until no small count can be
worked out from what is published.

"Worked out" is taken the way an outsider who knows these rules would: a "fewer than 5"
is between 1 and 4 (zeros are shown), a "hidden" figure is at least 5, and every row
and column adds up to its total. Bounds are pushed through those sums until they settle;
a figure whose bounds meet is recoverable. This catches more than subtraction does:
two "fewer than 5" cells summing to 2 must both be 1. (It is not a full linear-programming
attack, which could in rare cases narrow things further.)

One case no amount of hiding fixes while zeros are shown: a line whose total is 4 made
of four non-zero cells, which must all be 1. `recoverable_cells` reports it; the fix is
to merge categories before publishing.
"""

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

SMALLEST_SHOWN = 5
SUPPRESSED = "fewer than 5"
HIDDEN = "hidden"
TOTAL = None  # stands for the total in a (row, column) key: (row, TOTAL) is a row's total

SMALL = "small"
COMPLEMENTARY = "complementary"
_RANGE_OF = {SMALL: (1, SMALLEST_SHOWN - 1), COMPLEMENTARY: (SMALLEST_SHOWN, math.inf)}

# A figure's key: its position (or "total") in a row; (row, column) in a table.
K = TypeVar("K", bound=Hashable)
TableKey = tuple[str | None, str | None]  # TOTAL in place of the row or column for a margin
Bounds = tuple[float, float]


@dataclass(frozen=True)
class Cell:
    """One published figure. A suppressed cell carries no value, so it cannot leak later."""

    value: int | None
    shown: str
    suppressed: bool
    reason: str | None  # SMALL, COMPLEMENTARY or None


@dataclass(frozen=True)
class SuppressedTable:
    cells: dict[str, dict[str, Cell]]
    row_totals: dict[str, Cell]
    column_totals: dict[str, Cell]
    grand_total: Cell


@dataclass(frozen=True)
class _Line(Generic[K]):
    """Figures that add up: the parts, plus a known offset, make the total."""

    parts: tuple[K, ...]
    total: K
    offset: int = 0

    @property
    def entries(self) -> tuple[K, ...]:
        return (*self.parts, self.total)


def suppress_row(counts: Sequence[int], total: int | None = None) -> tuple[list[Cell], Cell]:
    """Cells for one row and its total.

    A total given explicitly may differ from the sum (people counted under several
    headings, or under none listed); the difference is treated as public knowledge,
    the cautious assumption.
    """
    total = sum(counts) if total is None else total
    _check_counts([*counts, total])
    values: dict[int | str, int] = {position: count for position, count in enumerate(counts)}
    values["total"] = total
    line: _Line[int | str] = _Line(tuple(range(len(counts))), "total",
                                   offset=total - sum(counts))
    reasons = _protect(values, [line])
    cells = [_cell(values[key], reasons.get(key)) for key in values]
    return cells[:-1], cells[-1]


def suppress_table(rows: Mapping[str, Mapping[str, int]]) -> SuppressedTable:
    """Suppress a two-way table (say borough of residence by borough of service).

    A column missing from a row counts as zero.
    """
    values = _with_totals(rows)
    _check_counts(values.values())
    reasons = _protect(values, _lines(values))
    return _table({key: _cell(value, reasons.get(key)) for key, value in values.items()})


def is_protected(table: SuppressedTable) -> bool:
    """No row or column, taken with its total, has exactly one suppressed figure.

    The margins count as lines too: the row totals add up to the grand total, and
    so do the column totals.
    """
    published = _published(table)
    return all(
        sum(published[key].suppressed for key in line.entries) != 1 for line in _lines(published)
    )


def recoverable_cells(
    table: SuppressedTable, original: Mapping[str, Mapping[str, int]]
) -> set[TableKey]:
    """Small counts an outsider could work out exactly, as (row, column) keys.

    Totals are included, with TOTAL in place of the row or column. `original` is the
    table before suppression: every value worked out is checked against it, so what
    is reported is a real disclosure and not a mistake in the reasoning.
    """
    published = _published(table)
    shown_values = {key: cell.value or 0 for key, cell in published.items()}
    reasons = {key: cell.reason for key, cell in published.items() if cell.reason}
    true_values = _with_totals(original)
    recovered: set[TableKey] = set()
    for key, value in _recoverable(shown_values, _lines(published), reasons).items():
        if value != true_values[key]:
            raise ValueError(f"{key} works out as {value}, not {true_values[key]}")
        if reasons[key] == SMALL:
            recovered.add(key)
    return recovered


def _protect(values: Mapping[K, int], lines: Sequence[_Line[K]]) -> dict[K, str]:
    """Why each figure that must not be shown is suppressed, keyed like `values`."""
    reasons = {key: SMALL for key, value in values.items() if _is_small(value)}
    # Figures that stay recoverable even with every non-zero figure hidden: hiding
    # more for their sake would only blank the table.
    everything_hidden = {key: _reason_if_hidden(value) for key, value in values.items() if value}
    beyond_help = _recoverable(values, lines, everything_hidden)
    while (complement := _next_complement(values, lines, reasons, beyond_help)) is not None:
        reasons[complement] = COMPLEMENTARY
    return reasons


def _next_complement(
    values: Mapping[K, int],
    lines: Sequence[_Line[K]],
    reasons: Mapping[K, str],
    beyond_help: Collection[K],
) -> K | None:
    # First the classic rule: no line may have a lone suppressed figure.
    for line in lines:
        suppressed = [key for key in line.entries if key in reasons]
        candidates = _candidates(values, reasons, [line])
        if len(suppressed) == 1 and candidates:
            return _choose(values, lines, reasons, candidates, suppressed[0])
    # Then anything still recoverable through the bounds.
    for key in _recoverable(values, lines, reasons):
        if key in beyond_help:
            continue
        nearby = [line for line in lines if key in line.entries]
        candidates = _candidates(values, reasons, nearby) or _candidates(values, reasons, lines)
        return _choose(values, lines, reasons, candidates, key)
    return None


def _candidates(
    values: Mapping[K, int], reasons: Mapping[K, str], lines: Sequence[_Line[K]]
) -> list[K]:
    """Figures that could be hidden, smallest first (first in order on a tie).

    Cells come before totals: a hidden total takes more away from readers. Zeros
    never qualify; a hidden zero protects nothing once zeros are known to be shown.
    """
    parts = dict.fromkeys(key for line in lines for key in line.parts)
    totals = dict.fromkeys(line.total for line in lines if line.total not in parts)

    def eligible(keys: Mapping[K, None]) -> list[K]:
        return sorted((key for key in keys if values[key] and key not in reasons),
                      key=values.__getitem__)

    return eligible(parts) + eligible(totals)


def _choose(
    values: Mapping[K, int],
    lines: Sequence[_Line[K]],
    reasons: Mapping[K, str],
    candidates: Sequence[K],
    exposed: K,
) -> K:
    """The smallest candidate that stops `exposed` being recoverable, else the smallest.

    Smallest alone is not enough: hiding a 5 beside a "fewer than 5" in a row totalling
    16 leaves 1 + 5, and since a hidden figure is at least 5 the small one must be 1.
    """
    for candidate in candidates:
        if exposed not in _recoverable(values, lines, {**reasons, candidate: COMPLEMENTARY}):
            return candidate
    return candidates[0]


def _recoverable(
    values: Mapping[K, int], lines: Sequence[_Line[K]], reasons: Mapping[K, str]
) -> dict[K, int]:
    """Suppressed figures whose exact value follows from what would be published.

    `values` is only read where there is no reason to suppress: that is what is shown.
    """
    published = {
        key: _RANGE_OF[reasons[key]] if key in reasons else (value, value)
        for key, value in values.items()
    }
    bounds = _settle(published, lines)
    return {key: int(low) for key, (low, high) in bounds.items() if key in reasons and low == high}


def _settle(bounds: Mapping[K, Bounds], lines: Sequence[_Line[K]]) -> dict[K, Bounds]:
    """Tighten every figure's bounds through the sums until nothing changes."""
    bounds = dict(bounds)
    changed = True
    while changed:
        changed = False
        for line in lines:
            for key in line.entries:
                low, high = _implied_by(line, key, bounds)
                tightened = (max(bounds[key][0], low), min(bounds[key][1], high))
                if tightened != bounds[key]:
                    bounds[key] = tightened
                    changed = True
    return bounds


def _implied_by(line: _Line[K], key: K, bounds: Mapping[K, Bounds]) -> Bounds:
    """What the line's sum says about one of its figures, given the others' bounds."""
    if key == line.total:
        parts = [bounds[part] for part in line.parts]
        return (
            sum(low for low, _ in parts) + line.offset,
            sum(high for _, high in parts) + line.offset,
        )
    others = [bounds[part] for part in line.parts if part != key]
    total_low, total_high = bounds[line.total]
    return (
        total_low - line.offset - sum(high for _, high in others),
        total_high - line.offset - sum(low for low, _ in others),
    )


def _is_small(value: int) -> bool:
    return 0 < value < SMALLEST_SHOWN


def _reason_if_hidden(value: int) -> str:
    return SMALL if _is_small(value) else COMPLEMENTARY


def _check_counts(counts: Iterable[int]) -> None:
    if any(count < 0 for count in counts):
        raise ValueError("counts of young people cannot be negative")


def _cell(value: int, reason: str | None) -> Cell:
    if reason is None:
        return Cell(value, f"{value:,}", False, None)
    return Cell(None, SUPPRESSED if reason == SMALL else HIDDEN, True, reason)


def _with_totals(rows: Mapping[str, Mapping[str, int]]) -> dict[TableKey, int]:
    """Every figure of the table keyed (row, column), with TOTAL standing for a margin."""
    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    values: dict[TableKey, int] = {
        (row, column): counts.get(column, 0) for row, counts in rows.items() for column in columns
    }
    for row in rows:
        values[row, TOTAL] = sum(values[row, column] for column in columns)
    for column in [*columns, TOTAL]:
        values[TOTAL, column] = sum(values[row, column] for row in rows)
    return values


def _lines(figures: Mapping[TableKey, object]) -> list[_Line[TableKey]]:
    """Each row, each column, and the two margins, for a table keyed like _with_totals."""
    rows: list[str | None] = [row for row, column in figures
                              if row is not TOTAL and column is TOTAL]
    columns: list[str | None] = [column for row, column in figures
                                 if row is TOTAL and column is not TOTAL]
    return (
        [_Line(tuple((row, column) for column in columns), (row, TOTAL)) for row in rows]
        + [_Line(tuple((row, column) for row in rows), (TOTAL, column)) for column in columns]
        + [
            _Line(tuple((row, TOTAL) for row in rows), (TOTAL, TOTAL)),
            _Line(tuple((TOTAL, column) for column in columns), (TOTAL, TOTAL)),
        ]
    )


def _table(cells: Mapping[TableKey, Cell]) -> SuppressedTable:
    rows = [row for row, column in cells if row is not TOTAL and column is TOTAL]
    columns = [column for row, column in cells if row is TOTAL and column is not TOTAL]
    return SuppressedTable(
        cells={row: {column: cells[row, column] for column in columns} for row in rows},
        row_totals={row: cells[row, TOTAL] for row in rows},
        column_totals={column: cells[TOTAL, column] for column in columns},
        grand_total=cells[TOTAL, TOTAL],
    )


def _published(table: SuppressedTable) -> dict[TableKey, Cell]:
    """The table's cells keyed like _with_totals."""
    published: dict[TableKey, Cell] = {
        (row, column): cell for row, cells in table.cells.items() for column, cell in cells.items()
    }
    published.update({(row, TOTAL): cell for row, cell in table.row_totals.items()})
    published.update({(TOTAL, column): cell for column, cell in table.column_totals.items()})
    published[TOTAL, TOTAL] = table.grand_total
    return published
