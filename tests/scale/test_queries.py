"""Every listed page costs a bounded number of SQL statements, for every person who uses it.

Each domain's pages are a table in tests/scale/pages_<domain>.py: `PAGES`, a list of
(email, address, most statements). An address may name a demo record through placeholders
that the module's optional `resolve(address)` turns into an address (inside an app context).
One test per table, loading the demo once, since loading it is most of the cost.
"""

import importlib
import pkgutil

import pytest

import tests.scale
from eoi.extensions import db
from tests.queries import page_statements
from tests.scale.conftest import signed_in

BUDGET = 25  # the ceiling for any page


def _tables():
    for module in pkgutil.iter_modules(tests.scale.__path__):
        if module.name.startswith("pages_"):
            yield importlib.import_module(f"tests.scale.{module.name}")


TABLES = [pytest.param(table, id=table.__name__.rsplit("_", 1)[-1]) for table in _tables()]


def statement_counts(app, table) -> dict[tuple[str, str], int]:
    """(email, address) → statements one GET of the page runs, each person signed in once."""
    counts, clients = {}, {}
    for email, address, _most in table.PAGES:
        client = clients.get(email) or clients.setdefault(email, signed_in(app, email))
        with app.app_context():
            url = table.resolve(address) if hasattr(table, "resolve") else address
            db.session.remove()
        client.get(url)  # the first request of a page warms what is cached per process
        counts[email, address] = page_statements(client, url).count
    return counts


@pytest.mark.parametrize("table", TABLES)
def test_page_statements_are_bounded(app, demo, table):
    counts = statement_counts(app, table)
    over = [f"{address} as {email}: {counts[email, address]} statements, at most {most}"
            for email, address, most in table.PAGES
            if counts[email, address] > min(most, BUDGET)]
    assert not over, "\n".join(over)
