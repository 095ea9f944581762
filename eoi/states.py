"""State machines written as data: each names its states' allowed next states, and `move` is
the one way a record's state changes (checked, applied and audited together)."""

import enum
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from eoi.refusals import TransitionRefused

__all__ = ["StateMachine", "TransitionRefused"]

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    name: str
    transitions: dict[S, frozenset[S]]
    attribute: str = "status"  # the column holding the record's state

    def allowed(self, current: S) -> frozenset[S]:
        return self.transitions.get(current, frozenset())

    def check(self, current: S, new: S) -> None:
        if new not in self.allowed(current):
            raise TransitionRefused(
                f"A {self.name} that is {str(current).lower()} cannot become {str(new).lower()}"
            )

    def move(self, record: Any, new: S, *, by: Any, action: str, summary: str,
             subject: Any = None, changes: dict[str, list[Any]] | None = None) -> S:
        """Change `record`'s state to `new` if the rules allow it, and write the one audit
        entry that says so (about `subject`, the record itself unless given). Returns the
        state it was in. Records with state are versioned, so of two people moving the
        same record at once, the second is refused when the database sees the first."""
        from eoi.audit import record_audit

        current = getattr(record, self.attribute)
        self.check(current, new)
        setattr(record, self.attribute, new)
        record_audit(action, subject if subject is not None else record, user=by,
                     summary=summary,
                     changes={self.attribute: [current.value, new.value], **(changes or {})})
        return current
