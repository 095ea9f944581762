"""State machines written as data: each names its states' allowed next states, and `move` is
the one way a record's state changes (checked, applied and audited together)."""

import enum
from dataclasses import dataclass
from typing import Any

from eoi.refusals import TransitionRefused

__all__ = ["StateMachine", "TransitionRefused"]


@dataclass(frozen=True)
class StateMachine:
    name: str
    transitions: dict[Any, frozenset[Any]]
    attribute: str = "status"  # the column holding the record's state

    def allowed(self, current: enum.Enum) -> frozenset[enum.Enum]:
        return self.transitions.get(current, frozenset())

    def check(self, current: enum.Enum, new: enum.Enum) -> None:
        if new not in self.allowed(current):
            raise TransitionRefused(
                f"A {self.name} that is {str(current).lower()} cannot become {str(new).lower()}"
            )

    def move(self, record: Any, new: enum.Enum, *, by: Any, action: str, summary: str,
             subject: Any = None, changes: dict[str, list[Any]] | None = None) -> enum.Enum:
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
