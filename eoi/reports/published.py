"""Figures about young people as they may leave MOPAC: each quarter's accepted returns,
every grant's and the programme's, protected together as one set (eoi.disclosure), so
that nothing anyone can download together gives a small count away.

Used for every report: the quarterly PDF boroughs receive, a commissioner's view of a
return, the programme dashboard and its PDF, and the exports. Only the partner who sent a
return and MOPAC see its figures as entered.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import Select, select

from eoi.disclosure.publication import FigureKey
from eoi.disclosure.quarter import (
    PROGRAMME,
    WITHHELD_MEANING,
    Cell,
    ProtectedQuarter,
    protect_quarter,
)
from eoi.extensions import db
from eoi.grants.periods import Quarter
from eoi.reports.charts import Bar, bar_chart
from eoi.returns.figures import (
    BREAKDOWNS,
    COHORTS,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
)
from eoi.returns.models import QuarterlyReturn, ReturnStatus

__all__ = ["PROGRAMME", "WITHHELD_MEANING", "BeingPrepared", "Cell", "NotPublishable",
           "Printed", "PublishedTable",
           "borough_table", "cohort_tables", "protected_quarter", "supported_total"]

# Only what MOPAC has accepted is published: a submitted return may yet come back.
PUBLISHED = (ReturnStatus.accepted,)


class NotPublishable(Exception):
    """The audit did not pass: the figures are not served (the error page says so)."""


@dataclass(frozen=True)
class PublishedTable:
    key: str  # for ids: "gender", "boroughs"
    title: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Cell], Cell]]  # (row title, cells, row total)
    column_totals: list[Cell]
    grand_total: Cell

    @property
    def chart_id(self) -> str:
        return "chart-" + self.key.replace("_", "-")

    def chart(self) -> str:
        """The table's row totals as a bar chart, to stand beside it."""
        what = self.title.lower()
        return bar_chart(f"Young people by {what}", self.bars(), chart_id=self.chart_id,
                         description=f"Young people supported by {what}; withheld figures "
                         "([c]) are left out")

    def bars(self) -> list[Bar]:
        """One bar per row, its total: for the chart beside the table."""
        return [Bar(title, None if total.suppressed else total.value, total.shown)
                for title, _, total in self.rows]


class BeingPrepared(NotPublishable):
    """The figures are too many to protect while someone waits, and the scheduler has not
    kept them yet (eoi.reports.keeping): the page says they are being prepared."""


class Printed(Protocol):
    """Figures as they may be printed: protected now (ProtectedQuarter) or kept (Kept)."""

    @property
    def homes(self) -> Mapping[str, tuple[str, ...]]: ...

    @property
    def served(self) -> Mapping[str, tuple[str, ...]]: ...

    def cell(self, key: FigureKey) -> Cell: ...


# Up to this many grants' returns in a quarter are protected while the page waits (about a
# second); a national quarter's hundreds only by the scheduler, which keeps them.
PROTECTED_WHILE_WAITING_MOST = 100


def protected_quarter(quarter: Quarter, scope: str, *,
                      including: QuarterlyReturn | None = None) -> Printed:
    """The quarter's accepted returns for every grant, protected together, as printed for
    `scope` (a grant reference or PROGRAMME). `including` previews a return not yet
    accepted, for its partner and MOPAC: protected alone, as the figures of a report the
    rest of the quarter may yet make withhold more of. Raises NotPublishable unless the
    audit passed, and BeingPrepared while the scheduler protects a large quarter."""
    if including is not None:
        from eoi.returns.operations import figures_of

        alone = {including.grant.reference: figures_of(including)}
        return _audited(_digest(alone), lambda: protect_quarter(alone), f"{quarter}")
    return _printed(quarter_subject(quarter), scope, _in_quarter(quarter),
                    lambda: quarter_now(quarter))


def quarter_subject(quarter: Quarter) -> str:
    """The subject a quarter's figures are kept under: 2026-Q2."""
    return f"{quarter.financial_year}-Q{quarter.number}"


