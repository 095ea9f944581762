"""Expressions of interest: state machine, completeness, budget rules, the deadline,
concurrent edits, and access person by person."""

import re
from datetime import timedelta

import pytest

from eoi import clock
from eoi.eois import operations
from eoi.eois.budget import Line, Rules, reconcile
from eoi.eois.models import CostCategory, EoiStatus
from eoi.extensions import db
from eoi.refusals import TransitionRefused
from tests.conftest import (
    ask_route,
    complete_everything,
    csrf_token,
    mopac,
    post_form,
    sign_in,
)
from tests.test_authorisation import ACCESS, PER_RECORD

RULES = Rules(first_year=2026, last_year=2027, envelope_pence=1_000_000_00, min_match_percent=25)


def test_reconcile_a_sound_budget():
    result = reconcile([Line(2026, "MOPAC", True, 75_00), Line(2026, "Bexley", False, 25_00)],
                       {("Bexley", 2026): 25_00}, RULES)
    assert result.holds and result.mopac_request == 75_00 and result.match_percent_label == "25.0%"


@pytest.mark.parametrize("lines,confirmed,problem", [
    ([], {}, "no lines yet"),
    ([Line(2026, "Bexley", False, 10_00)], {("Bexley", 2026): 10_00}, "asks MOPAC for nothing"),
    ([Line(2026, "MOPAC", True, 2_000_000_00)], {}, "more than the round's whole envelope"),
    ([Line(2025, "MOPAC", True, 10_00)], {}, "the budget has lines for 2025"),
    ([Line(2026, "MOPAC", True, 75_00), Line(2026, "Bexley", False, 25_00)],
     {("Bexley", 2026): 20_00}, "Bexley is down for 2500 in 2026, but has confirmed only 2000"),
    ([Line(2026, "MOPAC", True, 80_00), Line(2026, "Bexley", False, 20_00)],
     {("Bexley", 2026): 20_00}, "Match funding is 20.0% of the total"),
])
def test_reconcile_explains_each_broken_rule(lines, confirmed, problem):
    result = reconcile(lines, confirmed, RULES)
    assert not result.holds
    assert any(problem in p for p in result.problems), result.problems


def test_a_funder_budgeted_beyond_its_confirmed_pledges_is_told_of_the_pledge_waiting():
    """A proposed pledge is not money yet: the problem says nothing is confirmed, and that
    the proposal is waiting for the funder, rather than 'confirmed only £0'."""
    lines = [Line(2026, "MOPAC", True, 75_00), Line(2026, "Bexley", False, 40_00)]
    result = reconcile(lines, {}, RULES, proposed={("Bexley", 2026): 40_00})
    assert result.beyond_pledges
    assert ("Bexley is down for 4000 in 2026, but has confirmed nothing to the consortium "
            "for that year; a pledge of 4000 is waiting for Bexley to confirm it"
            ) in result.problems
    assert not reconcile([Line(2026, "MOPAC", True, 75_00)], {}, RULES).beyond_pledges


@pytest.mark.parametrize("current,new,allowed", [
    (EoiStatus.draft, EoiStatus.submitted, True),
    (EoiStatus.submitted, EoiStatus.withdrawn, True),
    (EoiStatus.submitted, EoiStatus.draft, True),
    (EoiStatus.withdrawn, EoiStatus.draft, True),
    (EoiStatus.draft, EoiStatus.withdrawn, False),
    (EoiStatus.withdrawn, EoiStatus.submitted, False),
])
def test_eoi_state_machine(current, new, allowed):
    if allowed:
        operations.EOI.check(current, new)
    else:
        with pytest.raises(TransitionRefused):
            operations.EOI.check(current, new)


def test_a_section_is_complete_only_when_valid(world):
    people, eoi = world
    with pytest.raises(operations.SectionIncomplete) as caught:
        operations.save_section(eoi, "need", {"quantitative": "Figures"}, mark_complete=True,
                                by=people["member"], expected_version=None)
    assert set(caught.value.problems) == {"qualitative", "contextual", "data_sources"}
    section = operations.save_section(eoi, "need", {"quantitative": "Figures"},
                                      mark_complete=False, by=people["member"],
                                      expected_version=None)
    assert operations.task_status(section) == "In progress"
    assert operations.task_status(eoi.section("summary")) == "Not started"


