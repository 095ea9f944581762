"""Reconciling an EOI's budget with the consortium's pledges and the round's rules.

Pure: plain numbers in, totals and plainly worded problems out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Line:
    financial_year: int
    funder: str
    is_mopac: bool
    amount_pence: int


@dataclass(frozen=True)
class Rules:
    first_year: int
    last_year: int
    envelope_pence: int
    min_match_percent: int


@dataclass
class Reconciliation:
    total: int = 0
    mopac_request: int = 0
    match_total: int = 0
    by_year: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Some funder other than MOPAC is budgeted beyond what it has confirmed: the pledge,
    # not the budget, may be what needs doing.
    beyond_pledges: bool = False

    @property
    def match_share(self) -> Fraction | None:
        return Fraction(self.match_total, self.total) if self.total else None

    @property
    def match_percent_label(self) -> str:
        share = self.match_share
        return "0%" if share is None else f"{float(share) * 100:.1f}%"

    @property
    def holds(self) -> bool:
        return not self.problems


def reconcile(lines: list[Line], confirmed: dict[tuple[str, int], int], rules: Rules,
              year_label=str, money=str,
              proposed: dict[tuple[str, int], int] | None = None) -> Reconciliation:
    """`confirmed` is the consortium's confirmed (or received) pledges by (funder, year);
    `proposed`, those still waiting for the funder to confirm them."""
    proposed = proposed or {}
    result = Reconciliation()
    if not lines:
        result.problems.append("Add the budget: no lines yet")
        return result
    by_funder_year: dict[tuple[str, int], int] = defaultdict(int)
    by_year: dict[int, int] = defaultdict(int)
    for line in lines:
        result.total += line.amount_pence
        by_year[line.financial_year] += line.amount_pence
        if line.is_mopac:
            result.mopac_request += line.amount_pence
        else:
            result.match_total += line.amount_pence
            by_funder_year[(line.funder, line.financial_year)] += line.amount_pence
    result.by_year = dict(sorted(by_year.items()))

    outside = sorted(y for y in by_year if not rules.first_year <= y <= rules.last_year)
    if outside:
        result.problems.append(
            f"The round covers {year_label(rules.first_year)} to {year_label(rules.last_year)}"
            f"; the budget has lines for {', '.join(year_label(y) for y in outside)}")
    if result.mopac_request == 0:
        result.problems.append("The budget asks MOPAC for nothing")
    if result.mopac_request > rules.envelope_pence:
        result.problems.append(
            f"The MOPAC request of {money(result.mopac_request)} is more than the round's "
            f"whole envelope of {money(rules.envelope_pence)}")
    for (funder, year), amount in sorted(by_funder_year.items()):
        pledged = confirmed.get((funder, year), 0)
        if amount > pledged:
            result.beyond_pledges = True
            waiting = proposed.get((funder, year), 0)
            so_far = (f"has confirmed only {money(pledged)}" if pledged
                      else "has confirmed nothing")
            result.problems.append(
                f"{funder} is down for {money(amount)} in {year_label(year)}, but {so_far} "
                f"to the consortium for that year"
                + (f"; a pledge of {money(waiting)} is waiting for {funder} to confirm it"
                   if waiting else ""))
    if result.total and result.match_total * 100 < rules.min_match_percent * result.total:
        result.problems.append(
            f"Match funding is {result.match_percent_label} of the total; the round asks for "
            f"at least {rules.min_match_percent}%")
    return result
