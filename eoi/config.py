"""Configuration from the environment.

EOI_ENV            development (default), production or test
EOI_DATABASE_URL   SQLAlchemy URL, e.g. postgresql://eoi@db.internal/eoi (psycopg 3 is used
                   whether or not it says postgresql+psycopg://); default: SQLite file
                   instance/eoi.sqlite
EOI_SECRET_KEY     session signing key; default: generated once into instance/secret_key
EOI_ALLOW_SQLITE   set to 1 to let production run on SQLite (a single small office, say)
EOI_STORAGE        where files the service keeps live (eoi.storage: keys uploads/... and
                   documents/...): folder (default) or s3
EOI_STORAGE_FOLDER with folder storage, the folder holding uploads/ and documents/ (never under
                   static); default: the instance folder
EOI_S3_BUCKET      with s3 storage, the bucket (required)
EOI_S3_PREFIX      with s3 storage, a prefix for every key, e.g. eoi/; default: none
EOI_S3_ENDPOINT_URL  with s3 storage, an S3-compatible service's address; default: AWS. Region
                   and credentials come from AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID and
                   AWS_SECRET_ACCESS_KEY (or a profile or an instance role), as boto3 reads them
EOI_BASE_URL       the service's address, for links in emails and calendar feeds;
                   default: http://127.0.0.1:5000
EOI_REQUIRE_2FA    roles that must sign in with an authenticator app, comma-separated (such as
                   fund_manager,panel_member), or none; default: those two in production, none
                   elsewhere
EOI_MAIL_FROM      sender of emails; default: Co-commissioning fund <no-reply@eoi.invalid>
EOI_SMTP_HOST      mail server; unset: emails are written to EOI_OUTBOX_FOLDER instead
EOI_SMTP_PORT      mail server port; default: 587
EOI_SMTP_STARTTLS  set to 0 to send without STARTTLS (a local relay); default: STARTTLS on
EOI_SMTP_USERNAME  mail server login, used with EOI_SMTP_PASSWORD; default: no login
EOI_SMTP_PASSWORD
EOI_NOTIFY_API_KEY GOV.UK Notify's API key: emails go through Notify instead of SMTP
EOI_NOTIFY_TEMPLATE_ID  with Notify, an email template with subject ((subject)) and message
                   ((body))
EOI_NOTIFY_BASE_URL  with Notify, its address; default: https://api.notifications.service.gov.uk
EOI_OIDC_ISSUER    single sign-on: an OpenID Connect provider's issuer, such as
                   https://login.microsoftonline.com/TENANT/v2.0; unset: passwords only
EOI_OIDC_CLIENT_ID, EOI_OIDC_CLIENT_SECRET  the service as registered with that provider
EOI_OIDC_NAME      what the sign-in button calls it, such as "your Microsoft account"
EOI_OUTBOX_FOLDER  where emails go as .eml files without a mail server; default: instance/outbox
EOI_360G_PREFIX    MOPAC's registered 360Giving prefix for grant ids; default: 360G-mopac-
EOI_PROXY_HOPS     how many proxies in front of the service set X-Forwarded-For and
                   X-Forwarded-Proto, to be believed; default: 0, the headers are ignored
                   and the client is the address the connection comes from
EOI_NOW            outside production only: run the service clock from this moment (an ISO
                   date or datetime), to show or test the service as of another day
EOI_QUERY_COUNT_HEADER  outside production only: 1 sends each response's count of SQL
                   statements in an X-Query-Count header (eoi.querycount), for measuring
"""

import os
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

ENVIRONMENTS = ("development", "production", "test")


class ConfigurationError(RuntimeError):
    """The environment asks for something the service must not run with."""


