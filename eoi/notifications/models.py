from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.accounts.models import User
from eoi.columns import TitledEnum, UTCDateTime, enum_column_type
from eoi.extensions import Model
from eoi.guard import unguarded


class Delivery(TitledEnum):
    waiting = ("waiting", "Waiting to be sent")
    digest = ("digest", "Waiting for the daily digest")
    sent = ("sent", "Sent")
    not_emailed = ("not_emailed", "Not emailed: turned off")
    failed = ("failed", "Failed")


class Told(TitledEnum):
    """How a person chooses to be told of one kind of message."""

    immediately = ("immediately", "By email, straight away")
    daily = ("daily", "In one email a day, at 7am")
    off = ("off", "Not by email (still listed under Your account)")


class Notification(Model):
    """One message to one person, written in the same transaction as the change it tells of
    (so it is sent if and only if the change was made) and sent by the scheduler.

    The key (the event, what it is about and who it is to) is unique: the same change told
    twice, or one told by two processes at once, makes one message."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_delivery_due", "delivery", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True,
        info=unguarded("A key the service makes for idempotence."))
    event: Mapped[str] = mapped_column(String(60),
        info=unguarded("The name of an event in the service's catalogue."))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str] = mapped_column(String(254),
        info=unguarded("The address of a member of staff, from their account or invitation."))
    subject: Mapped[str] = mapped_column(String(300),
        info=unguarded("Written by the service from its catalogue and names already guarded "
                       "in their own columns."))
    body: Mapped[str] = mapped_column(Text,
        info=unguarded("Written by the service from its catalogue and names already guarded "
                       "in their own columns."))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    delivery: Mapped[Delivery] = mapped_column(enum_column_type(Delivery, "delivery"),
                                               default=Delivery.waiting)
    # When it is next to be tried: now, or after a failure, later and later.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Claimed by one delivering process until then, so two schedulers never both send it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500),
        info=unguarded("What the mail server answered, kept for the fund team."))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.event} {self.delivery.value}>"

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(Model):
    """One person's choice for one kind of message; without one, it is sent straight away.
    Service messages (about their own account) have no choice."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event",
                                       name="uq_notification_preferences_user_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(60),
        info=unguarded("The name of an event in the service's catalogue."))
    choice: Mapped[Told] = mapped_column(enum_column_type(Told, "told"))

    def __repr__(self) -> str:
        return f"<NotificationPreference {self.user_id} {self.event} {self.choice.value}>"
