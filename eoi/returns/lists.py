"""The list of quarterly returns across grants: the filters on screen and the columns
downloaded. It says where each return is, never what it reports: figures about young
people leave the service only suppressed, in the reports.

As the grants list: a query of what the person may see, filtered and ordered in SQL, read
50 rows a page or, for a download, every row in chunks."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from eoi.accounts.models import User
from eoi.exports import Filter, Listing, described, read_filters
from eoi.extensions import db
from eoi.grants.lists import any_visible, grant_filter, in_chunks
from eoi.grants.models import Grant
from eoi.grants.periods import Quarter
from eoi.pagination import Page, paginate
from eoi.returns.models import QuarterlyReturn, ReturnStatus

OVERDUE = "overdue"
SENT_FROM = {"web": "Web form", "spreadsheet": "Spreadsheet"}

def row_loads() -> tuple[ORMOption, ...]:
    """A row shows its grant's reference and consortium, nothing of the figures."""
    return (joinedload(QuarterlyReturn.grant).joinedload(Grant.consortium),)


def _quarter_filter(user: User) -> Filter:
    quarters = db.session.execute(
        select(QuarterlyReturn.financial_year, QuarterlyReturn.quarter).distinct()
        .where(QuarterlyReturn.grant_id.in_(Grant.visible_ids(user)))
        .order_by(QuarterlyReturn.financial_year.desc(), QuarterlyReturn.quarter.desc()))
    return Filter("quarter", "Quarter",
                  [(f"{year}-{number}", Quarter(year, number).short_label)
                   for year, number in quarters], "Any quarter")


def return_filters(user: User) -> list[Filter]:
    return [
        grant_filter(user),
        _quarter_filter(user),
        Filter("status", "Status", [*ReturnStatus.choices(), (OVERDUE, "Overdue")],
               "Any status"),
    ]


def chosen_returns(user: User, filters: dict[str, Filter],
                   today: date) -> Select[QuarterlyReturn]:
    chosen = {name: f.chosen for name, f in filters.items()}
    query = QuarterlyReturn.visible_to(user).join(QuarterlyReturn.grant)
    if chosen["status"] == OVERDUE:  # QuarterlyReturn.is_overdue
        query = query.where(QuarterlyReturn.status == ReturnStatus.draft,
                            QuarterlyReturn.due_on < today)
    elif chosen["status"]:
        query = query.where(QuarterlyReturn.status == ReturnStatus(chosen["status"]))
    if chosen["grant"]:
        query = query.where(QuarterlyReturn.grant_id == int(chosen["grant"]))
    if chosen["quarter"]:
        year, number = chosen["quarter"].split("-")
        query = query.where(QuarterlyReturn.financial_year == int(year),
                            QuarterlyReturn.quarter == int(number))
    return query.order_by(QuarterlyReturn.due_on, Grant.reference, QuarterlyReturn.id)


HEADINGS = [
    "Grant", "Consortium", "Quarter", "From", "To", "Due", "Status", "Days overdue",
    "Sent from", "Submitted", "Reviewed",
]


def return_rows(query: Select[QuarterlyReturn], today: date) -> Iterator[list]:
    for returns in in_chunks(query, QuarterlyReturn, row_loads()):
        for ret in returns:
            yield [
                ret.grant.reference, ret.grant.consortium.name, ret.period.short_label,
                ret.period.start, ret.period.end, ret.due_on, ret.status.title,
                ret.days_overdue(today),
                SENT_FROM.get(ret.entered_by, "") if ret.submitted_at else "",
                ret.submitted_at, ret.reviewed_at,
            ]


@dataclass
class ReturnList:
    """The returns list as one person asked for it: what the page shows and downloads."""

    filters: dict[str, Filter]
    query: Select[QuarterlyReturn]
    today: date
    any_grants: bool

    def page(self, number: int) -> Page[QuarterlyReturn]:
        return paginate(self.query.options(*row_loads()), number)

    def listing(self) -> Listing:
        return Listing("Returns", HEADINGS, return_rows(self.query, self.today),
                       filters=described(self.filters))


def return_list(user: User, args, today: date) -> ReturnList:
    filters = read_filters(args, return_filters(user))
    return ReturnList(filters, chosen_returns(user, filters, today), today,
                      any_visible(Grant.visible_to(user)))
