"""The one clock: it can be set, stopped and moved, and nothing else reads the date."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from eoi import clock

ROOT = Path(__file__).parents[1]

# Where the real time may be read: the clock itself, and APScheduler's own timing (the
# scheduler wakes by the wall clock; the job it runs reads the service clock).
READS_THE_REAL_TIME = {Path("eoi/clock.py"), Path("eoi/reminders/cli.py")}
REAL_TIME_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
                   ("date", "today"), ("time", "time"), ("time", "localtime"),
                   ("time", "gmtime")}


def _real_time_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in REAL_TIME_CALLS):
            found.append(f"{path}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def test_only_the_clock_reads_the_real_date():
    files = [p.relative_to(ROOT) for folder in ("eoi", "tests", "benchmarks", "scripts")
             for p in (ROOT / folder).rglob("*.py")]
    assert len(files) > 100
    found = [call for path in files if path not in READS_THE_REAL_TIME
             for call in _real_time_calls(ROOT / path)]
    assert found == [], "read the time through eoi.clock.now() or eoi.clock.today()"


def test_the_suite_starts_each_test_on_its_own_day_not_the_calendars():
    from tests.conftest import TEST_NOW

    assert abs(clock.now() - TEST_NOW) < timedelta(minutes=5)


def test_a_ticking_clock_runs_on_from_where_it_was_set():
    clock.set_now(datetime(2030, 1, 1, 9, tzinfo=UTC))
    first = clock.now()
    second = clock.now()
    assert datetime(2030, 1, 1, 9, tzinfo=UTC) <= first <= second
    assert second - first < timedelta(seconds=5)


def test_a_stopped_clock_stays_put_and_moves_only_when_told():
    with clock.set_to(datetime(2030, 6, 30, 22, 30, tzinfo=UTC)):
        assert clock.now() == clock.now() == datetime(2030, 6, 30, 22, 30, tzinfo=UTC)
        assert clock.today() == date(2030, 6, 30)  # 23:30 in London, in summer time
        clock.advance(timedelta(hours=1))
        assert clock.today() == date(2030, 7, 1)
    assert abs(clock.now() - datetime(2030, 6, 30, tzinfo=UTC)) > timedelta(days=1)


def test_today_is_a_london_day_on_both_sides_of_a_change_of_the_clocks():
    # The clocks go back at 01:00 UTC on 25 October 2026; midnight in London is 23:00 UTC
    # the day before in summer and 00:00 UTC in winter.
    assert clock.london_midday(date(2026, 10, 25)).utcoffset() == timedelta(0)
    with clock.set_to(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 10, 25)
    with clock.set_to(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 31)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        clock.set_now(datetime(2030, 1, 1))
