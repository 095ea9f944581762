from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eoi import clock
from eoi.columns import UTCDateTime
from eoi.extensions import Model
from eoi.guard import unguarded


class SentReminder(Model):
    """One reminder that has been sent. The unique key is what makes sending idempotent:
    a second job, or a second process, cannot insert the same key and so never sends."""

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 'return:42:in_3_days:2026-07-30' (see eoi.grants.periods.reminder_key)
    key: Mapped[str] = mapped_column(String(120), unique=True,
        info=unguarded("A key the service makes for idempotence."))
    recipients: Mapped[str] = mapped_column(Text,
        info=unguarded("Email addresses of users the reminder was sent to, from their accounts."))
    subject: Mapped[str] = mapped_column(String(300),
        info=unguarded("Written by the service from names already guarded in their own columns."))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:
        return f"<SentReminder {self.key}>"

    def __str__(self) -> str:
        return self.subject
