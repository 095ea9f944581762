"""Figures about young people as published, kept: the output of the disclosure protection
(eoi.disclosure), one row per subject (a quarter, or every grant's achievements) and scope
(a grant, or the programme), so that pages print them without protecting them again.

A national quarter takes minutes to protect, so the scheduler does it (eoi.reports.keeping)
and pages read what it kept: a row holds only figures as they may be printed, never a
withheld count.
"""

from datetime import datetime

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eoi import clock
from eoi.columns import UTCDateTime
from eoi.extensions import Model
from eoi.guard import unguarded


class PublishedFigures(Model):
    __tablename__ = "published_figures"
    __table_args__ = (
        UniqueConstraint("subject", "scope", name="uq_published_figures_subject_scope"),
        Index("ix_published_figures_subject_fingerprint", "subject", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20),
        info=unguarded("Made by the service: a quarter such as 2026-Q2, or 'indicators'."))
    scope: Mapped[str] = mapped_column(String(40),
        info=unguarded("Made by the service: a grant reference, or 'programme'."))
    # Of the accepted returns the figures were protected from: when it differs from what
    # the returns give now, the figures are out of date and being protected again.
    fingerprint: Mapped[str] = mapped_column(String(64),
        info=unguarded("A hash the service works out from return ids and versions."))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # {"cells": [[key, value or null, reason or null], ...], "homes": [...], "served": [...]}
    # where a withheld figure's value is always null.
    figures: Mapped[dict] = mapped_column(JSON,
        info=unguarded("Counts the service protected: no text anyone typed."))

    def __repr__(self) -> str:
        return f"<PublishedFigures {self.subject} {self.scope}>"
