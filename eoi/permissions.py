"""The one shape every view uses to ask for permission."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from eoi.extensions import db


def require(allowed: bool) -> None:
    """403 unless the model's permission method said yes."""
    if not allowed:
        abort(403)


def load_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def permission_required(check):
    """Sign-in required, then `check(current_user)` must hold, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require(check(current_user))
            return view(*args, **kwargs)

        return wrapped

    return decorator


# The fund team's pages: every blueprint's fund-manager-only views say so with this one.
fund_manager_only = permission_required(lambda user: user.is_fund_manager)


def code_asked_again(back_to: str):
    """For the most sensitive actions (publishing decisions, changing someone's access): a
    redirect to enter a code from the authenticator app, when the person signs in with one
    and their last code is over REASK_AFTER old; None when they may go on. `back_to` is the
    page to return to, to do it again."""
    from flask import flash, redirect, url_for

    from eoi import clock
    from eoi.accounts.two_factor import is_fresh

    if not current_user.has_two_factor:
        return None
    session = current_user.current_session
    if session is not None and is_fresh(session.second_factor_at, clock.now()):
        return None
    flash("Enter a code from your authenticator app first, then do it again.", "important")
    return redirect(url_for("account.confirm_code", next=back_to))
