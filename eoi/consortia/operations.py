"""Every change to a consortium, its members, partners, lead and pledges: checked, audited."""

from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.audit import changes_between, record_audit, snapshot
from eoi.columns import check_version, ensure_unique
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    ConsortiumPartner,
    LeadInterest,
    MembershipStatus,
    PartnerRole,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Seniority,
)
from eoi.extensions import db
from eoi.money import financial_year_label, format_pence
from eoi.notifications import recipients, tell
from eoi.reference.models import LocalAuthority, Organisation, Priority
from eoi.refusals import FieldRefusal, TransitionRefused
from eoi.states import StateMachine

MEMBERSHIP = StateMachine("membership", {
    MembershipStatus.invited: frozenset({MembershipStatus.accepted, MembershipStatus.declined}),
    MembershipStatus.accepted: frozenset({MembershipStatus.left}),
    MembershipStatus.declined: frozenset({MembershipStatus.invited}),
    MembershipStatus.left: frozenset({MembershipStatus.invited}),
})

# A certifier's reason for declining a pledge: a paragraph.
MAX_REASON = 2000

PLEDGE = StateMachine("pledge", {
    PledgeStatus.proposed: frozenset({PledgeStatus.confirmed, PledgeStatus.signing,
                                      PledgeStatus.withdrawn}),
    # Signed off, the pledge is confirmed; declined, it is proposed again.
    PledgeStatus.signing: frozenset({PledgeStatus.confirmed, PledgeStatus.proposed,
                                     PledgeStatus.withdrawn}),
    PledgeStatus.confirmed: frozenset({PledgeStatus.received, PledgeStatus.withdrawn}),
    PledgeStatus.received: frozenset(),
    PledgeStatus.withdrawn: frozenset(),
})


def create_consortium(*, name: str, purpose: str, by: User) -> Consortium:
    """The commissioner who forms a consortium leads it, and their borough is its first member."""
    borough = by.borough
    if borough is None or not by.has_role(Role.commissioner):
        raise FieldRefusal("name", "Only a borough's commissioner can form a consortium")
    ensure_unique(Consortium, "name", name)
    consortium = Consortium(name=name, purpose=purpose, lead=by, created_by_id=by.id)
    consortium.memberships.append(ConsortiumMembership(
        local_authority=borough, status=MembershipStatus.accepted, invited_by_id=by.id,
        responded_by_id=by.id, responded_at=clock.now(),
    ))
    db.session.add(consortium)
    record_audit("consortium.created", consortium, user=by,
                 summary=f"Formed the consortium with {borough.name}, led by {by.full_name}")
    return consortium


def update_consortium(consortium: Consortium, *, name: str, purpose: str, by: User,
                      expected_version: int | None) -> Consortium:
    check_version(consortium, expected_version)
    ensure_unique(Consortium, "name", name, exclude_id=consortium.id)
    before = snapshot(consortium, ["name", "purpose"])
    consortium.name, consortium.purpose = name, purpose
    changes = changes_between(before, snapshot(consortium, ["name", "purpose"]))
    if changes:
        record_audit("consortium.updated", consortium, user=by, summary="Updated details",
                     changes=changes)
    return consortium


def invite_borough(consortium: Consortium, borough: LocalAuthority, *, by: User
                   ) -> ConsortiumMembership:
    membership = consortium.membership_for(borough.id)
    summary = f"Invited {borough.name} to join"
    if membership is None:
        membership = ConsortiumMembership(local_authority=borough,
                                          status=MembershipStatus.invited)
        consortium.memberships.append(membership)
        record_audit("consortium.borough_invited", consortium, user=by, summary=summary)
    else:
        MEMBERSHIP.move(membership, MembershipStatus.invited, by=by,
                        action="consortium.borough_invited", subject=consortium,
                        summary=summary)
        membership.responded_by_id = membership.responded_at = None
    membership.invited_by_id, membership.invited_at = by.id, clock.now()
    tell.borough_invited(membership, by=by)
    return membership


def respond_to_invitation(membership: ConsortiumMembership, *, accept: bool, by: User
                          ) -> ConsortiumMembership:
    if not membership.can_respond(by):
        raise TransitionRefused("Only a commissioner of the invited borough can answer")
    new = MembershipStatus.accepted if accept else MembershipStatus.declined
    MEMBERSHIP.move(
        membership, new, by=by, subject=membership.consortium,
        action="consortium.invitation_accepted" if accept else "consortium.invitation_declined",
        summary=f"{membership.local_authority.name} {'accepted' if accept else 'declined'} "
        "the invitation")
    membership.responded_by_id, membership.responded_at = by.id, clock.now()
    tell.invitation_answered(membership, by=by)
    return membership


def leave_consortium(membership: ConsortiumMembership, *, by: User) -> ConsortiumMembership:
    consortium = membership.consortium
    if not membership.can_respond(by):
        raise TransitionRefused("Only a commissioner of the borough can take it out")
    if consortium.lead.borough == membership.local_authority:
        raise TransitionRefused(
            "The lead commissioner's borough cannot leave. Name a lead from another borough first"
        )
    MEMBERSHIP.move(membership, MembershipStatus.left, by=by, subject=consortium,
                    action="consortium.borough_left",
                    summary=f"{membership.local_authority.name} left the consortium")
    membership.responded_by_id, membership.responded_at = by.id, clock.now()
    return membership


