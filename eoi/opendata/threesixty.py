"""Awarded grants as 360Giving Data Standard records (version 1.4), built from plain facts.

Pure: no Flask, no database. Whoever publishes gathers an `AwardedGrant` per published grant
and asks for the package; nothing about young people, assessors or scores is ever among the
facts, so none of it can leak into open data.

`problems` checks what the standard's data-quality tool would flag and the schema cannot:
the 360G- prefix, known org-id schemes, over-long or repeated titles, missing locations and
impossible dates. The schema itself is checked in the tests against the copy in
eoi/reference/data/360giving/.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

VERSION = "1.4"
GEO_CODE_TYPE_LONDON_BOROUGH = "LONB"  # from the standard's geoCodeType codelist
MAX_TITLE = 140  # longer titles are cut off by GrantNav and flagged by the quality tool

# org-id schemes (org-id.guide) the service's organisations use: local authorities, charities,
# companies, government bodies, the NHS. An identifier outside these is worth a second look.
KNOWN_SCHEMES = ("GB-LAE", "GB-CHC", "GB-COH", "GB-SC", "GB-NIC", "GB-GOV", "GB-GOVUK",
                 "GB-NHS", "GB-EDU", "GB-MPR", "GB-UKPRN", "XI-")
_ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,}-\S+$")
_PREFIX = re.compile(r"^360G-[A-Za-z0-9][A-Za-z0-9-]*-$")


@dataclass(frozen=True)
class Org:
    id: str  # org-id.guide identifier, e.g. GB-LAE-GRE
    name: str


@dataclass(frozen=True)
class Place:
    name: str
    gss_code: str  # ONS code of a London borough, E09...


@dataclass(frozen=True)
class AwardedGrant:
    reference: str  # GRT-2026-0007: unique and stable, so it makes the grant's id
    title: str
    description: str
    amount_pence: int
    award_date: date
    starts_on: date
    ends_on: date
    recipient: Org
    funders: Sequence[Org]
    places: Sequence[Place]
    programme: str
    programme_code: str
    from_open_call: bool
    modified: datetime


def check_prefix(prefix: str) -> str:
    """A registered 360Giving prefix looks like '360G-mopac-'."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"A 360Giving prefix starts '360G-' and ends '-', like '360G-mopac-', "
                         f"not {prefix!r}")
    return prefix


def grant_id(prefix: str, reference: str) -> str:
    return check_prefix(prefix) + reference


