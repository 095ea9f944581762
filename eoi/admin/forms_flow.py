"""The one way an edit page handles a POST: validate, save, or explain why not; and the one
way a button (a bare confirmation POST) runs its action."""

from collections.abc import Callable

from flask import flash, redirect, render_template
from sqlalchemy.orm.exc import StaleDataError

from eoi.audit import snapshot
from eoi.columns import DuplicateName, FieldRefusal, StaleEdit
from eoi.extensions import db
from eoi.states import TransitionRefused

DUPLICATE_MESSAGES = {
    "name": "A record with this name already exists",
    "title": "A record with this title already exists",
    "org_id": "Another organisation already has this identifier",
    "email": "An account with this email address already exists",
}


def handle_form(
    form,
    save: Callable[[], object],
    *,
    template: str,
    success: str,
    next_url: Callable[[object], str],
    record=None,
    conflict_fields: list[str] | None = None,
    **context,
):
    """Render `template`, or on a valid POST call `save` and redirect.

    A save that loses a race (someone saved the record since the form was
    opened) is refused: the form comes back with the person's own values, the
    values now saved, and the new version, so nothing typed is lost and nothing
    saved is overwritten unseen.
    """
    conflict = None
    if form.validate_on_submit():
        try:
            saved = save()
            db.session.commit()
        except (StaleEdit, StaleDataError):
            db.session.rollback()
            db.session.refresh(record)
            conflict = snapshot(record, conflict_fields or [])
            form.version.data = record.version
        except TransitionRefused as refused:
            db.session.rollback()
            flash(f"{refused}.", "important")
        except FieldRefusal as refusal:
            db.session.rollback()
            getattr(form, refusal.field).errors.append(refusal.message)
        except DuplicateName as duplicate:
            db.session.rollback()
            field = str(duplicate)
            getattr(form, field).errors.append(
                DUPLICATE_MESSAGES.get(field, "This value is already in use")
            )
        else:
            flash(success, "success")
            return redirect(next_url(saved))
    return render_template(template, form=form, record=record, conflict=conflict, **context)


def confirmed_action(act: Callable[[], object], success: str | Callable[[object], str]) -> bool:
    """A button's POST: with a valid CSRF token, run `act` and commit, then flash `success`
    (a message, or a function of what `act` returned). A refusal is rolled back and its
    reason flashed instead. Returns whether the action happened."""
    from eoi.forms.admin import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        return False
    try:
        result = act()
        db.session.commit()
    except TransitionRefused as refused:
        db.session.rollback()
        flash(f"{refused}.", "important")
        return False
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        flash("Someone else changed this since the page was opened. Check it as it is now, "
              "then try again.", "important")
        return False
    flash(success(result) if callable(success) else success, "success")
    return True


def handle_upload(form, attach: Callable[[str, bytes], object], *, max_bytes: int):
    """A file upload's POST: read at most a byte past the limit, `attach` the file (which
    checks it and keeps its bytes) and commit. A refusal goes beside the file field and
    nothing is kept, not even the bytes. Returns the new record, or None."""
    from eoi.eois import attachments

    if not form.validate_on_submit():
        return None
    upload = form.file.data
    content = upload.stream.read(max_bytes + 1)  # a byte past the limit is enough to know
    record = None
    try:
        record = attach(upload.filename, content)
        db.session.commit()
    except FieldRefusal as refusal:
        db.session.rollback()
        form.file.errors.append(refusal.message)
        return None
    except Exception:
        db.session.rollback()
        if record is not None:
            attachments.discard(record.stored_name)
        raise
    return record