def lead_candidates(consortium: Consortium) -> list[User]:
    """Active commissioners of boroughs that have accepted membership."""
    borough_orgs = [la.organisation.id for la in consortium.member_boroughs if la.organisation]
    if not borough_orgs:
        return []
    users = db.session.scalars(
        select(User).where(User.organisation_id.in_(borough_orgs), User.is_active.is_(True))
        .order_by(User.full_name)
    )
    return [u for u in users if u.has_role(Role.commissioner)]


def change_lead(consortium: Consortium, new_lead: User, *, reason: str, by: User,
                expected_version: int | None) -> Consortium:
    check_version(consortium, expected_version)
    if new_lead not in lead_candidates(consortium):
        raise FieldRefusal("lead_id", "Choose a commissioner of a borough that is a member")
    if new_lead.id == consortium.lead_id:
        raise FieldRefusal("lead_id", f"{new_lead.full_name} already leads this consortium")
    old = consortium.lead
    consortium.lead = new_lead
    record_audit(
        "consortium.lead_changed", consortium, user=by,
        summary=f"Lead changed from {old.full_name} to {new_lead.full_name}. Reason: {reason}",
        changes={"lead": [old.full_name, new_lead.full_name], "reason": [None, reason]},
    )
    tell.lead_changed(consortium, old_lead=old, reason=reason, by=by)
    return consortium


def add_partner(consortium: Consortium, organisation: Organisation, role: PartnerRole, *,
                by: User) -> ConsortiumPartner:
    existing = next((p for p in consortium.partners if p.organisation_id == organisation.id),
                    None)
    if existing is not None and not existing.is_removed:
        raise FieldRefusal("organisation_id", f"{organisation.name} is already a partner")
    partner = existing or ConsortiumPartner(organisation=organisation, role=role)
    partner.role, partner.is_removed = role, False
    if existing is None:
        consortium.partners.append(partner)
    record_audit("consortium.partner_added", consortium, user=by,
                 summary=f"Added {organisation.name} as {role.title.lower()}")
    return partner


def remove_partner(partner: ConsortiumPartner, *, by: User) -> ConsortiumPartner:
    if partner.is_removed:
        raise TransitionRefused(f"{partner.organisation.name} is no longer a partner already")
    partner.is_removed = True
    record_audit("consortium.partner_removed", partner.consortium, user=by,
                 summary=f"Removed {partner.organisation.name} ({partner.role.title.lower()})")
    return partner


_PLEDGE_FIELDS = ["funder_id", "financial_year", "amount_pence", "kind", "status",
                  "withdrawal_reason"]


def record_pledge(consortium: Consortium, *, funder: Organisation, financial_year: int,
                  amount_pence: int, kind: PledgeKind, by: User) -> Pledge:
    if funder not in consortium.pledge_funders_for(by):
        raise FieldRefusal("funder_id", "You cannot record a pledge for this funder")
    pledge = Pledge(consortium=consortium, funder=funder, financial_year=financial_year,
                    amount_pence=amount_pence, kind=kind, status=PledgeStatus.proposed,
                    created_by_id=by.id)
    db.session.add(pledge)
    record_audit("pledge.proposed", pledge, user=by,
                 summary=f"Proposed {format_pence(amount_pence)} {kind.title.lower()} for "
                 f"{financial_year_label(financial_year)} from {funder.name}",
                 changes=changes_between({}, snapshot(pledge, _PLEDGE_FIELDS)))
    return pledge


def update_pledge(pledge: Pledge, *, financial_year: int, amount_pence: int, kind: PledgeKind,
                  by: User, expected_version: int | None) -> Pledge:
    check_version(pledge, expected_version)
    if pledge.status is not PledgeStatus.proposed:
        raise TransitionRefused("Only a proposed pledge can be changed; withdraw it instead")
    before = snapshot(pledge, _PLEDGE_FIELDS)
    pledge.financial_year, pledge.amount_pence, pledge.kind = financial_year, amount_pence, kind
    changes = changes_between(before, snapshot(pledge, _PLEDGE_FIELDS))
    if changes:
        record_audit("pledge.updated", pledge, user=by, summary="Changed the pledge",
                     changes=changes)
    return pledge


