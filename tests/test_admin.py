"""Fund managers running accounts, organisations and reference data through the pages."""

import pytest
from sqlalchemy import func, select

from eoi.accounts.models import Role, User
from eoi.accounts.passwords import verify_password
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Outcome,
    Priority,
    PriorityKind,
)
from tests.conftest import csrf_token, post_form, sign_in


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.fund_manager, email="manager@mopac.example", name="Mo Manager")
    sign_in(client, user.email)
    return user


def _org_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_create_a_user(client, manager):
    greenwich = _org_id("Royal Borough of Greenwich")
    response = post_form(client, "/admin/users/new", {
        "email": "New.Officer@Royalgreenwich.gov.uk", "full_name": "New Officer",
        "organisation_id": greenwich, "roles": ["commissioner", "panel_member"],
        "password": "a long initial password",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.officer@royalgreenwich.gov.uk"))
    assert user.roles == {Role.commissioner, Role.panel_member}
    assert user.organisation_id == greenwich
    entry = _audit("user.created")[-1]
    assert entry.user_id == manager.id and entry.subject_id == user.id
    assert entry.changes["roles"] == [None, ["commissioner", "panel_member"]]
    assert "password" not in entry.changes and "password_hash" not in entry.changes


def test_bad_user_input_is_explained_and_changes_nothing(client, manager):
    before = _count(User)
    response = post_form(client, "/admin/users/new", {
        "email": "not-an-email", "full_name": "", "organisation_id": "999999",
        "password": "short",
    })
    assert response.status_code == 200
    page = response.text
    for message in ("Enter an email address in the correct format",
                    "Enter the person&#39;s full name", "Select at least one role",
                    "Password must be between 12 and 200 characters"):
        assert message in page, message
    assert 'class="govuk-error-message"' in page
    assert _count(User) == before


def test_duplicate_email_is_refused_beside_the_field(client, manager, make_user):
    make_user(Role.partner, email="taken@example.org.uk")
    before = _count(User)
    response = post_form(client, "/admin/users/new", {
        "email": "TAKEN@example.org.uk", "full_name": "Someone", "roles": ["partner"],
        "organisation_id": _org_id("St Giles Trust"), "password": "a long initial password",
    })
    assert "An account with this email address already exists" in response.text
    assert _count(User) == before


def test_edit_a_user_records_before_and_after(client, manager, make_user):
    person = make_user(Role.partner, name="Pat Partner")
    bexley = _org_id("London Borough of Bexley")
    response = post_form(client, f"/admin/users/{person.id}", {
        "full_name": "Pat Commissioner", "organisation_id": bexley,
        "roles": ["commissioner"], "version": person.version,
    })
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.full_name == "Pat Commissioner" and person.roles == {Role.commissioner}
    changes = _audit("user.updated")[-1].changes
    assert changes["full_name"] == ["Pat Partner", "Pat Commissioner"]
    assert changes["roles"] == [["partner"], ["commissioner"]]


def test_two_people_editing_a_user_never_overwrite_silently(client, manager, make_user):
    person = make_user(Role.partner, name="Pat Partner")
    opened_version = person.version
    # Someone else saves first.
    person.full_name = "Changed Elsewhere"
    db.session.commit()

    response = post_form(client, f"/admin/users/{person.id}", {
        "full_name": "My Change", "organisation_id": person.organisation_id,
        "roles": ["partner"], "version": opened_version,
    })
    assert response.status_code == 200
    assert "Someone else changed this record while you were editing it" in response.text
    assert "Changed Elsewhere" in response.text  # what is saved now
    assert 'value="My Change"' in response.text  # what they typed, kept
    db.session.refresh(person)
    assert person.full_name == "Changed Elsewhere"


def test_deactivate_and_reactivate(client, manager, make_user):
    person = make_user(Role.partner)
    token = csrf_token(client.get(f"/admin/users/{person.id}").text)
    client.post(f"/admin/users/{person.id}/active", data={"csrf_token": token, "active": "0"})
    db.session.refresh(person)
    assert not person.is_active
    client.post(f"/admin/users/{person.id}/active", data={"csrf_token": token, "active": "1"})
    db.session.refresh(person)
    assert person.is_active
    assert [e.action for e in _audit("user.deactivated") + _audit("user.reactivated")] == [
        "user.deactivated", "user.reactivated"]


def test_a_fund_manager_cannot_deactivate_themselves(client, manager):
    token = csrf_token(client.get(f"/admin/users/{manager.id}").text)
    response = client.post(f"/admin/users/{manager.id}/active",
                           data={"csrf_token": token, "active": "0"}, follow_redirects=True)
    assert "You cannot deactivate your own account" in response.text
    db.session.refresh(manager)
    assert manager.is_active


def test_set_a_new_password(client, manager, make_user):
    person = make_user(Role.partner)
    response = post_form(client, f"/admin/users/{person.id}/password",
                         {"password": "a brand new password"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert verify_password(person.password_hash, "a brand new password")
    assert _audit("user.password_changed")[-1].user_id == manager.id
    # tests/test_sessions.py: it signs the person out everywhere.


def test_user_list_filters(client, manager, make_user):
    make_user(Role.partner, name="Alex Partner")
    make_user(Role.panel_member, name="Blake Panel", active=False)
    page = client.get("/admin/users?role=partner").text
    assert "Alex Partner" in page and "Blake Panel" not in page
    page = client.get("/admin/users?status=deactivated").text
    assert "Blake Panel" in page and "Alex Partner" not in page
    page = client.get("/admin/users?q=alex&status=all").text
    assert "Alex Partner" in page and "Mo Manager" not in page


def test_add_and_edit_an_organisation(client, manager):
    response = post_form(client, "/admin/organisations/new", {
        "name": "Example Youth Charity", "type": "vcs", "org_id": "GB-CHC-1234567",
        "charity_number": "1234567",
    })
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.org_id == "GB-CHC-1234567"))
    assert org.type is OrganisationType.vcs and org.company_number is None
    response = post_form(client, f"/admin/organisations/{org.id}", {
        "name": "Example Youth Charity", "type": "vcs", "org_id": "not an id",
        "version": org.version,
    })
    assert "Enter an organisation identifier in the org-id format" in response.text
    db.session.refresh(org)
    assert org.org_id == "GB-CHC-1234567"
    response = post_form(client, f"/admin/organisations/{org.id}", {
        "name": "Example Youth Charity", "type": "vcs", "org_id": "GB-LAE-BEX",
        "version": org.version,
    })
    assert "Another organisation already has this identifier" in response.text


def test_rename_a_bcu_and_move_a_borough(client, manager):
    bcu = db.session.scalar(select(BasicCommandUnit).where(BasicCommandUnit.name == "South East"))
    response = post_form(client, f"/admin/reference/bcus/{bcu.id}",
                         {"name": "South East London", "version": bcu.version})
    assert response.status_code == 302
    db.session.refresh(bcu)
    assert bcu.name == "South East London"

    bromley = db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == "Bromley"))
    response = post_form(client, f"/admin/reference/local-authorities/{bromley.id}",
                         {"bcu_id": bcu.id, "version": bromley.version})
    assert response.status_code == 302
    db.session.refresh(bromley)
    assert bromley.bcu_id == bcu.id
    assert _audit("localauthority.updated")[-1].changes == {"bcu_id": [
        db.session.scalar(select(BasicCommandUnit.id).where(BasicCommandUnit.name == "South Area")),
        bcu.id]}


