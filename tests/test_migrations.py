"""The schema comes from migrations: an empty database upgrades, and the models agree."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from eoi import create_app
from eoi.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"eoi_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_an_empty_database_matches_the_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        assert drift == [], f"models and migrations disagree: {drift}"
        assert {"users", "local_authorities", "audit_entries"} <= tables

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_what_older_grants_lacked_is_made_from_what_they_had(empty_database_url):
    """Down to before grants held a budget by category and offers their questions, then up
    again: each demo grant gets back the lines create_grant gave it, from its funding and its
    EOI's budget, and each question asked comes back from the audit trail."""
    from eoi.demo.loader import load_demo_data
    from eoi.grants.models import GrantBudgetLine

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        load_demo_data("demo-pass-2026")
        db.session.commit()

        def lines():
            return sorted(tuple(row) for row in db.session.execute(text(
                "SELECT grant_id, financial_year, category, amount_pence "
                "FROM grant_budget_lines")).all())

        def questions():
            return sorted(tuple(row) for row in db.session.execute(text(
                "SELECT grant_id, question, asked_by_id, answer FROM offer_questions")).all())

        made = lines()
        assert made and db.session.query(GrantBudgetLine).count() == len(made)
        asked = questions()
        assert len(asked) == 1  # the demo's offer
        db.session.remove()
        downgrade(revision="5b0c9ea24091")
        upgrade()
        assert lines() == made
        assert questions() == asked  # from the audit trail, where they were kept before
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
