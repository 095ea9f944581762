"""`make serve`, production as a deployment runs it: it refuses to start without PostgreSQL or
a secret key, saying what to set, and on PostgreSQL it migrates, loads the reference data
(never the demo), serves and stops with everything it started."""

import os
import signal
import subprocess
import time
import urllib.request
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from eoi.config import load_config
from tests.test_procfile import ROOT, alive, command_line, descendants, free_port


@pytest.fixture(autouse=True)
def _clean_database():
    """Stands in for the suite-wide fixture: `make serve` runs the service in processes of
    its own, on a database of its own."""
    yield


def _without_settings() -> dict:
    return {name: value for name, value in os.environ.items()
            if not name.startswith(("EOI_", "MAKE", "MFLAGS"))}


def _make_serve(**settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "serve"],
                          env={**_without_settings(), **settings}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("settings,shown", [
    ({}, "now it is unset"),
    ({"EOI_DATABASE_URL": "sqlite:////srv/eoi/eoi.sqlite"}, "now it is not PostgreSQL"),
    ({"EOI_DATABASE_URL": "mysql://eoi:hunter2@db.internal/eoi"}, "now it is not PostgreSQL"),
])
def test_make_serve_refuses_anything_but_postgresql_and_says_what_to_set(settings, shown):
    answer = _make_serve(EOI_SECRET_KEY="k" * 64, **settings)
    assert answer.returncode != 0
    assert "set EOI_DATABASE_URL to its address, e.g. " \
           "EOI_DATABASE_URL=postgresql://eoi@db.internal/eoi" in answer.stderr
    assert shown in answer.stderr and "EOI_ALLOW_SQLITE=1" in answer.stderr
    assert "hunter2" not in answer.stdout + answer.stderr  # a URL's password is never shown
    # Refused before anything was set up, migrated or started.
    assert "flask" not in answer.stdout and "honcho" not in answer.stdout, answer.stdout


def test_make_serve_refuses_to_start_without_a_secret_key():
    answer = _make_serve(EOI_DATABASE_URL="postgresql://eoi@db.internal/eoi")
    assert answer.returncode != 0
    assert "make serve needs EOI_SECRET_KEY set" in answer.stderr
    assert "flask" not in answer.stdout, answer.stdout


def test_a_plain_postgresql_url_is_served_with_psycopg_3(tmp_path):
    config = load_config(tmp_path, environ={"EOI_DATABASE_URL": "postgresql://eoi@db/eoi"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://eoi@db/eoi"


@pytest.fixture
def empty_postgresql(database_url):
    """A new, empty database on the PostgreSQL the suite runs on, as a libpq URL."""
    if not database_url.startswith("postgresql"):
        pytest.skip("make serve runs on PostgreSQL only: this runs in the PostgreSQL run")
    server = make_url(database_url).set(drivername="postgresql")
    name = f"eoi_serve_{uuid.uuid4().hex[:8]}"
    admin_url = server.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_make_serve_migrates_loads_reference_data_serves_in_production_and_stops(
        empty_postgresql, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**_without_settings(), "EOI_DATABASE_URL": empty_postgresql,
           "EOI_SECRET_KEY": "serve-test-" + "k" * 40, "EOI_BIND": f"127.0.0.1:{port}",
           "EOI_WEB_WORKERS": "1", "EOI_STORAGE_FOLDER": str(tmp_path / "storage"),
           "EOI_OUTBOX_FOLDER": str(tmp_path / "outbox")}
    with log.open("w") as out:
        # -o setup: the tree is set up already (and rebuilding the assets would pull them
        # from under tests running beside this one).
        make = subprocess.Popen(["make", "--no-print-directory", "-o", "setup", "serve"],
                                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    group: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not (_healthy(port) and "Reminder scheduler started" in log.read_text()):
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        group = descendants(make.pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            # Production: browsers are told to come back over HTTPS only.
            assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]
        with psycopg.connect(empty_postgresql) as database:
            def count(table: str) -> int:
                return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

            assert count("alembic_version") == 1  # migrated, not made by create_all
            assert count("local_authorities") == 33  # the reference data
            assert count("users") == 0 and count("consortia") == 0  # and never the demo
        os.killpg(make.pid, signal.SIGTERM)  # as a process manager stops it
        make.wait(timeout=30)
        time.sleep(1)
        assert [command_line(pid) for pid in group if alive(pid)] == [], log.read_text()
        assert "Shutting down: Master" in log.read_text()
    finally:
        for pid in [make.pid, *group]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        make.wait(timeout=10)