def test_priorities_outcomes_and_indicators(client, manager):
    response = post_form(client, "/admin/reference/priorities/new", {
        "kind": "cross_cutting", "title": "County lines", "description": "Harm outside London.",
        "position": "80",
    })
    assert response.status_code == 302
    priority = db.session.scalar(select(Priority).where(Priority.title == "County lines"))
    assert priority.kind is PriorityKind.cross_cutting and priority.code is None

    duplicate = post_form(client, "/admin/reference/priorities/new", {
        "kind": "cross_cutting", "title": "County lines", "description": "Again",
        "position": "90",
    })
    assert "A record with this title already exists" in duplicate.text

    response = post_form(client, "/admin/reference/outcomes/new", {
        "title": "Families feel supported", "description": "Parents and carers are supported.",
        "position": "100",
    })
    outcome = db.session.scalar(select(Outcome).where(Outcome.title == "Families feel supported"))
    assert response.headers["Location"] == f"/admin/reference/outcomes/{outcome.id}"

    response = post_form(client, f"/admin/reference/outcomes/{outcome.id}/indicators/new", {
        "name": "Parents supported", "unit": "parents",
        "definition": "Parents or carers given one-to-one support in the quarter.",
        "position": "10",
    })
    assert response.status_code == 302
    indicator = db.session.scalar(select(Indicator).where(Indicator.name == "Parents supported"))
    assert indicator.outcome_id == outcome.id

    bad = post_form(client, f"/admin/reference/indicators/{indicator.id}", {
        "name": "Parents supported", "unit": "", "definition": "", "position": "-1",
        "version": indicator.version,
    })
    for message in ("Enter the unit", "Enter a definition", "Position must be between 0 and"):
        assert message in bad.text
    db.session.refresh(indicator)
    assert indicator.unit == "parents"

    response = post_form(client, f"/admin/reference/indicators/{indicator.id}", {
        "name": "Parents supported", "unit": "parents or carers",
        "definition": indicator.definition, "position": "10", "is_archived": "y",
        "version": indicator.version,
    })
    db.session.refresh(indicator)
    assert indicator.is_archived and indicator.unit == "parents or carers"
    assert {e.action for e in db.session.scalars(select(AuditEntry))} >= {
        "priority.created", "outcome.created", "indicator.created", "indicator.updated"}


