"""Lists a page at a time: the rows of one page and the count of all, each one SQL query,
whatever the size of the fund. Every list asks `paginate` with the query of what the person
may see (each model's `visible_to`), filtered and ordered in SQL."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from eoi.extensions import db
from eoi.inputs import whole_number

T = TypeVar("T")

PER_PAGE = 50
# Far beyond any list the fund will hold: a page number beyond it is an edited address.
MAX_PAGE = 100_000


def page_number(args) -> int:
    """The page asked for in the query string: 1 when absent or not a sensible number."""
    return whole_number(args.get("page", "").strip(), maximum=MAX_PAGE) or 1


@dataclass
class Page(Generic[T]):
    rows: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.per_page, self.total)

    def numbers(self) -> list[int | None]:
        """The page numbers to link to, GOV.UK style: the first, the last, the current and
        its neighbours, with None where pages are left out (shown as an ellipsis)."""
        wanted = sorted({1, self.pages, self.number - 1, self.number, self.number + 1}
                        & set(range(1, self.pages + 1)))
        shown: list[int | None] = []
        for number in wanted:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def count_of(query: Select) -> int:
    return db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())) or 0


def paginate(query: Select[Any], number: int, per_page: int = PER_PAGE, *,
             scalars: bool = True, counted: Select[Any] | None = None) -> Page:
    """One page of `query` (which must be ordered: a list without a total order shows a
    row twice or never across pages). A page beyond the last shows the last. `counted`,
    when given, is the same rows without what only the order needs (a join for a sort
    key), which PostgreSQL would otherwise join for every row it counts."""
    total = count_of(query if counted is None else counted)
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    limited = query.limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(limited)
    rows = list(result.scalars() if scalars else result)
    return Page(rows, number, per_page, total)
