"""The service map as CSV: exported with the filters on screen, imported all or nothing."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from eoi.exports import csv_text, unguarded
from eoi.extensions import db
from eoi.inputs import clean_text
from eoi.reference.models import LocalAuthority, Organisation
from eoi.refusals import Refusal
from eoi.returns.privacy import TooMuchText, explain, find_personal_data
from eoi.service_map.models import MAX_DESCRIPTION, Cohort, Service, ServiceType
from eoi.service_map.operations import create_service, find_service, update_service

# A map of every CSE service in London is a few hundred rows and well under 1MB.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 1000
# How a ZIP file (XLSX, ODS) and an old Excel workbook (XLS) start.
_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

COLUMNS = ["provider", "service_name", "description", "boroughs", "service_types", "cohorts",
           "funding_end_date"]
LIST_SEPARATOR = ";"


def service_rows(services: Iterable[Service]) -> Iterator[list[str]]:
    """A row a service, as the services come."""
    for s in services:
        yield [
            s.provider.name,
            s.name,
            s.description,
            LIST_SEPARATOR.join(b.gss_code for b in s.boroughs),
            LIST_SEPARATOR.join(t.value for t in ServiceType if t in s.types),
            LIST_SEPARATOR.join(c.value for c in Cohort if c in s.cohorts),
            s.funding_end_date.isoformat() if s.funding_end_date else "",
        ]


def export_csv(services: Iterable[Service]) -> str:
    """In the import's own layout, so an edited export can be imported again."""
    return csv_text([COLUMNS, *service_rows(services)])


class ImportFileRefused(Refusal):
    """The uploaded file cannot be imported at all; the message says why."""


def uploaded_text(content: bytes) -> str:
    """The text of an uploaded CSV file, or ImportFileRefused."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileRefused(f"The selected file must be smaller than "
                            f"{MAX_IMPORT_BYTES // (1024 * 1024)}MB")
    if content.startswith(_SPREADSHEET_SIGNATURES):
        raise ImportFileRefused("The selected file is a spreadsheet, not a CSV file: save it as "
                            "CSV UTF-8 (comma delimited) and upload that")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileRefused("The selected file must be saved as UTF-8 CSV") from None
    if "\x00" in text:
        raise ImportFileRefused("The selected file is not a CSV file: save it as CSV UTF-8 "
                            "(comma delimited) and upload that")
    return text


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(LIST_SEPARATOR) if part.strip()]


def _enum_values(enum_class, cell: str, what: str, errors: list[str]) -> set:
    by_key = {m.value: m for m in enum_class} | {m.title.lower(): m for m in enum_class}
    found = set()
    for part in _split(cell):
        member = by_key.get(part.lower())
        if member is None:
            errors.append(f"unknown {what} '{part}'")
        else:
            found.add(member)
    if not found and not errors:
        errors.append(f"enter at least one {what}")
    return found


class ImportRefused(Refusal):
    """Some rows have problems, so nothing is imported; every problem is listed by row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def import_services(text: str, *, by) -> ImportResult:
    """All or nothing: every row is saved, or ImportRefused lists every problem."""
    result = import_csv(text, by=by)
    if result.errors:
        raise ImportRefused(result.errors)
    return result


def personal_data_in_row(row: dict[str, str]) -> list[str]:
    """What looks like personal data in a row's cells, one problem a column, each saying
    what without repeating it. A description may hold the provider's own phone number,
    email address and postcode, as a service's description may on its page (eoi.guard);
    every other cell is read strictly."""
    problems = []
    for column, text in row.items():
        if not text.strip():
            continue
        label = f"the {column.replace('_', ' ')} column"
        try:
            findings = find_personal_data(text, allow_contact_details=column == "description")
        except TooMuchText:
            problems.append(f"{label} is longer than can be checked for personal data")
            continue
        if findings:
            message = explain(findings, label)
            problems.append(message[:1].lower() + message[1:])
    return problems


def import_csv(text: str, *, by) -> ImportResult:
    """Check every row first; only if all are good, save them all (in the caller's
    transaction). Row numbers are the spreadsheet's: the header is row 1."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(f"Row 1: the header is missing the columns {', '.join(missing)}")
        return result

    boroughs = {la.gss_code: la for la in db.session.scalars(select(LocalAuthority))}
    boroughs |= {la.name.lower(): la for la in boroughs.values()}
    parsed: list[tuple[Organisation, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(reader, start=2):
        if number > MAX_IMPORT_ROWS + 1:
            result.errors.append(f"Row {number}: the file has more than {MAX_IMPORT_ROWS:,} "
                                 "services. Import them in smaller files")
            return result
        # Every cell as text (a short row's missing cells are empty), with the export's
        # formula guard taken off.
        row = {key: clean_text(unguarded(value or "")) for key, value in row.items() if key}
        problems = personal_data_in_row(row)
        if problems:  # no other message, as those could repeat the personal data
            result.errors += [f"Row {number}: {problem}" for problem in problems]
            continue
        provider_text = row["provider"].strip()
        provider = db.session.scalar(select(Organisation).where(
            or_(Organisation.name == provider_text, Organisation.org_id == provider_text)))
        if provider is None:
            problems.append(f"unknown provider '{provider_text}'" if provider_text
                            else "enter the provider")
        name = row["service_name"].strip()
        if not name:
            problems.append("enter the service name")
        elif len(name) > 200:
            problems.append("the service name must be 200 characters or fewer")
        if len(row["description"].strip()) > MAX_DESCRIPTION:
            problems.append(f"the description must be {MAX_DESCRIPTION:,} characters or fewer")
        chosen = []
        for part in _split(row["boroughs"]):
            borough = boroughs.get(part) or boroughs.get(part.lower())
            if borough is None:
                problems.append(f"unknown borough '{part}'")
            else:
                chosen.append(borough)
        if not _split(row["boroughs"]):
            problems.append("enter at least one borough")
        types = _enum_values(ServiceType, row["service_types"], "service type", problems)
        cohorts = _enum_values(Cohort, row["cohorts"], "cohort", problems)
        end_text = row["funding_end_date"].strip()
        end = None
        if end_text:
            try:
                end = date.fromisoformat(end_text)
            except ValueError:
                problems.append(f"funding end date '{end_text}' must be a real date, "
                                "like 2027-03-31")
        key = (provider_text.lower(), name.lower())
        if key in seen:
            problems.append("the same provider and service name appear on an earlier row")
        seen.add(key)
        if problems or provider is None:  # an unknown provider is among the problems
            result.errors += [f"Row {number}: {problem}" for problem in problems]
            continue
        parsed.append((provider, dict(name=name, description=row["description"].strip(),
                                      boroughs=chosen, types=types, cohorts=cohorts,
                                      funding_end_date=end)))
    if result.errors:
        return result
    if not parsed:
        result.errors.append("Row 2: the file has no services in it")
        return result

    for provider, values in parsed:
        existing = find_service(provider, values["name"])
        if existing is None:
            create_service(provider=provider, by=by, **values)
            result.created += 1
        else:
            update_service(existing, by=by, expected_version=None, **values)
            result.updated += 1
    return result
