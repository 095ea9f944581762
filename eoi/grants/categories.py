"""A grant's budget by cost category: what the pooled budget plans to spend on staff,
delivery, training and the rest in each financial year.

It starts as the EOI's budget asked (each year's funding shared over the categories in the
proportions the EOI gave them), and each year's lines always add up to that year's funding:
when money moves between years the categories of both years are reshaped to match, and a
change between categories moves money within one year only.
"""

from collections import defaultdict

from eoi.eois.models import CostCategory, Eoi
from eoi.grants import monitoring
from eoi.grants.models import Grant, GrantBudgetLine, GrantFunding
from eoi.money import share_out

# Where money goes when nothing says otherwise: the EOI gave no budget lines at all.
UNPLANNED = CostCategory.delivery


def initial_lines(eoi: Eoi, funding: list[GrantFunding]) -> list[GrantBudgetLine]:
    """Each year's funding shared over the categories the EOI's budget gave that year; a
    year the EOI gave no lines for takes the proportions of its whole budget."""
    asked_in: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    overall: dict[str, int] = defaultdict(int)
    for line in eoi.budget_lines:
        asked_in[line.financial_year][line.category.value] += line.amount_pence
        overall[line.category.value] += line.amount_pence
    totals: dict[int, int] = defaultdict(int)
    for row in funding:
        totals[row.financial_year] += row.amount_pence
    lines = []
    for year, total in sorted(totals.items()):
        weights = (_positive(asked_in.get(year, {})) or _positive(overall)
                   or {UNPLANNED.value: 1})
        lines += [GrantBudgetLine(financial_year=year, category=CostCategory(key),
                                  amount_pence=pence)
                  for key, pence in sorted(share_out(total, weights).items()) if pence]
    return lines


def _positive(weights: dict[str, int]) -> dict[str, int]:
    return {key: weight for key, weight in weights.items() if weight > 0}


def in_year(grant: Grant, year: int) -> dict[CostCategory, int]:
    return {line.category: line.amount_pence for line in grant.budget_lines
            if line.financial_year == year}


def reshape(grant: Grant, year: int) -> None:
    """Make `year`'s lines add up to its funding again, keeping their proportions (or, for a
    year that had none, those of the grant's whole budget)."""
    total = sum(f.amount_pence for f in grant.funding if f.financial_year == year)
    weights = _positive({c.value: pence for c, pence in in_year(grant, year).items()})
    if not weights:
        whole: dict[str, int] = defaultdict(int)
        for line in grant.budget_lines:
            whole[line.category.value] += line.amount_pence
        weights = _positive(whole)
    shares = share_out(total, weights or {UNPLANNED.value: 1})
    # Changed in place: a line deleted and added again in one flush would meet itself in
    # the unique constraint, as SQLAlchemy inserts before it deletes.
    lines = {line.category.value: line for line in grant.budget_lines
             if line.financial_year == year}
    for key, line in lines.items():
        if shares.get(key):
            line.amount_pence = shares[key]
        else:
            grant.budget_lines.remove(line)
    grant.budget_lines += [GrantBudgetLine(financial_year=year, category=CostCategory(key),
                                           amount_pence=pence)
                           for key, pence in sorted(shares.items())
                           if pence and key not in lines]


def spent_in(grant: Grant, year: int) -> dict[CostCategory, int]:
    """What the returns sent to MOPAC say was spent in `year`, by category. Returns give
    spend since the grant began, so it is the year's latest figure less the last one
    before it."""
    reported = monitoring.reported_returns(grant)
    latest = [r for r in reported if r.financial_year == year]
    earlier = [r for r in reported if r.financial_year < year]
    if not latest:
        return {}
    before = {s.category: s.amount_pence for s in earlier[-1].spend} if earlier else {}
    return {s.category: s.amount_pence - before.get(s.category, 0) for s in latest[-1].spend}


def move(grant: Grant, year: int, from_category: CostCategory, to_category: CostCategory,
         amount_pence: int) -> None:
    lines = {line.category: line for line in grant.budget_lines
             if line.financial_year == year}
    source = lines[from_category]
    source.amount_pence -= amount_pence
    if source.amount_pence == 0:
        grant.budget_lines.remove(source)
    target = lines.get(to_category)
    if target is None:
        grant.budget_lines.append(GrantBudgetLine(financial_year=year, category=to_category,
                                                  amount_pence=amount_pence))
    else:
        target.amount_pence += amount_pence
