"""A grant's milestones, payments and returns on one line of dates, for its page."""

from dataclasses import dataclass
from datetime import date

from eoi.grants.models import Grant


@dataclass(frozen=True)
class Event:
    on: date
    kind: str  # "Milestone", "Payment" or "Return"
    title: str
    status: str
    endpoint: str | None  # where to read more: (endpoint, id) for url_for
    record_id: int | None
    is_late: bool


def timeline_of(grant: Grant, today: date) -> list[Event]:
    events = [Event(m.due_on, "Milestone", m.title, m.status.title, "grants.milestone", m.id,
                    m.is_overdue(today)) for m in grant.milestones]
    events += [Event(p.scheduled_on, "Payment", p.description, p.status.title, None, None,
                     False) for p in grant.payments]
    events += [Event(r.due_on, "Return", f"{r.period.label} return", r.status.title,
                     "returns.show", r.id, r.is_overdue(today)) for r in grant.returns]
    # Stable: on the same day, milestones come before the payments that may depend on them.
    return sorted(events, key=lambda event: event.on)
