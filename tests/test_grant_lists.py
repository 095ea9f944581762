"""The grants, payments and returns lists a page at a time: 50 rows a page, the filters
kept from page to page, the counts and totals of every matching row, and downloads that
hold every matching row whatever page is on screen."""

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.consortia.models import Consortium
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.grants.lists import in_chunks
from eoi.grants.models import Grant, GrantState, Payment
from eoi.returns.models import QuarterlyReturn
from tests.conftest import sign_in


def _rows(html: str, table_id: str) -> int:
    """How many rows the table shows, its heading row left out."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no #{table_id}"
    return table.group(0).count('class="govuk-table__row"') - 1


def _csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]


@pytest.fixture
def many_grants(granted):
    """55 more grants of the same lead, each from an EOI of a consortium of its own (made
    directly: only the lists are tested here); the last 10 suspended. 56 grants in all."""
    people, grant = granted
    lead, manager = people["lead"], people["manager"]
    for n in range(55):
        consortium = Consortium(name=f"Consortium {n:02}", purpose="x", lead_id=lead.id,
                                created_by_id=lead.id)
        eoi = Eoi(consortium=consortium, round_id=grant.eoi.round_id,
                  status=EoiStatus.draft, created_by_id=lead.id)
        db.session.add(Grant(
            eoi=eoi, consortium=consortium, reference=f"GRT-9999-{n:04}", title=f"Project {n}",
            owner_id=lead.id, award_pence=1_000_00, starts_on=date(2026, 4, 1),
            ends_on=date(2027, 3, 31), created_by_id=manager.id,
            state=GrantState.suspended if n >= 45 else GrantState.active))
    db.session.commit()
    return people, grant


def test_grants_fifty_a_page_with_the_filters_kept(client, many_grants):
    people, grant = many_grants
    sign_in(client, people["lead"].email)
    first = client.get("/grants").get_data(as_text=True)
    assert _rows(first, "grant-table") == 50
    assert "Showing 1 to 50 of 56 grants" in first and "56 grants" in first
    # In reference order: the shared GRT-2026-0001, then GRT-9999-0000 to -0048.
    assert grant.reference in first and "GRT-9999-0048" in first
    second = client.get("/grants?page=2").get_data(as_text=True)
    assert _rows(second, "grant-table") == 6
    assert "Showing 51 to 56 of 56 grants" in second
    assert "GRT-9999-0048" not in second and "GRT-9999-0049" in second

    active = client.get("/grants?state=active").get_data(as_text=True)
    assert "Showing 1 to 46 of 46 grants" in active  # one page: no links to others
    assert "govuk-pagination" not in active
    # The shared grant's returns are overdue by now: red. The others have none due yet.
    coloured = client.get("/grants?status=green").get_data(as_text=True)
    assert "Showing 1 to 50 of 55 grants" in coloured
    assert 'href="/grants?page=2&amp;status=green"' in coloured
    assert _rows(client.get("/grants?status=green&page=2").get_data(as_text=True),
                 "grant-table") == 5
    red = client.get("/grants?status=red").get_data(as_text=True)
    assert _rows(red, "grant-table") == 1 and grant.reference in red


@pytest.mark.parametrize(("page", "shown"), [
    ("9", "Showing 51 to 56"),  # past the end: the last page
    ("0", "Showing 1 to 50"), ("-3", "Showing 1 to 50"), ("two", "Showing 1 to 50"),
    ("99999999999999999999", "Showing 1 to 50"), ("", "Showing 1 to 50"),
])
def test_a_page_number_past_the_end_or_not_a_number(client, many_grants, page, shown):
    people, _grant = many_grants
    sign_in(client, people["manager"].email)
    assert shown in client.get(f"/grants?page={page}").get_data(as_text=True)


def test_grant_downloads_hold_every_matching_grant_whatever_the_page(client, many_grants):
    people, grant = many_grants
    sign_in(client, people["lead"].email)
    rows = _csv_rows(client, "/grants/export.csv?page=2")
    assert len(rows) == 56
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert len(_csv_rows(client, "/grants/export.csv?state=suspended&page=2")) == 10
    assert [r[8] for r in rows].count("Green") == 55
    assert len(_csv_rows(client, "/grants/export.csv?status=red&page=3")) == 1


def test_more_grants_than_a_select_holds_are_found_by_reference(client, many_grants):
    """56 grants: the payments and returns lists ask for a reference rather than offering
    56 options; what is typed is tidied, and anything that is not a reference is no filter."""
    people, grant = many_grants
    db.session.add(Payment(grant=grant, description="Instalment", amount_pence=100,
                           scheduled_on=date(2026, 6, 1)))
    db.session.commit()  # the grant has its returns already
    sign_in(client, people["lead"].email)
    for address, table in (("/grants/payments", "payment-list"), ("/returns", "return-list")):
        page = client.get(address).get_data(as_text=True)
        assert '<input class="govuk-input govuk-!-width-full" id="grant" name="grant"' in page
        assert "GRT-9999-0001</option>" not in page
        found = client.get(f"{address}?grant=%20{grant.reference.lower()}%20")
        html = found.get_data(as_text=True)
        assert f'value="{grant.reference}"' in html and _rows(html, table) >= 1
        other = client.get(f"{address}?grant=GRT-9999-0001").get_data(as_text=True)
        assert "match these filters" in other and f'id="{table}"' not in other
        for nonsense in ("%00", "x" * 41, "GRT 9999"):
            html = client.get(f"{address}?grant={nonsense}").get_data(as_text=True)
            assert 'name="grant" type="text" value=""' in html and _rows(html, table) >= 1


def test_chunks_cover_every_row_in_the_lists_order(app_context, many_grants):
    query = Grant.visible_to(many_grants[0]["manager"]).order_by(Grant.reference.desc())
    chunks = list(in_chunks(query, Grant, size=7))
    assert [len(c) for c in chunks] == [7] * 8
    assert [g.id for c in chunks for g in c] == list(db.session.scalars(
        query.with_only_columns(Grant.id)))


@pytest.fixture
def many_returns(granted):
    """The shared grant's four returns and 56 more, for the years 2027 to 2040 (made
    directly): 60 returns, the first due in July 2026."""
    people, grant = granted
    for year in range(2027, 2041):
        for quarter in range(1, 5):
            due = QuarterlyReturn(financial_year=year, quarter=quarter,
                                  due_on=date(year, 1, 1)).period.end
            db.session.add(QuarterlyReturn(grant=grant, financial_year=year, quarter=quarter,
                                           due_on=due))
    db.session.commit()
    return people, grant


def test_returns_fifty_a_page_with_the_filters_kept(client, many_returns):
    people, grant = many_returns
    sign_in(client, people["partner"].email)
    first = client.get("/returns").get_data(as_text=True)
    assert _rows(first, "return-list") == 50
    assert "Showing 1 to 50 of 60 returns" in first
    assert first.count('<option value="20') == 60  # every quarter offered, from SQL
    links = client.get(f"/returns?grant={grant.reference}&status=draft").get_data(as_text=True)
    assert f'href="/returns?page=2&amp;grant={grant.reference}&amp;status=draft"' in links
    second = client.get(f"/returns?page=2&grant={grant.reference}&status=draft")
    assert _rows(second.get_data(as_text=True), "return-list") == 10
    overdue = client.get("/returns?status=overdue").get_data(as_text=True)
    today = clock.today()
    assert f"Showing 1 to {sum(r.due_on < today for r in grant.returns)} of" in overdue

    rows = _csv_rows(client, "/returns/export.csv?page=2")
    assert len(rows) == 60
    assert len(_csv_rows(client, "/returns/export.csv?quarter=2031-2")) == 1


def test_payments_fifty_a_page_totalled_over_every_page(client, granted):
    people, grant = granted
    for n in range(55):
        db.session.add(Payment(grant=grant, description=f"Instalment {n:02}",
                               amount_pence=100_00, scheduled_on=date(2026, 5, 1)))
    db.session.commit()
    sign_in(client, people["manager"].email)
    first = client.get("/grants/payments").get_data(as_text=True)
    assert _rows(first, "payment-list") == 50
    assert "55 payments, £5,500 in all" in first
    assert "Showing 1 to 50 of 55 payments" in first
    assert 'href="/grants/payments?page=2&amp;status=scheduled"' in client.get(
        "/grants/payments?status=scheduled").get_data(as_text=True)
    assert _rows(client.get("/grants/payments?page=2").get_data(as_text=True),
                 "payment-list") == 5
    assert len(_csv_rows(client, "/grants/payments/export.csv?page=2")) == 55
    assert db.session.scalar(select(Payment.id).where(Payment.grant_id == grant.id))
