"""The one path every write from a page takes.

A view hands its operation to `attempt`, which runs it and commits; or rolls back and turns
what stopped the change into words for the page:

- someone saved the record since the page was opened (a stale version, checked by the
  operation or by the database's version counter): a conflict;
- a unique rule of the database was broken by a save made at the same moment: the message
  the constraint carries in its `info`, beside its field, or a conflict;
- a rule refused the change (`eoi.refusals`): its reason, for the page or beside a field.

Anything else is rolled back and raised: a bug, not a refusal. On top of it are the three
shapes views use: `handle_form` (an edit page), `handle_page_form` (one of a page's several
forms), `confirmed_action` (a button) and `handle_upload` (a file). No view commits or rolls
back by hand; a test checks. As a last line, `register_error_pages` shows the conflict page
for any of these that escapes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import flash, redirect, render_template
from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from eoi.audit import snapshot
from eoi.extensions import db
from eoi.refusals import DuplicateName, FieldRefusal, Refusal, StaleEdit, TransitionRefused

T = TypeVar("T")

CONFLICT_MESSAGE = ("Someone else changed this at the same time. Nothing you sent has been "
                    "saved: check it as it is now, then try again.")

DUPLICATE_MESSAGES = {
    "name": "A record with this name already exists",
    "title": "A record with this title already exists",
    "org_id": "Another organisation already has this identifier",
    "email": "An account with this email address already exists",
}


@dataclass
class Outcome(Generic[T]):
    """What became of a write: its result, or why it was not made."""

    result: T | None = None
    conflict: bool = False  # someone else's change came first
    message: str | None = None  # a reason for the whole page
    field_errors: dict[str, str] = field(default_factory=dict)  # field name -> reason
    refusal: Refusal | None = None  # the refusal itself, for views that show it their way

    @property
    def ok(self) -> bool:
        return not (self.conflict or self.message or self.field_errors or self.refusal)


def attempt(operation: Callable[[], T]) -> Outcome[T]:
    """Run `operation` in the request's transaction and commit it, or roll all of it back."""
    try:
        result = operation()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        outcome = refused_by(error)
        if outcome is None:
            raise
        return outcome
    return Outcome(result)


def refused_by(error: BaseException) -> Outcome | None:
    """The outcome `error` stands for, or None when it is not a refusal but a fault."""
    if isinstance(error, StaleEdit | StaleDataError):
        return Outcome(conflict=True)
    if isinstance(error, IntegrityError):
        rule = broken_unique_rule(error)
        if rule is None:
            return None
        if "field" in rule.info:
            return Outcome(field_errors={rule.info["field"]: rule.info["message"]})
        if "message" in rule.info:
            return Outcome(message=rule.info["message"])
        return Outcome(conflict=True)
    if isinstance(error, FieldRefusal):
        return Outcome(field_errors=error.errors, refusal=error)
    if isinstance(error, DuplicateName):
        name = str(error)
        return Outcome(field_errors={name: DUPLICATE_MESSAGES.get(
            name, "This value is already in use")}, refusal=error)
    if isinstance(error, TransitionRefused):
        return Outcome(message=str(error), refusal=error)
    if isinstance(error, Refusal):
        return Outcome(refusal=error)
    return None