def quarter_now(quarter: Quarter) -> ProtectedQuarter:
    figures = _quarter_figures(quarter)
    return _audited(_digest(figures), lambda: protect_quarter(figures), f"{quarter}")


def _printed(subject: str, scope: str, where: tuple,
             protect: Callable[[], ProtectedQuarter]) -> Printed:
    """The kept figures when they are of these returns; else protected now when few, else
    the figures kept before (with `current` false) while the scheduler protects again.
    The returns' fingerprint and the kept figures are read in one statement."""
    from eoi.reports.keeping import as_kept
    from eoi.reports.models import PublishedFigures

    counts = _fingerprint_select(*where).subquery()
    grants, returns, ids, versions, row = db.session.execute(
        select(counts, PublishedFigures).select_from(counts).outerjoin(
            PublishedFigures, (PublishedFigures.subject == subject)
            & (PublishedFigures.scope == scope))).one()
    fingerprint = _as_fingerprint(returns, ids, versions)
    found = as_kept(row)
    if found is not None and found.fingerprint == fingerprint:
        return found
    if grants <= PROTECTED_WHILE_WAITING_MOST:
        return protect()
    if found is not None:
        return replace(found, current=False)
    raise BeingPrepared(f"the figures for {subject} are being prepared")


def quarter_fingerprint(quarter: Quarter) -> tuple[int, str]:
    """How many grants have an accepted return for the quarter, and a fingerprint of those
    returns (ids and versions: accepting, reopening or changing one changes it)."""
    return returns_fingerprint(*_in_quarter(quarter))


def _in_quarter(quarter: Quarter) -> tuple:
    return (QuarterlyReturn.financial_year == quarter.financial_year,
            QuarterlyReturn.quarter == quarter.number)


def _fingerprint_select(*where) -> Select:
    return (select(db.func.count(QuarterlyReturn.grant_id.distinct()).label("grants"),
                   db.func.count().label("returns"),
                   db.func.coalesce(db.func.sum(QuarterlyReturn.id), 0).label("ids"),
                   db.func.coalesce(db.func.sum(QuarterlyReturn.version), 0).label("versions"))
            .where(QuarterlyReturn.status.in_(PUBLISHED), *where))


def returns_fingerprint(*where) -> tuple[int, str]:
    """How many grants have an accepted return (of those `where` picks), and a fingerprint
    of those returns."""
    grants, returns, ids, versions = db.session.execute(_fingerprint_select(*where)).one()
    return grants, _as_fingerprint(returns, ids, versions)


def _as_fingerprint(returns: int, ids: int, versions: int) -> str:
    return f"{returns}:{ids}:{versions}"


def _digest(figures: Mapping[str, ReturnFigures]) -> str:
    return hashlib.sha256(json.dumps(
        {reference: _canonical(f) for reference, f in figures.items()},
        sort_keys=True).encode()).hexdigest()


