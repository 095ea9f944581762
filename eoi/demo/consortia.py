"""Demo consortia from the workshop's good-practice stories, with pledges over two years (and
the year before, for the two consortia the pilot round funded).

The people are invented; so are the figures. Idempotent: a consortium that exists by
name is left as it is.
"""

from sqlalchemy import select

from eoi.accounts.models import Role, User
from eoi.accounts.operations import create_user, find_user_by_email
from eoi.consortia import operations
from eoi.consortia.models import Consortium, PartnerRole, PledgeKind, PledgeStatus, Seniority
from eoi.demo import found
from eoi.extensions import db
from eoi.notifications.recipients import certifiers_of
from eoi.reference.models import LocalAuthority, Organisation, OrganisationType, Priority

# Officers of the other boroughs the stories name, so each consortium can have accepted
# members and a lead from a borough that is not the demo lead's.
DEMO_OFFICERS = [
    ("officer.lewisham@demo.example", "Sam Okoro", "Lewisham"),
    ("lead.brent@demo.example", "Harriet Cole", "Brent"),
    ("officer.harrow@demo.example", "Vikram Rao", "Harrow"),
    ("officer.barnet@demo.example", "Emma Fischer", "Barnet"),
    ("officer.islington@demo.example", "Kwame Asante", "Islington"),
    ("lead.hammersmith@demo.example", "Claire Dubois", "Hammersmith and Fulham"),
    ("officer.kensington@demo.example", "Ollie Grant", "Kensington and Chelsea"),
    ("officer.westminster@demo.example", "Nadia Haddad", "Westminster"),
    ("lead.croydon@demo.example", "Femi Adebayo", "Croydon"),
    ("officer.sutton@demo.example", "Lucy Brennan", "Sutton"),
    ("lead.newham@demo.example", "Ayesha Rahman", "Newham"),
    ("officer.havering@demo.example", "Mark Doyle", "Havering"),
]