def broken_unique_rule(error: IntegrityError) -> UniqueConstraint | None:
    """The unique constraint a failed INSERT or UPDATE broke, if it was one.

    PostgreSQL names the constraint; SQLite names its table and columns instead
    ("UNIQUE constraint failed: eois.consortium_id, eois.round_id")."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    text = str(error.orig)
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            if name is not None:
                if constraint.name == name:
                    return constraint
                continue
            columns = ", ".join(f"{table.name}.{c.name}" for c in constraint.columns)
            if text == f"UNIQUE constraint failed: {columns}":
                return constraint
    return None


# The shapes views use ----------------------------------------------------------------------

def explain(outcome: Outcome, form=None) -> None:
    """Tell the person why the change was not made: each reason beside its field where
    `form` has one, the rest at the top of the page."""
    if outcome.conflict:
        flash(CONFLICT_MESSAGE, "important")
    if outcome.message:
        flash(f"{outcome.message}.", "important")
    elif outcome.refusal is not None and not outcome.field_errors:
        flash(f"{outcome.refusal}.", "important")
    for name, message in outcome.field_errors.items():
        target = getattr(form, name, None) if form is not None else None
        if target is None or not hasattr(target, "errors"):
            flash(f"{message}.", "important")
        else:
            target.errors = [*target.errors, message]


def handle_form(
    form,
    save: Callable[[], object],
    *,
    template: str,
    success: str,
    next_url: Callable[[Any], str],
    record=None,
    conflict_fields: list[str] | None = None,
    **context,
):
    """Render `template`, or on a valid POST call `save` and redirect.

    A save that loses a race (someone saved the record since the form was opened, or the
    form came without the version it was opened at) is refused: the form comes back with
    the person's own values, the values now saved, and the new version, so nothing typed is
    lost and nothing saved is overwritten unseen.
    """
    conflict = None
    if form.validate_on_submit():
        outcome = attempt(save)
        if outcome.ok:
            flash(success, "success")
            return redirect(next_url(outcome.result))
        if outcome.conflict and record is not None:
            # Both versions side by side: the page shows what is saved now.
            db.session.refresh(record)
            conflict = snapshot(record, conflict_fields or [])
            form.version.data = record.version
            outcome.conflict = False
        explain(outcome, form)
    return render_template(template, form=form, record=record, conflict=conflict, **context)


def confirmed_action(act: Callable[[], object], success: str | Callable[[Any], str]) -> bool:
    """A button's POST: with a valid CSRF token, run `act` and commit, then flash `success`
    (a message, or a function of what `act` returned). A refusal is rolled back and its
    reason flashed instead. Returns whether the action happened."""
    from eoi.forms.admin import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        return False
    outcome = attempt(act)
    if outcome.ok:
        flash(success(outcome.result) if callable(success) else success, "success")
        return True
    explain(outcome)
    return False


def handle_page_form(form, save: Callable[[], object], *, success: str | Callable[[Any], str],
                     next_url: Callable[[Any], str], page: Callable[[], Any]):
    """A POST of one of the several forms a record's page holds: on a valid POST call `save`
    and redirect, flashing `success` (a message, or a function of what `save` returned);
    otherwise `page()`, the record's page drawn again with this form's errors beside its
    fields."""
    if form.validate_on_submit():
        outcome = attempt(save)
        if outcome.ok:
            flash(success(outcome.result) if callable(success) else success, "success")
            return redirect(next_url(outcome.result))
        explain(outcome, form)
    return page()


def handle_upload(form, attach: Callable[[str, bytes], object], *, max_bytes: int,
                  beside=None):
    """A file upload's POST: read at most a byte past the limit, `attach` the file (which
    checks it and keeps its bytes) and commit. A refusal goes beside the file field, or
    beside the field of `beside` (a form posted with the file) that it names, and nothing is
    kept, not even the bytes. Returns the new record, or None."""
    from eoi.eois import attachments

    if not form.validate_on_submit():
        return None
    upload = form.file.data
    content = upload.stream.read(max_bytes + 1)  # a byte past the limit is enough to know
    attached: list = []

    def attach_and_remember():
        attached.append(attach(upload.filename, content))
        return attached[-1]

    try:
        outcome = attempt(attach_and_remember)
    except Exception:
        if attached:
            attachments.discard(attached[0].stored_name)
        raise
    if outcome.ok:
        return outcome.result
    if attached:  # kept on disk, but the database refused the record
        attachments.discard(attached[0].stored_name)
    if outcome.conflict:
        form.file.errors.append(CONFLICT_MESSAGE)
    if outcome.message:
        form.file.errors.append(outcome.message)
    for name, message in outcome.field_errors.items():
        target = getattr(beside, name, None) if beside is not None else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            form.file.errors.append(message)
    return None


def register_error_pages(app) -> None:
    """The last line: a refusal or lost race that a view did not expect still gets the
    conflict page, with everything rolled back, never a 500."""

    def conflict_page(error):
        outcome = refused_by(error)
        if outcome is None:
            raise error
        db.session.rollback()
        message = outcome.message or (
            f"{outcome.refusal}" if outcome.refusal is not None and not outcome.conflict
            else None) or next(iter(outcome.field_errors.values()), None)
        return render_template("errors/conflict.html", title="This change was not saved",
                               message=message), 409

    for error_type in (StaleEdit, StaleDataError, IntegrityError, Refusal):
        app.register_error_handler(error_type, conflict_page)
