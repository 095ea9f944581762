"""Calendar links (made, replaced and stopped, each audited) and the deadlines a feed lists.

The link's secret is shown once and never stored: the database keeps its SHA-256, and a
feed is found by hashing the secret it is asked with, like an API token.
"""

import hashlib
import secrets
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from eoi import clock
from eoi.accounts.models import Role, User
from eoi.audit import record_audit
from eoi.calendars.feed import Deadline
from eoi.calendars.models import CalendarFeed
from eoi.extensions import db
from eoi.formatting import LONDON, closing_time, london_date
from eoi.grants.models import LIVE_GRANT_STATES, OPEN_MILESTONES, Grant, Milestone
from eoi.refusals import TransitionRefused
from eoi.returns.models import OPEN_RETURNS, QuarterlyReturn
from eoi.rounds.models import FundingRound, RoundStatus


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def _require_self_or_manager(user: User, by: User) -> None:
    if by.id != user.id and not by.is_fund_manager:
        raise TransitionRefused("Only the person themselves or a fund manager can do this")


def make_link(user: User, *, by: User) -> str:
    """Make `user` a calendar link, replacing any they had; return its secret, which is
    never stored and so can be shown only now."""
    _require_self_or_manager(user, by)
    secret = secrets.token_urlsafe(32)
    feed = feed_of(user)
    replacing = feed is not None and feed.is_live
    if feed is None:
        feed = CalendarFeed(user=user)
        db.session.add(feed)
    feed.token_hash = token_hash(secret)
    feed.created_at = clock.now()
    feed.revoked_at = None
    record_audit("calendar_feed.link_made", feed, user=by,
                 summary="Made a new calendar link; the old one no longer works" if replacing
                 else "Made a calendar link")
    return secret


def stop_link(user: User, *, by: User) -> bool:
    """Stop `user`'s calendar link; False if they had none working."""
    _require_self_or_manager(user, by)
    feed = feed_of(user)
    if feed is None or not feed.is_live:
        return False
    feed.token_hash = None
    feed.revoked_at = clock.now()
    record_audit("calendar_feed.link_stopped", feed, user=by,
                 summary="Stopped the calendar link")
    return True


def feed_owner(token: str) -> User | None:
    """Whose feed `token` opens: None for a token never made, replaced or stopped, and for
    a deactivated account, whose link must not outlive its access to the service."""
    if not token:
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# Addresses ---------------------------------------------------------------------------------

def service_url(endpoint: str, **values) -> str:
    """The address of a page at EOI_BASE_URL, as links in emails give it: a calendar is read
    far from the request that made it, and an event's UID must not change with the host
    a calendar program happened to ask."""
    base = urlsplit(current_app.config["EOI_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def feed_url(token: str) -> str:
    return service_url("calendars.feed", token=token)


def _uid(name: str) -> str:
    return f"{name}@{urlsplit(current_app.config['EOI_BASE_URL']).hostname}"


# What a feed lists -------------------------------------------------------------------------

def lists_round_closings(user: User) -> bool:
    """Rounds' closing times go to those who bid or run rounds; partners and panel members
    neither bid nor run them."""
    return user.has_role(Role.fund_manager, Role.commissioner)


def deadlines_for(user: User, today: date) -> list[Deadline]:
    """The deadlines that concern `user`, soonest first: when open rounds close (for those
    who bid or run rounds), and when the returns and milestones of the open grants they can
    see are due, until they are sent. Titles, references and dates only."""
    deadlines = []
    if lists_round_closings(user):
        rounds = db.session.scalars(select(FundingRound).where(
            FundingRound.status == RoundStatus.open).order_by(FundingRound.id))
        deadlines += [_round_closes(funding_round) for funding_round in rounds]
    # What they may see, asked of the database: the returns and milestones still open, of
    # the live grants among those they may see.
    live = Grant.state.in_(LIVE_GRANT_STATES)
    returns = db.session.scalars(
        QuarterlyReturn.visible_to(user).join(QuarterlyReturn.grant)
        .where(live, QuarterlyReturn.status.in_(OPEN_RETURNS))
        .order_by(QuarterlyReturn.id).options(contains_eager(QuarterlyReturn.grant)))
    milestones = db.session.scalars(
        Milestone.visible_to(user).join(Milestone.grant)
        .where(live, Milestone.status.in_(OPEN_MILESTONES))
        .order_by(Milestone.id).options(contains_eager(Milestone.grant)))
    deadlines += [_return_due(ret, today) for ret in returns]
    deadlines += [_milestone_due(milestone, today) for milestone in milestones]
    return sorted(deadlines, key=lambda deadline: (deadline.starts, deadline.uid))


def _description(text: str, status: str, url: str) -> str:
    # Google Calendar shows no URL property, so the link goes in the text as well.
    return f"{text}\nStatus: {status}\n\nOpen it in the service: {url}"


def _named(grant: Grant) -> str:
    return f"{grant.reference} ({grant.title})"


def _round_closes(funding_round: FundingRound) -> Deadline:
    url = service_url("rounds.show", round_id=funding_round.id)
    return Deadline(
        uid=_uid(f"round-{funding_round.id}-closes"),
        summary=f"Round closes: {funding_round.title}",
        description=_description(
            f"The last expressions of interest for {funding_round.title} must be submitted "
            f"by {closing_time(funding_round.closes_at)}, London time.",
            funding_round.status.title, url),
        url=url,
        # The last minute it still accepts, as the round's page says it, so the event falls
        # on the closing day rather than at midnight after it.
        when=(funding_round.closes_at - timedelta(minutes=1)).astimezone(LONDON),
    )


def _return_due(ret: QuarterlyReturn, today: date) -> Deadline:
    grant, url = ret.grant, service_url("returns.show", return_id=ret.id)
    status = ret.status.title + (", overdue" if ret.is_overdue(today) else "")
    return Deadline(
        uid=_uid(f"return-{ret.id}"),
        summary=f"Quarterly return due: {grant.reference} {ret.period.short_label}",
        description=_description(
            f"The quarterly return for {ret.period.label} for {_named(grant)} is due on "
            f"{london_date(ret.due_on)}.", status, url),
        url=url,
        when=ret.due_on,
    )


def _milestone_due(milestone: Milestone, today: date) -> Deadline:
    grant, url = milestone.grant, service_url("grants.milestone", milestone_id=milestone.id)
    status = milestone.status.title + (", overdue" if milestone.is_overdue(today) else "")
    return Deadline(
        uid=_uid(f"milestone-{milestone.id}"),
        summary=f"Milestone due: {grant.reference} – {milestone.title}",
        description=_description(
            f"The evidence for the milestone '{milestone.title}' of {_named(grant)} is due on "
            f"{london_date(milestone.due_on)}.", status, url),
        url=url,
        when=milestone.due_on,
    )
