"""Who is told, one function per audience, each one query: the catalogue names them, the
operations that tell call them, and tests check each against the people it should hold."""

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from eoi.accounts.models import Role, User, UserRole
from eoi.consortia.models import Consortium, ConsortiumMembership, MembershipStatus
from eoi.extensions import db
from eoi.reference.models import Organisation


def consortium_commissioners(consortium: Consortium) -> list[User]:
    """The lead, and every active commissioner of each borough that has accepted membership
    of `consortium`: those who answer for an EOI together."""
    return commissioners_of_consortia([consortium.id]).get(consortium.id, [])


def commissioners_of_consortia(consortium_ids: Collection[int]) -> dict[int, list[User]]:
    """consortium_commissioners for many consortia at once, in one query."""
    if not consortium_ids:
        return {}
    member = (select(ConsortiumMembership.consortium_id.label("consortium_id"),
                     User.id.label("user_id"))
              .join(Organisation, Organisation.local_authority_id
                    == ConsortiumMembership.local_authority_id)
              .join(User, User.organisation_id == Organisation.id)
              .where(ConsortiumMembership.consortium_id.in_(consortium_ids),
                     ConsortiumMembership.status == MembershipStatus.accepted,
                     User.role_links.any(UserRole.role == Role.commissioner)))
    lead = select(Consortium.id.label("consortium_id"), Consortium.lead_id.label("user_id")) \
        .where(Consortium.id.in_(consortium_ids))
    either = member.union(lead).subquery()
    told: dict[int, list[User]] = defaultdict(list)
    for consortium_id, user in db.session.execute(
            select(either.c.consortium_id, User).join(User, User.id == either.c.user_id)
            .where(User.is_active).order_by(either.c.consortium_id, User.id)):
        told[consortium_id].append(user)
    return dict(told)


def _active(role: Role, *where) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.is_active, User.role_links.any(UserRole.role == role), *where)
        .order_by(User.id)))


def borough_commissioners(local_authority_id: int) -> list[User]:
    """Every active commissioner of one borough."""
    return _active(Role.commissioner, User.organisation.has(
        Organisation.local_authority_id == local_authority_id))


def every_commissioner() -> list[User]:
    return _active(Role.commissioner)


def fund_managers() -> list[User]:
    return _active(Role.fund_manager)


def people_of(organisation_id: int) -> list[User]:
    """An organisation's active people, whatever their role."""
    return list(db.session.scalars(select(User).where(
        User.is_active, User.organisation_id == organisation_id).order_by(User.id)))


def certifiers_of(organisation_id: int | None) -> list[User]:
    """The organisation's certifiers: told of what waits for their sign-off, and what makes
    its returns and pledges wait. While it names none, they go straight through:
    organisations name theirs as they join the sign-off."""
    if organisation_id is None:
        return []
    return _active(Role.certifier, User.organisation_id == organisation_id)


def finance_officers() -> list[User]:
    return _active(Role.finance)


def grant_people(grant) -> list[User]:
    """The grant's lead commissioner and the people of its delivery partners: those who
    deliver it and report on it (as the reminders are sent)."""
    partner_organisations = [partner.organisation_id for partner in grant.partners]
    people = _active(Role.partner, User.organisation_id.in_(partner_organisations)) \
        if partner_organisations else []
    owner = grant.owner
    if owner.is_active and all(person.id != owner.id for person in people):
        people.insert(0, owner)
    return people


def active(*users: User) -> list[User]:
    return [user for user in users if user is not None and user.is_active]