def change_pledge_status(pledge: Pledge, new: PledgeStatus, *, by: User,
                         reason: str | None = None, expected_version: int | None = None
                         ) -> Pledge:
    check_version(pledge, expected_version)
    PLEDGE.check(pledge.status, new)  # before the reason: a change that cannot happen at all
    if new is PledgeStatus.withdrawn and not (reason or "").strip():
        raise FieldRefusal("reason", "Enter why the pledge is withdrawn")
    if new is PledgeStatus.confirmed and pledge.status is PledgeStatus.proposed and (
            needs_sign_off(pledge, by)):
        new = PledgeStatus.signing
    elif new in (PledgeStatus.confirmed, PledgeStatus.signing) and (
            pledge.status is PledgeStatus.signing or new is PledgeStatus.signing):
        raise TransitionRefused("A pledge waiting for sign-off is signed off by a certifier "
                                "of its funder")
    before = snapshot(pledge, _PLEDGE_FIELDS)
    # Worded before the change: naming the pledge reads its funder, and a read flushes, and
    # a reason without its withdrawal breaks the table's rule.
    summary = f"{new.title} the pledge of {pledge}" + (f". Reason: {reason}" if reason else "")
    if new is PledgeStatus.withdrawn:
        pledge.withdrawal_reason = (reason or "").strip()
    if new is PledgeStatus.signing:
        pledge.sign_off_asked_at = clock.now()
    PLEDGE.move(pledge, new, by=by, action=f"pledge.{new.value}", summary=summary,
                changes=changes_between(before, snapshot(pledge, _PLEDGE_FIELDS)))
    if new in (PledgeStatus.confirmed, PledgeStatus.withdrawn):
        tell.pledge_changed(pledge, reason=reason, by=by)
    if new is PledgeStatus.signing:
        tell.pledge_for_sign_off(pledge)
    return pledge


def needs_sign_off(pledge: Pledge, by: User) -> bool:
    """A funder that names certifiers makes its pledges final by their sign-off; one of them
    confirming it is that sign-off."""
    certifiers = recipients.certifiers_of(pledge.funder_id)
    return bool(certifiers) and all(c.id != by.id for c in certifiers)


def sign_off_pledge(pledge: Pledge, *, approve: bool, reason: str, by: User,
                    expected_version: int | None = None) -> Pledge:
    if not pledge.can_sign_off(by):
        raise TransitionRefused("Only a certifier of the funder signs its pledge off")
    check_version(pledge, expected_version)
    if not approve and not reason.strip():
        raise FieldRefusal("reason", "Say why you cannot sign it off")
    if len(reason.strip()) > MAX_REASON:
        raise FieldRefusal("reason", f"The reason must be {MAX_REASON:,} characters or fewer")
    if approve:
        PLEDGE.move(pledge, PledgeStatus.confirmed, by=by, action="pledge.signed_off",
                    summary=f"Signed off the pledge of {pledge}")
        tell.pledge_changed(pledge, reason=None, by=by)
    else:
        PLEDGE.move(pledge, PledgeStatus.proposed, by=by, action="pledge.sign_off_declined",
                    summary=f"Declined to sign off the pledge of {pledge}: {reason.strip()}",
                    changes={"reason": [None, reason.strip()]})
        tell.pledge_changed(pledge, reason=f"Not signed off: {reason.strip()}", by=by)
    return pledge


_INTEREST_FIELDS = ["priority_id", "capacity_days_per_month", "seniority",
                    "has_political_sign_off", "notes", "is_withdrawn"]


def declare_lead_interest(*, user: User, priority: Priority, capacity_days_per_month: int,
                          seniority: Seniority, has_political_sign_off: bool, notes: str
                          ) -> LeadInterest:
    if not user.has_role(Role.commissioner) or user.borough is None:
        raise FieldRefusal("priority_id", "Only a borough's commissioner can declare interest")
    interest = db.session.scalar(select(LeadInterest).where(
        LeadInterest.user_id == user.id, LeadInterest.priority_id == priority.id))
    if interest is not None and not interest.is_withdrawn:
        raise FieldRefusal("priority_id", "You have already declared interest in this priority")
    if interest is None:
        interest = LeadInterest(user=user, priority=priority)
        db.session.add(interest)
    before = snapshot(interest, _INTEREST_FIELDS) if interest.id else {}
    interest.capacity_days_per_month = capacity_days_per_month
    interest.seniority = seniority
    interest.has_political_sign_off = has_political_sign_off
    interest.notes = notes
    interest.is_withdrawn = False
    record_audit("lead_interest.declared", interest, user=user,
                 summary=f"Declared interest in leading {priority.title}",
                 changes=changes_between(before, snapshot(interest, _INTEREST_FIELDS)))
    return interest


def update_lead_interest(interest: LeadInterest, *, capacity_days_per_month: int,
                         seniority: Seniority, has_political_sign_off: bool, notes: str,
                         by: User, expected_version: int | None) -> LeadInterest:
    check_version(interest, expected_version)
    before = snapshot(interest, _INTEREST_FIELDS)
    interest.capacity_days_per_month = capacity_days_per_month
    interest.seniority = seniority
    interest.has_political_sign_off = has_political_sign_off
    interest.notes = notes
    changes = changes_between(before, snapshot(interest, _INTEREST_FIELDS))
    if changes:
        record_audit("lead_interest.updated", interest, user=by, summary="Updated interest",
                     changes=changes)
    return interest


def withdraw_lead_interest(interest: LeadInterest, *, by: User) -> LeadInterest:
    if interest.is_withdrawn:
        raise TransitionRefused("This interest is already withdrawn from the register")
    interest.is_withdrawn = True
    record_audit("lead_interest.withdrawn", interest, user=by,
                 summary=f"Withdrew interest in leading {interest.priority.title}")
    return interest
