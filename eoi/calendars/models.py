from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.accounts.models import User
from eoi.columns import UTCDateTime
from eoi.extensions import Model
from eoi.guard import unguarded


class CalendarFeed(Model):
    """A person's secret calendar link. Only a hash of the secret is kept, so a copy of the
    database cannot be used to read anyone's deadlines; the link is shown once, when made.

    One row per person: a new link replaces the hash, so the old link stops working, and
    stopping the link clears it.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        UniqueConstraint("user_id", name="uq_calendar_feeds_user", info={
            "message": "Your calendar link was made in another window. Make a new link here "
                       "to see it"}),
        UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # SHA-256 of the secret, in hex; NULL once the link is stopped.
    token_hash: Mapped[str | None] = mapped_column(String(64),
        info=unguarded("A SHA-256 of a feed token."))
    # When the current link was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user {self.user_id}>"

    def __str__(self) -> str:
        return f"Calendar link for {self.user}"

    @property
    def is_live(self) -> bool:
        return self.token_hash is not None
