"""The fund at scale (eoi.demo.scale): grow_demo gives the counts it promises, keeps the
rules the models and the database hold, and the demo's pages still answer on it; the CLI
loads it into an empty database only; and the opt-in X-Query-Count header counts a
request's statements."""

import pytest
from sqlalchemy import func, select

from eoi import clock, create_app
from eoi.assessment.models import Decision
from eoi.config import ConfigurationError, load_config
from eoi.demo.loader import load_demo_data
from eoi.demo.scale import Volumes, counted_volumes, grow_demo
from eoi.eois.models import BudgetLine, Eoi
from eoi.extensions import db
from eoi.grants.models import Grant, PaymentStatus
from eoi.grants.periods import quarters_between
from eoi.reference.models import OrganisationType
from eoi.returns.models import QuarterlyReturn
from eoi.rounds.models import FundingRound
from tests.conftest import signed_in
from tests.queries import counted_statements

PAGES = [  # (who, page) on the grown demo
    ("manager@demo.example", "/dashboard"),
    ("manager@demo.example", "/eois"),
    ("manager@demo.example", "/grants"),
    ("manager@demo.example", "/grants/payments"),
    ("manager@demo.example", "/returns"),
    ("manager@demo.example", "/admin/users"),
    ("manager@demo.example", "/consortia"),
    ("manager@demo.example", "/rounds"),
    ("manager@demo.example", "/assessment"),
    ("manager@demo.example", "/admin/audit"),
    ("lead.greenwich@demo.example", "/eois"),
    ("partner.stgiles@demo.example", "/grants"),
    ("panel1@demo.example", "/assessment"),
]


@pytest.fixture
def grown(app) -> Volumes:
    """The demo, then grown to three times itself; returns the demo's own counts. In an app
    context of its own, as tests/scale's `demo` is: requests must not share its `g`."""
    with app.app_context():
        load_demo_data(app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()
        demo = counted_volumes()
        grow_demo(3, app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()
    return demo


def test_grow_demo_makes_three_times_the_demo_keeping_the_rules(app, grown):
    with app.app_context():
        assert counted_volumes() == Volumes(*(3 * n for n in (
            grown.rounds, grown.eois, grown.consortia, grown.grants, grown.returns,
            grown.users, grown.audit_entries)))
        for grant in db.session.scalars(select(Grant)):
            paid = [p for p in grant.payments if p.status is not PaymentStatus.scheduled]
            assert sum(p.amount_pence for p in grant.payments) <= grant.award_pence
            assert all(p.milestone is None or p.milestone.status.value == "accepted"
                       for p in paid), grant.reference
            assert sorted((r.financial_year, r.quarter) for r in grant.returns) == [
                (q.financial_year, q.number)
                for q in quarters_between(grant.starts_on, grant.ends_on)]
            assert grant.eoi.decision.is_published
        for decision in db.session.scalars(select(Decision)):
            asked = db.session.scalar(select(func.sum(BudgetLine.amount_pence))
                                      .join(BudgetLine.funder).where(
                BudgetLine.eoi_id == decision.eoi_id,
                BudgetLine.funder.has(type=OrganisationType.mopac))) or 0
            assert decision.amount_awarded_pence <= asked
        for funding_round in db.session.scalars(select(FundingRound)):
            awarded = db.session.scalar(select(func.sum(Decision.amount_awarded_pence))
                                        .join(Decision.eoi)
                                        .where(Eoi.round_id == funding_round.id)) or 0
            assert awarded <= funding_round.envelope_pence
        overdue = db.session.scalar(select(func.count(QuarterlyReturn.id)).where(
            QuarterlyReturn.status == "draft",
            QuarterlyReturn.due_on < clock.today()))
        assert overdue


def test_the_demo_pages_answer_on_the_grown_fund(app, grown):
    clients = {email: signed_in(app, email) for email in {email for email, _ in PAGES}}
    answers = {(email, page): clients[email].get(page).status_code for email, page in PAGES}
    assert answers == {key: 200 for key in answers}


def test_the_command_loads_the_demo_at_scale_into_an_empty_database_only(app, app_context):
    runner = app.test_cli_runner()
    assert "Invalid value" in runner.invoke(args=["demo", "load", "--scale", "huge"]).output
    result = runner.invoke(args=["demo", "load", "--scale", "2"])
    assert result.exit_code == 0, result.output
    assert "Scale data loaded" in result.output
    assert db.session.scalar(select(func.count(Grant.id))) == 6  # the demo's three, twice
    again = runner.invoke(args=["demo", "load", "--scale", "2"])
    assert again.exit_code == 1 and "empty database only" in again.output
    assert db.session.scalar(select(func.count(Grant.id))) == 6


def test_statements_are_counted_in_a_header_only_when_asked(app, client):
    assert "X-Query-Count" not in client.get("/healthz").headers
    counting = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "EOI_QUERY_COUNT_HEADER": True})
    try:
        with counting.app_context(), counted_statements() as statements:
            response = counting.test_client().get("/healthz")
        assert int(response.headers["X-Query-Count"]) == statements.count >= 1
    finally:
        with counting.app_context():
            db.engine.dispose()


def test_the_statement_count_is_refused_in_production(tmp_path):
    with pytest.raises(ConfigurationError, match="EOI_QUERY_COUNT_HEADER"):
        load_config(tmp_path, environ={"EOI_ENV": "production", "EOI_SECRET_KEY": "k",
                                       "EOI_DATABASE_URL": "postgresql+psycopg://db/eoi",
                                       "EOI_QUERY_COUNT_HEADER": "1"})
    assert load_config(tmp_path, environ={"EOI_QUERY_COUNT_HEADER": "1"})[
        "EOI_QUERY_COUNT_HEADER"] is True
