"""Personal data posted through every free-text form and upload the privacy guard did not
read before (issue 14) comes back on the form, beside its field and in the error summary,
and nothing is saved."""

import html
import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from eoi import clock
from eoi.accounts.models import Role
from eoi.assessment import operations as panel
from eoi.assessment.models import Assessment, AssessmentStatus, Decision, ModeratedScore
from eoi.audit.models import AuditEntry
from eoi.consortia import operations as consortia
from eoi.consortia.models import Consortium, LeadInterest, PartnerRole, Pledge, PledgeStatus
from eoi.eois import operations as eois
from eoi.eois.models import EoiAttachment, EoiSection, EoiStatus
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.grants.models import GrantState, Milestone, MilestoneStatus, Payment
from eoi.reference.models import LocalAuthority, Organisation
from eoi.returns import operations as returns
from eoi.rounds import operations as rounds
from eoi.rounds.models import RoundStatus
from eoi.service_map.models import Service
from tests.conftest import complete_everything, complete_figures, csrf_token, post_form, sign_in

PHONE = "07700 900123"
EMAIL = "kayleigh.smith@hotmail.co.uk"
BIRTH = "born 14/02/2010"
PERSONAL = f"Her mum can be reached on {PHONE}"


def audit_count() -> int:
    """Audit entries of anything but signing in."""
    return db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action != "user.signed_in"))


def assert_refused(response, field: str, looks_like: str = "a phone number") -> None:
    """The form is back (200) with the guard's message beside `field` and linked from the
    error summary, and the message does not repeat what it found."""
    assert response.status_code == 200, response.status_code
    page = html.unescape(response.text)
    assert "govuk-error-summary" in page
    assert f'href="#{field}"' in page, f"no link to #{field} in the error summary"
    beside = re.search(rf'<p id="{re.escape(field)}-error" class="govuk-error-message">(.*?)</p>',
                       page, re.S)
    assert beside, f"no error message beside {field}"
    assert f"contains what looks like {looks_like}" in beside.group(1)
    assert "remove anything that could identify a young person" in beside.group(1)
    assert PHONE not in beside.group(1) and EMAIL not in beside.group(1)


class Unchanged:
    """Nothing written: no audit entry, and the record's values as they were."""

    def __init__(self, record=None, *names: str):
        self.audit, self.record, self.names = audit_count(), record, names
        self.values = [getattr(record, name) for name in names]

    def check(self) -> None:
        db.session.expire_all()
        assert audit_count() == self.audit
        if self.record is not None:
            db.session.refresh(self.record)
            assert [getattr(self.record, name) for name in self.names] == self.values


# The EOI -----------------------------------------------------------------------------------

def test_eoi_summary_section_which_is_published_is_guarded_strictly(client, world):
    people, eoi = world
    section = eoi.section("summary")
    unchanged = Unchanged(section, "stored_content")
    sign_in(client, people["member"].email)
    response = post_form(client, f"/eois/{eoi.id}/sections/summary", {
        "title": "Schools work", "summary": f"Ring the office on 020 7946 0018 or {EMAIL}",
        "complete": "no", "version": section.version})
    assert_refused(response, "summary", "a phone number")
    assert "an email address" in html.unescape(response.text)
    unchanged.check()


@pytest.mark.parametrize("key,field", [("need", "qualitative"), ("delivery", "components"),
                                       ("risks", "risks"), ("priorities", "how"),
                                       ("budget", "notes")])
def test_every_eoi_section_is_guarded(client, world, key, field):
    people, eoi = world
    section = eoi.section(key)
    unchanged = Unchanged(section, "stored_content")
    sign_in(client, people["member"].email)
    response = post_form(client, f"/eois/{eoi.id}/sections/{key}", {
        field: PERSONAL, "complete": "no", "version": section.version})
    assert_refused(response, field)
    unchanged.check()
    assert db.session.get(EoiSection, section.id).stored_content == unchanged.values[0]


