"""What a quarterly return reports, and the rules its figures must meet.

The web form and the spreadsheet both turn what the partner entered into `ReturnFigures`
and ask `problems_in` what is wrong, so the two ways in can never disagree. Every problem
names the `field` it belongs to, in the web form's field names; the spreadsheet maps those
back to its own rows and columns.

Everything here is a count or an amount: a return never holds anything about one young
person. Free text is checked for personal data before it can be submitted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import re2

from eoi.returns.privacy import explain, find_personal_data

# Each breakdown of the young people supported, with its categories. Keys are stored and
# appear in the spreadsheet template, so they must never change once used.
GENDERS = (
    ("female", "Female"),
    ("male", "Male"),
    ("another", "Another gender identity"),
    ("not_known", "Not known or not given"),
)
AGE_BANDS = (
    ("under_13", "Under 13"),
    ("13_15", "13 to 15"),
    ("16_17", "16 to 17"),
    ("18_24", "18 to 24"),
)
DISABILITIES = (
    ("disabled", "Disabled"),
    ("not_disabled", "Not disabled"),
    ("not_known", "Not known or not given"),
)
BREAKDOWNS = (
    ("gender", "Gender", GENDERS),
    ("age_band", "Age band", AGE_BANDS),
    ("disability", "Disability", DISABILITIES),
)
BREAKDOWN_TITLES = {key: title for key, title, _ in BREAKDOWNS}

COHORTS = (("new", "New"), ("continuing", "Continuing"))

# Young people living outside London still count where they are served.
OUTSIDE_LONDON = "outside_london"
OUTSIDE_LONDON_NAME = "Outside London"

NARRATIVES = (
    ("progress", "Progress this quarter",
     "What was delivered, and what changed for young people and families"),
    ("challenges", "Challenges", "What got in the way, and what you did about it"),
    ("risks", "Risks", "Risks for the coming quarters and how you are managing them"),
    ("case_study", "Anonymised case study",
     "One young person's journey, with no name, age, date, school, street or anything else "
     "that could identify them"),
)
NARRATIVE_TITLES = {key: title for key, title, _ in NARRATIVES}
MAX_NARRATIVE = 5000

# A count above this is surely a typing slip: no project supports ten thousand young people
# in a quarter.
MAX_COUNT = 9999


@dataclass(frozen=True)
class Cohorts:
    new: int = 0
    continuing: int = 0

    @property
    def total(self) -> int:
        return self.new + self.continuing

    def __add__(self, other: "Cohorts") -> "Cohorts":
        return Cohorts(self.new + other.new, self.continuing + other.continuing)


@dataclass
class ReturnFigures:
    """One quarter's figures, as entered: a draft may leave things out."""

    supported: Cohorts = field(default_factory=Cohorts)
    # breakdown key -> category key -> cohorts
    breakdowns: dict[str, dict[str, Cohorts]] = field(default_factory=dict)
    # (borough of residence code, borough of service code) -> cohorts. Codes are GSS codes,
    # or OUTSIDE_LONDON for where a young person lives.
    boroughs: dict[tuple[str, str], Cohorts] = field(default_factory=dict)
    # indicator key -> value this quarter; None while not yet entered
    indicators: dict[str, int | None] = field(default_factory=dict)
    # cost category key -> spend to date in pence, since the grant began
    spend: dict[str, int] = field(default_factory=dict)
    # cost category key -> spend forecast for the rest of the financial year, in pence
    forecast: dict[str, int] = field(default_factory=dict)
    # narrative key -> text
    narrative: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    field: str  # the web form's field name, so the message sits next to the right box
    message: str


def breakdown_field(breakdown: str, category: str, cohort: str) -> str:
    return f"{breakdown}-{category}-{cohort}"


def supported_field(cohort: str) -> str:
    return f"supported-{cohort}"


def indicator_field(indicator: str) -> str:
    return f"indicator-{indicator}"


def spend_field(category: str) -> str:
    return f"spend-{category}"


def forecast_field(category: str) -> str:
    return f"forecast-{category}"


BOROUGHS_FIELD = "boroughs"


def problems_in(
    figures: ReturnFigures,
    *,
    indicators: Mapping[str, str],
    boroughs: Mapping[str, str],
    for_submission: bool,
) -> list[Problem]:
    """Everything wrong with the figures, in the order the form asks for them.

    `indicators` maps each indicator key the grant reports on to its name, and `boroughs`
    maps each London borough's GSS code to its name. A draft only has to be consistent as
    far as it goes; a submission must be complete and free of personal data.
    """
    problems: list[Problem] = []
    problems += _counts_in_range(figures)
    problems += _breakdowns_add_up(figures)
    problems += _boroughs_known_and_add_up(figures, boroughs)
    problems += _indicators(figures, indicators, for_submission)
    problems += _spend(figures)
    problems += _narrative(figures, for_submission)
    return problems


def _counts_in_range(figures: ReturnFigures) -> list[Problem]:
    problems = []
    for cohort, title in COHORTS:
        value = getattr(figures.supported, cohort)
        if not 0 <= value <= MAX_COUNT:
            problems.append(Problem(supported_field(cohort),
                                    f"{title} young people must be between 0 and {MAX_COUNT:,}"))
    return problems


