"""The list of quarterly returns across grants: the filters on screen and the columns
downloaded. It says where each return is, never what it reports: figures about young
people leave the service only suppressed, in the reports.

As the grants list: a query of what the person may see, filtered and ordered in SQL, read
50 rows a page or, for a download, every row in chunks."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from eoi.accounts.models import User
from eoi.exports import Filter, Listing, described, read_filters
from eoi.extensions import db
from eoi.grants.lists import any_visible, grant_filter, in_chunks
from eoi.grants.models import Grant
from eoi.grants.periods import quarters_of_years
from eoi.pagination import Page, paginate
from eoi.returns.models import QuarterlyReturn, ReturnStatus

OVERDUE = "overdue"
SENT_FROM = {"web": "Web form", "spreadsheet": "Spreadsheet"}

def row_loads() -> tuple[ORMOption, ...]:
    """A row shows its grant's reference and consortium, nothing of the figures."""
    return (joinedload(QuarterlyReturn.grant).joinedload(Grant.consortium),)


def _quarter_filter(user: User) -> Filter:
    """Every quarter from the earliest return the person may see to the latest, newest
    first: two ends read from an index, where the distinct quarters of every return would
    be a scan of them all. A fund's returns run quarter after quarter, so between the two
    ends there is seldom a quarter without any."""
    visible = QuarterlyReturn.grant_id.in_(Grant.visible_ids(user))

    def end(*order) -> Any:
        return (select(QuarterlyReturn.financial_year * 10 + QuarterlyReturn.quarter)
                .where(visible).order_by(*order).limit(1).scalar_subquery())

    first, last = db.session.execute(select(
        end(QuarterlyReturn.financial_year, QuarterlyReturn.quarter),
        end(QuarterlyReturn.financial_year.desc(), QuarterlyReturn.quarter.desc()))).one()
    quarters = [] if first is None else [
        q for q in quarters_of_years(first // 10, last // 10)
        if first <= q.financial_year * 10 + q.number <= last]
    return Filter("quarter", "Quarter",
                  [(f"{q.financial_year}-{q.number}", q.short_label) for q in reversed(quarters)],
                  "Any quarter")


def return_filters(user: User) -> list[Filter]:
    return [
        grant_filter(user),
        _quarter_filter(user),
        Filter("status", "Status", [*ReturnStatus.choices(), (OVERDUE, "Overdue")],
               "Any status"),
    ]


def chosen_returns(user: User, filters: dict[str, Filter],
                   today: date) -> Select[QuarterlyReturn]:
    """The returns matching the filters, in no order (`in_order` gives the list's)."""
    chosen = {name: f.chosen for name, f in filters.items()}
    query = QuarterlyReturn.visible_to(user)
    if chosen["status"] == OVERDUE:  # QuarterlyReturn.is_overdue
        query = query.where(QuarterlyReturn.status == ReturnStatus.draft,
                            QuarterlyReturn.due_on < today)
    elif chosen["status"]:
        query = query.where(QuarterlyReturn.status == ReturnStatus(chosen["status"]))
    if chosen["grant"]:
        query = query.where(QuarterlyReturn.grant_id.in_(
            select(Grant.id).where(Grant.reference == chosen["grant"])))
    if chosen["quarter"]:
        year, number = chosen["quarter"].split("-")
        query = query.where(QuarterlyReturn.financial_year == int(year),
                            QuarterlyReturn.quarter == int(number))
    return query


def in_order(matching: Select[QuarterlyReturn]) -> Select[QuarterlyReturn]:
    """The list's order: by due date (ix_quarterly_returns_due_on reads the first page of
    the whole fund's without sorting it), then grant."""
    return (matching.join(QuarterlyReturn.grant)
            .order_by(QuarterlyReturn.due_on, Grant.reference, QuarterlyReturn.id))


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
    matching: Select[QuarterlyReturn]  # every return matching the filters, in no order
    today: date
    any_grants: bool

    @property
    def query(self) -> Select[QuarterlyReturn]:
        return in_order(self.matching)

    def page(self, number: int) -> Page[QuarterlyReturn]:
        return paginate(self.query.options(*row_loads()), number, counted=self.matching)

    def listing(self) -> Listing:
        return Listing("Returns", HEADINGS, return_rows(self.query, self.today),
                       filters=described(self.filters))


def return_list(user: User, args, today: date) -> ReturnList:
    filters = read_filters(args, return_filters(user))
    return ReturnList(filters, chosen_returns(user, filters, today), today,
                      any_visible(Grant.visible_to(user)))
