"""Quarters, due dates and reminders, worked by hand and checked as properties."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eoi.grants.periods import (
    Quarter,
    ReminderKind,
    quarters_between,
    quarters_of_years,
    reminder_due,
    reminder_key,
)

EXAMPLES = settings(max_examples=200, deadline=None)

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
quarters = st.builds(Quarter, st.integers(1950, 2150), st.integers(1, 4))


# Hand-worked quarters


def test_q4_runs_january_to_march_of_the_following_calendar_year():
    q4 = Quarter(2026, 4)

    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert q4.label == "Q4 2026 to 2027 (January to March 2027)"
    assert q4.short_label == "Q4 2026-27"


def test_q4_return_is_due_30_april_by_default():
    assert Quarter(2026, 4).due_date() == date(2027, 4, 30)


def test_due_date_can_be_set_per_grant():
    assert Quarter(2026, 1).due_date(days_after_end=14) == date(2026, 7, 14)
    assert Quarter(2026, 1).due_date(days_after_end=0) == date(2026, 6, 30)


def test_a_return_cannot_be_due_before_its_quarter_ends():
    with pytest.raises(ValueError):
        Quarter(2026, 1).due_date(days_after_end=-1)


@pytest.mark.parametrize(
    ("number", "start", "end", "label"),
    [
        (1, date(2026, 4, 1), date(2026, 6, 30), "Q1 2026 to 2027 (April to June 2026)"),
        (2, date(2026, 7, 1), date(2026, 9, 30), "Q2 2026 to 2027 (July to September 2026)"),
        (3, date(2026, 10, 1), date(2026, 12, 31), "Q3 2026 to 2027 (October to December 2026)"),
        (4, date(2027, 1, 1), date(2027, 3, 31), "Q4 2026 to 2027 (January to March 2027)"),
    ],
)
def test_the_four_quarters_of_a_year(number, start, end, label):
    quarter = Quarter(2026, number)

    assert (quarter.start, quarter.end, quarter.label) == (start, end, label)


def test_short_label_keeps_two_digits_across_a_century():
    assert Quarter(2099, 2).short_label == "Q2 2099-00"
    assert Quarter(2008, 1).short_label == "Q1 2008-09"


def test_31_march_and_1_april_fall_either_side_of_the_year_end():
    assert Quarter.containing(date(2027, 3, 31)) == Quarter(2026, 4)
    assert Quarter.containing(date(2027, 4, 1)) == Quarter(2027, 1)


def test_leap_year_february_is_in_q4():
    quarter = Quarter.containing(date(2028, 2, 29))

    assert quarter == Quarter(2027, 4)
    assert quarter.start == date(2028, 1, 1)
    assert quarter.end == date(2028, 3, 31)
    assert (quarter.end - quarter.start).days + 1 == 91  # 90 days in a common year


def test_next_and_previous_cross_the_year_end():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 2).next() == Quarter(2026, 3)
    assert Quarter(2026, 2).previous() == Quarter(2026, 1)


@pytest.mark.parametrize("number", [0, 5, -1])
def test_there_are_only_four_quarters(number):
    with pytest.raises(ValueError):
        Quarter(2026, number)


def test_quarters_sort_chronologically():
    assert sorted([Quarter(2027, 1), Quarter(2026, 4), Quarter(2026, 1)]) == [
        Quarter(2026, 1),
        Quarter(2026, 4),
        Quarter(2027, 1),
    ]


def test_quarters_between_includes_the_part_quarters_at_each_end():
    # A grant delivering from mid-August 2026 to mid-February 2028.
    assert quarters_between(date(2026, 8, 15), date(2028, 2, 10)) == [
        Quarter(2026, 2),
        Quarter(2026, 3),
        Quarter(2026, 4),
        Quarter(2027, 1),
        Quarter(2027, 2),
        Quarter(2027, 3),
        Quarter(2027, 4),
    ]


def test_quarters_between_one_day_is_its_quarter():
    assert quarters_between(date(2026, 5, 5), date(2026, 5, 5)) == [Quarter(2026, 1)]


def test_quarters_between_a_backwards_span_is_a_mistake():
    with pytest.raises(ValueError):
        quarters_between(date(2026, 5, 5), date(2026, 5, 4))


def test_quarters_of_years():
    assert quarters_of_years(2026, 2027) == [
        Quarter(2026, 1),
        Quarter(2026, 2),
        Quarter(2026, 3),
        Quarter(2026, 4),
        Quarter(2027, 1),
        Quarter(2027, 2),
        Quarter(2027, 3),
        Quarter(2027, 4),
    ]
    assert quarters_of_years(2026, 2026) == [Quarter(2026, n) for n in (1, 2, 3, 4)]
    with pytest.raises(ValueError):
        quarters_of_years(2027, 2026)


# Reminders

DUE = date(2026, 7, 30)


@pytest.mark.parametrize(
    ("days_before", "kind"),
    [
        (15, None),
        (14, ReminderKind.in_14_days),
        (13, None),
        (4, None),
        (3, ReminderKind.in_3_days),
        (2, None),
        (1, None),
        (0, ReminderKind.due_today),
        (-1, ReminderKind.overdue),
        (-2, ReminderKind.overdue),
        (-400, ReminderKind.overdue),
        (100, None),
    ],
)
def test_reminder_due_around_a_due_date(days_before, kind):
    assert reminder_due(DUE, DUE - timedelta(days=days_before)) is kind


def test_reminder_titles():
    assert [kind.title for kind in ReminderKind] == [
        "Due in 14 days",
        "Due in 3 days",
        "Due today",
        "Overdue",
    ]


def test_reminder_key_reads_plainly():
    assert reminder_key("return", 42, ReminderKind.in_3_days, DUE) == (
        "return:42:in_3_days:2026-07-30"
    )


def test_overdue_reminder_key_is_the_same_whichever_day_it_is_worked_out():
    keys = {
        reminder_key("return", 42, reminder_due(DUE, DUE + timedelta(days=late)), DUE)
        for late in range(1, 60)
    }

    assert keys == {"return:42:overdue:2026-07-30"}


def test_reminder_keys_differ_by_item_kind_and_due_date():
    keys = {
        reminder_key(item_type, item_id, kind, due)
        for item_type in ("return", "milestone")
        for item_id in (4, 42)
        for kind in ReminderKind
        for due in (DUE, DUE + timedelta(days=1))
    }

    assert len(keys) == 2 * 2 * len(ReminderKind) * 2


@pytest.mark.parametrize("item_type", ["", "return:4"])
def test_reminder_key_refuses_an_item_type_that_would_make_it_ambiguous(item_type):
    with pytest.raises(ValueError):
        reminder_key(item_type, 2, ReminderKind.overdue, DUE)


# Properties


@EXAMPLES
@given(quarters)
def test_consecutive_quarters_tile_the_calendar(quarter):
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.previous().end == quarter.start - timedelta(days=1)
    assert quarter.next().previous() == quarter == quarter.previous().next()
    assert quarter.previous() < quarter < quarter.next()


@EXAMPLES
@given(quarters)
def test_a_quarter_contains_its_own_first_and_last_days(quarter):
    assert Quarter.containing(quarter.start) == Quarter.containing(quarter.end) == quarter
    assert 90 <= (quarter.end - quarter.start).days + 1 <= 92


@EXAMPLES
@given(days)
def test_every_day_is_in_exactly_one_quarter(day):
    quarter = Quarter.containing(day)
    neighbours = [quarter.previous(), quarter.next()]

    assert quarter.start <= day <= quarter.end
    assert not any(other.start <= day <= other.end for other in neighbours)


@EXAMPLES
@given(days, st.integers(min_value=0, max_value=2000))
def test_quarters_between_covers_the_span_and_nothing_more(first, length):
    last = first + timedelta(days=length)
    found = quarters_between(first, last)

    assert found[0].start <= first and last <= found[-1].end
    assert all(a.next() == b for a, b in pairwise(found))
    assert all(q.start <= last and first <= q.end for q in found)


@EXAMPLES
@given(days, days)
def test_reminder_due_is_none_only_well_before_the_due_date(due, today):
    kind = reminder_due(due, today)

    if kind is None:
        assert today < due and (due - today).days not in (3, 14)
    else:
        assert (kind is ReminderKind.overdue) == (today > due)
