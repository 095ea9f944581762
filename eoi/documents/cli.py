"""`flask documents prepare`: work through the queue of documents once, then stop (the
scheduler process does the same every few seconds)."""

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
