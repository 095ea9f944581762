"""Every listed page costs a bounded number of SQL statements, for every person who uses it.

Each domain's pages are a table in tests/scale/pages_<domain>.py: `PAGES`, a list of
(email, address, most statements). An address may name a demo record through placeholders
that the module's optional `resolve(address)` turns into an address (inside an app context).
One test per table, loading the demo once, since loading it is most of the cost.
"""

import importlib
import pkgutil
from dataclasses import astuple

import pytest

import tests.scale
from eoi.demo.scale import Volumes, counted_volumes, grow_demo, load_scale
from eoi.extensions import db
from tests.conftest import signed_in
from tests.queries import page_statements

BUDGET = 25  # the ceiling for any page


def _tables():
    for module in pkgutil.iter_modules(tests.scale.__path__):
        if module.name.startswith("pages_"):
            yield importlib.import_module(f"tests.scale.{module.name}")


TABLES = [pytest.param(table, id=table.__name__.rsplit("_", 1)[-1]) for table in _tables()]


def resolved(app, table) -> dict[str, str]:
    """Each of the table's addresses with its placeholders filled in from the demo."""
    with app.app_context():
        urls = {address: table.resolve(address) if hasattr(table, "resolve") else address
                for _email, address, _most in table.PAGES}
        db.session.remove()
    return urls


def statement_counts(app, table, urls: dict[str, str] | None = None,
                     ) -> dict[tuple[str, str], int]:
    """(email, address) → statements one GET of the page runs, each person signed in once."""
    urls = urls or resolved(app, table)
    counts, clients = {}, {}
    for email, address, _most in table.PAGES:
        client = clients.get(email) or clients.setdefault(email, signed_in(app, email))
        client.get(urls[address])  # the first request of a page warms what is cached
        counts[email, address] = page_statements(client, urls[address]).count
    return counts


@pytest.mark.parametrize("table", TABLES)
def test_page_statements_are_bounded(app, demo, table):
    counts = statement_counts(app, table)
    over = [f"{address} as {email}: {counts[email, address]} statements, at most {most}"
            for email, address, most in table.PAGES
            if counts[email, address] > min(most, BUDGET)]
    assert not over, "\n".join(over)


@pytest.mark.one_database
def test_page_statements_do_not_grow_with_the_fund(app, demo):
    """No page's cost grows with the fund: the same pages, asked by the same people for the
    same records, run as many statements on ten times the demo as on nineteen times it (ten times,
    and the same nine times the demo's records made again).

    Ten times, not the demo itself: on the demo some people see none of some lists
    (Lewisham's officer has no grant, St Giles no EOI, no grant is red), and an empty list
    has no related rows to load, so it is cheaper; with ten times the demo's records every
    person has rows in every list they can open. What must not grow is the cost of a list
    that has rows. (Downloads read 500 rows a chunk, a few statements each: nineteen times
    the demo is still one chunk.)"""
    tables = [table.values[0] for table in TABLES]
    urls = {table.__name__: resolved(app, table) for table in tables}

    def counts() -> dict[tuple[str, str, str], int]:
        return {(table.__name__, email, address): count for table in tables
                for (email, address), count in
                statement_counts(app, table, urls[table.__name__]).items()}

    with app.app_context():
        demo_volumes = counted_volumes()
        grow_demo(10, app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()
    tenfold = counts()
    with app.app_context():
        # The same records again, made the same way (the same seed), so that whoever had
        # rows of a kind at ten times has them now, and whoever had none still has none.
        load_scale(Volumes(*(count * 9 for count in astuple(demo_volumes))),
                   app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()
        grown_to = counted_volumes()
        assert (grown_to.eois, grown_to.grants, grown_to.returns) == (
            19 * demo_volumes.eois, 19 * demo_volumes.grants, 19 * demo_volumes.returns)
    nineteenfold = counts()
    grown = [f"{urls[name][address]} as {email}: {count} statements on ten times the demo, "
             f"{nineteenfold[name, email, address]} on nineteen times it"
             for (name, email, address), count in tenfold.items()
             if nineteenfold[name, email, address] != count]
    assert not grown, "\n".join(grown)
