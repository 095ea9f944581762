"""The queue of prepared documents and the worker that works through it.

A document's status moves queued → preparing → ready or failed, and failed → queued when
someone asks again. Every move is one conditional UPDATE (`_move`) that names the state the
row must still be in and the attempt it is on, and counts the rows it changed: of two
workers claiming the same row, or a worker finishing a row another has taken again, only
one changes it. That works the same on SQLite and PostgreSQL, without row locks.

The worker commits through eoi.writes.attempt, one step at a time, so that a claim is seen
by other workers before the long render starts and a failure is recorded even though the
render raised.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from eoi import clock
from eoi.audit import record_audit
from eoi.documents.kinds import Document, document_for
from eoi.documents.models import MAX_ATTEMPTS, DocumentStatus, PreparedDocument
from eoi.extensions import db
from eoi.refusals import TransitionRefused
from eoi.storage import storage
from eoi.writes import attempt

log = logging.getLogger(__name__)

# A preparation this old has died with its process (the longest, a national panel pack,
# takes about three minutes): another worker takes it again.
STALE_AFTER = timedelta(minutes=30)

# The moves a document may make, for reading; `_move` is where each is checked.
TRANSITIONS = {
    DocumentStatus.queued: {DocumentStatus.preparing},
    DocumentStatus.preparing: {DocumentStatus.ready, DocumentStatus.failed,
                               DocumentStatus.preparing},  # taken again when stale
    DocumentStatus.ready: {DocumentStatus.queued},  # its file went missing
    DocumentStatus.failed: {DocumentStatus.queued},  # asked for again
}


def _move(document_id: int, seen: DocumentStatus, seen_attempts: int, new: DocumentStatus,
          **values) -> bool:
    """Move the document from `seen` (on attempt `seen_attempts`) to `new`, if it is still
    there: a move someone else made first changes no row."""
    assert new in TRANSITIONS[seen], f"{seen} cannot become {new}"
    changed = db.session.execute(
        update(PreparedDocument)
        .where(PreparedDocument.id == document_id, PreparedDocument.status == seen,
               PreparedDocument.attempts == seen_attempts)
        .values(status=new, **values)
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1  # type: ignore[attr-defined]


# Asking -----------------------------------------------------------------------------------

def find(document: Document, fingerprint: str) -> PreparedDocument | None:
    return db.session.scalar(select(PreparedDocument).where(
        PreparedDocument.kind == document.kind,
        PreparedDocument.subject_id == document.subject_id,
        PreparedDocument.fingerprint == fingerprint))


def queue(document: Document, fingerprint: str, *, by, now: datetime) -> PreparedDocument:
    """Queue `document` as of `fingerprint`. Someone else queueing the same one at the same
    moment breaks the unique constraint: the write path calls that a conflict, and the
    asker is given the other's (eoi.documents.views)."""
    prepared = PreparedDocument(kind=document.kind, subject_id=document.subject_id,
                                fingerprint=fingerprint, as_of=document.as_of,
                                requested_by_id=by.id, requested_at=now)
    db.session.add(prepared)
    db.session.flush()
    record_audit("document.requested", prepared, user=by,
                 summary=f"Asked for {document.title}")
    return prepared


def ask_again(prepared: PreparedDocument, *, by, now: datetime) -> PreparedDocument:
    if not prepared.can_be_tried_again:
        raise TransitionRefused(
            f"This {prepared.kind.title.lower()} has been tried {prepared.attempts} times "
            "and will not be tried again until the data it is made from changes"
            if prepared.status is DocumentStatus.failed
            else f"This {prepared.kind.title.lower()} has not failed")
    if not _move(prepared.id, DocumentStatus.failed, prepared.attempts, DocumentStatus.queued,
                 requested_by_id=by.id, requested_at=now, error=""):
        raise TransitionRefused("Someone else has already asked for it again")
    record_audit("document.requested_again", prepared, user=by,
                 summary=f"Asked again for {prepared.kind.title.lower()} {prepared.subject_id}")
    db.session.refresh(prepared)
    return prepared


def requeue_lost_file(prepared: PreparedDocument) -> None:
    """A ready document whose file is not in storage (restored from a backup without its
    files, say) is made again rather than served broken."""
    _move(prepared.id, DocumentStatus.ready, prepared.attempts, DocumentStatus.queued,
          storage_key=None, attempts=0)


