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
    change_own_password,
    end_session,
)
from eoi.calendars.operations import feed_of
from eoi.forms.auth import ChangePasswordForm, SignInForm
from eoi.forms.base import filled
from eoi.writes import attempt, explain

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
        # Committed whatever the answer: failures count too, so the limits hold.
        outcome = attempt(lambda: attempt_sign_in(filled(form.email.data),
                                                  filled(form.password.data),
                                                  now=clock.now(), client=client))
        if not outcome.ok:
            explain(outcome, form)
            return render_template("auth/sign_in.html", title="Sign in", form=form)
        result = outcome.result
        assert result is not None  # every attempt that ran has an answer
        if result.outcome is SignInOutcome.signed_in:
            login_user(result.user)
            assert result.device_cookie is not None  # made on every sign-in
            response = redirect(_safe_next(request.args.get("next")) or url_for("dashboard.index"))
            _remember_this_device(response, result.device_cookie)
            return response
        if result.outcome is SignInOutcome.throttled:
            # The same words whether or not the address has an account.
            form.email.errors = [*form.email.errors,
                                 "Too many attempts to sign in. Wait a minute, then try again"]
            return (render_template("auth/sign_in.html", title="Sign in", form=form), 429,
                    {"Retry-After": str(int(throttling.WINDOW.total_seconds()))})
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
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
    attempt(lambda: end_session(current_user.current_session, SessionEnd.signed_out,
                                by=current_user))
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
        outcome = attempt(lambda: change_own_password(
            current_user, current_password=filled(form.current_password.data),
            new_password=form.new_password.data))
        if outcome.ok:
            flash("Your password has been changed.", "success")
            return redirect(url_for("account.index"))
        explain(outcome, form)
    return render_template("account/password.html", title="Change your password", form=form)
