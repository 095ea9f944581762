"""A quarter's reports, protected together, attacked as an outsider who knows the rules
would (tests/disclosure/attack.py, which reads only what is printed): no small count is
pinned or narrowed, by one report alone, by everything together, or by differencing the
programme with the reports one holds. Each attack is also shown to find what a weaker
protection leaves."""

from collections import Counter
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eoi.disclosure import audit
from eoi.disclosure.protect import protect
from eoi.disclosure.publication import Publication
from eoi.disclosure.quarter import PROGRAMME, WITHHELD, protect_quarter, quarter_publication
from eoi.reports.published import borough_table, cohort_tables
from eoi.returns.figures import BREAKDOWNS, COHORTS, Cohorts, ReturnFigures
from tests.disclosure.attack import Printed, narrowed, printed

BEXLEY, GREENWICH, LEWISHAM, HAMMERSMITH = "E09000004", "E09000011", "E09000023", "E09000013"
COHORT_TITLES = dict(COHORTS)


def figures_of(people: list[tuple[str, str, str, str, str, str]]) -> ReturnFigures:
    """A return's figures from its young people: (cohort, gender, age band, disability,
    borough lived in, borough served in) each. Counted, so every table adds up."""
    figures = ReturnFigures(supported=Cohorts(
        sum(p[0] == "new" for p in people), sum(p[0] == "continuing" for p in people)))
    for position, (key, _, _) in enumerate(BREAKDOWNS, 1):
        counted = Counter((p[position], p[0]) for p in people)
        figures.breakdowns[key] = {
            category: Cohorts(counted[category, "new"], counted[category, "continuing"])
            for category in {p[position] for p in people}}
    pairs = Counter((p[4], p[5]) for p in people)
    figures.boroughs = {pair: Cohorts(count, 0) for pair, count in pairs.items()}
    return figures


def truth(returns: dict[str, ReturnFigures], held: set[str]) -> dict:
    """Every figure's true value keyed as attack.narrowed expects, for each grant, the
    programme, and "rest": the grants the attacker does not hold, added up."""
    values: Counter = Counter()
    for reference, figures in returns.items():
        scopes = [reference, "programme"] + ([] if reference in held else ["rest"])
        for key, _, categories in BREAKDOWNS:
            for category, title in categories:
                counts = figures.breakdowns.get(key, {}).get(category, Cohorts())
                for cohort, cohort_title in COHORTS:
                    for scope in scopes:
                        for row, column in ((title, cohort_title), (title, "Total"),
                                            ("Total", cohort_title), ("Total", "Total")):
                            values[scope, key, row, column] += getattr(counts, cohort)
        for (home, place), counts in figures.boroughs.items():
            for scope in scopes:
                for row, column in ((home, place), (home, "Total"), ("Total", place),
                                    ("Total", "Total")):
                    values[scope, "boroughs", row, column] += counts.total
    values["rest", "", "", ""] = len(set(returns) - held)
    return dict(values)


def printed_reports(returns: dict[str, ReturnFigures], held: set[str]) -> list[Printed]:
    protected = protect_quarter(returns)
    assert protected.passed
    tables = []
    for scope in [*sorted(held), PROGRAMME]:
        tables += [printed(scope, t) for t in cohort_tables(protected, scope)]
        tables.append(printed(scope, borough_table(protected, scope, {})))
    return tables


# The cases the attack found ---------------------------------------------------------------

# Like GRT-2025-0002's Q1 2026-27: 9 young people, nearly every count a 1 or a 2.
NINE = [("new", "female", "13_15", "disabled", BEXLEY, GREENWICH),
        ("new", "female", "13_15", "not_disabled", GREENWICH, GREENWICH),
        ("new", "female", "16_17", "not_disabled", GREENWICH, GREENWICH),
        ("new", "male", "16_17", "not_known", GREENWICH, GREENWICH),
        ("new", "male", "under_13", "not_disabled", LEWISHAM, GREENWICH),
        ("new", "another", "16_17", "not_disabled", GREENWICH, GREENWICH),
        ("continuing", "female", "13_15", "not_disabled", BEXLEY, BEXLEY),
        ("continuing", "female", "18_24", "disabled", GREENWICH, GREENWICH),
        ("continuing", "not_known", "16_17", "not_disabled", GREENWICH, GREENWICH)]


def test_one_report_alone_gives_no_small_count_away():
    returns = {"GRT-2025-0002": figures_of(NINE)}
    held = {"GRT-2025-0002"}
    assert narrowed(printed_reports(returns, held), truth(returns, held)) == {}


def test_the_attack_finds_what_withholding_only_small_counts_leaves():
    returns = {"GRT-2025-0002": figures_of(NINE)}
    publication, _, _ = quarter_publication(returns)
    naive = {key for key, f in publication.figures.items() if audit.is_small(f.value)}
    assert audit.exposures(publication, naive)  # the service's own audit sees it
    report = cohort_tables(_as_protected(returns, naive), "GRT-2025-0002")
    found = narrowed([printed("GRT-2025-0002", t) for t in report],
                     truth(returns, {"GRT-2025-0002"}))
    assert found  # and so does the independent attack


def _as_protected(returns, withheld):
    from eoi.disclosure.quarter import ProtectedQuarter

    publication, homes, served = quarter_publication(returns)
    return ProtectedQuarter(publication, frozenset(withheld), (), homes, served, False)


# The Tri-borough commissioner holds their own report and the programme's.
TRI_BOROUGH = [("new", "female", "13_15", "not_disabled", BEXLEY, BEXLEY)] * 6 + [
    ("new", "male", "16_17", "not_disabled", HAMMERSMITH, HAMMERSMITH)] * 9
