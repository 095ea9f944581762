"""The service map: directory, entries, gap view, CSV export and import."""

from collections.abc import Iterator

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from eoi import clock
from eoi.exports import Listing, download
from eoi.extensions import db
from eoi.forms.fields import choices
from eoi.forms.service_map import ImportForm, ServiceForm
from eoi.inputs import id_from
from eoi.pagination import page_number, paginate
from eoi.permissions import load_or_404, permission_required, require
from eoi.reference.models import LocalAuthority, Organisation
from eoi.reference.operations import organisation_choices
from eoi.service_map import csv_io, operations
from eoi.service_map.csv_io import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    ImportFileRefused,
    ImportRefused,
    service_rows,
    uploaded_text,
)
from eoi.service_map.gaps import Provision, ServiceFacts, gap_matrix
from eoi.service_map.models import (
    Cohort,
    Service,
    ServiceCohortLink,
    ServiceType,
    ServiceTypeLink,
)
from eoi.writes import attempt, explain, handle_form

service_map_bp = Blueprint("service_map", __name__, url_prefix="/service-map")


def _boroughs() -> list[LocalAuthority]:
    return list(db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)))


# Longer than any organisation's name: the rest of a longer search is dropped.
MAX_PROVIDER_SEARCH = 200
# Services read at a time for an export.
CHUNK = 500


def _filters() -> dict:
    filters = {key: request.args.get(key, "").strip()
               for key in ("borough", "type", "cohort", "provider")}
    filters["provider"] = filters["provider"][:MAX_PROVIDER_SEARCH]
    return filters


def _filtered_services(filters: dict) -> Select:
    """The services the filters match, by provider and name, with what a row of the list
    or the export shows loaded alongside."""
    query = (select(Service).join(Service.provider).where(Service.is_archived.is_(False))
             .options(contains_eager(Service.provider), selectinload(Service.boroughs),
                      selectinload(Service.type_links), selectinload(Service.cohort_links))
             .order_by(Organisation.name, Service.name, Service.id))
    if borough_id := id_from(filters["borough"]):
        query = query.where(Service.boroughs.any(LocalAuthority.id == borough_id))
    if filters["type"] in {t.value for t in ServiceType}:
        query = query.where(Service.type_links.any(
            ServiceTypeLink.type == ServiceType(filters["type"])))
    if filters["cohort"] in {c.value for c in Cohort}:
        query = query.where(Service.cohort_links.any(
            ServiceCohortLink.cohort == Cohort(filters["cohort"])))
    if filters["provider"]:
        query = query.where(func.lower(Organisation.name).contains(
            filters["provider"].lower(), autoescape=True))
    return query


def _in_chunks(query: Select) -> Iterator[Service]:
    """Every service `query` finds, read CHUNK at a time as the export is written."""
    offset = 0
    while True:
        services = db.session.scalars(query.limit(CHUNK).offset(offset)).all()
        yield from services
        if len(services) < CHUNK:
            return
        offset += CHUNK


@service_map_bp.get("")
@login_required
def index():
    filters = _filters()
    return render_template(
        "service_map/index.html", title="Service map",
        page=paginate(_filtered_services(filters), page_number(request.args)),
        filters=filters, arguments={name: value for name, value in filters.items() if value},
        boroughs=_boroughs(), ServiceType=ServiceType, Cohort=Cohort, today=clock.today(),
    )


