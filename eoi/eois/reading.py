"""The whole EOI as a reader sees it: every section's answers in words, the outcome targets
and the budget tables. The read-only page and the PDF both show exactly this."""

from collections import defaultdict
from dataclasses import dataclass, field

from eoi.eois.models import Eoi
from eoi.eois.operations import budget_reconciliation, round_years, task_status
from eoi.eois.sections import SECTIONS_BY_KEY
from eoi.money import financial_year_label
from eoi.reference.models import Indicator

NOT_ANSWERED = "Not answered yet"


@dataclass(frozen=True)
class Answer:
    label: str
    text: str


@dataclass(frozen=True)
class Target:
    indicator: str
    unit: str
    baseline: str
    targets: list[str]


@dataclass(frozen=True)
class SectionReading:
    key: str
    title: str
    status: str
    answers: list[Answer] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


@dataclass(frozen=True)
class BudgetReading:
    years: list[str]
    # (year, category, funder, amount in pence), in year order
    lines: list[tuple[str, str, str, int]]
    # funder -> [amount per year..., total]
    by_funder: dict[str, list[int]]
    year_totals: list[int]
    reconciliation: object


def _text(value) -> str:
    text = str(value or "").strip()
    return text or NOT_ANSWERED


def _figure(value) -> str:
    return NOT_ANSWERED if value is None else f"{value:,}"


def read_section(eoi: Eoi, key: str) -> SectionReading:
    section = eoi.section(key)
    spec = SECTIONS_BY_KEY[key]
    content = section.content or {}
    reading = SectionReading(key, spec.title, task_status(section))
    if key == "priorities":
        titles = {p.id: p.title for p in eoi.funding_round.priorities}
        chosen = [titles.get(i, f"Priority {i}") for i in content.get("priority_ids") or []]
        reading.answers.extend([
            Answer("Priorities addressed", "\n".join(chosen) or NOT_ANSWERED),
            Answer("How the proposal addresses them", _text(content.get("how"))),
        ])
    elif key == "outcomes":
        indicators = {str(i.id): i for i in eoi.funding_round.indicators}
        for indicator_id, figures in (content.get("indicators") or {}).items():
            indicator: Indicator | None = indicators.get(indicator_id)
            if indicator is None:
                continue  # no longer offered by the round
            reading.targets.append(Target(
                indicator.name, indicator.unit, _figure(figures.get("baseline")),
                [_figure((figures.get("targets") or {}).get(str(y))) for y in round_years(eoi)]))
    elif key == "budget":
        reading.answers.append(Answer("Notes on the budget", _text(content.get("notes"))))
    else:
        reading.answers.extend(Answer(q.label, _text(content.get(q.name)))
                               for q in spec.questions)
    return reading


def read_budget(eoi: Eoi) -> BudgetReading:
    years = round_years(eoi)
    by_funder: dict[str, list[int]] = defaultdict(lambda: [0] * (len(years) + 1))
    year_totals = [0] * (len(years) + 1)
    for line in eoi.budget_lines:
        if line.financial_year in years:
            column = years.index(line.financial_year)
            for row in (by_funder[line.funder.name], year_totals):
                row[column] += line.amount_pence
                row[-1] += line.amount_pence
    lines = [(financial_year_label(line.financial_year), line.category.title, line.funder.name,
              line.amount_pence) for line in eoi.budget_lines]
    return BudgetReading([financial_year_label(y) for y in years], lines,
                         dict(sorted(by_funder.items())), year_totals,
                         budget_reconciliation(eoi))


def read_eoi(eoi: Eoi) -> list[SectionReading]:
    return [read_section(eoi, section.key) for section in eoi.ordered_sections]

