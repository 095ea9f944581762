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
    Event(
        "borough_invited", "Invitations to join a consortium",
        "{borough} is invited to join {consortium}",
        "{inviter} has invited {borough} to join the consortium {consortium}.\n\n"
        "A commissioner of {borough} accepts or declines the invitation here:\n{link}",
        who="every commissioner of the invited borough"),
    Event(
        "invitation_answered", "Answers to your consortium's invitations",
        "{borough} {answer} the invitation to {consortium}",
        "{responder} of {borough} {answer} the invitation to join {consortium}.\n\n"
        "See the consortium here:\n{link}",
        who="the consortium's lead commissioner"),
    Event(
        "lead_changed", "Changes of lead commissioner",
        "{new_lead} now leads {consortium}",
        "{changer} made {new_lead} the lead commissioner of {consortium}, in place of "
        "{old_lead}. The reason given: {reason}\n\n"
        "See the consortium here:\n{link}",
        who="the lead and every commissioner of the consortium's member boroughs"),
    Event(
        "pledge_changed", "Pledges confirmed or withdrawn",
        "{funder}'s pledge to {consortium} is {status}",
        "{changer} marked {funder}'s pledge of {amount} for {year} to {consortium} "
        "as {status}.{reason}\n\nSee the consortium's pledges here:\n{link}",
        who="the consortium's lead commissioner"),
    Event(
        "eoi_withdrawn", "EOIs withdrawn or reopened",
        "{reference} {change}: {consortium}",
        "{changer} {change} the expression of interest {reference} for {consortium}."
        "{reason}\n\nSee it here:\n{link}",
        who="the lead and every commissioner of the consortium's member boroughs"),
    Event(
        "bid_assigned", "Bids to assess",
        "Please assess {reference}",
        "{assigner} has asked you to assess {reference} ({consortium}) in the round "
        "{round}.\n\nFirst declare any interest you have in it, then score it, here:\n"
        "{link}",
        who="the panel member asked to assess the bid"),
    Event(
        "scores_in", "Every score in",
        "Every bid in {round} is scored",
        "The last assessor has submitted their scores for the round {round}. The ranking and "
        "the bids to moderate are here:\n{link}",
        who="the fund managers"),
    Event(
        "grant_made", "Grants offered",
        "Grant offered: {grant} {title}",
        "MOPAC offers the grant {grant} ({title}) from {reference}: {award} from "
        "MOPAC, from {starts} to {ends}.\n\n"
        "The lead commissioner reads the offer letter and accepts it for the consortium, "
        "or asks MOPAC about it, here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "offer_accepted", "Offers accepted",
        "Offer accepted: {grant} {title}",
        "{name}, {role}, has accepted version {version} of the offer of {grant} ({title}) "
        "for the consortium. The grant is now active.\n\nSee it here:\n{link}",
        who="the fund managers, the grant's lead commissioner and its delivery partners' "
            "people"),
    Event(
        "offer_question", "Questions about offers",
        "A question about the offer of {grant}",
        "{who} asks about the offer of {grant}:\n\n{question}\n\n"
        "The offer is here:\n{link}",
        who="the fund managers"),
    Event(
        "offer_answered", "Answers about offers",
        "MOPAC has answered your question about the offer of {grant}",
        "You asked:\n\n{question}\n\nMOPAC answers:\n\n{answer}\n\n"
        "Read the offer, and accept it, here:\n{link}",
        who="whoever asked the question"),
    Event(
        "offer_withdrawn", "Offers withdrawn",
        "Offer withdrawn: {grant} {title}",
        "MOPAC has withdrawn its offer of {grant} ({title}).\n\nThe reason: {reason}"
        "\n\nSee it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "claim_sent", "Claims sent",
        "A claim of {amount} for {grant}",
        "A claim of {amount} ({claim}) has been sent for {grant}. Check it here and pass it "
        "to finance, or send it back:\n{link}",
        who="the fund managers"),
    Event(
        "claim_checked", "Claims checked, for finance",
        "A claim of {amount} for {grant} to approve",
        "The fund team has checked a claim of {amount} ({claim}) for {grant}. Approve it "
        "here, or send it back:\n{link}",
        who="the finance officers"),
    Event(
        "claim_sent_back", "Claims sent back",
        "Claim sent back: {amount} for {grant}",
        "MOPAC has sent back the claim of {amount} ({claim}) for {grant} for changes."
        "{comments}\n\nChange it and send it again here:\n{link}",
        who="the grant's lead commissioner, its delivery partners' people and whoever sent "
            "the claim"),
    Event(
        "variation_requested", "Changes asked for",
        "A change asked for on {grant}",
        "The lead commissioner of {grant} asks for a change: {change}.\n\nThe reason: "
        "{reason}\n\nApprove or refuse it here:\n{link}",
        who="the fund managers"),
    Event(
        "variation_to_confirm", "Changes to confirm for your organisation",
        "A change to {funder}'s money on {grant} to confirm",
        "MOPAC has approved a change to {grant} that moves {funder}'s money: {change}. It "
        "takes effect once {funder} confirms it, here:\n{link}",
        who="the funder's people"),
    Event(
        "variation_decided", "Changes decided",
        "Change {decision}: {grant}",
        "MOPAC has {decision} the change to {grant}: {change}.{version}{comments}\n\n"
        "See it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "grant_closing", "Grants closing",
        "{grant} is closing: send the final report and claim",
        "MOPAC has started closing {grant} ({title}). Send the final report (what was "
        "achieved, what continues, what was learnt) and the final claim here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "final_report_sent", "Final reports sent",
        "The final report of {grant}",
        "The final report of {grant} has been sent. Review it here:\n{link}",
        who="the fund managers"),
    Event(
        "final_report_reviewed", "Final reports reviewed",
        "Final report {review}: {grant}",
        "MOPAC has {review} the final report of {grant}.{comments}\n\nSee it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "grant_closed", "Grants closed",
        "{grant} is closed",
        "MOPAC has closed {grant} ({title}): its final report is accepted and its claims "
        "are paid. Thank you.\n\nIts record stays here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "pledge_for_sign_off", "Pledges to sign off",
        "Sign off {funder}'s pledge of {amount} to {consortium}",
        "{funder}'s pledge of {amount} for {year} to {consortium} has been confirmed. It is "
        "final once a certifier of {funder} signs it off. Sign it off, or decline it with a "
        "reason, here:\n{link}",
        who="the funder's certifiers"),
    Event(
        "return_for_sign_off", "Returns to sign off",
        "Sign off the {quarter} return for {grant}",
        "{sender} has sent the {quarter} return for {grant}. It goes to MOPAC once a "
        "certifier of your organisation signs it off. Check it and sign it off, or decline "
        "it with a reason, here:\n{link}",
        who="the certifiers of the organisation that sent it"),
    Event(
        "certifier_changed", "Being named a certifier",
        "{change} a certifier of {organisation}",
        "{changer} has {action} a certifier of {organisation} on the co-commissioning fund "
        "service. {meaning}\n\n{link}",
        who="the person named or removed", service=True),
    Event(
        "return_declined", "Returns declined at sign-off",
        "Return not signed off: {quarter} for {grant}",
        "Your organisation's certifier did not sign off the {quarter} return for {grant}."
        "\n\nThe reason: {reason}\n\nChange it and send it again here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "condition_sent", "Evidence sent for conditions",
        "Evidence sent for a condition of {grant}",
        "Evidence has been sent for the condition of {grant}: {condition}\n\n"
        "Review it here:\n{link}",
        who="the fund managers"),
    Event(
        "condition_reviewed", "Conditions reviewed",
        "Condition {review}: {grant}",
        "MOPAC has {review} the evidence for the condition of {grant}: {condition}"
        "{comments}\n\nSee it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "milestone_reviewed", "Milestones reviewed",
        "Milestone {review}: {milestone} ({grant})",
        "MOPAC has {review} the evidence for the milestone '{milestone}' of {grant}."
        "{comments}\n\nSee it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "return_reviewed", "Quarterly returns reviewed",
        "Return {review}: {quarter} for {grant}",
        "MOPAC has {review} the {quarter} return for {grant}.{comments}\n\n"
        "See it here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "payment_changed", "Payments approved and paid",
        "Payment {status}: {amount} for {grant}",
        "MOPAC has marked the payment '{payment}' of {amount} for {grant} as {status}."
        "\n\nThe grant's payments are here:\n{link}",
        who="the grant's lead commissioner and its delivery partners' people"),
    Event(
        "round_opened", "Rounds opening",
        "{round} is open for expressions of interest",
        "MOPAC has opened the round {round}. It closes at {closes}.\n\n"
        "Read its guidance and start your consortium's EOI here:\n{link}",
        who="every commissioner"),
    Event(
        "round_closing", "Rounds closing",
        "{round} closes in {days}",
        "The round {round} closes at {closes}, in {days}. Your consortium {consortium} "
        "has an EOI in draft: only the lead commissioner can submit it.\n\n"
        "Finish it here:\n{link}",
        who="the lead and every commissioner of the member boroughs of each consortium with a "
            "draft"),
)}


def written(event: Event, fields: dict[str, str]) -> tuple[str, str]:
    """The subject and plain-text body of `event` with `fields` filled in."""
    return event.subject.format(**fields), event.body.format(**fields) + SIGN_OFF
