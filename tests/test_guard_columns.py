"""The privacy guard at the flush (eoi.guard): every text column of every table has a guard
or a written reason, and the listener refuses personal data in any of them with no form in
sight."""

import re

import pytest
from sqlalchemy import update

from eoi import guard
from eoi.audit import record_audit
from eoi.consortia import operations as consortia
from eoi.consortia.models import Consortium
from eoi.eois import operations
from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.reference.models import Organisation
from eoi.refusals import PersonalDataRefused
from eoi.returns.privacy import find_personal_data
from eoi.service_map.models import Service
from eoi.writes import attempt
from tests.conftest import borough

PHONE = "07700 900123"
DATE_OF_BIRTH = "born 3/3/2009"

# The only text the service keeps in which an organisation's own contact details are allowed.
CONTACT_ALLOWED = {"services.description"}


def _text_columns():
    import eoi.models  # noqa: F401  (every table)

    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if guard.is_text(column.type):
                yield f"{table.name}.{column.name}", column


def test_every_text_column_has_a_guard_or_a_written_reason():
    """A new String, Text or JSON column is read strictly unless it says why not. A reason
    is a sentence: a capital, some words, a full stop."""
    missing_reasons, unknown = [], []
    for name, column in _text_columns():
        if "unguarded" in column.info:
            why = column.info["unguarded"]
            if not (isinstance(why, str) and re.fullmatch(r"[A-Z].{14,}\.", why.strip())
                    and len(why.split()) >= 4):
                missing_reasons.append(f"{name}: {why!r}")
            assert "guard" not in column.info, f"{name} is both guarded and unguarded"
        elif column.info.get("guard", guard.STRICT) not in (guard.STRICT, guard.CONTACT):
            unknown.append(name)
    assert not missing_reasons, f"unguarded without a reason in a sentence: {missing_reasons}"
    assert not unknown, f"unknown guard policies: {unknown}"


def test_every_guarded_text_column_is_mapped_so_the_flush_reads_it():
    """The listener reads objects: a guarded column of a table no class maps (an
    association table) would never be read."""
    mapped = {column for mapper in db.Model.registry.mappers
              for attribute in mapper.column_attrs for column in attribute.columns}
    unread = [name for name, column in _text_columns()
              if "unguarded" not in column.info and column not in mapped]
    assert not unread


def test_contact_details_are_allowed_in_service_descriptions_only():
    allowed = {name for name, column in _text_columns()
               if column.info.get("guard") == guard.CONTACT}
    assert allowed == CONTACT_ALLOWED


@pytest.mark.parametrize("name", ["eoi_sections.content", "consortia.name", "consortia.purpose",
                                  "services.name", "decisions.conditions", "decisions.feedback",
                                  "scores.comment", "assessments.interest_details",
                                  "pledges.withdrawal_reason", "lead_interests.notes",
                                  "milestones.title", "payments.description",
                                  "milestones.review_comments", "eoi_attachments.filename",
                                  "quarterly_returns.review_comments", "grants.title",
                                  "funding_rounds.guidance", "users.full_name"])
def test_person_typed_text_is_guarded_strictly(name):
    column = dict(_text_columns())[name]
    assert "unguarded" not in column.info
    assert column.info.get("guard", guard.STRICT) == guard.STRICT


def test_allowing_contact_details_still_finds_dates_of_birth_and_nhs_numbers():
    text = f"Ring {PHONE}, write to info@example.org or visit SE10 9RB; {DATE_OF_BIRTH}"
    assert [f.kind for f in find_personal_data(text)] == ["phone", "email", "postcode",
                                                          "date_of_birth"]
    assert [f.kind for f in find_personal_data(text, allow_contact_details=True)] == [
        "date_of_birth"]
    assert find_personal_data("NHS 943 476 5919", allow_contact_details=True)


# The listener, with no form and no view ------------------------------------------------------

def test_the_flush_refuses_personal_data_written_by_an_operation(world):
    people, _eoi = world
    before = db.session.query(Consortium).count()
    with pytest.raises(PersonalDataRefused) as refused:
        consortia.create_consortium(name="North", purpose=f"Her number is {PHONE}",
                                    by=people["lead"])
        db.session.flush()
    assert refused.value.errors.keys() == {"purpose"}
    assert "Purpose contains what looks like a phone number" in refused.value.message
    assert PHONE not in refused.value.message  # the message never repeats it
    db.session.rollback()
    assert db.session.query(Consortium).count() == before


