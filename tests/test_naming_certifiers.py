"""An organisation names its own certifiers: MOPAC names the first, and from then on its
certifiers name and remove the others among its own people; one always stays."""

import pytest
from sqlalchemy import select

from eoi.accounts.models import Role
from eoi.accounts.operations import name_certifier, remove_certifier
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, TransitionRefused
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def barnardos(make_user):
    """Barnardo's finance officer (its certifier), two colleagues, and someone elsewhere."""
    return {
        "certifier": make_user(Role.partner, Role.certifier, organisation="Barnardo's",
                               name="Leila Haddad", email="leila@barnardos.example"),
        "colleague": make_user(Role.partner, organisation="Barnardo's", name="Kofi Boateng",
                               email="kofi@barnardos.example"),
        "left": make_user(Role.partner, organisation="Barnardo's", active=False,
                          email="gone@barnardos.example"),
        "elsewhere": make_user(Role.partner, organisation="St Giles Trust",
                               email="aisha@stgiles.example"),
        "manager": make_user(Role.fund_manager),
    }


def _told(email: str) -> list[str]:
    return list(db.session.scalars(select(Notification.subject).where(
        Notification.email == email, Notification.event == "certifier_changed")))


def test_a_certifier_names_a_colleague_who_is_told(barnardos):
    certifier, colleague = barnardos["certifier"], barnardos["colleague"]
    name_certifier(colleague, by=certifier)
    db.session.commit()
    assert colleague.has_role(Role.certifier) and colleague.has_role(Role.partner)
    assert _told(colleague.email) == ["You are now a certifier of Barnardo's"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "user.certifier_changed"))
    assert entry.summary == "Named Kofi Boateng a certifier of Barnardo's"
    assert entry.user_id == certifier.id


def test_only_a_certifier_names_and_only_its_own_people(barnardos):
    certifier, colleague = barnardos["certifier"], barnardos["colleague"]
    for who in ("colleague", "manager", "elsewhere"):
        with pytest.raises(TransitionRefused, match="Only a certifier of the organisation"):
            name_certifier(certifier, by=barnardos[who])
    for person in (barnardos["elsewhere"], barnardos["left"], None):
        with pytest.raises(FieldRefusal, match="someone with an account at Barnardo's"):
            name_certifier(person, by=certifier)
    with pytest.raises(FieldRefusal, match="is a certifier already"):
        name_certifier(certifier, by=certifier)
    assert not colleague.has_role(Role.certifier)


def test_one_certifier_always_stays(barnardos):
    certifier, colleague = barnardos["certifier"], barnardos["colleague"]
    with pytest.raises(TransitionRefused, match="keeps at least one"):
        remove_certifier(certifier, by=certifier)
    for person in (colleague, barnardos["elsewhere"], None):
        with pytest.raises(TransitionRefused, match="not a certifier of Barnardo's"):
            remove_certifier(person, by=certifier)
    name_certifier(colleague, by=certifier)
    remove_certifier(certifier, by=certifier)  # stepping down, with another named
    db.session.commit()
    assert not certifier.has_role(Role.certifier) and colleague.has_role(Role.certifier)
    assert _told(certifier.email) == ["You are no longer a certifier of Barnardo's"]
    with pytest.raises(TransitionRefused, match="Only a certifier"):
        remove_certifier(colleague, by=certifier)


def test_naming_and_removing_through_the_page(client, barnardos):
    certifier, colleague = barnardos["certifier"], barnardos["colleague"]
    sign_in(client, certifier.email)
    assert "Manage" in client.get("/account").text.split("Certifiers")[1]
    page = client.get("/account/certifiers")
    assert "Certifiers of Barnardo" in page.text
    assert "Leila Haddad (you)" in page.text and "Remove" not in page.text  # the only one
    token = csrf_token(page.text)
    for email, message in (("", "Enter an email address"),
                           ("aisha@stgiles.example", "someone with an account at Barnardo"),
                           ("leila@barnardos.example", "Leila Haddad is a certifier already")):
        response = client.post("/account/certifiers", data={"csrf_token": token,
                                                            "email": email})
        assert response.status_code == 200 and message in response.text, message
    response = client.post("/account/certifiers", data={
        "csrf_token": token, "email": "Kofi@Barnardos.example"}, follow_redirects=True)
    assert "Kofi Boateng is now a certifier." in response.text
    table = response.text.split('id="certifier-table"')[1].split("</table>")[0]
    assert "Kofi Boateng" in table and table.count("as a certifier\">") == 2
    response = client.post(f"/account/certifiers/{colleague.id}/remove",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "Kofi Boateng is no longer a certifier." in response.text
    db.session.expire_all()
    assert not colleague.has_role(Role.certifier)


def test_people_without_the_role_and_mopac_are_refused(app, barnardos, make_user):
    mopac_certifier = make_user(Role.certifier)  # MOPAC has no returns or pledges to sign
    for person in (barnardos["colleague"], barnardos["manager"], mopac_certifier):
        client = app.test_client()
        sign_in(client, person.email)
        assert client.get("/account/certifiers").status_code == 403
        assert "Certifiers" not in client.get("/account").text
