"""The demo panel's work on round one: the three demo panel members assess every bid, the
service finds one conflict of interest (NHS England is a partner of the North West London
bid), the East London bid needs moderation, and decisions are recorded but not published,
so a visitor can moderate and publish them. Scores and words are invented."""

from datetime import datetime, timedelta

from eoi.accounts.operations import find_user_by_email
from eoi.assessment import operations
from eoi.assessment.models import AssessmentStatus, DecisionOutcome
from eoi.demo import found
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.rounds.operations import change_round_status

PANEL = ["panel1@demo.example", "panel2@demo.example", "panel3@demo.example"]

# consortium -> {assessor: scores in the order of the round's criteria}
SCORES = {
    "Tri-borough trauma-informed support": {
        "panel1@demo.example": [3, 3, 3, 4, 3, 3, 3, 3],
        "panel2@demo.example": [3, 3, 2, 3, 3, 4, 3, 3],
        "panel3@demo.example": [3, 2, 3, 3, 3, 3, 3, 3],
    },
    "North West London young women's partnership": {
        "panel1@demo.example": [4, 3, 4, 3, 3, 3, 3, 3],
        "panel2@demo.example": [3, 3, 4, 3, 3, 3, 2, 3],
    },
    "East London exploitation hub": {  # far apart on partnership: needs moderation
        "panel1@demo.example": [2, 2, 0, 2, 2, 2, 2, 2],
        "panel2@demo.example": [2, 2, 4, 2, 2, 3, 2, 2],
        "panel3@demo.example": [2, 2, 2, 2, 2, 2, 2, 2],
    },
    "Croydon and Sutton boys and young men project": {
        "panel1@demo.example": [2, 1, 2, 2, 1, 2, 2, 2],
        "panel2@demo.example": [2, 2, 1, 2, 2, 2, 1, 2],
        "panel3@demo.example": [2, 2, 2, 1, 2, 2, 2, 2],
    },
}

COMMENTS = {
    0: "Not addressed: the bid gives no evidence against this criterion.",
    1: "Weak: mentioned, but with little evidence or detail.",
    2: "Adequate: addressed with some evidence; gaps remain.",
    3: "Good: clear evidence and a credible plan.",
    4: "Excellent: fully evidenced, with strong partnership commitments.",
}

# consortium -> (decision, pounds awarded, conditions)
DECISIONS = {
    "North West London young women's partnership": (DecisionOutcome.fund, 300_000, ""),
    "Tri-borough trauma-informed support": (
        DecisionOutcome.fund_with_conditions, 170_000,
        "Agree an information sharing protocol with all three boroughs before the first "
        "payment."),
    "East London exploitation hub": (DecisionOutcome.reserve, 0, ""),
    "Croydon and Sutton boys and young men project": (DecisionOutcome.not_funded, 0, ""),
}


def load_demo_assessment(funding_round: FundingRound, closed_at: datetime) -> list[str]:
    """Run the panel on the closed round, as its members would after it closed."""
    if funding_round.status is not RoundStatus.closed:
        return []
    manager = find_user_by_email("manager@demo.example")
    people = {email: found(find_user_by_email(email), email) for email in PANEL}
    for person in people.values():
        operations.add_panel_member(funding_round, person, by=manager)
    day = closed_at + timedelta(days=2)
    operations.assign_even_spread(funding_round, by=manager, now=day)
    bids = {e.consortium.name: e for e in operations.submitted_eois(funding_round)}
    # Assigned by hand to the one bid the spread left her off: the service records why.
    operations.assign(bids["North West London young women's partnership"],
                      people["panel3@demo.example"], by=manager, now=day)
    criteria = funding_round.criteria
    for name, sheets in SCORES.items():
        eoi = bids[name]
        for email, scores in sheets.items():
            assessment = next(a for a in eoi.assessments
                              if a.assessor_id == people[email].id)
            operations.declare(assessment, has_interest=False, details="", by=people[email],
                               now=day + timedelta(hours=1))
            operations.save_scores(
                assessment, {c.id: (score, COMMENTS[score]) for c, score in
                             zip(criteria, scores, strict=True)},
                submit=True, by=people[email], now=day + timedelta(days=5),
                expected_version=None)
    change_round_status(funding_round, RoundStatus.assessed, by=manager,
                        now=day + timedelta(days=10))
    for name, (outcome, pounds, conditions) in DECISIONS.items():
        operations.record_decision(bids[name], outcome=outcome, amount_pence=pounds * 100,
                                   conditions=conditions, feedback="", by=manager)
    conflicted = sum(a.status is AssessmentStatus.conflicted
                     for e in bids.values() for a in e.assessments)
    return [f"panel assessment of {funding_round.title}: {len(bids)} bids scored, "
            f"{conflicted} conflict of interest, decisions recorded (not yet published)"]