def _docx(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                         'schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", f"<w:document><w:body><w:p><w:r><w:t>{text}"
                         "</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


@pytest.mark.parametrize("name,content", [
    ("referrals.csv", f"Referral,Contact\n1,{EMAIL}\n".encode()),
    ("notes.docx", _docx(f"Young person {BIRTH}")),
])
def test_an_eoi_attachment_with_personal_data_is_refused_and_nothing_kept(client, app, world,
                                                                          name, content):
    from pathlib import Path

    people, eoi = world
    folder = Path(app.config["EOI_STORAGE_FOLDER"]) / "uploads"
    files_before = set(folder.iterdir()) if folder.exists() else set()
    unchanged = Unchanged()
    sign_in(client, people["member"].email)
    page = client.get(f"/eois/{eoi.id}").text
    response = client.post(f"/eois/{eoi.id}/attachments", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert f"The file {name} contains what looks like" in text
    assert 'href="#file"' in text and 'id="file-error"' in text
    unchanged.check()
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 0
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before


def test_a_clean_attachment_is_still_kept(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    page = client.get(f"/eois/{eoi.id}").text
    response = client.post(f"/eois/{eoi.id}/attachments", data={
        "csrf_token": csrf_token(page),
        "file": (io.BytesIO(b"Borough,Referrals\nGreenwich,40\n"), "need.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(EoiAttachment.id))) == 1


def test_the_reason_for_reopening_an_eoi_is_guarded(client, world):
    people, eoi = world
    consortia.add_partner(eoi.consortium, db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust")), PartnerRole.lead_provider, by=people["lead"])
    complete_everything(eoi, people["member"])
    eois.submit_eoi(eoi, by=people["lead"], now=clock.now())
    db.session.commit()
    unchanged = Unchanged(eoi, "status")
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/eois/{eoi.id}/reopen", {"reason": PERSONAL})
    assert_refused(response, "reason")
    unchanged.check()
    assert eoi.status is EoiStatus.submitted


# Consortia, pledges and the lead register --------------------------------------------------

def test_a_consortiums_name_and_purpose_are_guarded(client, world):
    people, _eoi = world
    unchanged = Unchanged()
    count = db.session.scalar(select(func.count(Consortium.id)))
    sign_in(client, people["lead"].email)
    response = post_form(client, "/consortia/new", {"name": f"North {PHONE}",
                                                    "purpose": f"Write to {EMAIL}"})
    assert_refused(response, "name")
    assert_refused(response, "purpose", "an email address")
    unchanged.check()
    assert db.session.scalar(select(func.count(Consortium.id))) == count


def test_editing_a_consortium_is_guarded(client, world):
    people, eoi = world
    consortium = eoi.consortium
    unchanged = Unchanged(consortium, "name", "purpose")
    sign_in(client, people["lead"].email)
    response = post_form(client, f"/consortia/{consortium.id}/edit", {
        "name": consortium.name, "purpose": PERSONAL, "version": consortium.version})
    assert_refused(response, "purpose")
    unchanged.check()


def test_the_reason_for_handing_over_the_lead_is_guarded(client, world):
    people, eoi = world
    consortium = eoi.consortium
    unchanged = Unchanged(consortium, "lead_id")
    sign_in(client, people["lead"].email)
    response = post_form(client, f"/consortia/{consortium.id}/lead", {
        "lead_id": people["member"].id, "reason": PERSONAL, "version": consortium.version})
    assert_refused(response, "reason")
    unchanged.check()


def test_the_reason_for_withdrawing_a_pledge_is_guarded(client, world):
    people, eoi = world
    pledge = db.session.scalar(select(Pledge).where(Pledge.consortium_id == eoi.consortium_id))
    unchanged = Unchanged(pledge, "status", "withdrawal_reason")
    sign_in(client, people["member"].email)
    response = post_form(
        client, f"/consortia/{eoi.consortium_id}/pledges/{pledge.id}/status",
        {"status": "withdrawn", "reason": PERSONAL, "version": pledge.version})
    assert_refused(response, "reason")
    unchanged.check()
    assert pledge.status is PledgeStatus.confirmed


def test_the_lead_register_is_guarded(client, world):
    people, _eoi = world
    unchanged = Unchanged()
    priority_id = db.session.scalar(select(consortia.Priority.id).where(
        consortia.Priority.code == "boys-young-men"))
    sign_in(client, people["lead"].email)
    response = post_form(client, "/lead-commissioners/new", {
        "priority_id": priority_id, "capacity_days_per_month": "4", "seniority": "manager",
        "notes": f"Leads the case of a boy {BIRTH}"})
    assert_refused(response, "notes", "a date of birth")
    unchanged.check()
    assert db.session.scalar(select(func.count(LeadInterest.id))) == 0


# The service map ---------------------------------------------------------------------------

def _service_form(**overrides):
    greenwich = db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == "Greenwich"))
    return {"provider_id": db.session.scalar(select(Organisation.id).where(
                Organisation.name == "St Giles Trust")),
            "name": "Girls' group", "description": "Weekly group work",
            "boroughs": [greenwich.id], "types": ["group_work"],
            "cohorts": ["girls_young_women"], **overrides}


def test_a_service_description_may_give_the_providers_contact_details(client, world):
    people, _eoi = world
    sign_in(client, people["partner"].email)
    response = post_form(client, "/service-map/new", _service_form(
        description=f"Ring us on {PHONE} or email referrals@stgiles.example.org, SE1 7TP"))
    assert response.status_code == 302
    assert db.session.scalar(select(Service.description)).startswith("Ring us on")


def test_a_service_description_may_not_give_a_young_persons_date_of_birth(client, world):
    people, _eoi = world
    unchanged = Unchanged()
    sign_in(client, people["partner"].email)
    response = post_form(client, "/service-map/new", _service_form(
        description=f"Started with a girl {BIRTH}"))
    assert_refused(response, "description", "a date of birth")
    response = post_form(client, "/service-map/new", _service_form(name=f"Group {PHONE}"))
    assert_refused(response, "name")
    unchanged.check()
    assert db.session.scalar(select(func.count(Service.id))) == 0


HEADER = "provider,service_name,description,boroughs,service_types,cohorts,funding_end_date\n"


def _import(client, text: str):
    page = client.get("/service-map/import")
    return client.post("/service-map/import", data={
        "csrf_token": csrf_token(page.text),
        "file": (io.BytesIO(text.encode()), "services.csv"),
    }, content_type="multipart/form-data")


def test_the_service_map_import_refuses_personal_data_and_names_the_row_and_column(client,
                                                                                  world):
    people, _eoi = world
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = _import(client, HEADER + (
        f"St Giles Trust,Helpline,Ring {PHONE},E09000019,advocacy,girls_young_women,\n"
        f"St Giles Trust,Group for {EMAIL},,E09000019,advocacy,girls_young_women,\n"
        f"St Giles Trust,Drop-in,Met a boy {BIRTH},E09000019,advocacy,girls_young_women,\n"))
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "The file was not imported" in page
    assert "Row 2" not in page  # a provider's own number in a description is allowed
    assert ("Row 3: the service name column contains what looks like an email address"
            in page)
    assert "Row 4: the description column contains what looks like a date of birth" in page
    assert EMAIL not in page and "14/02/2010" not in page
    unchanged.check()
    assert db.session.scalar(select(func.count(Service.id))) == 0


# The panel ---------------------------------------------------------------------------------

@pytest.fixture
def closed(world):
    """The `world` EOI submitted in a closed round, assigned to its panel member, who has not
    yet declared."""
    people, eoi = world
    consortia.add_partner(eoi.consortium, db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust")), PartnerRole.lead_provider, by=people["lead"])
    complete_everything(eoi, people["member"])
    now = clock.now()
    eois.submit_eoi(eoi, by=people["lead"], now=now)
    rounds.change_round_status(eoi.funding_round, RoundStatus.closed, by=people["manager"],
                               now=now)
    panel.add_panel_member(eoi.funding_round, people["panel"], by=people["manager"])
    assessment = panel.assign(eoi, people["panel"], by=people["manager"], now=now)
    db.session.commit()
    return people, eoi, assessment


@pytest.fixture
def assessed(closed):
    people, eoi, assessment = closed
    now = clock.now()
    panel.declare(assessment, has_interest=False, details="", by=people["panel"], now=now)
    panel.save_scores(assessment, {c.id: (3, "Good.") for c in eoi.funding_round.criteria},
                      submit=True, by=people["panel"], now=now, expected_version=None)
    rounds.change_round_status(eoi.funding_round, RoundStatus.assessed, by=people["manager"],
                               now=now)
    db.session.commit()
    return people, eoi


def test_the_details_of_a_conflict_of_interest_are_guarded(client, closed):
    people, _eoi, assessment = closed
    assert assessment.status is AssessmentStatus.awaiting_declaration
    unchanged = Unchanged(assessment, "status", "interest_details")
    sign_in(client, people["panel"].email)
    response = post_form(client, f"/assessment/assessments/{assessment.id}/declaration", {
        "has_interest": "yes", "details": f"I know her family: {PHONE}"})
    assert_refused(response, "details")
    unchanged.check()


def test_an_assessors_comments_are_guarded(client, closed):
    people, eoi, assessment = closed
    panel.declare(assessment, has_interest=False, details="", by=people["panel"],
                  now=clock.now())
    db.session.commit()
    criterion = eoi.funding_round.criteria[0]
    unchanged = Unchanged(assessment, "status", "version")
    sign_in(client, people["panel"].email)
    response = post_form(client, f"/assessment/assessments/{assessment.id}", {
        "version": assessment.version, "save": "Save as draft",
        f"score_{criterion.id}": "2", f"comment_{criterion.id}": PERSONAL})
    assert_refused(response, f"comment_{criterion.id}")
    unchanged.check()
    assert db.session.get(Assessment, assessment.id).scores == []


def test_a_decisions_conditions_and_feedback_are_guarded(client, assessed):
    people, eoi = assessed
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/assessment/eois/{eoi.id}/decision", {
        "outcome": "fund_with_conditions", "amount": "100,000",
        "conditions": f"Tell the worker on {PHONE}", "feedback": f"Ask {EMAIL}"})
    assert_refused(response, "conditions")
    assert_refused(response, "feedback", "an email address")
    unchanged.check()
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_a_moderation_rationale_is_guarded(client, assessed):
    people, eoi = assessed
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/assessment/eois/{eoi.id}/moderation", {
        "criterion_id": eoi.funding_round.criteria[0].id, "score": "2",
        "rationale": PERSONAL})
    assert_refused(response, "rationale")
    unchanged.check()
    assert db.session.scalar(select(func.count(ModeratedScore.id))) == 0


# Grants ------------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["suspended", "closed"])
def test_the_reason_for_suspending_or_closing_a_grant_is_guarded(client, granted, state):
    people, grant = granted
    unchanged = Unchanged(grant, "state")
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/grants/{grant.id}/state", {"state": state,
                                                              "reason": PERSONAL})
    assert_refused(response, "reason")
    unchanged.check()
    assert grant.state is GrantState.active


