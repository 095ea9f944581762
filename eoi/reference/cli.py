import click
from flask.cli import AppGroup

from eoi.extensions import db
from eoi.reference.loader import load_reference_data

reference_cli = AppGroup("reference", help="London reference data.")


@reference_cli.command("load")
def load_command():
    """Load the 33 local authorities, BCUs, MOPAC, priorities and outcomes (idempotent)."""
    report = load_reference_data()
    db.session.commit()
    click.echo(str(report))