# The worker -------------------------------------------------------------------------------

def claim_next(now: datetime) -> tuple[int, int] | None:
    """Take the oldest queued document (or one whose preparation went stale), as
    (id, attempt); None when there is nothing to do. A stale one already tried
    MAX_ATTEMPTS times is marked failed instead."""
    stale_before = now - STALE_AFTER
    waiting = db.session.execute(
        select(PreparedDocument.id, PreparedDocument.status, PreparedDocument.attempts)
        .where(or_(PreparedDocument.status == DocumentStatus.queued,
                   (PreparedDocument.status == DocumentStatus.preparing)
                   & (PreparedDocument.started_at < stale_before)))
        .order_by(PreparedDocument.requested_at, PreparedDocument.id).limit(10)).all()
    for document_id, status, attempts in waiting:
        if attempts >= MAX_ATTEMPTS:
            _move(document_id, status, attempts, DocumentStatus.failed, finished_at=now,
                  error=f"It stopped without finishing {attempts} times")
            continue
        if _move(document_id, status, attempts, DocumentStatus.preparing, started_at=now,
                 finished_at=None, attempts=attempts + 1, error=""):
            return document_id, attempts + 1
    return None


def _finish(document_id: int, attempts: int, storage_key: str, now: datetime) -> list[str]:
    """Mark the document ready and forget the older ones for the same subject; returns the
    keys of their files, to delete once this is committed. False if another worker took
    the document again meanwhile (it then finishes it)."""
    if not _move(document_id, DocumentStatus.preparing, attempts, DocumentStatus.ready,
                 storage_key=storage_key, finished_at=now):
        raise TransitionRefused("Another worker took this document again")
    prepared = db.session.get(PreparedDocument, document_id)
    assert prepared is not None
    older = list(db.session.scalars(select(PreparedDocument).where(
        PreparedDocument.kind == prepared.kind,
        PreparedDocument.subject_id == prepared.subject_id,
        PreparedDocument.id < prepared.id,
        PreparedDocument.status.in_((DocumentStatus.ready, DocumentStatus.failed)))))
    keys = [o.storage_key for o in older if o.storage_key]
    for old in older:
        db.session.delete(old)
    return keys


def _short(error: BaseException) -> str:
    first_line = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {first_line}"[:300].rstrip(": ")


def prepare(document_id: int, attempts: int) -> DocumentStatus:
    """Render a claimed document, keep its file and mark it ready; or mark it failed with
    the error, never leaving it preparing."""
    prepared = db.session.get(PreparedDocument, document_id)
    assert prepared is not None
    key = f"documents/{prepared.kind.value.replace('_', '-')}-{prepared.subject_id}-" \
          f"{prepared.fingerprint[:16]}-{prepared.id}.{attempts}.pdf"
    try:
        document = document_for(prepared)
        if document is None:
            raise LookupError(f"the {prepared.kind.title.lower()}'s subject no longer exists")
        storage().put(key, document.render())
    except Exception as error:
        log.exception("Preparing %r failed", prepared)
        reason = _short(error)
        db.session.remove()  # whatever the render left half-done in the session
        attempt(lambda: _move(document_id, DocumentStatus.preparing, attempts,
                              DocumentStatus.failed, finished_at=clock.now(),
                              error=reason))
        return DocumentStatus.failed
    outcome = attempt(lambda: _finish(document_id, attempts, key, clock.now()))
    if not outcome.ok:
        storage().delete(key)  # the worker that took it again keeps its own
        return DocumentStatus.preparing
    for old_key in outcome.result or []:
        storage().delete(old_key)
    return DocumentStatus.ready


def prepare_waiting(limit: int | None = None,
                    on_done: Callable[[int, DocumentStatus], None] | None = None) -> int:
    """Work through the queue once, oldest first; returns how many were prepared (or failed).
    Each claim is committed before its render, so other workers pass it by."""
    done = 0
    while limit is None or done < limit:
        claimed = attempt(lambda: claim_next(clock.now())).result
        if claimed is None:
            break
        status = prepare(*claimed)
        done += 1
        if on_done is not None:
            on_done(claimed[0], status)
    return done

