"""The list of expressions of interest: the filters on screen and the columns downloaded.
Scores, ranks and the suggested allocation are the panel's, so only fund managers get
them; a consortium sees its decision once the round's decisions are published."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from eoi.accounts.models import User
from eoi.assessment import operations as assessment
from eoi.assessment.models import DecisionOutcome
from eoi.eois.models import Eoi, EoiStatus
from eoi.eois.operations import budget_reconciliation
from eoi.exports import Filter, Listing, described, pounds, read_filters
from eoi.extensions import db
from eoi.rounds.models import RoundStatus

NOT_DECIDED = "none"


def visible_eois(user) -> list[Eoi]:
    eois = db.session.scalars(select(Eoi).order_by(Eoi.id.desc())).all()
    return [e for e in eois if e.can_view(user)]


def eoi_filters(eois: list[Eoi]) -> list[Filter]:
    rounds = {e.funding_round for e in eois}
    return [
        Filter("round", "Round", [(str(r.id), r.title) for r in
                                  sorted(rounds, key=lambda r: r.opens_at, reverse=True)],
               "Any round"),
        Filter("status", "Status", EoiStatus.choices(), "Any status"),
        Filter("decision", "Decision", [*DecisionOutcome.choices(),
                                        (NOT_DECIDED, "Not decided")], "Any decision"),
    ]


def _decision_value(eoi: Eoi, user) -> str:
    decision = eoi.decision
    return decision.outcome.value if decision and eoi.can_see_decision(user) else NOT_DECIDED


def filter_eois(eois: list[Eoi], filters: dict[str, Filter], user) -> list[Eoi]:
    chosen = {name: f.chosen for name, f in filters.items()}
    return [e for e in eois
            if (not chosen["round"] or str(e.round_id) == chosen["round"])
            and (not chosen["status"] or e.status.value == chosen["status"])
            and (not chosen["decision"] or _decision_value(e, user) == chosen["decision"])]


@dataclass(frozen=True)
class PanelView:
    """What the panel made of a bid: its rank, score, and the suggested allocation."""

    rank: int
    score: Decimal
    suggested: str
    suggested_pence: int


def panel_views(eois: list[Eoi]) -> dict[int, PanelView]:
    rounds = {e.funding_round for e in eois if e.funding_round.status in
              (RoundStatus.closed, RoundStatus.assessed, RoundStatus.decided)}
    views = {}
    for funding_round in rounds:
        rows = assessment.ranking(funding_round)
        allocation = assessment.allocation(rows, funding_round.envelope_pence)
        for row in rows:
            line = allocation.line_for(row.ranked.bid.key)
            views[row.eoi.id] = PanelView(
                row.ranked.rank,
                Decimal(row.summary.score.numerator) / Decimal(row.summary.score.denominator),
                line.outcome.title, line.award_pence)
    return views


def eoi_listing(eois: list[Eoi], filters: dict[str, Filter], user) -> Listing:
    with_panel = user.is_fund_manager
    headings = ["Reference", "Round", "Consortium", "Lead commissioner's borough",
                "Member boroughs", "Project", "Status", "Submitted", "MOPAC request (£)"]
    if with_panel:
        headings += ["Rank", "Score (out of 100)", "Suggested allocation",
                     "Suggested award (£)"]
    listing = Listing("EOIs", [*headings, "Decision", "Amount awarded (£)"],
                      filters=described(filters))
    panel = panel_views(eois) if with_panel else {}
    for eoi in eois:
        summary = eoi.section("summary")
        row = [eoi.reference or "Not yet submitted", eoi.funding_round.title,
               eoi.consortium.name, eoi.consortium.lead.organisation.name,
               "; ".join(b.name for b in eoi.consortium.member_boroughs),
               (summary.content or {}).get("title", "") if summary else "",
               eoi.status.title, eoi.submitted_at, pounds(budget_reconciliation(eoi).mopac_request)]
        if with_panel:
            view = panel.get(eoi.id)
            row += ([view.rank, view.score.quantize(Decimal("0.1"), ROUND_HALF_UP),
                     view.suggested, pounds(view.suggested_pence)] if view
                    else [None, None, "Not scored", None])
        decision = eoi.decision if eoi.can_see_decision(user) else None
        row += ([decision.outcome.title, pounds(decision.amount_awarded_pence)] if decision
                else ["Not decided", None])
        listing.add(row)
    return listing


@dataclass
class EoiList:
    """The EOI list as one person asked for it: what the page shows and downloads."""

    filters: dict[str, Filter]
    eois: list[Eoi]
    reader: User
    any_eois: bool

    def listing(self) -> Listing:
        return eoi_listing(self.eois, self.filters, self.reader)


def eoi_list(user, args) -> EoiList:
    eois = visible_eois(user)
    filters = read_filters(args, eoi_filters(eois))
    return EoiList(filters, filter_eois(eois, filters, user), user, bool(eois))
