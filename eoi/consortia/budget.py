"""The pooled budget: pure arithmetic over pledges, no database."""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class PledgeLine:
    """What the arithmetic needs of a pledge."""

    funder: str
    financial_year: int
    amount_pence: int
    is_mopac: bool
    is_live: bool = True


@dataclass
class PooledBudget:
    years: list[int]
    funders: list[str]
    # cells[funder][year] in pence; only live pledges count
    cells: dict[str, dict[int, int]] = field(default_factory=dict)
    by_year: dict[int, int] = field(default_factory=dict)
    by_funder: dict[str, int] = field(default_factory=dict)
    total: int = 0
    mopac_total: int = 0

    @property
    def mopac_share(self) -> Fraction | None:
        """MOPAC's share of the pool, or None when the pool is empty."""
        return Fraction(self.mopac_total, self.total) if self.total else None

    def mopac_share_label(self) -> str:
        share = self.mopac_share
        return "No pledges yet" if share is None else f"{float(share) * 100:.1f}%"


def pooled_budget(lines: list[PledgeLine]) -> PooledBudget:
    live = [line for line in lines if line.is_live]
    cells: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in live:
        cells[line.funder][line.financial_year] += line.amount_pence
    years = sorted({line.financial_year for line in live})
    # MOPAC first, then the other funders by name: the table reads as "MOPAC and its co-funders".
    mopac = {line.funder for line in live if line.is_mopac}
    funders = sorted(cells, key=lambda name: (name not in mopac, name))
    by_year = {year: sum(cells[f].get(year, 0) for f in funders) for year in years}
    by_funder = {f: sum(cells[f].values()) for f in funders}
    return PooledBudget(
        years=years,
        funders=funders,
        cells={f: dict(cells[f]) for f in funders},
        by_year=by_year,
        by_funder=by_funder,
        total=sum(by_funder.values()),
        mopac_total=sum(line.amount_pence for line in live if line.is_mopac),
    )
