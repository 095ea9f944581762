import click
from flask import current_app
from flask.cli import AppGroup

from eoi.demo.loader import database_is_empty, demo_accounts, load_demo_data
from eoi.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")


def _scale(value: str | None) -> str | int | None:
    """`national`, or a whole number of times the demo (at least 2)."""
    if value is None or value == "national":
        return value
    if value.isdigit() and 2 <= int(value) <= 1000:
        return int(value)
    raise click.BadParameter("give `national` or a number of times the demo, 2 to 1000")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True,
              help="Do nothing if the database already has accounts (what `make run` uses).")
@click.option("--scale", callback=lambda _ctx, _param, value: _scale(value), metavar="SIZE",
              help="Then add a fund at this size, for measuring: `national` (5,000 EOIs, "
              "2,000 grants, 24,000 returns) or N (N times the demo). Into an empty "
              "database only.")
def load_command(if_empty: bool, scale: str | int | None):
    """Load the demo organisations and accounts (idempotent), and print the logins."""
    password = current_app.config["EOI_DEMO_PASSWORD"]
    if scale is not None and not database_is_empty():
        raise click.ClickException("The scale data goes into an empty database only: this "
                                   "one already has accounts.")
    if if_empty and not database_is_empty():
        click.echo("The database already has accounts: demo data not loaded.")
    else:
        created = load_demo_data(password)
        db.session.commit()
        click.echo(f"Demo data loaded ({len(created)} new records).")
    if scale is not None:
        from eoi.demo.scale import grow_demo, load_national

        added = load_national(password) if scale == "national" else grow_demo(
            int(scale), password)
        db.session.commit()
        click.echo(f"Scale data loaded: {added.rounds} rounds, {added.consortia} consortia, "
                   f"{added.eois} EOIs, {added.grants} grants, {added.returns} returns, "
                   f"{added.users} people, {added.audit_entries} audit entries.")
    click.echo("\nDemo accounts (password: EOI_DEMO_PASSWORD, by default demo-pass-2026):")
    for email, name, roles in demo_accounts():
        click.echo(f"  {email:<36} {roles:<36} {name}")
    click.echo("\nOpen http://127.0.0.1:5000 and sign in.")
