"""Changes to an agreement (variations): the lead asks, with a reason; a fund manager
approves or refuses; a change to another funder's money waits for that funder's own people
to confirm it, as their pledges do. An approved change makes the agreement's next version,
and the version before is kept. The variation's machine is written here, once.

The kinds: moving money between years (the budget by category of both years follows it),
moving money between cost categories within a year, extending the end date (its new
quarters get their returns), adding or removing a delivery partner, and changing a target.
"""

from datetime import date, datetime, timedelta

from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants import categories
from eoi.grants.models import (
    LIVE_GRANT_STATES,
    MAX_NOTES,
    Grant,
    GrantFunding,
    GrantIndicator,
    GrantPartner,
    GrantVersion,
    IndicatorTarget,
    PartnerChange,
    Variation,
    VariationKind,
    VariationStatus,
)
from eoi.grants.operations import schedule_returns, touch
from eoi.grants.periods import Quarter
from eoi.money import financial_year_label, financial_year_of, format_pence
from eoi.notifications import tell
from eoi.reference.models import Organisation, OrganisationType
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.states import StateMachine

VARIATION = StateMachine("variation", {
    VariationStatus.requested: frozenset({VariationStatus.approved, VariationStatus.refused,
                                          VariationStatus.awaiting_funder}),
    VariationStatus.awaiting_funder: frozenset({VariationStatus.approved}),
})


def grant_years(grant: Grant) -> list[int]:
    """The financial years the grant runs in: money can move into any of them."""
    return list(range(financial_year_of(grant.starts_on),
                      financial_year_of(grant.ends_on) + 1))


def budget(grant: Grant, funder_id: int, year: int) -> int:
    return sum(f.amount_pence for f in grant.funding
               if f.funder_id == funder_id and f.financial_year == year)


def payments_in(grant: Grant, year: int) -> int:
    """MOPAC's payments scheduled in the financial year, whatever their status."""
    return sum(p.amount_pence for p in grant.payments
               if financial_year_of(p.scheduled_on) == year)


def budget_problem(grant: Grant, funder: Organisation, from_year: int,
                   amount_pence: int) -> str | None:
    """Why moving the money would break the budget, in words; None when it fits."""
    have = budget(grant, funder.id, from_year)
    if amount_pence > have:
        return (f"{funder.name} has {format_pence(have)} in "
                f"{financial_year_label(from_year)}: no more can move out of it")
    if funder.type is OrganisationType.mopac:
        left, scheduled = have - amount_pence, payments_in(grant, from_year)
        if scheduled > left:
            return (f"Payments of {format_pence(scheduled)} are scheduled in "
                    f"{financial_year_label(from_year)}, more than the "
                    f"{format_pence(left)} that would be left: move or remove payments first")
    return None


def request_variation(grant: Grant, *, funder: Organisation | None, from_year: int | None,
                      to_year: int | None, amount_pence: int | None, reason: str, by,
                      now: datetime) -> Variation:
    _check_asker(grant, by)
    years = grant_years(grant)
    if funder is None or funder.id not in {f.funder_id for f in grant.funding}:
        raise FieldRefusal("funder_id", "Choose one of the grant's funders")
    if from_year not in years:
        raise FieldRefusal("from_year", "Choose a year of the grant to move money from")
    if to_year not in years or to_year == from_year:
        raise FieldRefusal("to_year", "Choose another year of the grant to move it to")
    if not amount_pence or amount_pence <= 0:
        raise FieldRefusal("amount", "Enter the amount to move, more than £0")
    if problem := budget_problem(grant, funder, from_year, amount_pence):
        raise FieldRefusal("amount", problem)
    return _asked(grant, Variation(
        kind=VariationKind.move_between_years, funder=funder, from_year=from_year,
        to_year=to_year, amount_pence=amount_pence), reason=reason, by=by, now=now)


