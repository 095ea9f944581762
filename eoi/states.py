"""State machines written as data: each names its states' allowed next states."""

import enum
from dataclasses import dataclass


class TransitionRefused(ValueError):
    """A change the rules do not allow; the message says why, in the user's words."""


@dataclass(frozen=True)
class StateMachine:
    name: str
    transitions: dict[enum.Enum, frozenset[enum.Enum]]

    def allowed(self, current: enum.Enum) -> frozenset[enum.Enum]:
        return self.transitions.get(current, frozenset())

    def check(self, current: enum.Enum, new: enum.Enum) -> None:
        if new not in self.allowed(current):
            raise TransitionRefused(
                f"A {self.name} that is {str(current).lower()} cannot become {str(new).lower()}"
            )
