"""The programme dashboard for fund managers, its PDF, and its CSV and XLSX exports."""

from flask import Blueprint, render_template, request, stream_with_context

from eoi import clock
from eoi.documents import views as documents
from eoi.documents.kinds import ProgrammeReport
from eoi.downloads import attachment
from eoi.exports import MIMETYPES, csv_lines
from eoi.grants.periods import Quarter
from eoi.grants.status import explain_rules
from eoi.pagination import page_number
from eoi.permissions import fund_manager_only
from eoi.reports import programme as programme_report

reports_bp = Blueprint("reports", __name__, url_prefix="/programme")


def _chosen_quarter() -> Quarter | None:
    """?quarter=2026-Q1; anything else falls back to the latest quarter with returns in."""
    raw = request.args.get("quarter", "")
    year, _, number = raw.partition("-Q")
    try:
        return Quarter(int(year), int(number))
    except ValueError:
        return None


def _report():
    return programme_report.programme(clock.today(), _chosen_quarter())


@reports_bp.get("")
@fund_manager_only
def dashboard():
    report = _report()
    page = programme_report.grant_page(report.today, page_number(request.args),
                                       report.grant_count)
    arguments = {"quarter": f"{report.quarter.financial_year}-Q{report.quarter.number}"
                 } if report.quarter and request.args.get("quarter") else {}
    return render_template("reports/dashboard.html", title="Programme dashboard",
                           report=report, grants=page.rows, page=page, arguments=arguments,
                           charts=programme_report.charts(report, page.rows),
                           rules=explain_rules())


@reports_bp.get("/report.pdf")
@fund_manager_only
def report_pdf():
    # Prepared by the scheduler, not in the request: it reads every grant and return.
    return documents.serve(ProgrammeReport.asked_for(_chosen_quarter(), clock.today()))


@reports_bp.get("/grants.csv")
@fund_manager_only
def grants_csv():
    today = clock.today()
    lines = csv_lines(programme_report.grant_lines(programme_report.every_grant_row(today)))
    return attachment(stream_with_context(lines), MIMETYPES["csv"],
                      f"grants-{today.isoformat()}.csv")


@reports_bp.get("/programme.xlsx")
@fund_manager_only
def programme_xlsx():
    report = _report()
    chunks = programme_report.xlsx_chunks(
        report, programme_report.every_grant_row(report.today))
    return attachment(stream_with_context(chunks), MIMETYPES["xlsx"],
                      f"programme-{report.today.isoformat()}.xlsx")
