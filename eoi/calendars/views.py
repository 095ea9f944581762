"""The calendar page under Your account, and the feed itself, which calendar programs fetch
with the secret link and no sign-in."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from eoi import SERVICE_NAME, clock
from eoi.calendars import operations
from eoi.calendars.feed import calendar_text
from eoi.forms.admin import ConfirmForm
from eoi.writes import attempt, explain

calendars_bp = Blueprint("calendars", __name__)

# The new link waits here between the POST that made it and the one page that shows it.
_NEW_LINK = "calendar_new_link"


@calendars_bp.get("/account/calendar")
@login_required
def index():
    shown = session.pop(_NEW_LINK, None)
    # Only to the person who made it, should someone else sign in on the same browser.
    new_link = shown["url"] if shown and shown.get("user_id") == current_user.id else None
    return render_template(
        "calendars/index.html", title="Your deadlines in your calendar",
        feed=operations.feed_of(current_user), new_link=new_link,
        lists_rounds=operations.lists_round_closings(current_user))


@calendars_bp.post("/account/calendar/link")
@login_required
def make_link():
    if ConfirmForm().validate_on_submit():
        person = current_user._get_current_object()
        feed = operations.feed_of(person)
        replacing = feed is not None and feed.is_live
        outcome = attempt(lambda: operations.make_link(person, by=person))
        if not outcome.ok:  # the same button pressed twice at once: the other press won
            explain(outcome)
            return redirect(url_for("calendars.index"))
        secret = outcome.result
        assert secret is not None  # make_link returns the new link's secret
        session[_NEW_LINK] = {"user_id": person.id, "url": operations.feed_url(secret)}
        flash(("Your new calendar link is ready and the old one has stopped working. "
               if replacing else "Your calendar link is ready. ")
              + "Copy it now: it will not be shown again.", "success")
    return redirect(url_for("calendars.index"))


@calendars_bp.post("/account/calendar/stop")
@login_required
def stop_link():
    person = current_user._get_current_object()
    if ConfirmForm().validate_on_submit():
        outcome = attempt(lambda: operations.stop_link(person, by=person))
        if outcome.ok and outcome.result:
            flash("Your calendar link has stopped working. Calendars using it will no "
                  "longer update.", "success")
        explain(outcome)
    return redirect(url_for("calendars.index"))


@calendars_bp.get("/calendar/<token>.ics")
def feed(token: str):
    owner = operations.feed_owner(token)
    if owner is None:
        abort(404)
    text = calendar_text(operations.deadlines_for(owner, clock.today()),
                         name=f"{SERVICE_NAME} deadlines", stamp=clock.now())
    # Private like every download, but shown inline: calendar programs subscribe to it.
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="eoi-deadlines.ics"',
        "Cache-Control": "no-store",
    })
