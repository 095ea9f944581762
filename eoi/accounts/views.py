from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from eoi import clock
from eoi.accounts import throttling
from eoi.accounts.models import SessionEnd
from eoi.accounts.operations import (
    SignInClient,
    SignInOutcome,
    attempt_sign_in,
    end_session,
    set_password,
)
from eoi.accounts.passwords import verify_password
from eoi.calendars.operations import feed_of
from eoi.extensions import db
from eoi.forms.auth import ChangePasswordForm, SignInForm

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__, url_prefix="/account")


def _safe_next(target: str | None) -> str | None:
    """Only ever redirect within this service after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@auth_bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        client = SignInClient(address=request.remote_addr,
                              device_cookie=request.cookies.get(throttling.DEVICE_COOKIE),
                              user_agent=request.user_agent.string)
        result = attempt_sign_in(form.email.data, form.password.data, now=clock.now(),
                                 client=client)
        db.session.commit()  # failures count too, so the limits hold
        if result.outcome is SignInOutcome.signed_in:
            login_user(result.user)
            response = redirect(_safe_next(request.args.get("next")) or url_for("dashboard.index"))
            _remember_this_device(response, result.device_cookie)
            return response
        if result.outcome is SignInOutcome.throttled:
            # The same words whether or not the address has an account.
            form.email.errors.append("Too many attempts to sign in. Wait a minute, then try again")
            return (render_template("auth/sign_in.html", title="Sign in", form=form), 429,
                    {"Retry-After": str(int(throttling.WINDOW.total_seconds()))})
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", title="Sign in", form=form)


def _remember_this_device(response, cookie: str) -> None:
    """The device cookie: sent only to the sign-in page, and kept after signing out, so
    this browser is counted on its own next time (see eoi.accounts.throttling)."""
    response.set_cookie(
        throttling.DEVICE_COOKIE, cookie, path=url_for("auth.sign_in"),
        max_age=int(throttling.DEVICE_COOKIE_LIFETIME.total_seconds()), httponly=True,
        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


@auth_bp.post("/sign-out")
@login_required
def sign_out():
    # Ended on the server, so a copy of the cookie taken before now signs nobody in.
    end_session(current_user.current_session, SessionEnd.signed_out, by=current_user)
    db.session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@account_bp.get("")
@login_required
def index():
    return render_template("account/index.html", title="Your account",
                           calendar_feed=feed_of(current_user))


@account_bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not correct")
        else:
            set_password(current_user, form.new_password.data, by=current_user)
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("account.index"))
    return render_template("account/password.html", title="Change your password", form=form)
