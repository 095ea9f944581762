"""Long documents off the request (eoi.documents): asking queues one job, however many ask;
the worker prepares it and the download is the real PDF; the file is reused until the data
changes; failures, stale preparations and racing workers; and who may ask and fetch."""

import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eoi import clock
from eoi.assessment import operations as panel
from eoi.documents.kinds import PanelPack, ProgrammeReport
from eoi.documents.models import MAX_ATTEMPTS, DocumentStatus, PreparedDocument
from eoi.documents.operations import (
    STALE_AFTER,
    claim_next,
    find,
    prepare,
    prepare_waiting,
    queue,
)
from eoi.extensions import db
from eoi.reminders.cli import DOCUMENTS_JOB_ID, build_scheduler, run_documents_job
from eoi.rounds.models import FundingRound
from eoi.storage import FolderStorage, storage
from eoi.writes import attempt
from tests.conftest import csrf_token, sign_in, sign_out
from tests.documents import prepared_pdf
from tests.pdfs import one_page
from tests.queries import counted_statements
from tests.test_assessment import _fully_scored, closed_round  # noqa: F401  (a fixture)
from tests.test_authorisation import WHO


def _pack_url(eoi) -> str:
    return f"/assessment/rounds/{eoi.round_id}/panel-pack.pdf"


def _documents() -> list[PreparedDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(PreparedDocument).order_by(PreparedDocument.id)))


def _text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


@pytest.fixture
def scored(closed_round, make_user):  # noqa: F811
    people, first, second, heaviest = _fully_scored(closed_round)
    from eoi.accounts.models import Role

    people["manager2"] = make_user(Role.fund_manager, email="second.manager@example.org.uk")
    db.session.commit()
    return people, first, second, heaviest


# Asking -------------------------------------------------------------------------------------

