"""Protected figures kept in the database (PublishedFigures), so that a page prints a
national quarter's figures in one statement instead of protecting 800 grants' returns
while someone waits.

The scheduler calls keep_published_figures every few seconds: each published quarter, and
the achievements, whose kept fingerprint is not that of the accepted returns now is
protected again and replaced in one transaction, so readers see the old set or the new,
never a mixture. Until then pages print the old set (a set that passed its audit), or say
the figures are being prepared.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import delete, select

from eoi import clock
from eoi.disclosure.publication import FigureKey
from eoi.disclosure.quarter import COMPLEMENTARY, Cell, ProtectedQuarter
from eoi.extensions import db
from eoi.reports.models import PublishedFigures
from eoi.writes import attempt

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Kept:
    """One scope's kept figures: printed as ProtectedQuarter prints them."""

    subject: str
    scope: str
    fingerprint: str
    made_at: datetime
    cells: Mapping[tuple, Cell]  # by figure key without its scope
    homes: Mapping[str, tuple[str, ...]]
    served: Mapping[str, tuple[str, ...]]
    current: bool = True  # false: of returns since changed, shown while protected again

    def cell(self, key: FigureKey) -> Cell:
        if key[1] != self.scope:
            raise KeyError(f"{key} is not of {self.scope}")
        # A figure outside the set is a known zero, as ProtectedQuarter prints it.
        return self.cells.get((key[0], *key[2:]), Cell.printed(0))


def as_kept(row: PublishedFigures | None) -> Kept | None:
    """A kept row as printed figures (read by eoi.reports.published with the fingerprint)."""
    if row is None:
        return None
    subject, scope = row.subject, row.scope
    cells = {tuple(key): Cell.printed(value) if reason is None else Cell.withheld(reason)
             for key, value, reason in row.figures["cells"]}
    return Kept(subject, scope, row.fingerprint, row.made_at, cells,
                {scope: tuple(row.figures["homes"])}, {scope: tuple(row.figures["served"])})


def rows_of(subject: str, fingerprint: str, protected: ProtectedQuarter,
            made_at: datetime) -> list[PublishedFigures]:
    """The protected set as kept rows, one per scope: each figure as printed, a withheld
    one with its reason and no value."""
    by_scope: dict[str, list] = defaultdict(list)
    for key in protected.publication.figures:
        cell = protected.cell(key)
        reason = (cell.reason or COMPLEMENTARY) if cell.suppressed else None
        by_scope[str(key[1])].append([[key[0], *key[2:]], cell.value, reason])
    return [PublishedFigures(
        subject=subject, scope=scope, fingerprint=fingerprint, made_at=made_at,
        figures={"cells": cells, "homes": list(protected.homes.get(scope, ())),
                 "served": list(protected.served.get(scope, ()))})
        for scope, cells in sorted(by_scope.items())]


def keep_published_figures(most: int | None = None) -> list[str]:
    """Protect again and keep every subject whose returns changed (or the first `most` of
    them, in the order below); the subjects kept."""
    from eoi.reports.programme import published_quarters
    from eoi.reports.published import (
        INDICATORS,
        NotPublishable,
        achievements_now,
        quarter_fingerprint,
        quarter_now,
        quarter_subject,
        returns_fingerprint,
    )

    # What people read most comes first: the latest quarter (the dashboard's own), then the
    # achievements, then the quarters before, newest first. A national quarter takes minutes,
    # so after a restore or a first run the pages people open are ready soonest.
    subjects: dict[str, tuple[Callable[[], tuple[int, str]], Callable[[], ProtectedQuarter]]]
    subjects = {}
    for n, quarter in enumerate(reversed(published_quarters())):
        subjects[quarter_subject(quarter)] = (partial(quarter_fingerprint, quarter),
                                              partial(quarter_now, quarter))
        if n == 0:
            subjects[INDICATORS] = (returns_fingerprint, achievements_now)
    subjects.setdefault(INDICATORS, (returns_fingerprint, achievements_now))
    kept_as = dict(db.session.execute(
        select(PublishedFigures.subject, PublishedFigures.fingerprint).distinct()).all())
    done: list[str] = []
    for subject, (fingerprint_of, protect) in subjects.items():
        if most is not None and len(done) >= most:
            break
        _, before = fingerprint_of()
        if kept_as.get(subject) == before:
            continue
        try:
            protected = protect()
        except NotPublishable:
            # Said once, and the other subjects still kept: a page goes on saying these
            # figures are being prepared, and prints none of them.
            log.error("The disclosure audit did not pass for %s: nothing kept", subject)
            continue
        _, after = fingerprint_of()
        if after != before:  # a return changed while it was read: next time
            continue
        rows = rows_of(subject, before, protected, clock.now())
        outcome = attempt(partial(_replace, subject, rows))
        if outcome.ok:
            done.append(subject)
    gone = set(kept_as) - set(subjects)  # a quarter whose every return was reopened
    if gone:
        attempt(lambda: db.session.execute(
            delete(PublishedFigures).where(PublishedFigures.subject.in_(gone))))
    return done


def _replace(subject: str, rows: list[PublishedFigures]) -> None:
    db.session.execute(delete(PublishedFigures).where(PublishedFigures.subject == subject))
    db.session.add_all(rows)
    db.session.flush()
