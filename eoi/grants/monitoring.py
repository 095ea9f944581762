"""What a grant's returns add up to so far, and the facts its red/amber/green status is
worked out from (the rule itself is in eoi.grants.status)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    ScalarSelect,
    Subquery,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from eoi.extensions import db
from eoi.grants.models import (
    OPEN_MILESTONES,
    Grant,
    GrantFunding,
    GrantIndicator,
    IndicatorTarget,
    Milestone,
)
from eoi.grants.periods import Quarter
from eoi.grants.status import (
    MILESTONES_RED_FROM,
    OUTCOMES_AMBER_BELOW,
    OUTCOMES_RED_BELOW,
    RETURN_RED_AFTER_DAYS,
    SPEND_AMBER_ABOVE,
    SPEND_AMBER_BELOW,
    SPEND_RED_ABOVE,
    SPEND_RED_BELOW,
    GrantFacts,
    GrantStatus,
    Rag,
    grant_status,
)
from eoi.reference.models import Indicator
from eoi.returns.models import (
    QuarterlyReturn,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
)

# Returns whose figures count: sent in, whether or not MOPAC has checked them yet.
REPORTED = (ReturnStatus.submitted, ReturnStatus.accepted)


@dataclass(frozen=True)
class IndicatorProgress:
    name: str
    unit: str
    achieved: int  # added up over the reported quarters
    target_to_date: int | None  # None while no target covers the reported quarters
    target_total: int

    @property
    def ratio(self) -> Fraction | None:
        if not self.target_to_date:
            return None
        return Fraction(self.achieved, self.target_to_date)


def reported_returns(grant: Grant) -> list[QuarterlyReturn]:
    return [r for r in grant.returns if r.status in REPORTED]


def latest_reported(grant: Grant) -> QuarterlyReturn | None:
    reported = reported_returns(grant)
    return reported[-1] if reported else None


def spend_to_date(grant: Grant) -> int:
    """Spend as the latest return gives it: returns report spend since the grant began."""
    latest = latest_reported(grant)
    return sum(s.amount_pence for s in latest.spend) if latest else 0


@dataclass(frozen=True)
class YearForecast:
    """One financial year's money: its budget, what was spent in it by the latest return,
    what that return forecasts for the rest of the year, and the underspend that leaves."""

    financial_year: int
    budget: int
    spent: int
    forecast: int
    reported_to: Quarter | None  # the return the figures come from; None across grants

    @property
    def year_end(self) -> int:
        return self.spent + self.forecast

    @property
    def underspend(self) -> int:
        """Below zero is an overspend."""
        return self.budget - self.year_end


def forecast_against_actual(grant: Grant) -> list[YearForecast]:
    """Each year a return has reported in. Returns give spend since the grant began, so a
    year's spend is its latest figure less the last one before the year."""
    reported = reported_returns(grant)
    years = []
    before = 0  # spend to date at the end of the years already counted
    for year in sorted({r.financial_year for r in reported}):
        latest = [r for r in reported if r.financial_year == year][-1]
        to_date = sum(s.amount_pence for s in latest.spend)
        years.append(YearForecast(
            financial_year=year,
            budget=sum(f.amount_pence for f in grant.funding if f.financial_year == year),
            spent=to_date - before, forecast=sum(f.amount_pence for f in latest.forecast),
            reported_to=latest.period))
        before = to_date
    return years


def profiled_spend(grant: Grant, through: Quarter) -> int:
    """What the pooled budget expects spent by the end of `through`: each year's funding
    spread evenly over the quarters the grant delivers in that year."""
    profile = Fraction(0)
    for year in sorted({f.financial_year for f in grant.funding}):
        year_total = sum(f.amount_pence for f in grant.funding if f.financial_year == year)
        quarters = _delivery_quarters(grant, year)
        done = [q for q in quarters if q <= through]
        if quarters:
            profile += Fraction(year_total * len(done), len(quarters))
    return int(profile)


def _delivery_quarters(grant: Grant, year: int) -> list[Quarter]:
    return [r.period for r in grant.returns if r.financial_year == year]


