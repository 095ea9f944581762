"""Grants, payments and returns: each list, its filters and downloads, and a grant's and a
return's own page, for each demo person who sees them (MOPAC, the leads, a member borough,
the partners), and for people who see none (a panel member, a borough only invited)."""

from sqlalchemy import select

from eoi import clock
from eoi.extensions import db
from eoi.grants.models import Grant
from eoi.returns.models import QuarterlyReturn, ReturnStatus

MANAGER = "manager@demo.example"
FINANCE = "finance@demo.example"
PANEL = "panel1@demo.example"
GREENWICH = "lead.greenwich@demo.example"  # leads the schools grant
BEXLEY = "officer.bexley@demo.example"  # a member borough of it
LEWISHAM = "officer.lewisham@demo.example"  # invited to its consortium, not a member
ST_GILES = "partner.stgiles@demo.example"  # delivers it
HAMMERSMITH = "lead.hammersmith@demo.example"  # leads the Tri-borough's grant
BARNARDOS = "partner.barnardos@demo.example"  # delivers that one

# The most statements: as measured on the demo, plus at most 2.
PAGES = [
    (MANAGER, "/grants", 17),
    (MANAGER, "/grants?status=amber", 17),
    (MANAGER, "/grants/export.csv", 19),
    (MANAGER, "/grants/export.xlsx", 19),
    (MANAGER, "/grants/payments", 11),
    (MANAGER, "/grants/payments/export.csv", 10),
    (MANAGER, "/returns", 10),
    (MANAGER, "/returns?status=overdue", 10),
    (MANAGER, "/returns/export.xlsx", 10),

    (PANEL, "/grants", 10),
    (PANEL, "/grants?status=amber", 10),
    (PANEL, "/grants/export.csv", 9),
    (PANEL, "/grants/export.xlsx", 9),
    (PANEL, "/grants/payments", 11),
    (PANEL, "/grants/payments/export.csv", 10),
    (PANEL, "/returns", 11),
    (PANEL, "/returns?status=overdue", 11),
    (PANEL, "/returns/export.xlsx", 10),

    (GREENWICH, "/grants", 18),
    (GREENWICH, "/grants?status=amber", 18),
    (GREENWICH, "/grants/export.csv", 21),
    (GREENWICH, "/grants/export.xlsx", 21),
    (GREENWICH, "/grants/payments", 13),
    (GREENWICH, "/grants/payments/export.csv", 12),
    (GREENWICH, "/returns", 12),
    (GREENWICH, "/returns?status=overdue", 12),
    (GREENWICH, "/returns/export.xlsx", 12),

    (BEXLEY, "/grants", 18),
    (BEXLEY, "/grants?status=amber", 18),
    (BEXLEY, "/grants/export.csv", 21),
    (BEXLEY, "/grants/export.xlsx", 21),
    (BEXLEY, "/grants/payments", 13),
    (BEXLEY, "/grants/payments/export.csv", 12),
    (BEXLEY, "/returns", 12),
    (BEXLEY, "/returns?status=overdue", 12),
    (BEXLEY, "/returns/export.xlsx", 12),

    (LEWISHAM, "/grants", 11),
    (LEWISHAM, "/grants?status=amber", 11),
    (LEWISHAM, "/grants/export.csv", 10),
    (LEWISHAM, "/grants/export.xlsx", 10),
    (LEWISHAM, "/grants/payments", 12),
    (LEWISHAM, "/grants/payments/export.csv", 11),
    (LEWISHAM, "/returns", 12),
    (LEWISHAM, "/returns?status=overdue", 12),
    (LEWISHAM, "/returns/export.xlsx", 11),

    (ST_GILES, "/grants", 17),
    (ST_GILES, "/grants?status=amber", 17),
    (ST_GILES, "/grants/export.csv", 20),
    (ST_GILES, "/grants/export.xlsx", 20),
    (ST_GILES, "/grants/payments", 12),
    (ST_GILES, "/grants/payments/export.csv", 11),
    (ST_GILES, "/returns", 11),
    (ST_GILES, "/returns?status=overdue", 11),
    (ST_GILES, "/returns/export.xlsx", 11),

    (HAMMERSMITH, "/grants", 18),
    (HAMMERSMITH, "/grants?status=amber", 18),
    (HAMMERSMITH, "/grants/export.csv", 21),
    (HAMMERSMITH, "/grants/export.xlsx", 21),
    (HAMMERSMITH, "/grants/payments", 13),
    (HAMMERSMITH, "/grants/payments/export.csv", 12),
    (HAMMERSMITH, "/returns", 12),
    (HAMMERSMITH, "/returns?status=overdue", 12),
    (HAMMERSMITH, "/returns/export.xlsx", 12),

    (BARNARDOS, "/grants", 17),
    (BARNARDOS, "/grants?status=amber", 17),
    (BARNARDOS, "/grants/export.csv", 20),
    (BARNARDOS, "/grants/export.xlsx", 20),
    (BARNARDOS, "/grants/payments", 12),
    (BARNARDOS, "/grants/payments/export.csv", 11),
    (BARNARDOS, "/returns", 11),
    (BARNARDOS, "/returns?status=overdue", 11),
    (BARNARDOS, "/returns/export.xlsx", 11),

    (MANAGER, "/grants?status=red", 10),
    (MANAGER, "/grants/{schools}", 20),  # its budget by cost category is one more
    (MANAGER, "/returns/{schools_accepted}", 15),
    (MANAGER, "/returns/{schools_overdue}", 14),

    (GREENWICH, "/grants/{schools}", 22),
    (GREENWICH, "/returns/{schools_accepted}", 19),
    (GREENWICH, "/returns/{schools_overdue}", 14),

    (BEXLEY, "/grants/{schools}", 22),
    (BEXLEY, "/returns/{schools_accepted}", 21),
    (BEXLEY, "/returns/{schools_overdue}", 16),

    (ST_GILES, "/grants/{schools}", 20),
    (ST_GILES, "/returns/{schools_accepted}", 15),
    (ST_GILES, "/returns/{schools_overdue}", 15),

    (HAMMERSMITH, "/grants/{tri_borough}", 22),
    (HAMMERSMITH, "/returns/{tri_borough_submitted}", 15),

    (BARNARDOS, "/grants/{tri_borough}", 20),
    (BARNARDOS, "/returns/{tri_borough_submitted}", 15),

    (MANAGER, "/grants/claims", 7),
    (MANAGER, "/grants/claims/{schools_claim}", 10),
    (FINANCE, "/grants/claims", 7),
    (FINANCE, "/grants/claims?status=checked", 7),
    (FINANCE, "/grants/claims/{schools_claim}", 13),
    (FINANCE, "/grants/{schools}", 22),
    (GREENWICH, "/grants/claims", 9),
    (GREENWICH, "/grants/claims/{schools_claim}", 10),
    (LEWISHAM, "/grants/claims", 9),
    (PANEL, "/grants/claims", 8),
    (HAMMERSMITH, "/grants/{tri_borough}/offer", 9),
    (HAMMERSMITH, "/grants/conditions/{tri_borough_condition}", 7),
    (GREENWICH, "/grants/variations/{schools_change}", 9),
    (MANAGER, "/grants/variations/{schools_change}", 9),
]


def resolve(address: str) -> str:
    grants = {g.consortium.name: g for g in db.session.scalars(select(Grant))}
    schools = grants["Bexley and Greenwich schools partnership"]
    tri_borough = next(g for name, g in grants.items() if name.startswith("Tri-borough"))

    def latest(grant: Grant, status: ReturnStatus) -> int:
        """The latest return due by now in `status`."""
        return db.session.scalars(
            select(QuarterlyReturn.id)
            .where(QuarterlyReturn.grant_id == grant.id, QuarterlyReturn.status == status,
                   QuarterlyReturn.due_on < clock.today())
            .order_by(QuarterlyReturn.due_on.desc())).first()

    return address.format(
        schools=schools.id, tri_borough=tri_borough.id,
        schools_claim=schools.claims[-1].id, schools_change=schools.variations[0].id,
        tri_borough_condition=tri_borough.conditions[-1].id,
        schools_accepted=latest(schools, ReturnStatus.accepted),
        schools_overdue=latest(schools, ReturnStatus.draft),
        tri_borough_submitted=latest(tri_borough, ReturnStatus.submitted))
