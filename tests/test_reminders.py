"""Reminder emails about returns and milestones: who gets them, when, and only once."""

import email
import email.policy
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, insert, select

from eoi import clock, mail
from eoi.eois.models import EoiStatus
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants.models import Grant, GrantPartner, GrantState, Milestone, MilestoneStatus
from eoi.reminders import job
from eoi.reminders.cli import JOB_ID, build_scheduler, init_app, run_job
from eoi.reminders.job import send_due_reminders
from eoi.reminders.models import SentReminder
from eoi.returns.models import QuarterlyReturn, ReturnStatus

RETURN_DUE = date(2026, 10, 30)  # Q2 2026-27 ends 30 September; due 30 days later
MILESTONE_DUE = date(2026, 12, 15)


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    monkeypatch.setitem(app.config, "EOI_BASE_URL", "https://fund.example")
    return folder


def sent_emails(folder) -> list[email.message.EmailMessage]:
    if not folder.exists():
        return []
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def sent_reminder_count() -> int:
    return db.session.scalar(select(func.count(SentReminder.id)))


@pytest.fixture
def grant(world):
    people, eoi = world
    eoi.status, eoi.reference = EoiStatus.submitted, "CCF-2026-0003"
    grant = Grant(eoi=eoi, consortium=eoi.consortium, reference="GRT-2026-0003",
                  title="Safer journeys home", owner=people["lead"], award_pence=100_000_00,
                  starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
                  created_by_id=people["manager"].id, state=GrantState.active)
    grant.partners.append(GrantPartner(organisation=people["partner"].organisation))
    db.session.add(grant)
    db.session.commit()
    return grant


def add_return(grant, due=RETURN_DUE, status=ReturnStatus.draft) -> QuarterlyReturn:
    item = QuarterlyReturn(grant=grant, financial_year=2026, quarter=2, due_on=due,
                           status=status)
    if status is not ReturnStatus.draft:
        item.submitted_at = clock.now()
    db.session.add(item)
    db.session.commit()
    return item


def add_milestone(grant, due=MILESTONE_DUE) -> Milestone:
    item = Milestone(grant=grant, title="Workers in post", evidence_required="Contracts",
                     due_on=due)
    db.session.add(item)
    db.session.commit()
    return item


def emails_of(world, *names) -> list[str]:
    people, _ = world
    return sorted(people[name].email for name in names)


@pytest.mark.parametrize(("days_before", "title"), [
    (14, "Due in 14 days"), (3, "Due in 3 days"), (0, "Due today"), (-5, "Overdue")])
def test_a_return_reminder_goes_on_each_reminder_day(world, grant, outbox, days_before, title):
    item = add_return(grant)
    sent = send_due_reminders(RETURN_DUE - timedelta(days=days_before))

    [message] = sent_emails(outbox)
    assert message["Subject"] == f"{title}: Q2 2026-27 return for GRT-2026-0003"
    expected = ["lead", "partner"] + (["manager"] if days_before < 0 else [])
    assert sorted(a.addr_spec for a in message["To"].addresses) == emails_of(world, *expected)
    assert message["From"] == "Co-commissioning fund <no-reply@eoi.invalid>"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "30 October 2026" in body
    assert f"https://fund.example/returns/{item.id}" in body
    assert "counts only" in body and "identify a young person" in body
    assert len(sent) == 1 and sent[0].startswith(f"return:{item.id}:")
    row = db.session.scalar(select(SentReminder))
    assert row.key == sent[0] and row.subject == message["Subject"]


@pytest.mark.parametrize(("days_before", "title"), [
    (14, "Due in 14 days"), (3, "Due in 3 days"), (0, "Due today"), (-1, "Overdue")])
def test_a_milestone_reminder_goes_on_each_reminder_day(world, grant, outbox, days_before,
                                                        title):
    item = add_milestone(grant)
    send_due_reminders(MILESTONE_DUE - timedelta(days=days_before))

    [message] = sent_emails(outbox)
    assert message["Subject"] == f"{title}: milestone 'Workers in post' for GRT-2026-0003"
    expected = ["lead", "partner"] + (["manager"] if days_before < 0 else [])
    assert sorted(a.addr_spec for a in message["To"].addresses) == emails_of(world, *expected)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "15 December 2026" in body
    assert f"https://fund.example/grants/milestones/{item.id}" in body
    # The daily run also moves a milestone within two weeks of its date to due.
    assert item.status is MilestoneStatus.due


def test_other_days_send_nothing(grant, outbox):
    add_return(grant)
    for days_before in (15, 13, 4, 2, 1):
        assert send_due_reminders(RETURN_DUE - timedelta(days=days_before)) == []
    assert sent_emails(outbox) == [] and sent_reminder_count() == 0