def _quarter_figures(quarter: Quarter) -> dict[str, ReturnFigures]:
    """The quarter's accepted returns' counts by grant reference, read in three statements
    whatever the number of grants (figures_of would read each return's rows in turn).
    Only what the protection reads is gathered: the supported, the breakdowns, the
    boroughs."""
    from eoi.grants.models import Grant
    from eoi.returns.models import ReturnBoroughCount, ReturnCount

    in_quarter = (QuarterlyReturn.financial_year == quarter.financial_year,
                  QuarterlyReturn.quarter == quarter.number,
                  QuarterlyReturn.status.in_(PUBLISHED))
    figures = {reference: ReturnFigures(supported=Cohorts(new, continuing))
               for reference, new, continuing in db.session.execute(
                   select(Grant.reference, QuarterlyReturn.new_supported,
                          QuarterlyReturn.continuing_supported)
                   .join(Grant, Grant.id == QuarterlyReturn.grant_id).where(*in_quarter))}
    for reference, breakdown, category, new, continuing in db.session.execute(
            select(Grant.reference, ReturnCount.breakdown, ReturnCount.category,
                   ReturnCount.new_count, ReturnCount.continuing_count)
            .join(QuarterlyReturn, QuarterlyReturn.id == ReturnCount.return_id)
            .join(Grant, Grant.id == QuarterlyReturn.grant_id).where(*in_quarter)):
        figures[reference].breakdowns.setdefault(breakdown, {})[category] = Cohorts(
            new, continuing)
    for reference, home, served, new, continuing in db.session.execute(
            select(Grant.reference, ReturnBoroughCount.residence_code,
                   ReturnBoroughCount.service_code, ReturnBoroughCount.new_count,
                   ReturnBoroughCount.continuing_count)
            .join(QuarterlyReturn, QuarterlyReturn.id == ReturnBoroughCount.return_id)
            .join(Grant, Grant.id == QuarterlyReturn.grant_id).where(*in_quarter)):
        figures[reference].boroughs[home, served] = Cohorts(new, continuing)
    return figures


# The protection of each set of figures seen lately, by a digest of the figures: the same
# figures always get the same protection, and choosing it takes many solves.
# A worker's threads share it, so it is read and changed under a lock (not while solving:
# two threads may then protect the same figures at once, and get the same answer).
_SEEN: OrderedDict[str, ProtectedQuarter] = OrderedDict()
_SEEN_MOST = 32
_SEEN_LOCK = threading.Lock()


def _remembered(digest: str) -> ProtectedQuarter | None:
    with _SEEN_LOCK:
        if digest in _SEEN:
            _SEEN.move_to_end(digest)
            return _SEEN[digest]
    return None


def _remember(digest: str, protected: ProtectedQuarter) -> None:
    with _SEEN_LOCK:
        _SEEN[digest] = protected
        while len(_SEEN) > _SEEN_MOST:
            _SEEN.popitem(last=False)


def _audited(digest: str, protect: Callable[[], ProtectedQuarter],
             what: str) -> ProtectedQuarter:
    """The protection of the figures `digest` names: remembered, or made by `protect` and
    remembered once its audit has passed. Raises NotPublishable when it has not."""
    protected = _remembered(digest)
    if protected is None:
        protected = protect()
        if not protected.passed:
            raise NotPublishable(f"the disclosure audit did not pass for {what}")
        _remember(digest, protected)
    return protected


def _canonical(figures: ReturnFigures) -> dict:
    return {"breakdowns": {key: {category: [c.new, c.continuing]
                                 for category, c in categories.items()}
                           for key, categories in figures.breakdowns.items()},
            "boroughs": sorted([home, served, c.total]
                               for (home, served), c in figures.boroughs.items())}


def cohort_tables(protected: Printed, scope: str) -> list[PublishedTable]:
    """Young people by gender, age band and disability; new and continuing."""
    cohort_titles = [title for _, title in COHORTS]
    tables = []
    for key, title, categories in BREAKDOWNS:
        rows = [(category_title,
                 [protected.cell(("cell", scope, key, category, cohort)) for cohort, _ in COHORTS],
                 protected.cell(("row", scope, key, category)))
                for category, category_title in categories]
        tables.append(PublishedTable(
            key, title, title, cohort_titles, rows,
            [protected.cell(("cohort", scope, cohort)) for cohort, _ in COHORTS],
            protected.cell(("total", scope))))
    return tables


def borough_table(protected: Printed, scope: str,
                  names: Mapping[str, str]) -> PublishedTable:
    """Where young people live (rows) against where they were supported (columns), for
    the boroughs that appear; the cells off the diagonal are support across a boundary."""
    names = {**names, OUTSIDE_LONDON: OUTSIDE_LONDON_NAME}
    homes: Sequence[str] = sorted(protected.homes.get(scope, ()), key=lambda code: (
        code == OUTSIDE_LONDON, names.get(code, code)))
    served: Sequence[str] = sorted(protected.served.get(scope, ()),
                                   key=lambda code: names.get(code, code))
    rows = [(names.get(home, home),
             [protected.cell(("pair", scope, home, place)) for place in served],
             protected.cell(("home", scope, home))) for home in homes]
    return PublishedTable(
        "boroughs", "Borough of residence by borough of service", "Lives in",
        [names.get(place, place) for place in served], rows,
        [protected.cell(("served", scope, place)) for place in served],
        protected.cell(("total", scope)))


