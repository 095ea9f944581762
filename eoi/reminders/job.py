"""The daily job: email the people who owe a return or a milestone as its date comes near,
on the day, and once when it is overdue.

Each reminder is sent at most once, however many times the job runs and however many
processes run it at once, because its key is inserted into sent_reminders (unique) before
the email goes, and committed only after. A second run cannot insert the same key: on
PostgreSQL its insert waits for the first run's transaction and then fails.
"""

import textwrap
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from eoi import clock, mail
from eoi.accounts.models import Role, User, UserRole
from eoi.extensions import db
from eoi.formatting import LONDON, london_date
from eoi.grants.models import LIVE_GRANT_STATES, OPEN_MILESTONES, Grant, Milestone
from eoi.grants.operations import mark_milestones_due
from eoi.grants.periods import ReminderKind, reminder_due, reminder_key
from eoi.money import financial_year_label, format_pence
from eoi.notifications.recipients import certifiers_of
from eoi.reminders.models import SentReminder
from eoi.returns.models import OPEN_RETURNS, QuarterlyReturn, ReturnStatus

# The earliest reminder goes this many days ahead (see eoi.grants.periods).
FIRST_REMINDER_DAYS = 14

PRIVACY_LINE = ("Returns and evidence hold counts only: never a name, date of birth, address "
                "or anything else that could identify a young person.")


@dataclass(frozen=True)
class Reminder:
    key: str
    to: list[str]
    subject: str
    body: str


def send_due_reminders(today: date) -> list[str]:
    """Send every reminder `today` calls for that has not been sent; return their keys."""
    try:
        mark_milestones_due(today)
        db.session.commit()
    except StaleDataError:
        # Another run marked the same milestones at the same moment; its change stands.
        db.session.rollback()
    # Rounds closing in 7 days or 1: told through the outbox, each notice once.
    from eoi.notifications.tell import rounds_closing
    from eoi.writes import attempt

    moment = clock.now() if today == clock.today() else clock.london_midday(today)
    attempt(lambda: rounds_closing(moment))
    # The day's digest for those who chose one, sent with the rest of the outbox.
    from eoi.notifications.outbox import send_digests

    attempt(lambda: send_digests(moment))
    reminders = due_reminders(today)
    db.session.commit()  # end the reading transaction: each reminder gets its own
    return [reminder.key for reminder in reminders if send_once(reminder)]


def due_reminders(today: date) -> list[Reminder]:
    """The reminders `today` calls for, less those already recorded as sent."""
    horizon = today + timedelta(days=FIRST_REMINDER_DAYS)
    # Only what is still open is read: the fund's accepted returns stay in the database.
    returns = db.session.scalars(
        select(QuarterlyReturn).join(QuarterlyReturn.grant)
        .where(QuarterlyReturn.due_on <= horizon, Grant.state.in_(LIVE_GRANT_STATES),
               QuarterlyReturn.status.in_(OPEN_RETURNS))
        .order_by(QuarterlyReturn.due_on, QuarterlyReturn.id))
    milestones = db.session.scalars(
        select(Milestone).join(Milestone.grant)
        .where(Milestone.due_on <= horizon, Grant.state.in_(LIVE_GRANT_STATES),
               Milestone.status.in_(OPEN_MILESTONES))
        .order_by(Milestone.due_on, Milestone.id))

    reminders = []
    for item in [*returns, *milestones]:
        kind = reminder_due(item.due_on, today)
        if kind is None:
            continue
        to = recipients(item.grant, kind)
        if not to:
            continue
        if isinstance(item, QuarterlyReturn):
            reminders.append(_return_reminder(item, kind, to))
        else:
            reminders.append(_milestone_reminder(item, kind, to))

    reminders += _return_sign_off_reminders(today) + _pledge_sign_off_reminders(today)

    # Only a shortcut: overdue items would otherwise hit the unique key every day. The
    # insert in send_once is what guarantees once.
    sent = set(db.session.scalars(select(SentReminder.key).where(
        SentReminder.key.in_([r.key for r in reminders]))))
    return [r for r in reminders if r.key not in sent]


def send_once(reminder: Reminder) -> bool:
    """Record the reminder and send it in one transaction; False if it was sent already
    (by this or another process) or could not be sent (it will be tried again next run)."""
    db.session.add(SentReminder(key=reminder.key, recipients=", ".join(reminder.to),
                                subject=reminder.subject))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        current_app.logger.info("Reminder %s was sent by another run", reminder.key)
        return False
    try:
        mail.send_email(reminder.to, reminder.subject, reminder.body)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Could not send reminder %s; will retry", reminder.key)
        return False
    # If this commit failed after the email went, the next run would send it again: a
    # rare duplicate is better than a reminder never sent.
    db.session.commit()
    current_app.logger.info("Sent reminder %s to %s", reminder.key, ", ".join(reminder.to))
    return True


def recipients(grant: Grant, kind: ReminderKind) -> list[str]:
    """The lead commissioner and the delivery partners' people; MOPAC's fund managers too
    once something is overdue."""
    emails = set()
    if grant.owner.is_active:
        emails.add(grant.owner.email)
    organisation_ids = [p.organisation_id for p in grant.partners]
    if organisation_ids:
        emails.update(_active_emails(Role.partner, User.organisation_id.in_(organisation_ids)))
    if kind is ReminderKind.overdue:
        emails.update(_active_emails(Role.fund_manager))
    return sorted(emails)


