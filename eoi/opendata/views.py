"""/open-data: the grants MOPAC has awarded, for anyone, as 360Giving JSON, XLSX and CSV."""

import click
from flask import Blueprint, Response, abort, render_template
from flask.cli import AppGroup

from eoi import clock
from eoi.downloads import attachment
from eoi.opendata import publishing

opendata_bp = Blueprint("opendata", __name__, url_prefix="/open-data")
export_cli = AppGroup("export", help="Export data for publishing.")


@opendata_bp.get("")
def index():
    try:
        data = publishing.published_package(clock.today())
        problem = None
    except publishing.NotPublishable as refused:
        data, problem = None, str(refused)
    return render_template("opendata/index.html", title="Open data", data=data,
                           problem=problem)


def _published():
    try:
        return publishing.published_package(clock.today())
    except publishing.NotPublishable:
        abort(404)


def _download(content, mimetype: str, extension: str) -> Response:
    return attachment(content, mimetype, f"mopac-grants-360giving.{extension}", private=False)


@opendata_bp.get("/grants.json")
def grants_json():
    return _download(publishing.as_json(_published()), "application/json", "json")


@opendata_bp.get("/grants.csv")
def grants_csv():
    return _download(publishing.as_csv(_published()), "text/csv; charset=utf-8", "csv")


@opendata_bp.get("/grants.xlsx")
def grants_xlsx():
    return _download(publishing.as_xlsx(_published()), "application/vnd.openxmlformats-"
                     "officedocument.spreadsheetml.sheet", "xlsx")


@export_cli.command("360giving")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the JSON file")
def export_360giving(out: str) -> None:
    """Every awarded grant as a 360Giving data package (JSON)."""
    from flask import current_app

    with current_app.test_request_context(base_url=current_app.config["EOI_BASE_URL"]):
        try:
            data = publishing.published_package(clock.today())
        except publishing.NotPublishable as refused:
            raise click.ClickException(str(refused)) from None
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(publishing.as_json(data))
    count = len(data["grants"])
    click.echo(f"Wrote {count} grant{'' if count == 1 else 's'} to {out}.")
