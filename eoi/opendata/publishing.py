"""What MOPAC publishes as open data: every grant (grants exist only from published
decisions), as 360Giving facts. Reads the grant's own records and nothing else, so no
score, assessor or return figure can reach the file."""

import csv
import io
import json
from datetime import date

from flask import current_app, url_for
from sqlalchemy import select

from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants.models import Grant
from eoi.opendata.threesixty import (
    FLAT_COLUMNS,
    FUNDER_COLUMNS,
    LOCATION_COLUMNS,
    AwardedGrant,
    Org,
    Place,
    flat_row,
    funder_rows,
    location_rows,
    package,
)
from eoi.reference.models import Organisation, OrganisationType
from eoi.reports.workbooks import workbook_bytes

DESCRIPTION_LIMIT = 1000


class NotPublishable(RuntimeError):
    """Something MOPAC must set before its grants can be published; the message says what."""


def prefix() -> str:
    return current_app.config["EOI_360G_PREFIX"]


def mopac() -> Org:
    """MOPAC as funder and publisher. It has no registered org-id that could be found, so
    none is invented: a fund manager enters it on MOPAC's organisation record."""
    organisation = db.session.scalar(select(Organisation).where(
        Organisation.type == OrganisationType.mopac))
    if organisation is None or not organisation.org_id:
        raise NotPublishable("MOPAC's organisation identifier is not set: a fund manager "
                             "enters it under Organisations (for example GB-GOR-…)")
    return Org(organisation.org_id, organisation.name)


def _org(organisation: Organisation) -> Org:
    # 360Giving's rule for an organisation with no registered id: the publisher's prefix
    # and its own number for it.
    return Org(organisation.org_id or f"{prefix()}ORG-{organisation.id}", organisation.name)


def awarded(grant: Grant, funder: Org) -> AwardedGrant:
    eoi = grant.eoi
    summary = eoi.section("summary")
    text = ((summary.content or {}).get("summary") if summary else "") or grant.title
    funders = [funder]
    for row in grant.funding:
        if row.funder.type is not OrganisationType.mopac:
            org = _org(row.funder)
            if org not in funders:
                funders.append(org)
    assert eoi.decision is not None  # every grant is made from its EOI's decision
    decided = eoi.decision.decided_at.astimezone(LONDON).date()
    return AwardedGrant(
        reference=grant.reference, title=grant.title,
        description=text.strip()[:DESCRIPTION_LIMIT],
        amount_pence=grant.pooled_total_pence, award_date=decided,
        starts_on=grant.starts_on, ends_on=grant.ends_on,
        recipient=_org(grant.owner.organisation), funders=tuple(funders),
        places=tuple(Place(b.name, b.gss_code) for b in grant.consortium.member_boroughs),
        programme=eoi.funding_round.title, programme_code=f"round-{eoi.round_id}",
        from_open_call=True, modified=grant.created_at)


def published_package(today: date) -> dict:
    funder = mopac()
    grants = db.session.scalars(select(Grant).order_by(Grant.reference)).all()
    if not grants:
        # The standard has no empty package: a file with no grants would not be valid.
        raise NotPublishable("No grants have been awarded yet")
    return package([awarded(g, funder) for g in grants], prefix=prefix(), publisher=funder,
                   data_source=url_for("opendata.index", _external=True), issued=today)


def as_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_csv(data: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in FLAT_COLUMNS])
    for record in data["grants"]:
        writer.writerow(flat_row(record))
    return buffer.getvalue()


def as_xlsx(data: dict) -> bytes:
    records = data["grants"]
    publisher = data["publisher"]
    return workbook_bytes([
        ("grants", [[title for title, _ in FLAT_COLUMNS], *map(flat_row, records)]),
        ("funding_organizations",
         [list(FUNDER_COLUMNS), *(row for r in records for row in funder_rows(r))]),
        ("beneficiary_locations",
         [list(LOCATION_COLUMNS), *(row for r in records for row in location_rows(r))]),
        ("Meta", [*([key, data[key]] for key in ("title", "version", "issued")),
                  ["publisher:name", publisher["name"]],
                  ["publisher:identifier", publisher["identifier"]]]),
    ])
