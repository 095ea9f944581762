"""The outbox: operations call `notify` inside their own transaction, so a message exists if
and only if its change was committed; the scheduler calls `deliver_due` to send them.

Delivery, with two schedulers or one: a message is claimed by an UPDATE that only one
process can win (it must still be waiting and unclaimed), sent, then marked sent. A
message whose sending fails is tried again later and later (BACKOFF), and after
MOST_ATTEMPTS it is marked failed, for the fund team to see. The one way a message can
go twice is a process that dies between the mail server taking it and marking it sent:
its claim runs out and it is sent again. Nothing is ever lost.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eoi import clock, mail
from eoi.accounts.models import User
from eoi.extensions import db
from eoi.notifications.catalogue import EVENTS, written
from eoi.notifications.models import Delivery, Notification, NotificationPreference, Told
from eoi.writes import attempt

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)  # far longer than any mail server takes to answer
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=6))
MOST_ATTEMPTS = len(BACKOFF) + 1
SENT_EACH_RUN = 200
CLEARED = "(This message held a single-use link. It was cleared once the message was sent.)"


@dataclass(frozen=True)
class Invitee:
    """Someone with no account yet: an address and a name."""

    email: str
    full_name: str
    id: None = None


def service_link(path: str) -> str:
    """An address in the service, for an email: emails are read outside any request."""
    from flask import current_app

    return f"{current_app.config['EOI_BASE_URL']}{path}"


def notify(event_name: str, about: str, recipients: Iterable[User | Invitee],
           **fields: str) -> int:
    """Write `event_name`'s message to each recipient into the outbox, in the caller's
    transaction; how many were new. `about` names what it tells of (an EOI's reference, a
    token's id), so that the same change told twice makes one message each."""
    event = EVENTS[event_name]
    now = clock.now()
    people = list(recipients)
    chosen = {} if event.service else choices_of([p.id for p in people if p.id], event.name)
    rows = []
    for person in people:
        subject, body = written(event, {"recipient": person.full_name, **fields})
        rows.append({
            "key": f"{event.name}:{about}:{person.id or person.email}"[:200],
            "event": event.name, "user_id": person.id, "email": person.email,
            "subject": subject[:300], "body": body, "created_at": now,
            "delivery": DELIVERY_FOR[chosen.get(person.id or 0, Told.immediately)],
            "due_at": now, "attempts": 0,
        })
    if not rows:
        return 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Notification).values(rows).on_conflict_do_nothing(
        index_elements=["key"])
    # Counted by what came back: a driver's rowcount for a multi-row insert that may skip
    # rows is not to be trusted (psycopg gives -1).
    return len(db.session.execute(statement.returning(Notification.id)).all())


DELIVERY_FOR = {Told.immediately: Delivery.waiting, Told.daily: Delivery.digest,
                Told.off: Delivery.not_emailed}


def choices_of(user_ids: list[int], event_name: str) -> dict[int, Told]:
    """What each of these people chose for `event_name`, where they chose: one query."""
    if not user_ids:
        return {}
    return dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.choice).where(
            NotificationPreference.user_id.in_(user_ids),
            NotificationPreference.event == event_name)).all())


def all_choices_of(user: User) -> dict[str, Told]:
    """Everything the person chose, by event name: one query."""
    return dict(db.session.execute(
        select(NotificationPreference.event, NotificationPreference.choice).where(
            NotificationPreference.user_id == user.id)).all())


# A digest lists this many messages at most; the rest are on the person's notifications page.
DIGEST_ITEMS = 50


def send_digests(now: datetime | None = None) -> int:
    """Each person's messages waiting for the daily digest, as one email (itself sent by
    deliver_due); how many digests were written. Run daily, with the reminders. One person at
    a time, so however much waits, only one person's messages are in memory."""
    at = now or clock.now()
    waiting = (Notification.delivery == Delivery.digest, Notification.user_id.is_not(None))
    people = db.session.scalars(select(Notification.user_id).where(*waiting).distinct()
                                .order_by(Notification.user_id)).all()
    for user_id in people:
        mine = (*waiting, Notification.user_id == user_id)
        count = db.session.scalar(select(func.count(Notification.id)).where(*mine)) or 0
        shown = db.session.scalars(select(Notification).where(*mine).order_by(
            Notification.created_at, Notification.id).limit(DIGEST_ITEMS)).all()
        last_id = db.session.scalar(select(func.max(Notification.id)).where(*mine))
        items = "\n\n".join(f"{n.subject}\n{_link_in(n.body)}" for n in shown)
        if count > len(shown):
            items += (f"\n\nAnd {count - len(shown):,} more: "
                      f"{service_link('/account/notifications')}")
        db.session.add(Notification(
            key=f"digest:{user_id}:{last_id}", event="daily_digest", user_id=user_id,
            email=shown[0].email, created_at=at, due_at=at, delivery=Delivery.waiting,
            attempts=0,
            subject=f"{count} update{'s' * (count != 1)} from the co-commissioning fund",
            body=f"Since your last daily email:\n\n{items}\n\nTo choose how you are told of "
                 f"each kind of message: {service_link('/account/notifications/settings')}"))
        db.session.execute(update(Notification).where(*mine, Notification.id <= last_id)
                           .values(delivery=Delivery.sent, sent_at=at)
                           .execution_options(synchronize_session=False))
    return len(people)