def request_extension(grant: Grant, *, new_ends_on: date | None, reason: str, by,
                      now: datetime) -> Variation:
    _check_asker(grant, by)
    if new_ends_on is None:
        raise FieldRefusal("new_ends_on", "Enter the new end date")
    if new_ends_on <= grant.ends_on:
        raise FieldRefusal("new_ends_on", f"The new end date must be after the grant's "
                           f"end now, {grant.ends_on:%-d %B %Y}")
    if new_ends_on > grant.ends_on + timedelta(days=3 * 366):
        raise FieldRefusal("new_ends_on", "A grant can be extended by at most three years at "
                           "a time")
    if new_ends_on != Quarter.containing(new_ends_on).end:
        raise FieldRefusal("new_ends_on", "The new end date must be the last day of a quarter "
                           "(30 June, 30 September, 31 December or 31 March)")
    return _asked(grant, Variation(kind=VariationKind.extend_end_date, new_ends_on=new_ends_on),
                  reason=reason, by=by, now=now)


def request_partner_change(grant: Grant, *, partner: Organisation | None,
                           change: PartnerChange | None, reason: str, by,
                           now: datetime) -> Variation:
    _check_asker(grant, by)
    if change is None:
        raise FieldRefusal("change", "Select whether to add or remove a partner")
    current = {p.organisation_id for p in grant.partners}
    if partner is None:
        raise FieldRefusal("partner_id", "Choose the organisation")
    if change is PartnerChange.add and (partner.id in current
                                        or partner.type is not OrganisationType.vcs):
        raise FieldRefusal("partner_id", "Choose a voluntary organisation that is not already "
                           "a delivery partner")
    if change is PartnerChange.remove and partner.id not in current:
        raise FieldRefusal("partner_id", "Choose one of the grant's delivery partners")
    return _asked(grant, Variation(kind=VariationKind.change_partner, partner=partner,
                                   partner_change=change), reason=reason, by=by, now=now)


def category_problem(grant: Grant, year: int, from_category: CostCategory,
                     amount_pence: int) -> str | None:
    """Why moving the money out of the category would break the budget, in words; None when
    it fits."""
    have = categories.in_year(grant, year).get(from_category, 0)
    label = f"{from_category.title} in {financial_year_label(year)}"
    if amount_pence > have:
        return f"{label} has {format_pence(have)}: no more can move out of it"
    spent = categories.spent_in(grant, year).get(from_category, 0)
    if spent > have - amount_pence:
        return (f"The returns say {format_pence(spent)} was spent on {label.lower()} already, "
                f"more than the {format_pence(have - amount_pence)} that would be left")
    return None


def request_category_move(grant: Grant, *, year: int | None,
                          from_category: CostCategory | None,
                          to_category: CostCategory | None, amount_pence: int | None,
                          reason: str, by, now: datetime) -> Variation:
    _check_asker(grant, by)
    if year not in grant_years(grant):
        raise FieldRefusal("from_year", "Choose a year of the grant")
    if from_category is None or from_category not in categories.in_year(grant, year):
        raise FieldRefusal("from_category", "Choose a cost category with money in that year")
    if to_category is None or to_category is from_category:
        raise FieldRefusal("to_category", "Choose another cost category to move it to")
    if not amount_pence or amount_pence <= 0:
        raise FieldRefusal("amount", "Enter the amount to move, more than £0")
    if problem := category_problem(grant, year, from_category, amount_pence):
        raise FieldRefusal("amount", problem)
    return _asked(grant, Variation(
        kind=VariationKind.move_between_categories, from_year=year,
        from_category=from_category, to_category=to_category, amount_pence=amount_pence),
        reason=reason, by=by, now=now)


# Far beyond any target a grant sets: a larger figure is a slip.
MAX_TARGET = 100_000


def request_target_change(grant: Grant, *, grant_indicator: GrantIndicator | None,
                          year: int | None, new_target: int | None, reason: str, by,
                          now: datetime) -> Variation:
    _check_asker(grant, by)
    if grant_indicator is None or grant_indicator.grant_id != grant.id:
        raise FieldRefusal("grant_indicator_id", "Choose one of the grant's indicators")
    if year not in grant_years(grant):
        raise FieldRefusal("target_year", "Choose a year of the grant")
    if new_target is None or not 0 <= new_target <= MAX_TARGET:
        raise FieldRefusal("new_target", f"Enter the new target, from 0 to {MAX_TARGET:,}")
    if grant_indicator.target_for(year) == new_target:
        raise FieldRefusal("new_target", "That is the target already")
    return _asked(grant, Variation(kind=VariationKind.change_target,
                                   grant_indicator=grant_indicator, target_year=year,
                                   new_target=new_target), reason=reason, by=by, now=now)


