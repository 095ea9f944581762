"""Each return carries the forecast spend for the rest of its year, by cost category, on the
web form and in the spreadsheet; the grant page sets each year's forecast against its actual
spend and budget, and shows the underspend at the year's end."""

from dataclasses import replace
from datetime import date

from eoi import clock
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.returns import operations as returns
from eoi.returns.spreadsheet import build_template, read_return
from eoi.returns.spreadsheet.template import TemplateContext
from tests.conftest import complete_figures, csrf_token, sign_in
from tests.returns.test_spreadsheet import CONTEXT, open_sheet, row_of, saved
from tests.returns.test_spreadsheet import complete_figures as sheet_figures


def _send(grant, ret, people, *, spend: dict[str, int], forecast: dict[str, int]):
    figures = replace(complete_figures(grant), spend=spend, forecast=forecast)
    returns.save_return(ret, figures, by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now(),
                          small_numbers_checked=True)


def test_the_forecast_is_kept_with_the_return_and_read_back(granted):
    people, grant = granted
    ret = grant.returns[0]
    _send(grant, ret, people, spend={"staff": 20_000_00},
          forecast={"staff": 60_000_00, "delivery": 15_000_00})
    db.session.commit()
    db.session.expire_all()
    assert returns.figures_of(ret).forecast == {"staff": 60_000_00, "delivery": 15_000_00}


def test_the_grant_page_sets_the_forecast_against_the_actual(client, granted):
    people, grant = granted
    # Spend is reported since the grant began: Q1 £20,000, Q2 £45,000 to date.
    first, second = grant.returns[0], grant.returns[1]
    _send(grant, first, people, spend={"staff": 20_000_00}, forecast={"staff": 100_000_00})
    _send(grant, second, people, spend={"staff": 40_000_00, "delivery": 5_000_00},
          forecast={"staff": 90_000_00, "delivery": 10_000_00})
    db.session.commit()
    [year] = monitoring.forecast_against_actual(grant)
    # The pooled budget: MOPAC's £120,000 and Bexley's £50,000 pledge for 2026 to 2027.
    assert (year.financial_year, year.budget, year.spent, year.forecast) == (
        2026, 170_000_00, 45_000_00, 100_000_00)
    assert (year.year_end, year.underspend, year.reported_to.short_label) == (
        145_000_00, 25_000_00, "Q2 2026-27")
    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/{grant.id}").text
    table = page.split('id="forecast-table"')[1].split("</table>")[0]
    for expected in ("£170,000", "£45,000", "£100,000", "£145,000", "£25,000", "Q2 2026-27"):
        assert expected in table, expected


def test_a_later_years_spend_is_counted_from_the_end_of_the_year_before(granted):
    people, grant = granted
    first = grant.returns[0]
    _send(grant, first, people, spend={"staff": 30_000_00}, forecast={})
    # A return of the next year (as after a change that ran the grant on), by hand.
    from eoi.returns.models import QuarterlyReturn

    later = QuarterlyReturn(financial_year=2027, quarter=1, due_on=date(2027, 7, 30))
    grant.returns.append(later)
    db.session.flush()
    _send(grant, later, people, spend={"staff": 50_000_00}, forecast={"staff": 1_000_00})
    first_year, next_year = monitoring.forecast_against_actual(grant)
    assert (first_year.spent, next_year.spent, next_year.forecast) == (
        30_000_00, 20_000_00, 1_000_00)
    assert next_year.budget == 0 and next_year.underspend == -21_000_00  # no budget that year


def test_the_web_form_takes_the_forecast_and_refuses_a_negative_one(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    sign_in(client, people["partner"].email)
    page = client.get(f"/returns/{ret.id}").text
    assert "Forecast for the rest of the year" in page and 'name="forecast-staff"' in page
    response = client.post(f"/returns/{ret.id}", data={
        "csrf_token": csrf_token(page), "version": ret.version, "forecast-staff": "-5",
        "save": "Save as draft"})
    assert "Forecast spend on Staff" in response.text
    assert returns.figures_of(ret).forecast == {}
    response = client.post(f"/returns/{ret.id}", data={
        "csrf_token": csrf_token(page), "version": ret.version, "forecast-staff": "12,500",
        "save": "Save as draft"}, follow_redirects=True)
    assert "Return saved as a draft." in response.text
    db.session.expire_all()
    assert returns.figures_of(ret).forecast == {"staff": 12_500_00}


def test_the_spreadsheet_carries_the_forecast_both_ways():
    figures = replace(sheet_figures(), forecast={"staff": 9_000_00, "delivery": 1_500_50})
    content = build_template(CONTEXT, figures)
    assert read_return(content, CONTEXT, for_submission=False).figures == figures
    workbook, sheet = open_sheet(content)
    sheet.cell(row_of(sheet, "forecast:staff"), 4).value = "lots"
    reading = read_return(saved(workbook), CONTEXT, for_submission=False)
    assert any("Staff" in p.message for p in reading.problems), reading.problems
    assert isinstance(CONTEXT, TemplateContext)


def test_the_programme_adds_up_the_grants_forecasts_in_sql(app_context, demo):
    from sqlalchemy import select

    from eoi.grants.models import Grant

    by_year: dict[int, list] = {}
    for grant in db.session.scalars(select(Grant)):
        for year in monitoring.forecast_against_actual(grant):
            by_year.setdefault(year.financial_year, []).append(year)
    across = monitoring.programme_forecasts()
    assert [y.financial_year for y in across] == sorted(by_year)
    for year in across:
        grants = by_year[year.financial_year]
        assert (year.budget, year.spent, year.forecast) == (
            sum(g.budget for g in grants), sum(g.spent for g in grants),
            sum(g.forecast for g in grants)), year.financial_year
    assert any(year.forecast for year in across)  # the demo's returns forecast


def test_the_programme_dashboard_shows_the_forecast(app, demo):
    from tests.conftest import signed_in

    page = signed_in(app, "manager@demo.example").get("/programme").text
    assert 'id="programme-forecast"' in page and "Underspend at year end" in page