def test_a_milestones_title_and_evidence_required_are_guarded(client, granted):
    people, grant = granted
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/grants/{grant.id}/milestones/new", {
        "title": f"Visit {EMAIL}", "evidence_required": PERSONAL,
        "due_on": ["30", "9", "2026"]})
    assert_refused(response, "title", "an email address")
    assert_refused(response, "evidence_required")
    unchanged.check()
    assert db.session.scalar(select(func.count(Milestone.id))) == 0


def test_a_payments_description_is_guarded(client, granted):
    people, grant = granted
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = post_form(client, f"/grants/{grant.id}/payments/new", {
        "description": f"Taxi for a girl {BIRTH}", "amount": "1,000",
        "scheduled_on": ["1", "6", "2026"], "milestone_id": "none"})
    assert_refused(response, "description", "a date of birth")
    unchanged.check()
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_milestone_review_comments_are_guarded(client, granted):
    people, grant = granted
    milestone = grants.add_milestone(grant, title="Workers in post",
                                     evidence_required="Contracts", due_on=date(2026, 9, 30),
                                     by=people["manager"])
    grants.send_evidence(milestone, notes="Done", by=people["partner"], now=clock.now())
    db.session.commit()
    unchanged = Unchanged(milestone, "status", "review_comments")
    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/milestones/{milestone.id}").text
    response = client.post(f"/grants/milestones/{milestone.id}/review", data={
        "csrf_token": csrf_token(page), "outcome": "return", "comments": PERSONAL})
    assert_refused(response, "comments")
    unchanged.check()
    assert milestone.status is MilestoneStatus.submitted


def test_return_review_comments_are_guarded(client, granted):
    people, grant = granted
    ret = grant.returns[0]
    returns.save_return(ret, complete_figures(grant), by=people["partner"], now=clock.now())
    returns.submit_return(ret, by=people["partner"], now=clock.now())
    db.session.commit()
    unchanged = Unchanged(ret, "status", "review_comments")
    sign_in(client, people["manager"].email)
    page = client.get(f"/returns/{ret.id}").text
    response = client.post(f"/returns/{ret.id}/review", data={
        "csrf_token": csrf_token(page), "version": ret.version, "outcome": "return",
        "comments": PERSONAL})
    assert_refused(response, "comments")
    unchanged.check()


def test_a_fund_manager_typing_reference_data_is_guarded_too(client, world):
    people, _eoi = world
    unchanged = Unchanged()
    sign_in(client, people["manager"].email)
    response = post_form(client, "/admin/organisations/new", {
        "name": f"Friends of {EMAIL}", "type": "vcs"})
    assert_refused(response, "name", "an email address")
    unchanged.check()
    assert Role.fund_manager in people["manager"].roles
