from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from eoi import clock
from eoi.accounts import joining, throttling, two_factor
from eoi.accounts.models import SessionEnd, User
from eoi.accounts.operations import (
    SignInClient,
    SignInOutcome,
    attempt_sign_in,
    can_name_certifiers,
    change_own_password,
    complete_sign_in,
    confirm_second_factor,
    end_own_session,
    end_session,
    find_user_by_email,
    live_sessions_of,
    name_certifier,
    remove_certifier,
)
from eoi.calendars.operations import feed_of
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.forms.auth import (
    ChangePasswordForm,
    ChoosePasswordForm,
    CodeForm,
    ForgottenPasswordForm,
    NameCertifierForm,
    SignInForm,
)
from eoi.forms.base import filled
from eoi.inputs import safe_next
from eoi.pagination import page_number, paginate
from eoi.permissions import require
from eoi.writes import attempt, confirmed_action, explain, handle_page_form

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__, url_prefix="/account")


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
            return render_template("auth/sign_in.html", title="Sign in", form=form,
                           sso_name=_sso_name())
        result = outcome.result
        assert result is not None  # every attempt that ran has an answer
        if result.outcome is SignInOutcome.signed_in:
            return _signed_in(result, request.args.get("next"))
        if result.outcome is SignInOutcome.needs_second_factor:
            assert result.user is not None
            session["second_factor"] = {
                "user": result.user.id, "next": safe_next(request.args.get("next")),
                "until": (clock.now() + two_factor.PENDING_FOR).isoformat()}
            return redirect(url_for("auth.second_factor"))
        if result.outcome is SignInOutcome.throttled:
            # The same words whether or not the address has an account.
            form.email.errors = [*form.email.errors,
                                 "Too many attempts to sign in. Wait a minute, then try again"]
            return (render_template("auth/sign_in.html", title="Sign in", form=form,
                                    sso_name=_sso_name()), 429,
                    {"Retry-After": str(int(throttling.WINDOW.total_seconds()))})
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    return render_template("auth/sign_in.html", title="Sign in", form=form,
                           sso_name=_sso_name())


def _sso_name() -> str | None:
    from eoi.accounts import sso

    return sso.provider_name() if sso.is_configured() else None


@auth_bp.get("/sign-in/sso")
def single_sign_on():
    from eoi.accounts import sso

    if not sso.is_configured():
        abort(404)
    session["sso_next"] = safe_next(request.args.get("next"))
    return sso.client().authorize_redirect(url_for("auth.single_sign_on_done", _external=True))


@auth_bp.get("/sign-in/sso/callback")
def single_sign_on_done():
    """The provider sends the person back here with a code for their identity."""
    from authlib.integrations.base_client.errors import OAuthError

    from eoi.accounts import sso

    if not sso.is_configured():
        abort(404)
    try:
        token = sso.client().authorize_access_token()
    except OAuthError as error:  # refused there, a stale or forged answer, or no code
        flash(f"{sso.provider_name(capital=True)} did not sign you in ({error.error}). Try "
              "again, or sign in with your password.", "important")
        return redirect(url_for("auth.sign_in"))
    claims = dict(token.get("userinfo") or {})
    if "email" not in claims:  # many providers put it only in the userinfo answer
        claims.update(sso.client().userinfo(token=token))
    client = SignInClient(address=request.remote_addr, user_agent=request.user_agent.string)
    outcome = attempt(lambda: sso.sign_in_with(claims, client=client))
    next_page = session.pop("sso_next", None)
    if not outcome.ok or outcome.result is None:
        flash(f"{outcome.refusal or 'You could not be signed in'}.", "important")
        return redirect(url_for("auth.sign_in"))
    result = outcome.result
    if result.outcome is SignInOutcome.needs_second_factor:
        assert result.user is not None
        session["second_factor"] = {
            "user": result.user.id, "next": next_page,
            "until": (clock.now() + two_factor.PENDING_FOR).isoformat()}
        return redirect(url_for("auth.second_factor"))
    return _signed_in(result, next_page)


def _signed_in(result, next_page: str | None):
    login_user(result.user)
    assert result.device_cookie is not None  # made on every sign-in
    response = redirect(safe_next(next_page) or url_for("dashboard.index"))
    _remember_this_device(response, result.device_cookie)
    return response


