"""Financial-year quarters, when each quarter's return is due, and which reminder a day calls for.

UK financial years run 1 April to 31 March, so the quarters are Q1 April to June, Q2 July
to September, Q3 October to December and Q4 January to March. A quarterly return is due a
set number of days after its quarter ends: 30 unless the grant agreement says otherwise.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from eoi.money import financial_year_label, financial_year_of

DEFAULT_DAYS_AFTER_END = 30

# Hard-coded rather than taken from `calendar`, whose names follow the server's locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter of a financial year; orders chronologically because of the field order."""

    financial_year: int  # the year the financial year starts in: 2026 for 2026 to 2027
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"a quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        # Counting months from April makes April month 0 and March month 11.
        return cls(financial_year_of(day), (day.month - 4) % 12 // 3 + 1)

    @property
    def start(self) -> date:
        month = 3 * self.number + 1  # 4, 7, 10, then 13 for January of the next year
        if month > 12:
            return date(self.financial_year + 1, month - 12, 1)
        return date(self.financial_year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter, inclusive."""
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        """'Q1 2026 to 2027 (April to June 2026)': the whole name, for headings."""
        first, last = _MONTHS[self.start.month - 1], _MONTHS[self.end.month - 1]
        return (
            f"Q{self.number} {financial_year_label(self.financial_year)} "
            f"({first} to {last} {self.end.year})"
        )

    @property
    def short_label(self) -> str:
        """'Q1 2026-27': for tables and reminder emails, where space is short."""
        return f"Q{self.number} {self.financial_year}-{(self.financial_year + 1) % 100:02d}"

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.financial_year + 1, 1)
        return Quarter(self.financial_year, self.number + 1)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.financial_year - 1, 4)
        return Quarter(self.financial_year, self.number - 1)

    def due_date(self, days_after_end: int = DEFAULT_DAYS_AFTER_END) -> date:
        """When this quarter's return is due."""
        if days_after_end < 0:
            raise ValueError("a return cannot be due before its quarter ends")
        return self.end + timedelta(days=days_after_end)


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Every quarter that overlaps the span, both ends included: the quarters a grant
    delivering from `first` to `last` owes returns for, part quarters too."""
    if last < first:
        raise ValueError(f"the span ends ({last}) before it starts ({first})")
    quarter, final = Quarter.containing(first), Quarter.containing(last)
    quarters = [quarter]
    while quarter < final:
        quarter = quarter.next()
        quarters.append(quarter)
    return quarters


def quarters_of_years(first_financial_year: int, last_financial_year: int) -> list[Quarter]:
    """All four quarters of each financial year from the first to the last, inclusive."""
    if last_financial_year < first_financial_year:
        raise ValueError("the last financial year comes before the first")
    return [
        Quarter(year, number)
        for year in range(first_financial_year, last_financial_year + 1)
        for number in (1, 2, 3, 4)
    ]


class ReminderKind(StrEnum):
    # Values are stored in reminder keys, so they must never change once used.
    in_14_days = "in_14_days"
    in_3_days = "in_3_days"
    due_today = "due_today"
    overdue = "overdue"

    @property
    def title(self) -> str:  # type: ignore[override]  # the words a user reads, not str.title()
        return _REMINDER_TITLES[self]


_REMINDER_TITLES = {
    ReminderKind.in_14_days: "Due in 14 days",
    ReminderKind.in_3_days: "Due in 3 days",
    ReminderKind.due_today: "Due today",
    ReminderKind.overdue: "Overdue",
}

# Two weeks gives time to gather figures; three days is a last nudge before the deadline.
_REMINDER_DAYS_BEFORE = {14: ReminderKind.in_14_days, 3: ReminderKind.in_3_days}


def reminder_due(due: date, today: date) -> ReminderKind | None:
    """The reminder `today` calls for about something due on `due`, if any.

    Before the due date only the exact days count, so a daily job sends each early reminder
    on one day. Every day after it says overdue; the reminder key is what stops that being
    sent more than once.
    """
    days_left = (due - today).days
    if days_left < 0:
        return ReminderKind.overdue
    if days_left == 0:
        return ReminderKind.due_today
    return _REMINDER_DAYS_BEFORE.get(days_left)


def reminder_key(item_type: str, item_id: int, kind: ReminderKind, due: date) -> str:
    """'return:42:in_3_days:2026-07-30': one per reminder that should ever be sent, for a
    unique constraint to hold.

    The date is the due date, never the day of sending, so an overdue reminder goes once per
    due date rather than every day; if a due date is moved, the new date earns fresh ones.
    """
    if not item_type or ":" in item_type:
        raise ValueError(f"an item type must be a non-empty word without ':', not {item_type!r}")
    return f"{item_type}:{item_id}:{kind.value}:{due.isoformat()}"
