"""Every listed page costs a bounded number of SQL statements, for every person who uses it.

Each domain's pages are a table in tests/scale/pages_<domain>.py: `PAGES`, a list of
(email, address, most statements). An address may name a demo record through
`{eoi:CCF-2026-0003}`-style placeholders, resolved by `resolve` in that module if it has one.
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


CASES = [pytest.param(table, email, address, most, id=f"{email.split('@')[0]}-{address}")
         for table in _tables() for email, address, most in table.PAGES]


@pytest.mark.parametrize(("table", "email", "address", "most"), CASES)
def test_page_statements_are_bounded(app, demo, table, email, address, most):
    assert most <= BUDGET
    client = signed_in(app, email)
    with app.app_context():
        url = table.resolve(address) if hasattr(table, "resolve") else address
        db.session.remove()
    client.get(url)  # the first request of a person warms what is cached per process
    statements = page_statements(client, url)
    assert statements.count <= most, f"{url} as {email}: {statements.count} statements\n" \
                                     f"{statements}"
