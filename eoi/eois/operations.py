"""Starting, drafting, submitting, withdrawing and reopening EOIs: checked and audited."""

from datetime import datetime

from sqlalchemy import func, select

from eoi.audit import changes_between, record_audit
from eoi.consortia.models import Consortium, PledgeStatus
from eoi.eois import attachments
from eoi.eois.budget import Line, Rules, reconcile
from eoi.eois.models import (
    BudgetLine,
    CostCategory,
    Eoi,
    EoiAttachment,
    EoiEditor,
    EoiSection,
    EoiStatus,
)
from eoi.eois.sections import SECTIONS, SECTIONS_BY_KEY, in_shape, missing_answers
from eoi.extensions import db
from eoi.formatting import LONDON, london_datetime
from eoi.money import financial_year_label, format_pence
from eoi.notifications import tell
from eoi.notifications.outbox import notify, service_link
from eoi.notifications.recipients import consortium_commissioners
from eoi.reference.models import Organisation, OrganisationType, PriorityKind
from eoi.refusals import FieldRefusal, Refusal, StaleEdit, TransitionRefused
from eoi.rounds.models import FundingRound, RoundStatus
from eoi.states import StateMachine

EOI = StateMachine("expression of interest", {
    EoiStatus.draft: frozenset({EoiStatus.submitted}),
    EoiStatus.submitted: frozenset({EoiStatus.withdrawn, EoiStatus.draft}),
    EoiStatus.withdrawn: frozenset({EoiStatus.draft}),
})


class SectionConflict(StaleEdit):
    """Someone saved the section after this person opened it: both versions, to choose."""

    def __init__(self, section: EoiSection, theirs: dict):
        super().__init__(str(section))
        self.section, self.theirs = section, theirs


class SectionIncomplete(Refusal):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def start_eoi(consortium: Consortium, funding_round: FundingRound, *, by) -> Eoi:
    if not (consortium.is_member_officer(by) or by.id == consortium.lead_id):
        raise TransitionRefused("Only a commissioner of a member borough can start the EOI")
    if funding_round.status is not RoundStatus.open:
        raise TransitionRefused("This round is not open")
    exists = db.session.scalar(select(Eoi.id).where(Eoi.consortium_id == consortium.id,
                                                    Eoi.round_id == funding_round.id))
    if exists:
        raise TransitionRefused("This consortium already has an EOI for this round")
    eoi = Eoi(consortium=consortium, funding_round=funding_round, created_by_id=by.id,
              sections=[EoiSection(key=s.key, content={}) for s in SECTIONS])
    db.session.add(eoi)
    record_audit("eoi.started", eoi, user=by,
                 summary=f"Started the EOI of {consortium.name} for {funding_round.title}")
    return eoi


# Completeness ------------------------------------------------------------------------------

def budget_reconciliation(eoi: Eoi):
    confirmed: dict[tuple[str, int], int] = {}
    proposed: dict[tuple[str, int], int] = {}
    for pledge in eoi.consortium.pledges:
        key = (pledge.funder.name, pledge.financial_year)
        if pledge.status in (PledgeStatus.confirmed, PledgeStatus.received):
            confirmed[key] = confirmed.get(key, 0) + pledge.amount_pence
        elif pledge.status in (PledgeStatus.proposed, PledgeStatus.signing):
            proposed[key] = proposed.get(key, 0) + pledge.amount_pence
    lines = [Line(line.financial_year, line.funder.name,
                  line.funder.type is OrganisationType.mopac, line.amount_pence)
             for line in eoi.budget_lines]
    rules = Rules(eoi.funding_round.first_financial_year, eoi.funding_round.last_financial_year,
                  eoi.funding_round.envelope_pence, eoi.funding_round.min_match_percent)
    return reconcile(lines, confirmed, rules, year_label=financial_year_label,
                     money=format_pence, proposed=proposed)


def mopac_requests(eoi_ids) -> dict[int, int]:
    """`budget_reconciliation(eoi).mopac_request` of many EOIs (a list or a query of their
    ids) in one statement: the sum of their budget lines funded by MOPAC. EOIs without such
    lines are left out: they ask for nothing."""
    return {eoi_id: int(total) for eoi_id, total in db.session.execute(
        select(BudgetLine.eoi_id, func.sum(BudgetLine.amount_pence))
        .join(Organisation, BudgetLine.funder_id == Organisation.id)
        .where(BudgetLine.eoi_id.in_(eoi_ids), Organisation.type == OrganisationType.mopac)
        .group_by(BudgetLine.eoi_id))}


def round_years(eoi: Eoi) -> list[int]:
    return list(range(eoi.funding_round.first_financial_year,
                      eoi.funding_round.last_financial_year + 1))


