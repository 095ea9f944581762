"""Changes to an agreement: the lead asks to move money between years, with a reason; MOPAC
approves or refuses; another funder's money waits for that funder; an approved change makes
the next version of the agreement, keeps the one before, and has its variation letter."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.grants import operations, variations
from eoi.grants.models import VariationStatus
from eoi.notifications.models import Notification
from eoi.refusals import FieldRefusal, TransitionRefused
from tests.conftest import accept, csrf_token, fund, mopac, post_form, sign_in, sign_out


@pytest.fixture
def two_years(world):
    """The `world` EOI funded, its grant running on to March 2028 (its budget all in the
    first year), with £30,000 of MOPAC's award scheduled to be paid in 2026 to 2027."""
    people, eoi = world
    grant = operations.create_grant(fund(people, eoi), by=people["manager"])
    grant.ends_on = date(2028, 3, 31)
    accept(grant, people["lead"])
    operations.schedule_payment(grant, description="First quarter", amount_pence=30_000_00,
                                scheduled_on=date(2026, 4, 1), milestone=None,
                                by=people["manager"])
    db.session.commit()
    return people, grant


def _move(grant, people, pence: int, *, funder=None, reason="Recruitment was late"):
    return variations.request_variation(
        grant, funder=funder or mopac(), from_year=2026, to_year=2027, amount_pence=pence,
        reason=reason, by=people["lead"], now=clock.now())


def _budget(grant) -> dict[tuple[int, str], int]:
    return {(f.financial_year, f.funder.name): f.amount_pence for f in grant.funding}


def _told(event: str) -> set[str]:
    return {n.email for n in db.session.scalars(
        select(Notification).where(Notification.event == event))}


def test_an_approved_move_makes_version_two_and_keeps_version_one(client, two_years):
    people, grant = two_years
    mopac_name = mopac().name
    before = _budget(grant)
    assert before[(2026, mopac_name)] == 120_000_00 and grant.agreement_version == 1
    variation = _move(grant, people, 50_000_00)
    assert _told("variation_requested") == {people["manager"].email}
    with pytest.raises(TransitionRefused, match="Only a fund manager"):
        variations.decide_variation(variation, approve=True, comments="", by=people["lead"],
                                    now=clock.now())
    variations.decide_variation(variation, approve=True, comments="", by=people["manager"],
                                now=clock.now())
    db.session.commit()
    assert variation.status is VariationStatus.approved and variation.made_version == 2
    assert grant.agreement_version == 2
    after = _budget(grant)
    assert (after[(2026, mopac_name)], after[(2027, mopac_name)]) == (70_000_00, 50_000_00)
    assert grant.award_pence == 120_000_00  # the award is the same; its years moved
    assert [v.number for v in grant.versions] == [1, 2]
    first, second = grant.versions
    assert [2026, mopac().id, 120_000_00] in first.funding
    assert [2027, mopac().id, 50_000_00] in second.funding and second.variation is variation
    assert {people["lead"].email, people["partner"].email} <= _told("variation_decided")
    assert db.session.scalar(select(AuditEntry.summary).where(
        AuditEntry.action == "variation.approved")).endswith("The agreement is now version 2")

    sign_in(client, people["partner"].email)
    page = client.get(f"/grants/{grant.id}").text
    assert "Version 2 (1 change approved)" in page and "Approved, version 2" in page
    letter = client.get(f"/grants/variations/{variation.id}/letter.pdf")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(letter.data)).pages)
    for expected in ("Variation letter", grant.reference, "2 (replacing version 1)",
                     "Recruitment was late", "£70,000", "£50,000", "The award from MOPAC "
                     "remains £120,000"):
        assert expected in text, expected


def test_a_change_never_leaves_payments_above_the_new_budget(two_years):
    people, grant = two_years
    # £30,000 is scheduled in 2026 to 2027: at most £90,000 of its £120,000 can move.
    with pytest.raises(FieldRefusal, match=(
            "Payments of £30,000 are scheduled in 2026 to 2027, more than the £29,999.99")):
        _move(grant, people, 90_000_01)
    with pytest.raises(FieldRefusal, match="has £120,000 in 2026 to 2027: no more can move"):
        _move(grant, people, 120_000_01)
    variation = _move(grant, people, 90_000_00)
    # Payments scheduled after the change was asked for are checked at approval.
    operations.schedule_payment(grant, description="Second quarter", amount_pence=1_00,
                                scheduled_on=date(2026, 7, 1), milestone=None,
                                by=people["manager"])
    with pytest.raises(TransitionRefused, match="The change no longer fits: payments of "
                       "£30,001"):
        variations.decide_variation(variation, approve=True, comments="",
                                    by=people["manager"], now=clock.now())
    db.session.rollback()
    assert grant.agreement_version == 1


def test_a_refusal_says_why_and_changes_nothing(two_years):
    people, grant = two_years
    variation = _move(grant, people, 10_000_00)
    with pytest.raises(FieldRefusal, match="Say why the change is refused"):
        variations.decide_variation(variation, approve=False, comments=" ",
                                    by=people["manager"], now=clock.now())
    variations.decide_variation(variation, approve=False, comments="Spend it this year",
                                by=people["manager"], now=clock.now())
    assert variation.status is VariationStatus.refused and grant.agreement_version == 1
    assert _budget(grant)[(2026, mopac().name)] == 120_000_00


