"""The list of quarterly returns across grants: the filters on screen and the columns
downloaded. It says where each return is, never what it reports: figures about young
people leave the service only suppressed, in the reports."""

from dataclasses import dataclass
from datetime import date

from eoi.exports import Filter, Listing, described, read_filters
from eoi.grants.lists import visible_grants
from eoi.grants.models import Grant
from eoi.returns.models import QuarterlyReturn, ReturnStatus

OVERDUE = "overdue"
SENT_FROM = {"web": "Web form", "spreadsheet": "Spreadsheet"}


def return_filters(grants: list[Grant]) -> list[Filter]:
    quarters = sorted({r.period for g in grants for r in g.returns}, reverse=True)
    return [
        Filter("grant", "Grant", [(str(g.id), g.reference) for g in grants], "Any grant"),
        Filter("quarter", "Quarter",
               [(f"{q.financial_year}-{q.number}", q.short_label) for q in quarters],
               "Any quarter"),
        Filter("status", "Status", [*ReturnStatus.choices(), (OVERDUE, "Overdue")],
               "Any status"),
    ]


def filter_returns(grants: list[Grant], filters: dict[str, Filter],
                   today: date) -> list[QuarterlyReturn]:
    chosen = {name: f.chosen for name, f in filters.items()}

    def wanted(ret: QuarterlyReturn) -> bool:
        if chosen["status"] == OVERDUE:
            status_matches = ret.is_overdue(today)
        else:
            status_matches = not chosen["status"] or ret.status.value == chosen["status"]
        return (status_matches
                and (not chosen["grant"] or str(ret.grant_id) == chosen["grant"])
                and (not chosen["quarter"]
                     or f"{ret.financial_year}-{ret.quarter}" == chosen["quarter"]))

    returns = [r for g in grants for r in g.returns if wanted(r)]
    return sorted(returns, key=lambda r: (r.due_on, r.grant.reference))


def return_listing(returns: list[QuarterlyReturn], filters: dict[str, Filter],
                   today: date) -> Listing:
    listing = Listing("Returns", [
        "Grant", "Consortium", "Quarter", "From", "To", "Due", "Status", "Days overdue",
        "Sent from", "Submitted", "Reviewed",
    ], filters=described(filters))
    for ret in returns:
        listing.add([
            ret.grant.reference, ret.grant.consortium.name, ret.period.short_label,
            ret.period.start, ret.period.end, ret.due_on, ret.status.title,
            ret.days_overdue(today), SENT_FROM.get(ret.entered_by, "") if ret.submitted_at else "",
            ret.submitted_at, ret.reviewed_at,
        ])
    return listing


@dataclass
class ReturnList:
    """The returns list as one person asked for it: what the page shows and downloads."""

    filters: dict[str, Filter]
    returns: list[QuarterlyReturn]
    today: date
    any_grants: bool

    def listing(self) -> Listing:
        return return_listing(self.returns, self.filters, self.today)


def return_list(user, args, today: date) -> ReturnList:
    grants = visible_grants(user)
    filters = read_filters(args, return_filters(grants))
    return ReturnList(filters, filter_returns(grants, filters, today), today, bool(grants))
