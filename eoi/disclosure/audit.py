"""The attack, made in the code: for each withheld small count, the smallest and largest
value it could have, given everything published. Pure (numpy and scipy's HiGHS).

What the outsider is taken to know: every shown figure exactly; that a withheld figure is
not 0 (zeros are shown); that no count is negative or above MAX_VALUE (the most a return
accepts); every sum in `Publication.equal`; and that counts are whole numbers, which is why
this is integer programming: a linear relaxation can miss a count that only whole numbers
pin (two withheld cells summing to 2 must both be 1).
"""

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eoi.disclosure.publication import FigureKey, Publication

if TYPE_CHECKING:
    from scipy.sparse import csr_array

# numpy and scipy are imported where a publication is first audited, not with the service:
# together they would add some 70 MB to every web worker that never publishes a figure.

SMALLEST_SHOWN = 5
# A withheld small count is protected when at least this many values stay possible: with
# zeros shown it is then no less than 1 and might be 5, so it cannot be told from a 5.
VALUES_POSSIBLE = 5
MAX_VALUE = 9999  # eoi.returns.figures.MAX_COUNT: no return holds a larger count
SECONDS_PER_SOLVE = 10.0  # beyond it a range is taken as not proven wide


def is_small(value: int) -> bool:
    return 0 < value < SMALLEST_SHOWN


@dataclass(frozen=True)
class Exposure:
    key: FigureKey
    lowest: int
    highest: int


class _System:
    """Everything published, as the constraints of an integer programme; with `around`
    (blocks of Neighbourhoods), only those blocks' variables vary and every other count is
    held at its true value."""

    def __init__(self, publication: Publication, withheld: Collection[FigureKey],
                 around: tuple["Neighbourhoods", Collection[Hashable]] | None = None):
        import numpy as np
        from scipy.optimize import LinearConstraint

        values = publication.values
        if around is None:
            columns: Iterable[int] = range(len(values))
        else:
            blocks, unordered = around
            chosen = sorted(unordered, key=repr)
            columns = blocks.variables(chosen)
        self.free = {term: column for column, term in enumerate(columns)}
        self.size = len(self.free)
        rows: list[dict[int, int]] = []
        lower: list[float] = []
        upper: list[float] = []

        def require(key: FigureKey | None, row: dict[int, int], held: int) -> None:
            if not row:
                return
            rows.append(row)
            if key is None:  # an equal sum
                lower.append(-held)
                upper.append(-held)
            elif key in withheld:
                lower.append(1 - held)
                upper.append(np.inf)
            else:
                value = publication.figures[key].value
                lower.append(value - held)
                upper.append(value - held)

        def held_apart(coefficients: dict[int, int]) -> tuple[dict[int, int], int]:
            row, held = {}, 0
            for term, coefficient in coefficients.items():
                column = self.free.get(term)
                if column is None:
                    held += coefficient * values[term]
                else:
                    row[column] = coefficient
            return row, held

        def signed(left: frozenset[int], right: frozenset[int]) -> dict[int, int]:
            row = dict.fromkeys(left, 1)
            for term in right:
                row[term] = row.get(term, 0) - 1
            return row

        if around is None:
            for key, figure in publication.figures.items():
                require(key, {self.free[t]: 1 for t in figure.terms}, 0)
            for left, right in publication.equal:
                require(None, *held_apart(signed(left, right)))
        else:
            for block in chosen:
                for key in blocks.own_of.get(block, ()):
                    require(key, {self.free[t]: 1 for t in publication.figures[key].terms}, 0)
            spanning = {key for block in chosen for key in blocks.spanning_in.get(block, ())}
            for key in sorted(spanning, key=repr):
                parts = blocks.spanning[key]
                row: dict[int, int] = {}
                held = publication.figures[key].value
                for block in chosen:
                    for term in parts.get(block, ()):
                        row[self.free[term]] = 1
                    held -= blocks.partial[key].get(block, 0)
                require(key, row, held)
            for index in blocks.equal_around(self.free.keys()):
                require(None, *held_apart(signed(*publication.equal[index])))
        self.constraint = LinearConstraint(_matrix(rows, self.size), lower, upper)

    def extreme(self, terms: Iterable[int], sign: int) -> float | None:
        """The smallest (sign 1) or largest (sign -1) sum of `terms`, or None if unproven."""
        import numpy as np
        from scipy.optimize import Bounds, milp

        objective = np.zeros(self.size)
        objective[[self.free[term] for term in terms]] = sign
        # The linear relaxation first: when its best is at whole numbers it is the integer
        # programme's best too, which for tables that add up is nearly always, and it is
        # found without branching.
        for integrality in (np.zeros(self.size), np.ones(self.size)):
            result = milp(objective, integrality=integrality,
                          bounds=Bounds(0, MAX_VALUE), constraints=self.constraint,
                          options={"time_limit": SECONDS_PER_SOLVE, "presolve": True})
            if result.status == 2:
                raise ValueError("the published figures contradict each other")
            if result.status != 0:
                return None
            if integrality.any() or np.allclose(result.x, np.round(result.x), atol=1e-7):
                return sign * round(result.fun)
        return None


