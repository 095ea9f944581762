"""The whole programme at a glance: every grant's status and money, outcomes against
targets across grants, and the young people supported in a quarter, published with
small counts suppressed. The dashboard, its PDF and the exports all show this."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import Grant
from eoi.grants.periods import Quarter
from eoi.grants.status import GrantStatus, grant_status
from eoi.money import format_pence
from eoi.reports.charts import Bar, Series, bar_chart, grouped_bar_chart
from eoi.reports.published import (
    PROGRAMME,
    PUBLISHED,
    Cell,
    PublishedTable,
    achieved_cells,
    borough_table,
    cohort_tables,
    protected_quarter,
    supported_total,
)
from eoi.reports.workbooks import workbook_bytes
from eoi.returns.operations import london_boroughs


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
class Programme:
    today: date
    quarter: Quarter | None  # whose young people are shown; None before any return is in
    quarters: list[Quarter]  # every quarter with a return in, for choosing another
    grants: list[GrantRow]
    outcomes: list[OutcomeRow]
    supported: Cell | None
    cohorts: list[PublishedTable]
    boroughs: PublishedTable | None


def programme(today: date, quarter: Quarter | None = None) -> Programme:
    grants = list(db.session.scalars(select(Grant).order_by(Grant.reference)))
    rows = []
    for grant in grants:
        facts = monitoring.facts_for(grant, today)  # spend is among them: worked out once
        rows.append(GrantRow(grant, grant_status(facts), grant.pooled_total_pence,
                             grant.paid_pence, facts.spend_to_date_pence))
    quarters = sorted({r.period for g in grants for r in g.returns if r.status in PUBLISHED})
    if quarter not in quarters:
        quarter = quarters[-1] if quarters else None
    if quarter is None:
        return Programme(today, None, quarters, rows, _outcomes(grants), None, [], None)
    protected = protected_quarter(quarter)
    return Programme(
        today, quarter, quarters, rows, _outcomes(grants),
        supported_total(protected, PROGRAMME), cohort_tables(protected, PROGRAMME),
        borough_table(protected, PROGRAMME, london_boroughs()))


def _outcomes(grants: list[Grant]) -> list[OutcomeRow]:
    """Each indicator added up across the grants reporting on it."""
    totals: dict[tuple[str, str], list[int]] = {}
    for grant in grants:
        for progress in monitoring.indicator_progress(grant):
            entry = totals.setdefault((progress.name, progress.unit), [0, 0, 0])
            entry[0] += progress.achieved
            entry[1] += progress.target_to_date or 0
            entry[2] += 1
    keys = sorted(totals)
    published = achieved_cells(PROGRAMME, [name for name, _ in keys], [unit for _, unit in keys])
    rows = []
    for (name, unit), cell in zip(keys, published, strict=True):
        entered, target_to_date, grants_reporting = totals[name, unit]
        if cell is None:
            rows.append(OutcomeRow(name, unit, entered, f"{entered:,}", target_to_date,
                                   grants_reporting))
        else:
            rows.append(OutcomeRow(name, unit, cell.value, cell.shown, target_to_date,
                                   grants_reporting))
    return rows


def charts(report: Programme) -> dict[str, str]:
    """The SVG charts, each drawn from the same figures as the table beside it."""
    drawn = {
        "money": grouped_bar_chart(
            "Award, payments and spend by grant", [r.grant.reference for r in report.grants],
            [Series("Pooled budget", [r.pooled_pence // 100 for r in report.grants]),
             Series("Paid by MOPAC", [r.paid_pence // 100 for r in report.grants]),
             Series("Spend to date", [r.spend_pence // 100 for r in report.grants])],
            description="For each grant, in pounds: the pooled budget, what MOPAC has paid "
            "and what the latest return says has been spent", chart_id="chart-money",
            value_format=lambda pounds: format_pence(pounds * 100)),
        "outcomes": bar_chart(
            "Outcomes against targets to date",
            [Bar(o.indicator, o.achieved, o.shown, target=o.target_to_date or None)
             for o in report.outcomes],
            description="Each indicator added up across grants, with its target to date",
            chart_id="chart-outcomes"),
    }
    drawn.update((table.key, table.chart()) for table in report.cohorts)
    return drawn


# Exports ---------------------------------------------------------------------------------

def grant_lines(report: Programme) -> list[list[str]]:
    lines = [["Reference", "Title", "Consortium", "Status", "Reasons", "MOPAC award (£)",
              "Pooled budget (£)", "Paid (£)", "Spend to date (£)"]]
    for row in report.grants:
        grant = row.grant
        lines.append([grant.reference, grant.title, grant.consortium.name,
                      row.status.rag.title, "; ".join(r.text for r in row.status.reasons),
                      _pounds(grant.award_pence), _pounds(row.pooled_pence),
                      _pounds(row.paid_pence), _pounds(row.spend_pence)])
    return lines


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


def as_xlsx(report: Programme) -> bytes:
    sheets = [("Grants", grant_lines(report)), ("Outcomes", outcome_lines(report))]
    sheets += [(t.title[:31], table_lines(t)) for t in report.cohorts]
    if report.boroughs is not None:
        sheets.append(("Boroughs", table_lines(report.boroughs)))
    # Whole numbers go in as numbers, so they add up in a spreadsheet.
    return workbook_bytes(((title, [[int(cell) if cell.isdigit() else cell for cell in line]
                                    for line in lines]) for title, lines in sheets),
                          bold_first_row=True)


def _pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"
