"""What MOPAC publishes as open data: every grant (grants exist only from published
decisions), as 360Giving facts. Reads the grant's own records and nothing else, so no
score, assessor or return figure can reach the file."""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

from flask import current_app, url_for
from sqlalchemy import Select, select

from eoi.accounts.models import User
from eoi.assessment.models import Decision
from eoi.consortia.models import ConsortiumMembership, MembershipStatus
from eoi.eois.models import Eoi, EoiSection
from eoi.eois.sections import in_shape
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
from eoi.reference.models import LocalAuthority, Organisation, OrganisationType
from eoi.reports.workbooks import workbook_chunks
from eoi.rounds.models import FundingRound

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


def _org(id_: int, org_id: str | None, name: str) -> Org:
    # 360Giving's rule for an organisation with no registered id: the publisher's prefix
    # and its own number for it.
    return Org(org_id or f"{prefix()}ORG-{id_}", name)


def _grants_query() -> Select:
    """A row a grant with what its record needs from one record each: the grant, its EOI's
    round and decision, and the lead's organisation (the recipient). Plain columns, not
    records: reading ten thousand grants' worth of ORM objects takes seconds."""
    return (select(Grant.id, Grant.reference, Grant.title, Grant.starts_on, Grant.ends_on,
                   Grant.created_at, Grant.consortium_id, Grant.eoi_id, Eoi.round_id,
                   FundingRound.title, Decision.decided_at, Organisation.id,
                   Organisation.org_id, Organisation.name)
            .join(Eoi, Eoi.id == Grant.eoi_id)
            .join(FundingRound, FundingRound.id == Eoi.round_id)
            .join(Decision, Decision.eoi_id == Eoi.id)  # every grant is made from one
            .join(User, User.id == Grant.owner_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .order_by(Grant.reference))


def _awarded(rows: Sequence, funder: Org) -> list[AwardedGrant]:
    """The grants of `rows` (from _grants_query) as 360Giving facts, with their funders,
    boroughs and summaries read in three statements for all of them."""
    if not rows:
        return []
    grant_ids = [row[0] for row in rows]
    funding: dict[int, list] = {}
    for grant_id, amount, id_, org_id, name, kind in db.session.execute(
            select(GrantFunding.grant_id, GrantFunding.amount_pence, Organisation.id,
                   Organisation.org_id, Organisation.name, Organisation.type)
            .join(Organisation, Organisation.id == GrantFunding.funder_id)
            .where(GrantFunding.grant_id.in_(grant_ids))
            .order_by(GrantFunding.grant_id, GrantFunding.financial_year, GrantFunding.id)):
        funding.setdefault(grant_id, []).append((amount, id_, org_id, name, kind))
    places: dict[int, list[Place]] = {}
    for consortium_id, name, code in db.session.execute(
            select(ConsortiumMembership.consortium_id, LocalAuthority.name,
                   LocalAuthority.gss_code)
            .join(LocalAuthority, LocalAuthority.id == ConsortiumMembership.local_authority_id)
            .where(ConsortiumMembership.consortium_id.in_({row[6] for row in rows}),
                   ConsortiumMembership.status == MembershipStatus.accepted)
            .order_by(LocalAuthority.name)):
        places.setdefault(consortium_id, []).append(Place(name, code))
    summaries = {eoi_id: in_shape("summary", content).get("summary") or ""
                 for eoi_id, content in db.session.execute(
                     select(EoiSection.eoi_id, EoiSection.stored_content).where(
                         EoiSection.key == "summary",
                         EoiSection.eoi_id.in_([row[7] for row in rows])))}
    made = []
    for (grant_id, reference, title, starts_on, ends_on, created_at, consortium_id, eoi_id,
         round_id, round_title, decided_at, owner_org, owner_org_id, owner_name) in rows:
        funders = [funder]
        for _amount, id_, org_id, name, kind in funding.get(grant_id, []):
            if kind is not OrganisationType.mopac:
                org = _org(id_, org_id, name)
                if org not in funders:
                    funders.append(org)
        text = summaries.get(eoi_id) or title
        made.append(AwardedGrant(
            reference=reference, title=title, description=text.strip()[:DESCRIPTION_LIMIT],
            amount_pence=sum(f[0] for f in funding.get(grant_id, [])),
            award_date=decided_at.astimezone(LONDON).date(),
            starts_on=starts_on, ends_on=ends_on,
            recipient=_org(owner_org, owner_org_id, owner_name), funders=tuple(funders),
            places=tuple(places.get(consortium_id, [])), programme=round_title,
            programme_code=f"round-{round_id}", from_open_call=True, modified=created_at))
    return made


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
            rows = db.session.execute(
                _grants_query().where(Grant.reference > after).limit(chunk)).all()
            yield from self._made(rows)
            if len(rows) < chunk:
                return
            after = rows[-1][1]

    def page(self, number: int) -> Page[dict]:
        """One page of the records, for the open data page."""
        page = paginate(_grants_query(), number, scalars=False)
        return Page(self._made(page.rows), page.number, page.per_page, page.total)

    def _made(self, rows: Sequence) -> list[dict]:
        return [grant_record(g, prefix=prefix(), data_source=self.data_source)
                for g in _awarded(rows, self.funder)]


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
    """The package as JSON, a grant at a time and a grant a line: the opening, each grant's
    record, then the head (who published it, when, which version). Written compact, as
    Python's fast encoder writes JSON only without indentation."""
    yield '{"grants": ['
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n], " + json.dumps(head, ensure_ascii=False)[1:] + "\n"


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