def test_only_the_lead_asks_and_only_with_a_reason_and_real_years(two_years):
    people, grant = two_years
    for who in ("partner", "member", "manager"):
        with pytest.raises(TransitionRefused, match="Only the lead commissioner"):
            variations.request_variation(grant, funder=mopac(), from_year=2026, to_year=2027,
                                         amount_pence=1_00, reason="x", by=people[who],
                                         now=clock.now())
    with pytest.raises(FieldRefusal, match="Say why"):
        _move(grant, people, 1_00, reason=" ")
    with pytest.raises(FieldRefusal, match="another year"):
        variations.request_variation(grant, funder=mopac(), from_year=2026, to_year=2030,
                                     amount_pence=1_00, reason="x", by=people["lead"],
                                     now=clock.now())


def test_a_change_to_a_boroughs_money_waits_for_the_borough(two_years):
    people, grant = two_years
    bexley = people["member"].organisation
    variation = _move(grant, people, 20_000_00, funder=bexley)
    variations.decide_variation(variation, approve=True, comments="", by=people["manager"],
                                now=clock.now())
    assert variation.status is VariationStatus.awaiting_funder and grant.agreement_version == 1
    assert people["member"].email in _told("variation_to_confirm")
    for who in ("lead", "manager", "partner"):
        with pytest.raises(TransitionRefused, match="funder's own people"):
            variations.confirm_variation(variation, by=people[who], now=clock.now())
    variations.confirm_variation(variation, by=people["member"], now=clock.now())
    assert variation.status is VariationStatus.approved and grant.agreement_version == 2
    after = _budget(grant)
    assert (after[(2026, bexley.name)], after[(2027, bexley.name)]) == (30_000_00, 20_000_00)


def test_asking_and_deciding_through_the_pages(client, two_years):
    people, grant = two_years
    sign_in(client, people["lead"].email)
    url = f"/grants/{grant.id}/variations/new"
    response = post_form(client, url, {"funder_id": str(mopac().id), "from_year": "2026",
                                       "to_year": "2026", "amount": "", "reason": ""})
    for message in ("Enter the amount to move", "Say why the change is needed"):
        assert message in response.text, message
    response = post_form(client, url, {"funder_id": str(mopac().id), "from_year": "2026",
                                       "to_year": "2026", "amount": "5,000", "reason": "Late"})
    assert "Choose another year of the grant to move it to" in response.text
    response = post_form(client, url, {"funder_id": str(mopac().id), "from_year": "2026",
                                       "to_year": "2027", "amount": "5,000",
                                       "reason": "Recruitment was late"},
                         follow_redirects=True)
    assert "Change asked for." in response.text
    variation = grant.variations[0]
    sign_out(client)

    sign_in(client, people["manager"].email)
    page = client.get(f"/grants/variations/{variation.id}")
    assert "Decide the change" in page.text
    response = client.post(f"/grants/variations/{variation.id}/decide", data={
        "csrf_token": csrf_token(page.text), "version": variation.version,
        "outcome": "refuse", "comments": ""})
    assert "Say why the change is refused" in response.text
    response = client.post(f"/grants/variations/{variation.id}/decide", data={
        "csrf_token": csrf_token(page.text), "version": variation.version,
        "outcome": "approve", "comments": ""}, follow_redirects=True)
    assert "Change approved. The agreement is now version 2." in response.text
    assert "Download the variation letter (PDF)" in response.text


def test_an_extension_runs_the_grant_on_with_returns_for_its_new_quarters(client, granted):
    people, grant = granted
    manager, lead = people["manager"], people["lead"]
    assert grant.ends_on == date(2027, 3, 31) and len(grant.returns) == 4
    for day, message in ((date(2027, 3, 31), "must be after the grant's end now"),
                         (date(2027, 8, 15), "the last day of a quarter"),
                         (date(2031, 3, 31), "at most three years")):
        with pytest.raises(FieldRefusal, match=message):
            variations.request_extension(grant, new_ends_on=day, reason="x", by=lead,
                                         now=clock.now())
    operations.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                             due_on=date(2026, 6, 30), by=manager)
    variation = variations.request_extension(grant, new_ends_on=date(2027, 9, 30),
                                             reason="The schools asked for the summer term",
                                             by=lead, now=clock.now())
    assert not variation.needs_funder
    variations.decide_variation(variation, approve=True, comments="", by=manager,
                                now=clock.now())
    db.session.commit()
    assert grant.ends_on == date(2027, 9, 30) and grant.agreement_version == 2
    assert [r.period.short_label for r in grant.returns][-2:] == ["Q1 2027-28", "Q2 2027-28"]
    assert [v.ends_on for v in grant.versions] == [date(2027, 3, 31), date(2027, 9, 30)]
    # Each version keeps its milestones and its reporting dates.
    first, second = grant.versions
    assert first.milestones == second.milestones == [["Workers in post", "2026-06-30"]]
    assert (len(first.return_schedule), len(second.return_schedule)) == (4, 6)
    assert second.return_schedule[-1][:2] == [2027, 2]
    sign_in(client, people["partner"].email)
    letter = client.get(f"/grants/variations/{variation.id}/letter.pdf")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "is varied: extend the end date to 30 September 2027" in text
    assert "to 30 September 2027, delivered by St Giles Trust" in text
    assert "Workers in post 30 June 2026" in text and "Its reporting dates" in text
    assert "Q2 2027-28" in text


