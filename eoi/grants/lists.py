"""The grants and payments lists: who sees which rows, the filters on screen, and the
columns downloaded.

Each list is a query: what the person may see (`visible_to`), filtered and ordered in SQL.
A page reads 50 rows of it, with what those rows show loaded in a few statements whatever
the size of the fund; a download reads every row, in chunks (`in_chunks`), as it is sent."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from eoi.accounts.models import User
from eoi.consortia.models import Consortium, ConsortiumMembership
from eoi.eois.models import Eoi
from eoi.exports import Filter, Listing, described, pounds, read_filters
from eoi.extensions import db
from eoi.grants import monitoring
from eoi.grants.models import (
    Claim,
    Grant,
    GrantFunding,
    GrantIndicator,
    GrantPartner,
    GrantState,
    Payment,
    PaymentStatus,
    Variation,
)
from eoi.grants.status import GrantStatus, Rag, grant_status
from eoi.pagination import Page, paginate
from eoi.returns.models import QuarterlyReturn
from eoi.rounds.models import FundingRound

# Rows a download reads at a time: few statements for the whole fund, and one chunk of
# objects in memory at once.
CHUNK = 500

# Loader options are made when asked for, not on import: making one sets up every mapper,
# and not every model need be imported yet.

def status_loads() -> tuple[ORMOption, ...]:
    """What status_of reads of a grant, loaded for many grants in one statement each."""
    return (
        selectinload(Grant.returns).selectinload(QuarterlyReturn.spend),
        selectinload(Grant.returns).selectinload(QuarterlyReturn.indicator_values),
        selectinload(Grant.milestones),
        selectinload(Grant.funding),
        selectinload(Grant.indicators).selectinload(GrantIndicator.targets),
        selectinload(Grant.indicators).joinedload(GrantIndicator.indicator),
    )


def _member_boroughs() -> ORMOption:
    return (joinedload(Grant.consortium).selectinload(Consortium.memberships)
            .joinedload(ConsortiumMembership.local_authority))


def grant_row_loads() -> tuple[ORMOption, ...]:
    """What a downloaded grant's row shows (its status comes from monitoring.facts_of)."""
    return (
        joinedload(Grant.eoi).joinedload(Eoi.funding_round),
        joinedload(Grant.consortium).joinedload(Consortium.lead)
        .joinedload(User.organisation),
        _member_boroughs(),
        selectinload(Grant.partners).joinedload(GrantPartner.organisation),
        selectinload(Grant.payments),
        selectinload(Grant.claims),
        selectinload(Grant.conditions),
        selectinload(Grant.variations).options(
            joinedload(Variation.funder), joinedload(Variation.partner),
            joinedload(Variation.grant_indicator).joinedload(GrantIndicator.indicator)),
        selectinload(Grant.final_report),
        selectinload(Grant.returns).selectinload(QuarterlyReturn.forecast),
    )


def claim_list_loads() -> tuple[ORMOption, ...]:
    """What a row of the claims list shows: the grant and the payment claimed."""
    return (joinedload(Claim.grant), joinedload(Claim.payment))


def grant_page_loads() -> tuple[ORMOption, ...]:
    """What a grant's own page shows: its status, money, partners, timeline and returns."""
    return (
        *status_loads(),
        selectinload(Grant.funding).joinedload(GrantFunding.funder),
        joinedload(Grant.owner).joinedload(User.organisation),
        _member_boroughs(),
        selectinload(Grant.partners).joinedload(GrantPartner.organisation),
        selectinload(Grant.payments),
    )


def in_chunks(query: Select[Any], entity: Any, loads: Sequence[ORMOption] = (),
              size: int = CHUNK) -> Iterator[list[Any]]:
    """Every row of `query` (a select of `entity`, ordered), `size` rows at a time, each
    chunk with `loads` batch-loaded. Only the ids of the whole list are read at once."""
    ids = list(db.session.scalars(query.with_only_columns(entity.id)))
    for start in range(0, len(ids), size):
        window = ids[start:start + size]
        rows = {row.id: row for row in db.session.scalars(
            select(entity).where(entity.id.in_(window)).options(*loads))}
        yield [rows[i] for i in window]