def _instance_secret_key(instance_path: Path) -> str:
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance_path: Path, environ=os.environ) -> dict:
    env = environ.get("EOI_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"EOI_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"

    database_url = environ.get("EOI_DATABASE_URL") or f"sqlite:///{instance_path / 'eoi.sqlite'}"
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver installed; SQLAlchemy would reach for psycopg2.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if production and database_url.startswith("sqlite") and environ.get("EOI_ALLOW_SQLITE") != "1":
        raise ConfigurationError(
            "Production needs EOI_DATABASE_URL set to PostgreSQL "
            "(or EOI_ALLOW_SQLITE=1 to run on SQLite on purpose)."
        )

    secret_key = environ.get("EOI_SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError("Production needs EOI_SECRET_KEY set.")
        secret_key = _instance_secret_key(instance_path)

    from eoi.opendata.threesixty import check_prefix

    try:
        check_prefix(environ.get("EOI_360G_PREFIX") or "360G-mopac-")
    except ValueError as wrong:
        raise ConfigurationError(f"EOI_360G_PREFIX: {wrong}.") from None
    start_clock_at = None
    if environ.get("EOI_NOW"):
        if production:
            raise ConfigurationError("EOI_NOW cannot be set in production.")
        start_clock_at = _instant(environ["EOI_NOW"])
    try:
        smtp_port = int(environ.get("EOI_SMTP_PORT") or 587)
    except ValueError:
        raise ConfigurationError("EOI_SMTP_PORT must be a port number.") from None
    if environ.get("EOI_UPLOAD_FOLDER"):
        # Its files would silently be looked for elsewhere: say what to do instead.
        raise ConfigurationError(
            "EOI_UPLOAD_FOLDER is replaced by EOI_STORAGE_FOLDER, the folder that holds "
            "uploads/: move or rename your upload folder to uploads/ inside it, set "
            "EOI_STORAGE_FOLDER and unset EOI_UPLOAD_FOLDER.")
    storage = environ.get("EOI_STORAGE") or "folder"
    if storage not in ("folder", "s3"):
        raise ConfigurationError(f"EOI_STORAGE must be folder or s3, not {storage!r}.")
    if storage == "s3" and not environ.get("EOI_S3_BUCKET"):
        raise ConfigurationError(
            "EOI_STORAGE=s3 needs EOI_S3_BUCKET set to the bucket that keeps the files "
            "(and EOI_S3_ENDPOINT_URL for a service other than AWS).")
    count_queries = environ.get("EOI_QUERY_COUNT_HEADER") == "1"
    if count_queries and production:
        raise ConfigurationError("EOI_QUERY_COUNT_HEADER is for measuring, not production.")
    proxy_hops = environ.get("EOI_PROXY_HOPS") or "0"
    if not proxy_hops.isdigit():
        raise ConfigurationError("EOI_PROXY_HOPS must be a number of proxies, such as 1.")
    notify_key = environ.get("EOI_NOTIFY_API_KEY") or None
    if notify_key and not environ.get("EOI_NOTIFY_TEMPLATE_ID"):
        raise ConfigurationError(
            "EOI_NOTIFY_API_KEY needs EOI_NOTIFY_TEMPLATE_ID: the id of a Notify email "
            "template whose subject is ((subject)) and whose message is ((body)).")
    if environ.get("EOI_OIDC_ISSUER") and not (environ.get("EOI_OIDC_CLIENT_ID")
                                                and environ.get("EOI_OIDC_CLIENT_SECRET")):
        raise ConfigurationError("EOI_OIDC_ISSUER needs EOI_OIDC_CLIENT_ID and "
                                 "EOI_OIDC_CLIENT_SECRET, as registered with the provider.")
    from eoi.accounts.two_factor import parse_required_roles

    try:
        require_2fa = parse_required_roles(environ.get("EOI_REQUIRE_2FA"), production)
    except ValueError as wrong:
        raise ConfigurationError(f"EOI_REQUIRE_2FA: {wrong}.") from None

    return {
        "EOI_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead: long forms take time
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "EOI_DEMO_PASSWORD": environ.get("EOI_DEMO_PASSWORD", "demo-pass-2026"),
        "EOI_REQUIRE_2FA": require_2fa,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "EOI_STORAGE": storage,
        "EOI_STORAGE_FOLDER": environ.get("EOI_STORAGE_FOLDER") or str(instance_path),
        "EOI_S3_BUCKET": environ.get("EOI_S3_BUCKET") or None,
        "EOI_S3_PREFIX": environ.get("EOI_S3_PREFIX") or "",
        "EOI_S3_ENDPOINT_URL": environ.get("EOI_S3_ENDPOINT_URL") or None,
        "EOI_BASE_URL": (environ.get("EOI_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "EOI_MAIL_FROM": environ.get("EOI_MAIL_FROM")
        or "Co-commissioning fund <no-reply@eoi.invalid>",
        "EOI_SMTP_HOST": environ.get("EOI_SMTP_HOST") or None,
        "EOI_SMTP_PORT": smtp_port,
        "EOI_SMTP_STARTTLS": environ.get("EOI_SMTP_STARTTLS") != "0",
        "EOI_SMTP_USERNAME": environ.get("EOI_SMTP_USERNAME") or None,
        "EOI_SMTP_PASSWORD": environ.get("EOI_SMTP_PASSWORD") or None,
        "EOI_OUTBOX_FOLDER": environ.get("EOI_OUTBOX_FOLDER") or str(instance_path / "outbox"),
        "EOI_NOTIFY_API_KEY": notify_key,
        "EOI_OIDC_ISSUER": environ.get("EOI_OIDC_ISSUER") or None,
        "EOI_OIDC_CLIENT_ID": environ.get("EOI_OIDC_CLIENT_ID") or None,
        "EOI_OIDC_CLIENT_SECRET": environ.get("EOI_OIDC_CLIENT_SECRET") or None,
        "EOI_OIDC_NAME": environ.get("EOI_OIDC_NAME") or "your organisation's account",
        "EOI_NOTIFY_TEMPLATE_ID": environ.get("EOI_NOTIFY_TEMPLATE_ID") or None,
        "EOI_NOTIFY_BASE_URL": environ.get("EOI_NOTIFY_BASE_URL")
        or "https://api.notifications.service.gov.uk",
        "EOI_360G_PREFIX": environ.get("EOI_360G_PREFIX") or "360G-mopac-",
        "EOI_PROXY_HOPS": int(proxy_hops),
        "EOI_NOW": start_clock_at,
        "EOI_QUERY_COUNT_HEADER": count_queries,
    }


def _instant(text: str) -> datetime:
    """An ISO date (midday in London) or datetime (London time unless it gives an offset)."""
    from eoi.clock import LONDON, london_midday

    try:
        if len(text) == 10:
            return london_midday(date.fromisoformat(text))
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"EOI_NOW must be an ISO date or datetime, not {text!r}.") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=LONDON)
