"""How values read on the page: London time, GOV.UK date style."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_time(value: datetime) -> str:
    """'9:05am' in London time, as the GOV.UK style guide writes times."""
    local = value.astimezone(LONDON)
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def london_datetime(value: datetime | None) -> str:
    """'24 November 2026 at 9:05am', in London time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {london_time(value)}"


def closing_time(closes_at: datetime) -> str:
    """A round's closing instant as people read it: the last minute it still accepts."""
    return london_datetime(closes_at - timedelta(minutes=1))


def london_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def and_list(words) -> str:
    """'Greenwich, Lewisham and Bexley'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def options(records, value_attr: str, label_attr: str) -> list[tuple]:
    """(value, label) pairs for a select, from records' attributes."""
    return [(getattr(r, value_attr), getattr(r, label_attr)) for r in records]


def register_filters(app) -> None:
    app.add_template_filter(options)
    from eoi.money import format_pence

    app.add_template_filter(format_pence, "money")
    app.add_template_filter(and_list)
    app.add_template_filter(london_datetime)
    app.add_template_filter(london_date)
    app.add_template_filter(london_time)
    app.add_template_filter(closing_time)