def any_visible(query: Select[Any]) -> bool:
    return bool(db.session.scalar(select(exists(query.order_by(None)))))


def _round_filter(user: User) -> Filter:
    rounds = db.session.execute(
        select(FundingRound.id, FundingRound.title)
        .where(FundingRound.id.in_(select(Eoi.round_id).join(Grant, Grant.eoi_id == Eoi.id)
                                   .where(Grant.viewable_by(user))))
        .order_by(FundingRound.opens_at.desc()))
    return Filter("round", "Round", [(str(i), title) for i, title in rounds], "Any round")


# A person with more grants than this finds one by typing its reference: a select of
# thousands is no help to anyone, and would be most of the page.
GRANTS_TO_CHOOSE_FROM = 50


def grant_filter(user: User) -> Filter:
    """Grants by reference: a select of those the person may see, or a text box when they
    may see more than GRANTS_TO_CHOOSE_FROM."""
    references = list(db.session.scalars(
        select(Grant.reference).where(Grant.viewable_by(user)).order_by(Grant.reference)
        .limit(GRANTS_TO_CHOOSE_FROM + 1)))
    if len(references) > GRANTS_TO_CHOOSE_FROM:
        return Filter("grant", "Grant reference", [], "Any grant", typed=True,
                      hint="For example, CCF-2026-0003")
    return Filter("grant", "Grant", [(r, r) for r in references], "Any grant")


def _in_round(round_id: str):
    return Grant.eoi_id.in_(select(Eoi.id).where(Eoi.round_id == int(round_id)))


# Grants ----------------------------------------------------------------------------------

def grant_filters(user: User) -> list[Filter]:
    return [
        _round_filter(user),
        Filter("state", "State", GrantState.choices(), "Any state"),
        Filter("status", "Status", [(r.value, r.title) for r in Rag], "Any status"),
    ]


def chosen_grants(user: User, filters: dict[str, Filter], today: date) -> Select[Grant]:
    chosen = {name: f.chosen for name, f in filters.items()}
    query = Grant.visible_to(user)
    if chosen["round"]:
        query = query.where(_in_round(chosen["round"]))
    if chosen["state"]:
        query = query.where(Grant.state == GrantState(chosen["state"]))
    if chosen["status"]:
        query = query.where(monitoring.with_rag(Rag(chosen["status"]), today))
    return query.order_by(Grant.reference)


def statuses_of(grants: Sequence[Grant], today: date) -> dict[int, GrantStatus]:
    """Each grant's status with its reasons, from sums in SQL (monitoring.facts_of)."""
    facts = monitoring.facts_of([g.id for g in grants], today)
    return {grant_id: grant_status(f) for grant_id, f in facts.items()}


GRANT_HEADINGS = [
    "Reference", "Project", "Round", "Consortium", "Lead commissioner's borough",
    "Member boroughs", "Delivery partners", "State", "Status", "Why", "Starts", "Ends",
    "MOPAC award (£)", "Pooled budget (£)", "Paid (£)", "Spend to date (£)",
]


def grant_rows(query: Select[Grant], today: date) -> Iterator[list]:
    for grants in in_chunks(query, Grant, grant_row_loads()):
        facts = monitoring.facts_of([g.id for g in grants], today)
        for grant in grants:
            status = grant_status(facts[grant.id])
            yield [
                grant.reference, grant.title, grant.eoi.funding_round.title,
                grant.consortium.name, grant.consortium.lead.organisation.name,
                "; ".join(b.name for b in grant.consortium.member_boroughs),
                "; ".join(o.name for o in grant.partner_organisations),
                grant.state.title, status.rag.title, "; ".join(r.text for r in status.reasons),
                grant.starts_on, grant.ends_on, pounds(grant.award_pence),
                pounds(facts[grant.id].award_pence), pounds(grant.paid_pence),
                pounds(facts[grant.id].spend_to_date_pence),
            ]


