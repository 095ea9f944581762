"""Asking for a prepared document, and the two routes its "being prepared" page uses.

The documents themselves are served by their own routes (the panel pack's and the programme
report's), which check who may have them and then call `serve`; the file is never reachable
any other way.
"""

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from eoi import clock
from eoi.documents import operations
from eoi.documents.kinds import Document, document_for
from eoi.documents.models import MAX_ATTEMPTS, DocumentStatus, PreparedDocument
from eoi.downloads import attachment
from eoi.extensions import db
from eoi.forms.admin import ConfirmForm
from eoi.permissions import load_or_404, require
from eoi.storage import storage
from eoi.writes import attempt, confirmed_action

documents_bp = Blueprint("documents", __name__, url_prefix="/documents")


def serve(document: Document):
    """The file made from the data as it is now, streamed from storage; or, until it is
    ready, the page that says it is being prepared (queueing it if nobody has yet)."""
    fingerprint = document.fingerprint()
    prepared = operations.find(document, fingerprint)
    if prepared is None:
        outcome = attempt(lambda: operations.queue(document, fingerprint, by=current_user,
                                                   now=clock.now()))
        # Lost the race to someone asking at the same moment: theirs is ours.
        prepared = outcome.result if outcome.ok else operations.find(document, fingerprint)
        if prepared is None:
            abort(409)
    if prepared.status is DocumentStatus.ready and prepared.storage_key:
        if storage().exists(prepared.storage_key):
            return attachment(storage().chunks(prepared.storage_key), "application/pdf",
                              document.filename)
        lost = prepared
        attempt(lambda: operations.requeue_lost_file(lost))
        db.session.refresh(lost)
    return render_template(
        "documents/preparing.html", title=_heading(prepared), document=document,
        prepared=prepared, max_attempts=MAX_ATTEMPTS, confirm=ConfirmForm())


def _heading(prepared: PreparedDocument) -> str:
    what = prepared.kind.title
    if prepared.status is DocumentStatus.failed:
        return f"Your {what.lower()} could not be prepared"
    return f"Your {what.lower()} is being prepared"


def _prepared(document_id: int) -> PreparedDocument:
    prepared = load_or_404(PreparedDocument, document_id)
    require(prepared.can_fetch(current_user))
    return prepared


@documents_bp.get("/<int:document_id>/status")
@login_required
def status(document_id: int):
    """For the page's script: where the document has got to."""
    prepared = _prepared(document_id)
    response = jsonify(status=prepared.status.value, text=prepared.status.title,
                       ready=prepared.status is DocumentStatus.ready,
                       failed=prepared.status is DocumentStatus.failed)
    response.headers["Cache-Control"] = "no-store"
    return response


@documents_bp.post("/<int:document_id>/again")
@login_required
def again(document_id: int):
    prepared = _prepared(document_id)
    confirmed_action(lambda: operations.ask_again(prepared, by=current_user, now=clock.now()),
                     f"Your {prepared.kind.title.lower()} has been asked for again.")
    document = document_for(prepared)
    return redirect(document.page_url() if document else url_for("dashboard.index"))
