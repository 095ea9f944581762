"""The list of expressions of interest: the filters on screen and the columns downloaded.
Scores, ranks and the suggested allocation are the panel's, so only fund managers get
them; a consortium sees its decision once the round's decisions are published.

Everything a fund's worth of EOIs would make slow is asked of the database: who may see
what (`Eoi.visible_to`), the filters, the order, the count and one page of rows. The
download reads every matching row in windows of `CHUNK`, loading what the rows show a
window at a time, and writes each row as it comes."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, not_, select
from sqlalchemy.orm import joinedload, selectinload

from eoi.accounts.models import User
from eoi.assessment import operations as assessment
from eoi.assessment.models import Decision, DecisionOutcome
from eoi.consortia.models import Consortium, ConsortiumMembership
from eoi.eois.models import Eoi, EoiSection, EoiStatus
from eoi.eois.operations import mopac_requests
from eoi.exports import Filter, Listing, described, pounds, read_filters
from eoi.extensions import db
from eoi.pagination import Page, page_number, paginate
from eoi.rounds.models import FundingRound, RoundStatus

NOT_DECIDED = "none"
# EOIs read at once for the download: enough to keep the statements few, few enough that
# a window's rows and their relations are small.
CHUNK = 500
RANKED = (RoundStatus.closed, RoundStatus.assessed, RoundStatus.decided)


def eoi_filters(user) -> list[Filter]:
    """The rounds on offer are those of the EOIs the person may see."""
    rounds = db.session.scalars(
        select(FundingRound).where(FundingRound.id.in_(
            select(Eoi.round_id).where(Eoi.viewable_by(user))))
        .order_by(FundingRound.opens_at.desc()))
    return [
        Filter("round", "Round", [(str(r.id), r.title) for r in rounds], "Any round"),
        Filter("status", "Status", EoiStatus.choices(), "Any status"),
        Filter("decision", "Decision", [*DecisionOutcome.choices(),
                                        (NOT_DECIDED, "Not decided")], "Any decision"),
    ]


def _conditions(filters: dict[str, Filter], user) -> list[ColumnElement[bool]]:
    """The chosen filters in SQL. A decision counts only where the person may see it: to
    anyone else the EOI is not decided yet."""
    chosen = {name: f.chosen for name, f in filters.items()}
    conditions: list[ColumnElement[bool]] = []
    if chosen["round"]:
        conditions.append(Eoi.round_id == int(chosen["round"]))
    if chosen["status"]:
        conditions.append(Eoi.status == EoiStatus(chosen["status"]))
    if chosen["decision"] == NOT_DECIDED:
        conditions.append(not_(Eoi.decision_seen_by(user)))
    elif chosen["decision"]:
        conditions += [Eoi.decision_seen_by(user), Eoi.id.in_(select(Decision.eoi_id).where(
            Decision.outcome == DecisionOutcome(chosen["decision"])))]
    return conditions


@dataclass(frozen=True)
class PanelView:
    """What the panel made of a bid: its rank, score, and the suggested allocation."""

    rank: int
    score: Decimal
    suggested: str
    suggested_pence: int


def panel_views(matching: Select) -> dict[int, PanelView]:
    """The panel's view of every ranked bid in the rounds `matching` (a query of EOIs)
    reaches, all the rounds' scores read together."""
    rounds = list(db.session.scalars(select(FundingRound).where(
        FundingRound.id.in_(matching.with_only_columns(Eoi.round_id)),
        FundingRound.status.in_(RANKED))))
    if not rounds:
        return {}
    loaded = assessment.round_bids(rounds)
    views = {}
    for funding_round in rounds:
        rows = assessment.ranking(funding_round, loaded)
        allocation = assessment.allocation(rows, funding_round.envelope_pence)
        for row in rows:
            line = allocation.line_for(row.ranked.bid.key)
            views[row.eoi.id] = PanelView(
                row.ranked.rank,
                Decimal(row.summary.score.numerator) / Decimal(row.summary.score.denominator),
                line.outcome.title, line.award_pence)
    return views