def _link_in(body: str) -> str:
    """The last address in a message's body: where to act on it."""
    found = [word for word in body.split() if word.startswith(("http://", "https://"))]
    return found[-1] if found else ""


def deliver_due(now: datetime | None = None) -> int:
    """Send the messages that are due; how many went. Each step commits on its own
    (eoi.writes.attempt), so no transaction is held open while a mail server answers."""
    at = now or clock.now()
    due = attempt(lambda: db.session.scalars(
        select(Notification.id)
        .where(Notification.delivery == Delivery.waiting, Notification.due_at <= at,
               or_(Notification.claimed_until.is_(None), Notification.claimed_until < at))
        .order_by(Notification.due_at, Notification.id).limit(SENT_EACH_RUN)).all())
    return sum(_deliver(notification_id, at) for notification_id in due.result or [])


def _claim(notification_id: int, now: datetime) -> Notification | None:
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.delivery == Delivery.waiting,
               or_(Notification.claimed_until.is_(None), Notification.claimed_until < now))
        .values(claimed_until=now + CLAIM))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # another process has it
        return None
    notification = db.session.get_one(Notification, notification_id)
    db.session.expunge(notification)  # read after the commit, with no query
    return notification


def _deliver(notification_id: int, now: datetime) -> bool:
    notification = attempt(lambda: _claim(notification_id, now)).result
    if notification is None:
        return False
    try:
        mail.send_email([notification.email], notification.subject, notification.body)
    except Exception as error:  # any failure to hand it over: try again later
        attempt(partial(_failed, notification, now, error))
        return False
    done: dict[str, object] = {"delivery": Delivery.sent, "sent_at": now,
                               "attempts": notification.attempts + 1, "claimed_until": None}
    if notification.event in EVENTS and EVENTS[notification.event].secret:
        done["body"] = CLEARED
    attempt(lambda: db.session.execute(
        update(Notification).where(Notification.id == notification_id).values(**done)))
    return True


def _failed(notification: Notification, now: datetime, error: Exception) -> None:
    attempts = notification.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "claimed_until": None,
                                 "last_error": f"{type(error).__name__}: {error}"[:500]}
    if attempts >= MOST_ATTEMPTS:
        values["delivery"] = Delivery.failed
        log.error("Gave up sending notification %s after %s attempts: %s",
                  notification.id, attempts, error)
    else:
        values["due_at"] = now + BACKOFF[attempts - 1]
    db.session.execute(update(Notification).where(Notification.id == notification.id)
                       .values(**values))


def try_again(notification: Notification, *, by: User) -> None:
    """A fund manager sends a failed message once more (after mending the mail server)."""
    from eoi.audit import record_audit
    from eoi.refusals import TransitionRefused

    if notification.delivery is not Delivery.failed:
        raise TransitionRefused("Only a message that failed can be sent again")
    notification.delivery, notification.attempts = Delivery.waiting, 0
    notification.due_at, notification.claimed_until = clock.now(), None
    record_audit("notification.retried", notification, user=by,
                 summary=f"Sent again: {notification.subject} to {notification.email}")


def set_preferences(user: User, chosen: dict[str, Told]) -> None:
    """Keep the person's choices: one row for each kind not sent straight away."""
    from sqlalchemy import delete

    from eoi.audit import record_audit

    unknown = [name for name in chosen if name not in EVENTS or EVENTS[name].service]
    if unknown:
        raise ValueError(f"not a choice: {unknown}")
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id))
    db.session.add_all(NotificationPreference(user_id=user.id, event=name, choice=told)
                       for name, told in chosen.items() if told is not Told.immediately)
    record_audit("user.notifications_chosen", user, user=user,
                 summary="Chose how they are told: " + "; ".join(
                     f"{EVENTS[name].title}: {told.title.lower()}"
                     for name, told in chosen.items() if told is not Told.immediately)
                 if any(t is not Told.immediately for t in chosen.values())
                 else "Chose to be emailed straight away about everything")


def notifications_of(user: User) -> Select:
    """The person's own notifications, newest first: the in-service list starts here."""
    return (select(Notification).where(Notification.user_id == user.id,
                                       Notification.event != "daily_digest")
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user: User, notification_ids: list[int]) -> None:
    if notification_ids:
        db.session.execute(update(Notification).where(
            Notification.user_id == user.id, Notification.id.in_(notification_ids),
            Notification.read_at.is_(None)).values(read_at=clock.now()))


def unread_count(user: User) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None),
        Notification.event != "daily_digest")) or 0
