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
