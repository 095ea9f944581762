"""Fixtures: one app, schema and reference data per run, and every test rolled back.

The suite runs on SQLite by default and on PostgreSQL when EOI_TEST_DATABASE_URL
is set (`make test` does both). Under pytest-xdist (`-n 2`) each worker has a database
of its own: a SQLite file in its own temporary folder, or a PostgreSQL database made
from EOI_TEST_DATABASE_URL for the worker and dropped after it.

Isolation. The schema and the reference data (`load_reference_data`) are made once per
worker and committed. Then, by default, each test runs inside a transaction on one
connection that is rolled back after it: db.session (every session the test's app
contexts open) joins that transaction through a savepoint, so the code under test
commits and rolls back as it always does, and nothing it does outlives the test.

A test whose data must be seen by another thread, another process or another connection
cannot work inside a transaction nobody else sees. Mark it
`@pytest.mark.committed_database` (tests that use the browser's `live_server` are so
without saying): it commits for real, and after it every table is emptied and the
reference data loaded again.
"""

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url

from eoi import clock, create_app
from eoi.accounts.models import Role, User
from eoi.accounts.operations import create_user
from eoi.accounts.passwords import use_cheap_parameters_for_tests
from eoi.consortia import operations as consortia
from eoi.consortia.models import PledgeKind, PledgeStatus
from eoi.eois import operations
from eoi.eois.models import CostCategory
from eoi.eois.sections import SECTIONS
from eoi.extensions import db
from eoi.reference.loader import load_reference_data
from eoi.reference.models import LocalAuthority, Organisation, OrganisationType
from eoi.rounds import operations as rounds
from eoi.rounds.models import RoundStatus

PASSWORD = "correct horse battery"

# Every test starts with the service clock at this instant, running on from it, so no test
# depends on the day it runs. EOI_TEST_NOW runs the suite as of another day (an ISO datetime
# with its offset), e.g. EOI_TEST_NOW=2028-02-29T23:30+00:00.
TEST_NOW = datetime.fromisoformat(os.environ.get("EOI_TEST_NOW") or "2026-11-24T10:00+00:00")


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run, only the tests that touch a database: the rest (pure
    calculation, process management, the guard's patterns) answer the same on any database,
    and have already run on SQLite. So do the tests marked one_database: the browser
    journeys, whose every view and operation the route tests also drive on PostgreSQL
    (each demo person's dashboard still runs in the browser on both), and the demo loaded
    on a dozen dates. That keeps `make test` under 10 minutes on two cores."""
    if not os.environ.get("EOI_TEST_DATABASE_URL"):
        return
    once = [item for item in items
            if "database_url" not in getattr(item, "fixturenames", ())
            or item.get_closest_marker("one_database")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in once]


def pytest_report_header(config):
    url = os.environ.get("EOI_TEST_DATABASE_URL")
    return [f"database: {'PostgreSQL' if url else 'SQLite'}",
            f"service clock starts each test at {TEST_NOW.isoformat()}"]


@pytest.fixture(autouse=True)
def _service_clock() -> Iterator[None]:
    clock.set_now(TEST_NOW)
    yield
    clock.set_now(TEST_NOW)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    server_url = os.environ.get("EOI_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest-xdist
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    elif worker is None:
        yield server_url
    else:
        yield from _database_of_its_own(make_url(server_url), worker)


def _database_of_its_own(server_url, worker: str) -> Iterator[str]:
    """A PostgreSQL database for one xdist worker, beside EOI_TEST_DATABASE_URL's, dropped
    after the worker's last test (and first, should an interrupted run have left it)."""
    name = f"{server_url.database}_{worker}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        with admin.connect() as connection:
            connection.execute(drop)
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["EOI_ENV"] = "test"
    use_cheap_parameters_for_tests()
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": None,
            "EOI_STORAGE_FOLDER": str(tmp_path_factory.mktemp("storage")),
        }
    )
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_the_last_request)
    with app.app_context():
        db.drop_all()
        db.create_all()  # tests only: the real schema comes from migrations
        _load_reference_data()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _forget_the_last_request() -> None:
    """A test keeps one app context open across its requests, so that it and the views share
    db.session; Flask would then share `g` as well, and with it Flask-Login's signed-in
    person and Flask-WTF's CSRF token, from one request (and one test client) to the next.
    In production every request has an app context of its own: here too, each request starts
    with an empty `g`, so the person is looked up from the request's own cookie."""
    from flask import g

    for name in list(vars(g)):
        delattr(g, name)


def _load_reference_data() -> None:
    """The committed reference data every test starts from, loaded as at the test instant."""
    with clock.set_to(TEST_NOW, ticking=True):
        load_reference_data()
        db.session.commit()


