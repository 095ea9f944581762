"""The attack, made in the code: for each withheld small count, the smallest and largest
value it could have, given everything published. Pure (numpy and scipy's HiGHS).

What the outsider is taken to know: every shown figure exactly; that a withheld figure is
not 0 (zeros are shown); that no count is negative or above MAX_VALUE (the most a return
accepts); every sum in `Publication.equal`; and that counts are whole numbers, which is why
this is integer programming: a linear relaxation can miss a count that only whole numbers
pin (two withheld cells summing to 2 must both be 1).
"""

from collections.abc import Collection, Iterable
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
    """Everything published, as the constraints of an integer programme."""

    def __init__(self, publication: Publication, withheld: Collection[FigureKey]):
        import numpy as np
        from scipy.optimize import LinearConstraint

        self.size = len(publication.values)
        rows: list[dict[int, int]] = []
        lower: list[float] = []
        upper: list[float] = []
        for key, figure in publication.figures.items():
            if not figure.terms:
                continue
            rows.append(dict.fromkeys(figure.terms, 1))
            if key in withheld:
                lower.append(1)
                upper.append(np.inf)
            else:
                lower.append(figure.value)
                upper.append(figure.value)
        for left, right in publication.equal:
            row = dict.fromkeys(left, 1)
            for term in right:
                row[term] = row.get(term, 0) - 1
            rows.append(row)
            lower.append(0)
            upper.append(0)
        self.constraint = LinearConstraint(_matrix(rows, self.size), lower, upper)

    def extreme(self, terms: Iterable[int], sign: int) -> float | None:
        """The smallest (sign 1) or largest (sign -1) sum of `terms`, or None if unproven."""
        import numpy as np
        from scipy.optimize import Bounds, milp

        objective = np.zeros(self.size)
        objective[list(terms)] = sign
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
    than VALUES_POSSIBLE values, in key order."""
    system = _System(publication, withheld)
    targets = among if among is not None else withheld
    found = []
    for key in sorted(targets, key=repr):
        figure = publication.figures[key]
        if key in withheld and is_small(figure.value):
            exposure = _narrowed(system, key, figure.terms, figure.value)
            if exposure is not None:
                found.append(exposure)
    return found


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
