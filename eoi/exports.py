"""Lists people work with (EOIs, grants, payments, returns, the service map) downloaded as
CSV or XLSX, holding every row the page's filters match (all of them, not the page shown),
streamed: rows are read from the database and written out as they come."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import stream_with_context

from eoi.downloads import attachment
from eoi.formatting import LONDON
from eoi.reports.workbooks import workbook_bytes, workbook_chunks

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these would run as a formula when a spreadsheet opens the CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filter:
    """One field of a list's filter form: a select of `options`, or, where there are too
    many to choose from, a text box for the value itself (`typed`). Values are strings, as
    the query string has them."""

    name: str
    label: str
    options: list[tuple[str, str]]  # (value, what the person sees); none when typed
    any_label: str
    chosen: str = ""
    typed: bool = False
    hint: str = ""

    @property
    def chosen_label(self) -> str:
        if self.typed:
            return self.chosen or self.any_label
        return dict(self.options).get(self.chosen, self.any_label)


# What a typed filter accepts (a grant's reference): anything else is no filter, as an
# option not on offer is. re's pattern has no backtracking on this shape.
TYPED_VALUE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}")


def read_filters(args, filters: list[Filter]) -> dict[str, Filter]:
    """The filters as chosen in the query string, by name. A value that is not on offer (an
    old bookmark, a hand-edited address) means no filter rather than an error."""
    chosen = {}
    for f in filters:
        value = args.get(f.name, "").strip()
        if f.typed:
            value = value.upper()
            offered = TYPED_VALUE.fullmatch(value) is not None
        else:
            offered = value in dict(f.options)
        chosen[f.name] = replace(f, chosen=value if offered else "")
    return chosen


def query_of(filters: dict[str, Filter]) -> dict[str, str]:
    """The chosen filters as query-string arguments, for download links."""
    return {name: f.chosen for name, f in filters.items() if f.chosen}


def described(filters: dict[str, Filter]) -> list[tuple[str, str]]:
    return [(f.label, f.chosen_label) for f in filters.values() if f.chosen]


@dataclass
class Listing:
    """A list as downloaded. Cells are text, whole numbers, `pounds()`, dates, datetimes or
    None; `filters` are (label, chosen value) pairs, recorded in the XLSX. `rows` may be a
    generator reading the database as it goes: it is read once, as the download is sent."""

    title: str
    headings: list[str]
    rows: Iterable[list] = field(default_factory=list)

    def add(self, row: list) -> None:
        """One more row, for a listing built as a list rather than from a generator."""
        if not isinstance(self.rows, list):
            raise TypeError("this listing's rows come from a generator")
        self.rows.append(row)
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


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as a line of CSV, as it comes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows) -> str:
    return "".join(csv_lines(rows))


def _with_headings(listing: Listing) -> Iterator[list]:
    yield listing.headings
    yield from listing.rows


def as_csv(listing: Listing) -> str:
    return csv_text(_with_headings(listing))


def _xlsx_sheets(listing: Listing, exported_at: datetime):
    def cell(value):
        return _local(value) if isinstance(value, datetime) else value
    about: list[list[Any]] = [["List", listing.title], ["Exported", _local(exported_at)],
                              *([label, value] for label, value in listing.filters)]
    rows = ([cell(v) for v in row] for row in _with_headings(listing))
    return [(listing.title[:31], rows), ("About", about)]


def as_xlsx(listing: Listing, exported_at: datetime) -> bytes:
    return workbook_bytes(_xlsx_sheets(listing, exported_at), bold_first_row=True)


def download(listing: Listing, fmt: str, stem: str, exported_at: datetime):
    """The listing as `fmt`: "csv" or "xlsx", all the routes' `any(csv, xlsx)` lets in,
    streamed: the rows are read while the download is sent, in the request's context."""
    if fmt == "csv":
        chunks: Iterator = csv_lines(_with_headings(listing))
    else:
        chunks = workbook_chunks(_xlsx_sheets(listing, exported_at), bold_first_row=True)
    return attachment(stream_with_context(chunks), MIMETYPES[fmt],
                      f"{stem}-{_local(exported_at).date()}.{fmt}")
