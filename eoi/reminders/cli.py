"""`flask reminders send` runs the reminder job once; `flask scheduler` runs it every morning,
and every few seconds prepares the documents people have asked for (eoi.documents).

The scheduler is its own process, never part of the web server: every web worker runs the
app factory, so a scheduler started there would run the job once per worker.
"""

import signal
from datetime import datetime

import click
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from eoi import clock
from eoi.documents.operations import prepare_waiting
from eoi.formatting import LONDON, london_datetime
from eoi.reminders.job import send_due_reminders

JOB_ID = "send_due_reminders"
DOCUMENTS_JOB_ID = "prepare_documents"
DOCUMENTS_EVERY_SECONDS = 5
FIGURES_JOB_ID = "keep_published_figures"
FIGURES_EVERY_SECONDS = 30
EMAILS_JOB_ID = "deliver_notifications"
EMAILS_EVERY_SECONDS = 10

reminders_cli = AppGroup("reminders", help="Reminders about returns and milestones due.")


def init_app(app: Flask) -> None:
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_command)


@reminders_cli.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Send as if today were this date (YYYY-MM-DD); default: today in London.")
def send_command(today: datetime | None) -> None:
    """Send the reminders due today that have not been sent yet."""
    sent = send_due_reminders(today.date() if today else clock.today())
    click.echo(f"Sent {len(sent)} reminder{'' if len(sent) == 1 else 's'}.")


def run_job(app: Flask) -> int:
    """The scheduled job: runs in a scheduler thread, so it needs its own app context."""
    with app.app_context():
        return len(send_due_reminders(clock.today()))


def run_documents_job(app: Flask) -> int:
    """Prepare the queued documents, in an app context of its own and with no request (the
    PDFs carry no links; emails build theirs from EOI_BASE_URL)."""
    with app.app_context():
        return prepare_waiting()


def run_figures_job(app: Flask) -> int:
    """Protect again the published figures whose returns changed (eoi.reports.keeping)."""
    from eoi.reports.keeping import keep_published_figures

    with app.app_context():
        return len(keep_published_figures())


def run_emails_job(app: Flask) -> int:
    """Send the emails in the outbox that are due (eoi.notifications.outbox)."""
    from eoi.notifications.outbox import deliver_due

    with app.app_context():
        return deliver_due()


@reminders_cli.command("deliver")
def deliver_command() -> None:
    """Send the emails waiting in the outbox that are due, once."""
    from eoi.notifications.outbox import deliver_due

    click.echo(f"Sent {deliver_due()} email(s).")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Reminders every day at 07:00 London time, and once straight away at start-up to
    catch up on anything missed while the scheduler was down; documents every few seconds."""
    scheduler = BlockingScheduler(timezone=LONDON)
    scheduler.add_job(
        run_job, CronTrigger(hour=7, minute=0, timezone=LONDON), args=[app], id=JOB_ID,
        # APScheduler keeps wall-clock time; only the job's "today" is the service clock.
        next_run_time=datetime.now(LONDON),
        coalesce=True,  # days missed while asleep or down make one run, not several
        max_instances=1,
        misfire_grace_time=4 * 60 * 60,  # late by up to four hours still runs that morning
    )
    scheduler.add_job(
        run_documents_job, IntervalTrigger(seconds=DOCUMENTS_EVERY_SECONDS), args=[app],
        id=DOCUMENTS_JOB_ID, next_run_time=datetime.now(LONDON),
        # One run works through the whole queue; ticks during a long render are simply
        # skipped (coalesced), never stacked.
        coalesce=True, max_instances=1)
    scheduler.add_job(
        run_figures_job, IntervalTrigger(seconds=FIGURES_EVERY_SECONDS), args=[app],
        id=FIGURES_JOB_ID, next_run_time=datetime.now(LONDON),
        # A national quarter takes minutes: a thread of its own, so documents never wait.
        coalesce=True, max_instances=1)
    scheduler.add_job(
        run_emails_job, IntervalTrigger(seconds=EMAILS_EVERY_SECONDS), args=[app],
        id=EMAILS_JOB_ID, next_run_time=datetime.now(LONDON), coalesce=True, max_instances=1)
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the reminder job now and then every day at 07:00 London time, until stopped."""
    # The app itself, for the scheduler's thread: current_app is a proxy, typed as the app.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app)

    # The jobs that run every few seconds: what each says, and only when it did something.
    frequent = {FIGURES_JOB_ID: ("figures", "Protected and kept the figures of {} subject(s)."),
                EMAILS_JOB_ID: ("emails", "Sent {} email(s)."),
                DOCUMENTS_JOB_ID: ("documents", "Prepared {} document(s).")}

    def report(event) -> None:
        if event.job_id in frequent:
            name, done = frequent[event.job_id]
            if event.exception:
                click.echo(f"The {name} job failed: {event.exception!r}", err=True)
            elif event.retval:
                click.echo(done.format(event.retval))
            return
        if event.exception:
            click.echo(f"The reminder job failed: {event.exception!r}", err=True)
        else:
            click.echo(f"Sent {event.retval} reminder(s).")
        job = scheduler.get_job(JOB_ID)
        if job is not None:
            click.echo(f"Next run: {london_datetime(job.next_run_time)}.")

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt  # unwinds start() below, as Ctrl-C does

    scheduler.add_listener(report, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    signal.signal(signal.SIGTERM, stop)
    click.echo("Reminder scheduler started: runs now, then every day at 07:00 London time; "
               f"documents are prepared every {DOCUMENTS_EVERY_SECONDS} seconds, published "
               f"figures checked every {FIGURES_EVERY_SECONDS}, emails sent every "
               f"{EMAILS_EVERY_SECONDS}.")
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a run in progress finish its reminder
        click.echo("Reminder scheduler stopped.")
