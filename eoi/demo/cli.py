import click
from flask import current_app
from flask.cli import AppGroup

from eoi.demo.loader import database_is_empty, demo_accounts, load_demo_data
from eoi.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True,
              help="Do nothing if the database already has accounts (what `make run` uses).")
def load_command(if_empty: bool):
    """Load the demo organisations and accounts (idempotent), and print the logins."""
    password = current_app.config["EOI_DEMO_PASSWORD"]
    if if_empty and not database_is_empty():
        click.echo("The database already has accounts: demo data not loaded.")
    else:
        created = load_demo_data(password)
        db.session.commit()
        click.echo(f"Demo data loaded ({len(created)} new records).")
    click.echo("\nDemo accounts (password: EOI_DEMO_PASSWORD, by default demo-pass-2026):")
    for email, name, roles in demo_accounts():
        click.echo(f"  {email:<36} {roles:<36} {name}")
    click.echo("\nOpen http://127.0.0.1:5000 and sign in.")