def test_audit_trail_browse_and_filter(client, manager, make_user):
    person = make_user(Role.partner, name="Audited Person")
    post_form(client, f"/admin/users/{person.id}", {
        "full_name": "Audited Person Renamed", "organisation_id": person.organisation_id,
        "roles": ["partner"], "version": person.version,
    })
    page = client.get("/admin/audit").text
    assert '<code class="eoi-action">user.updated</code>' in page
    assert "Audited Person Renamed" in page
    page = client.get(f"/admin/audit?action=user.updated&user_id={manager.id}").text
    assert '<code class="eoi-action">user.updated</code>' in page
    assert '<code class="eoi-action">user.created</code>' not in page
    page = client.get(f"/admin/audit?subject_type=User&subject_id={person.id}").text
    assert "Audited Person" in page and "reference.loaded" not in page
    page = client.get("/admin/audit?action=nothing.like.this").text
    assert "No entries match these filters" in page


@pytest.mark.parametrize("organisation_id", ["", "not-a-number", "999999"])
def test_a_missing_or_crafted_organisation_is_a_field_error(client, manager, organisation_id):
    before = _count(User)
    response = post_form(client, "/admin/users/new", {
        "email": "someone@example.org.uk", "full_name": "Some One", "roles": ["partner"],
        "organisation_id": organisation_id, "password": "a long initial password",
    })
    assert response.status_code == 200
    assert "Select the person&#39;s organisation" in response.text
    assert _count(User) == before


def test_error_summary_follows_the_order_of_the_fields(client, manager):
    page = post_form(client, "/admin/users/new", {}).text
    summary = page[page.index("govuk-error-summary__list"):]
    order = [summary.index(m) for m in ("#email", "#full_name", "#organisation_id", "#roles")]
    assert order == sorted(order)


def test_a_fund_manager_cannot_remove_their_own_fund_manager_role(client, manager):
    response = post_form(client, f"/admin/users/{manager.id}", {
        "full_name": manager.full_name, "organisation_id": manager.organisation_id,
        "roles": ["panel_member"], "version": manager.version,
    })
    assert "You cannot remove your own fund manager role" in response.text
    db.session.refresh(manager)
    assert manager.roles == {Role.fund_manager}
