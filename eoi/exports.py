"""Lists people work with (EOIs, grants, payments, returns, the service map) downloaded as
CSV or XLSX, holding exactly the rows the page shows with its filters."""

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eoi.downloads import attachment
from eoi.formatting import LONDON
from eoi.reports.workbooks import workbook_bytes

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these would run as a formula when a spreadsheet opens the CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filter:
    """One select in a list's filter form. Values are strings, as the query string has them."""

    name: str
    label: str
    options: list[tuple[str, str]]  # (value, what the person sees)
    any_label: str
    chosen: str = ""

    @property
    def chosen_label(self) -> str:
        return dict(self.options).get(self.chosen, self.any_label)


def read_filters(args, filters: list[Filter]) -> dict[str, Filter]:
    """The filters as chosen in the query string, by name. A value that is not on offer (an
    old bookmark, a hand-edited address) means no filter rather than an error."""
    chosen = {}
    for f in filters:
        value = args.get(f.name, "").strip()
        chosen[f.name] = replace(f, chosen=value if value in dict(f.options) else "")
    return chosen


def query_of(filters: dict[str, Filter]) -> dict[str, str]:
    """The chosen filters as query-string arguments, for download links."""
    return {name: f.chosen for name, f in filters.items() if f.chosen}


def described(filters: dict[str, Filter]) -> list[tuple[str, str]]:
    return [(f.label, f.chosen_label) for f in filters.values() if f.chosen]


@dataclass
class Listing:
    """A list as downloaded. Cells are text, whole numbers, `pounds()`, dates, datetimes or
    None; `filters` are (label, chosen value) pairs, recorded in the XLSX."""

    title: str
    headings: list[str]
    rows: list[list] = field(default_factory=list)
    filters: list[tuple[str, str]] = field(default_factory=list)


def pounds(pence: int | None) -> Decimal | None:
    """Money as an exact number of pounds, so a spreadsheet can add it up."""
    return None if pence is None else Decimal(pence).scaleb(-2)


def safe_text(text: str) -> str:
    """Text a spreadsheet will show rather than run. Text already starting with the guard
    is guarded too, so `unguarded` always gives back exactly what was exported."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unguarded(text: str) -> str:
    """Text as it was before `safe_text`, so an exported CSV imports back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(
        (*FORMULA_STARTS, "'")) else text


def _local(value: datetime) -> datetime:
    # Spreadsheets have no time zones: show the time as it was in London.
    return value.astimezone(LONDON).replace(tzinfo=None, microsecond=0)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"  # as many places as it was given: pence, or a score's one
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def csv_text(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def as_csv(listing: Listing) -> str:
    return csv_text([listing.headings, *listing.rows])


def as_xlsx(listing: Listing, exported_at: datetime) -> bytes:
    def cell(value):
        return _local(value) if isinstance(value, datetime) else value
    about: list[list[Any]] = [["List", listing.title], ["Exported", _local(exported_at)],
                              *([label, value] for label, value in listing.filters)]
    return workbook_bytes([
        (listing.title[:31], [listing.headings, *([cell(v) for v in row] for row in listing.rows)]),
        ("About", about),
    ], bold_first_row=True)


def download(listing: Listing, fmt: str, stem: str, exported_at: datetime):
    """The listing as `fmt`: "csv" or "xlsx", all the routes' `any(csv, xlsx)` lets in."""
    content = as_csv(listing) if fmt == "csv" else as_xlsx(listing, exported_at)
    return attachment(content, MIMETYPES[fmt], f"{stem}-{_local(exported_at).date()}.{fmt}")