@dataclass
class GrantList:
    """The grants list as one person asked for it: what the page shows and downloads."""

    filters: dict[str, Filter]
    query: Select[Grant]  # every grant matching the filters, in the list's order
    today: date
    any_grants: bool

    def page(self, number: int) -> Page[Grant]:
        return paginate(self.query.options(joinedload(Grant.consortium)), number)

    def statuses(self, grants: Sequence[Grant]) -> dict[int, GrantStatus]:
        return statuses_of(grants, self.today)

    def listing(self) -> Listing:
        return Listing("Grants", GRANT_HEADINGS, grant_rows(self.query, self.today),
                       filters=described(self.filters))


def grant_list(user: User, args, today: date) -> GrantList:
    filters = read_filters(args, grant_filters(user))
    return GrantList(filters, chosen_grants(user, filters, today), today,
                     any_visible(Grant.visible_to(user)))


# Payments --------------------------------------------------------------------------------

def payment_filters(user: User) -> list[Filter]:
    return [
        grant_filter(user),
        _round_filter(user),
        Filter("status", "Status", PaymentStatus.choices(), "Any status"),
    ]


def chosen_payments(user: User, filters: dict[str, Filter]) -> Select[Payment]:
    """The payments matching the filters, in no order (`payments_in_order` gives the list's)."""
    chosen = {name: f.chosen for name, f in filters.items()}
    query = Payment.visible_to(user)
    if chosen["grant"]:
        query = query.where(Payment.grant_id.in_(
            select(Grant.id).where(Grant.reference == chosen["grant"])))
    if chosen["round"]:
        query = query.where(Payment.grant_id.in_(
            select(Grant.id).where(_in_round(chosen["round"]))))
    if chosen["status"]:
        query = query.where(Payment.status == PaymentStatus(chosen["status"]))
    return query


def payments_in_order(matching: Select[Payment]) -> Select[Payment]:
    """By date due (ix_payments_scheduled_on reads the first page without sorting them all),
    then grant."""
    return (matching.join(Payment.grant)
            .order_by(Payment.scheduled_on, Grant.reference, Payment.id))


def payment_loads() -> tuple[ORMOption, ...]:
    return (joinedload(Payment.grant).joinedload(Grant.consortium),
            joinedload(Payment.milestone))


PAYMENT_HEADINGS = [
    "Grant", "Consortium", "Payment", "Milestone", "Due", "Amount (£)", "Status",
    "Approved", "Paid",
]


def payment_rows(query: Select[Payment]) -> Iterator[list]:
    for payments in in_chunks(query, Payment, payment_loads()):
        for payment in payments:
            yield [
                payment.grant.reference, payment.grant.consortium.name, payment.description,
                payment.milestone.title if payment.milestone else "", payment.scheduled_on,
                pounds(payment.amount_pence), payment.status.title, payment.approved_at,
                payment.paid_at,
            ]


@dataclass
class PaymentList:
    filters: dict[str, Filter]
    matching: Select[Payment]  # every payment matching the filters, in no order
    any_grants: bool

    @property
    def query(self) -> Select[Payment]:
        return payments_in_order(self.matching)

    def page(self, number: int) -> Page[Payment]:
        return paginate(self.query.options(*payment_loads()), number, counted=self.matching)

    def total_pence(self) -> int:
        """What every payment matching the filters adds up to, not only those shown."""
        matching = self.matching.subquery()
        return db.session.scalar(select(func.sum(matching.c.amount_pence))) or 0

    def listing(self) -> Listing:
        return Listing("Payments", PAYMENT_HEADINGS, payment_rows(self.query),
                       filters=described(self.filters))


def payment_list(user: User, args) -> PaymentList:
    filters = read_filters(args, payment_filters(user))
    return PaymentList(filters, chosen_payments(user, filters),
                       any_visible(Grant.visible_to(user)))
