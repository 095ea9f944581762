"""The one clock. Every "now" and "today" the service reads comes from here.

Due dates, reminders, round deadlines, grant status and the demo data all depend on the
date, so nothing else may ask the operating system for it: tests set this clock (and the
demo can be loaded as of any day), and the same code then behaves the same on any
calendar day it happens to run.

The clock is process-wide, not per request: the scheduler, the command line and the
test's live server thread read it too.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Set by set_now(): either a fixed instant, or an offset from the real time so the clock
# still ticks (records made one after another keep their order).
_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def today() -> date:
    """Today in London: what due dates, quarters and financial years are counted in."""
    return now().astimezone(LONDON).date()


def set_now(instant: datetime, *, ticking: bool = True) -> None:
    """From here on the clock reads `instant`: still running on from it when `ticking`,
    stopped at it otherwise."""
    global _frozen, _offset
    if instant.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    if ticking:
        _frozen, _offset = None, instant - datetime.now(UTC)
    else:
        _frozen, _offset = instant.astimezone(UTC), timedelta(0)


def reset() -> None:
    """Back to the real time."""
    global _frozen, _offset
    _frozen, _offset = None, timedelta(0)


def advance(by: timedelta) -> None:
    """Move the clock on (or back), keeping it stopped or ticking as it was."""
    global _frozen, _offset
    if _frozen is not None:
        _frozen += by
    else:
        _offset += by


@contextmanager
def set_to(instant: datetime, *, ticking: bool = False) -> Iterator[None]:
    """The clock reads `instant` inside the block and is put back as it was after it."""
    global _frozen, _offset
    saved = _frozen, _offset
    set_now(instant, ticking=ticking)
    try:
        yield
    finally:
        _frozen, _offset = saved


def london_midday(day: date) -> datetime:
    """Midday in London on `day`: a safe instant to stand for a whole day, on either side
    of a change of the clocks."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)
