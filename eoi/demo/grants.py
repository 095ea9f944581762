"""The pilot round's two grants, a year and more into delivery: milestones, payments and a
return for every quarter so far, in mixed states.

Bexley and Greenwich (delivered by St Giles Trust) has its latest return overdue, so the
demo partner has one to fill in; some of its young people live in one borough and are
supported in the other. Tri-borough has a return waiting for MOPAC's review, one sent back
and sent again that waits for Barnardo's certifier to sign it off, and an overdue
milestone. Everything goes through the operations people use; the figures are
invented, and are counts only.
"""

from datetime import date, datetime, time, timedelta

from eoi import clock
from eoi.accounts.operations import find_user_by_email
from eoi.assessment import operations as panel
from eoi.assessment.models import AssessmentStatus, DecisionOutcome
from eoi.demo.eois import submit_demo_eoi
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.formatting import LONDON
from eoi.grants import claims, monitoring, operations, variations
from eoi.grants.models import Grant
from eoi.grants.periods import Quarter
from eoi.money import share_out
from eoi.reference.models import LocalAuthority, OrganisationType
from eoi.returns import operations as returns
from eoi.returns.figures import (
    AGE_BANDS,
    DISABILITIES,
    GENDERS,
    OUTSIDE_LONDON,
    Cohorts,
    ReturnFigures,
)
from eoi.returns.models import ReturnStatus
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.rounds.operations import change_round_status

PILOT_BIDS = {  # consortium -> (decision, pounds, conditions)
    "Bexley and Greenwich schools partnership": (DecisionOutcome.fund, 180_000, ""),
    "Tri-borough trauma-informed support": (
        DecisionOutcome.fund_with_conditions, 170_000,
        "Agree an information sharing protocol with all three boroughs in the first "
        "quarter."),
    "Croydon and Sutton boys and young men project": (DecisionOutcome.fund, 60_000, ""),
}
# Funded for the pilot's second year only, to start once Croydon's exploitation team was in
# post: its offer has just gone out and waits for the lead to accept it.
LATE_START = "Croydon and Sutton boys and young men project"
# (funder, year of the pilot, category, pounds): its budget asks for the second year only.
PILOT_BUDGETS = {
    LATE_START: [("MOPAC", 1, CostCategory.staff, 60_000),
                 ("Croydon", 1, CostCategory.training, 35_000),
                 ("Sutton", 1, CostCategory.delivery, 20_000)],
}

# consortium -> [(where they live, where they are supported, share of young people)]
BOROUGH_MIX: dict[str, list[tuple[str | None, str, int]]] = {
    "Bexley and Greenwich schools partnership": [
        ("Greenwich", "Greenwich", 10), ("Bexley", "Bexley", 6), ("Bexley", "Greenwich", 2),
        ("Lewisham", "Greenwich", 1)],
    "Tri-borough trauma-informed support": [
        ("Hammersmith and Fulham", "Hammersmith and Fulham", 6),
        ("Kensington and Chelsea", "Kensington and Chelsea", 4),
        ("Westminster", "Kensington and Chelsea", 3), (None, "Hammersmith and Fulham", 1)],
}

# (title, evidence, days after the start it is due; None: ten days from today)
MILESTONES: dict[str, list[tuple[str, str, int | None]]] = {
    "Bexley and Greenwich schools partnership": [
        ("Workers in post in six schools", "Contracts and a list of the schools", 60),
        ("Training for school safeguarding leads delivered", "Attendance by school", 270),
        ("Mid-point evaluation report", "The evaluator's report", None)],
    "Tri-borough trauma-informed support": [
        ("Information sharing protocol agreed", "The protocol, signed by all three boroughs",
         75),
        ("Clinical supervision in place", "The supervision agreement with CAMHS", -20)],
}


def _at(day: date, hours: int = 10) -> datetime:
    return datetime.combine(day, time(hours), tzinfo=LONDON)


