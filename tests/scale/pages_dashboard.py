"""Each demo person's dashboard: 9 to 14 statements on the demo (signing in included)."""

from eoi.demo.consortia import DEMO_OFFICERS
from eoi.demo.loader import DEMO_ACCOUNTS

PEOPLE = [account[0] for account in DEMO_ACCOUNTS] + [officer[0] for officer in DEMO_OFFICERS]

PAGES = [(email, "/dashboard", 12 if email.startswith(("panel", "partner")) else 16)
         for email in PEOPLE]
