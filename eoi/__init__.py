"""eoi: the London Co-commissioning Fund service."""

import secrets
from pathlib import Path

from flask import Flask, Request, g
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from eoi import clock, querycount
from eoi.config import load_config
from eoi.extensions import csrf, db, login_manager, migrate
from eoi.inputs import MAX_ID, clean_text
from eoi.storage import storage_for

SERVICE_NAME = "London Co-commissioning Fund"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_url_path="/assets")
    app.request_class = CleanArgsRequest
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    if app.config.get("EOI_NOW"):
        clock.set_now(app.config["EOI_NOW"])
    # Made now, so that storage settings that cannot work stop the start, not a first upload.
    app.extensions["eoi_storage"] = storage_for(app.config)
    if app.config.get("EOI_PROXY_HOPS"):
        # Only when told: anyone can send X-Forwarded-For, and sign-in limits count
        # attempts by the client's address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["EOI_PROXY_HOPS"]
        # Flask's documented way to add middleware; its types call wsgi_app a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    # An id too large for any record is simply not found (SQLite cannot even be asked).
    app.url_map.converters["int"] = BoundedIdConverter
    _configure_templates(app)
    db.init_app(app)
    querycount.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    _configure_login(app)
    _register_blueprints(app)
    _register_commands(app)
    _add_security_headers(app)
    from eoi.pdf import init_app as init_pdf

    init_pdf(app)  # WeasyPrint warmed up off the request, once per process

    from eoi import models  # noqa: F401  (every table known to Alembic and the shell)

    return app


class CleanArgsRequest(Request):
    """Query strings with control characters taken out before any view reads them:
    PostgreSQL refuses a NUL in any text it is asked about, so one in a search box would
    otherwise be a 500 there. (Forms are cleaned by eoi.forms.base.Form.)"""

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict(
            (clean_text(key), clean_text(value))
            for key, value in super().args.items(multi=True))


class BoundedIdConverter(IntegerConverter):
    """`<int:…>` in every route: a whole number no larger than any id can be."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _configure_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("eoi"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from eoi.formatting import register_filters
    from eoi.navigation import navigation_for

    register_filters(app)

    @app.context_processor
    def _layout_context():
        from flask_login import current_user

        return {
            "service_name": SERVICE_NAME,
            "navigation": navigation_for(current_user),
            "csp_nonce": g.get("csp_nonce", ""),
        }


def _configure_login(app: Flask) -> None:
    from flask import request
    from flask_login import current_user

    from eoi.accounts.operations import note_seen, signed_in_user
    from eoi.writes import attempt

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to use this service."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # The cookie carries a server-side session's token, not the account's id: see
    # User.get_session_token and eoi.accounts.models.UserSession.
    login_manager.id_attribute = "get_session_token"

    @login_manager.user_loader
    def load_user(token: str):
        # An ended or expired session, or a deactivated account, is signed out here, on
        # its very next request.
        return signed_in_user(token, now=clock.now(),
                              lifetime=app.config["PERMANENT_SESSION_LIFETIME"])

    @app.before_request
    def _note_the_session_seen():
        # Here, before the view has changed anything, so that this commit holds nothing
        # but the last-seen time.
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        attempt(lambda: note_seen(current_user.current_session, now=clock.now()))

    @app.before_request
    def _two_factor_where_required():
        # A role that must sign in with a second factor does nothing else until it is set up.
        from flask import redirect, url_for

        from eoi.accounts.two_factor import is_required_for

        if (request.endpoint in _WITHOUT_TWO_FACTOR or not current_user.is_authenticated
                or current_user.has_two_factor or not is_required_for(current_user)):
            return None
        return redirect(url_for("account.two_factor_set_up"))


# What a person whose roles need two-factor sign-in may reach before setting it up.
_WITHOUT_TWO_FACTOR = {"static", "account.two_factor_set_up", "auth.sign_out", "pages.healthz",
                       "pages.accessibility", "pages.privacy"}


def _register_blueprints(app: Flask) -> None:
    from eoi.accounts.views import account_bp, auth_bp
    from eoi.admin.views import admin_bp
    from eoi.assessment.views import assessment_bp
    from eoi.audit.views import audit_bp
    from eoi.calendars.views import calendars_bp
    from eoi.consortia.views import consortia_bp
    from eoi.dashboard.views import dashboard_bp
    from eoi.documents.views import documents_bp
    from eoi.eois.views import eois_bp
    from eoi.grants.views import grants_bp
    from eoi.opendata.views import opendata_bp
    from eoi.pages.views import pages_bp, register_error_pages
    from eoi.reports.views import reports_bp
    from eoi.returns.views import returns_bp
    from eoi.rounds.views import rounds_bp
    from eoi.service_map.views import service_map_bp

    for blueprint in (pages_bp, auth_bp, account_bp, dashboard_bp, admin_bp, audit_bp,
                      consortia_bp, service_map_bp, rounds_bp, eois_bp, assessment_bp,
                      grants_bp, returns_bp, reports_bp, opendata_bp, calendars_bp, documents_bp):
        app.register_blueprint(blueprint)
    register_error_pages(app)


def _register_commands(app: Flask) -> None:
    from eoi.accounts.cli import users_cli
    from eoi.demo.cli import demo_cli
    from eoi.documents.cli import documents_cli
    from eoi.opendata.views import export_cli
    from eoi.reference.cli import reference_cli
    from eoi.reminders.cli import init_app as init_reminders

    for group in (users_cli, reference_cli, demo_cli, export_cli, documents_cli):
        app.cli.add_command(group)
    init_reminders(app)


def _add_security_headers(app: Flask) -> None:
    # HSTS only in production, which is served over HTTPS: in development the browser
    # would remember it for 127.0.0.1 and refuse http://127.0.0.1:5000 for a year.
    hsts = app.config["EOI_ENV"] == "production"

    @app.before_request
    def _make_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