@service_map_bp.get("/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """The directory with the filters that were on screen, in the import's columns."""
    filters = _filters()
    listing = Listing("Services", list(COLUMNS),
                      service_rows(_in_chunks(_filtered_services(filters))),
                      filters=_described(filters))
    return download(listing, fmt, "service-map", clock.now())


def _described(filters: dict) -> list[tuple[str, str]]:
    borough_id = id_from(filters["borough"])
    borough = db.session.get(LocalAuthority, borough_id) if borough_id else None
    known = {t.value: t.title for t in ServiceType} | {c.value: c.title for c in Cohort}
    return [(label, value) for label, value in [
        ("Borough", borough.name if borough else ""),
        ("Type of service", known.get(filters["type"], "")),
        ("For", known.get(filters["cohort"], "")),
        ("Provider", filters["provider"])] if value]


@service_map_bp.get("/gaps")
@login_required
def gaps():
    cohort_value = request.args.get("cohort", "")
    cohort = Cohort(cohort_value) if cohort_value in {c.value for c in Cohort} else None
    services = db.session.scalars(select(Service).where(Service.is_archived.is_(False)).options(
        selectinload(Service.boroughs), selectinload(Service.type_links),
        selectinload(Service.cohort_links))).all()
    facts = [ServiceFacts(frozenset(b.id for b in s.boroughs), frozenset(s.types),
                          frozenset(s.cohorts), s.funding_end_date) for s in services]
    boroughs = _boroughs()
    matrix = gap_matrix(facts, [b.id for b in boroughs], list(ServiceType), clock.today(),
                        cohort)
    return render_template(
        "service_map/gaps.html", title="Gaps in provision", matrix=matrix, boroughs=boroughs,
        ServiceType=ServiceType, Cohort=Cohort, cohort=cohort, Provision=Provision,
    )


@service_map_bp.get("/<int:service_id>")
@login_required
def show(service_id: int):
    service = load_or_404(Service, service_id)
    return render_template("service_map/show.html", title=service.name, service=service,
                           ServiceType=ServiceType, Cohort=Cohort)


def _service_form(service: Service | None) -> ServiceForm:
    form = ServiceForm(obj=service if request.method == "GET" and service else None)
    if request.method == "GET" and service:
        form.boroughs.data = [b.id for b in service.boroughs]
        form.types.data = [t.value for t in ServiceType if t in service.types]
        form.cohorts.data = [c.value for c in Cohort if c in service.cohorts]
    form.boroughs.choices = choices((b.id, b.name) for b in _boroughs())
    if current_user.is_fund_manager:
        form.provider_id.choices = choices(organisation_choices())
    else:
        # Commissioners and partners list their own organisation's services only.
        own = current_user.organisation
        form.provider_id.choices = choices([(own.id, own.name)])
        form.provider_id.data = service.provider_id if service else own.id
    return form


@service_map_bp.route("/new", methods=["GET", "POST"])
@permission_required(lambda user: user.can_add_service())
def new():
    form = _service_form(None)
    boroughs = {b.id: b for b in _boroughs()}
    return handle_form(
        form,
        lambda: operations.create_service(
            provider=db.session.get_one(Organisation, form.provider_id.data), by=current_user,
            **form.values(boroughs)),
        template="service_map/form.html",
        success="Service added to the map.",
        next_url=lambda service: url_for("service_map.show", service_id=service.id),
        title="Add a service",
    )


@service_map_bp.route("/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit(service_id: int):
    service = load_or_404(Service, service_id)
    require(service.can_edit(current_user))
    form = _service_form(service)
    boroughs = {b.id: b for b in _boroughs()}
    return handle_form(
        form,
        lambda: operations.update_service(
            service, by=current_user, expected_version=form.version.data,
            is_archived=form.is_archived.data, **form.values(boroughs)),
        template="service_map/form.html",
        success="Service saved.",
        next_url=lambda saved: url_for("service_map.show", service_id=saved.id),
        record=service,
        conflict_fields=["name", "description", "funding_end_date", "types", "cohorts"],
        title=f"Edit {service.name}",
        service=service,
    )


@service_map_bp.route("/import", methods=["GET", "POST"])
@permission_required(lambda user: user.can_import_services())
def import_services():
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            text = uploaded_text(form.file.data.read(MAX_IMPORT_BYTES + 1))
        except ImportFileRefused as refused:
            text = None
            form.file.errors.append(str(refused))
        if text is not None:
            outcome = attempt(lambda: csv_io.import_services(text, by=current_user))
            if outcome.ok:
                assert outcome.result is not None  # import_services returns what it did
                flash(f"Imported {outcome.result.created} new and {outcome.result.updated} "
                      "updated services.", "success")
                return redirect(url_for("service_map.index"))
            if isinstance(outcome.refusal, ImportRefused):
                errors = outcome.refusal.errors
            else:
                explain(outcome, form)
    return render_template("service_map/import.html", title="Import services", form=form,
                           errors=errors)
