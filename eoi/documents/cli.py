"""`flask documents prepare`: work through the queue of documents once, then stop; `flask
documents figures`: protect and keep the published figures whose returns changed (the
scheduler process does both every few seconds)."""

import click
from flask.cli import AppGroup

from eoi.documents.operations import prepare_waiting

documents_cli = AppGroup("documents", help="Documents prepared in the background.")


@documents_cli.command("prepare")
def prepare_command() -> None:
    """Prepare every queued document, oldest first."""

    def say(document_id: int, status) -> None:
        click.echo(f"Document {document_id}: {status.title.lower()}.")

    done = prepare_waiting(on_done=say)
    click.echo(f"Prepared {done} document{'' if done == 1 else 's'}.")


@documents_cli.command("figures")
@click.option("--most", type=click.IntRange(min=1),
              help="Keep at most this many subjects, the latest quarter and the achievements "
              "first (after a restore, --most 2 readies the dashboard in minutes).")
def figures_command(most: int | None) -> None:
    """Protect and keep the figures about young people of every quarter that changed."""
    from eoi.reports.keeping import keep_published_figures

    kept = keep_published_figures(most=most)
    click.echo(f"Kept the figures of {len(kept)} subject{'' if len(kept) == 1 else 's'}"
               + (f": {', '.join(kept)}." if kept else "."))