def months_between(start: date, end: date) -> int:
    """Whole months a grant runs, counting a part month as a month: 1 April 2026 to
    31 March 2027 is 12."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (1 if end.day >= start.day - 1 else 0)


def _pounds(pence: int) -> int | float:
    return pence // 100 if pence % 100 == 0 else pence / 100


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def grant_record(grant: AwardedGrant, *, prefix: str, data_source: str) -> dict:
    return {
        "id": grant_id(prefix, grant.reference),
        "title": grant.title,
        "description": grant.description,
        "currency": "GBP",
        "amountAwarded": _pounds(grant.amount_pence),
        "awardDate": grant.award_date.isoformat(),
        "plannedDates": [{"startDate": grant.starts_on.isoformat(),
                          "endDate": grant.ends_on.isoformat(),
                          "duration": months_between(grant.starts_on, grant.ends_on)}],
        "recipientOrganization": [{"id": grant.recipient.id, "name": grant.recipient.name}],
        "fundingOrganization": [{"id": org.id, "name": org.name} for org in grant.funders],
        "beneficiaryLocation": [{"name": place.name, "geoCode": place.gss_code,
                                 "geoCodeType": GEO_CODE_TYPE_LONDON_BOROUGH,
                                 "countryCode": "GB"} for place in grant.places],
        "grantProgramme": [{"code": grant.programme_code, "title": grant.programme}],
        "fromOpenCall": "Yes" if grant.from_open_call else "No",
        "dateModified": _instant(grant.modified),
        "dataSource": data_source,
    }


def package(grants: Iterable[AwardedGrant], *, prefix: str, publisher: Org,
            data_source: str, issued: date) -> dict:
    """The whole file: grants in reference order, with who published it and when."""
    return {
        "grants": [grant_record(g, prefix=prefix, data_source=data_source)
                   for g in sorted(grants, key=lambda g: g.reference)],
        **package_head(prefix=prefix, publisher=publisher, issued=issued),
    }


def package_head(*, prefix: str, publisher: Org, issued: date) -> dict:
    """Everything in the file but its grants, in the order the file gives it."""
    check_prefix(prefix)
    return {
        "version": VERSION,
        "title": f"{publisher.name}: co-commissioning fund grants",
        "issued": issued.isoformat(),
        "publisher": {"identifier": publisher.id, "name": publisher.name},
    }


def problems(record: dict, *, today: date) -> list[str]:
    """What a reader of the data would trip over, in words; empty when none."""
    found = []
    if not record["id"].startswith("360G-"):
        found.append(f"{record['id']}: a grant id must start with 360G-")
    if len(record["title"]) > MAX_TITLE:
        found.append(f"{record['id']}: the title is longer than {MAX_TITLE} characters")
    if record["title"].strip() == record.get("description", "").strip():
        found.append(f"{record['id']}: the description only repeats the title")
    for role in ("recipientOrganization", "fundingOrganization"):
        for org in record.get(role, []):
            # An organisation with no registered id gets one under the publisher's prefix.
            if org["id"].startswith("360G-"):
                continue
            if not _ORG_ID.match(org["id"]) or not org["id"].startswith(KNOWN_SCHEMES):
                found.append(f"{record['id']}: {org['name']} has no known org-id ({org['id']})")
    if not record.get("beneficiaryLocation"):
        found.append(f"{record['id']}: no beneficiary location")
    for name in ("dateModified", "dataSource"):
        if not record.get(name):
            found.append(f"{record['id']}: no {name}")
    award = date.fromisoformat(record["awardDate"])
    if not date(2000, 1, 1) <= award <= today:
        found.append(f"{record['id']}: the award date {award} is impossible")
    for dates in record.get("plannedDates", []):
        if dates["endDate"] < dates["startDate"]:
            found.append(f"{record['id']}: the planned dates end before they start")
    return found


# The standard's spreadsheet layout: schema titles, an array's first item rolled up into the
# grant's row as "Parent:Child". Every funder and location is also on a sheet of its own.
FLAT_COLUMNS: tuple[tuple[str, tuple], ...] = (
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    ("Planned Dates:Duration (months)", ("plannedDates", 0, "duration")),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:Geographic Code", ("beneficiaryLocation", 0, "geoCode")),
    ("Beneficiary Location:Geographic Code Type", ("beneficiaryLocation", 0, "geoCodeType")),
    ("Beneficiary Location:Country Code", ("beneficiaryLocation", 0, "countryCode")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("From An Open Call?", ("fromOpenCall",)),
    ("Last Modified", ("dateModified",)),
    ("Data Source", ("dataSource",)),
)
FUNDER_COLUMNS = ("Identifier", "Funding Org:Identifier", "Funding Org:Name")
LOCATION_COLUMNS = ("Identifier", "Beneficiary Location:Name",
                    "Beneficiary Location:Geographic Code",
                    "Beneficiary Location:Geographic Code Type",
                    "Beneficiary Location:Country Code")


def _at(record: dict, path: tuple):
    value = record
    for step in path:
        try:
            value = value[step]
        except (IndexError, KeyError):
            return ""
    return value


def flat_row(record: dict) -> list:
    return [_at(record, path) for _title, path in FLAT_COLUMNS]


def funder_rows(record: dict) -> list[list]:
    return [[record["id"], org["id"], org["name"]] for org in record["fundingOrganization"]]


def location_rows(record: dict) -> list[list]:
    return [[record["id"], place["name"], place["geoCode"], place["geoCodeType"],
             place["countryCode"]] for place in record["beneficiaryLocation"]]