def load_demo_pilot(funding_round: FundingRound, today: date) -> list[str]:
    """Assess the pilot round (already closed), publish its decisions and follow the grants
    through to `today`."""
    manager = find_user_by_email("manager@demo.example")
    assessors = [find_user_by_email(f"panel{n}@demo.example") for n in (1, 2)]
    closed = funding_round.closes_at
    for person in assessors:
        panel.add_panel_member(funding_round, person, by=manager)
    bids = {e.consortium.name: e for e in panel.submitted_eois(funding_round)}
    for eoi in bids.values():
        for person in assessors:
            assessment = panel.assign(eoi, person, by=manager, now=closed + timedelta(days=1))
            if assessment.status is AssessmentStatus.awaiting_declaration:
                panel.declare(assessment, has_interest=False, details="", by=person,
                              now=closed + timedelta(days=2))
            panel.save_scores(assessment, {c.id: (3, "Good: clear evidence and a credible "
                                                  "plan.") for c in funding_round.criteria},
                              submit=True, by=person, now=closed + timedelta(days=5),
                              expected_version=None)
    change_round_status(funding_round, RoundStatus.assessed, by=manager,
                        now=closed + timedelta(days=8))
    decisions = {}
    for name, (outcome, pounds, conditions) in PILOT_BIDS.items():
        decisions[name] = panel.record_decision(
            bids[name], outcome=outcome, amount_pence=pounds * 100, conditions=conditions,
            feedback="", by=manager)
    change_round_status(funding_round, RoundStatus.decided, by=manager,
                        now=closed + timedelta(days=10))
    created = [f"{funding_round.title}: assessed and decided"]
    # Delivery starts with the first full quarter after the decision.
    decided_on = (closed + timedelta(days=10)).astimezone(LONDON).date()
    starts_on = max(date(funding_round.first_financial_year, 4, 1),
                    Quarter.containing(decided_on).next().start)
    for name in PILOT_BIDS:
        if name == LATE_START:
            grant = _offer_just_made(decisions[name], funding_round, today, manager)
            created.append(f"grant {grant.reference} ({name}), offered")
            continue
        days_after = None if name.startswith("Tri-borough") else _days_to_be_just_late(today)
        grant = operations.create_grant(decisions[name], by=manager, starts_on=starts_on,
                                        return_days_after_end=days_after)
        _accept(grant, decided_on + timedelta(days=9))
        _follow(grant, today, manager)
        created.append(f"grant {grant.reference} ({name})")
    return created


def _offer_just_made(decision, funding_round: FundingRound, today: date, manager) -> Grant:
    """The offer, to start next quarter (or this one, when the pilot's last year has no
    quarter left), with its payments scheduled in its first quarter."""
    last_day = date(funding_round.last_financial_year + 1, 3, 31)
    following = Quarter.containing(today).next().start
    starts_on = following if following < last_day else Quarter.containing(today).start
    grant = operations.create_grant(decision, by=manager, starts_on=starts_on)
    half = grant.award_pence // 2
    for description, pence, day in (("In advance", half, starts_on),
                                    ("Mid-quarter", grant.award_pence - half,
                                     starts_on + timedelta(days=45))):
        operations.schedule_payment(grant, description=description, amount_pence=pence,
                                    scheduled_on=day, milestone=None, by=manager)
    # The lead has a question before accepting, for the fund team to answer.
    operations.ask_about_offer(
        grant, question="Croydon's two new workers start a fortnight before the grant does. "
        "Can the first payment be made on acceptance rather than on the first day?",
        by=grant.owner, now=clock.now())
    return grant


# The demo partner's latest return is this many days overdue, whatever day the demo is loaded
# on (fewer only when the rule below leaves no room): late enough to show on every page, not
# so late that the grant turns red.
DAYS_LATE = 7


def _days_to_be_just_late(today: date) -> int:
    """How many days after each quarter returns are due, so the latest return that is due
    is about DAYS_LATE days late on `today`, keeping within 14 to 90 days (the grant page
    shows the number, and a return due within a fortnight of its quarter would look odd)."""
    since_quarter_end = (today - Quarter.containing(today).previous().end).days  # 1 to 92
    if since_quarter_end <= 14:
        # Too soon after this quarter's end: make the quarter before the late one.
        return 90
    return max(14, since_quarter_end - DAYS_LATE)


def _accept(grant: Grant, on: date) -> None:
    lead = grant.owner
    operations.accept_offer(grant, name=lead.full_name, role=f"Lead commissioner, "
                            f"{lead.organisation.name}", by=lead, now=_at(on),
                            expected_version=grant.version)


def _conditions(grant: Grant, manager) -> None:
    """The panel's condition, met in the first weeks."""
    for condition in grant.conditions:
        operations.send_condition_evidence(
            condition, notes="The protocol was signed by all three boroughs on 20 June; the "
            "fund team has the signed copy.", by=grant.owner, now=_at(grant.starts_on))
        operations.review_condition(condition, accept=True, comments="", by=manager,
                                    now=_at(grant.starts_on + timedelta(days=2)))


def _condition_open(grant: Grant, manager) -> None:
    operations.add_condition(
        grant, condition="Name a safeguarding lead in each of the three boroughs' partner "
        "schools before the second year's payment.",
        evidence_required="The roles named (no personal details needed beyond job titles)",
        blocks_payments=True, by=manager)


def _change_asked(grant: Grant, today: date) -> None:
    """The lead asks to move part of the first year's underspend into the second, for the
    fund team to decide."""
    mopac = next(f.funder for f in grant.funding if f.funder.type is OrganisationType.mopac)
    first, second = variations.grant_years(grant)[:2]
    room = variations.budget(grant, mopac.id, first) - variations.payments_in(grant, first)
    if room > 0:
        variations.request_variation(
            grant, funder=mopac, from_year=first, to_year=second,
            amount_pence=min(10_000_00, room), reason="Two schools joined late, so the first "
            "year's group work ran for one term less; the sessions move to the second year.",
            by=grant.owner, now=_at(today - timedelta(days=3)))


