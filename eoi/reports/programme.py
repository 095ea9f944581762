"""The whole programme at a glance: every grant's status and money, outcomes against
targets across grants, and the young people supported in a quarter, published with
small counts suppressed. The dashboard, its PDF and the exports all show this.

Figures about the whole programme are added up in SQL, a handful of statements whatever
the size of the fund; grants are listed a page (or, for downloads, a chunk) at a time, each
with what its status needs loaded in a fixed number of statements."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from eoi import clock
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import (
    Grant,
    GrantFunding,
    GrantIndicator,
    GrantState,
    Payment,
    PaymentStatus,
)
from eoi.grants.periods import Quarter
from eoi.grants.status import GrantStatus, grant_status
from eoi.money import format_pence
from eoi.pagination import PER_PAGE, Page
from eoi.reference.models import Indicator, Organisation
from eoi.reports.charts import Bar, Series, bar_chart, grouped_bar_chart
from eoi.reports.keeping import Kept
from eoi.reports.published import (
    PROGRAMME,
    PUBLISHED,
    BeingPrepared,
    Cell,
    PublishedTable,
    achieved_cells,
    borough_table,
    cohort_tables,
    protected_quarter,
    supported_total,
)
from eoi.reports.workbooks import workbook_chunks
from eoi.returns.models import QuarterlyReturn
from eoi.returns.operations import london_boroughs

# Grants read at a time for a download: each chunk costs the same few statements, and only
# one chunk's grants, returns and milestones are held in memory.
CHUNK = 500


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    status: GrantStatus
    pooled_pence: int
    paid_pence: int
    spend_pence: int


@dataclass(frozen=True)
class OutcomeRow:
    indicator: str
    unit: str
    achieved: int | None  # None when withheld
    shown: str  # as published: counts of young people from accepted returns, protected
    target_to_date: int
    grants: int


@dataclass(frozen=True)
class Money:
    """The programme's money: MOPAC's awards, every funder's pooled budget, what MOPAC has
    paid, and spend to date as each grant's latest return gives it."""

    award_pence: int
    pooled_pence: int
    paid_pence: int
    spend_pence: int


@dataclass(frozen=True)
class Funding:
    """One funder's share of the pooled budget in one financial year, across grants."""

    funder: str
    financial_year: int
    pence: int

    @property
    def year_label(self) -> str:
        return f"{self.financial_year} to {self.financial_year + 1}"


@dataclass(frozen=True)
class Programme:
    today: date
    quarter: Quarter | None  # whose young people are shown; None before any return is in
    quarters: list[Quarter]  # every quarter with a return in, for choosing another
    grant_count: int
    states: list[tuple[GrantState, int]]  # grants in each state, every state listed
    money: Money
    funding: list[Funding]
    outcomes: list[OutcomeRow]
    supported: Cell | None
    cohorts: list[PublishedTable]
    boroughs: PublishedTable | None
    # The young people's figures of a national quarter are protected by the scheduler:
    # not yet, or (worked_out_at) shown as protected before returns accepted since.
    being_prepared: bool = False
    worked_out_at: datetime | None = None
    # Each year reported in: its budget, spend and forecast across the grants reporting.
    forecasts: list[monitoring.YearForecast] = field(default_factory=list)

    @cached_property
    def grants(self) -> list[GrantRow]:
        """Every grant's row, for the PDF, which lists them all: read a chunk at a time
        when first asked for (the dashboard lists a page of them instead, `grant_page`)."""
        return list(every_grant_row(self.today))


def programme(today: date, quarter: Quarter | None = None) -> Programme:
    """The programme's figures, each added up in SQL; the grants themselves are listed by
    `grant_page` and `every_grant_row`."""
    quarters = published_quarters()
    if quarter not in quarters:
        quarter = quarters[-1] if quarters else None
    states = grants_by_state()
    supported, cohorts, boroughs = None, [], None
    being_prepared, worked_out_at = False, None
    if quarter is not None:
        try:
            protected = protected_quarter(quarter, PROGRAMME)
        except BeingPrepared:
            being_prepared = True
        else:
            supported = supported_total(protected, PROGRAMME)
            cohorts = cohort_tables(protected, PROGRAMME)
            boroughs = borough_table(protected, PROGRAMME, london_boroughs())
            if isinstance(protected, Kept) and not protected.current:
                worked_out_at = protected.made_at
    return Programme(today, quarter, quarters, sum(count for _, count in states), states,
                     money_totals(), funding_by_funder_and_year(), outcomes(), supported,
                     cohorts, boroughs, being_prepared, worked_out_at,
                     forecasts=monitoring.programme_forecasts())


# Figures added up in SQL -------------------------------------------------------------------