def supported_total(protected: Printed, scope: str) -> Cell:
    """Everyone supported: the same figure as every table's grand total."""
    return protected.cell(("total", scope))


# Indicators -------------------------------------------------------------------------------

# Indicators in this unit count young people, and are protected like the tables.
COUNTS_YOUNG_PEOPLE = "young people"


INDICATORS = "indicators"  # the subject the achievements are kept under
# What an achievement prints while the scheduler protects a national fund's ([x], as the
# ONS marks a figure not available).
NOT_YET = Cell(None, "[x]", True, None)


def protected_achievements(scope: str) -> Printed:
    """Every grant's "achieved to date" for each indicator counting young people, from
    accepted returns, and the programme's sum of each, protected together, as printed for
    `scope`: figures ("indicator", grant reference or PROGRAMME, indicator name)."""
    return _printed(INDICATORS, scope, (), achievements_now)


def achievements_now() -> ProtectedQuarter:
    from eoi.grants.models import Grant
    from eoi.reference.models import Indicator
    from eoi.returns.models import ReturnIndicatorValue

    achieved = db.session.execute(
        select(Grant.reference, Indicator.name, db.func.sum(ReturnIndicatorValue.value))
        .join(QuarterlyReturn, QuarterlyReturn.id == ReturnIndicatorValue.return_id)
        .join(Grant, Grant.id == QuarterlyReturn.grant_id)
        .join(Indicator, Indicator.id == ReturnIndicatorValue.indicator_id)
        .where(QuarterlyReturn.status.in_(PUBLISHED), Indicator.unit == COUNTS_YOUNG_PEOPLE)
        .group_by(Grant.reference, Indicator.name)).all()
    digest = "indicators:" + hashlib.sha256(json.dumps(
        sorted([reference, name, int(total)] for reference, name, total in achieved)
    ).encode()).hexdigest()

    def protect_achievements() -> ProtectedQuarter:
        from eoi.disclosure.protect import protected
        from eoi.disclosure.publication import Publication

        publication = Publication()
        by_name: dict[str, set[int]] = {}
        for reference, name, total in sorted(achieved):
            term = publication.variable((reference, name), int(total))
            publication.add_figure(("indicator", reference, name), {term})
            by_name.setdefault(name, set()).add(term)
        for name, terms in by_name.items():
            publication.add_figure(("indicator", PROGRAMME, name), terms)
        withheld, passed = protected(publication)
        return ProtectedQuarter(publication, withheld, (), {}, {}, passed)

    return _audited(digest, protect_achievements, "the indicators")


def achieved_cells(scope: str, names: Sequence[str], units: Sequence[str]) -> list[Cell | None]:
    """For each indicator (by name and unit), its achieved to date as published for
    `scope`; None for an indicator that does not count young people (shown as it is)."""
    counting = [unit == COUNTS_YOUNG_PEOPLE for unit in units]
    if not any(counting):
        return [None] * len(names)
    try:
        protected = protected_achievements(scope)
    except BeingPrepared:
        return [NOT_YET if counts else None for counts in counting]
    return [protected.cell(("indicator", scope, name)) if counts else None
            for name, counts in zip(names, counting, strict=True)]


def published_achievements(scope: str, progress: Sequence) -> list[Cell | None]:
    """achieved_cells for a grant's IndicatorProgress list (eoi.grants.monitoring)."""
    return achieved_cells(scope, [p.name for p in progress], [p.unit for p in progress])
