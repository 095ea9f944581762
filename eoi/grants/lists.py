"""The grants and payments lists: who sees which rows, the filters on screen, and the
columns downloaded."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from eoi.eois.models import Eoi
from eoi.exports import Filter, Listing, described, pounds, read_filters
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import Grant, GrantState, Payment, PaymentStatus
from eoi.grants.status import GrantStatus, Rag
from eoi.rounds.models import FundingRound


def visible_grants(user) -> list[Grant]:
    grants = db.session.scalars(select(Grant).order_by(Grant.reference)).all()
    return [g for g in grants if g.can_view(user)]


def _round_filter(grants: list[Grant]) -> Filter:
    rounds = db.session.scalars(select(FundingRound).where(FundingRound.id.in_(
        select(Eoi.round_id).where(Eoi.id.in_([g.eoi_id for g in grants]))))
        .order_by(FundingRound.opens_at.desc())).all()
    return Filter("round", "Round", [(str(r.id), r.title) for r in rounds], "Any round")


def grant_filters(grants: list[Grant]) -> list[Filter]:
    return [
        _round_filter(grants),
        Filter("state", "State", GrantState.choices(), "Any state"),
        Filter("status", "Status", [(r.value, r.title) for r in Rag], "Any status"),
    ]


def filter_grants(grants: list[Grant], filters: dict[str, Filter],
                  statuses: dict[int, GrantStatus]) -> list[Grant]:
    chosen = {name: f.chosen for name, f in filters.items()}
    return [g for g in grants
            if (not chosen["round"] or str(g.eoi.round_id) == chosen["round"])
            and (not chosen["state"] or g.state.value == chosen["state"])
            and (not chosen["status"] or statuses[g.id].rag.value == chosen["status"])]


def grant_listing(grants: list[Grant], filters: dict[str, Filter],
                  statuses: dict[int, GrantStatus]) -> Listing:
    listing = Listing("Grants", [
        "Reference", "Project", "Round", "Consortium", "Lead commissioner's borough",
        "Member boroughs", "Delivery partners", "State", "Status", "Why", "Starts", "Ends",
        "MOPAC award (£)", "Pooled budget (£)", "Paid (£)", "Spend to date (£)",
    ], filters=described(filters))
    for grant in grants:
        status = statuses[grant.id]
        listing.add([
            grant.reference, grant.title, grant.eoi.funding_round.title, grant.consortium.name,
            grant.consortium.lead.organisation.name,
            "; ".join(b.name for b in grant.consortium.member_boroughs),
            "; ".join(o.name for o in grant.partner_organisations),
            grant.state.title, status.rag.title, "; ".join(r.text for r in status.reasons),
            grant.starts_on, grant.ends_on, pounds(grant.award_pence),
            pounds(grant.pooled_total_pence), pounds(grant.paid_pence),
            pounds(monitoring.spend_to_date(grant)),
        ])
    return listing


def payment_filters(grants: list[Grant]) -> list[Filter]:
    return [
        Filter("grant", "Grant", [(str(g.id), g.reference) for g in grants], "Any grant"),
        _round_filter(grants),
        Filter("status", "Status", PaymentStatus.choices(), "Any status"),
    ]


def filter_payments(grants: list[Grant], filters: dict[str, Filter]) -> list[Payment]:
    chosen = {name: f.chosen for name, f in filters.items()}
    payments = [p for g in grants for p in g.payments
                if (not chosen["grant"] or str(g.id) == chosen["grant"])
                and (not chosen["round"] or str(g.eoi.round_id) == chosen["round"])
                and (not chosen["status"] or p.status.value == chosen["status"])]
    return sorted(payments, key=lambda p: (p.scheduled_on, p.grant.reference, p.id))


def payment_listing(payments: list[Payment], filters: dict[str, Filter]) -> Listing:
    listing = Listing("Payments", [
        "Grant", "Consortium", "Payment", "Milestone", "Due", "Amount (£)", "Status",
        "Approved", "Paid",
    ], filters=described(filters))
    for payment in payments:
        listing.add([
            payment.grant.reference, payment.grant.consortium.name, payment.description,
            payment.milestone.title if payment.milestone else "", payment.scheduled_on,
            pounds(payment.amount_pence), payment.status.title, payment.approved_at,
            payment.paid_at,
        ])
    return listing


def statuses_of(grants: list[Grant], today: date) -> dict[int, GrantStatus]:
    return {g.id: monitoring.status_of(g, today) for g in grants}


@dataclass
class GrantList:
    """The grants list as one person asked for it: what the page shows and downloads."""

    filters: dict[str, Filter]
    grants: list[Grant]
    statuses: dict[int, GrantStatus]
    any_grants: bool

    def listing(self) -> Listing:
        return grant_listing(self.grants, self.filters, self.statuses)


def grant_list(user, args, today: date) -> GrantList:
    grants = visible_grants(user)
    statuses = statuses_of(grants, today)
    filters = read_filters(args, grant_filters(grants))
    return GrantList(filters, filter_grants(grants, filters, statuses), statuses, bool(grants))


@dataclass
class PaymentList:
    filters: dict[str, Filter]
    payments: list[Payment]
    any_grants: bool

    def listing(self) -> Listing:
        return payment_listing(self.payments, self.filters)


def payment_list(user, args) -> PaymentList:
    grants = visible_grants(user)
    filters = read_filters(args, payment_filters(grants))
    return PaymentList(filters, filter_payments(grants, filters), bool(grants))
