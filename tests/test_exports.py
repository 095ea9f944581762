"""List downloads (EOIs, grants, payments, returns, the service map): each person gets the
rows they may see, with the filters that were on screen, as CSV and as XLSX."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from eoi import clock
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.grants.models import GrantState
from eoi.returns import operations as returns
from tests.conftest import complete_figures, sign_in, sign_out
from tests.test_grants import busy_grant  # noqa: F401  (a fixture)

PEOPLE = ["lead", "member", "outsider", "manager", "panel", "partner"]
GRANT_VIEWERS = {"lead", "member", "manager", "partner"}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _xlsx(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def _download(client, url: str, fmt: str) -> list[list]:
    """The list's rows under its headings, whichever format."""
    response = client.get(url.replace("FMT", fmt))
    if fmt == "csv":
        return _csv(response)
    sheets = _xlsx(response)
    return [list(row) for row in next(iter(sheets.values()))]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_downloads_only_the_rows_they_may_see(client, busy_grant, who, fmt):  # noqa: F811
    people, grant, _records = busy_grant
    sign_in(client, people[who].email)
    sees_grant = who in GRANT_VIEWERS

    grant_rows = _download(client, "/grants/export.FMT", fmt)
    assert grant_rows[0][:3] == ["Reference", "Project", "Round"]
    assert [r[0] for r in grant_rows[1:]] == ([grant.reference] if sees_grant else [])

    payment_rows = _download(client, "/grants/payments/export.FMT", fmt)
    assert len(payment_rows) - 1 == (3 if sees_grant else 0)

    return_rows = _download(client, "/returns/export.FMT", fmt)
    assert len(return_rows) - 1 == (4 if sees_grant else 0)

    # The EOI's editors, MOPAC and its assessor see the bid; St Giles and Lewisham do not.
    eoi_rows = _download(client, "/eois/export.FMT", fmt)
    sees_eoi = who in {"lead", "member", "manager", "panel"}
    assert [r[0] for r in eoi_rows[1:]] == ([grant.eoi.reference] if sees_eoi else [])


def test_the_panels_scores_go_only_to_fund_managers(client, busy_grant):  # noqa: F811
    people, grant, _records = busy_grant
    sign_in(client, people["manager"].email)
    manager_rows = _csv(client.get("/eois/export.csv"))
    row = dict(zip(manager_rows[0], manager_rows[1], strict=True))
    # Every criterion scored 3 of 4 by the only assessor: 75 out of 100.
    assert row["Score (out of 100)"] == "75.0"
    assert row["Rank"] == "1"
    assert row["Decision"] == "Fund"
    assert row["Amount awarded (£)"] == "120000.00"
    assert row["MOPAC request (£)"] == "150000.00"

    for who in ("lead", "panel"):
        sign_out(client)
        sign_in(client, people[who].email)
        rows = _csv(client.get("/eois/export.csv"))
        assert not {"Rank", "Score (out of 100)", "Suggested allocation"} & set(rows[0])
        row = dict(zip(rows[0], rows[1], strict=True))
        # The consortium learns its decision once published; an assessor does not.
        assert row["Decision"] == ("Fund" if who == "lead" else "Not decided")


def test_downloads_keep_the_filters_on_screen(client, busy_grant):  # noqa: F811
    people, grant, records = busy_grant
    sign_in(client, people["manager"].email)

    def count(url: str) -> int:
        return len(_csv(client.get(url))) - 1

    assert count("/grants/export.csv?state=active") == 1
    assert count("/grants/export.csv?state=suspended") == 0
    assert count(f"/grants/export.csv?round={grant.eoi.round_id}") == 1
    # A value not on offer (an old bookmark) means no filter, not an error.
    assert count("/grants/export.csv?round=99999&state=bogus") == 1

    assert count("/grants/payments/export.csv?status=approved") == 1
    assert count("/grants/payments/export.csv?status=scheduled") == 2
    assert count(f"/grants/payments/export.csv?grant={grant.reference}&status=paid") == 0

    assert count("/returns/export.csv?status=submitted") == 1
    assert count(f"/returns/export.csv?quarter={grant.returns[1].financial_year}-2") == 1
    # busy_grant's draft Q2 return was due on 30 October 2026: overdue by any today now.
    overdue = _csv(client.get("/returns/export.csv?status=overdue"))
    assert records["draft"].period.short_label in {r[2] for r in overdue[1:]}

    assert count("/eois/export.csv?decision=fund") == 1
    assert count("/eois/export.csv?decision=none") == 0
    assert count("/eois/export.csv?status=draft") == 0

    # The page shows the same rows as the download.
    page = client.get("/grants/payments?status=approved").get_data(as_text=True)
    assert "1 payment," in page and "Payment 1" in page and "Payment 0" not in page
    assert 'href="/grants/payments/export.csv?status=approved"' in page


