"""How values read on the page: London time, GOV.UK date style."""

from datetime import date, datetime, timedelta

from markupsafe import Markup

from eoi.clock import LONDON


def london_time(value: datetime) -> str:
    """'9:05am' in London time, as the GOV.UK style guide writes times ('midnight' and
    'midday' rather than 12am and 12pm, which people misread)."""
    local = value.astimezone(LONDON)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
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
    if isinstance(value, str):  # an ISO date, as a kept version holds them in JSON
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def and_list(words) -> str:
    """'Greenwich, Lewisham and Bexley'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def file_size(size_bytes: int) -> str:
    """'2.4MB', '38KB': how GOV.UK writes file sizes."""
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):.1f}MB"
    return f"{max(1, round(size_bytes / 1024))}KB"


def css_string(text: str):
    """Text to put inside a CSS string in a <style> block (PDF page headers): quotes,
    backslashes and '<' escaped the CSS way, since HTML escaping does not apply there."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n' else ch for ch in str(text))
    return Markup(escaped)


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
    app.add_template_filter(file_size)
    app.add_template_filter(css_string)
    from eoi.exports import query_of

    app.add_template_filter(query_of, "chosen_query")