def indicator_progress(grant: Grant) -> list[IndicatorProgress]:
    reported = reported_returns(grant)
    through = reported[-1].period if reported else None
    progress = []
    for grant_indicator in grant.indicators:
        achieved = sum(v.value for r in reported for v in r.indicator_values
                       if v.indicator_id == grant_indicator.indicator_id)
        target_to_date = None
        if through is not None:
            share = Fraction(0)
            for target in grant_indicator.targets:
                quarters = _delivery_quarters(grant, target.financial_year)
                if quarters:
                    done = sum(q <= through for q in quarters)
                    share += Fraction(target.target * done, len(quarters))
            target_to_date = int(share) if share else None
        progress.append(IndicatorProgress(
            grant_indicator.indicator.name, grant_indicator.indicator.unit, achieved,
            target_to_date, sum(t.target for t in grant_indicator.targets)))
    return progress


def facts_for(grant: Grant, today: date) -> GrantFacts:
    overdue = [r for r in grant.returns if r.is_overdue(today)]
    oldest = min(overdue, key=lambda r: r.due_on) if overdue else None
    latest = latest_reported(grant)
    return GrantFacts(
        today=today,
        returns_overdue=len(overdue),
        days_most_overdue=oldest.days_overdue(today) if oldest else 0,
        returns_returned_for_changes=sum(r.status is ReturnStatus.returned
                                         for r in grant.returns),
        award_pence=grant.pooled_total_pence,
        spend_to_date_pence=spend_to_date(grant),
        profiled_spend_to_date_pence=profiled_spend(grant, latest.period) if latest else 0,
        outcome_progress=[(p.name, p.ratio) for p in indicator_progress(grant)],
        milestones_overdue=sum(m.is_overdue(today) for m in grant.milestones),
        most_overdue_return=oldest.period.short_label if oldest else None,
    )


def status_of(grant: Grant, today: date) -> GrantStatus:
    return grant_status(facts_for(grant, today))


# The status in SQL ------------------------------------------------------------------------
# The same rule as status_of, for every grant at once, so a list can filter by status and
# count the grants that match without loading any. Only the colour: the reasons, in words,
# are status_of's, for the rows a page shows. tests/scale/test_grant_status_sql.py holds the two
# to the same answers.

# A year of delivery has 1 to 4 quarters of returns, so a year's amount shared over its
# quarters is a whole number of twelfths: sums of shares are exact in integers, as the
# Fractions above are.
_TWELFTHS = 12

# Outcomes average ratios, which SQL holds as floating point. A mean this close to a
# threshold is taken as on it (not below): two means differ by at least 1/(20 × the least
# common multiple of the targets to date), far more than this while that multiple is under
# 5 × 10^10, as it is for any three indicators with targets under 3,000 young people.
_OUTCOME_TOLERANCE = 1e-12


def _period_key(table) -> ColumnElement[int]:
    """A return's quarter as one number that sorts as quarters do: 20261 is Q1 2026-27."""
    return table.financial_year * 10 + table.quarter


def _total(whole_numbers) -> ColumnElement[int]:
    """A sum that stays a whole number: PostgreSQL sums bigints as numeric, on which
    division would no longer drop the remainder."""
    return cast(func.sum(whole_numbers), BigInteger)


def _below(value, fraction: Fraction, of) -> ColumnElement[bool]:
    """value < fraction × of, in whole numbers."""
    return value * fraction.denominator < of * fraction.numerator


def _above(value, fraction: Fraction, of) -> ColumnElement[bool]:
    return value * fraction.denominator > of * fraction.numerator


@dataclass(frozen=True)
class GrantSums:
    """facts_for's figures for every grant (or some), as subqueries keyed by grant_id: the
    lists' statuses and the programme's totals are all added up from these."""

    profile: Subquery  # twelfths: the pooled budget profiled to date, in twelfths of pence
    pooled: Subquery  # pence: the pooled budget
    spend: Subquery  # pence: the spend the latest reported return gives
    targets: Subquery  # per grant indicator, twelfths: its target to date
    achieved: Subquery  # per grant and indicator, value: added up over reported returns
    outcomes: Subquery  # known, ratios: indicators with a target to date, their ratios added
    overdue: Subquery  # oldest, count: draft returns past their due date
    sent_back: Subquery  # count: returns sent back for changes
    late: Subquery  # milestones: open milestones past their due date

    @property
    def per_grant(self) -> tuple[Subquery, ...]:
        return (self.profile, self.pooled, self.spend, self.outcomes, self.overdue,
                self.sent_back, self.late)