def test_the_write_path_turns_it_into_errors_beside_every_field(world):
    people, _eoi = world
    outcome = attempt(lambda: consortia.create_consortium(
        name=f"Call {PHONE}", purpose=DATE_OF_BIRTH, by=people["lead"]))
    assert set(outcome.field_errors) == {"name", "purpose"}
    assert "a date of birth" in outcome.field_errors["purpose"]


def test_text_inside_json_is_refused_beside_its_question(world):
    people, eoi = world
    with pytest.raises(PersonalDataRefused) as refused:
        operations.save_section(eoi, "summary", {"title": "Schools work",
                                                 "summary": "Contact jo.bloggs@gmail.com"},
                                mark_complete=False, by=people["member"], expected_version=None)
        db.session.flush()
    assert refused.value.errors.keys() == {"summary"}
    assert refused.value.message.startswith(
        "Summary of the proposal contains what looks like an email address")


def test_a_reason_kept_only_in_the_audit_trail_is_guarded(world):
    people, eoi = world
    with pytest.raises(PersonalDataRefused) as refused:
        record_audit("eoi.reopened", eoi, user=people["manager"], summary="Reopened",
                     changes={"reason": [None, f"Her mother rang on {PHONE}"]})
        db.session.flush()
    assert refused.value.errors.keys() == {"reason"}
    db.session.rollback()
    # The rest of an entry is the service's own, quoting columns guarded where they live.
    record_audit("service.updated", eoi, user=people["manager"], summary="Updated",
                 changes={"description": [None, f"Ring us on {PHONE}"]})
    db.session.flush()


def test_a_service_description_may_hold_the_organisations_phone_number_only(world):
    people, _eoi = world
    provider = db.session.query(Organisation).filter_by(name="St Giles Trust").one()
    service = Service(provider=provider, name="Helpline",
                      description=f"Ring {PHONE} or email help@stgiles.example.org")
    db.session.add(service)
    db.session.flush()
    service.description = f"For a girl {DATE_OF_BIRTH}"
    with pytest.raises(PersonalDataRefused) as refused:
        db.session.flush()
    assert refused.value.errors.keys() == {"description"}
    service.name = f"Helpline {PHONE}"  # a name is read strictly
    service.description = "Helpline"
    with pytest.raises(PersonalDataRefused) as refused:
        db.session.flush()
    assert refused.value.errors.keys() == {"name"}


def test_a_field_name_can_come_from_the_object(world):
    from eoi.assessment.models import Score

    score = Score(assessment_id=1, criterion_id=42, comment=DATE_OF_BIRTH)
    assert guard.problems(score, changed_only=False).keys() == {"comment_42"}


def test_an_unchanged_column_is_not_read_again(world, monkeypatch):
    """A status change on an EOI reads none of its text; a text that changes is read."""
    people, eoi = world
    # Text the guard would refuse, put there behind its back.
    db.session.execute(update(Consortium).where(Consortium.id == eoi.consortium_id)
                       .values(purpose=f"Ring {PHONE}"))
    db.session.expire_all()
    eoi = db.session.get(Eoi, eoi.id)
    read = []
    real = guard.find_personal_data
    monkeypatch.setattr(guard, "find_personal_data",
                        lambda text, **kw: read.append(text) or real(text, **kw))
    consortium = eoi.consortium
    _ = [section.stored_content for section in eoi.sections]  # loaded, unchanged
    eoi.status, eoi.reference = EoiStatus.withdrawn, "CCF-2026-0099"
    consortium.name = "Renamed"
    db.session.flush()
    assert read == ["Renamed"]  # not the purpose, nor any section's answers
    consortium.purpose = f"Ring {PHONE} now"
    with pytest.raises(PersonalDataRefused):
        db.session.flush()


def test_a_borough_loaded_from_reference_data_passes(world):
    assert guard.problems(borough("Greenwich"), changed_only=False) == {}
