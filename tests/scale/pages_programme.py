"""The programme dashboard and its downloads, the fund managers' lists (accounts,
invitations, emails), open data, the service map and each person's notifications and
sessions: the most SQL statements each costs, for every demo person who may see it.
Measured on the demo and allowed two more; none may grow with the number of grants,
returns, users, audit entries or services (each reads a page, or a chunk, at a time)."""

from sqlalchemy import select

from eoi.demo.consortia import DEMO_OFFICERS
from eoi.demo.loader import DEMO_ACCOUNTS
from eoi.extensions import db
from eoi.reference.models import Organisation, OrganisationType

MANAGER = "manager@demo.example"
# Every demo person may open the open data and the service map.
EVERYONE = [account[0] for account in DEMO_ACCOUNTS] + [officer[0] for officer in DEMO_OFFICERS]

FUND_MANAGERS_PAGES = [
    ("/programme", 24),
    ("/programme/grants.csv", 14),
    ("/programme/programme.xlsx", 24),
    ("/admin/users", 9),
    ("/admin/users?role=partner", 9),
    ("/admin/organisations", 7),
    ("/admin/audit", 9),
    ("/admin/invitations", 7),
    ("/admin/notifications", 8),
    ("/admin/notifications?delivery=sent", 8),
]
OPEN_DATA = "{published}"  # an address whose downloads need MOPAC's identifier set
EVERYONES_PAGES = [
    ("/open-data", 12),
    (f"{OPEN_DATA}/open-data/grants.json", 9),
    (f"{OPEN_DATA}/open-data/grants.csv", 9),
    ("/service-map", 11),
    ("/service-map/export.csv", 8),
    ("/account/notifications", 7),
    ("/account/sessions", 6),
]

PAGES = ([(MANAGER, address, most) for address, most in FUND_MANAGERS_PAGES]
         + [(email, address, most) for email in EVERYONE for address, most in EVERYONES_PAGES])


def resolve(address: str) -> str:
    """The open data downloads answer 404 until a fund manager has entered MOPAC's
    org-id, which the demo leaves to them: it is entered here, as they would."""
    if address.startswith(OPEN_DATA):
        mopac = db.session.scalar(select(Organisation).where(
            Organisation.type == OrganisationType.mopac))
        mopac.org_id = "GB-GOR-PC000001"
        db.session.commit()
    return address.removeprefix(OPEN_DATA)
