"""The programme dashboard for fund managers, its PDF, and its CSV and XLSX exports."""

from flask import Blueprint, render_template, request

from eoi import clock
from eoi.documents import views as documents
from eoi.documents.kinds import ProgrammeReport
from eoi.downloads import attachment
from eoi.exports import csv_text
from eoi.grants.periods import Quarter
from eoi.grants.status import explain_rules
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
    return render_template("reports/dashboard.html", title="Programme dashboard",
                           report=report, charts=programme_report.charts(report),
                           rules=explain_rules())


@reports_bp.get("/report.pdf")
@fund_manager_only
def report_pdf():
    # Prepared by the scheduler, not in the request: it reads every grant and return.
    return documents.serve(ProgrammeReport.asked_for(_chosen_quarter(), clock.today()))


@reports_bp.get("/grants.csv")
@fund_manager_only
def grants_csv():
    report = _report()
    return attachment(csv_text(programme_report.grant_lines(report)),
                     "text/csv; charset=utf-8", f"grants-{report.today.isoformat()}.csv")


@reports_bp.get("/programme.xlsx")
@fund_manager_only
def programme_xlsx():
    report = _report()
    return attachment(programme_report.as_xlsx(report), "application/vnd.openxmlformats-"
                     "officedocument.spreadsheetml.sheet",
                     f"programme-{report.today.isoformat()}.xlsx")
