"""A document asked for, made from one state of the data and kept in storage once ready."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, enum_column_type
from eoi.extensions import Model
from eoi.guard import unguarded

if TYPE_CHECKING:
    from eoi.accounts.models import User

# A document is tried at most this many times, whether asked for again after failing or
# taken again after a preparation that never finished; then only new data makes a new one.
MAX_ATTEMPTS = 3


class DocumentKind(TitledEnum):
    panel_pack = ("panel_pack", "Panel pack")
    programme_report = ("programme_report", "Programme report")


class DocumentStatus(TitledEnum):
    queued = ("queued", "Waiting to be prepared")
    preparing = ("preparing", "Being prepared")
    ready = ("ready", "Ready")
    failed = ("failed", "Could not be prepared")


class PreparedDocument(Model):
    """One kind of document for one subject (a round's id; a quarter for the programme
    report), as of one fingerprint of the data it is made from. One row per fingerprint,
    ever: two people asking at once get the same row, and asking again after a failure
    queues that row again."""

    __tablename__ = "prepared_documents"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "fingerprint",
                         name="uq_prepared_documents_kind_subject_fingerprint"),
        CheckConstraint("(status != 'ready') OR (storage_key IS NOT NULL)",
                        name="ready_has_file"),
        CheckConstraint(f"attempts BETWEEN 0 AND {MAX_ATTEMPTS}", name="attempts_bounded"),
        Index("ix_prepared_documents_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column_type(DocumentKind, "document_kind"))
    subject_id: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64),
        info=unguarded("A hash the service works out from record ids and versions."))
    # The day the document is as of (the programme report's statuses depend on it).
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column_type(DocumentStatus, "document_status"), default=DocumentStatus.queued)
    storage_key: Mapped[str | None] = mapped_column(String(160),
        info=unguarded("A storage key the service makes from ids and the fingerprint."))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(300), default="",
        info=unguarded("Written by the service: the kind of fault, for the fund team."))

    requested_by: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<PreparedDocument {self.kind.value}:{self.subject_id} {self.status.value}>"

    def __str__(self) -> str:
        return f"{self.kind.title} {self.subject_id} ({self.fingerprint[:12]})"

    @property
    def can_be_tried_again(self) -> bool:
        return self.status is DocumentStatus.failed and self.attempts < MAX_ATTEMPTS

    def can_fetch(self, user: "User") -> bool:
        """Whoever may download the document may ask after it: both kinds are the fund
        team's, as their routes (fund_manager_only) say."""
        return user.is_fund_manager