def _windows(matching: Select, user, size: int = CHUNK) -> Iterator[list[tuple[Eoi, bool]]]:
    """The matching EOIs, newest first, `size` at a time, each with whether the person
    may see its decision; what a row shows is loaded with its window."""
    query = (matching.add_columns(Eoi.decision_seen_by(user).label("decision_seen"))
             .options(joinedload(Eoi.funding_round), joinedload(Eoi.decision),
                      joinedload(Eoi.consortium).options(
                          joinedload(Consortium.lead).joinedload(User.organisation),
                          selectinload(Consortium.memberships)
                          .joinedload(ConsortiumMembership.local_authority)))
             .order_by(Eoi.id.desc()).limit(size))
    last_id = None
    while True:
        window = query if last_id is None else query.where(Eoi.id < last_id)
        rows = [(eoi, bool(seen)) for eoi, seen in db.session.execute(window).unique()]
        if rows:
            yield rows
        if len(rows) < size:
            return
        last_id = rows[-1][0].id


def _project_titles(eoi_ids: list[int]) -> dict[int, str]:
    return {s.eoi_id: str((s.content or {}).get("title", "")) for s in db.session.scalars(
        select(EoiSection).where(EoiSection.eoi_id.in_(eoi_ids),
                                 EoiSection.key == "summary"))}


def eoi_listing(matching: Select, filters: dict[str, Filter], user) -> Listing:
    """Every EOI `matching` finds, as the download has them; rows are read as they are
    written."""
    with_panel = user.is_fund_manager
    headings = ["Reference", "Round", "Consortium", "Lead commissioner's borough",
                "Member boroughs", "Project", "Status", "Submitted", "MOPAC request (£)"]
    if with_panel:
        headings += ["Rank", "Score (out of 100)", "Suggested allocation",
                     "Suggested award (£)"]

    def rows() -> Iterator[list]:
        panel = panel_views(matching) if with_panel else {}
        for window in _windows(matching, user):
            ids = [eoi.id for eoi, _seen in window]
            titles, requests = _project_titles(ids), mopac_requests(ids)
            for eoi, decision_seen in window:
                consortium = eoi.consortium
                row: list[Any] = [eoi.reference or "Not yet submitted", eoi.funding_round.title,
                    consortium.name, consortium.lead.organisation.name,
                    "; ".join(b.name for b in consortium.member_boroughs),
                    titles.get(eoi.id, ""), eoi.status.title, eoi.submitted_at,
                    pounds(requests.get(eoi.id, 0))]
                if with_panel:
                    view = panel.get(eoi.id)
                    row += ([view.rank, view.score.quantize(Decimal("0.1"), ROUND_HALF_UP),
                             view.suggested, pounds(view.suggested_pence)] if view
                            else [None, None, "Not scored", None])
                decision = eoi.decision if decision_seen else None
                row += ([decision.outcome.title, pounds(decision.amount_awarded_pence)]
                        if decision else ["Not decided", None])
                yield row

    return Listing("EOIs", [*headings, "Decision", "Amount awarded (£)"], rows(),
                   filters=described(filters))


@dataclass
class EoiList:
    """The EOI list as one person asked for it: the page shown, and the query behind it
    that the download reads whole."""

    filters: dict[str, Filter]
    matching: Select
    page: Page[Eoi]
    reader: User
    any_eois: bool

    def listing(self) -> Listing:
        return eoi_listing(self.matching, self.filters, self.reader)


def eoi_list(user, args, *, with_page: bool = True) -> EoiList:
    options = eoi_filters(user)
    filters = read_filters(args, options)
    matching = Eoi.visible_to(user).where(*_conditions(filters, user))
    page = paginate(matching.order_by(Eoi.id.desc()).options(
        joinedload(Eoi.consortium), joinedload(Eoi.funding_round)),
        page_number(args)) if with_page else Page([], 1, 1, 0)
    # The rounds on offer are those of the EOIs the person sees: none means no EOIs.
    return EoiList(filters, matching, page, user, bool(options[0].options))