def test_the_lead_submits_when_everything_holds_and_the_round_is_open(world):
    people, eoi = world
    problems = operations.submission_problems(eoi, clock.now())
    assert any("These sections are not complete" in p for p in problems)
    complete_everything(eoi, people["member"])
    assert operations.submission_problems(eoi, clock.now()) == []
    with pytest.raises(TransitionRefused, match="Only the lead"):
        operations.submit_eoi(eoi, by=people["member"], now=clock.now())
    closes = eoi.funding_round.closes_at
    with pytest.raises(TransitionRefused, match="not taking submissions"):
        operations.submit_eoi(eoi, by=people["lead"], now=closes)
    operations.submit_eoi(eoi, by=people["lead"], now=closes - timedelta(seconds=1))
    db.session.commit()
    assert eoi.status is EoiStatus.submitted
    assert eoi.reference.startswith("CCF-") and len(eoi.reference) == 13
    assert not eoi.can_edit(people["lead"])


def test_an_ineligible_consortium_is_told_why(world):
    people, eoi = world
    complete_everything(eoi, people["member"])
    eoi.funding_round.min_member_boroughs = 3
    assert "The round needs at least 3 member boroughs; the consortium has 2" in (
        operations.submission_problems(eoi, clock.now()))


def test_withdraw_before_the_close_and_reopen_with_a_reason(world):
    people, eoi = world
    complete_everything(eoi, people["member"])
    operations.submit_eoi(eoi, by=people["lead"], now=clock.now())
    operations.withdraw_eoi(eoi, by=people["lead"], now=clock.now())
    assert eoi.status is EoiStatus.withdrawn
    with pytest.raises(Exception, match="Enter why"):
        operations.reopen_eoi(eoi, reason=" ", by=people["manager"])
    operations.reopen_eoi(eoi, reason="Budget error", by=people["manager"])
    reference = eoi.reference
    operations.submit_eoi(eoi, by=people["lead"], now=clock.now())
    assert eoi.reference == reference  # the reference is kept for good


def hidden_fields(html_text: str) -> dict[str, list[str]]:
    """The hidden inputs of a page, as a browser would post them."""
    import html

    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                  html_text):
        found.setdefault(name, []).append(html.unescape(value))
    return found


def test_two_people_saving_one_section_see_a_conflict(client, world):
    people, eoi = world
    version = eoi.section("summary").version
    operations.save_section(eoi, "summary", {"title": "Theirs", "summary": "Theirs"},
                            mark_complete=False, by=people["lead"], expected_version=version)
    db.session.commit()
    sign_in(client, people["member"].email)
    page = client.get(f"/eois/{eoi.id}/sections/summary")
    response = client.post(f"/eois/{eoi.id}/sections/summary", data={
        "csrf_token": csrf_token(page.text), "title": "Mine", "summary": "Mine",
        "complete": "no", "version": version})
    assert response.status_code == 409
    assert "Someone else saved this section" in response.text
    assert "Theirs" in response.text and "Mine" in response.text
    db.session.refresh(eoi.section("summary"))
    assert eoi.section("summary").content["title"] == "Theirs"  # nothing lost
    # Keeping their own version posts it again, field by field, with the version now saved.
    kept = hidden_fields(response.text)
    assert kept["title"] == ["Mine"] and kept["version"] == [str(version + 1)]
    client.post(f"/eois/{eoi.id}/sections/summary/resolve",
                data={**kept, "choice": "mine"})
    db.session.refresh(eoi.section("summary"))
    assert eoi.section("summary").content["title"] == "Mine"
    assert not eoi.section("summary").is_complete  # theirs to check, then complete


def test_sections_through_the_page_with_field_errors(client, world):
    people, eoi = world
    sign_in(client, people["member"].email)
    response = post_form(client, f"/eois/{eoi.id}/sections/summary", {
        "title": "A title", "summary": "", "complete": "yes",
        "version": eoi.section("summary").version})
    assert "Enter summary of the proposal" in response.text
    response = post_form(client, f"/eois/{eoi.id}/sections/summary", {
        "title": "A title", "summary": "", "complete": "no",
        "version": eoi.section("summary").version})
    assert response.status_code == 302


