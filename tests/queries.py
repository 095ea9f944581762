"""Counting the SQL statements a page costs, so that each page's count is asserted and the
same count is seen on the demo and on a fund ten times its size (tests/scale)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from eoi.extensions import db

# The test transaction's own bookkeeping, not the page's.
_NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT",
                "ROLLBACK")


@dataclass
class Statements:
    seen: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.seen)

    def __str__(self) -> str:
        return "\n".join(f"{n}: {sql[:300]}" for n, sql in enumerate(self.seen, 1))


@contextmanager
def counted_statements(engine=None) -> Iterator[Statements]:
    """Every SQL statement run inside the block, on any connection of the app's engine
    (`engine`, or the current app's)."""
    statements = Statements()
    engine = engine if engine is not None else db.engine

    def seen(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            statements.seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def page_statements(client, url: str, *, expect: int = 200) -> Statements:
    """The statements one GET of `url` runs, signing-in checks included (as each request
    pays for them), and those of a streamed download as it is read. Needs no app context:
    one held around the request would share its `g`."""
    with client.application.app_context():
        engine = db.engine
    with counted_statements(engine) as statements:
        response = client.get(url)
        response.get_data()
    assert response.status_code == expect, (url, response.status_code)
    return statements
