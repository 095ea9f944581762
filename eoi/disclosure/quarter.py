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
from eoi.disclosure.protect import protect
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
            return Cell(0, "0", False, None)
        if key in self.withheld:
            reason = SMALL if audit.is_small(figure.value) else COMPLEMENTARY
            return Cell(None, WITHHELD, True, reason)
        return Cell(figure.value, f"{figure.value:,}", False, None)


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
    homes[PROGRAMME] = tuple(sorted({h for scope in list(homes) for h in homes[scope]}))
    served[PROGRAMME] = tuple(sorted({s for scope in list(served) for s in served[scope]}))
    return publication, homes, served


def protect_quarter(returns: Mapping[str, ReturnFigures]) -> ProtectedQuarter:
    publication, homes, served = quarter_publication(returns)
    withheld = protect(publication)
    return ProtectedQuarter(publication, withheld, (*sorted(returns), PROGRAMME),
                            homes, served, audit.passes(publication, withheld))
