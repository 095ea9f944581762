"""Every change to the service map, audited; and the CSV import that goes through them."""

from datetime import date

from sqlalchemy import select

from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version
from eoi.extensions import db
from eoi.reference.models import LocalAuthority, Organisation
from eoi.refusals import DuplicateName, FieldRefusal
from eoi.service_map.models import MAX_DESCRIPTION, Cohort, Service, ServiceType

_FIELDS = ["provider_id", "name", "description", "funding_end_date", "borough_codes", "types",
           "cohorts", "is_archived"]


def _facts(service: Service) -> dict:
    facts = snapshot(service, ["provider_id", "name", "description", "funding_end_date",
                               "types", "cohorts", "is_archived"])
    facts["borough_codes"] = sorted(b.gss_code for b in service.boroughs)
    return facts


def find_service(provider: Organisation, name: str) -> Service | None:
    return db.session.scalar(select(Service).where(Service.provider_id == provider.id,
                                                   Service.name == name))


def _apply(service: Service, *, name: str, description: str, boroughs: list[LocalAuthority],
           types: set[ServiceType], cohorts: set[Cohort], funding_end_date: date | None) -> None:
    if len(description or "") > MAX_DESCRIPTION:
        raise FieldRefusal("description",
                           f"The description must be {MAX_DESCRIPTION:,} characters or fewer")
    service.name, service.description = name, description or ""
    service.boroughs = sorted(boroughs, key=lambda b: b.name)
    service.types, service.cohorts = types, cohorts
    service.funding_end_date = funding_end_date


def create_service(*, provider: Organisation, by, **values) -> Service:
    if find_service(provider, values["name"]) is not None:
        raise DuplicateName("name")
    service = Service(provider=provider)
    _apply(service, **values)
    db.session.add(service)
    record_audit("service.created", service, user=by, summary=f"Added {service.name} to the map",
                 changes=changes_between({}, _facts(service)))
    return service


def update_service(service: Service, *, by, expected_version: int | None,
                   is_archived: bool = False, **values) -> Service:
    check_version(service, expected_version)
    other = find_service(service.provider, values["name"])
    if other is not None and other.id != service.id:
        raise DuplicateName("name")
    before = _facts(service)
    _apply(service, **values)
    service.is_archived = is_archived
    changes = changes_between(before, _facts(service))
    if changes:
        record_audit("service.updated", service, user=by, summary=f"Updated {service.name}",
                     changes=changes)
    return service
