"""What a grant's returns add up to so far, and the facts its red/amber/green status is
worked out from (the rule itself is in eoi.grants.status)."""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from eoi.grants.models import Grant
from eoi.grants.periods import Quarter
from eoi.grants.status import GrantFacts, GrantStatus, grant_status
from eoi.returns.models import QuarterlyReturn, ReturnStatus

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
