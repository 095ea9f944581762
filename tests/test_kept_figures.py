"""Figures about young people protected by the scheduler and kept (eoi.reports.keeping), as a
national fund needs: pages print what was kept, say "being prepared" before it is, and
show the set kept before, marked, while a changed quarter is protected again."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts.models import User
from eoi.extensions import db
from eoi.reminders.cli import FIGURES_JOB_ID, build_scheduler, run_figures_job
from eoi.reports import keeping, published
from eoi.reports.models import PublishedFigures
from eoi.reports.published import PROGRAMME, PUBLISHED, cohort_tables, protected_quarter
from eoi.returns import operations as returns
from eoi.returns.models import QuarterlyReturn, ReturnStatus
from tests.conftest import signed_in

MANAGER = "manager@demo.example"
OFFICER = "officer.bexley@demo.example"


@pytest.fixture
def national(monkeypatch):
    """Every quarter too big to protect while a page waits, as a national fund's are."""
    monkeypatch.setattr(published, "PROTECTED_WHILE_WAITING_MOST", 0)


def _accepted(app) -> QuarterlyReturn:
    """The latest accepted return whose figures the Bexley officer sees as published."""
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        for ret in db.session.scalars(select(QuarterlyReturn).where(
                QuarterlyReturn.status.in_(PUBLISHED)).order_by(QuarterlyReturn.id.desc())):
            if ret.grant.can_view(officer) and not ret.can_see_figures(officer):
                db.session.expunge(ret)
                return ret
    raise AssertionError("the demo has no such return")


def _printed(protected, scope: str) -> list[list[str]]:
    return [[cell.shown for _, cells, total in table.rows for cell in (*cells, total)]
            for table in cohort_tables(protected, scope)]


def test_a_national_quarter_is_being_prepared_until_the_scheduler_keeps_it(app, demo, national):
    ret = _accepted(app)
    manager, officer = signed_in(app, MANAGER), signed_in(app, OFFICER)
    page = manager.get("/programme")
    assert page.status_code == 200
    assert 'id="young-people-being-prepared"' in page.text
    assert "[x] means the figure is not available yet" in page.text  # the achievements
    page = officer.get(f"/returns/{ret.id}")
    assert page.status_code == 200 and 'id="figures-being-prepared"' in page.text
    assert officer.get(f"/returns/{ret.id}/report.pdf").status_code == 503

    with app.app_context():
        kept = keeping.keep_published_figures()
        assert published.quarter_subject(ret.period) in kept and published.INDICATORS in kept
        assert keeping.keep_published_figures() == []  # nothing changed: nothing again

    page = manager.get("/programme")
    assert "being-prepared" not in page.text and "young-people-as-of" not in page.text
    assert "[x]" not in page.text
    page = officer.get(f"/returns/{ret.id}")
    assert 'id="supported-sentence"' in page.text
    assert officer.get(f"/returns/{ret.id}/report.pdf").mimetype == "application/pdf"


def test_kept_figures_print_as_the_figures_protected_there_and_then(app, demo, monkeypatch):
    ret = _accepted(app)
    with app.app_context():
        scopes = [ret.grant.reference, PROGRAMME]
        now = {scope: _printed(protected_quarter(ret.period, scope), scope) for scope in scopes}
        keeping.keep_published_figures()
        monkeypatch.setattr(published, "PROTECTED_WHILE_WAITING_MOST", 0)
        monkeypatch.setattr(published, "protect_quarter", _never)  # kept, not protected
        for scope in scopes:
            found = protected_quarter(ret.period, scope)
            assert isinstance(found, keeping.Kept) and found.current
            assert _printed(found, scope) == now[scope]
        # Nothing withheld is kept with its value.
        for row in db.session.scalars(select(PublishedFigures)):
            assert all(value is None for _, value, reason in row.figures["cells"] if reason)
            assert all(value is not None for _, value, reason in row.figures["cells"]
                       if reason is None)


def _never(*args, **kwargs):
    raise AssertionError("protected while a page waited")


