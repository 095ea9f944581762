"""The fund managers' lists at size: users fifty a page with their filters kept from page to
page, a search that takes what is typed literally, and the audit trail on the same pages."""

import re

import pytest
from sqlalchemy import insert, select

from eoi.accounts.models import Role, User, UserRole
from eoi.admin.lists import MAX_SEARCH
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.reference.models import Organisation, OrganisationType
from tests.conftest import sign_in

BULK = 120  # more than two pages of fifty


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.fund_manager, email="manager@mopac.example", name="Mo Manager")
    sign_in(client, user.email)
    return user


def _organisation(name: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, type=OrganisationType.vcs)
        db.session.add(found)
        db.session.flush()
    return found


def _bulk_users(names: list[str], organisation: Organisation, role: Role = Role.partner,
                *, active: bool = True) -> None:
    """Accounts inserted in two statements: no password hashing, no audit, as cheap as a
    list of names allows (nobody signs in as them)."""
    start = db.session.scalar(select(db.func.coalesce(db.func.max(User.id), 0))) + 1
    db.session.execute(insert(User), [
        dict(id=start + n, email=f"bulk{start + n}@example.org.uk", full_name=name,
             organisation_id=organisation.id, password_hash="!", is_active=active, version=1)
        for n, name in enumerate(names)])
    db.session.execute(insert(UserRole), [dict(user_id=start + n, role=role)
                                          for n in range(len(names))])
    db.session.commit()


def _names(page: str) -> list[str]:
    """The names listed, in order: each is a link to the account."""
    return re.findall(r'href="/admin/users/\d+">([^<]+)</a>', page)


@pytest.fixture
def crowd(manager):
    st_giles = _organisation("St Giles Trust")
    _bulk_users([f"Bulk person {n:03d}" for n in range(BULK)], st_giles)
    return st_giles


def test_users_come_fifty_a_page_in_name_order(client, crowd):
    arguments = f"organisation={crowd.id}&role=partner"
    first = client.get(f"/admin/users?{arguments}").text
    assert _names(first) == [f"Bulk person {n:03d}" for n in range(50)]
    assert f"Showing 1 to 50 of {BULK} users" in first
    last = client.get(f"/admin/users?{arguments}&page=3").text
    assert _names(last) == [f"Bulk person {n:03d}" for n in range(100, BULK)]
    assert f"Showing 101 to {BULK} of {BULK} users" in last


def test_page_links_keep_the_filters(client, crowd):
    page = client.get(f"/admin/users?organisation={crowd.id}&role=partner&status=all&q=bulk")
    links = set(re.findall(r'href="(/admin/users\?[^"]*page=[^"]*)"', page.text))
    assert links, "a list of 120 has links to its other pages"
    for link in links:
        link = link.replace("&amp;", "&")
        for kept in (f"organisation={crowd.id}", "role=partner", "status=all", "q=bulk"):
            assert kept in link, link
    followed = client.get(sorted(links)[0].replace("&amp;", "&")).text
    assert all(name.startswith("Bulk person") for name in _names(followed))


def test_a_page_past_the_end_shows_the_last(client, crowd):
    page = client.get(f"/admin/users?organisation={crowd.id}&page=99").text
    assert _names(page)[-1] == f"Bulk person {BULK - 1:03d}"
    assert f"Showing 101 to {BULK} of {BULK} users" in page


@pytest.mark.parametrize("bogus", ["abc", "-1", "0", "1.5", "%00", "9" * 40, "²"])
def test_a_bogus_page_shows_the_first(client, crowd, bogus):
    response = client.get(f"/admin/users?organisation={crowd.id}&page={bogus}")
    assert response.status_code == 200
    assert _names(response.text)[0] == "Bulk person 000"


def test_the_filters_narrow_the_list(client, manager):
    st_giles, barnardos = _organisation("St Giles Trust"), _organisation("Barnardo's")
    _bulk_users(["Active Giles"], st_giles)
    _bulk_users(["Gone Giles"], st_giles, active=False)
    _bulk_users(["Panel Barnardo"], barnardos, Role.panel_member)
    assert _names(client.get(f"/admin/users?organisation={st_giles.id}").text) == [
        "Active Giles"]
    assert _names(client.get(f"/admin/users?organisation={st_giles.id}&status=all").text) == [
        "Active Giles", "Gone Giles"]
    assert _names(client.get("/admin/users?status=deactivated").text) == ["Gone Giles"]
    assert _names(client.get("/admin/users?role=panel_member").text) == ["Panel Barnardo"]
    # A value not on offer (an edited address) is no filter, not an error.
    everyone = _names(client.get("/admin/users?role=emperor&organisation=x").text)
    assert {"Active Giles", "Panel Barnardo", "Mo Manager"} <= set(everyone)


def test_the_search_takes_percent_and_underscore_literally(client, manager):
    st_giles = _organisation("St Giles Trust")
    _bulk_users(["Score 100% Sure", "Score 1000 Sure", "Anna_Bell Smith", "AnnaXBell Smith"],
                st_giles)
    assert _names(client.get("/admin/users?q=100%25").text) == ["Score 100% Sure"]
    assert _names(client.get("/admin/users?q=anna_bell").text) == ["Anna_Bell Smith"]
    assert _names(client.get("/admin/users?q=%25").text) == ["Score 100% Sure"]
    assert _names(client.get("/admin/users?q=_").text) == ["Anna_Bell Smith"]


def test_the_search_finds_names_and_emails_ignoring_case(client, manager, make_user):
    make_user(Role.partner, name="Priya Shah", email="p.shah@stgiles.example")
    make_user(Role.partner, name="Tom Reed", email="t.reed@barnardos.example")
    assert _names(client.get("/admin/users?q=PRIYA").text) == ["Priya Shah"]
    assert _names(client.get("/admin/users?q=barnardos.example").text) == ["Tom Reed"]
    assert _names(client.get("/admin/users?q=nobody+at+all").text) == []


def test_a_long_search_is_cut_to_its_bound(client, manager):
    st_giles = _organisation("St Giles Trust")
    long_name = "x" * MAX_SEARCH
    _bulk_users([long_name], st_giles)
    # Past the bound the rest is dropped, so what is left still finds the name.
    response = client.get(f"/admin/users?q={long_name}{'y' * 5000}")
    assert response.status_code == 200
    assert _names(response.text) == [long_name]
    assert f'value="{long_name}"' in response.text


def test_the_audit_trail_pages_keep_its_filters(client, manager):
    db.session.execute(insert(AuditEntry), [
        dict(action="bulk.tested", subject_type="User", subject_id=manager.id,
             subject_label="Mo Manager", summary=f"Entry {n}", user_id=manager.id)
        for n in range(70)])
    db.session.commit()
    page = client.get(f"/admin/audit?action=bulk.&user_id={manager.id}").text
    assert "Showing 1 to 50 of 70 entries" in page
    links = {link.replace("&amp;", "&")
             for link in re.findall(r'href="(/admin/audit\?[^"]*page=2[^"]*)"', page)}
    assert links
    for link in links:
        assert "action=bulk." in link and f"user_id={manager.id}" in link
    second = client.get(sorted(links)[0]).text
    assert "Showing 51 to 70 of 70 entries" in second
    assert '<code class="eoi-action">user.created</code>' not in second