def published_quarters() -> list[Quarter]:
    """Every quarter with an accepted return, in order."""
    return [Quarter(year, number) for year, number in db.session.execute(
        select(QuarterlyReturn.financial_year, QuarterlyReturn.quarter)
        .where(QuarterlyReturn.status.in_(PUBLISHED)).distinct()
        .order_by(QuarterlyReturn.financial_year, QuarterlyReturn.quarter))]


def grants_by_state() -> list[tuple[GrantState, int]]:
    counts = {state: count for state, count in db.session.execute(
        select(Grant.state, func.count(Grant.id)).group_by(Grant.state))}
    return [(state, counts.get(state, 0)) for state in GrantState]


def _sums() -> monitoring.GrantSums:
    # Totals across the fund: not the overdue returns or milestones, the only sums that
    # depend on the day.
    return monitoring.grant_sums(clock.today())


def money_totals() -> Money:
    spend = select(func.coalesce(func.sum(_sums().spend.c.pence), 0))
    award = select(func.coalesce(func.sum(Grant.award_pence), 0))
    pooled = select(func.coalesce(func.sum(GrantFunding.amount_pence), 0))
    paid = (select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.status == PaymentStatus.paid))
    row = db.session.execute(select(award.scalar_subquery(), pooled.scalar_subquery(),
                                    paid.scalar_subquery(), spend.scalar_subquery())).one()
    return Money(*(int(value) for value in row))


def funding_by_funder_and_year() -> list[Funding]:
    return [Funding(name, year, int(pence)) for name, year, pence in db.session.execute(
        select(Organisation.name, GrantFunding.financial_year,
               func.sum(GrantFunding.amount_pence))
        .join(Organisation, Organisation.id == GrantFunding.funder_id)
        .group_by(Organisation.id, Organisation.name, GrantFunding.financial_year)
        .order_by(GrantFunding.financial_year, Organisation.name))]


