"""Each demo person's dashboard: 9 to 23 statements on the demo (signing in included). What
needs the person (eoi.dashboard.needs) is a fixed set of counts and short lists: the fund
team's about ten, a commissioner's about six, a certifier's three more."""

from eoi.demo.consortia import DEMO_OFFICERS
from eoi.demo.loader import DEMO_ACCOUNTS

PEOPLE = [account[0] for account in DEMO_ACCOUNTS] + [officer[0] for officer in DEMO_OFFICERS]

PAGES = [(email, "/dashboard", 12 if email.startswith(("panel", "partner"))
          else 23 if email.startswith("manager")  # questions about offers too
          else 24 if email.startswith("finance.") else 21)  # certifiers: finance.<org>@
         for email in PEOPLE]