def _matrix(rows: list[dict[int, int]], size: int) -> "csr_array":
    import numpy as np
    from scipy.sparse import csr_array

    data: list[int] = []
    columns: list[int] = []
    pointers = [0]
    for row in rows:
        columns.extend(row)
        data.extend(row.values())
        pointers.append(len(columns))
    return csr_array((np.asarray(data, dtype=np.float64), np.asarray(columns, dtype=np.int64),
                      np.asarray(pointers, dtype=np.int64)), shape=(len(rows), size))


def exposures(publication: Publication, withheld: Collection[FigureKey],
              among: Iterable[FigureKey] | None = None) -> list[Exposure]:
    """The withheld small counts (of `among`, or all) an outsider could narrow to fewer
    than VALUES_POSSIBLE values, in key order. A publication of many blocks (grants) is
    audited one neighbourhood at a time (see Neighbourhoods): never wrongly passed, now
    and then wrongly failed, which only withholds a little more."""
    targets = among if among is not None else withheld
    small = [key for key in sorted(targets, key=repr)
             if key in withheld and is_small(publication.figures[key].value)]
    if not small:
        return []
    blocks = Neighbourhoods.of(publication)
    whole = None if blocks.many else _System(publication, withheld)
    found = []
    for key in small:
        figure = publication.figures[key]
        if whole is not None:
            exposure = _narrowed(whole, key, figure.terms, figure.value)
        else:
            exposure = _narrowed_nearby(publication, blocks, withheld, key)
        if exposure is not None:
            found.append(exposure)
    return found


def _narrowed_nearby(publication: Publication, blocks: "Neighbourhoods",
                     withheld: Collection[FigureKey], key: FigureKey) -> Exposure | None:
    figure = publication.figures[key]
    system = _System(publication, withheld, (blocks, blocks.around(figure.terms, withheld)))
    fixed = sum(publication.values[t] for t in figure.terms if t not in system.free)
    exposure = _narrowed(system, key, figure.terms & system.free.keys(), figure.value - fixed)
    if exposure is None:
        return None
    return Exposure(key, exposure.lowest + fixed, exposure.highest + fixed)