def _check_asker(grant: Grant, by) -> None:
    if not (grant.is_owner(by) and grant.state in LIVE_GRANT_STATES):
        raise TransitionRefused("Only the lead commissioner asks for a change, while the "
                                "grant is live")


def _asked(grant: Grant, variation: Variation, *, reason: str, by, now: datetime) -> Variation:
    if not reason.strip():
        raise FieldRefusal("reason", "Say why the change is needed")
    if len(reason.strip()) > MAX_NOTES:
        raise FieldRefusal("reason", f"The reason must be {MAX_NOTES:,} characters or fewer")
    variation.grant, variation.reason = grant, reason.strip()
    variation.requested_at, variation.requested_by_id = now, by.id
    db.session.add(variation)
    db.session.flush()
    record_audit("variation.requested", variation, user=by,
                 summary=f"Asked to {variation.summary[:1].lower()}{variation.summary[1:]}",
                 changes={"reason": [None, variation.reason]})
    tell.variation_requested(variation)
    return variation


def decide_variation(variation: Variation, *, approve: bool, comments: str, by,
                     now: datetime, expected_version: int | None = None) -> None:
    if not variation.can_decide(by):
        raise TransitionRefused("Only a fund manager decides a change, once asked")
    check_version(variation, expected_version)
    if not approve and not comments.strip():
        raise FieldRefusal("comments", "Say why the change is refused")
    if len(comments.strip()) > MAX_NOTES:
        raise FieldRefusal("comments", f"Comments must be {MAX_NOTES:,} characters or fewer")
    variation.comments = comments.strip()
    variation.decided_at, variation.decided_by_id = now, by.id
    if not approve:
        VARIATION.move(variation, VariationStatus.refused, by=by, action="variation.refused",
                       summary=f"Refused: {variation.summary} ({comments.strip()})",
                       changes={"reason": [None, comments.strip()]})
        tell.variation_decided(variation)
        return
    if not variation.needs_funder:
        _apply(variation, by=by, now=now)
        return
    funder = variation.funder
    assert funder is not None  # needs_funder
    VARIATION.move(variation, VariationStatus.awaiting_funder, by=by,
                   action="variation.approved_by_mopac",
                   summary=f"MOPAC approved, for {funder.name} to confirm: "
                   f"{variation.summary}")
    tell.variation_to_confirm(variation)


def confirm_variation(variation: Variation, *, by, now: datetime,
                      expected_version: int | None = None) -> None:
    if not variation.can_confirm(by):
        raise TransitionRefused("Only the funder's own people confirm a change to its money")
    check_version(variation, expected_version)
    variation.confirmed_at, variation.confirmed_by_id = now, by.id
    _apply(variation, by=by, now=now)


def _apply(variation: Variation, *, by, now: datetime) -> None:
    """Make the change and the agreement's next version, keeping the one before."""
    grant = variation.grant
    if not grant.versions:
        grant.versions.append(_snapshot(grant, number=grant.agreement_version,
                                        made_at=grant.accepted_at or grant.created_at,
                                        made_by_id=grant.accepted_by_id, variation=None))
    {VariationKind.move_between_years: _move_money,
     VariationKind.move_between_categories: _move_between_categories,
     VariationKind.extend_end_date: _extend,
     VariationKind.change_partner: _change_partner,
     VariationKind.change_target: _change_target}[variation.kind](grant, variation)
    db.session.flush()
    db.session.expire(grant, ["funding", "budget_lines", "partners", "returns"])  # in order
    grant.agreement_version += 1
    touch(grant)
    variation.made_version = grant.agreement_version
    grant.versions.append(_snapshot(grant, number=grant.agreement_version, made_at=now,
                                    made_by_id=by.id, variation=variation))
    VARIATION.move(variation, VariationStatus.approved, by=by, action="variation.approved",
                   summary=f"Approved: {variation.summary}. The agreement is now version "
                   f"{grant.agreement_version}")
    tell.variation_decided(variation)


