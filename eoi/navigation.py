"""The service navigation: what each person sees depends on their roles."""

from flask import request, url_for

from eoi.accounts.models import Role

# (text, endpoint, endpoint prefixes that mark the link as the current section, who sees it)
_LINKS = [
    ("Dashboard", "dashboard.index", ("dashboard.",), lambda user: True),
    ("Funding rounds", "rounds.index", ("rounds.",), lambda user: True),
    ("EOIs", "eois.index", ("eois.",), lambda user: user.has_role(
        Role.fund_manager, Role.commissioner, Role.partner)),
    ("Assessments", "assessment.index", ("assessment.",),
     lambda user: user.has_role(Role.panel_member, Role.fund_manager)),
    ("Grants", "grants.index", ("grants.", "returns."), lambda user: True),
    # Finance's queue: the claims the fund team has checked.
    ("Claims", "grants.claims_list", ("grants.claim",), lambda user: user.is_finance),
    ("Programme", "reports.dashboard", ("reports.",),
     lambda user: user.is_fund_manager),
    ("Consortia", "consortia.index", ("consortia.index", "consortia.new", "consortia.show",
     "consortia.edit", "consortia.invite", "consortia.lead", "consortia.partner",
     "consortia.pledge"), lambda user: user.can_view_consortia()),
    ("Lead commissioners", "consortia.register", ("consortia.register",),
     lambda user: user.can_view_lead_register()),
    ("Service map", "service_map.index", ("service_map.",), lambda user: True),
    # Users, organisations, reference data and the audit trail: one entry, so a fund
    # manager's navigation takes two rows of the page's 960 px, not three.
    ("Administration", "admin.index", ("admin.", "audit."), lambda user: user.can_administer()),
    ("Your account", "account.index", ("account.", "calendars."), lambda user: True),
]


def navigation_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    current = request.endpoint or ""
    return [
        {"text": text, "href": url_for(endpoint), "active": current.startswith(prefixes)}
        for text, endpoint, prefixes, visible in _LINKS
        if visible(user)
    ]
