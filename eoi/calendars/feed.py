"""iCalendar (RFC 5545) text for a list of deadlines, written by hand.

The format is small enough that a library would add more than it saves: CRLF line endings,
lines folded at 75 octets, four characters escaped in text, and one time zone described.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from eoi.formatting import LONDON

PRODID = "-//MOPAC//London Co-commissioning Fund//EN"
TIMEZONE = "Europe/London"
MAX_OCTETS = 75

# Calendar programs re-read a subscribed feed on their own schedule; these ask for twice a
# day (REFRESH-INTERVAL is RFC 7986; Outlook reads X-PUBLISHED-TTL).
REFRESH = "PT12H"

# The rules UK clocks have followed since 1996: BST from 01:00 GMT on the last Sunday of
# March, GMT again from 02:00 BST on the last Sunday of October. Each DTSTART is a local
# time in the offset in force before the change, as RFC 5545 asks.
_LONDON_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TIMEZONE}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]

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


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11): backslash, semicolon, comma and line breaks
    escaped; other control characters dropped, since no calendar could show them."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROLS.sub("", value)
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets of UTF-8, each continuation
    starting with a space (which counts towards its 75), never inside a character."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for character in line:
        octets = len(character.encode("utf-8"))
        if size + octets > MAX_OCTETS:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(character)
        size += octets
    pieces.append("".join(current))
    return "\r\n".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(deadline: Deadline, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{deadline.uid}",
        f"DTSTAMP:{stamp}",
    ]
    if not isinstance(deadline.when, datetime):  # all day
        lines += [
            f"DTSTART;VALUE=DATE:{deadline.when:%Y%m%d}",
            f"DTEND;VALUE=DATE:{deadline.when + timedelta(days=1):%Y%m%d}",
        ]
    else:
        # No DTEND: a deadline is a moment, and RFC 5545 says such an event ends as it
        # starts.
        local = deadline.when.astimezone(LONDON)
        lines.append(f"DTSTART;TZID={TIMEZONE}:{local:%Y%m%dT%H%M%S}")
    lines += [
        f"SUMMARY:{escape_text(deadline.summary)}",
        f"DESCRIPTION:{escape_text(deadline.description)}",
        f"URL:{deadline.url}",
        # A deadline is not a meeting: it must not make anyone look busy.
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def calendar_text(deadlines: list[Deadline], *, name: str, stamp: datetime) -> str:
    """The whole calendar. `stamp` (aware) is when it was made, given as every event's
    DTSTAMP."""
    when_made = _utc(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TIMEZONE}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
        *_LONDON_VTIMEZONE,
    ]
    for deadline in deadlines:
        lines += _event(deadline, when_made)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
