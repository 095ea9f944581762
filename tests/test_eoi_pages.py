"""The EOI list a page at a time, and its download whole: more than a page of EOIs, made
straight in the database (the list reads them; how they came to be is other tests')."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.consortia.models import Consortium
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.pagination import PER_PAGE
from eoi.rounds.models import Criterion, FundingRound, RoundStatus
from tests.conftest import sign_in

SUBMITTED, DRAFTS = 57, 4


@pytest.fixture
def many_eois(make_user):
    """A fund manager, and one round with 57 submitted EOIs and 4 drafts, each from a
    consortium of its own."""
    manager = make_user(Role.fund_manager)
    now = clock.now()
    funding_round = FundingRound(
        title="Busy round", envelope_pence=1_000_000_00, first_financial_year=2026,
        last_financial_year=2026, opens_at=now, closes_at=now.replace(year=now.year + 1),
        status=RoundStatus.closed,
        criteria=[Criterion(title="Need", weight=100, descriptor_0="0", descriptor_1="1",
                            descriptor_2="2", descriptor_3="3", descriptor_4="4")])
    db.session.add(funding_round)
    for n in range(SUBMITTED + DRAFTS):
        consortium = Consortium(name=f"Consortium {n:03}", purpose="x", lead_id=manager.id,
                                created_by_id=manager.id)
        submitted = n < SUBMITTED
        db.session.add(Eoi(consortium=consortium, funding_round=funding_round,
                           created_by_id=manager.id,
                           status=EoiStatus.submitted if submitted else EoiStatus.draft,
                           reference=f"CCF-2026-{n + 1:04}" if submitted else None,
                           submitted_at=now if submitted else None))
    db.session.commit()
    return manager, funding_round


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/eois/(\d+)"', html)]


def test_the_list_shows_fifty_a_page_and_the_rest_on_the_next(client, many_eois):
    manager, funding_round = many_eois
    sign_in(client, manager.email)
    first = client.get("/eois?status=submitted")
    second = client.get("/eois?status=submitted&page=2")
    assert len(_shown(first.text)) == PER_PAGE
    assert len(_shown(second.text)) == SUBMITTED - PER_PAGE
    newest_first = sorted(db.session.scalars(select(Eoi.id).where(
        Eoi.status == EoiStatus.submitted)), reverse=True)
    assert _shown(first.text) + _shown(second.text) == newest_first
    assert f"Showing 1 to 50 of {SUBMITTED} expressions of interest" in first.text
    assert f"{SUBMITTED} expressions of interest" in first.text
    # The page links keep the filter.
    assert 'href="/eois?page=2&amp;status=submitted"' in first.text
    assert 'href="/eois?page=1&amp;status=submitted"' in second.text
    everything = client.get("/eois")
    assert f"of {SUBMITTED + DRAFTS} expressions of interest" in everything.text


@pytest.mark.parametrize(("asked", "shown"), [("99", 2), ("0", 1), ("abc", 1), ("-3", 1),
                                              ("9" * 40, 1)])
def test_a_page_past_the_end_is_the_last_and_a_bogus_one_the_first(client, many_eois, asked,
                                                                   shown):
    manager, _ = many_eois
    sign_in(client, manager.email)
    response = client.get(f"/eois?status=submitted&page={asked}")
    assert response.status_code == 200
    expected = SUBMITTED - PER_PAGE if shown == 2 else PER_PAGE
    assert len(_shown(response.text)) == expected


@pytest.mark.parametrize("query", ["status=submitted", "status=submitted&page=2", ""])
def test_the_download_holds_every_matching_row_across_pages(client, many_eois, query):
    manager, _ = many_eois
    sign_in(client, manager.email)
    response = client.get(f"/eois/export.csv?{query}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    expected = SUBMITTED + (0 if "status" in query else DRAFTS)
    assert len(rows) == 1 + expected
    references = [r[0] for r in rows[1:]]
    assert len(set(references) - {"Not yet submitted"}) == SUBMITTED
    assert rows[1][2] == f"Consortium {SUBMITTED + DRAFTS - 1 if not query else SUBMITTED - 1:03}"


def test_the_download_reads_windows_that_meet_without_gap_or_overlap(many_eois):
    from eoi.eois import lists

    manager, _ = many_eois
    chosen = lists.eoi_list(manager, {}, with_page=False)
    windows = list(lists._windows(chosen.matching, manager, size=7))
    assert [len(w) for w in windows] == [7] * 8 + [5]
    names = [eoi.consortium.name for window in windows for eoi, _seen in window]
    assert names == [f"Consortium {n:03}" for n in reversed(range(SUBMITTED + DRAFTS))]