def _delete_every_row() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))


def _commits_for_real(request) -> bool:
    return (request.node.get_closest_marker("committed_database") is not None
            or "live_server" in request.fixturenames)


@pytest.fixture(autouse=True)
def _clean_database(request, app) -> Iterator[None]:
    """Each test leaves the database as it found it: the reference data and nothing else.
    (Folders whose tests touch no database override this fixture with one that does nothing.)"""
    if not _commits_for_real(request):
        with _rolled_back_transaction(app):
            yield
        return
    yield
    with app.app_context():
        db.session.rollback()
        _delete_every_row()
        db.session.commit()
        _load_reference_data()
        db.session.remove()


class _SessionInTestTransaction(FlaskSession):
    """db.session during a rolled-back test: the test app's sessions all run on the test's
    connection, inside its transaction (a savepoint each: join_transaction_mode), and only
    in the test's own thread, since one connection cannot serve two threads at once."""

    app = None
    thread: int | None = None

    def __init__(self, *args, **kwargs):
        if self._for_the_test_app() and threading.get_ident() != self.thread:
            raise RuntimeError(
                "another thread opened a database session during a test that runs inside a "
                "rolled-back transaction, which only the test's own thread can use: mark the "
                "test @pytest.mark.committed_database (see tests/conftest.py)")
        super().__init__(*args, **kwargs)

    def _for_the_test_app(self) -> bool:
        return bool(current_app) and current_app._get_current_object() is self.app

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self._for_the_test_app():
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def _rolled_back_transaction(app) -> Iterator[None]:
    """Everything inside happens in one transaction on one connection, rolled back after
    (SQLAlchemy: "Joining a Session into an External Transaction")."""
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    driver_connection = connection.connection.dbapi_connection
    if sqlite:
        # pysqlite's legacy transaction control begins a transaction only before INSERT,
        # UPDATE or DELETE, and never before SAVEPOINT, so savepoints would not nest in the
        # outer transaction. On this connection only, the driver stays out of it and the
        # BEGIN is ours (SQLAlchemy's pysqlite notes: "Serializable isolation / Savepoints /
        # Transactional DDL"); other connections, as the app makes them, keep the default.
        driver_connection.isolation_level = None
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    factory = db.session.session_factory
    saved_class, saved_options = factory.class_, dict(factory.kw)
    _SessionInTestTransaction.app, _SessionInTestTransaction.thread = app, threading.get_ident()
    factory.class_ = _SessionInTestTransaction
    factory.kw.update(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        factory.class_ = saved_class
        factory.kw.clear()
        factory.kw.update(saved_options)
        _SessionInTestTransaction.app = _SessionInTestTransaction.thread = None
        transaction.rollback()
        if sqlite:
            driver_connection.isolation_level = ""  # pysqlite's default, for the pool
        connection.close()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def reference(app_context):
    """London reference data and MOPAC: loaded once before the tests; this makes sure."""
    load_reference_data()
    db.session.commit()


@pytest.fixture
def empty_database(app_context):
    """Not a row in any table, not even the reference data, for this test only (its
    transaction is rolled back after it, like any other's)."""
    _delete_every_row()
    db.session.commit()


@pytest.fixture
def make_user(reference):
    """Factory: make_user(Role.commissioner, borough="Greenwich") -> committed User."""
    counter = iter(range(1, 10_000))

    def factory(*roles: Role, borough: str | None = None, organisation: str | None = None,
                email: str | None = None, name: str | None = None,
                active: bool = True) -> User:
        n = next(counter)
        org = _organisation_for(roles, borough, organisation)
        user = create_user(
            email=email or f"person{n}@example.org.uk",
            full_name=name or f"Person {n}",
            organisation=org,
            roles=set(roles),
            password=PASSWORD,
            by=None,
        )
        user.is_active = active
        db.session.commit()
        return user

    return factory


def _organisation_for(roles, borough, organisation) -> Organisation:
    if borough:
        return db.session.scalar(
            db.select(LocalAuthority).where(LocalAuthority.name == borough)
        ).organisation
    if organisation is None:
        organisation = "St Giles Trust" if Role.partner in roles else None
    if organisation:
        org = db.session.scalar(db.select(Organisation).where(Organisation.name == organisation))
        if org is None:
            org = Organisation(name=organisation, type=OrganisationType.vcs)
            db.session.add(org)
        return org
    return db.session.scalar(
        db.select(Organisation).where(Organisation.type == OrganisationType.mopac)
    )


ROLE_BOROUGH = {Role.commissioner: "Greenwich"}
# A certifier is one of an organisation's own people: a charity's finance officer.
ROLE_ORGANISATION = {Role.certifier: "Safer London"}


@pytest.fixture
def users_by_role(make_user) -> dict[str, User | None]:
    """One user per role, plus None for anonymous."""
    people = {"anonymous": None}
    for role in Role:
        people[role.value] = make_user(role, borough=ROLE_BOROUGH.get(role),
                                       organisation=ROLE_ORGANISATION.get(role),
                                       email=f"{role.value}@example.org.uk")
    return people


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


def sign_out(client):
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/account").text)})


def post_form(client, url: str, data: dict, *, follow_redirects: bool = False):
    """POST as a browser would: fetch the page for its CSRF token first."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} gave {page.status_code}"
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)},
                       follow_redirects=follow_redirects)


def ask_route(app, client, endpoint: str, method: str, args: dict, *, signed_in: bool,
              form: dict | None = None) -> tuple[str, int]:
    """Request `endpoint` as the signed-in client (or anonymously) would, with a valid CSRF
    token for a POST; return the URL asked and the status answered."""
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **{arg: args[arg] for arg in rule.arguments})
    if method == "GET":
        return url, client.get(url).status_code
    token = csrf_token(client.get("/account" if signed_in else "/sign-in").text)
    return url, client.post(url, data={"csrf_token": token, **(form or {})}).status_code


# A consortium with a draft EOI in an open round --------------------------------------------

def borough(name: str) -> LocalAuthority:
    return db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == name))


def mopac() -> Organisation:
    return db.session.scalar(select(Organisation).where(
        Organisation.type == OrganisationType.mopac))


@pytest.fixture
def world(make_user):
    people = {
        "lead": make_user(Role.commissioner, borough="Greenwich"),
        "member": make_user(Role.commissioner, borough="Bexley"),
        "outsider": make_user(Role.commissioner, borough="Lewisham"),
        "manager": make_user(Role.fund_manager),
        "panel": make_user(Role.panel_member),
        "partner": make_user(Role.partner, organisation="St Giles Trust"),
        "finance": make_user(Role.finance),
    }
    consortium = consortia.create_consortium(name="SE", purpose="x", by=people["lead"])
    membership = consortia.invite_borough(consortium, borough("Bexley"), by=people["lead"])
    consortia.respond_to_invitation(membership, accept=True, by=people["member"])
    pledge = consortia.record_pledge(consortium, funder=people["member"].organisation,
                                     financial_year=2026, amount_pence=50_000_00,
                                     kind=PledgeKind.cash, by=people["member"])
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=people["member"])
    now = clock.now()
    funding_round = rounds.create_round(values={
        "title": "Round", "envelope_pence": 1_000_000_00, "first_financial_year": 2026,
        "last_financial_year": 2026, "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10), "guidance": "", "min_member_boroughs": 2,
        "min_match_percent": 25}, by=people["manager"])
    funding_round.status = RoundStatus.open
    eoi = operations.start_eoi(consortium, funding_round, by=people["member"])
    db.session.commit()
    return people, eoi


def complete_everything(eoi, by, *, with_budget: bool = True):
    """Answer every section of the `world` EOI (round years 2026 only) and mark it complete;
    with_budget adds MOPAC's £150,000 and Bexley's £50,000."""
    if with_budget:
        operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.staff,
                                   funder=mopac(), amount_pence=150_000_00, by=by)
        operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.delivery,
                                   funder=borough("Bexley").organisation,
                                   amount_pence=50_000_00, by=by)
    for spec in SECTIONS:
        if spec.key == "priorities":
            content = {"priority_ids": [p.id for p in eoi.funding_round.priorities], "how": "x"}
        elif spec.key == "outcomes":
            indicator = eoi.funding_round.indicators[0]
            content = {"indicators": {str(indicator.id): {"baseline": 10,
                                                          "targets": {"2026": 40}}}}
        elif spec.key == "budget":
            content = {"notes": ""}
        else:
            content = {q.name: "An answer" for q in spec.questions}
        operations.save_section(eoi, spec.key, content, mark_complete=True, by=by,
                                expected_version=None)




def fund(people: dict, eoi, *, award_pence: int = 120_000_00):
    """Take the `world` EOI through submission, one panel member's scores and a published
    decision to fund it, with St Giles Trust as its lead provider; return the decision."""
    from eoi.assessment import operations as panel
    from eoi.assessment.models import AssessmentStatus, DecisionOutcome
    from eoi.consortia.models import PartnerRole

    lead, manager = people["lead"], people["manager"]
    consortia.add_partner(eoi.consortium, db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust")), PartnerRole.lead_provider, by=lead)
    complete_everything(eoi, people["member"])
    now = clock.now()
    operations.submit_eoi(eoi, by=lead, now=now)
    funding_round = eoi.funding_round
    rounds.change_round_status(funding_round, RoundStatus.closed, by=manager, now=now)
    panel.add_panel_member(funding_round, people["panel"], by=manager)
    assessment = panel.assign(eoi, people["panel"], by=manager, now=now)
    if assessment.status is AssessmentStatus.awaiting_declaration:
        panel.declare(assessment, has_interest=False, details="", by=people["panel"], now=now)
    panel.save_scores(assessment, {c.id: (3, "Good.") for c in funding_round.criteria},
                      submit=True, by=people["panel"], now=now, expected_version=None)
    rounds.change_round_status(funding_round, RoundStatus.assessed, by=manager, now=now)
    decision = panel.record_decision(eoi, outcome=DecisionOutcome.fund,
                                     amount_pence=award_pence, conditions="", feedback="",
                                     by=manager)
    rounds.change_round_status(funding_round, RoundStatus.decided, by=manager, now=now)
    db.session.commit()
    return decision


@pytest.fixture
def granted(world):
    """The `world` EOI funded and made a grant from 1 April 2026: St Giles Trust delivers,
    and four quarterly returns are due (2026 to 2027)."""
    from eoi.grants import operations as grants

    people, eoi = world
    decision = fund(people, eoi)
    grant = grants.create_grant(decision, by=people["manager"])
    accept(grant, people["lead"])
    db.session.commit()
    return people, grant


def accept(grant, lead):
    """The lead accepts the offer, as it stands, for the consortium."""
    from eoi.grants import operations as grants

    grants.accept_offer(grant, name=lead.full_name, role="Lead commissioner", by=lead,
                        now=clock.now(), expected_version=grant.version)


def complete_figures(grant, *, new: int = 7, continuing: int = 3):
    """Figures for one quarter that pass every rule: 10 young people by default, two of
    them living in Bexley and supported in Greenwich."""
    from eoi.returns.figures import Cohorts, ReturnFigures

    greenwich, bexley = borough("Greenwich").gss_code, borough("Bexley").gss_code
    total = Cohorts(new, continuing)
    return ReturnFigures(
        supported=total,
        breakdowns={
            "gender": {"female": Cohorts(new - 1, continuing), "male": Cohorts(1, 0)},
            "age_band": {"13_15": Cohorts(new, 0), "16_17": Cohorts(0, continuing)},
            "disability": {"not_disabled": total},
        },
        boroughs={(greenwich, greenwich): Cohorts(new - 2, continuing),
                  (bexley, greenwich): Cohorts(2, 0)},
        indicators={str(gi.indicator_id): 12 for gi in grant.indicators},
        spend={"staff": 20_000_00, "delivery": 5_000_50},
        narrative={"progress": "Workers started in six schools.",
                   "challenges": "Referrals were slow in the summer holidays.",
                   "risks": "One worker may leave in the spring.",
                   "case_study": "A girl in Year 10 was referred by her school and now "
                                 "attends group work every week."},
    )


@pytest.fixture
def demo(app):
    """The demo data, for tests that ask pages as its people. Loaded in an app context of its
    own: requests made inside a held context would share its `g`, and with it the signed-in
    user of the previous person."""
    from eoi.demo.loader import load_demo_data

    with app.app_context():
        load_demo_data(app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()


def signed_in(app, email: str):
    """A test client signed in as a demo person."""
    client = app.test_client()
    page = client.get("/sign-in")
    answer = client.post("/sign-in", data={"email": email,
                                           "password": app.config["EOI_DEMO_PASSWORD"],
                                           "csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/dashboard", (
        f"{email} could not sign in")
    return client


def claim_through(grant, payment, people, *, until=None):
    """St Giles Trust claims `payment` (as scheduled, with a little staff spend); the fund
    manager checks it; finance approves it and records it paid. `until` (a ClaimStatus)
    stops at that step. Returns the claim."""
    from eoi.eois.models import CostCategory
    from eoi.grants import claims

    now = clock.now()
    claim = claims.send_claim(grant, payment=payment, amount_pence=None,
                              spend_to=clock.today(), spend={CostCategory.staff: 1_000_00},
                              notes="Invoices with the fund team", by=people["partner"],
                              now=now)
    steps = [lambda: claims.check_claim(claim, by=people["manager"], now=now),
             lambda: claims.approve_claim(claim, by=people["finance"], now=now),
             lambda: claims.record_claim_paid(claim, by=people["finance"], now=now)]
    for step in steps:
        if claim.status is until:
            break
        step()
    return claim
