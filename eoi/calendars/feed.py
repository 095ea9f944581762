"""iCalendar (RFC 5545) text for a list of deadlines, through the icalendar library: it
escapes text, folds lines at 75 octets and writes CRLF; the London time zone is described
from zoneinfo, for the years the deadlines fall in."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar

from eoi.formatting import LONDON

PRODID = "-//MOPAC//London Co-commissioning Fund//EN"
TIMEZONE = "Europe/London"

# Calendar programs re-read a subscribed feed on their own schedule; these ask for twice a
# day (REFRESH-INTERVAL is RFC 7986; Outlook reads X-PUBLISHED-TTL).
REFRESH = timedelta(hours=12)

# RFC 5545 allows no control characters in text but tab; a line break is written as \n.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Deadline:
    """One thing due. `when` is a date for an all-day deadline, or an aware datetime for a
    deadline at a time of day (written in London time)."""

    uid: str
    summary: str
    description: str
    url: str
    when: date | datetime

    def __post_init__(self) -> None:
        if isinstance(self.when, datetime) and self.when.tzinfo is None:
            raise ValueError("a timed deadline needs an aware datetime")

    @property
    def is_all_day(self) -> bool:
        return not isinstance(self.when, datetime)

    @property
    def starts(self) -> datetime:
        """The instant it starts, to sort all-day and timed deadlines together."""
        if isinstance(self.when, datetime):
            return self.when
        return datetime.combine(self.when, time.min, tzinfo=LONDON)


def plain_text(value: str) -> str:
    """Text a calendar can show: line breaks made plain newlines, other control characters
    dropped (the library escapes the rest)."""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _event(deadline: Deadline, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", deadline.uid)
    event.add("dtstamp", stamp)
    if isinstance(deadline.when, datetime):
        # No DTEND: a deadline is a moment, and RFC 5545 says such an event ends as it
        # starts.
        event.add("dtstart", deadline.when.astimezone(LONDON))
    else:
        event.add("dtstart", deadline.when)
        event.add("dtend", deadline.when + timedelta(days=1))
    event.add("summary", plain_text(deadline.summary))
    event.add("description", plain_text(deadline.description))
    event.add("url", deadline.url)
    # A deadline is not a meeting: it must not make anyone look busy.
    event.add("transp", "TRANSPARENT")
    return event


def _london(deadlines: list[Deadline], stamp: datetime) -> icalendar.Timezone:
    """Europe/London's changes of clock, read from zoneinfo, from a year before the first
    date to a year after the last, so every local time in the feed is known to every
    calendar. (icalendar's own Timezone.from_tzinfo gives the spring change's onset in the
    new offset, an hour late; RFC 5545 wants it in the offset before the change.)"""
    days = [stamp.date(), *(deadline.starts.date() for deadline in deadlines)]
    zone = icalendar.Timezone()
    zone.add("tzid", TIMEZONE)
    for moment, before, after, name in _changes(date(min(days).year - 1, 1, 1),
                                                date(max(days).year + 1, 12, 31)):
        part = icalendar.TimezoneDaylight() if after > timedelta(0) else \
            icalendar.TimezoneStandard()
        part.add("dtstart", (moment + before).replace(tzinfo=None))  # local, before it
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", name)
        zone.add_component(part)
    return zone


def _changes(first: date, last: date):
    """(the instant in UTC, the offset before, the offset after, the new name) for each
    change of London's clocks between two dates: found a day at a time, then to the
    minute."""
    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(LONDON).utcoffset() or timedelta(0)

    day = datetime.combine(first, time(12), tzinfo=UTC)
    end = datetime.combine(last, time(12), tzinfo=UTC)
    while day < end:
        following = day + timedelta(days=1)
        if offset(day) != offset(following):
            low, high = day, following  # the change is after low, at or before high
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(day) else (low, middle)
            moment = high.replace(second=0, microsecond=0)
            yield moment, offset(day), offset(following), moment.astimezone(LONDON).tzname()
        day = following


def calendar_text(deadlines: list[Deadline], *, name: str, stamp: datetime) -> str:
    """The whole calendar. `stamp` (aware) is when it was made, given as every event's
    DTSTAMP."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", plain_text(name))
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    calendar.add_component(_london(deadlines, stamp))
    for deadline in deadlines:
        calendar.add_component(_event(deadline, stamp))
    return calendar.to_ical().decode("utf-8")