def test_a_submitted_return_and_a_closed_grant_get_none(world, grant, outbox):
    add_return(grant, status=ReturnStatus.submitted)
    assert send_due_reminders(RETURN_DUE) == []

    people, _ = world
    other = Grant(eoi=grant.eoi, consortium=grant.consortium, reference="GRT-2026-0004",
                  title="Closed", owner=people["lead"], award_pence=1_00,
                  starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
                  created_by_id=people["manager"].id, state=GrantState.closed)
    db.session.delete(grant)  # a grant per EOI: make room for the closed one
    db.session.flush()
    db.session.add(other)
    db.session.commit()
    add_return(other)
    add_milestone(other, due=RETURN_DUE)
    assert send_due_reminders(RETURN_DUE) == []
    assert sent_emails(outbox) == []


def test_inactive_people_are_left_out(world, grant, outbox):
    people, _ = world
    people["partner"].is_active = False
    db.session.commit()
    add_return(grant)
    send_due_reminders(RETURN_DUE)
    [message] = sent_emails(outbox)
    assert message["To"].addresses[0].addr_spec == people["lead"].email
    assert len(message["To"].addresses) == 1


def test_running_twice_on_a_day_sends_each_once(grant, outbox):
    add_return(grant)
    add_milestone(grant, due=RETURN_DUE)
    first = send_due_reminders(RETURN_DUE)
    assert len(first) == 2
    assert send_due_reminders(RETURN_DUE) == []
    assert len(sent_emails(outbox)) == 2 and sent_reminder_count() == 2


def test_overdue_goes_once_per_due_date(grant, outbox):
    item = add_return(grant)
    assert len(send_due_reminders(RETURN_DUE + timedelta(days=1))) == 1
    assert send_due_reminders(RETURN_DUE + timedelta(days=2)) == []
    assert len(sent_emails(outbox)) == 1

    # A new due date earns reminders of its own.
    item.due_on = RETURN_DUE + timedelta(days=10)
    db.session.commit()
    [key] = send_due_reminders(RETURN_DUE + timedelta(days=10))
    assert key.endswith(":due_today:2026-11-09")


@pytest.mark.committed_database  # two threads, each with a connection of its own
def test_two_runs_at_once_send_each_reminder_once(app, grant, outbox, monkeypatch, caplog):
    add_return(grant)
    add_milestone(grant, due=RETURN_DUE)
    db.session.commit()
    caplog.set_level(logging.INFO, logger=app.logger.name)

    # Both runs list the reminders before either records one, so they race on the insert;
    # slow sending holds the first run's row uncommitted while the second tries its own.
    both_listed = threading.Barrier(2, timeout=20)
    list_reminders, send_email = job.due_reminders, mail.send_email

    def listed_together(today):
        reminders = list_reminders(today)
        both_listed.wait()
        return reminders

    def slow_send(*args):
        time.sleep(0.3)
        send_email(*args)

    monkeypatch.setattr(job, "due_reminders", listed_together)
    monkeypatch.setattr(mail, "send_email", slow_send)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(send_due_reminders(RETURN_DUE))
        except Exception as error:  # reported below, where pytest can see it
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    keys = [key for result in results for key in result]
    assert len(keys) == 2 and len(set(keys)) == 2
    assert len(sent_emails(outbox)) == 2 and sent_reminder_count() == 2
    # Each key was refused to the losing run by the unique index, not by a check beforehand.
    assert caplog.text.count("was sent by another run") == 2


@pytest.mark.committed_database  # another connection commits a row
def test_a_reminder_recorded_elsewhere_meanwhile_is_skipped(grant, outbox):
    add_return(grant)
    [reminder] = job.due_reminders(RETURN_DUE)
    db.session.commit()
    # Another process records it between this one's listing and its sending.
    with db.engine.connect() as other:
        other.execute(insert(SentReminder).values(key=reminder.key, recipients="x",
                                                  subject="x"))
        other.commit()
    assert job.send_once(reminder) is False
    assert db.session.scalar(select(SentReminder.subject)) == "x"  # theirs, kept
    assert sent_emails(outbox) == [] and sent_reminder_count() == 1


def test_a_failed_send_is_not_recorded_and_goes_next_run(app, grant, outbox, monkeypatch):
    add_return(grant)
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "EOI_SMTP_PORT", port)
    assert send_due_reminders(RETURN_DUE) == []
    assert sent_reminder_count() == 0

    def refuse(*args):
        raise OSError("mail server down")

    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    monkeypatch.setattr(mail, "send_email", refuse)
    assert send_due_reminders(RETURN_DUE) == []
    assert sent_reminder_count() == 0

    monkeypatch.undo()
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(outbox))
    assert len(send_due_reminders(RETURN_DUE)) == 1
    assert len(sent_emails(outbox)) == 1 and sent_reminder_count() == 1