def section_problems(eoi: Eoi, key: str, content: dict) -> dict[str, str]:
    """What stops a section being complete: {question name: message}."""
    section = SECTIONS_BY_KEY[key]
    if key == "priorities":
        problems = {}
        allowed = {p.id for p in eoi.funding_round.priorities if p.kind is PriorityKind.strategic}
        if not set(content.get("priority_ids") or []) & allowed:
            problems["priority_ids"] = "Select at least one of the round's strategic priorities"
        if not str(content.get("how") or "").strip():
            problems["how"] = "Enter how the proposal addresses the priorities"
        return problems
    if key == "outcomes":
        chosen = content.get("indicators") or {}
        if not chosen:
            return {"indicator_ids": "Select at least one indicator"}
        problems = {}
        for indicator_id, figures in chosen.items():
            if figures.get("baseline") is None:
                problems[f"baseline_{indicator_id}"] = "Enter a baseline for each indicator"
            for year in round_years(eoi):
                if (figures.get("targets") or {}).get(str(year)) is None:
                    problems[f"target_{indicator_id}_{year}"] = (
                        f"Enter a target for {financial_year_label(year)} for each indicator")
        return problems
    if key == "budget":
        problems = budget_reconciliation(eoi).problems
        return {"budget": problems[0]} if problems else {}
    return {q.name: f"Enter {q.label[0].lower()}{q.label[1:]}"
            for q in missing_answers(section, content)}


def task_status(section: EoiSection) -> str:
    if section.is_complete:
        return "Completed"
    has_content = any(str(v or "").strip() for v in section.content.values())
    if section.key == "budget":
        has_content = has_content or bool(section.eoi.budget_lines)
    return "In progress" if has_content else "Not started"


def _require_editable(eoi: Eoi, by) -> None:
    if not eoi.can_edit(by):
        raise TransitionRefused("This EOI cannot be changed now")


# Drafting ----------------------------------------------------------------------------------

def save_section(eoi: Eoi, key: str, content: dict, *, mark_complete: bool, by,
                 expected_version: int | None) -> EoiSection:
    _require_editable(eoi, by)
    section = eoi.section(key)
    # A section not stored yet (new to the questions since the EOI began) has no version
    # that anyone could have seen, so nobody's save can be stale against it.
    if (expected_version is not None and section.version is not None
            and section.version != expected_version):
        raise SectionConflict(section, dict(section.content))
    if mark_complete:
        problems = section_problems(eoi, key, content)
        if problems:
            raise SectionIncomplete(problems)
    before = {"content": section.content, "is_complete": section.is_complete}
    section.content = content
    section.is_complete = mark_complete
    section.updated_by_id = by.id
    changes = changes_between(before, {"content": content, "is_complete": mark_complete})
    if changes:
        record_audit("eoi.section_saved", eoi, user=by,
                     summary=f"Saved {SECTIONS_BY_KEY[key].title}"
                     + (" as complete" if mark_complete else " as a draft"),
                     changes=changes)
    return section


def keep_typed_answers(eoi: Eoi, key: str, content: dict, *, by,
                       expected_version: int | None) -> bool:
    """Save what was typed into section `key` when another form on its page posts (an
    upload, a budget line), so that form never throws the typing away. A draft stays
    complete only while its answers still pass the section's checks. Returns whether
    anything changed."""
    section = eoi.section(key)
    if content == in_shape(key, section.content):
        return False
    save_section(eoi, key, content,
                 mark_complete=section.is_complete and not section_problems(eoi, key, content),
                 by=by, expected_version=expected_version)
    return True


def _budget_changed(eoi: Eoi) -> None:
    """A budget that changes must be checked again before it counts as complete."""
    eoi.section("budget").is_complete = False


def add_budget_line(eoi: Eoi, *, financial_year: int, category: CostCategory,
                    funder: Organisation, amount_pence: int, by) -> BudgetLine:
    _require_editable(eoi, by)
    if financial_year not in round_years(eoi):
        raise FieldRefusal("financial_year", "Select a year the round covers")
    if any(line.financial_year == financial_year and line.category is category
           and line.funder_id == funder.id for line in eoi.budget_lines):
        raise FieldRefusal("category", "The budget already has a line for this year, "
                           "category and funder: change that line instead")
    line = BudgetLine(financial_year=financial_year, category=category, funder=funder,
                      amount_pence=amount_pence)
    eoi.budget_lines.append(line)
    _budget_changed(eoi)
    record_audit("eoi.budget_line_added", eoi, user=by, summary=f"Added to the budget: {line}")
    return line


def remove_budget_line(line: BudgetLine, *, by) -> None:
    eoi = line.eoi
    _require_editable(eoi, by)
    record_audit("eoi.budget_line_removed", eoi, user=by,
                 summary=f"Removed from the budget: {line}")
    eoi.budget_lines.remove(line)
    _budget_changed(eoi)


def attach_file(eoi: Eoi, filename: str, content: bytes, *, by) -> EoiAttachment:
    """Check the file by its content and that it holds no personal data, keep its bytes and
    record it. If the transaction then fails, the caller discards `attachment.stored_name`
    so no stray file is left."""
    _require_editable(eoi, by)
    # Read for personal data, as every file kept is (attachments.kept).
    with attachments.kept(filename, content) as kept:
        attachment = EoiAttachment(**kept.columns(), uploaded_by_id=by.id)
        eoi.attachments.append(attachment)
        record_audit("eoi.attachment_added", eoi, user=by, summary=f"Attached {kept}")
    return attachment


