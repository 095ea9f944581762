from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from eoi import clock
from eoi.accounts import joining, throttling
from eoi.accounts.models import SessionEnd
from eoi.accounts.operations import (
    SignInClient,
    SignInOutcome,
    attempt_sign_in,
    change_own_password,
    end_session,
)
from eoi.calendars.operations import feed_of
from eoi.forms.auth import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ForgottenPasswordForm,
    SignInForm,
)
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


@auth_bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        email = filled(form.email.data)
        outcome = attempt(lambda: joining.request_password_reset(email))
        if outcome.ok:  # the same page whether or not the address has an account
            return render_template("auth/check_email.html", title="Check your email",
                                   email=email)
        explain(outcome, form)
    return render_template("auth/forgotten_password.html", title="Reset your password",
                           form=form)


@auth_bp.route("/reset-password/<string(maxlength=100):token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        reset = joining.reset_for(token)
    except joining.LinkNotWorking as refusal:
        return render_template("auth/link_not_working.html", title="This link does not work",
                               reason=str(refusal)), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: joining.reset_password(token, form.new_password.data))
        if outcome.ok:
            flash("Your password has been reset. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
        explain(outcome, form)
    return render_template("auth/choose_password.html", title="Choose a new password",
                           form=form, email=reset.user.email, invitation=None,
                           submit="Reset password")


@auth_bp.route("/join/<string(maxlength=100):token>", methods=["GET", "POST"])
def join(token: str):
    try:
        invitation = joining.invitation_for(token)
    except joining.LinkNotWorking as refusal:
        return render_template("auth/link_not_working.html", title="This link does not work",
                               reason=str(refusal)), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: joining.accept_invitation(token, form.new_password.data))
        if outcome.ok:
            flash("Your account is ready. Sign in with your email address and new password.",
                  "success")
            return redirect(url_for("auth.sign_in"))
        explain(outcome, form)
    return render_template("auth/choose_password.html", title="Join the co-commissioning fund",
                           form=form, email=invitation.email, invitation=invitation,
                           submit="Create account")


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
