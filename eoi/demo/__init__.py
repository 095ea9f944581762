"""Demonstration data."""

from typing import TypeVar

T = TypeVar("T")


def found(row: T | None, what: str) -> T:
    """A row the demonstration data relies on: loaded with the reference data, or made
    earlier in the demo."""
    if row is None:
        raise LookupError(f"The demo needs {what}, which is not in the database")
    return row
