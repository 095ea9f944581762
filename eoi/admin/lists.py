"""The fund managers' lists of accounts and organisations: filtered, searched and ordered
in SQL, read a page at a time with what each row shows loaded alongside."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from eoi.accounts.models import Role, User, UserRole
from eoi.extensions import db
from eoi.inputs import id_from
from eoi.reference.models import Organisation, OrganisationType

# Longer than any name or email address the service holds; the rest of a longer search
# is dropped, so no query string makes the database compare at length.
MAX_SEARCH = 100
STATUSES = ("active", "deactivated", "all")


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    organisation: int | None = None
    status: str = "active"

    def arguments(self) -> dict[str, str]:
        """As query-string arguments, for page links: only what narrows the list, and the
        status whenever it is not the default."""
        given = {"q": self.q, "role": self.role,
                 "organisation": str(self.organisation) if self.organisation else ""}
        if self.status != "active":
            given["status"] = self.status
        return {name: value for name, value in given.items() if value}


def user_filters(args) -> UserFilters:
    """The filters in the query string; a value not on offer means no filter."""
    role = args.get("role", "").strip()
    status = args.get("status", "").strip()
    return UserFilters(
        q=args.get("q", "").strip()[:MAX_SEARCH],
        role=role if role in {r.value for r in Role} else "",
        organisation=id_from(args.get("organisation", "").strip()),
        status=status if status in STATUSES else "active")


def users_query(filters: UserFilters) -> Select:
    """Accounts matching `filters`, by name. The search finds the text anywhere in the
    name or the email address, ignoring case; % and _ typed in it mean themselves."""
    query = (select(User).options(joinedload(User.organisation), selectinload(User.role_links))
             .order_by(func.lower(User.full_name), User.id))
    if filters.q:
        text = filters.q.lower()
        query = query.where(func.lower(User.full_name).contains(text, autoescape=True)
                            | func.lower(User.email).contains(text, autoescape=True))
    if filters.role:
        query = query.where(User.role_links.any(UserRole.role == Role(filters.role)))
    if filters.organisation:
        query = query.where(User.organisation_id == filters.organisation)
    if filters.status != "all":
        query = query.where(User.is_active.is_(filters.status == "active"))
    return query


def organisation_options() -> list[tuple[int, str]]:
    """(id, name) of every organisation, for the filter: names only, not whole records."""
    return [(id_, name) for id_, name in db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name))]


def organisation_type(args) -> str:
    value = args.get("type", "").strip()
    return value if value in {t.value for t in OrganisationType} else ""


def organisations_query(type_value: str) -> Select:
    query = (select(Organisation).options(joinedload(Organisation.local_authority))
             .order_by(Organisation.name, Organisation.id))
    if type_value:
        query = query.where(Organisation.type == OrganisationType(type_value))
    return query
