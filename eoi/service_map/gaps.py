"""Where provision is missing or about to end: pure logic over plain facts."""

import enum
from dataclasses import dataclass
from datetime import date, timedelta

ENDING_WITHIN = timedelta(days=365)


class Provision(enum.Enum):
    none = "None"
    ending = "Ends within 12 months"
    ok = "Yes"


@dataclass(frozen=True)
class ServiceFacts:
    borough_ids: frozenset[int]
    types: frozenset
    cohorts: frozenset
    funding_end_date: date | None


def provision(services: list[ServiceFacts], today: date) -> Provision:
    """None if nothing runs today; 'ending' if everything that runs ends within a year."""
    running = [s for s in services if s.funding_end_date is None or s.funding_end_date >= today]
    if not running:
        return Provision.none
    if all(s.funding_end_date is not None and s.funding_end_date <= today + ENDING_WITHIN
           for s in running):
        return Provision.ending
    return Provision.ok


def gap_matrix(services: list[ServiceFacts], borough_ids: list[int], types: list,
               today: date, cohort=None) -> dict[int, dict[object, Provision]]:
    """For each borough and service type, the provision there (for `cohort`, if given)."""
    relevant = [s for s in services if cohort is None or cohort in s.cohorts]
    return {
        borough_id: {
            service_type: provision(
                [s for s in relevant if borough_id in s.borough_ids and service_type in s.types],
                today,
            )
            for service_type in types
        }
        for borough_id in borough_ids
    }