def grant_sums(today: date, grant_ids: Sequence[int] | None = None) -> GrantSums:
    """The figures of the grants in `grant_ids` (every grant when None) on `today`, which
    only the overdue returns and milestones depend on: each subquery reads only those
    grants' rows, as PostgreSQL would not carry a list of ids into them."""
    ret = aliased(QuarterlyReturn)

    def of(column) -> ColumnElement[bool]:
        return column.in_(grant_ids) if grant_ids is not None else true()

    key = _period_key(ret)
    latest = (select(ret.grant_id, func.max(key).label("through"))
              .where(ret.status.in_(REPORTED), of(ret.grant_id))
              .group_by(ret.grant_id).subquery("latest"))
    # Per grant and year of delivery: its quarters of returns, and how many of those the
    # latest reported return has reached (profiled_spend's and the targets' `done`).
    years = (select(ret.grant_id, ret.financial_year, func.count().label("quarters"),
                    _total(case((key <= latest.c.through, 1), else_=0)).label("done"))
             .join(latest, latest.c.grant_id == ret.grant_id).where(of(ret.grant_id))
             .group_by(ret.grant_id, ret.financial_year).subquery("years"))

    def twelfths_to_date(amount):
        return amount * years.c.done * _TWELFTHS // years.c.quarters

    def of_year(grant_id, financial_year):
        return and_(years.c.grant_id == grant_id, years.c.financial_year == financial_year)

    profile = (select(GrantFunding.grant_id,
                      _total(twelfths_to_date(GrantFunding.amount_pence)).label("twelfths"))
               .join(years, of_year(GrantFunding.grant_id, GrantFunding.financial_year))
               .where(of(GrantFunding.grant_id))
               .group_by(GrantFunding.grant_id).subquery("profile"))
    pooled = (select(GrantFunding.grant_id, _total(GrantFunding.amount_pence).label("pence"))
              .where(of(GrantFunding.grant_id))
              .group_by(GrantFunding.grant_id).subquery("pooled"))
    spend = (select(ret.grant_id, _total(ReturnSpend.amount_pence).label("pence"))
             .join(latest, and_(latest.c.grant_id == ret.grant_id, key == latest.c.through))
             .join(ReturnSpend, ReturnSpend.return_id == ret.id).where(of(ret.grant_id))
             .group_by(ret.grant_id).subquery("spend"))

    targets = (select(GrantIndicator.id.label("grant_indicator_id"), GrantIndicator.grant_id,
                      GrantIndicator.indicator_id,
                      _total(twelfths_to_date(IndicatorTarget.target)).label("twelfths"))
               .join(IndicatorTarget, IndicatorTarget.grant_indicator_id == GrantIndicator.id)
               .join(years, of_year(GrantIndicator.grant_id, IndicatorTarget.financial_year))
               .where(of(GrantIndicator.grant_id))
               .group_by(GrantIndicator.id, GrantIndicator.grant_id,
                         GrantIndicator.indicator_id).subquery("targets"))
    achieved = (select(ret.grant_id, ReturnIndicatorValue.indicator_id,
                       _total(ReturnIndicatorValue.value).label("value"))
                .join(ReturnIndicatorValue, ReturnIndicatorValue.return_id == ret.id)
                .where(ret.status.in_(REPORTED), of(ret.grant_id))
                .group_by(ret.grant_id, ReturnIndicatorValue.indicator_id).subquery("achieved"))
    target_to_date = targets.c.twelfths // _TWELFTHS
    ratio = cast(func.coalesce(achieved.c.value, 0), Float) / target_to_date
    # Only indicators with a whole target to date count, as in IndicatorProgress.ratio.
    outcomes = (select(targets.c.grant_id, func.count().label("known"),
                       func.sum(ratio).label("ratios"))
                .select_from(targets)
                .outerjoin(achieved, and_(achieved.c.grant_id == targets.c.grant_id,
                                          achieved.c.indicator_id == targets.c.indicator_id))
                .where(target_to_date > 0)
                .group_by(targets.c.grant_id).subquery("outcomes"))

    overdue = (select(ret.grant_id, func.min(ret.due_on).label("oldest"),
                      func.count().label("count"))
               .where(ret.status == ReturnStatus.draft, ret.due_on < today, of(ret.grant_id))
               .group_by(ret.grant_id).subquery("overdue"))
    sent_back = (select(ret.grant_id, func.count().label("count"))
                 .where(ret.status == ReturnStatus.returned, of(ret.grant_id))
                 .group_by(ret.grant_id).subquery("sent_back"))
    late = (select(Milestone.grant_id, func.count().label("milestones"))
            .where(Milestone.status.in_(OPEN_MILESTONES), Milestone.due_on < today,
                   of(Milestone.grant_id))
            .group_by(Milestone.grant_id).subquery("late"))
    return GrantSums(profile, pooled, spend, targets, achieved, outcomes, overdue,
                     sent_back, late)


