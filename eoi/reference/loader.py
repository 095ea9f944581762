"""Loads London's reference data and the starter framework. Safe to run again and again:
it adds what is missing and leaves alone what exists, including fund managers' edits."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from eoi.audit import record_audit
from eoi.extensions import db
from eoi.reference import starter_framework as starter
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Outcome,
    Priority,
    PriorityKind,
)

LOCAL_AUTHORITIES_CSV = Path(__file__).parent / "data" / "london-local-authorities.csv"
MOPAC_NAME = "Mayor's Office for Policing and Crime (MOPAC)"


@dataclass
class LoadReport:
    added: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.added[what] = self.added.get(what, 0) + 1

    def __str__(self) -> str:
        if not self.added:
            return "Reference data already loaded: nothing to add."
        return "Added " + ", ".join(f"{n} {what}" for what, n in self.added.items()) + "."


def read_local_authorities(path: Path = LOCAL_AUTHORITIES_CSV) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _load_local_authorities(report: LoadReport) -> None:
    bcus = {bcu.name: bcu for bcu in db.session.scalars(select(BasicCommandUnit))}
    existing = set(db.session.scalars(select(LocalAuthority.gss_code)))
    organisations = {org.name: org for org in db.session.scalars(select(Organisation))}
    for row in read_local_authorities():
        if row["gss_code"] in existing:
            continue
        bcu = None
        if row["mps_bcu"]:
            bcu = bcus.get(row["mps_bcu"])
            if bcu is None:
                bcu = bcus[row["mps_bcu"]] = BasicCommandUnit(name=row["mps_bcu"])
                db.session.add(bcu)
                report.count("Basic Command Units")
        local_authority = LocalAuthority(
            name=row["name"],
            official_name=row["official_name"],
            gss_code=row["gss_code"],
            org_id=row["org_id"],
            bcu=bcu,
        )
        db.session.add(local_authority)
        report.count("local authorities")
        organisation = organisations.get(row["official_name"])
        if organisation is None:
            organisation = Organisation(
                name=row["official_name"],
                type=OrganisationType.local_authority,
                org_id=row["org_id"],
            )
            db.session.add(organisation)
            report.count("organisations")
        organisation.local_authority = local_authority


def _load_mopac(report: LoadReport) -> None:
    exists = db.session.scalar(
        select(Organisation.id).where(Organisation.type == OrganisationType.mopac)
    )
    if exists is None:
        db.session.add(Organisation(name=MOPAC_NAME, type=OrganisationType.mopac))
        report.count("organisations")


def _load_priorities(report: LoadReport) -> None:
    codes = set(db.session.scalars(select(Priority.code).where(Priority.code.is_not(None))))
    for kind, rows in (
        (PriorityKind.strategic, starter.STRATEGIC_PRIORITIES),
        (PriorityKind.cross_cutting, starter.CROSS_CUTTING_THEMES),
    ):
        for position, (code, title, description) in enumerate(rows, start=1):
            if code in codes:
                continue
            db.session.add(Priority(code=code, kind=kind, title=title,
                                    description=description, position=position * 10))
            report.count("priorities and themes")


def _load_outcomes(report: LoadReport) -> None:
    outcomes = {
        outcome.code: outcome
        for outcome in db.session.scalars(select(Outcome).where(Outcome.code.is_not(None)))
    }
    indicator_codes = set(
        db.session.scalars(select(Indicator.code).where(Indicator.code.is_not(None)))
    )
    for position, (code, title, description, indicators) in enumerate(starter.OUTCOMES, 1):
        outcome = outcomes.get(code)
        if outcome is None:
            outcome = Outcome(code=code, title=title, description=description,
                              position=position * 10)
            db.session.add(outcome)
            report.count("outcomes")
        for indicator_position, (short_code, name, unit, definition) in enumerate(indicators, 1):
            indicator_code = f"{code}.{short_code}"
            if indicator_code in indicator_codes:
                continue
            outcome.indicators.append(
                Indicator(code=indicator_code, name=name, unit=unit, definition=definition,
                          position=indicator_position * 10)
            )
            report.count("indicators")


def load_reference_data() -> LoadReport:
    report = LoadReport()
    _load_local_authorities(report)
    _load_mopac(report)
    _load_priorities(report)
    _load_outcomes(report)
    if report.added:
        db.session.flush()
        record_audit("reference.loaded", _ReferenceData(), user=None, summary=str(report))
    return report


class _ReferenceData:
    """The reference data set as a whole, as the subject of its load's audit entry."""

    id = None

    def __str__(self) -> str:
        return "London reference data"