def _follow(grant: Grant, today: date, manager) -> None:
    tri_borough = grant.consortium.name.startswith("Tri-borough")
    if tri_borough:
        _conditions(grant, manager)
    _milestones_and_payments(grant, today, manager)
    if tri_borough:
        # Added since, still open: it holds back the payments not yet approved.
        _condition_open(grant, manager)
    else:
        _change_asked(grant, today)
    reporter = find_user_by_email("partner.barnardos@demo.example" if tri_borough
                                  else "partner.stgiles@demo.example")
    due = [r for r in grant.returns if r.due_on < today]
    for position, ret in enumerate(due):
        from_latest = len(due) - 1 - position
        if from_latest == 0 and not tri_borough:
            continue  # the overdue one, for the demo partner to fill in
        submitted_on = ret.due_on - timedelta(days=3)
        returns.save_return(ret, _figures(grant, ret.period, position),
                            by=reporter, now=_at(submitted_on, 9), entered_by="spreadsheet")
        returns.submit_return(ret, by=reporter, now=_at(submitted_on))
        if ret.status is ReturnStatus.signing:
            # Barnardo's names a certifier: its finance officer signs each return off.
            returns.sign_off_return(ret, by=find_user_by_email("finance.barnardos@demo.example"),
                                    now=_at(submitted_on, 15))
        if from_latest == 0:
            continue  # waiting for MOPAC's review
        if tri_borough and from_latest == 1:
            returns.review_return(ret, accept=False, comments=(
                "The age bands add up, but the case study names the young person's school. "
                "Take it out and submit again."), by=manager, now=_at(ret.due_on + timedelta(
                    days=5)))
            # Sent again without the school: it waits for Barnardo's certifier to sign off.
            returns.save_return(ret, _figures(grant, ret.period, position), by=reporter,
                                now=_at(ret.due_on + timedelta(days=6), 9),
                                entered_by="spreadsheet")
            returns.submit_return(ret, by=reporter, now=_at(ret.due_on + timedelta(days=6)))
            continue
        returns.review_return(ret, accept=True, comments="", by=manager,
                              now=_at(ret.due_on + timedelta(days=5)))