def rag_sql(today: date) -> Subquery:
    """(grant_id, rag) for every grant: its red, amber or green on `today`, as status_of
    gives it, with rag one of Rag's values."""
    sums = grant_sums(today)
    spent = func.coalesce(sums.spend.c.pence, 0)
    profiled = func.coalesce(sums.profile.c.twelfths, 0) // _TWELFTHS
    known = func.coalesce(sums.outcomes.c.known, 0)
    overdue, late = sums.overdue, func.coalesce(sums.late.c.milestones, 0)

    def outcomes_below(threshold: Fraction) -> ColumnElement[bool]:
        return and_(known > 0, sums.outcomes.c.ratios
                    < known * float(threshold) - _OUTCOME_TOLERANCE)

    red = or_(
        overdue.c.oldest < today - timedelta(days=RETURN_RED_AFTER_DAYS),
        and_(profiled > 0, or_(_below(spent, SPEND_RED_BELOW, profiled),
                               _above(spent, SPEND_RED_ABOVE, profiled))),
        spent > func.coalesce(sums.pooled.c.pence, 0),
        outcomes_below(OUTCOMES_RED_BELOW),
        late >= MILESTONES_RED_FROM,
    )
    amber = or_(
        overdue.c.oldest.is_not(None),
        sums.sent_back.c.grant_id.is_not(None),
        and_(profiled > 0, or_(_below(spent, SPEND_AMBER_BELOW, profiled),
                               _above(spent, SPEND_AMBER_ABOVE, profiled))),
        outcomes_below(OUTCOMES_AMBER_BELOW),
        late > 0,
    )
    rag = case((red, Rag.red.value), (amber, Rag.amber.value), else_=Rag.green.value)
    query = select(Grant.id.label("grant_id"), rag.label("rag"))
    for part in sums.per_grant:
        query = query.outerjoin(part, part.c.grant_id == Grant.id)
    return query.subquery("rag")


