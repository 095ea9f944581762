"""Demo expressions of interest, drafted and submitted through the same operations people use.

Round one (closed): four consortia submitted before the close and Bexley and Greenwich
withdrew theirs. Round two (open): two drafts in progress; Bexley and Greenwich have not
started, so a visitor can start one. The figures and words are invented.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from eoi.consortia.models import Consortium
from eoi.demo import found
from eoi.demo.consortia import organisation_named
from eoi.eois import operations
from eoi.eois.models import CostCategory, Eoi
from eoi.eois.sections import SECTIONS
from eoi.extensions import db
from eoi.rounds.models import FundingRound

# consortium -> the story its answers tell
STORIES = {
    "Bexley and Greenwich schools partnership": {
        "title": "Schools and beyond: exploitation prevention across Bexley and Greenwich",
        "priorities": ["gang-peer-cse"],
        "who": "girls and young women aged 11 to 18 at risk of exploitation in and around school",
        "partner": "St Giles Trust",
        "model": "A St Giles Trust worker placed in each of twelve secondary schools, with a "
                 "shared caseload across the two boroughs and weekly links to both MASHs.",
        "schools": "Workers plan group work around the academic year: awareness sessions in "
                   "the autumn term, small groups in spring, transition support in summer.",
        "need": "Referrals for exploitation in the two boroughs rose by a third in two years; "
                "half of the young people referred were known to their school first.",
    },
    "North West London young women's partnership": {
        "title": "Young women's advocacy across Brent, Harrow and Barnet",
        "priorities": ["victims-survivors"],
        "who": "young women aged 16 to 24 affected by gangs and sexual exploitation",
        "partner": "Abianda",
        "model": "Abianda advocates co-located with the gangs and offender management teams in "
                 "each borough, using Brent's shared data system and Harrow's daily "
                 "partnership meeting to spot young women early.",
        "schools": "Further education colleges and pupil referral units take part in "
                   "termly training; the programme follows the college year.",
        "need": "Young women linked to gangs are rarely referred to specialist support: in the "
                "last year 14 referrals came from three boroughs with far higher need.",
    },
    "Tri-borough trauma-informed support": {
        "title": "Trauma-informed support that follows young people into adulthood",
        "priorities": ["victims-survivors"],
        "who": "young people aged 13 to 24 harmed by sexual exploitation",
        "partner": "Barnardo's",
        "model": "Barnardo's therapeutic workers and The Children's Society's advocates in one "
                 "team for the three boroughs, with clinical supervision from CAMHS.",
        "schools": "Workers offer consultations to designated safeguarding leads in each "
                   "school and meet them at the start of every term.",
        "need": "The trauma pilot supported 38 young people; most needed support for longer "
                "than the twelve weeks services usually offer.",
    },
    "Croydon and Sutton boys and young men project": {
        "title": "Seeing the boys: specialist support for boys and young men",
        "priorities": ["boys-young-men"],
        "who": "boys and young men aged 10 to 21 exploited sexually, often seen only as "
               "offenders",
        "partner": "Safer London",
        "model": "Two specialist Safer London workers for boys and young men, taking referrals "
                 "from youth offending, police custody and schools, with a training programme "
                 "for the professionals who meet boys first.",
        "schools": "Assemblies and staff briefings in every secondary school in the first "
                   "year, timed to avoid exam periods.",
        "need": "When Croydon and Safer London looked for boys at risk, referrals rose from "
                "two to 31 in a year: the need was there but unseen.",
    },
    "East London exploitation hub": {
        "title": "East London exploitation hub",
        "priorities": ["gang-peer-cse"],
        "who": "young people at risk of peer-on-peer and gang-associated exploitation",
        "partner": "Women and Girls Network",
        "model": "A hub joining analysts, youth offending, social care, police and offender "
                 "managers, with Women and Girls Network and Advance advocates on site.",
        "schools": "The hub's analysts share monthly patterns with schools' safeguarding "
                   "leads so they can act before the holidays, when risk rises.",
        "need": "Police and social care data show linked groups of young people exploited "
                "across the Newham and Havering boundary, each known to a different agency.",
    },
}

# consortium -> [(funder, year offset within the round, category, pounds)]
BUDGETS = {
    "Bexley and Greenwich schools partnership": [
        ("MOPAC", 0, CostCategory.staff, 100_000), ("MOPAC", 1, CostCategory.staff, 80_000),
        ("Greenwich", 0, CostCategory.delivery, 40_000),
        ("Bexley", 0, CostCategory.training, 30_000)],
    "North West London young women's partnership": [
        ("MOPAC", 0, CostCategory.staff, 150_000), ("MOPAC", 1, CostCategory.staff, 150_000),
        ("Brent", 0, CostCategory.evaluation, 50_000), ("Harrow", 0, CostCategory.delivery,
                                                         25_000),
        ("Barnet", 0, CostCategory.overheads, 25_000),
        ("NHS England (London)", 0, CostCategory.delivery, 60_000)],
    "Tri-borough trauma-informed support": [
        ("MOPAC", 0, CostCategory.staff, 85_000), ("MOPAC", 1, CostCategory.staff, 85_000),
        ("Hammersmith and Fulham", 0, CostCategory.delivery, 30_000),
        ("Kensington and Chelsea", 0, CostCategory.participation, 30_000)],
    "Croydon and Sutton boys and young men project": [
        ("MOPAC", 0, CostCategory.staff, 80_000), ("MOPAC", 1, CostCategory.staff, 80_000),
        ("Croydon", 0, CostCategory.training, 35_000), ("Sutton", 0, CostCategory.delivery,
                                                        20_000)],
    "East London exploitation hub": [
        ("MOPAC", 0, CostCategory.staff, 75_000), ("MOPAC", 1, CostCategory.delivery, 75_000),
        ("Newham", 0, CostCategory.evaluation, 30_000),
        ("Havering", 0, CostCategory.overheads, 25_000)],
}

CLOSED_ROUND_SUBMISSIONS = [  # in the order they came in
    "Tri-borough trauma-informed support",
    "North West London young women's partnership",
    "East London exploitation hub",
    "Croydon and Sutton boys and young men project",
]
CLOSED_ROUND_WITHDRAWN = "Bexley and Greenwich schools partnership"
# consortium -> sections saved as drafts in the open round
OPEN_ROUND_DRAFTS = {
    "Tri-borough trauma-informed support": ["summary", "need", "delivery"],
    "North West London young women's partnership": [s.key for s in SECTIONS
                                                    if s.key != "budget"],
}


def _answers(consortium: Consortium, key: str, story: dict, eoi: Eoi) -> dict:
    boroughs = ", ".join(b.name for b in consortium.member_boroughs)
    if key == "summary":
        return {"title": story["title"], "summary": (
            f"{consortium.purpose}\n\nWho for: {story['who']}, in {boroughs}. What will change: "
            "more young people identified early, staying with support for as long as they "
            "need it, wherever in London they are.")}
    if key == "priorities":
        chosen = [p.id for p in eoi.funding_round.priorities if p.code in story["priorities"]]
        return {"priority_ids": chosen, "how": (
            f"The proposal answers this priority directly: it is designed for {story['who']}, "
            "across borough boundaries rather than within one.")}
    if key == "outcomes":
        years = operations.round_years(eoi)
        indicators = eoi.funding_round.indicators[:3]
        return {"indicators": {
            str(indicator.id): {"baseline": 10 + 5 * n,
                                "targets": {str(y): 20 + 10 * n + 10 * i
                                            for i, y in enumerate(years)}}
            for n, indicator in enumerate(indicators)}}
    if key == "budget":
        return {"notes": "Borough contributions in the first year are confirmed; "
                "in-kind contributions are staff time and rooms, costed at cost."}
    texts = {
        "need": {
            "quantitative": story["need"],
            "qualitative": "Young people told us they want one worker who stays, does not "
            "judge, and does not pass everything to social care without asking.",
            "contextual": f"County lines and peer groups cross the boundaries of {boroughs}; "
            "existing services stop at them.",
            "data_sources": "Borough MASH returns, police exploitation flags, provider "
            "records (aggregated, 2024 to 2026)",
        },
        "delivery": {
            "model": story["model"],
            "components": f"{story['partner']} leads delivery: one-to-one advocacy, group "
            "work, counselling through local CAMHS, and training for professionals.",
            "follows_young_person": "A young person keeps the same worker when they move "
            "between boroughs, are placed outside London, or turn 18; the worker introduces "
            "them to adult services before support ends.",
            "schools": story["schools"],
        },
        "partnership": {
            "partners": f"{boroughs} commission together; {story['partner']} delivers.",
            "vcs": "Small specialist providers are paid for their time in governance and "
            "are never asked to carry the risk of late payments.",
            "lead_capacity": f"{consortium.lead.full_name} leads, with four days a month "
            "agreed and political sign-off from each borough's lead member.",
        },
        "participation": {"participation": "A young people's advisory group, paid for its "
                          "time, reviews the service each quarter; parents join twice a year."},
        "data_sharing": {
            "data_sharing": "Partners share aggregate figures monthly under one information "
            "sharing agreement; case information is shared only with consent or where the law "
            "requires it.",
            "consent": "Young people are told in plain words what is shared, with whom and "
            "why, and can change their minds at any time.",
        },
        "risks": {
            "risks": "Recruitment delays (mitigated by seconding existing staff); referrals "
            "lower than expected (mitigated by training for referrers).",
            "local_provision": "Existing local services were mapped first; the project adds "
            "to them and pays small providers for their part.",
        },
        "sustainability": {
            "sustainability": "Boroughs will fund the core posts from the third year if the "
            "outcomes are met, and the hub model is built into each borough's plan.",
            "exit": "No young person leaves support abruptly: each has a plan, agreed with "
            "them, for support to continue through universal or adult services.",
        },
    }
    return texts[key]


def _draft(consortium: Consortium, funding_round: FundingRound, keys, *, complete: bool,
           with_budget: bool, budget=None) -> Eoi:
    lead = consortium.lead
    eoi = operations.start_eoi(consortium, funding_round, by=lead)
    story = STORIES[consortium.name]
    if with_budget:
        for funder, offset, category, pounds in budget or BUDGETS[consortium.name]:
            operations.add_budget_line(
                eoi, financial_year=funding_round.first_financial_year + offset,
                category=category, funder=organisation_named(funder),
                amount_pence=pounds * 100, by=lead)
    for key in keys:
        operations.save_section(eoi, key, _answers(consortium, key, story, eoi),
                                mark_complete=complete, by=lead, expected_version=None)
    return eoi


def _consortium(name: str) -> Consortium:
    return found(db.session.scalar(select(Consortium).where(Consortium.name == name)), name)


def submit_demo_eoi(consortium_name: str, funding_round: FundingRound, *, now: datetime,
                    budget=None) -> Eoi:
    """A complete EOI with the consortium's demo budget (or `budget`, in the same form),
    submitted by its lead at `now` (the round must be open then, and cover the financial
    years of the demo pledges)."""
    eoi = _draft(_consortium(consortium_name), funding_round, [s.key for s in SECTIONS],
                 complete=True, with_budget=True, budget=budget)
    operations.submit_eoi(eoi, by=eoi.consortium.lead, now=now)
    return eoi


def load_demo_eois_for_closed_round(funding_round: FundingRound) -> list[str]:
    """Call while the round is still open: the submissions come in before its close."""
    created = []
    for hours_before, name in zip((200, 120, 30, 3), CLOSED_ROUND_SUBMISSIONS, strict=True):
        eoi = submit_demo_eoi(name, funding_round,
                              now=_before(funding_round.closes_at, hours_before))
        created.append(f"EOI {eoi.reference} ({name})")
    withdrawn = submit_demo_eoi(CLOSED_ROUND_WITHDRAWN, funding_round,
                                now=_before(funding_round.closes_at, 300))
    lead = withdrawn.consortium.lead
    operations.withdraw_eoi(withdrawn, by=lead, now=_before(funding_round.closes_at, 250))
    created.append(f"EOI {withdrawn.reference} ({CLOSED_ROUND_WITHDRAWN}), withdrawn")
    return created


def load_demo_eois_for_open_round(funding_round: FundingRound) -> list[str]:
    created = []
    for name, keys in OPEN_ROUND_DRAFTS.items():
        _draft(_consortium(name), funding_round, keys, complete=len(keys) > 3,
               with_budget=False)
        created.append(f"draft EOI ({name})")
    return created


def _before(instant: datetime, hours: int) -> datetime:
    return instant - timedelta(hours=hours)