def _claim(grant: Grant, payment, day: date, manager, *, paid: bool) -> None:
    """The lead claims `payment` the day after `day`; the fund team checks it, and finance
    approves it and records it paid (or, not `paid`, has it still to approve)."""
    finance = find_user_by_email("finance@demo.example")
    spent = 0 if day == grant.starts_on else payment.amount_pence
    claim = claims.send_claim(
        grant, payment=payment, amount_pence=None, spend_to=day,
        spend={CostCategory.staff: spent * 3 // 4, CostCategory.delivery: spent - spent * 3 // 4},
        notes="Invoices and the ledger to this date are with the fund team.",
        by=grant.owner, now=_at(day + timedelta(days=1)))
    claims.check_claim(claim, by=manager, now=_at(day + timedelta(days=3)))
    if paid:
        claims.approve_claim(claim, by=finance, now=_at(day + timedelta(days=7)))
        claims.record_claim_paid(claim, by=finance, now=_at(day + timedelta(days=10)))


def _milestones_and_payments(grant: Grant, today: date, manager) -> None:
    tri_borough = grant.consortium.name.startswith("Tri-borough")
    partner_side = grant.owner
    milestones = []
    for title, evidence, days in MILESTONES[grant.consortium.name]:
        due_on = today + timedelta(days=10) if days is None else (
            today + timedelta(days=days) if days < 0 else grant.starts_on + timedelta(days=days))
        milestones.append(operations.add_milestone(grant, title=title,
                                                   evidence_required=evidence, due_on=due_on,
                                                   by=manager))
    operations.mark_milestones_due(today)
    first = milestones[0]
    operations.send_evidence(first, notes="Sent by email to the fund team and kept on file.",
                             by=partner_side, now=_at(first.due_on - timedelta(days=2)))
    operations.review_milestone(first, accept=True, comments="", by=manager,
                                now=_at(first.due_on + timedelta(days=3)))
    half = grant.award_pence // 2
    opening = operations.schedule_payment(
        grant, description="First year, in advance", amount_pence=half // 2,
        scheduled_on=grant.starts_on, milestone=None, by=manager)
    on_first = operations.schedule_payment(
        grant, description=f"On acceptance: {first.title}", amount_pence=half - half // 2,
        scheduled_on=first.due_on + timedelta(days=14), milestone=first, by=manager)
    for payment, day in ((opening, grant.starts_on), (on_first, first.due_on)):
        # Bexley and Greenwich's second claim waits with finance.
        with_finance = payment is on_first and not tri_borough
        _claim(grant, payment, day, manager, paid=not with_finance)
    if len(milestones) > 2:
        second = milestones[1]
        operations.send_evidence(second, notes="Attendance by school attached in the "
                                 "quarterly return.", by=partner_side,
                                 now=_at(second.due_on - timedelta(days=1)))
        operations.schedule_payment(
            grant, description=f"On acceptance: {second.title}",
            amount_pence=(grant.award_pence - half) // 2,
            scheduled_on=second.due_on + timedelta(days=14), milestone=second, by=manager)
    left = grant.award_pence - sum(p.amount_pence for p in grant.payments)
    operations.schedule_payment(
        grant, description="Second year", amount_pence=left,
        scheduled_on=date(grant.starts_on.year + 1, 4, 1), milestone=None, by=manager)


def _forecast(grant: Grant, period) -> dict[str, int]:
    """The rest of the year's budget, a little under: the partners expect a small
    underspend."""
    year_total = sum(f.amount_pence for f in grant.funding
                     if f.financial_year == period.financial_year)
    quarters = [r.period for r in grant.returns if r.financial_year == period.financial_year]
    left = sum(q > period for q in quarters)
    if not quarters or not left:
        return {}
    return share_out(year_total * left // len(quarters) * 9 // 10,
                     {"staff": 6, "delivery": 3, "training": 1})


def _figures(grant: Grant, period, position: int) -> ReturnFigures:
    """One quarter's invented counts: more young people as the service beds in, broken
    down in proportions that stay plausible, with a few small groups."""
    new, continuing = 6 + 2 * (position % 3), 4 + 3 * position
    total = Cohorts(new, continuing)
    names = {la.name: la.gss_code for la in db.session.scalars(db.select(LocalAuthority))}
    mix = BOROUGH_MIX[grant.consortium.name]
    weights = {i: share for i, (_home, _served, share) in enumerate(mix)}
    new_split, continuing_split = share_out(new, weights), share_out(continuing, weights)
    boroughs: dict[tuple[str, str], Cohorts] = {}
    for i, (home, served, _share) in enumerate(mix):
        pair = (names[home] if home else OUTSIDE_LONDON, names[served])
        counts = Cohorts(new_split[i], continuing_split[i])
        if counts.total:
            boroughs[pair] = counts
    profile = monitoring.profiled_spend(grant, period)
    quarters_in_year = sum(r.financial_year == period.financial_year for r in grant.returns)
    spend_split = share_out(profile * 9 // 10, {"staff": 6, "delivery": 3, "training": 1})
    return ReturnFigures(
        supported=total,
        breakdowns={
            "gender": _breakdown(total, GENDERS, (12, 5, 1, 1)),
            "age_band": _breakdown(total, AGE_BANDS, (2, 8, 6, 3)),
            "disability": _breakdown(total, DISABILITIES, (3, 14, 2)),
        },
        boroughs=boroughs,
        # About on target: each year's target spread over the quarters delivered in it.
        indicators={str(gi.indicator_id): (gi.target_for(period.financial_year) or 0)
                    // quarters_in_year + position % 2 for gi in grant.indicators},
        spend=spend_split,
        forecast=_forecast(grant, period),
        narrative={
            "progress": f"In {period.label} the team worked with {total.total} young people, "
                        f"{new} of them new. Group work ran in every partner school.",
            "challenges": "Referrals dip in the school holidays; workers used the time for "
                          "training and for visits to young people at home.",
            "risks": "One worker's post is covered by a fixed-term contract that ends in the "
                     "spring; the lead commissioner is seeking an extension.",
            "case_study": "A young person in Year 10 was referred by a teacher worried about "
                          "older friends outside school. After weekly sessions they rebuilt "
                          "contact with their family and now take part in group work."},
    )


def _breakdown(total: Cohorts, categories, weights) -> dict[str, Cohorts]:
    shares = dict(zip((key for key, _ in categories), weights, strict=True))
    new, continuing = share_out(total.new, shares), share_out(total.continuing, shares)
    return {key: Cohorts(new[key], continuing[key]) for key in shares
            if new[key] or continuing[key]}


def load_demo_pilot_eois(funding_round: FundingRound) -> list[str]:
    """Call while the pilot round is open: its three bids come in before its close."""
    created = []
    for hours_before, name in zip((48, 20, 6), PILOT_BIDS, strict=True):
        eoi = submit_demo_eoi(name, funding_round,
                              now=funding_round.closes_at - timedelta(hours=hours_before),
                              budget=PILOT_BUDGETS.get(name))
        created.append(f"EOI {eoi.reference} ({name})")
    return created
