"""What an outsider holding every published output knows, as arithmetic. Pure.

The true counts underneath (one young-people count per category, cohort and grant, say)
are `variables`; each published figure is the sum of some of them; `equal` holds sums an
outsider knows to be the same (a return's gender table and age table count the same
young people). Building it needs the true values, which only MOPAC's server ever holds.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

FigureKey = tuple[Hashable, ...]


@dataclass(frozen=True)
class Figure:
    terms: frozenset[int]  # the variables it adds up
    value: int


@dataclass
class Publication:
    values: list[int] = field(default_factory=list)  # each variable's true count
    figures: dict[FigureKey, Figure] = field(default_factory=dict)
    equal: list[tuple[frozenset[int], frozenset[int]]] = field(default_factory=list)
    # (total, parts): published figures that add up to a published figure, the rows and
    # columns of the tables. Implied by the terms and `equal`; kept so that protection can
    # start with the classic rule (no line with a single withheld figure) before solving.
    lines: list[tuple[FigureKey, tuple[FigureKey, ...]]] = field(default_factory=list)
    _names: dict[Hashable, int] = field(default_factory=dict)
    # What auditing works out once from the figures (eoi.disclosure.audit.Neighbourhoods).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def names(self) -> list[Hashable]:
        """Each variable's name, in the order of `values`."""
        return list(self._names)

    def variable(self, name: Hashable, value: int) -> int:
        """The variable called `name`, added with its true value the first time."""
        if name not in self._names:
            if value < 0:
                raise ValueError("counts of young people cannot be negative")
            self._names[name] = len(self.values)
            self.values.append(value)
        return self._names[name]

    def add_figure(self, key: FigureKey, terms: Iterable[int]) -> Figure:
        """A published figure: the sum of `terms`. The same key twice is one figure."""
        terms = frozenset(terms)
        existing = self.figures.get(key)
        if existing is not None:
            if existing.terms != terms:
                raise ValueError(f"{key} is published as two different sums")
            return existing
        figure = Figure(terms, sum(self.values[term] for term in terms))
        self.figures[key] = figure
        return figure

    def add_equal(self, left: Iterable[int], right: Iterable[int]) -> None:
        left, right = frozenset(left), frozenset(right)
        if sum(self.values[t] for t in left) != sum(self.values[t] for t in right):
            raise ValueError("sums said to be equal are not")
        if left != right:
            self.equal.append((left, right))

    def add_line(self, total: FigureKey, parts: Iterable[FigureKey]) -> None:
        parts = tuple(parts)
        if sum(self.figures[p].value for p in parts) != self.figures[total].value:
            raise ValueError(f"the parts of {total} do not add up to it")
        self.lines.append((total, parts))

    def value_of(self, key: FigureKey) -> int:
        return self.figures[key].value