def test_asking_queues_one_job_however_often_and_whoever_asks(app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    page = client.get(_pack_url(first))
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Your panel pack is being prepared" in page.text
    assert f"Panel pack: {first.funding_round.title}, asked for on" in page.text
    assert people["manager"].full_name in page.text
    assert "Check again" in page.text and f'href="{_pack_url(first)}"' in page.text
    assert "http-equiv" not in page.text  # no meta refresh: the script asks instead
    assert client.get(_pack_url(first)).status_code == 200
    sign_out(client)
    sign_in(client, people["manager2"].email)
    assert "is being prepared" in client.get(_pack_url(first)).text
    [document] = _documents()
    assert document.status is DocumentStatus.queued
    assert document.requested_by_id == people["manager"].id
    status = client.get(f"/documents/{document.id}/status").get_json()
    assert status == {"status": "queued", "text": "Waiting to be prepared", "ready": False,
                      "failed": False}


def test_two_people_asking_at_the_same_moment_get_one_job(scored):
    """The second insert breaks the unique rule; the write path calls it a conflict, and the
    asker is then given the first one's job (eoi.documents.views.serve)."""
    people, first, _second, _heaviest = scored
    pack = PanelPack(first.funding_round)
    fingerprint = pack.fingerprint()
    mine = attempt(lambda: queue(pack, fingerprint, by=people["manager"], now=clock.now()))
    theirs = attempt(lambda: queue(pack, fingerprint, by=people["manager2"], now=clock.now()))
    assert mine.ok and theirs.conflict
    assert find(pack, fingerprint).id == mine.result.id
    assert len(_documents()) == 1


@pytest.mark.committed_database  # two threads, each with its own connection
def test_two_requests_racing_in_threads_queue_one_job(app, scored):
    people, first, _second, _heaviest = scored
    round_id, ids = first.round_id, [people["manager"].id, people["manager2"].id]
    start, outcomes = threading.Barrier(2), []

    def ask(user_id: int) -> None:
        with app.app_context():
            from eoi.accounts.models import User

            pack = PanelPack(db.session.get(FundingRound, round_id))
            fingerprint, who = pack.fingerprint(), db.session.get(User, user_id)
            start.wait()
            outcomes.append(attempt(lambda: queue(pack, fingerprint, by=who, now=clock.now())))

    threads = [threading.Thread(target=ask, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert [o.conflict for o in outcomes if not o.ok] == [True]
    assert len(_documents()) == 1


# Preparing and fetching ----------------------------------------------------------------------

def test_the_worker_prepares_it_and_the_download_is_the_rounds_pdf(app, client, scored):
    people, first, second, _heaviest = scored
    sign_in(client, people["manager"].email)
    content = prepared_pdf(client, _pack_url(first))
    text = _text(content)
    for expected in ("Panel pack", "Ranked bids", f"1. {first.reference}",
                     f"2. {second.reference}", "Assessor A", "needs moderation",
                     "OFFICIAL-SENSITIVE"):
        assert expected in text, expected
    [document] = _documents()
    assert document.status is DocumentStatus.ready and document.attempts == 1
    assert document.started_at is not None and document.finished_at is not None
    assert storage().read(document.storage_key) == content
    assert client.get(f"/documents/{document.id}/status").get_json()["ready"] is True
    response = client.get(_pack_url(first))
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="panel-pack-round-{first.round_id}.pdf"')
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unchanged_request_reuses_the_file_without_rendering(app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    prepared_pdf(client, _pack_url(first))
    [document] = _documents()
    # Whatever is stored is what is served: a request that rendered would not send this.
    storage().put(document.storage_key, one_page())
    assert client.get(_pack_url(first)).data == one_page()
    assert prepare_waiting() == 0
    [again] = _documents()
    assert (again.id, again.status, again.finished_at) == (
        document.id, DocumentStatus.ready, document.finished_at)


def test_changed_data_makes_a_new_job_and_the_old_file_goes(app, client, scored):
    people, first, _second, heaviest = scored
    sign_in(client, people["manager"].email)
    before = PanelPack(first.funding_round).fingerprint()
    prepared_pdf(client, _pack_url(first))
    [old] = _documents()
    panel.moderate(first, heaviest.id, score=3, rationale="Strong evidence of schools work",
                   by=people["manager"])
    db.session.commit()
    assert PanelPack(first.funding_round).fingerprint() != before
    content = prepared_pdf(client, _pack_url(first))
    assert "moderated to 3. Strong evidence of schools work" in _text(content)
    [new] = _documents()  # the old row went with its file
    assert new.id != old.id and new.fingerprint != old.fingerprint
    assert not storage().exists(old.storage_key)
    # A score saved again changes the fingerprint too (scores carry no version of their own).
    assessment = first.assessments[0]
    assert assessment.status.value == "submitted"
    moderated_before = PanelPack(first.funding_round).fingerprint()
    assessment.scores[0].score = (assessment.scores[0].score + 1) % 5
    db.session.flush()
    assert PanelPack(first.funding_round).fingerprint() != moderated_before


def test_the_fingerprint_costs_the_same_few_statements_whatever_the_round(scored):
    _people, first, _second, _heaviest = scored
    pack = PanelPack(first.funding_round)
    with counted_statements() as statements:
        pack.fingerprint()
    assert statements.count == 9, statements
    with counted_statements() as statements:
        ProgrammeReport.asked_for(None, clock.today()).fingerprint()
    assert statements.count == 8, statements  # the quarter it shows, then seven tables


def test_a_programme_report_of_another_day_is_another_document(granted):
    _people, _grant = granted
    today = ProgrammeReport.asked_for(None, clock.today())
    tomorrow = ProgrammeReport.asked_for(None, clock.today() + timedelta(days=1))
    assert today.fingerprint() != tomorrow.fingerprint()
    assert today.fingerprint() == ProgrammeReport.asked_for(None, clock.today()).fingerprint()


# When it goes wrong --------------------------------------------------------------------------

def test_a_failed_render_is_shown_and_can_be_asked_for_again_a_bounded_number_of_times(
        app, client, scored, tmp_path):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    working = storage()
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("")
    app.extensions["eoi_storage"] = FolderStorage(Path(not_a_folder))  # nowhere to keep it
    try:
        for attempt_number in range(1, MAX_ATTEMPTS + 1):
            assert prepare_waiting() == 1
            [document] = _documents()
            assert document.status is DocumentStatus.failed
            assert document.attempts == attempt_number
            assert document.error.startswith(("NotADirectoryError", "FileExistsError"))
            page = client.get(_pack_url(first))
            assert "Your panel pack could not be prepared" in page.text
            assert document.error.split(":")[0] in page.text
            token = csrf_token(page.text)
            asked = client.post(f"/documents/{document.id}/again", data={"csrf_token": token})
            assert asked.status_code == 302 and asked.headers["Location"] == _pack_url(first)
            if attempt_number < MAX_ATTEMPTS:
                assert "Ask for the panel pack again" in page.text
                assert _documents()[0].status is DocumentStatus.queued
        assert "will not be tried again until the information" in page.text
        assert "Ask for the panel pack again" not in page.text
        assert _documents()[0].status is DocumentStatus.failed  # the last ask was refused
    finally:
        app.extensions["eoi_storage"] = working


def test_asking_again_after_a_failure_prepares_it(app, client, scored, tmp_path):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    working = storage()
    (tmp_path / "file").write_text("")
    app.extensions["eoi_storage"] = FolderStorage(tmp_path / "file")
    try:
        prepare_waiting()
    finally:
        app.extensions["eoi_storage"] = working
    [document] = _documents()
    page = client.get(_pack_url(first))
    client.post(f"/documents/{document.id}/again", data={"csrf_token": csrf_token(page.text)})
    assert "is being prepared" in client.get(_pack_url(first)).text
    assert prepare_waiting() == 1
    assert client.get(_pack_url(first)).mimetype == "application/pdf"
    [ready] = _documents()
    assert (ready.status, ready.attempts, ready.error) == (DocumentStatus.ready, 2, "")


def test_a_stale_preparation_is_taken_again_and_the_late_worker_keeps_nothing(
        app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    document_id, first_attempt = attempt(lambda: claim_next(clock.now())).result
    assert attempt(lambda: claim_next(clock.now())).result is None  # not stale yet
    clock.set_now(clock.now() + STALE_AFTER + timedelta(minutes=1))
    assert prepare_waiting() == 1
    [document] = _documents()
    assert (document.status, document.attempts) == (DocumentStatus.ready, 2)
    # The first worker wakes up and finishes: its file is not kept, the row unchanged.
    assert prepare(document_id, first_attempt) is DocumentStatus.preparing
    [after] = _documents()
    assert (after.status, after.attempts, after.storage_key) == (
        DocumentStatus.ready, 2, document.storage_key)
    assert storage().exists(document.storage_key)


@pytest.mark.committed_database  # two workers, each in a thread with its own connection
def test_two_workers_at_once_prepare_it_once(app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    start, done = threading.Barrier(2), []

    def work() -> None:
        with app.app_context():
            start.wait()
            done.append(prepare_waiting())

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(done) == [0, 1]
    [document] = _documents()
    assert (document.status, document.attempts) == (DocumentStatus.ready, 1)


# The scheduler and the command -------------------------------------------------------------

def test_the_scheduler_prepares_documents_every_few_seconds(app):
    job = build_scheduler(app).get_job(DOCUMENTS_JOB_ID)
    assert job.func is run_documents_job and job.trigger.interval == timedelta(seconds=5)
    assert job.coalesce and job.max_instances == 1


@pytest.mark.committed_database  # the job runs in a thread of its own
def test_the_documents_job_makes_its_own_app_context(app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    counts = []
    worker = threading.Thread(target=lambda: counts.append(run_documents_job(app)))
    worker.start()
    worker.join(timeout=120)
    assert counts == [1]
    assert client.get(_pack_url(first)).mimetype == "application/pdf"


def test_the_prepare_command_works_through_the_queue_once(app, client, scored):
    people, first, _second, _heaviest = scored
    sign_in(client, people["manager"].email)
    client.get(_pack_url(first))
    result = app.test_cli_runner().invoke(args=["documents", "prepare"])
    assert result.exit_code == 0, result.output
    assert "Prepared 1 document." in result.output and ": ready." in result.output
    again = app.test_cli_runner().invoke(args=["documents", "prepare"])
    assert "Prepared 0 documents." in again.output


# Who may ask and fetch -------------------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_who_may_ask_for_and_fetch_documents(app, client, scored, users_by_role, who):
    _people, first, _second, _heaviest = scored
    user = users_by_role[who]
    failed = PreparedDocument(kind=PanelPack.kind, subject_id=first.round_id, fingerprint="0",
                              as_of=clock.today(), status=DocumentStatus.failed, attempts=1,
                              requested_by_id=users_by_role["fund_manager"].id)
    db.session.add(failed)
    db.session.commit()
    if user is not None:
        sign_in(client, user.email)
    token = csrf_token(client.get("/account" if user else "/sign-in").text)
    answers = {
        "panel pack": client.get(_pack_url(first)).status_code,
        "programme report": client.get("/programme/report.pdf").status_code,
        "status": client.get(f"/documents/{failed.id}/status").status_code,
        "again": client.post(f"/documents/{failed.id}/again",
                             data={"csrf_token": token}).status_code,
    }
    if user is None:
        expected = dict.fromkeys(answers, 302)  # to sign in
    elif who == "fund_manager":
        expected = {"panel pack": 200, "programme report": 200, "status": 200, "again": 302}
    else:
        expected = dict.fromkeys(answers, 403)
    assert answers == expected
    queued = db.session.scalar(select(func.count()).select_from(PreparedDocument).where(
        PreparedDocument.status == DocumentStatus.queued))
    assert queued == (3 if who == "fund_manager" else 0)  # two asked for, one asked again
    assert client.get("/documents/999999/status").status_code == (
        302 if user is None else 404)
