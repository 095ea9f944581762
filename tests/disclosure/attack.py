"""The attacker, written apart from eoi.disclosure: it reads only the tables as printed
(the text of each cell) and what anyone knows of their shape, and asks an integer
programme how far each withheld small count can be narrowed.

What it knows: each row and column of a table adds up to its total; a report's gender,
age band and disability tables have the same column totals, and all its tables the same
grand total; the programme's tables add up the grants' tables cell by cell (a row or
column a grant does not print is 0 there); "[c]" is a count of at least 1; no count is
above 9,999 per grant.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

WITHHELD = "[c]"
MOST = 9999


@dataclass(frozen=True)
class Printed:
    """A printed table: (row, column) -> text, "Total" naming the margins."""

    scope: str  # a grant reference, or "programme"
    kind: str  # gender, age_band, disability, boroughs
    cells: Mapping[tuple[str, str], str]


def printed(scope: str, table) -> Printed:
    """What eoi.reports.published.PublishedTable prints, as text only."""
    cells = {}
    for title, row, total in table.rows:
        for column, cell in zip(table.columns, row, strict=True):
            cells[title, column] = cell.shown
        cells[title, "Total"] = total.shown
    for column, cell in zip(table.columns, table.column_totals, strict=True):
        cells["Total", column] = cell.shown
    cells["Total", "Total"] = table.grand_total.shown
    return Printed(scope, table.key, cells)


def narrowed(tables: Sequence[Printed], truth: Mapping[tuple[str, str, str, str], int]
             ) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    """Every count whose true value (from `truth`, keyed (scope, kind, row, column)) is 1
    to 4, printed as withheld or not printed at all, that the attack narrows to fewer
    than five values, with the range it finds.

    When the attacker holds the programme's tables but not every grant's report, what the
    reports they hold leave of the programme is a scope of its own, "rest": the reports
    they do not hold, added up, which add up like any report."""
    index: dict[tuple[str, str, str, str], int] = {}
    rows: list[dict[int, float]] = []
    bounds: list[tuple[float, float]] = []

    def term(key: tuple[str, str, str, str]) -> int:
        return index.setdefault(key, len(index))

    def require(row: dict[int, float], low: float, high: float) -> None:
        rows.append(row)
        bounds.append((low, high))

    def equal(left: list[int], right: list[int]) -> None:
        row: dict[int, float] = {}
        for t in left:
            row[t] = row.get(t, 0) + 1
        for t in right:
            row[t] = row.get(t, 0) - 1
        require(row, 0, 0)

    shapes: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for table in tables:
        shapes[table.scope, table.kind] = set(table.cells)
        for key, text in table.cells.items():
            if text == WITHHELD:
                require({term((table.scope, table.kind, *key)): 1}, 1, np.inf)
            else:
                value = int(text.replace(",", ""))
                require({term((table.scope, table.kind, *key)): 1}, value, value)
    programme = {t.kind: t for t in tables if t.scope == "programme"}
    held = sorted({t.scope for t in tables if t.scope != "programme"})
    missing = truth.get(("rest", "", "", ""), 0)  # how many reports the attacker lacks
    if programme and missing:
        for kind, table in programme.items():
            shapes["rest", kind] = set(table.cells)
    for (scope, kind), cells in shapes.items():
        row_titles = {r for r, _ in cells}
        column_titles = {c for _, c in cells}
        for r in row_titles:
            equal([term((scope, kind, r, c)) for c in column_titles if c != "Total"],
                  [term((scope, kind, r, "Total"))])
        for c in column_titles:
            equal([term((scope, kind, r, c)) for r in row_titles if r != "Total"],
                  [term((scope, kind, "Total", c))])
    for scope in {scope for scope, _ in shapes}:
        kinds = [kind for s, kind in shapes if s == scope]
        grand = [term((scope, kind, "Total", "Total")) for kind in kinds]
        for other in grand[1:]:
            equal([grand[0]], [other])
        for column in ("New", "Continuing"):
            totals = [term((scope, kind, "Total", column)) for kind in kinds
                      if kind != "boroughs"]
            for other in totals[1:]:
                equal([totals[0]], [other])
    for kind, table in programme.items():
        for key in table.cells:
            parts = [term((g, kind, *key)) for g in held if key in shapes.get((g, kind), ())]
            if missing:
                parts.append(term(("rest", kind, *key)))
            equal(parts, [term(("programme", kind, *key))])

    size = len(index)
    matrix = np.zeros((len(rows), size))
    for i, row in enumerate(rows):
        for t, coefficient in row.items():
            matrix[i, t] = coefficient
    constraint = LinearConstraint(matrix, [b[0] for b in bounds], [b[1] for b in bounds])
    printed_text = {(t.scope, t.kind, *key): text for t in tables for key, text in t.cells.items()}
    found = {}
    for key, t in index.items():
        if printed_text.get(key, WITHHELD) != WITHHELD or not 0 < truth.get(key, 0) < 5:
            continue
        extremes = []
        for sign in (1, -1):
            objective = np.zeros(size)
            objective[t] = sign
            result = milp(objective, integrality=np.ones(size),
                          bounds=Bounds(0, MOST * (len(held) + missing)),
                          constraints=constraint)
            assert result.status == 0, result.message
            extremes.append(round(sign * result.fun))
        if extremes[1] - extremes[0] + 1 < 5:
            found[key] = (extremes[0], extremes[1])
    return found