def facts_of(grant_ids: Sequence[int], today: date) -> dict[int, GrantFacts]:
    """facts_for of each grant in `grant_ids`, from two statements of sums rather than every
    return, spend line and figure each grant has: for a page of a list, or a chunk of a
    download. tests/scale/test_grant_status_sql.py holds the two to the same answers."""
    ids = list(grant_ids)
    if not ids:
        return {}
    sums = grant_sums(today, ids)
    # The oldest overdue return by name: its quarter, the earliest when two fall due at once.
    oldest = aliased(QuarterlyReturn)
    oldest_key = (select(func.min(_period_key(oldest))).where(
        oldest.grant_id == Grant.id, oldest.status == ReturnStatus.draft,
        oldest.due_on == sums.overdue.c.oldest).scalar_subquery())
    query = select(
        Grant.id, func.coalesce(sums.pooled.c.pence, 0), func.coalesce(sums.spend.c.pence, 0),
        func.coalesce(sums.profile.c.twelfths, 0) // _TWELFTHS,
        func.coalesce(sums.overdue.c.count, 0), sums.overdue.c.oldest,
        case((sums.overdue.c.oldest.is_not(None), oldest_key)),
        func.coalesce(sums.sent_back.c.count, 0), func.coalesce(sums.late.c.milestones, 0),
    ).where(Grant.id.in_(ids))
    for part in sums.per_grant:
        query = query.outerjoin(part, part.c.grant_id == Grant.id)
    progress: dict[int, list[tuple[str, Fraction | None]]] = {i: [] for i in ids}
    targets, achieved = sums.targets, sums.achieved
    for grant_id, name, twelfths, value in db.session.execute(
            select(GrantIndicator.grant_id, Indicator.name, targets.c.twelfths,
                   achieved.c.value)
            .join(Indicator, Indicator.id == GrantIndicator.indicator_id)
            .outerjoin(targets, targets.c.grant_indicator_id == GrantIndicator.id)
            .outerjoin(achieved, and_(achieved.c.grant_id == GrantIndicator.grant_id,
                                      achieved.c.indicator_id == GrantIndicator.indicator_id))
            .where(GrantIndicator.grant_id.in_(ids)).order_by(GrantIndicator.id)):
        target_to_date = (twelfths or 0) // _TWELFTHS
        progress[grant_id].append(
            (name, Fraction(value or 0, target_to_date) if target_to_date else None))
    facts = {}
    for (grant_id, pooled, spent, profiled, overdue, oldest_due, oldest_period, sent_back,
         late) in db.session.execute(query):
        facts[grant_id] = GrantFacts(
            today=today, returns_overdue=overdue,
            days_most_overdue=(today - oldest_due).days if oldest_due else 0,
            returns_returned_for_changes=sent_back, award_pence=pooled,
            spend_to_date_pence=spent, profiled_spend_to_date_pence=profiled,
            outcome_progress=progress[grant_id], milestones_overdue=late,
            most_overdue_return=(Quarter(oldest_period // 10, oldest_period % 10).short_label
                                 if oldest_period else None))
    return facts


def with_rag(rag: Rag, today: date) -> ColumnElement[bool]:
    """A condition on grants: those whose status on `today` is `rag`."""
    statuses = rag_sql(today)
    return Grant.id.in_(select(statuses.c.grant_id).where(statuses.c.rag == rag.value))


def programme_forecasts() -> list[YearForecast]:
    """forecast_against_actual across the fund, one statement a year reported in: each
    year over the grants with a return sent in for it (their budget, their spend in it,
    their forecast for the rest of it)."""
    years = db.session.scalars(select(QuarterlyReturn.financial_year)
                               .where(QuarterlyReturn.status.in_(REPORTED)).distinct()
                               .order_by(QuarterlyReturn.financial_year)).all()
    return [_year_across_grants(year) for year in years]


def _year_across_grants(year: int) -> YearForecast:
    ret = aliased(QuarterlyReturn)

    def latest(where) -> Subquery:
        return (select(ret.grant_id, func.max(_period_key(ret)).label("through"))
                .where(ret.status.in_(REPORTED), where).group_by(ret.grant_id).subquery())

    in_year, before = latest(ret.financial_year == year), latest(ret.financial_year < year)

    def total_at(latest_return: Subquery, table) -> ScalarSelect:
        """The amounts of `table` on each grant's latest return, added up over the grants
        reporting in the year."""
        at = aliased(QuarterlyReturn)
        return (select(func.coalesce(_total(table.amount_pence), 0))
                .join(latest_return, and_(latest_return.c.grant_id == at.grant_id,
                                          _period_key(at) == latest_return.c.through))
                .join(table, table.return_id == at.id)
                .where(at.grant_id.in_(select(in_year.c.grant_id)))
                .select_from(at).scalar_subquery())

    budget = (select(func.coalesce(_total(GrantFunding.amount_pence), 0))
              .where(GrantFunding.financial_year == year,
                     GrantFunding.grant_id.in_(select(in_year.c.grant_id))).scalar_subquery())
    row = db.session.execute(select(budget, total_at(in_year, ReturnSpend),
                                    total_at(before, ReturnSpend),
                                    total_at(in_year, ReturnForecast))).one()
    budget_pence, to_date, before_year, forecast = (int(value) for value in row)
    return YearForecast(financial_year=year, budget=budget_pence, spent=to_date - before_year,
                        forecast=forecast, reported_to=None)