def _breakdowns_add_up(figures: ReturnFigures) -> list[Problem]:
    problems = []
    for key, title, categories in BREAKDOWNS:
        given = figures.breakdowns.get(key, {})
        unknown = set(given) - {category for category, _ in categories}
        if unknown:
            raise ValueError(f"unknown {key} categories: {sorted(unknown)}")
        for cohort, cohort_title in COHORTS:
            added = sum(getattr(given.get(c, Cohorts()), cohort) for c, _ in categories)
            expected = getattr(figures.supported, cohort)
            if added != expected:
                first = breakdown_field(key, categories[0][0], cohort)
                problems.append(Problem(first, (
                    f"{title}: the {cohort_title.lower()} young people add up to {added}, "
                    f"but the return says {expected} {cohort_title.lower()} young people "
                    "were supported")))
            for category, category_title in categories:
                value = getattr(given.get(category, Cohorts()), cohort)
                if value < 0:
                    problems.append(Problem(breakdown_field(key, category, cohort),
                                            f"{title}, {category_title}: enter 0 or more"))
    return problems


def _boroughs_known_and_add_up(figures: ReturnFigures,
                               boroughs: Mapping[str, str]) -> list[Problem]:
    problems = []
    residences = {**boroughs, OUTSIDE_LONDON: OUTSIDE_LONDON_NAME}
    for (residence, service), cohorts in figures.boroughs.items():
        if not residence or not service:
            problems.append(Problem(BOROUGHS_FIELD, "Choose both boroughs for every row with "
                                    "young people in it"))
            continue
        if residence not in residences:
            problems.append(Problem(BOROUGHS_FIELD,
                                    f"{residence!r} is not a London borough or 'Outside London'"))
        if service not in boroughs:
            problems.append(Problem(BOROUGHS_FIELD,
                                    f"{service!r} is not a London borough, where services are"))
        if cohorts.new < 0 or cohorts.continuing < 0:
            problems.append(Problem(BOROUGHS_FIELD, "Borough counts must be 0 or more"))
    for cohort, cohort_title in COHORTS:
        added = sum(getattr(c, cohort) for c in figures.boroughs.values())
        expected = getattr(figures.supported, cohort)
        if added != expected:
            problems.append(Problem(BOROUGHS_FIELD, (
                f"Boroughs: the {cohort_title.lower()} young people add up to {added}, "
                f"but the return says {expected} {cohort_title.lower()} young people "
                "were supported")))
    return problems


def _indicators(figures: ReturnFigures, indicators: Mapping[str, str],
                for_submission: bool) -> list[Problem]:
    problems = []
    for key, name in indicators.items():
        value = figures.indicators.get(key)
        if value is None:
            if for_submission:
                problems.append(Problem(indicator_field(key), f"Enter a figure for {name}"))
        elif not 0 <= value <= 10 * MAX_COUNT:
            problems.append(Problem(indicator_field(key), f"{name} must be 0 or more"))
    return problems


def _spend(figures: ReturnFigures) -> list[Problem]:
    return [Problem(spend_field(key), "Spend must be £0 or more")
            for key, pence in figures.spend.items() if pence < 0] + [
        Problem(forecast_field(key), "Forecast spend must be £0 or more")
        for key, pence in figures.forecast.items() if pence < 0]


def _narrative(figures: ReturnFigures, for_submission: bool) -> list[Problem]:
    problems = []
    for key, title, _hint in NARRATIVES:
        text = (figures.narrative.get(key) or "").strip()
        if len(text) > MAX_NARRATIVE:
            problems.append(Problem(key, f"{title} must be {MAX_NARRATIVE:,} characters or fewer"))
            continue  # read for personal data once it is short enough to keep
        if not text:
            if for_submission:
                problems.append(Problem(key, f"Enter the {title[:1].lower()}{title[1:]}"))
            continue
        # Checked on every save, not only at submission: personal data should never be
        # stored here at all, even in a draft.
        if findings := find_personal_data(text):
            problems.append(Problem(key, explain(findings, title)))
    return problems


# "one girl", "2 young men", "three siblings": a few people, named by what they are, can
# be recognised by anyone who knows them, even with no name given. Not refused (a sentence
# may need it), but the partner must confirm before submitting. RE2: linear time.
_FEW = r"(?:one|two|three|four|a single|only one|[1-4])"
_WHO = (r"(?:girls?|boys?|child(?:ren)?|siblings?|sisters?|brothers?|teenagers?|pupils?|"
        r"students?|learners?|care leavers?|mothers?|fathers?|parents?|people|persons?|"
        r"m[ae]n|wom[ae]n|young (?:people|persons?|m[ae]n|wom[ae]n))")
_SMALL_NUMBER_OF_PEOPLE = re2.compile(
    rf"(?i)\b{_FEW}\s+(?:(?:young|teenage|other|more|new|older|younger|local)\s+)?{_WHO}\b")
SMALL_NUMBERS_FIELD = "small_numbers_checked"


def small_numbers_of_people(narrative: Mapping[str, str]) -> list[tuple[str, str]]:
    """(narrative title, phrase) for each mention of a few people, in form order."""
    found = []
    for key, title, _hint in NARRATIVES:
        text = (narrative.get(key) or "")[:MAX_NARRATIVE]
        found += [(title, match.group(0)) for match in _SMALL_NUMBER_OF_PEOPLE.finditer(text)]
    return found


def borough_totals(
    pairs: Mapping[tuple[str, str], Cohorts], side: int
) -> dict[str, Cohorts]:
    """Totals by borough of residence (side 0) or of service (side 1)."""
    totals: dict[str, Cohorts] = {}
    for pair, cohorts in pairs.items():
        totals[pair[side]] = totals.get(pair[side], Cohorts()) + cohorts
    return totals


def cross_borough(pairs: Mapping[tuple[str, str], Cohorts]) -> int:
    """Young people served in a borough other than the one they live in."""
    return sum(c.total for (home, served), c in pairs.items() if home != served)


def category_titles(breakdown: str) -> Sequence[tuple[str, str]]:
    return next(categories for key, _, categories in BREAKDOWNS if key == breakdown)
