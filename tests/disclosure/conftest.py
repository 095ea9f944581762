"""Disclosure control is pure calculation, so its tests need no app and no database."""

import pytest


@pytest.fixture(autouse=True)
def _clean_database():
    """Stands in for the suite-wide fixture, which would start the app for every test."""
    yield