def test_a_changed_quarter_shows_the_set_kept_before_marked_until_kept_again(
        app, demo, national):
    with app.app_context():
        keeping.keep_published_figures()
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        # A return in a published quarter that MOPAC sent back for changes and Barnardo's
        # sent again: its certifier signs it off, and MOPAC accepts it.
        changing = db.session.scalar(select(QuarterlyReturn).where(
            QuarterlyReturn.status == ReturnStatus.signing))
        quarter = changing.period
        people = list(db.session.scalars(select(User).order_by(User.id)))
        certifier = next(user for user in people if changing.can_sign_off(user))
        returns.sign_off_return(changing, by=certifier, now=clock.now())
        returns.review_return(changing, accept=True, comments="", by=manager, now=clock.now())
        db.session.commit()
    url = f"/programme?quarter={quarter.financial_year}-Q{quarter.number}"
    page = signed_in(app, MANAGER).get(url)
    assert 'id="young-people-as-of"' in page.text  # the quarter's earlier set, marked
    with app.app_context():
        assert set(keeping.keep_published_figures()) == {published.quarter_subject(quarter),
                                                         published.INDICATORS}
    assert 'id="young-people-as-of"' not in signed_in(app, MANAGER).get(url).text


def test_the_scheduler_keeps_the_figures_in_a_thread_of_its_own(app):
    job = build_scheduler(app).get_job(FIGURES_JOB_ID)
    assert job.func is run_figures_job and job.coalesce and job.max_instances == 1


def test_a_quarter_is_kept_under_its_name(app):
    from eoi.grants.periods import Quarter

    assert published.quarter_subject(Quarter(2026, 2)) == "2026-Q2"


def test_flask_documents_figures_keeps_them_once(app, demo):
    runner = CliRunner()
    from eoi.documents.cli import figures_command

    with app.app_context():
        first = runner.invoke(figures_command, obj=app.extensions)
        again = runner.invoke(figures_command, obj=app.extensions)
        assert db.session.scalar(select(func.count(PublishedFigures.id))) > 0
    assert first.exit_code == 0 and "Kept the figures of" in first.output
    assert again.output.strip() == "Kept the figures of 0 subjects."


def test_flask_documents_figures_most_keeps_what_the_dashboard_shows_first(app, demo):
    from eoi.documents.cli import figures_command
    from eoi.reports.programme import published_quarters

    with app.app_context():
        latest = published.quarter_subject(published_quarters()[-1])
        answer = CliRunner().invoke(figures_command, ["--most", "2"], obj=app.extensions)
        kept = set(db.session.scalars(select(PublishedFigures.subject)))
    assert answer.exit_code == 0, answer.output
    assert answer.output.strip() == f"Kept the figures of 2 subjects: {latest}, indicators."
    assert kept == {latest, published.INDICATORS}


def test_a_quarter_whose_audit_fails_keeps_nothing_and_the_others_are_kept(
        app, demo, national, monkeypatch, caplog):
    import collections
    import dataclasses

    from eoi.disclosure import quarter as protection
    from eoi.reports.programme import published_quarters

    with app.app_context():
        quarters = published_quarters()
        failing = published.quarter_subject(quarters[0])
        failing_figures = published._digest(published._quarter_figures(quarters[0]))

        def failing_first(returns):  # the real protection, its verdict overruled
            made = protection.protect_quarter(returns)
            return dataclasses.replace(made, passed=published._digest(returns) != failing_figures)

        monkeypatch.setattr(published, "protect_quarter", failing_first)
        monkeypatch.setattr(published, "_SEEN", collections.OrderedDict())
        kept = keeping.keep_published_figures()
        assert failing not in kept
        # The latest quarter first, then the achievements, then the rest, newest first.
        newest_first = [published.quarter_subject(q) for q in reversed(quarters)]
        assert kept == [newest_first[0], published.INDICATORS, *newest_first[1:-1]]
        assert f"did not pass for {failing}" in caplog.text
        assert not db.session.scalar(select(func.count(PublishedFigures.id)).where(
            PublishedFigures.subject == failing))