def remove_attachment(attachment: EoiAttachment, *, by) -> None:
    """Forget the attachment. Its bytes are discarded by the caller once this is committed,
    so a failed transaction never leaves a record without its file."""
    eoi = attachment.eoi
    _require_editable(eoi, by)
    record_audit("eoi.attachment_removed", eoi, user=by,
                 summary=f"Removed the attachment {attachment.filename}")
    eoi.attachments.remove(attachment)
    db.session.delete(attachment)


def invite_editor(eoi: Eoi, user, *, by) -> None:
    if not eoi.can_invite_editors(by):
        raise TransitionRefused("Only the lead commissioner invites editors")
    if not eoi.consortium.is_partner_user(user):
        raise FieldRefusal("user_id", "Choose someone from one of the consortium's partners")
    if any(e.user_id == user.id for e in eoi.editors):
        raise FieldRefusal("user_id", f"{user.full_name} can already edit this EOI")
    eoi.editors.append(EoiEditor(user_id=user.id))
    record_audit("eoi.editor_invited", eoi, user=by,
                 summary=f"Invited {user.full_name} ({user.organisation.name}) to edit")


# Submission --------------------------------------------------------------------------------

def submission_problems(eoi: Eoi, now: datetime) -> list[str]:
    """Every reason the EOI cannot be submitted now, in words the lead can act on."""
    problems = []
    if not eoi.funding_round.accepts_submissions(now):
        problems.append("The round is not taking submissions: it closed, or has not opened")
    incomplete = [SECTIONS_BY_KEY[s.key].title for s in eoi.ordered_sections
                  if not s.is_complete]
    if incomplete:
        problems.append("These sections are not complete: " + ", ".join(incomplete))
    boroughs = len(eoi.consortium.member_boroughs)
    if boroughs < eoi.funding_round.min_member_boroughs:
        problems.append(f"The round needs at least {eoi.funding_round.min_member_boroughs} "
                        f"member boroughs; the consortium has {boroughs}")
    problems += budget_reconciliation(eoi).problems
    return problems


def _next_reference(now: datetime) -> str:
    year = now.astimezone(LONDON).year
    prefix = f"CCF-{year}-"
    count = db.session.execute(select(func.count(Eoi.id)).where(
        Eoi.reference.like(prefix + "%"))).scalar_one()
    return f"{prefix}{count + 1:04d}"


def submit_eoi(eoi: Eoi, *, by, now: datetime) -> Eoi:
    if not eoi.can_submit(by):
        raise TransitionRefused("Only the lead commissioner can submit the EOI")
    problems = submission_problems(eoi, now)
    if problems:
        raise TransitionRefused(". ".join(problems))
    EOI.check(eoi.status, EoiStatus.submitted)
    if eoi.reference is None:
        eoi.reference = _next_reference(now)  # counted before this EOI counts as submitted
    eoi.submitted_at, eoi.submitted_by_id = now, by.id
    EOI.move(eoi, EoiStatus.submitted, by=by, action="eoi.submitted",
             summary=f"Submitted as {eoi.reference}")
    # Each submission is its own receipt: reopened and submitted again, the EOI is told again.
    notify("eoi_submitted", f"eoi-{eoi.id}-{eoi.version}",
           consortium_commissioners(eoi.consortium), reference=eoi.reference,
           consortium=eoi.consortium.name, round=eoi.funding_round.title,
           submitter=by.full_name, submitted=london_datetime(now),
           link=service_link(f"/eois/{eoi.id}"))
    return eoi


def withdraw_eoi(eoi: Eoi, *, by, now: datetime) -> Eoi:
    if not eoi.can_withdraw(by):
        raise TransitionRefused("Only the lead commissioner can withdraw the EOI")
    if not eoi.funding_round.accepts_submissions(now):
        raise TransitionRefused("The round has closed: the EOI can no longer be withdrawn")
    EOI.move(eoi, EoiStatus.withdrawn, by=by, action="eoi.withdrawn",
             summary=f"Withdrew {eoi.reference}")
    tell.eoi_withdrawn_or_reopened(eoi, by=by)
    return eoi


def reopen_eoi(eoi: Eoi, *, reason: str, by) -> Eoi:
    if not eoi.can_reopen(by):
        raise TransitionRefused("Only a fund manager can reopen an EOI")
    if not reason.strip():
        raise FieldRefusal("reason", "Enter why the EOI is reopened")
    EOI.move(eoi, EoiStatus.draft, by=by, action="eoi.reopened",
             summary=f"Reopened {eoi.reference} for changes. Reason: {reason.strip()}",
             changes={"reason": [None, reason.strip()]})
    tell.eoi_withdrawn_or_reopened(eoi, reason=reason, by=by)
    return eoi
