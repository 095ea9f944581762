"""/open-data: the grants MOPAC has awarded, for anyone, as 360Giving JSON, XLSX and CSV.
Downloads are streamed, their grants read a chunk at a time as they are sent."""

from collections.abc import Iterable, Iterator

import click
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.cli import AppGroup

from eoi import clock
from eoi.downloads import attachment
from eoi.opendata import publishing
from eoi.pagination import page_number

opendata_bp = Blueprint("opendata", __name__, url_prefix="/open-data")
export_cli = AppGroup("export", help="Export data for publishing.")


@opendata_bp.get("")
def index():
    try:
        published = publishing.publication(clock.today())
        problem = None
    except publishing.NotPublishable as refused:
        published, problem = None, str(refused)
    return render_template("opendata/index.html", title="Open data",
                           data=published.head if published else None,
                           page=published.page(page_number(request.args)) if published else None,
                           problem=problem)


def _published() -> publishing.Publication:
    try:
        return publishing.publication(clock.today())
    except publishing.NotPublishable:
        abort(404)


def _pieces(chunks: Iterable) -> Iterator:
    """`chunks`, each made in an app context of its own pushed only while it is made. The
    request's context is gone by then, and a context held from one piece to the next would
    sit on top of whatever else the thread does meanwhile (another download, say)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # while it is here

    def made() -> Iterator:
        pieces = iter(chunks)
        while True:
            with app.app_context():
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    return made()


def _download(content, mimetype: str, extension: str) -> Response:
    return attachment(_pieces(content), mimetype, f"mopac-grants-360giving.{extension}",
                      private=False)


@opendata_bp.get("/grants.json")
def grants_json():
    published = _published()
    return _download(publishing.json_chunks(published.head, published.records()),
                     "application/json", "json")


@opendata_bp.get("/grants.csv")
def grants_csv():
    return _download(publishing.csv_chunks(_published()), "text/csv; charset=utf-8", "csv")


@opendata_bp.get("/grants.xlsx")
def grants_xlsx():
    return _download(publishing.as_xlsx(_published()), "application/vnd.openxmlformats-"
                     "officedocument.spreadsheetml.sheet", "xlsx")


@export_cli.command("360giving")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the JSON file")
def export_360giving(out: str) -> None:
    """Every awarded grant as a 360Giving data package (JSON), written a grant at a time."""
    with current_app.test_request_context(base_url=current_app.config["EOI_BASE_URL"]):
        try:
            published = publishing.publication(clock.today())
        except publishing.NotPublishable as refused:
            raise click.ClickException(str(refused)) from None
        count = 0

        def counted(records):
            nonlocal count
            for record in records:
                count += 1
                yield record

        with open(out, "w", encoding="utf-8") as handle:
            handle.writelines(publishing.json_chunks(published.head,
                                                     counted(published.records())))
    click.echo(f"Wrote {count} grant{'' if count == 1 else 's'} to {out}.")
