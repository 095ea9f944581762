"""Public pages, the health check and the error pages."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text

from eoi.extensions import db

pages_bp = Blueprint("pages", __name__)


@pages_bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render_template("pages/home.html", title="Home")


@pages_bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html", title="Accessibility statement")


@pages_bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html", title="Privacy notice")


@pages_bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is the answer, not a crash
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


def _error_page(status: int, title: str):
    def handler(error):
        if status == 500:
            # The failed request may have left the session unusable, and the page's
            # navigation reads the database: start again from a clean one.
            db.session.rollback()
        return render_template(f"errors/{status}.html", title=title, error=error), status

    return handler


def register_error_pages(app) -> None:
    app.register_error_handler(403, _error_page(403, "You do not have access to this page"))
    app.register_error_handler(404, _error_page(404, "Page not found"))
    app.register_error_handler(405, _error_page(405, "This action is not available here"))
    app.register_error_handler(413, _error_page(413, "The file is too large"))
    app.register_error_handler(500, _error_page(500, "Sorry, there is a problem with the service"))

    from eoi import writes

    writes.register_error_pages(app)

    from eoi.reports.published import BeingPrepared, NotPublishable

    @app.errorhandler(BeingPrepared)
    def being_prepared(error):
        return render_template(
            "errors/500.html", title="These figures are being prepared",
            explanation="Figures about young people are checked across every grant's "
            "returns before they are shown. This takes a few minutes after a return is "
            "accepted."), 503

    @app.errorhandler(NotPublishable)
    def not_publishable(error):
        # The disclosure audit did not pass: these figures about young people are not
        # served at all, rather than served unprotected.
        return render_template(
            "errors/500.html", title="These figures cannot be shown at the moment"), 503

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "errors/csrf.html", title="Your form could not be sent", error=error
        ), 400