@auth_bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in, for an account with two-factor sign-in."""
    pending = session.get("second_factor")
    if not pending or datetime.fromisoformat(pending["until"]) < clock.now():
        session.pop("second_factor", None)
        flash("Sign in again: the time to enter your code ran out.", "important")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        client = SignInClient(address=request.remote_addr, user_agent=request.user_agent.string)
        outcome = attempt(lambda: complete_sign_in(pending["user"], filled(form.code.data),
                                                   now=clock.now(), client=client))
        if outcome.ok and outcome.result is not None and (
                outcome.result.outcome is SignInOutcome.signed_in):
            session.pop("second_factor", None)
            return _signed_in(outcome.result, pending.get("next"))
        _explain_code(outcome, form)
    return render_template("auth/second_factor.html", title="Enter your code", form=form)


def _explain_code(outcome, form) -> None:
    """A wrong code is counted in a transaction of its own (the attempt's was rolled back),
    so the limit on wrong codes holds."""
    if isinstance(outcome.refusal, two_factor.WrongCode):
        refusal = outcome.refusal
        attempt(lambda: two_factor.count_wrong_code(refusal))
    if outcome.ok:  # no account to sign in to any more
        form.code.errors = [*form.code.errors, two_factor.WRONG_CODE]
    explain(outcome, form)


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
    return _password_by_link(
        lambda: joining.reset_for(token),
        lambda password: joining.reset_password(token, password),
        done="Your password has been reset. Sign in with your new password.",
        title="Choose a new password", submit="Reset password",
        page=lambda reset: {"email": reset.user.email, "invitation": None})


@auth_bp.route("/join/<string(maxlength=100):token>", methods=["GET", "POST"])
def join(token: str):
    return _password_by_link(
        lambda: joining.invitation_for(token),
        lambda password: joining.accept_invitation(token, password),
        done="Your account is ready. Sign in with your email address and new password.",
        title="Join the co-commissioning fund", submit="Create account",
        page=lambda invitation: {"email": invitation.email, "invitation": invitation})


def _password_by_link(find, choose, *, done: str, title: str, submit: str, page):
    """A page reached by a link sent by email, where a person chooses a password: 404 with
    the reason for a link that does not work, then the form."""
    try:
        found = find()
    except joining.LinkNotWorking as refusal:
        return render_template("auth/link_not_working.html", title="This link does not work",
                               reason=str(refusal)), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: choose(form.new_password.data))
        if outcome.ok:
            flash(done, "success")
            return redirect(url_for("auth.sign_in"))
        explain(outcome, form)
    return render_template("auth/choose_password.html", title=title, form=form, submit=submit,
                           **page(found))


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
    from eoi.notifications.outbox import unread_count

    return render_template("account/index.html", title="Your account",
                           calendar_feed=feed_of(current_user),
                           unread=unread_count(current_user),
                           names_certifiers=can_name_certifiers(current_user))


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


# Two-factor sign-in -----------------------------------------------------------------------

NEW_SECRET = "new_totp_secret"


@account_bp.get("/two-factor")
@login_required
def two_factor_index():
    return render_template("account/two_factor.html", title="Two-factor sign-in",
                           required=two_factor.is_required_for(current_user),
                           codes_left=two_factor.recovery_codes_left(current_user)
                           if current_user.has_two_factor else 0,
                           confirm=ConfirmForm(formdata=None))


@account_bp.route("/two-factor/set-up", methods=["GET", "POST"])
@login_required
def two_factor_set_up():
    if current_user.has_two_factor:
        return redirect(url_for("account.two_factor_index"))
    # Kept in the signed session cookie until a code proves the app has it; never stored
    # for an account that has not finished setting up.
    secret = session.get(NEW_SECRET) or two_factor.new_secret()
    session[NEW_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: two_factor.set_up(current_user, secret,
                                                   filled(form.code.data), now=clock.now()))
        if outcome.ok:
            session.pop(NEW_SECRET, None)
            return render_template("account/recovery_codes.html",
                                   title="Your recovery codes", codes=outcome.result,
                                   first_time=True)
        explain(outcome, form)
    return render_template("account/two_factor_set_up.html", title="Set up two-factor sign-in",
                           form=form, qr_code=two_factor.qr_code_svg(current_user, secret),
                           secret=two_factor.spaced(secret),
                           required=two_factor.is_required_for(current_user))


@account_bp.post("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    if not ConfirmForm().validate_on_submit() or not current_user.has_two_factor:
        return redirect(url_for("account.two_factor_index"))
    outcome = attempt(lambda: two_factor.new_recovery_codes(current_user))
    return render_template("account/recovery_codes.html", title="Your recovery codes",
                           codes=outcome.result, first_time=False)


@account_bp.post("/two-factor/off")
@login_required
def two_factor_off():
    confirmed_action(lambda: two_factor.turn_off(current_user, by=current_user),
                     "Two-factor sign-in is off. Signing in asks only for your password.")
    return redirect(url_for("account.two_factor_index"))


@account_bp.route("/confirm-code", methods=["GET", "POST"])
@login_required
def confirm_code():
    """A code again before a sensitive action, when the last one is REASK_AFTER old."""
    next_page = safe_next(request.args.get("next")) or url_for("dashboard.index")
    if not current_user.has_two_factor:
        return redirect(next_page)
    form = CodeForm()
    if form.validate_on_submit():
        outcome = attempt(lambda: confirm_second_factor(current_user, filled(form.code.data),
                                                        now=clock.now()))
        if outcome.ok:
            return redirect(next_page)
        _explain_code(outcome, form)
    return render_template("account/confirm_code.html", title="Enter your code", form=form)


# Signed-in sessions -----------------------------------------------------------------------


@account_bp.get("/sessions")
@login_required
def sessions():
    return render_template("account/sessions.html", title="Where you are signed in",
                           live=live_sessions_of(current_user, now=clock.now(),
                                                 lifetime=current_app.config[
                                                     "PERMANENT_SESSION_LIFETIME"]),
                           confirm=ConfirmForm(formdata=None))


@account_bp.post("/sessions/<int:session_id>/end")
@login_required
def session_end(session_id: int):
    confirmed_action(lambda: end_own_session(current_user, session_id),
                     "That session has ended: it is signed out on its next click.")
    return redirect(url_for("account.sessions"))


# Certifiers -------------------------------------------------------------------------------


def _certifiers_page(form):
    from eoi.notifications.recipients import certifiers_of

    return render_template("account/certifiers.html", title="Your organisation's certifiers",
                           certifiers=certifiers_of(current_user.organisation_id), form=form,
                           confirm=ConfirmForm(formdata=None))


@account_bp.get("/certifiers")
@login_required
def certifiers():
    require(can_name_certifiers(current_user))
    return _certifiers_page(NameCertifierForm(formdata=None))


@account_bp.post("/certifiers")
@login_required
def certifier_name():
    require(can_name_certifiers(current_user))
    form = NameCertifierForm()
    return handle_page_form(
        form, lambda: name_certifier(find_user_by_email(form.email.data or ""),
                                     by=current_user),
        success=lambda person: f"{person.full_name} is now a certifier.",
        next_url=lambda _person: url_for("account.certifiers"),
        page=lambda: _certifiers_page(form))


@account_bp.post("/certifiers/<int:user_id>/remove")
@login_required
def certifier_remove(user_id: int):
    require(can_name_certifiers(current_user))
    confirmed_action(lambda: remove_certifier(db.session.get(User, user_id), by=current_user),
                     lambda person: f"{person.full_name} is no longer a certifier.")
    return redirect(url_for("account.certifiers"))


# Notifications ----------------------------------------------------------------------------


@account_bp.get("/notifications")
@login_required
def notifications():
    """What the service has told the person, newest first; unread ones marked, and read
    once shown."""
    from eoi.notifications import outbox

    page = paginate(outbox.notifications_of(current_user), page_number(request.args))
    unread = {n.id for n in page.rows if n.read_at is None}
    shown = render_template("account/notifications.html", title="Your notifications",
                            page=page, unread=unread)
    # Marked read once the page is made: the commit expires the rows it shows, and reading
    # them again would cost a statement each.
    attempt(lambda: outbox.mark_read(current_user, sorted(unread)))
    return shown


@account_bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings():
    from eoi.forms.notifications import CHOSEN_EVENTS, preferences_form
    from eoi.notifications import outbox
    from eoi.notifications.models import Told

    current = outbox.all_choices_of(current_user)
    form = preferences_form(current, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        chosen = {event.name: Told(getattr(form, event.name).data) for event in CHOSEN_EVENTS}
        outcome = attempt(lambda: outbox.set_preferences(current_user, chosen))
        if outcome.ok:
            flash("Your choices are saved.", "success")
            return redirect(url_for("account.notifications"))
        explain(outcome, form)
    return render_template("account/notification_settings.html",
                           title="How you are told", form=form,
                           fields=[getattr(form, event.name) for event in CHOSEN_EVENTS])
