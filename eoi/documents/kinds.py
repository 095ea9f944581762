"""What each prepared document is: its subject, the fingerprint of the data it is made from,
its title and file name, and how it is rendered (the same template and data the request
used to render). Rendering needs an app context only: the PDFs carry no links, so nothing
here calls url_for without a request.

A fingerprint is a SHA-256 over the ids and versions (or the values, for rows without a
version) of every record the document reads, in a fixed number of SQL statements whatever
the size of the round or the programme. When anything it reads changes, so does the
fingerprint, and the next request queues a new document; until then the file is reused.
"""

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from flask import url_for
from sqlalchemy import Select, select

from eoi import clock
from eoi.accounts.models import User
from eoi.assessment.models import Assessment, Decision, ModeratedScore, Score
from eoi.consortia.models import Consortium, ConsortiumMembership
from eoi.documents.models import DocumentKind, PreparedDocument
from eoi.eois.models import Eoi
from eoi.extensions import db
from eoi.grants.models import (
    Grant,
    GrantFunding,
    GrantIndicator,
    IndicatorTarget,
    Milestone,
    Payment,
)
from eoi.grants.periods import Quarter
from eoi.pdf import render_pdf
from eoi.returns.models import QuarterlyReturn
from eoi.rounds.models import Criterion, FundingRound


class Document(Protocol):
    kind: DocumentKind
    subject_id: int
    as_of: date

    @property
    def title(self) -> str: ...

    @property
    def filename(self) -> str: ...

    def page_url(self) -> str: ...

    def fingerprint(self) -> str: ...

    def render(self) -> bytes: ...


def _fingerprint(parts: Iterable[tuple[str, Select]], *extra: object) -> str:
    digest = hashlib.sha256()
    for value in extra:
        digest.update(f"{value!r}\n".encode())
    for label, query in parts:
        digest.update(f"[{label}]\n".encode())
        for row in db.session.execute(query):
            digest.update(f"{tuple(row)!r}\n".encode())
    return digest.hexdigest()


class PanelPack:
    """A round's ranking and each bid's scores and flags, for the panel meeting."""

    kind = DocumentKind.panel_pack

    def __init__(self, funding_round: FundingRound, as_of: date | None = None):
        self.funding_round = funding_round
        self.subject_id = funding_round.id
        self.as_of = as_of or clock.today()

    @property
    def title(self) -> str:
        return f"Panel pack: {self.funding_round.title}"

    @property
    def filename(self) -> str:
        return f"panel-pack-round-{self.funding_round.id}.pdf"

    def page_url(self) -> str:
        return url_for("assessment.panel_pack", round_id=self.funding_round.id)

    def fingerprint(self) -> str:
        round_id = self.funding_round.id
        in_round = Eoi.round_id == round_id
        return _fingerprint([
            ("round", select(FundingRound.version, FundingRound.status)
             .where(FundingRound.id == round_id)),
            ("criteria", select(Criterion.id, Criterion.version)
             .where(Criterion.round_id == round_id).order_by(Criterion.id)),
            ("eois", select(Eoi.id, Eoi.version, Eoi.status).where(in_round).order_by(Eoi.id)),
            # Every save of an assessment's scores bumps its version; the scores are hashed
            # by value too, as they carry no version of their own.
            ("assessments", select(Assessment.id, Assessment.version, Assessment.status)
             .join(Eoi).where(in_round).order_by(Assessment.id)),
            ("scores", select(Score.id, Score.score).join(Assessment).join(Eoi)
             .where(in_round).order_by(Score.id)),
            ("moderated", select(ModeratedScore.id, ModeratedScore.version)
             .join(Eoi).where(in_round).order_by(ModeratedScore.id)),
            ("decisions", select(Decision.id, Decision.version)
             .join(Eoi).where(in_round).order_by(Decision.id)),
            # Each bid's page names its consortium, member boroughs and lead.
            ("consortia", select(Consortium.id, Consortium.version, User.id, User.version)
             .join(Eoi, Eoi.consortium_id == Consortium.id)
             .join(User, User.id == Consortium.lead_id)
             .where(in_round).order_by(Consortium.id)),
            ("members", select(ConsortiumMembership.id, ConsortiumMembership.version)
             .join(Eoi, Eoi.consortium_id == ConsortiumMembership.consortium_id)
             .where(in_round).order_by(ConsortiumMembership.id)),
        ])

    def render(self) -> bytes:
        from eoi.assessment import operations
        from eoi.scoring import DEFAULT_THRESHOLD

        funding_round = self.funding_round
        rows = operations.ranking(funding_round)
        return render_pdf(
            "assessment/panel_pack.pdf.html", title=self.title,
            funding_round=funding_round, rows=rows,
            allocation=operations.allocation(rows, funding_round.envelope_pence),
            sheets={r.eoi.id: operations.submitted_sheets(r.eoi) for r in rows},
            moderated={r.eoi.id: operations.moderated_scores(r.eoi) for r in rows},
            unscored=[e for e in operations.submitted_eois(funding_round)
                      if operations.summary_of(e) is None],
            threshold=DEFAULT_THRESHOLD, printed_at=clock.now(), running_head="Panel pack")