class Neighbourhoods:
    """A publication's variables by block (the first part of each variable's name: a grant
    reference), and the figures that add up more than one block (the programme's).

    The whole publication as one integer programme is too big for a national fund (800
    grants in a quarter, 27,000 counts, 14,000 of them small). So a count is audited
    with only its own blocks and the few blocks most able to make up a change in it left
    free, every other count held at its true value: an outsider who knew all those
    counts could narrow it at least as far, so a count this finds wide is wide. One
    found narrow may in truth be wide; it is withheld against all the same, which is
    safe and costs a figure."""

    AUDITED_WHOLE = 12  # blocks: up to this many, the whole publication is one programme
    NEIGHBOURS = 8  # blocks left free beside a count's own
    SUMS_LOOKED_AT = 3  # programme figures holding a count, narrowest first, for choosing them

    def __init__(self, publication: Publication):
        names = publication.names()
        if len(names) != len(publication.values):  # built without names: one block
            names = [None] * len(publication.values)
        self.block_of = [name[0] if isinstance(name, tuple) else name for name in names]
        self.by_block: dict[Hashable, list[int]] = {}
        for variable, block in enumerate(self.block_of):
            self.by_block.setdefault(block, []).append(variable)
        self.many = len(self.by_block) > self.AUDITED_WHOLE
        # The shown figure that is a variable alone pins it: its one-term figure.
        self.alone: dict[int, FigureKey] = {}
        self.spanning: dict[FigureKey, dict[Hashable, list[int]]] = {}
        self.partial: dict[FigureKey, dict[Hashable, int]] = {}  # each block's part of it
        self.spanning_of: dict[int, list[FigureKey]] = {}
        self.spanning_in: dict[Hashable, list[FigureKey]] = {}
        self.own_of: dict[Hashable, list[FigureKey]] = {}  # figures within one block
        self.figures_of: dict[int, list[FigureKey]] = {}
        values = publication.values
        for key, figure in publication.figures.items():
            for term in figure.terms:
                self.figures_of.setdefault(term, []).append(key)
            if len(figure.terms) == 1:
                self.alone.setdefault(next(iter(figure.terms)), key)
            parts: dict[Hashable, list[int]] = {}
            for term in figure.terms:
                parts.setdefault(self.block_of[term], []).append(term)
            if len(parts) == 1:
                self.own_of.setdefault(next(iter(parts)), []).append(key)
            elif parts:
                self.spanning[key] = parts
                self.partial[key] = {block: sum(values[t] for t in terms)
                                     for block, terms in parts.items()}
                for block in parts:
                    self.spanning_in.setdefault(block, []).append(key)
                for term in figure.terms:
                    self.spanning_of.setdefault(term, []).append(key)

        self.equal_of: dict[int, list[int]] = {}
        for index, (left, right) in enumerate(publication.equal):
            for term in left | right:
                self.equal_of.setdefault(term, []).append(index)

    @classmethod
    def of(cls, publication: Publication) -> "Neighbourhoods":
        cached = publication.cache.get(cls)
        if cached is None or cached[0] != len(publication.figures):
            cached = (len(publication.figures), cls(publication))
            publication.cache[cls] = cached
        return cached[1]

    def is_free(self, term: int, withheld: Collection[FigureKey]) -> bool:
        alone = self.alone.get(term)
        return alone is None or alone in withheld

    def around(self, terms: frozenset[int], withheld: Collection[FigureKey]) -> set[Hashable]:
        """The blocks where the count adding up `terms` may move, and the NEIGHBOURS other
        blocks that could most often make up that change in the narrowest shown programme
        figures holding it (the same cell across grants, before its row and total)."""
        own = {self.block_of[t] for t in terms if self.is_free(t, withheld)}
        holding = {key for term in terms for key in self.spanning_of.get(term, ())
                   if key not in withheld}
        able: dict[Hashable, int] = {}
        for key in sorted(holding, key=lambda key: (len(self.spanning[key]), repr(key)))[
                :self.SUMS_LOOKED_AT]:
            for block, parts in self.spanning[key].items():
                if block not in own and any(self.is_free(t, withheld) for t in parts):
                    able[block] = able.get(block, 0) + 1
        nearest = sorted(able, key=lambda block: (-able[block], repr(block)))
        return own | set(nearest[:self.NEIGHBOURS])

    def variables(self, blocks: Iterable[Hashable]) -> list[int]:
        return [term for block in blocks for term in self.by_block[block]]

    def figures_around(self, terms: frozenset[int],
                       withheld: Collection[FigureKey]) -> list[FigureKey]:
        """The figures adding up any count of the blocks `around` these terms."""
        seen: dict[FigureKey, None] = {}
        for term in self.variables(sorted(self.around(terms, withheld), key=repr)):
            seen.update(dict.fromkeys(self.figures_of.get(term, ())))
        return list(seen)

    def equal_around(self, terms: Iterable[int]) -> list[int]:
        """The `equal` sums holding any of these terms, by index."""
        return sorted({index for term in terms for index in self.equal_of.get(term, ())})


def _narrowed(system: _System, key: FigureKey, terms: frozenset[int],
              value: int) -> Exposure | None:
    # The lowest possible is at most the true value, so a highest this far above it is
    # enough: one solve, not two, for almost every count.
    highest = system.extreme(terms, -1)
    if highest is not None and highest - value + 1 >= VALUES_POSSIBLE:
        return None
    lowest = system.extreme(terms, 1)
    if lowest is not None and highest is not None and highest - lowest + 1 >= VALUES_POSSIBLE:
        return None
    return Exposure(key, round(lowest if lowest is not None else value),
                    round(highest if highest is not None else value))


def passes(publication: Publication, withheld: Collection[FigureKey]) -> bool:
    """Every small count is withheld, and none can be narrowed."""
    return (all(key in withheld for key, f in publication.figures.items() if is_small(f.value))
            and not exposures(publication, withheld))