class SmtpSink(threading.Thread):
    """Just enough of an SMTP server to take one message from smtplib."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.recipients, self.data = [], b""

    def run(self):
        connection, _ = self.server.accept()
        with connection, connection.makefile("rb") as lines:
            def reply(text):
                connection.sendall(text.encode() + b"\r\n")

            reply("220 sink")
            while line := lines.readline():
                verb = line[:4].upper()
                if verb == b"RCPT":
                    self.recipients.append(line.decode().split(":", 1)[1].strip())
                if verb == b"DATA":
                    reply("354 go ahead")
                    while (data := lines.readline()) != b".\r\n":
                        self.data += data[1:] if data.startswith(b"..") else data
                    reply("250 queued")
                elif verb == b"QUIT":
                    reply("221 bye")
                    break
                else:
                    reply("250 ok")
        self.server.close()


def test_the_smtp_path_hands_the_message_to_the_server(app, app_context, monkeypatch):
    sink = SmtpSink()
    sink.start()
    for key, value in {"EOI_SMTP_HOST": "127.0.0.1", "EOI_SMTP_PORT": sink.port,
                       "EOI_SMTP_STARTTLS": False}.items():
        monkeypatch.setitem(app.config, key, value)
    mail.send_email(["a@example.org.uk", "b@example.org.uk"], "Due today: test", "Body text")
    sink.join(timeout=10)

    assert sink.recipients == ["<a@example.org.uk>", "<b@example.org.uk>"]
    message = email.message_from_bytes(sink.data, policy=email.policy.default)
    assert message["Subject"] == "Due today: test"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Body text"
    assert "<p>Body text</p>" in message.get_body(preferencelist=("html",)).get_content()


def test_reminders_send_command_prints_the_count(app, grant, outbox):
    if "reminders" not in app.cli.commands:
        init_app(app)
    add_return(grant)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--today", "2026-10-27"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 reminder." in result.output
    again = runner.invoke(args=["reminders", "send", "--today", "2026-10-27"])
    assert "Sent 0 reminders." in again.output
    assert len(sent_emails(outbox)) == 1


def test_the_scheduler_runs_the_job_daily_at_seven_london_time(app):
    scheduler = build_scheduler(app)
    scheduled = scheduler.get_job(JOB_ID)
    assert scheduled.id == JOB_ID and scheduled.func is run_job
    assert isinstance(scheduled.trigger, CronTrigger)
    fields = {field.name: str(field) for field in scheduled.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"]) == ("7", "0", "*")
    assert str(scheduled.trigger.timezone) == "Europe/London"
    assert scheduled.coalesce and scheduled.max_instances == 1
    assert scheduled.misfire_grace_time >= 60 * 60
    # 07:00 in London is 06:00 UTC in summer and 07:00 UTC in winter.
    summer = scheduled.trigger.get_next_fire_time(None, datetime(2026, 7, 1, 8, tzinfo=LONDON))
    winter = scheduled.trigger.get_next_fire_time(None, datetime(2026, 12, 1, 8, tzinfo=LONDON))
    assert summer.astimezone(UTC) == datetime(2026, 7, 2, 6, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 12, 2, 7, tzinfo=UTC)


@pytest.mark.committed_database  # the job runs in a thread of its own
def test_the_scheduled_job_makes_its_own_app_context(app, grant, outbox, monkeypatch):
    add_return(grant)
    clock.set_now(clock.london_midday(RETURN_DUE))
    counts = []
    worker = threading.Thread(target=lambda: counts.append(run_job(app)))  # no app context
    worker.start()
    worker.join(timeout=30)
    assert counts == [1] and len(sent_emails(outbox)) == 1


@pytest.mark.committed_database  # the scheduler is another process
def test_the_scheduler_runs_at_start_up_and_stops_on_sigterm(database_url, tmp_path):
    script = ("from eoi import create_app\n"
              "from eoi.reminders.cli import scheduler_command\n"
              "with create_app().app_context():\n"
              "    scheduler_command.main([], standalone_mode=False)\n")
    environment = {**os.environ, "EOI_ENV": "test", "EOI_DATABASE_URL": database_url,
                   "EOI_SECRET_KEY": "test", "EOI_OUTBOX_FOLDER": str(tmp_path),
                   "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", script], env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lines = []
        while not any(line.startswith("Next run:") for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert "Sent 0 reminder(s).\n" in lines
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "Reminder scheduler stopped." in output