def outcome_totals() -> list[tuple[str, str, int, int, int]]:
    """(indicator, unit, achieved, target to date, grants reporting on it) for each
    indicator some grant reports on, by name and unit, added up across grants: each grant's
    as eoi.grants.monitoring works it out."""
    sums = _sums()
    achieved, targets = sums.achieved, sums.targets
    query: Select = (
        select(Indicator.name, Indicator.unit,
               func.coalesce(func.sum(achieved.c.value), 0),
               func.coalesce(func.sum(targets.c.twelfths // 12), 0),
               func.count(GrantIndicator.id))
        .join(Indicator, Indicator.id == GrantIndicator.indicator_id)
        .outerjoin(achieved, (achieved.c.grant_id == GrantIndicator.grant_id)
                   & (achieved.c.indicator_id == GrantIndicator.indicator_id))
        .outerjoin(targets, targets.c.grant_indicator_id == GrantIndicator.id)
        .group_by(Indicator.name, Indicator.unit).order_by(Indicator.name, Indicator.unit))
    return [(name, unit, int(entered), int(target), int(grants))
            for name, unit, entered, target, grants in db.session.execute(query)]


def outcomes() -> list[OutcomeRow]:
    """Each indicator added up across the grants reporting on it; counts of young people
    as published (protected, from accepted returns), others as entered."""
    totals = outcome_totals()
    published = achieved_cells(PROGRAMME, [t[0] for t in totals], [t[1] for t in totals])
    rows = []
    for (name, unit, entered, target_to_date, grants), cell in zip(totals, published,
                                                                    strict=True):
        if cell is None:
            rows.append(OutcomeRow(name, unit, entered, f"{entered:,}", target_to_date, grants))
        else:
            rows.append(OutcomeRow(name, unit, cell.value, cell.shown, target_to_date, grants))
    return rows


# Grants, a page or a chunk at a time --------------------------------------------------------

# What a grant's row shows beside its facts (monitoring.facts_of, from sums in SQL), loaded
# for a whole page of grants at once.
def _for_status() -> tuple:
    # A function, not a constant: options need every model mapped, which an import of
    # this module alone does not ensure.
    return (joinedload(Grant.consortium), selectinload(Grant.payments))


def _rows(grants: Sequence[Grant], today: date) -> list[GrantRow]:
    facts = monitoring.facts_of([g.id for g in grants], today)
    return [GrantRow(grant, grant_status(facts[grant.id]), facts[grant.id].award_pence,
                     grant.paid_pence, facts[grant.id].spend_to_date_pence)
            for grant in grants]


def grant_page(today: date, number: int, total: int, per_page: int = PER_PAGE) -> Page[GrantRow]:
    """One page of grants in reference order, with their status; `total` is the number of
    grants (Programme.grant_count), already counted. A page beyond the last shows the last."""
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    grants = db.session.scalars(select(Grant).options(*_for_status()).order_by(Grant.reference)
                                .limit(per_page).offset((number - 1) * per_page)).all()
    return Page(_rows(grants, today), number, per_page, total)


def every_grant_row(today: date, chunk: int = CHUNK) -> Iterator[GrantRow]:
    """Every grant in reference order, read `chunk` grants at a time. A chunk is let go of
    once the next is read: the session holds unchanged records only weakly."""
    after = ""
    while True:
        grants = db.session.scalars(select(Grant).options(*_for_status())
                                    .where(Grant.reference > after)
                                    .order_by(Grant.reference).limit(chunk)).all()
        yield from _rows(grants, today)
        if len(grants) < chunk:
            return
        after = grants[-1].reference


def charts(report: Programme, grants: Sequence[GrantRow] | None = None) -> dict[str, str]:
    """The SVG charts, each drawn from the same figures as the table beside it: the money
    chart from the grants listed beside it (a page of them on the dashboard, else all)."""
    if grants is None:
        grants = report.grants
    drawn = {
        "outcomes": bar_chart(
            "Outcomes against targets to date",
            [Bar(o.indicator, o.achieved, o.shown, target=o.target_to_date or None)
             for o in report.outcomes],
            description="Each indicator added up across grants, with its target to date",
            chart_id="chart-outcomes"),
    }
    if grants:
        drawn["money"] = grouped_bar_chart(
            "Award, payments and spend by grant", [r.grant.reference for r in grants],
            [Series("Pooled budget", [r.pooled_pence // 100 for r in grants]),
             Series("Paid by MOPAC", [r.paid_pence // 100 for r in grants]),
             Series("Spend to date", [r.spend_pence // 100 for r in grants])],
            description="For each grant, in pounds: the pooled budget, what MOPAC has paid "
            "and what the latest return says has been spent", chart_id="chart-money",
            value_format=lambda pounds: format_pence(pounds * 100))
    drawn.update((table.key, table.chart()) for table in report.cohorts)
    return drawn


# Exports ---------------------------------------------------------------------------------

GRANT_HEADINGS = ["Reference", "Title", "Consortium", "Status", "Reasons", "MOPAC award (£)",
                  "Pooled budget (£)", "Paid (£)", "Spend to date (£)"]


def grant_lines(rows: Iterable[GrantRow]) -> Iterator[list[str]]:
    """The headings, then a line per grant as the rows come."""
    yield GRANT_HEADINGS
    for row in rows:
        grant = row.grant
        yield [grant.reference, grant.title, grant.consortium.name,
               row.status.rag.title, "; ".join(r.text for r in row.status.reasons),
               _pounds(grant.award_pence), _pounds(row.pooled_pence),
               _pounds(row.paid_pence), _pounds(row.spend_pence)]


def table_lines(table: PublishedTable) -> list[list[str]]:
    lines = [[table.row_heading, *table.columns, "Total"]]
    for title, cells, total in table.rows:
        lines.append([title, *(c.shown for c in cells), total.shown])
    lines.append(["Total", *(c.shown for c in table.column_totals), table.grand_total.shown])
    return lines


def outcome_lines(report: Programme) -> list[list[str]]:
    return [["Indicator", "Unit", "Achieved to date", "Target to date", "Grants reporting"],
            *([o.indicator, o.unit, o.shown.replace(",", ""), str(o.target_to_date), str(o.grants)]
              for o in report.outcomes)]


def funding_lines(report: Programme) -> list[list[str]]:
    return [["Financial year", "Funder", "Pooled budget (£)"],
            *([f.year_label, f.funder, _pounds(f.pence)] for f in report.funding)]


def _sheets(report: Programme, rows: Iterable[GrantRow]):
    sheets: list[tuple[str, Iterable[list[str]]]] = [
        ("Grants", grant_lines(rows)), ("Outcomes", outcome_lines(report)),
        ("Funding", funding_lines(report))]
    sheets += [(t.title[:31], table_lines(t)) for t in report.cohorts]
    if report.boroughs is not None:
        sheets.append(("Boroughs", table_lines(report.boroughs)))
    # Whole numbers go in as numbers, so they add up in a spreadsheet.
    return ((title, ([int(cell) if cell.isdigit() else cell for cell in line]
                     for line in lines)) for title, lines in sheets)


def xlsx_chunks(report: Programme, rows: Iterable[GrantRow]) -> Iterator[bytes]:
    """Every table as a workbook, its grants read as the sheet is written, sent in pieces."""
    return workbook_chunks(_sheets(report, rows), bold_first_row=True)


def _pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"