def test_a_partner_is_added_or_removed_by_an_approved_change(granted, make_user):
    from eoi.grants.models import PartnerChange
    from eoi.reference.models import Organisation, OrganisationType

    people, grant = granted
    manager, lead = people["manager"], people["lead"]
    abianda = Organisation(name="Abianda", type=OrganisationType.vcs)
    db.session.add(abianda)
    worker = make_user(Role.partner, organisation="Abianda")
    st_giles = people["partner"].organisation
    assert not grant.can_view(worker)
    with pytest.raises(FieldRefusal, match="not already a delivery partner"):
        variations.request_partner_change(grant, partner=st_giles, change=PartnerChange.add,
                                          reason="x", by=lead, now=clock.now())
    with pytest.raises(FieldRefusal, match="one of the grant's delivery partners"):
        variations.request_partner_change(grant, partner=abianda,
                                          change=PartnerChange.remove, reason="x", by=lead,
                                          now=clock.now())
    added = variations.request_partner_change(grant, partner=abianda,
                                              change=PartnerChange.add,
                                              reason="Abianda runs the girls' groups",
                                              by=lead, now=clock.now())
    assert added.summary == "Add Abianda as a delivery partner"
    variations.decide_variation(added, approve=True, comments="", by=manager, now=clock.now())
    db.session.flush()
    assert {p.organisation.name for p in grant.partners} == {"St Giles Trust", "Abianda"}
    assert grant.can_view(worker) and grant.can_report(worker)
    removed = variations.request_partner_change(grant, partner=st_giles,
                                                change=PartnerChange.remove,
                                                reason="St Giles Trust hands over",
                                                by=lead, now=clock.now())
    variations.decide_variation(removed, approve=True, comments="", by=manager,
                                now=clock.now())
    db.session.flush()
    assert [p.organisation.name for p in grant.partners] == ["Abianda"]
    assert not grant.can_report(people["partner"]) and grant.agreement_version == 3
    assert [sorted(v.partners) for v in grant.versions] == [
        [st_giles.id], sorted([st_giles.id, abianda.id]), [abianda.id]]


def test_each_kind_of_change_has_its_page(client, granted):
    people, grant = granted
    sign_in(client, people["lead"].email)
    base = f"/grants/{grant.id}/variations/new"
    page = client.get(base).text
    assert "Move money between years</h1>" in page and "extend the end date" in page
    response = post_form(client, f"{base}?kind=extend_end_date",
                         {"new_ends_on": ["15", "8", "2027"], "reason": "Summer"})
    assert "the last day of a quarter" in response.text
    response = post_form(client, f"{base}?kind=change_partner", {"reason": "x"})
    assert "Select whether to add or remove a partner" in response.text
    assert "Choose the organisation" in response.text
    response = post_form(client, f"{base}?kind=extend_end_date",
                         {"new_ends_on": ["30", "6", "2027"], "reason": "Summer"},
                         follow_redirects=True)
    assert "Change asked for." in response.text
    assert "Extend the end date to 30 June 2027" in response.text


def test_a_target_changed_is_the_new_target_with_the_old_one_kept(client, granted):
    people, grant = granted
    lead = people["lead"]
    indicator = grant.indicators[0]
    before = indicator.target_for(2026)
    with pytest.raises(FieldRefusal, match="That is the target already"):
        variations.request_target_change(grant, grant_indicator=indicator, year=2026,
                                         new_target=before, reason="x", by=lead,
                                         now=clock.now())
    with pytest.raises(FieldRefusal, match="from 0 to 100,000"):
        variations.request_target_change(grant, grant_indicator=indicator, year=2026,
                                         new_target=-1, reason="x", by=lead, now=clock.now())
    variation = variations.request_target_change(
        grant, grant_indicator=indicator, year=2026, new_target=before + 15,
        reason="Two more schools joined", by=lead, now=clock.now())
    assert variation.summary == (f"Change the 2026 to 2027 target for "
                                 f"{indicator.indicator.name} to {before + 15}")
    variations.decide_variation(variation, approve=True, comments="", by=people["manager"],
                                now=clock.now())
    db.session.commit()
    assert indicator.target_for(2026) == before + 15
    first, second = grant.versions
    key = str(indicator.indicator_id)
    assert (first.targets[key]["2026"], second.targets[key]["2026"]) == (before, before + 15)
    sign_in(client, lead.email)
    page = client.get(f"/grants/{grant.id}/variations/new?kind=change_target").text
    assert "Change a target</h1>" in page and "The targets now (version 2)" in page
