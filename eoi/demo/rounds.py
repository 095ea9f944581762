"""Three demo rounds: a pilot decided last year whose grants are in delivery, one that
closed earlier this year and is being assessed, and one open now. Dates are set from the
day the data is loaded, so the open round is always open in a fresh demo."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from eoi.accounts.operations import find_user_by_email
from eoi.demo.assessment import load_demo_assessment
from eoi.demo.eois import load_demo_eois_for_closed_round, load_demo_eois_for_open_round
from eoi.demo.grants import load_demo_pilot, load_demo_pilot_eois
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.money import financial_year_of
from eoi.rounds import operations
from eoi.rounds.models import FundingRound, RoundStatus

GUIDANCE = (
    "Bid as a consortium of boroughs with a named lead commissioner. Show how support will "
    "follow young people across borough boundaries and into adulthood, how young people and "
    "families shaped the proposal, and what each partner brings to the pooled budget.\n\n"
    "Never include anything that could identify a young person."
)


def _london(day: date, hours: int, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(hours, minutes), tzinfo=LONDON)


def load_demo_rounds(today: date) -> list[str]:
    manager = find_user_by_email("manager@demo.example")
    year = financial_year_of(today)
    rounds = [
        ("Co-commissioning fund: pilot round (demonstration)", 600_000_00, year - 1, year,
         _london(today - timedelta(days=560), 9),
         _london(today - timedelta(days=480), 23, 59) + timedelta(minutes=1),
         RoundStatus.decided),
        ("Co-commissioning fund: round one (demonstration)", 2_000_000_00, year, year + 1,
         _london(today - timedelta(days=150), 9),
         _london(today - timedelta(days=60), 23, 59) + timedelta(minutes=1),
         RoundStatus.closed),
        ("Co-commissioning fund: round two (demonstration)", 1_500_000_00, year + 1, year + 2,
         _london(today - timedelta(days=14), 9),
         _london(today + timedelta(days=42), 23, 59) + timedelta(minutes=1),
         RoundStatus.open),
    ]
    created = []
    for title, envelope, first, last, opens_at, closes_at, status in rounds:
        if db.session.scalar(select(FundingRound.id).where(FundingRound.title == title)):
            continue
        funding_round = operations.create_round(values={
            "title": title, "envelope_pence": envelope, "first_financial_year": first,
            "last_financial_year": last, "opens_at": opens_at, "closes_at": closes_at,
            "guidance": GUIDANCE, "min_member_boroughs": 2, "min_match_percent": 25,
        }, by=manager)
        # Opened while it was open; the closed round took its submissions, then closed at
        # its deadline.
        funding_round.status = RoundStatus.open
        created.append(title)
        if status is RoundStatus.decided:
            created += load_demo_pilot_eois(funding_round)
            operations.change_round_status(funding_round, RoundStatus.closed, by=manager,
                                           now=closes_at)
            created += load_demo_pilot(funding_round, today)
        elif status is RoundStatus.closed:
            created += load_demo_eois_for_closed_round(funding_round)
            operations.change_round_status(funding_round, RoundStatus.closed, by=manager,
                                           now=closes_at)
            created += load_demo_assessment(funding_round, closes_at)
        else:
            created += load_demo_eois_for_open_round(funding_round)
    return created
