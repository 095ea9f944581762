"""Every message the service sends, in one place: for each event, what a person reads
(subject and body, with {fields} filled in by the change that causes it) and whether it is
a service message (about the person's own account, which they cannot turn off).

Who is told is decided by the operation that makes the change, through a function named
here beside each event (eoi.notifications.recipients), so a test can read, for each event,
who gets it.
"""

from dataclasses import dataclass

SIGN_OFF = "\n\nCo-commissioning fund, Mayor's Office for Policing and Crime"


@dataclass(frozen=True)
class Event:
    name: str
    title: str  # what a person reads when choosing how they are told of it
    subject: str
    body: str
    who: str  # who is told, in words
    service: bool = False  # about the person's own account: always sent, at once
    # The body holds a single-use link: once sent, it is cleared from the outbox, so a copy
    # of the database signs nobody in.
    secret: bool = False


EVENTS = {event.name: event for event in (
    Event(
        "password_reset", "Resetting your password",
        "Reset your password for the co-commissioning fund",
        "Someone asked to reset the password for this email address on the "
        "co-commissioning fund service.\n\n"
        "To choose a new password, open this link within 1 hour:\n{link}\n\n"
        "The link works once. If you did not ask for this, you can ignore this email: "
        "your password has not changed.",
        who="the account's owner", service=True, secret=True),
    Event(
        "invited", "Invitations to the service",
        "You have been invited to the co-commissioning fund",
        "{inviter} has invited you to the co-commissioning fund service at "
        "{organisation}, as {roles}.\n\n"
        "To accept, open this link and choose a password. It works once, until "
        "{expires}:\n{link}\n\n"
        "If you were not expecting this invitation, you can ignore this email.",
        who="the person invited", service=True, secret=True),
    Event(
        "invitation_accepted", "Invitations accepted",
        "{name} has joined the co-commissioning fund",
        "{name} ({email}) accepted your invitation and can now sign in, at "
        "{organisation}, as {roles}.",
        who="whoever sent the invitation"),
    Event(
        "eoi_submitted", "EOIs submitted",
        "{reference} submitted: {consortium}",
        "{submitter} submitted the expression of interest {reference} for {consortium} to "
        "the round {round} on {submitted}.\n\n"
        "This is your receipt. You can read the EOI as it was submitted, and download it as "
        "a PDF, here:\n{link}\n\n"
        "MOPAC's panel will score it after the round closes. You will be told the decision.",
        who="the lead and every commissioner of the consortium's member boroughs"),
    Event(
        "decisions_published", "Decisions on EOIs",
        "Decision on {reference}: {consortium}",
        "MOPAC has published its decision on the expression of interest {reference} for "
        "{consortium} in the round {round}.\n\n"
        "Read the decision, and download the decision letter, here:\n{link}",
        who="the lead and every commissioner of the consortium's member boroughs"),
)}


def written(event: Event, fields: dict[str, str]) -> tuple[str, str]:
    """The subject and plain-text body of `event` with `fields` filled in."""
    return event.subject.format(**fields), event.body.format(**fields) + SIGN_OFF