def _active_emails(role: Role, *conditions) -> list[str]:
    return list(db.session.scalars(
        select(User.email).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.is_active, *conditions)))


def _when(kind: ReminderKind, due: date) -> str:
    if kind is ReminderKind.overdue:
        return f"was due on {london_date(due)} and is now overdue"
    if kind is ReminderKind.due_today:
        return f"is due today, {london_date(due)}"
    return f"is due on {london_date(due)}"


def _body(what: str, kind: ReminderKind, due: date, link: str, action: str) -> str:
    # Wrapped so that mail clients show the plain text as written (no quoted-printable).
    return "\n".join([
        "Hello,",
        "",
        textwrap.fill(f"{what} {_when(kind, due)}.", 72),
        "",
        f"{action}:",
        link,
        "",
        textwrap.fill(PRIVACY_LINE, 72),
        "",
        "London Co-commissioning Fund",
        "",
        "You get this email because you lead, deliver or manage this grant.",
        "",
    ])


def _return_reminder(item: QuarterlyReturn, kind: ReminderKind, to: list[str]) -> Reminder:
    grant = item.grant
    base_url = current_app.config["EOI_BASE_URL"]
    return Reminder(
        key=reminder_key("return", item.id, kind, item.due_on),
        to=to,
        subject=f"{kind.title}: {item.period.short_label} return for {grant.reference}",
        body=_body(f"The quarterly return for {item.period.label} for {grant.reference} "
                   f"{grant.title}", kind, item.due_on, f"{base_url}/returns/{item.id}",
                   "Fill it in and submit it here"),
    )


# A return or pledge waiting for sign-off this many days reminds its certifiers, once at each.
SIGN_OFF_REMINDER_DAYS = (3, 7)


def _waited(since: datetime, today: date) -> tuple[int, int | None]:
    """The days since `since` (in London), and the latest reminder day they have reached."""
    days = (today - since.astimezone(LONDON).date()).days
    reached = [d for d in SIGN_OFF_REMINDER_DAYS if days >= d]
    return days, reached[-1] if reached else None


def _return_sign_off_reminders(today: date) -> list[Reminder]:
    """Returns waiting for a certifier: each of the sender's organisation's certifiers (but
    the sender) is reminded after three days and again after seven, each time it is sent."""
    waiting = db.session.scalars(
        select(QuarterlyReturn).where(QuarterlyReturn.status == ReturnStatus.signing)
        .order_by(QuarterlyReturn.id))
    base_url = current_app.config["EOI_BASE_URL"]
    reminders = []
    for ret in waiting:
        sender = ret.submitted_by
        if sender is None or ret.submitted_at is None:
            continue
        days, reached = _waited(ret.submitted_at, today)
        to = sorted(c.email for c in certifiers_of(sender.organisation_id)
                    if c.id != sender.id)
        if reached is None or not to:
            continue
        reminders.append(Reminder(
            key=f"sign-off:{ret.id}:{ret.submitted_at:%Y%m%d%H%M%S}:{reached}",
            to=to, subject=f"Sign off the {ret.period.short_label} return for "
            f"{ret.grant.reference}",
            body=f"{sender.full_name} sent the {ret.period.label} return for "
            f"{ret.grant.reference} {ret.grant.title} {days} days ago. It goes to MOPAC once "
            f"a certifier of your organisation signs it off.\n\nCheck it and sign it off, or "
            f"decline it with a reason, here:\n{base_url}/returns/{ret.id}\n\n{PRIVACY_LINE}"))
    return reminders


def _pledge_sign_off_reminders(today: date) -> list[Reminder]:
    """Pledges confirmed for a funder that names certifiers, waiting for one of them."""
    from eoi.consortia.models import Pledge, PledgeStatus

    base_url = current_app.config["EOI_BASE_URL"]
    reminders = []
    for pledge in db.session.scalars(select(Pledge).where(
            Pledge.status == PledgeStatus.signing, Pledge.sign_off_asked_at.is_not(None))
            .order_by(Pledge.id)):
        asked = pledge.sign_off_asked_at
        assert asked is not None  # as selected
        days, reached = _waited(asked, today)
        to = sorted(c.email for c in certifiers_of(pledge.funder_id))
        if reached is None or not to:
            continue
        reminders.append(Reminder(
            key=f"pledge-sign-off:{pledge.id}:{asked:%Y%m%d%H%M%S}:{reached}", to=to,
            subject=f"Sign off {pledge.funder.name}'s pledge to {pledge.consortium.name}",
            body=f"{pledge.funder.name}'s pledge of {format_pence(pledge.amount_pence)} for "
            f"{financial_year_label(pledge.financial_year)} to {pledge.consortium.name} was "
            f"confirmed {days} days ago. It is final once a certifier of {pledge.funder.name} "
            f"signs it off. Sign it off, or decline it with a reason, here:\n{base_url}"
            f"/consortia/{pledge.consortium_id}/pledges/{pledge.id}/sign-off"))
    return reminders


def _milestone_reminder(item: Milestone, kind: ReminderKind, to: list[str]) -> Reminder:
    grant = item.grant
    base_url = current_app.config["EOI_BASE_URL"]
    return Reminder(
        key=reminder_key("milestone", item.id, kind, item.due_on),
        to=to,
        subject=f"{kind.title}: milestone '{item.title}' for {grant.reference}",
        body=_body(f"The milestone '{item.title}' for {grant.reference} {grant.title}",
                   kind, item.due_on, f"{base_url}/grants/milestones/{item.id}",
                   "Send the evidence for it here"),
    )
