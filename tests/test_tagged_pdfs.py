"""Every document the service prints is a tagged PDF (PDF/UA-1, eoi.pdf.PDF_VARIANT): a
structure tree with its headings, paragraphs and tables as such and its charts as figures
with alternative text, the language set, and its title shown in place of the file name.
Read back with pypdf from the documents of the demo, as the fund manager asks for them."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eoi.assessment.models import Decision
from eoi.documents.operations import prepare_waiting
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.grants.models import Grant
from eoi.returns.models import QuarterlyReturn, ReturnStatus
from eoi.rounds.models import FundingRound, RoundStatus
from tests.conftest import signed_in

# The PDFs' structure is WeasyPrint's, whatever the database the figures came from.
pytestmark = pytest.mark.one_database


def _structure(node, found: list[tuple[str, str]]) -> None:
    """(structure type, alternative text) of every element under `node`, in order."""
    node = node.get_object()
    kind = node.get("/S")
    if kind is not None:
        found.append((str(kind), str(node.get("/Alt", ""))))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        if kid is not None and hasattr(kid.get_object(), "get"):
            _structure(kid, found)


def _fetched(app, client, url: str) -> bytes:
    """The PDF at `url`, prepared first when it is one the scheduler prepares."""
    response = client.get(url)
    if response.mimetype == "text/html" and "is being prepared" in response.text:
        with app.app_context():
            assert prepare_waiting() >= 1
        response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf", (
        url, response.status_code)
    return response.data


def _documents() -> dict[str, str]:
    eoi = db.session.scalar(select(Eoi).where(Eoi.status == EoiStatus.submitted)
                            .order_by(Eoi.id))
    decided = db.session.scalar(select(Decision.eoi_id).order_by(Decision.id))
    assessed = db.session.scalar(select(FundingRound.id).where(
        FundingRound.status.in_([RoundStatus.assessed, RoundStatus.decided])))
    grant = db.session.scalar(select(Grant.id).order_by(Grant.id))
    accepted = db.session.scalar(select(QuarterlyReturn.id).where(
        QuarterlyReturn.status == ReturnStatus.accepted).order_by(QuarterlyReturn.id))
    return {
        "the EOI": f"/eois/{eoi.id}/pdf",
        "the decision letter": f"/assessment/eois/{decided}/decision-letter.pdf",
        "the panel pack": f"/assessment/rounds/{assessed}/panel-pack.pdf",
        "the grant agreement": f"/grants/{grant}/agreement.pdf",
        "the quarterly report": f"/returns/{accepted}/report.pdf",
        "the programme report": "/programme/report.pdf",
    }


@pytest.fixture
def printed(app, demo):
    with app.app_context():
        documents = _documents()
    client = signed_in(app, "manager@demo.example")
    return {what: PdfReader(io.BytesIO(_fetched(app, client, url)))
            for what, url in documents.items()}


def test_every_document_is_tagged_with_its_language_and_title_shown(printed):
    for what, reader in printed.items():
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"], what
        assert root["/Lang"] == "en-GB", what
        assert root["/ViewerPreferences"]["/DisplayDocTitle"], what
        assert reader.metadata.title, what  # the page's <title>
        found: list[tuple[str, str]] = []
        _structure(root["/StructTreeRoot"], found)
        kinds = [kind for kind, _alt in found]
        assert "/H1" in kinds and "/P" in kinds, (what, kinds[:20])
        if what != "the decision letter":  # a letter: its scores are a list
            assert {"/Table", "/TH", "/TD"} <= set(kinds), (what, set(kinds))


def test_the_titles_say_which_document_it_is(printed):
    titles = {what: reader.metadata.title for what, reader in printed.items()}
    assert titles["the programme report"] == "Programme report"
    assert titles["the decision letter"].startswith("Decision on CCF-")
    assert len(set(titles.values())) == len(titles)


def test_the_programme_reports_charts_are_figures_with_alternative_text(printed):
    found: list[tuple[str, str]] = []
    _structure(printed["the programme report"].trailer["/Root"]["/StructTreeRoot"], found)
    figures = [alt for kind, alt in found if kind == "/Figure"]
    assert figures and all(figures), figures
