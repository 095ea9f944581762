"""Figures about young people as they may leave MOPAC: added up over returns, and with
small counts suppressed so that no total gives them away (eoi.returns.suppression).

Used for every report: the quarterly PDF boroughs receive, the programme dashboard and
its PDF, and the exports. Only the return itself, seen by its own partner and MOPAC,
shows the figures as entered.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eoi.reports.charts import Bar, bar_chart
from eoi.returns.figures import (
    BREAKDOWNS,
    COHORTS,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
)
from eoi.returns.suppression import Cell, suppress_table


@dataclass(frozen=True)
class PublishedTable:
    key: str  # for ids: "gender", "boroughs"
    title: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Cell], Cell]]  # (row title, cells, row total)
    column_totals: list[Cell]
    grand_total: Cell

    @property
    def chart_id(self) -> str:
        return "chart-" + self.key.replace("_", "-")

    def chart(self) -> str:
        """The table's row totals as a bar chart, to stand beside it."""
        what = self.title.lower()
        return bar_chart(f"Young people by {what}", self.bars(), chart_id=self.chart_id,
                         description=f"Young people supported by {what}; counts from 1 to 4 "
                         "are shown as fewer than 5")

    def bars(self) -> list[Bar]:
        """One bar per row, its total: for the chart beside the table."""
        return [Bar(title, None if total.suppressed else total.value, total.shown)
                for title, _, total in self.rows]


def _published(key: str, title: str, row_heading: str,
               rows: Mapping[str, Mapping[str, int]], columns: Sequence[str]) -> PublishedTable:
    table = suppress_table({row: {column: values.get(column, 0) for column in columns}
                            for row, values in rows.items()})
    return PublishedTable(
        key, title, row_heading, list(columns),
        [(row, [table.cells[row][column] for column in columns], table.row_totals[row])
         for row in rows],
        [table.column_totals[column] for column in columns], table.grand_total)


def cohort_tables(returns: Iterable[ReturnFigures]) -> list[PublishedTable]:
    """Young people by gender, age band and disability; new and continuing, added up."""
    returns = list(returns)
    cohort_titles = [title for _, title in COHORTS]
    tables = []
    for key, title, categories in BREAKDOWNS:
        rows = {}
        for category, category_title in categories:
            counts = sum((f.breakdowns.get(key, {}).get(category, Cohorts()) for f in returns),
                         Cohorts())
            rows[category_title] = {cohort_title: getattr(counts, cohort)
                                    for cohort, cohort_title in COHORTS}
        tables.append(_published(key, title, title, rows, cohort_titles))
    return tables


def borough_table(returns: Iterable[ReturnFigures], names: Mapping[str, str]) -> PublishedTable:
    """Where young people live (rows) against where they were supported (columns), for
    the boroughs that appear; the cells off the diagonal are support across a boundary."""
    names = {**names, OUTSIDE_LONDON: OUTSIDE_LONDON_NAME}
    pairs: dict[tuple[str, str], int] = {}
    for figures in returns:
        for pair, counts in figures.boroughs.items():
            pairs[pair] = pairs.get(pair, 0) + counts.total
    homes = sorted({home for home, _ in pairs}, key=lambda code: (code == OUTSIDE_LONDON,
                                                                   names.get(code, code)))
    served = sorted({place for _, place in pairs}, key=lambda code: names.get(code, code))
    rows = {names.get(home, home): {names.get(place, place): pairs.get((home, place), 0)
                                    for place in served} for home in homes}
    return _published("boroughs", "Borough of residence by borough of service",
                      "Lives in", rows, [names.get(place, place) for place in served])


def supported_total(returns: Iterable[ReturnFigures]) -> Cell:
    """Everyone supported: a total alone hides nothing unless it is itself small."""
    total = sum((f.supported for f in returns), Cohorts()).total
    table = suppress_table({"all": {"all": total}})
    return table.grand_total