def test_a_section_added_to_the_questions_after_the_eoi_began(client, world):
    """An EOI has a row for each section the questions had when it began. A section added
    since reads as not started, opens and saves from its page, and holds up submission
    (each of these broke on the missing row, and the EOI could be submitted without it)."""
    people, eoi = world
    complete_everything(eoi, people["member"])
    eoi.sections.remove(next(s for s in eoi.sections if s.key == "need"))
    db.session.commit()
    eoi_id = eoi.id
    db.session.expire_all()
    problems = operations.submission_problems(eoi, clock.now())
    assert "These sections are not complete: Need and evidence" in problems
    db.session.rollback()
    sign_in(client, people["member"].email)
    for url in (f"/eois/{eoi_id}", f"/eois/{eoi_id}/read", f"/eois/{eoi_id}/pdf"):
        assert client.get(url).status_code == 200, url
        db.session.rollback()  # as in production, where each request has its own session
    page = client.get(f"/eois/{eoi_id}/sections/need")
    assert page.status_code == 200
    assert 'name="version" type="hidden" value=""' in page.text  # no version stored yet
    db.session.rollback()
    response = client.post(f"/eois/{eoi_id}/sections/need", data={
        "quantitative": "Figures", "qualitative": "Views", "contextual": "Schools",
        "data_sources": "Police data", "complete": "yes", "version": "",
        "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    db.session.expire_all()
    assert eoi.section("need").is_complete and eoi.section("need").version == 1
    assert operations.submission_problems(eoi, clock.now()) == []


# Access, person by person ---------------------------------------------------------------

EOI_RULES = [  # endpoint, method, who may (on a draft EOI)
    ("eois.index", "GET", {"lead", "member", "outsider", "manager", "panel", "partner"}),
    ("eois.show", "GET", {"lead", "member", "manager"}),
    ("eois.read", "GET", {"lead", "member", "manager"}),
    ("eois.pdf", "GET", {"lead", "member", "manager"}),
    ("eois.attachment_download", "GET", {"lead", "member", "manager"}),
    ("eois.section", "GET", {"lead", "member"}),
    ("eois.submit", "GET", {"lead"}),
    ("eois.editors", "GET", {"lead"}),
    ("eois.reopen", "GET", set()),  # a draft cannot be reopened
    ("eois.submitted", "GET", {"lead", "member", "manager"}),  # redirects to the EOI
    ("eois.start", "POST", {"lead", "member"}),
    ("eois.resolve", "POST", {"lead", "member"}),
    ("eois.budget_line_add", "POST", {"lead", "member"}),
    ("eois.budget_line_remove", "POST", {"lead", "member"}),
    ("eois.attachment_add", "POST", {"lead", "member"}),
    ("eois.attachment_remove", "POST", {"lead", "member"}),
    ("eois.withdraw", "POST", set()),  # a draft cannot be withdrawn
]


def test_every_eoi_route_has_a_rule():
    assert {e for e, _m, _w in EOI_RULES} == {
        e for e, rule in ACCESS.items() if rule == PER_RECORD and e.startswith("eois.")}


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner"])
def test_eoi_routes(app, client, world, who):
    people, eoi = world
    line = operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.other,
                                      funder=mopac(), amount_pence=1_00, by=people["lead"])
    attachment = operations.attach_file(eoi, "evidence.csv", b"borough,count\nBexley,12\n",
                                        by=people["lead"])
    db.session.commit()
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    failures = []
    args = {"eoi_id": eoi.id, "key": "summary", "line_id": line.id,
            "attachment_id": attachment.id}
    for endpoint, method, allowed in EOI_RULES:
        url, status = ask_route(
            app, client, endpoint, method, args, signed_in=user is not None,
            form={"consortium_id": eoi.consortium_id, "round_id": eoi.round_id})
        if method == "GET":
            ok = 302 if endpoint == "eois.submitted" else 200
            expected = 302 if user is None else (ok if who in allowed else 403)
        else:
            expected = 302 if user is None or who in allowed else 403
            if who in allowed and status == 200:  # an empty form shown again with its errors
                expected = 200
        if status != expected:
            failures.append(f"{method} {url}: {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_the_budget_page_links_a_pledge_short_of_the_budget_to_where_it_is_confirmed(
        client, world):
    """Bexley's confirmed £50,000 and a proposed £40,000 more, budgeted at £90,000: the page
    says the £40,000 waits on Bexley, and links to the consortium's pledges."""
    from eoi.consortia import operations as consortia
    from eoi.consortia.models import PledgeKind
    from tests.conftest import borough, mopac, sign_in

    people, eoi = world
    consortia.record_pledge(eoi.consortium, funder=people["member"].organisation,
                            financial_year=2026, amount_pence=40_000_00, kind=PledgeKind.cash,
                            by=people["lead"])
    for funder, amount in ((mopac(), 150_000_00), (borough("Bexley").organisation, 90_000_00)):
        operations.add_budget_line(eoi, financial_year=2026, category=CostCategory.delivery,
                                   funder=funder, amount_pence=amount, by=people["lead"])
    db.session.commit()
    sign_in(client, people["lead"].email)
    page = client.get(f"/eois/{eoi.id}/sections/budget").text
    assert "a pledge of £40,000 is waiting for London Borough of Bexley to confirm it" in page
    assert (f'<a class="govuk-link" href="/consortia/{eoi.consortium_id}#pledges">the '
            f'consortium&#39;s page</a>') in page