def test_the_xlsx_records_its_filters_and_keeps_numbers_and_dates(client, busy_grant):  # noqa: F811
    people, grant, _records = busy_grant
    sign_in(client, people["manager"].email)
    sheets = _xlsx(client.get(f"/grants/export.xlsx?state=active&round={grant.eoi.round_id}"))
    headings, row = sheets["Grants"][0], sheets["Grants"][1]
    values = dict(zip(headings, row, strict=True))
    assert values["MOPAC award (£)"] == 120_000
    assert values["Pooled budget (£)"] == 170_000
    assert values["Starts"] == datetime(2026, 4, 1)
    about = dict(sheets["About"])
    assert about["List"] == "Grants"
    assert about["State"] == "Active"
    assert about["Round"] == grant.eoi.funding_round.title
    assert isinstance(about["Exported"], datetime)


def test_the_returns_list_says_where_returns_are_never_what_they_report(client, busy_grant):  # noqa: F811
    people, grant, records = busy_grant
    figures = complete_figures(grant, new=11, continuing=13)
    returns.save_return(records["draft"], figures, by=people["partner"], now=clock.now())
    db.session.commit()
    sign_in(client, people["manager"].email)
    rows = _csv(client.get("/returns/export.csv"))
    assert rows[0] == ["Grant", "Consortium", "Quarter", "From", "To", "Due", "Status",
                       "Days overdue", "Sent from", "Submitted", "Reviewed"]
    cells = {cell for row in rows[1:] for cell in row}
    assert not {"11", "13", "24"} & cells
    submitted = next(r for r in rows if r[2] == records["submitted"].period.short_label)
    assert submitted[6:9] == ["Submitted", "0", "Web form"]


def test_text_that_would_run_as_a_formula_is_written_as_text(client, busy_grant):  # noqa: F811
    people, grant, _records = busy_grant
    grant.title = '=HYPERLINK("http://example.com","Click")'
    db.session.commit()
    sign_in(client, people["manager"].email)
    rows = _csv(client.get("/grants/export.csv"))
    assert rows[1][1] == "'" + grant.title
    workbook = load_workbook(io.BytesIO(client.get("/grants/export.xlsx").data))
    cell = workbook["Grants"]["B2"]
    assert cell.value == grant.title and cell.data_type == "s"


def test_a_suspended_grant_filters_by_its_state(client, busy_grant):  # noqa: F811
    people, grant, _records = busy_grant
    grants.change_grant_state(grant, GrantState.suspended, reason="Audit", by=people["manager"])
    db.session.commit()
    sign_in(client, people["lead"].email)
    rows = _csv(client.get("/grants/export.csv?state=suspended"))
    assert [r[7] for r in rows[1:]] == ["Suspended"]
    page = client.get("/grants?state=active").get_data(as_text=True)
    assert "No grants match these filters." in page


def test_the_ranking_page_offers_its_round_as_a_download(client, busy_grant):  # noqa: F811
    people, grant, _records = busy_grant
    sign_in(client, people["manager"].email)
    page = client.get(f"/assessment/rounds/{grant.eoi.round_id}/ranking").get_data(as_text=True)
    link = f"/eois/export.xlsx?round={grant.eoi.round_id}&amp;status=submitted"
    assert link in page
    sheets = _xlsx(client.get(link.replace("&amp;", "&")))
    assert sheets["EOIs"][1][0] == grant.eoi.reference
    assert sheets["EOIs"][1][sheets["EOIs"][0].index("Score (out of 100)")] == 75


def test_payments_page_lists_payments_soonest_first_with_their_total(client, busy_grant):  # noqa: F811
    people, grant, records = busy_grant
    later = grants.schedule_payment(grant, description="Final", amount_pence=5_00,
                                    scheduled_on=date(2027, 3, 1), milestone=None,
                                    by=people["manager"])
    db.session.commit()
    sign_in(client, people["partner"].email)
    rows = _csv(client.get("/grants/payments/export.csv"))
    assert [r[2] for r in rows[1:]] == ["Payment 0", "Payment 1", "Payment 2", later.description]
    assert rows[1][4:6] == ["2026-04-01", "10.00"]
    page = client.get("/grants/payments").get_data(as_text=True)
    assert "4 payments, £35 in all" in page
    assert Decimal(rows[4][5]) == Decimal("5.00")