def quarter_code(quarter: Quarter | None) -> int:
    """A quarter as a subject id: 20261 for Q1 of 2026 to 2027; 0 for none yet."""
    return 0 if quarter is None else quarter.financial_year * 10 + quarter.number


def quarter_of(code: int) -> Quarter | None:
    return None if code == 0 else Quarter(code // 10, code % 10)


class ProgrammeReport:
    """The programme dashboard as a PDF: every grant's status and money, outcomes, and one
    quarter's young people, as of one day (statuses depend on the day)."""

    kind = DocumentKind.programme_report

    def __init__(self, quarter: Quarter | None, as_of: date):
        self.quarter = quarter
        self.subject_id = quarter_code(quarter)
        self.as_of = as_of

    @classmethod
    def asked_for(cls, chosen: Quarter | None, today: date) -> "ProgrammeReport":
        """The quarter the report will show: the one chosen if it has published returns,
        else the latest that has (as eoi.reports.programme chooses it), in one statement."""
        from eoi.reports.published import PUBLISHED

        published = [Quarter(year, number) for year, number in db.session.execute(
            select(QuarterlyReturn.financial_year, QuarterlyReturn.quarter)
            .where(QuarterlyReturn.status.in_(PUBLISHED)).distinct())]
        if chosen not in published:
            chosen = max(published) if published else None
        return cls(chosen, today)

    @property
    def title(self) -> str:
        shown = f", young people in {self.quarter.label}" if self.quarter else ""
        return f"Programme report{shown}"

    @property
    def filename(self) -> str:
        return f"programme-report-{self.as_of.isoformat()}.pdf"

    def page_url(self) -> str:
        if self.quarter is None:
            return url_for("reports.report_pdf")
        return url_for("reports.report_pdf",
                       quarter=f"{self.quarter.financial_year}-Q{self.quarter.number}")

    def fingerprint(self) -> str:
        # Everything the grants' statuses, money and outcomes are worked out from, and the
        # returns whose published figures it shows.
        return _fingerprint([
            ("grants", select(Grant.id, Grant.version, Grant.state).order_by(Grant.id)),
            ("returns", select(QuarterlyReturn.id, QuarterlyReturn.version,
                               QuarterlyReturn.status).order_by(QuarterlyReturn.id)),
            ("milestones", select(Milestone.id, Milestone.version).order_by(Milestone.id)),
            ("payments", select(Payment.id, Payment.version).order_by(Payment.id)),
            ("funding", select(GrantFunding.id, GrantFunding.financial_year,
                               GrantFunding.amount_pence).order_by(GrantFunding.id)),
            ("indicators", select(GrantIndicator.id, GrantIndicator.baseline)
             .order_by(GrantIndicator.id)),
            ("targets", select(IndicatorTarget.id, IndicatorTarget.financial_year,
                               IndicatorTarget.target).order_by(IndicatorTarget.id)),
        ], self.as_of, self.subject_id)

    def render(self) -> bytes:
        from eoi.grants.status import explain_rules
        from eoi.reports import programme as programme_report

        report = programme_report.programme(self.as_of, self.quarter)
        return render_pdf("reports/programme.pdf.html", title="Programme report",
                          report=report, charts=programme_report.charts(report),
                          rules=explain_rules(), printed_at=clock.now(),
                          running_head="Co-commissioning fund · programme report")


def document_for(prepared: PreparedDocument) -> Document | None:
    """The document a queued row stands for, or None if its subject is gone."""
    if prepared.kind is DocumentKind.panel_pack:
        funding_round = db.session.get(FundingRound, prepared.subject_id)
        return None if funding_round is None else PanelPack(funding_round, prepared.as_of)
    return ProgrammeReport(quarter_of(prepared.subject_id), prepared.as_of)
