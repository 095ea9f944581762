"""How the suite keeps tests apart (tests/conftest.py): each test inside a transaction that
is rolled back after it, on the reference data loaded once; or, marked committed_database,
committing for real with every table emptied after it."""

import threading

import pytest
from sqlalchemy import func, select

from eoi.accounts.models import Role, User
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    Outcome,
    Priority,
)

REFERENCE_TABLES = {model.__table__.name for model in (
    LocalAuthority, BasicCommandUnit, Organisation, Priority, Outcome, Indicator, AuditEntry)}


def rows_outside_the_reference_data() -> dict[str, int]:
    counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
              for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES}
    return {name: count for name, count in counts.items() if count}


def test_every_test_starts_from_the_reference_data_alone(app_context):
    assert db.session.scalar(select(func.count(LocalAuthority.id))) == 33
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 1  # reference.loaded
    assert rows_outside_the_reference_data() == {}


def test_what_a_test_commits_no_other_connection_sees(app_context, make_user):
    user = make_user(Role.fund_manager, email="kept.inside@example.org.uk")
    assert db.session.get(User, user.id) is not None
    with db.engine.connect() as other:
        assert other.scalar(select(func.count(User.id))) == 0
        assert other.scalar(select(func.count(LocalAuthority.id))) == 33


def test_a_rollback_in_the_code_under_test_keeps_what_was_committed_before(app_context,
                                                                         make_user):
    user = make_user(Role.fund_manager, name="Before")
    user.full_name = "After"
    db.session.flush()
    db.session.rollback()
    assert db.session.get(User, user.id).full_name == "Before"
    db.session.remove()  # as the end of a request does: a new session, same transaction
    assert db.session.get(User, user.id).full_name == "Before"


def test_the_empty_database_fixture_holds_no_rows_at_all(empty_database):
    assert db.session.scalar(select(func.count(LocalAuthority.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_another_thread_is_told_to_mark_the_test(app):
    errors = []

    def run():
        with app.app_context():
            try:
                db.session.scalar(select(func.count(User.id)))
            except RuntimeError as error:
                errors.append(str(error))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert len(errors) == 1 and "@pytest.mark.committed_database" in errors[0]


@pytest.mark.committed_database
def test_a_committed_database_test_commits_for_real(app, make_user):
    make_user(Role.fund_manager, email="seen.elsewhere@example.org.uk")
    seen = []

    def run():
        with app.app_context():
            seen.append(db.session.scalar(select(User.email)))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert seen == ["seen.elsewhere@example.org.uk"]


def test_and_after_it_the_tables_hold_the_reference_data_alone_again(app_context):
    test_every_test_starts_from_the_reference_data_alone(app_context)
