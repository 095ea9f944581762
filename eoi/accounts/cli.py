import click
from flask.cli import AppGroup
from sqlalchemy import select

from eoi.accounts.models import Role
from eoi.accounts.operations import create_user, find_user_by_email
from eoi.accounts.passwords import MIN_PASSWORD_LENGTH, TOO_COMMON, is_too_common
from eoi.extensions import db
from eoi.reference.loader import MOPAC_NAME
from eoi.reference.models import Organisation, OrganisationType

users_cli = AppGroup("users", help="Manage accounts from the shell.")


def _mopac() -> Organisation:
    mopac = db.session.scalar(
        select(Organisation).where(Organisation.type == OrganisationType.mopac)
    )
    if mopac is None:
        mopac = Organisation(name=MOPAC_NAME, type=OrganisationType.mopac)
        db.session.add(mopac)
    return mopac


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Fund manager", show_default=True, help="The person's full name.")
@click.password_option(
    envvar="EOI_ADMIN_PASSWORD",
    help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for if not given "
    "(or set EOI_ADMIN_PASSWORD).",
)
def create_admin(email: str, name: str, password: str):
    """Create the first fund manager account, at MOPAC."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"must be at least {MIN_PASSWORD_LENGTH} characters",
                                 param_hint="password")
    if is_too_common(password):
        raise click.BadParameter(TOO_COMMON.lower(), param_hint="password")
    if find_user_by_email(email) is not None:
        raise click.ClickException(f"An account for {email} already exists.")
    user = create_user(email=email, full_name=name, organisation=_mopac(),
                       roles={Role.fund_manager}, password=password, by=None)
    db.session.commit()
    click.echo(f"Created fund manager {user.email}. Sign in at /sign-in.")
