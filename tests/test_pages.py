import json

import pytest

from eoi import create_app
from eoi.accounts.models import Role
from tests.conftest import csrf_token, sign_in


def test_home_names_the_service_without_the_crown(client, app_context):
    page = client.get("/").text
    assert "London Co-commissioning Fund" in page
    assert "govuk-header__logotype" not in page and "crown" not in page.lower()
    assert "GDS Transport" not in page
    assert 'href="/accessibility"' in page and 'href="/privacy"' in page
    assert "govuk-phase-banner" in page


@pytest.mark.parametrize("url,heading", [
    ("/accessibility", "Accessibility statement"),
    ("/privacy", "Privacy notice"),
])
def test_footer_pages(client, app_context, url, heading):
    response = client.get(url)
    assert response.status_code == 200 and heading in response.text


def test_healthz_reports_the_database(client, app_context):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app({
        "TESTING": True, "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"
        "?connect_timeout=1",
    })
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.data) == {"status": "error", "database": "error"}


def test_not_found_is_a_govuk_page(client, app_context):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "govuk-heading-l" in response.text


def test_forbidden_is_a_govuk_page(client, make_user):
    sign_in(client, make_user(Role.partner).email)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


def test_server_error_is_a_govuk_page(database_url):
    fresh = create_app({"TESTING": False, "SECRET_KEY": "x",
                        "SQLALCHEMY_DATABASE_URI": database_url})

    @fresh.get("/_boom_for_test")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "Anything you had already saved has been kept" in response.text


def test_security_headers(client, app_context):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text  # the template's one inline script
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def _app_in(env: str, database_url: str, monkeypatch):
    monkeypatch.setenv("EOI_ENV", env)
    monkeypatch.setenv("EOI_SECRET_KEY", "a-production-key")
    monkeypatch.setenv("EOI_DATABASE_URL", database_url)
    monkeypatch.setenv("EOI_ALLOW_SQLITE", "1")  # the SQLite run; PostgreSQL needs none
    monkeypatch.delenv("EOI_NOW", raising=False)
    return create_app()


# A page, an error page, JSON, a static file and a refused POST: every response.
EVERY_KIND_OF_RESPONSE = [("get", "/sign-in"), ("get", "/no-such-page"), ("get", "/healthz"),
                          ("get", "/assets/eoi.css"), ("post", "/sign-in")]


def test_production_tells_browsers_to_use_https_only(database_url, monkeypatch):
    client = _app_in("production", database_url, monkeypatch).test_client()
    for method, url in EVERY_KIND_OF_RESPONSE:
        response = getattr(client, method)(url)
        assert response.headers.get("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains"), f"{method.upper()} {url}"


def test_development_sends_no_hsts(database_url, monkeypatch):
    # It would pin 127.0.0.1 to HTTPS in the developer's browser for a year.
    client = _app_in("development", database_url, monkeypatch).test_client()
    for method, url in EVERY_KIND_OF_RESPONSE:
        response = getattr(client, method)(url)
        assert "Strict-Transport-Security" not in response.headers, f"{method.upper()} {url}"


def test_flash_messages_are_shown_once_and_escaped(client, make_user):
    user = make_user(Role.partner)
    sign_in(client, user.email)
    token = csrf_token(client.get("/account").text)
    page = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=True).text
    assert "You have signed out." in page
    assert "govuk-notification-banner--success" in page
    assert "You have signed out." not in client.get("/sign-in").text
