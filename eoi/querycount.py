"""Opt-in, for measuring (EOI_QUERY_COUNT_HEADER=1, refused in production): every response
says in `X-Query-Count` how many SQL statements its request ran. The count is of statements
run before the response leaves the view, so a streamed download's rows read while it
streams are not in it."""

from flask import Flask, g, has_request_context
from sqlalchemy import event

from eoi.extensions import db

HEADER = "X-Query-Count"


def init_app(app: Flask) -> None:
    if not app.config.get("EOI_QUERY_COUNT_HEADER"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def _header(response):
        response.headers[HEADER] = str(g.get("query_count", 0))
        return response
