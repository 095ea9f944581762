"""How list downloads write each kind of cell (eoi.exports), without a database."""

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from eoi.exports import Listing, as_csv, csv_cell, pounds, safe_text, unguarded


def test_times_are_written_as_they_were_in_london():
    assert csv_cell(datetime(2026, 7, 1, 16, 30, tzinfo=UTC)) == "2026-07-01 17:30"  # BST
    assert csv_cell(datetime(2026, 12, 1, 16, 30, tzinfo=UTC)) == "2026-12-01 16:30"  # GMT


def test_dates_money_and_gaps():
    assert csv_cell(date(2027, 3, 31)) == "2027-03-31"
    assert csv_cell(pounds(120_000_05)) == "120000.05"
    assert pounds(1) == Decimal("0.01")
    assert csv_cell(Decimal("75.0")) == "75.0"
    assert csv_cell(None) == "" and pounds(None) is None
    assert csv_cell(0) == "0"


def test_formula_starts_are_guarded_and_plain_text_is_not():
    for text in ("=SUM(A1)", "+44 20", "-3", "@cmd", "\tx", "'quoted"):
        assert safe_text(text) == "'" + text
    assert safe_text("Greenwich") == "Greenwich"
    text = as_csv(Listing("Grants", ["Title"], [["=HYPERLINK(1)"], [5]]))
    assert text.splitlines() == ["Title", "'=HYPERLINK(1)", "5"]


@given(st.text())
def test_unguarded_gives_back_whatever_was_guarded(text):
    assert unguarded(safe_text(text)) == text
    assert not safe_text(text).startswith(("=", "+", "-", "@", "\t", "\r"))
