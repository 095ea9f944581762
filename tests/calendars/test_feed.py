"""The iCalendar text itself, without a database: line folding, text escaping, all-day and
timed deadlines, the London time zone, and that a real parser reads back what was written."""

from datetime import UTC, date, datetime

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eoi.calendars.feed import Deadline, calendar_text, plain_text
from eoi.formatting import LONDON

STAMP = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def _deadline(summary="Milestone due", when=date(2026, 9, 30), **values) -> Deadline:
    return Deadline(**{"uid": "milestone-1@eoi.test", "summary": summary,
                       "description": "Send the evidence.", "url": "https://eoi.test/m/1",
                       "when": when, **values})


def _text(*deadlines: Deadline) -> str:
    return calendar_text(list(deadlines), name="Deadlines", stamp=STAMP)


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_every_line_ends_in_crlf_and_none_is_over_75_octets():
    text = _text(_deadline(summary="Milestone due: GRT-2026-0001 – " + "évaluation " * 20))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in lines) == 75
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"


def test_long_lines_fold_without_splitting_a_character():
    text = _text(_deadline(summary="€" * 60 + "😀" * 40, description="é" * 100))
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # whole characters only
    assert "€" * 60 + "😀" * 40 in _unfold(text)


def test_control_characters_are_dropped_and_line_breaks_kept():
    assert plain_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert plain_text("bell\x07 and tab\t") == "bell and tab\t"
    assert "SUMMARY:a\\\\b\\;c\\,d\\ne\r\n" in _unfold(_text(_deadline(summary="a\\b;c,d\ne")))


def test_an_all_day_deadline_runs_from_its_day_to_the_next():
    text = _unfold(_text(_deadline(when=date(2027, 3, 31))))
    assert "DTSTART;VALUE=DATE:20270331\r\n" in text
    assert "DTEND;VALUE=DATE:20270401\r\n" in text


def test_a_timed_deadline_is_in_london_time_and_has_no_end():
    # 23:00 UTC on 15 June is midnight in London, in British Summer Time.
    closes = datetime(2026, 6, 15, 23, 0, tzinfo=UTC)
    text = _unfold(_text(_deadline(when=closes)))
    assert "DTSTART;TZID=Europe/London:20260616T000000\r\n" in text
    assert "DTEND" not in text
    winter = _unfold(_text(_deadline(when=datetime(2026, 12, 16, 0, 0, tzinfo=UTC))))
    assert "DTSTART;TZID=Europe/London:20261216T000000\r\n" in winter


def test_the_calendar_has_its_headers_and_the_london_time_zone():
    text = _unfold(_text(_deadline()))
    for line in ["VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                 "X-WR-CALNAME:Deadlines", "X-WR-TIMEZONE:Europe/London",
                 "BEGIN:VTIMEZONE", "TZID:Europe/London", "TZNAME:BST", "TZNAME:GMT",
                 # From zoneinfo, each change in the offset before it: BST from 01:00
                 # GMT on the last Sunday of March, GMT from 02:00 BST in October.
                 "DTSTART:20260329T010000", "DTSTART:20261025T020000",
                 "DTSTART:20270328T010000", "DTSTART:20271031T020000",
                 "UID:milestone-1@eoi.test", "DTSTAMP:20261124T093000Z",
                 "URL:https://eoi.test/m/1", "TRANSP:TRANSPARENT"]:
        assert f"\r\n{line}\r\n" in text, line
    assert text.index("END:VTIMEZONE") < text.index("BEGIN:VEVENT")


def test_a_parser_reads_back_both_kinds_of_deadline():
    closes = datetime(2026, 12, 16, 0, 0, tzinfo=LONDON)
    calendar = icalendar.Calendar.from_ical(_text(
        _deadline(summary="Round closes: Round two, 2027; \\ final", when=closes,
                  uid="round-1-closes@eoi.test"),
        _deadline()))
    timed, all_day = calendar.walk("VEVENT")
    assert str(timed["SUMMARY"]) == "Round closes: Round two, 2027; \\ final"
    assert timed["DTSTART"].dt == closes
    assert str(timed["DTSTART"].dt.tzinfo) == "Europe/London"
    assert all_day["DTSTART"].dt == date(2026, 9, 30)
    assert all_day["DTEND"].dt == date(2026, 10, 1)
    assert str(calendar["X-WR-CALNAME"]) == "Deadlines"


def test_a_timed_deadline_must_say_its_time_zone():
    with pytest.raises(ValueError, match="aware"):
        _deadline(when=datetime(2026, 12, 16))


@given(st.text(max_size=300))
def test_any_summary_survives_a_parser(summary):
    calendar = icalendar.Calendar.from_ical(_text(_deadline(summary=summary)))
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == _as_written(summary)


def _as_written(text: str) -> str:
    """What the feed promises to keep: every character but the controls RFC 5545 forbids
    in text (tab and line breaks are kept, a line break always as a plain newline)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (ord(c) < 32 or 127 <= ord(c) < 160))
