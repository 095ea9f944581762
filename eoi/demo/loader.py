"""Demonstration data: organisations from the workshop notes and invented people.

Idempotent: running it again adds only what is missing. Later issues extend it
with consortia, rounds, assessments and grants.
"""

from datetime import date

from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.accounts.operations import create_user, find_user_by_email
from eoi.demo.consortia import DEMO_OFFICERS, load_demo_consortia, organisation_named
from eoi.demo.rounds import load_demo_rounds
from eoi.demo.services import load_demo_services
from eoi.extensions import db
from eoi.money import financial_year_of
from eoi.reference.loader import load_reference_data
from eoi.reference.models import Organisation, OrganisationType

# Providers and partners named in the workshop notes. Registered numbers are left
# blank rather than guessed: fund managers add them from the registers.
DEMO_ORGANISATIONS = [
    ("St Giles Trust", OrganisationType.vcs),
    ("Abianda", OrganisationType.vcs),
    ("Safer London", OrganisationType.vcs),
    ("Rape Crisis South London", OrganisationType.vcs),
    ("Women and Girls Network", OrganisationType.vcs),
    ("Advance", OrganisationType.vcs),
    ("Barnardo's", OrganisationType.vcs),
    ("The Children's Society", OrganisationType.vcs),
    ("NHS England (London)", OrganisationType.health),
    ("Metropolitan Police Service", OrganisationType.police),
    ("London Probation Service", OrganisationType.probation),
]

# (email, full name, organisation, roles). The people are invented.
DEMO_ACCOUNTS = [
    ("manager@demo.example", "Morgan Adeyemi", "MOPAC", {Role.fund_manager}),
    ("finance@demo.example", "Helen Osei", "MOPAC", {Role.finance}),
    ("panel1@demo.example", "Priya Shah", "MOPAC", {Role.panel_member}),
    ("panel2@demo.example", "Tom Okafor", "MOPAC", {Role.panel_member}),
    ("panel3@demo.example", "Ruth Lindqvist", "NHS England (London)", {Role.panel_member}),
    ("lead.greenwich@demo.example", "Grace Mensah", "Greenwich", {Role.commissioner}),
    ("officer.bexley@demo.example", "Daniel Hughes", "Bexley", {Role.commissioner}),
    ("partner.stgiles@demo.example", "Aisha Patel", "St Giles Trust", {Role.partner}),
    ("partner.barnardos@demo.example", "Kofi Boateng", "Barnardo's", {Role.partner}),
    ("finance.barnardos@demo.example", "Leila Haddad", "Barnardo's",
     {Role.partner, Role.certifier}),
    ("finance.sutton@demo.example", "Grace Obi", "Sutton", {Role.commissioner, Role.certifier}),
]


def demo_accounts() -> list[tuple[str, str, str]]:
    """(email, name, roles) for printing the demo logins."""
    accounts = [(email, name, ", ".join(sorted(r.title for r in roles)))
                for email, name, _org, roles in DEMO_ACCOUNTS]
    return accounts + [(email, name, f"Commissioner ({borough})")
                       for email, name, borough in DEMO_OFFICERS]


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def load_demo_data(password: str, today: date | None = None) -> list[str]:
    """Create the demo organisations, accounts and consortia; return what was newly created."""
    load_reference_data()
    existing = set(db.session.scalars(select(Organisation.name)))
    for name, org_type in DEMO_ORGANISATIONS:
        if name not in existing:
            db.session.add(Organisation(name=name, type=org_type))
    db.session.flush()

    created = []
    for email, full_name, organisation, roles in DEMO_ACCOUNTS:
        if find_user_by_email(email) is None:
            create_user(email=email, full_name=full_name,
                        organisation=organisation_named(organisation),
                        roles=roles, password=password, by=None)
            created.append(email)
    db.session.flush()
    today = today or clock.today()
    created += load_demo_consortia(password, financial_year_of(today))
    created += load_demo_rounds(today)
    services = load_demo_services(today)
    if services:
        created.append(f"{services} services on the service map")
    return created
