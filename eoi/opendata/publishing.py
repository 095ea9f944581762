"""What MOPAC publishes as open data: every grant (grants exist only from published
decisions), as 360Giving facts. Reads the grant's own records and nothing else, so no
score, assessor or return figure can reach the file."""

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eoi.accounts.models import User
from eoi.consortia.models import Consortium, ConsortiumMembership
from eoi.eois.models import Eoi, EoiSection
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants.models import Grant, GrantFunding
from eoi.opendata.threesixty import (
    FLAT_COLUMNS,
    FUNDER_COLUMNS,
    LOCATION_COLUMNS,
    AwardedGrant,
    Org,
    Place,
    flat_row,
    funder_rows,
    grant_record,
    location_rows,
    package_head,
)
from eoi.pagination import Page, paginate
from eoi.reference.models import Organisation, OrganisationType
from eoi.reports.workbooks import workbook_chunks

DESCRIPTION_LIMIT = 1000
# Grants read at a time for a download: each chunk costs the same few statements.
CHUNK = 1000


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


def awarded(grant: Grant, funder: Org, summary: str | None) -> AwardedGrant:
    """The grant as 360Giving facts; `summary` is its EOI's summary answer, if any."""
    eoi = grant.eoi
    text = summary or grant.title
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


# What a grant's record is made from, loaded for many grants at once: one statement per
# collection, not per grant.
_FOR_RECORD = (
    joinedload(Grant.eoi).joinedload(Eoi.decision),
    joinedload(Grant.eoi).joinedload(Eoi.funding_round),
    joinedload(Grant.owner).joinedload(User.organisation),
    selectinload(Grant.funding).joinedload(GrantFunding.funder),
    joinedload(Grant.consortium).selectinload(Consortium.memberships)
    .joinedload(ConsortiumMembership.local_authority),
)


def _summaries(grants: Sequence[Grant]) -> dict[int, str]:
    """Each EOI's summary answer, by EOI id: only that section is read."""
    sections = db.session.scalars(select(EoiSection).where(
        EoiSection.key == "summary", EoiSection.eoi_id.in_([g.eoi_id for g in grants])))
    return {s.eoi_id: (s.content or {}).get("summary") or "" for s in sections}


@dataclass(frozen=True)
class Publication:
    """What is published: the package's head (who, when, which version) and its grants'
    records, in reference order. `records` reads the grants as it is iterated, a chunk at
    a time, so it is iterated once per download."""

    head: dict
    funder: Org
    data_source: str

    def records(self, chunk: int = CHUNK) -> Iterator[dict]:
        after = ""
        while True:
            grants = db.session.scalars(select(Grant).options(*_FOR_RECORD)
                                        .where(Grant.reference > after)
                                        .order_by(Grant.reference).limit(chunk)).all()
            yield from self._made(grants)
            if len(grants) < chunk:
                return
            after = grants[-1].reference

    def page(self, number: int) -> Page[dict]:
        """One page of the records, for the open data page."""
        page = paginate(select(Grant).options(*_FOR_RECORD).order_by(Grant.reference), number)
        return Page(self._made(page.rows), page.number, page.per_page, page.total)

    def _made(self, grants: Sequence[Grant]) -> list[dict]:
        if not grants:
            return []
        summaries = _summaries(grants)
        return [grant_record(awarded(g, self.funder, summaries.get(g.eoi_id)),
                             prefix=prefix(), data_source=self.data_source) for g in grants]


def publication(today: date) -> Publication:
    """What MOPAC publishes today. Raises NotPublishable when nothing can be."""
    funder = mopac()
    if db.session.scalar(select(Grant.id).limit(1)) is None:
        # The standard has no empty package: a file with no grants would not be valid.
        raise NotPublishable("No grants have been awarded yet")
    return Publication(package_head(prefix=prefix(), publisher=funder, issued=today), funder,
                       url_for("opendata.index", _external=True))


def published_package(today: date) -> dict:
    """The whole package at once, for tests and anyone who wants it as one object."""
    published = publication(today)
    return {"grants": list(published.records()), **published.head}


def json_chunks(head: dict, records: Iterable[dict]) -> Iterator[str]:
    """The package as JSON, exactly as `as_json` writes it, a grant at a time: the head's
    opening, then each grant's record, then the rest of the head."""
    yield '{\n  "grants": ['
    first = True
    for record in records:
        text = textwrap.indent(json.dumps(record, indent=2, ensure_ascii=False), "    ")
        yield ("\n" if first else ",\n") + text
        first = False
    rest = json.dumps(head, indent=2, ensure_ascii=False)  # '{\n  "version"...'
    yield ("]" if first else "\n  ]") + ",\n" + rest[2:]


def as_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def csv_chunks(published: Publication) -> Iterator[str]:
    """The standard's one row a grant, a line at a time. Cells are written as they are
    (no spreadsheet guard): open data is read by programs, which must get the text as
    published."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in chain([[title for title, _ in FLAT_COLUMNS]], map(flat_row, published.records())):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def as_xlsx(published: Publication) -> Iterator[bytes]:
    """The standard's sheets. A sheet is written whole before the next, so the records are
    read once and held for the three sheets that list them."""
    records = list(published.records())
    head = published.head
    publisher = head["publisher"]
    return workbook_chunks([
        ("grants", chain([[title for title, _ in FLAT_COLUMNS]], map(flat_row, records))),
        ("funding_organizations",
         chain([list(FUNDER_COLUMNS)], (row for r in records for row in funder_rows(r)))),
        ("beneficiary_locations",
         chain([list(LOCATION_COLUMNS)], (row for r in records for row in location_rows(r)))),
        ("Meta", [*([key, head[key]] for key in ("title", "version", "issued")),
                  ["publisher:name", publisher["name"]],
                  ["publisher:identifier", publisher["identifier"]]]),
    ])
