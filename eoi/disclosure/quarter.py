"""One quarter's published figures about young people, as one linked set, and its
protection. Pure: it takes each grant's figures as entered and gives every figure as it
may be printed.

For each grant (by reference) and for the programme (PROGRAMME: every grant added up):
- ("cell", scope, breakdown, category, cohort) and ("row", scope, breakdown, category):
  the gender, age band and disability tables, new and continuing;
- ("cohort", scope, cohort): every one of those tables' column totals, one figure;
- ("total", scope): every table's grand total and the sentence "In total, N young people";
- ("pair", scope, home, served), ("home", scope, home), ("served", scope, served): the
  borough of residence by borough of service table and its margins.
A grant's gender, age and disability tables count the same young people, and so does its
borough table: those are the `equal` sums an outsider knows.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from eoi.disclosure import audit
from eoi.disclosure.protect import protected
from eoi.disclosure.publication import FigureKey, Publication
from eoi.returns.figures import BREAKDOWNS, COHORTS, Cohorts, ReturnFigures

PROGRAMME = "programme"
WITHHELD = "[c]"
WITHHELD_MEANING = ("[c] means the figure is withheld: it is a count from 1 to 4, or one "
                    "that would let a count from 1 to 4 be worked out. 0 means none.")
SMALL = "small"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Cell:
    """One figure as printed. A withheld figure carries no value, so it cannot leak later."""

    value: int | None
    shown: str
    suppressed: bool
    reason: str | None  # SMALL, COMPLEMENTARY or None

    @classmethod
    def printed(cls, value: int) -> "Cell":
        return cls(value, f"{value:,}", False, None)

    @classmethod
    def withheld(cls, reason: str) -> "Cell":
        return cls(None, WITHHELD, True, reason)


@dataclass(frozen=True)
class ProtectedQuarter:
    publication: Publication
    withheld: frozenset[FigureKey]
    scopes: tuple[str, ...]  # grant references, then PROGRAMME
    homes: Mapping[str, tuple[str, ...]]  # scope -> borough codes where young people live
    served: Mapping[str, tuple[str, ...]]  # scope -> borough codes where they were served
    passed: bool  # the audit, run over the whole set once protection was chosen

    def cell(self, key: FigureKey) -> Cell:
        figure = self.publication.figures.get(key)
        if figure is None:  # a figure outside the set is a known zero
            return Cell.printed(0)
        if key in self.withheld:
            reason = SMALL if audit.is_small(figure.value) else COMPLEMENTARY
            return Cell.withheld(reason)
        return Cell.printed(figure.value)


def quarter_publication(returns: Mapping[str, ReturnFigures]) -> tuple[
        Publication, dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The publication for these grants' figures (by grant reference), with each scope's
    borough rows and columns."""
    publication = Publication()
    programme: dict[FigureKey, set[int]] = {}
    homes: dict[str, tuple[str, ...]] = {}
    served: dict[str, tuple[str, ...]] = {}

    def publish(key: FigureKey, terms: set[int]) -> None:
        publication.add_figure(key, terms)
        programme.setdefault((key[0], PROGRAMME, *key[2:]), set()).update(terms)

    for reference, figures in sorted(returns.items()):
        by_cohort: dict[str, list[set[int]]] = {cohort: [] for cohort, _ in COHORTS}
        for breakdown, _, categories in BREAKDOWNS:
            given = figures.breakdowns.get(breakdown, {})
            in_table: dict[str, set[int]] = {cohort: set() for cohort, _ in COHORTS}
            for category, _ in categories:
                row: set[int] = set()
                for cohort, _ in COHORTS:
                    count = getattr(given.get(category, Cohorts()), cohort)
                    term = publication.variable((reference, breakdown, category, cohort), count)
                    publish(("cell", reference, breakdown, category, cohort), {term})
                    row.add(term)
                    in_table[cohort].add(term)
                publish(("row", reference, breakdown, category), row)
            for cohort, _ in COHORTS:
                by_cohort[cohort].append(in_table[cohort])
        for cohort, _ in COHORTS:
            first, *others = by_cohort[cohort]
            publish(("cohort", reference, cohort), first)
            for other in others:
                publication.add_equal(first, other)
        everyone = set().union(*(tables[0] for tables in by_cohort.values()))
        publish(("total", reference), everyone)

        grant_homes = sorted({home for home, _ in figures.boroughs})
        grant_served = sorted({place for _, place in figures.boroughs})
        homes[reference], served[reference] = tuple(grant_homes), tuple(grant_served)
        pairs: dict[tuple[str, str], int] = {}
        for home in grant_homes:
            for place in grant_served:
                count = figures.boroughs.get((home, place), Cohorts()).total
                pairs[home, place] = publication.variable((reference, home, place), count)
                publish(("pair", reference, home, place), {pairs[home, place]})
        for home in grant_homes:
            publish(("home", reference, home), {pairs[home, p] for p in grant_served})
        for place in grant_served:
            publish(("served", reference, place), {pairs[h, place] for h in grant_homes})
        if pairs:
            publication.add_equal(set(pairs.values()), everyone)

    for key, terms in programme.items():
        publication.add_figure(key, terms)
    for scope in [*sorted(returns), PROGRAMME]:
        _add_lines(publication, scope, homes.get(scope, ()), served.get(scope, ()))
    for key in programme:
        parts = [(key[0], reference, *key[2:]) for reference in sorted(returns)]
        publication.add_line(key, [p for p in parts if p in publication.figures])
    homes[PROGRAMME] = tuple(sorted({h for scope in list(homes) for h in homes[scope]}))
    served[PROGRAMME] = tuple(sorted({s for scope in list(served) for s in served[scope]}))
    return publication, homes, served


def _add_lines(publication: Publication, scope: str, homes: tuple[str, ...],
               served: tuple[str, ...]) -> None:
    """The rows and columns of a scope's tables, and their margins."""
    cohorts = [cohort for cohort, _ in COHORTS]
    for breakdown, _, categories in BREAKDOWNS:
        for category, _ in categories:
            publication.add_line(("row", scope, breakdown, category),
                                 [("cell", scope, breakdown, category, c) for c in cohorts])
        for cohort in cohorts:
            publication.add_line(("cohort", scope, cohort), [
                ("cell", scope, breakdown, category, cohort) for category, _ in categories])
        publication.add_line(("total", scope), [("row", scope, breakdown, category)
                                                for category, _ in categories])
    publication.add_line(("total", scope), [("cohort", scope, c) for c in cohorts])
    if homes and served:
        figures = publication.figures
        pairs = {(h, s) for h in homes for s in served if ("pair", scope, h, s) in figures}
        for home in homes:
            publication.add_line(("home", scope, home), [
                ("pair", scope, home, s) for s in served if (home, s) in pairs])
        for place in served:
            publication.add_line(("served", scope, place), [
                ("pair", scope, h, place) for h in homes if (h, place) in pairs])
        publication.add_line(("total", scope), [("home", scope, h) for h in homes])
        publication.add_line(("total", scope), [("served", scope, s) for s in served])


def protect_quarter(returns: Mapping[str, ReturnFigures]) -> ProtectedQuarter:
    publication, homes, served = quarter_publication(returns)
    withheld, passed = protected(publication)
    return ProtectedQuarter(publication, withheld, (*sorted(returns), PROGRAMME),
                            homes, served, passed)
