"""Backup and restore as the README says, round trip: the demo (with an uploaded file) is
backed up, restored into an empty database beside a copy of the upload folder, and a second
app on the copy serves the same pages, downloads and files to the same people.

On PostgreSQL (`scripts/with_postgres.sh` sets EOI_TEST_DATABASE_URL): pg_dump -Fc, then
pg_restore into a new database. On SQLite: the sqlite3 backup API, which `sqlite3 FILE
".backup COPY"` uses.
"""

import io
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import make_url

from eoi import clock, create_app
from eoi.accounts.operations import find_user_by_email
from eoi.consortia.models import Consortium
from eoi.demo.loader import load_demo_data
from eoi.eois import operations as eois
from eoi.eois.models import Eoi
from eoi.extensions import db
from tests.conftest import TEST_NOW, signed_in
from tests.crawling import crawl

# The PostgreSQL client programs that match the server scripts/with_postgres.sh starts.
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name),
             default=Path("/usr/lib/postgresql/15/bin"))

# People whose pages are compared, with how many each (None: all they reach): a partner,
# a lead commissioner (all, to reach the uploaded file), a panel member and a fund
# manager, who sees everything. tests/test_every_page.py reaches every page; this compares
# a sample of them, since a restore either brought the tables back or did not.
PEOPLE = {"partner.stgiles@demo.example": 40, "lead.hammersmith@demo.example": None,
          "panel1@demo.example": 30, "manager@demo.example": 60}

EVIDENCE = b"quarter,young people referred\nQ1,14\nQ2,19\n"


@pytest.fixture
def demo_with_a_file(app):
    with app.app_context():
        load_demo_data(app.config["EOI_DEMO_PASSWORD"])
        lead = find_user_by_email("lead.hammersmith@demo.example")
        draft = db.session.scalar(select(Eoi).join(Consortium).where(
            Consortium.lead_id == lead.id).order_by(Eoi.id.desc()))
        eois.attach_file(draft, "referrals.csv", EVIDENCE, by=lead)
        db.session.commit()


def _pg_url(url: str, database: str | None = None) -> str:
    """A libpq URL (what pg_dump takes) from the SQLAlchemy one."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def back_up_and_restore(database_url: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """The README's steps; returns the restored database's URL and how to remove it."""
    if database_url.startswith("sqlite"):
        backup = folder / "restored.sqlite"
        with sqlite3.connect(make_url(database_url).database) as source, \
                sqlite3.connect(backup) as target:
            source.backup(target)
        return f"sqlite:///{backup}", lambda: None

    dump = folder / "eoi.dump"
    subprocess.run([PG_BIN / "pg_dump", "-Fc", "--dbname", _pg_url(database_url), "-f", dump],
                   check=True, capture_output=True, timeout=120)
    name = f"eoi_restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_url(database_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    restore = subprocess.run([PG_BIN / "pg_restore", "--no-owner", "--no-privileges",
                              "--exit-on-error", "--dbname", _pg_url(database_url, name), dump],
                             capture_output=True, text=True, timeout=120)
    assert restore.returncode == 0, restore.stderr

    def remove() -> None:
        with psycopg.connect(_pg_url(database_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    restored = make_url(database_url).set(database=name)
    return restored.render_as_string(hide_password=False), remove


# What differs between any two answers of one page: the form's CSRF token and the script's
# CSP nonce, both new for each session or request, and the new secret (and its QR code)
# that setting up two-factor sign-in offers each session.
# A form with a prefix (one of several alike on a page) names its token "<prefix>-csrf_token".
_PER_REQUEST = [(re.compile(r'(name="(?:[\w-]+-)?csrf_token"[^>]*value=")[^"]+"'), r'\1"'),
                (re.compile(r'(value=")[^"]+("[^>]*name="(?:[\w-]+-)?csrf_token")'), r'\1\2'),
                (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
                (re.compile(r'(<div class="eoi-qr-code">).*?(</div>)', re.S), r'\1\2'),
                (re.compile(r'(id="secret">)[A-Z2-7 ]+'), r'\1')]


def comparable(kind: str, body: bytes):
    """What an answer says, without what is new each time it is made."""
    if kind == "text/html":
        html = body.decode()
        for pattern, replacement in _PER_REQUEST:
            html = pattern.sub(replacement, html)
        return html
    if kind == "application/pdf":  # the PDF's own creation time and id differ
        return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]
    if kind.endswith("spreadsheetml.sheet"):  # as does the workbook's
        book = load_workbook(io.BytesIO(body))
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                for sheet in book.worksheets}
    return body


@pytest.mark.committed_database  # pg_dump, another process, must see the demo
def test_a_restored_backup_serves_the_same_pages(app, demo_with_a_file, database_url,
                                                 tmp_path):
    restored_url, remove = back_up_and_restore(database_url, tmp_path)
    files = tmp_path / "storage"
    shutil.copytree(app.config["EOI_STORAGE_FOLDER"], files)  # with the database, always
    restored = create_app({"TESTING": True, "SECRET_KEY": "another-key",
                           "SQLALCHEMY_DATABASE_URI": restored_url,
                           "EOI_STORAGE_FOLDER": str(files)})
    try:
        # Stopped, so that both sign each person in at the same instant, and pages that
        # show a time or today's date show the same.
        with clock.set_to(TEST_NOW):
            # The same order on both sides: each sign-in adds an audit entry, the same one.
            downloaded = {"original": set(), "restored": set()}
            differences, pages, files = [], 0, 0
            for email, most in PEOPLE.items():
                original = crawl(signed_in(app, email), keep_answers=True, most=most,
                                 downloaded=downloaded["original"])
                copy = crawl(signed_in(restored, email), keep_answers=True, most=most,
                             downloaded=downloaded["restored"])
                assert copy.visited == original.visited, f"{email} reached other pages"
                for url, (kind, body) in original.answers.items():
                    pages += kind == "text/html"
                    files += url.startswith("/eois/") and "/attachments/" in url
                    if comparable(kind, body) != comparable(*copy.answers[url]):
                        differences.append(f"{email}: {url}")
        assert differences == [], "\n".join(differences)
        assert pages > 120 and files >= 1, (pages, files)
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
        remove()