def _no_longer_fits(problem: str) -> TransitionRefused:
    """An approval refused: what was checked when the change was asked fails now."""
    return TransitionRefused(f"The change no longer fits: {problem[:1].lower()}{problem[1:]}")


def _move_money(grant: Grant, variation: Variation) -> None:
    funder, from_year, to_year, amount = (variation.funder, variation.from_year,
                                          variation.to_year, variation.amount_pence)
    assert funder and from_year and to_year and amount  # the move_complete rule
    # Checked again: payments may have been scheduled since the change was asked for.
    if problem := budget_problem(grant, funder, from_year, amount):
        raise _no_longer_fits(problem)
    rows = {(f.financial_year, f.funder_id): f for f in grant.funding}
    source = rows[(from_year, funder.id)]
    source.amount_pence -= amount
    if source.amount_pence == 0:
        grant.funding.remove(source)
    target = rows.get((to_year, funder.id))
    if target is None:
        grant.funding.append(GrantFunding(financial_year=to_year, funder_id=funder.id,
                                          amount_pence=amount))
    else:
        target.amount_pence += amount
    for year in (from_year, to_year):
        categories.reshape(grant, year)


def _move_between_categories(grant: Grant, variation: Variation) -> None:
    year, source, target, amount = (variation.from_year, variation.from_category,
                                    variation.to_category, variation.amount_pence)
    assert year and source and target and amount  # the category_move_complete rule
    # Checked again: a return may have reported more spend since.
    if problem := category_problem(grant, year, source, amount):
        raise _no_longer_fits(problem)
    categories.move(grant, year, source, target, amount)


def _extend(grant: Grant, variation: Variation) -> None:
    assert variation.new_ends_on  # the extension_complete rule
    if variation.new_ends_on <= grant.ends_on:
        raise TransitionRefused("The grant already runs to then")
    grant.ends_on = variation.new_ends_on
    schedule_returns(grant)  # its new quarters' returns


def _change_partner(grant: Grant, variation: Variation) -> None:
    partner = variation.partner
    assert partner  # the partner_complete rule
    current = {p.organisation_id: p for p in grant.partners}
    if variation.partner_change is PartnerChange.add:
        if partner.id in current:
            raise TransitionRefused(f"{partner.name} is already a delivery partner")
        grant.partners.append(GrantPartner(organisation_id=partner.id))
    else:
        if partner.id not in current:
            raise TransitionRefused(f"{partner.name} is no longer a delivery partner")
        grant.partners.remove(current[partner.id])


def _change_target(grant: Grant, variation: Variation) -> None:
    indicator, year, target = (variation.grant_indicator, variation.target_year,
                               variation.new_target)
    assert indicator and year is not None and target is not None  # target_complete
    row = next((t for t in indicator.targets if t.financial_year == year), None)
    if row is None:
        indicator.targets.append(IndicatorTarget(financial_year=year, target=target))
    else:
        row.target = target


def _snapshot(grant: Grant, *, number: int, made_at: datetime, made_by_id: int | None,
              variation: Variation | None) -> GrantVersion:
    return GrantVersion(
        number=number, made_at=made_at, made_by_id=made_by_id, variation=variation,
        ends_on=grant.ends_on,
        funding=[[f.financial_year, f.funder_id, f.amount_pence] for f in grant.funding],
        partners=[p.organisation_id for p in grant.partners],
        categories=[[line.financial_year, line.category.value, line.amount_pence]
                    for line in grant.budget_lines],
        milestones=[[m.title, m.due_on.isoformat()] for m in grant.milestones],
        return_schedule=[[r.financial_year, r.quarter, r.due_on.isoformat()]
                         for r in grant.returns],
        targets={str(gi.indicator_id): {str(t.financial_year): t.target for t in gi.targets}
                 for gi in grant.indicators})