# (name, purpose, lead email, other members' emails, [(partner, role)],
#  [(funder, year offset, pounds, kind, status)], invited-but-not-yet-answered boroughs)
DEMO_CONSORTIA = [
    (
        "Bexley and Greenwich schools partnership",
        "Grow the St Giles Trust schools work that began in Greenwich into Bexley: a worker "
        "in schools identifying girls at risk of exploitation, following them across the "
        "borough boundary.",
        "lead.greenwich@demo.example",
        ["officer.bexley@demo.example"],
        [("St Giles Trust", PartnerRole.lead_provider)],
        [("MOPAC", -1, 180_000, PledgeKind.cash, PledgeStatus.received),
         ("Greenwich", -1, 40_000, PledgeKind.cash, PledgeStatus.received),
         ("Bexley", -1, 30_000, PledgeKind.cash, PledgeStatus.received),
         ("MOPAC", 0, 120_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("MOPAC", 1, 120_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Greenwich", 0, 40_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Greenwich", 1, 40_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Bexley", 0, 30_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Bexley", 1, 15_000, PledgeKind.in_kind, PledgeStatus.proposed)],
        ["Lewisham"],
    ),
    (
        "North West London young women's partnership",
        "Abianda's work with young women aged 16 to 24, co-located with gangs and offender "
        "management teams, joined to Brent's shared data system and Harrow's daily "
        "partnership meetings.",
        "lead.brent@demo.example",
        ["officer.harrow@demo.example", "officer.barnet@demo.example"],
        [("Abianda", PartnerRole.lead_provider),
         ("NHS England (London)", PartnerRole.co_funder)],
        [("MOPAC", 0, 150_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("MOPAC", 1, 150_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Brent", 0, 50_000, PledgeKind.cash, PledgeStatus.received),
         ("Harrow", 0, 25_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Barnet", 0, 25_000, PledgeKind.in_kind, PledgeStatus.confirmed),
         ("NHS England (London)", 0, 60_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("NHS England (London)", 1, 60_000, PledgeKind.cash, PledgeStatus.proposed)],
        [],
    ),
    (
        "Tri-borough trauma-informed support",
        "Barnardo's trauma pilot across Hammersmith and Fulham, Kensington and Chelsea and "
        "Westminster: long-term support that follows young people into adulthood.",
        "lead.hammersmith@demo.example",
        ["officer.kensington@demo.example", "officer.westminster@demo.example"],
        [("Barnardo's", PartnerRole.lead_provider),
         ("The Children's Society", PartnerRole.delivery_partner)],
        [("MOPAC", -1, 170_000, PledgeKind.cash, PledgeStatus.received),
         ("Hammersmith and Fulham", -1, 30_000, PledgeKind.cash, PledgeStatus.received),
         ("Kensington and Chelsea", -1, 30_000, PledgeKind.in_kind, PledgeStatus.received),
         ("MOPAC", 0, 100_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("MOPAC", 1, 100_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Hammersmith and Fulham", 0, 30_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Kensington and Chelsea", 0, 30_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Westminster", 0, 30_000, PledgeKind.cash, PledgeStatus.withdrawn),
         ("Westminster", 1, 30_000, PledgeKind.cash, PledgeStatus.proposed)],
        [],
    ),
    (
        "Croydon and Sutton boys and young men project",
        "Build on Croydon's work with Safer London, which showed how many boys and young men "
        "are exploited and go unseen: specialist workers, and training for the professionals "
        "who meet them first.",
        "lead.croydon@demo.example",
        ["officer.sutton@demo.example"],
        [("Safer London", PartnerRole.lead_provider)],
        [("MOPAC", 0, 110_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Croydon", 0, 35_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Croydon", 1, 35_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Sutton", 0, 20_000, PledgeKind.cash, PledgeStatus.confirmed),
         # Sutton names a certifier: its second year waits for her sign-off.
         ("Sutton", 1, 20_000, PledgeKind.cash, PledgeStatus.signing)],
        [],
    ),
    (
        "East London exploitation hub",
        "A hub joining analysts, youth offending, social care and police with specialist "
        "advocates from Women and Girls Network, for peer-on-peer and gang-associated "
        "exploitation across Newham and Havering.",
        "lead.newham@demo.example",
        ["officer.havering@demo.example"],
        [("Women and Girls Network", PartnerRole.lead_provider),
         ("Advance", PartnerRole.delivery_partner)],
        [("MOPAC", 0, 90_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Newham", 0, 30_000, PledgeKind.cash, PledgeStatus.confirmed),
         ("Newham", 1, 30_000, PledgeKind.cash, PledgeStatus.proposed),
         ("Havering", 0, 25_000, PledgeKind.in_kind, PledgeStatus.confirmed)],
        [],
    ),
]

# (email, priority code, days a month, seniority, political sign-off)
DEMO_REGISTER = [
    ("lead.greenwich@demo.example", "gang-peer-cse", 4, Seniority.head_of_service, True),
    ("lead.brent@demo.example", "victims-survivors", 6, Seniority.director, True),
    ("lead.hammersmith@demo.example", "victims-survivors", 3, Seniority.manager, False),
    ("officer.harrow@demo.example", "boys-young-men", 2, Seniority.manager, False),
    ("officer.lewisham@demo.example", "boys-young-men", 5, Seniority.head_of_service, True),
]


def _borough(name: str) -> LocalAuthority | None:
    return db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == name))


def organisation_named(name: str) -> Organisation:
    """A demo organisation by the name the demo data uses: MOPAC, a borough by its short
    name, or any other organisation by its full name."""
    if name == "MOPAC":
        return found(db.session.scalar(select(Organisation).where(
            Organisation.type == OrganisationType.mopac)), "MOPAC")
    borough = _borough(name)
    if borough is not None:
        return found(borough.organisation, f"the organisation of {name}")
    return found(db.session.scalar(select(Organisation).where(Organisation.name == name)),
                 name)


def _user(email: str) -> User:
    return found(find_user_by_email(email), email)


def load_demo_consortia(password: str, first_year: int) -> list[str]:
    """Create the demo officers, consortia, pledges and register; return what was created."""
    created = []
    for email, name, borough in DEMO_OFFICERS:
        if find_user_by_email(email) is None:
            create_user(email=email, full_name=name, organisation=organisation_named(borough),
                        roles={Role.commissioner}, password=password, by=None)
            created.append(email)
    db.session.flush()
    manager = _user("manager@demo.example")

    for name, purpose, lead_email, member_emails, partners, pledges, invited in DEMO_CONSORTIA:
        if db.session.scalar(select(Consortium.id).where(Consortium.name == name)):
            continue
        lead = _user(lead_email)
        consortium = operations.create_consortium(name=name, purpose=purpose, by=lead)
        for email in member_emails:
            officer = _user(email)
            membership = operations.invite_borough(consortium, officer.borough, by=lead)
            operations.respond_to_invitation(membership, accept=True, by=officer)
        for borough in invited:
            operations.invite_borough(consortium, found(_borough(borough), borough), by=lead)
        for organisation, role in partners:
            operations.add_partner(consortium, organisation_named(organisation), role, by=lead)
        for funder_name, offset, pounds, kind, status in pledges:
            pledge = operations.record_pledge(
                consortium, funder=organisation_named(funder_name),
                financial_year=first_year + offset, amount_pence=pounds * 100, kind=kind,
                by=lead)
            # A funder that names a certifier has her confirm (which is her sign-off).
            certifier = next(iter(certifiers_of(pledge.funder_id)), None)
            confirmer = manager if funder_name == "MOPAC" else certifier or lead
            if status is PledgeStatus.signing:
                operations.change_pledge_status(pledge, PledgeStatus.confirmed, by=lead)
            if status in (PledgeStatus.confirmed, PledgeStatus.received):
                operations.change_pledge_status(pledge, PledgeStatus.confirmed, by=confirmer)
            if status is PledgeStatus.received:
                operations.change_pledge_status(pledge, PledgeStatus.received, by=confirmer)
            if status is PledgeStatus.withdrawn:
                operations.change_pledge_status(
                    pledge, PledgeStatus.withdrawn, by=lead,
                    reason="The borough's budget for the year was cut")
        created.append(name)

    for email, code, days, seniority, sign_off in DEMO_REGISTER:
        user = _user(email)
        priority = found(db.session.scalar(select(Priority).where(Priority.code == code)), code)
        already = any(i.priority_id == priority.id for i in _interests(user))
        if not already:
            operations.declare_lead_interest(user=user, priority=priority,
                                             capacity_days_per_month=days, seniority=seniority,
                                             has_political_sign_off=sign_off, notes="")
    return created


def _interests(user: User):
    from eoi.consortia.models import LeadInterest

    return db.session.scalars(select(LeadInterest).where(LeadInterest.user_id == user.id))