BEXLEY_AND_GREENWICH = [("new", "female", "13_15", "not_disabled", BEXLEY, BEXLEY)] + [
    ("new", "female", "16_17", "not_disabled", GREENWICH, GREENWICH)] * 12


def test_differencing_the_programme_with_ones_own_report_pins_nothing():
    returns = {"GRT-2025-0001": figures_of(TRI_BOROUGH),
               "GRT-2025-0003": figures_of(BEXLEY_AND_GREENWICH)}
    held = {"GRT-2025-0001"}
    facts = truth(returns, held)
    assert facts["rest", "boroughs", BEXLEY, BEXLEY] == 1  # what must stay hidden
    assert narrowed(printed_reports(returns, held), facts) == {}


def test_the_attack_finds_the_difference_when_reports_are_protected_one_by_one():
    returns = {"GRT-2025-0001": figures_of(TRI_BOROUGH),
               "GRT-2025-0003": figures_of(BEXLEY_AND_GREENWICH)}
    held = {"GRT-2025-0001"}
    # Each report, and the programme, protected as if it were the only one published.
    tables = []
    for reference in returns:
        alone = protect_quarter({reference: returns[reference]})
        if reference in held:
            tables.append(printed(reference, borough_table(alone, reference, {})))
    programme, homes, served = quarter_publication(returns)
    only_programme = {key: f for key, f in programme.figures.items() if key[1] == PROGRAMME}
    separate = Publication(programme.values, only_programme, [])
    from eoi.disclosure.quarter import ProtectedQuarter

    tables.append(printed(PROGRAMME, borough_table(ProtectedQuarter(
        programme, protect(separate), (), homes, served, False), PROGRAMME, {})))
    found = narrowed(tables, truth(returns, held))
    assert ("rest", "boroughs", BEXLEY, BEXLEY) in found


# Anything partners might send ---------------------------------------------------------

BOROUGHS = st.sampled_from([BEXLEY, GREENWICH, LEWISHAM])
PERSON = st.tuples(st.sampled_from(["new", "continuing"]),
                   st.sampled_from(["female", "male", "another"]),
                   st.sampled_from(["13_15", "16_17", "18_24"]),
                   st.sampled_from(["disabled", "not_disabled"]), BOROUGHS, BOROUGHS)
ONE_GIRL_ONE_BOROUGH = st.tuples(st.sampled_from(["new", "continuing"]), st.just("female"),
                                 st.sampled_from(["13_15", "16_17"]), st.just("not_disabled"),
                                 st.just(GREENWICH), st.just(GREENWICH))
RETURNS = st.dictionaries(st.sampled_from(["GRT-A", "GRT-B", "GRT-C"]),
                          st.lists(st.one_of(PERSON, ONE_GIRL_ONE_BOROUGH), max_size=14),
                          min_size=1, max_size=3)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RETURNS, st.data())
def test_no_returns_full_of_ones_and_twos_give_a_small_count_away(people, data):
    returns = {reference: figures_of(p) for reference, p in people.items()}
    held = set(data.draw(st.lists(st.sampled_from(sorted(returns)), unique=True,
                                  min_size=1), label="reports held"))
    tables = printed_reports(returns, held)
    assert narrowed(tables, truth(returns, held)) == {}
    assert all(t.cells[key] == WITHHELD or int(t.cells[key].replace(",", "")) == 0
               or int(t.cells[key].replace(",", "")) >= 5 for t in tables for key in t.cells)



# Many grants: each count audited in its neighbourhood ----------------------------------

MANY_RETURNS = st.dictionaries(st.sampled_from([f"GRT-{n}" for n in "ABCDEF"]),
                               st.lists(st.one_of(PERSON, ONE_GIRL_ONE_BOROUGH), max_size=10),
                               min_size=2, max_size=6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MANY_RETURNS, st.data())
def test_counts_audited_a_neighbourhood_at_a_time_give_nothing_away(people, data):
    """A national quarter is too big to audit whole; here every publication of more than
    one grant is audited as a national one is, with one neighbour, and the independent
    attack, which solves everything printed at once, still narrows nothing."""
    returns = {reference: figures_of(p) for reference, p in people.items()}
    held = set(data.draw(st.lists(st.sampled_from(sorted(returns)), unique=True,
                                  min_size=1), label="reports held"))
    with _audited_in_neighbourhoods(neighbours=1):
        tables = printed_reports(returns, held)
    assert narrowed(tables, truth(returns, held)) == {}


@pytest.mark.parametrize("neighbours", [0, 1, 2])
def test_what_is_withheld_nearby_passes_the_audit_of_everything_at_once(neighbours):
    returns = {"GRT-2025-0001": figures_of(TRI_BOROUGH),
               "GRT-2025-0003": figures_of(BEXLEY_AND_GREENWICH),
               "GRT-2025-0002": figures_of(NINE),
               **{f"GRT-{n}": figures_of(NINE[n:] + TRI_BOROUGH[:n]) for n in range(3)}}
    with _audited_in_neighbourhoods(neighbours):
        nearby = protect_quarter(returns)
    assert nearby.passed
    assert not audit.exposures(nearby.publication, nearby.withheld)  # the whole, exactly
    assert all(key in nearby.withheld for key, figure in nearby.publication.figures.items()
               if audit.is_small(figure.value))


@contextmanager
def _audited_in_neighbourhoods(neighbours: int):
    before = audit.Neighbourhoods.AUDITED_WHOLE, audit.Neighbourhoods.NEIGHBOURS
    audit.Neighbourhoods.AUDITED_WHOLE, audit.Neighbourhoods.NEIGHBOURS = 1, neighbours
    try:
        yield
    finally:
        audit.Neighbourhoods.AUDITED_WHOLE, audit.Neighbourhoods.NEIGHBOURS = before
