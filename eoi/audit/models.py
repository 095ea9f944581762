from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import UTCDateTime
from eoi.extensions import Model
from eoi.guard import guarded, unguarded

if TYPE_CHECKING:
    from eoi.accounts.models import User


class AuditEntry(Model):
    """One recorded change. Entries are only ever added, never edited or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True,
        info=unguarded("A code for what was done, from the service."))
    subject_type: Mapped[str] = mapped_column(String(64),
        info=unguarded("A table name, from the service."))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(300),
        info=unguarded("Written by the service: the name of what changed, already "
                       "guarded in its own column."))
    summary: Mapped[str] = mapped_column(String(500),
        info=unguarded("Written by the service: it quotes text already guarded in "
                       "its own column, or a typed reason that is guarded in `changes`."))
    # {"field": [before, after], ...}: enough to answer "what did this change?"
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON,
        info=guarded(keys=["reason", "question"]))

    user: Mapped["User | None"] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.subject_type}:{self.subject_id}>"

    @property
    def actor_name(self) -> str:
        return self.user.full_name if self.user else "System"

    @property
    def about_the_actor(self) -> bool:
        """The person did it to their own account (signing in, changing their password):
        naming them as the subject too would say it twice."""
        return self.subject_type == "User" and self.subject_id == self.user_id

    @property
    def in_words(self) -> str:
        """One line for a feed: "Approved the milestone (GRT-1), by Morgan Adeyemi"."""
        subject = "" if self.about_the_actor else f" ({self.subject_label})"
        return f"{self.summary}{subject}, by {self.actor_name}"
