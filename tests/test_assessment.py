"""Panel assessment: assignments, conflicts, blind scoring, moderation, ranking against
eoi.scoring, decisions, publishing, the PDFs, and every route person by person."""

import io
from datetime import timedelta
from fractions import Fraction

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eoi import clock
from eoi.accounts.models import Role
from eoi.assessment import operations as panel
from eoi.assessment.models import AssessmentStatus, DecisionOutcome
from eoi.audit.models import AuditEntry
from eoi.consortia import operations as consortia
from eoi.consortia.models import PartnerRole, PledgeKind, PledgeStatus
from eoi.eois import operations as eois
from eoi.extensions import db
from eoi.reference.models import Organisation
from eoi.refusals import FieldRefusal, StaleEdit, TransitionRefused
from eoi.rounds import operations as rounds
from eoi.rounds.models import RoundStatus
from eoi.scoring import Bid, allocate, rank, summarise
from tests.conftest import (
    ask_route,
    borough,
    complete_everything,
    csrf_token,
    mopac,
    sign_in,
    sign_out,
)
from tests.documents import prepared_pdf
from tests.test_authorisation import ACCESS, PER_RECORD


def _second_bid(make_user, funding_round, *, mopac_pence: int):
    """Another consortium's submitted EOI in the same round (Croydon with Sutton)."""
    lead = make_user(Role.commissioner, borough="Croydon")
    member = make_user(Role.commissioner, borough="Sutton")
    consortium = consortia.create_consortium(name="South", purpose="x", by=lead)
    membership = consortia.invite_borough(consortium, borough("Sutton"), by=lead)
    consortia.respond_to_invitation(membership, accept=True, by=member)
    pledge = consortia.record_pledge(consortium, funder=member.organisation,
                                     financial_year=2026, amount_pence=mopac_pence,
                                     kind=PledgeKind.cash, by=member)
    consortia.change_pledge_status(pledge, PledgeStatus.confirmed, by=member)
    eoi = eois.start_eoi(consortium, funding_round, by=lead)
    eois.add_budget_line(eoi, financial_year=2026, category=eois.CostCategory.staff,
                         funder=mopac(), amount_pence=mopac_pence, by=lead)
    eois.add_budget_line(eoi, financial_year=2026, category=eois.CostCategory.delivery,
                         funder=member.organisation, amount_pence=mopac_pence, by=lead)
    complete_everything(eoi, lead, with_budget=False)
    return eoi


@pytest.fixture
def closed_round(world, make_user):
    """Two submitted bids in a closed round, three panel members on its panel (one from
    St Giles Trust, which is a partner of the first bid's consortium)."""
    people, first = world
    consortia.add_partner(first.consortium, db.session.scalar(select(Organisation).where(
        Organisation.name == "St Giles Trust")), PartnerRole.lead_provider, by=people["lead"])
    complete_everything(first, people["member"])
    second = _second_bid(make_user, first.funding_round, mopac_pence=90_000_00)
    now = clock.now()
    eois.submit_eoi(first, by=people["lead"], now=now)
    eois.submit_eoi(second, by=second.consortium.lead, now=now + timedelta(seconds=1))
    funding_round = first.funding_round
    rounds.change_round_status(funding_round, RoundStatus.closed, by=people["manager"],
                               now=now)
    people["a"] = make_user(Role.panel_member, name="Assessor A")
    people["b"] = make_user(Role.panel_member, name="Assessor B")
    people["c"] = make_user(Role.panel_member, name="Assessor C",
                            organisation="St Giles Trust")
    for who in ("a", "b", "c"):
        panel.add_panel_member(funding_round, people[who], by=people["manager"])
    db.session.commit()
    return people, first, second


def _sheet(eoi, score_by_title: dict | None = None, default: int = 3):
    return {c.id: ((score_by_title or {}).get(c.title, default), "Because.")
            for c in eoi.funding_round.criteria}


def _assess(eoi, assessor, scores, *, submit=True):
    assessment = next(a for a in eoi.assessments if a.assessor_id == assessor.id)
    if assessment.status is AssessmentStatus.awaiting_declaration:
        panel.declare(assessment, has_interest=False, details="", by=assessor, now=clock.now())
    panel.save_scores(assessment, scores, submit=submit, by=assessor, now=clock.now(),
                      expected_version=None)
    return assessment


@pytest.mark.parametrize("current,new,allowed", [
    (AssessmentStatus.awaiting_declaration, AssessmentStatus.in_progress, True),
    (AssessmentStatus.awaiting_declaration, AssessmentStatus.conflicted, True),
    (AssessmentStatus.in_progress, AssessmentStatus.submitted, True),
    (AssessmentStatus.awaiting_declaration, AssessmentStatus.submitted, False),
    (AssessmentStatus.submitted, AssessmentStatus.in_progress, False),
    (AssessmentStatus.conflicted, AssessmentStatus.in_progress, False),
])
def test_assessment_state_machine(current, new, allowed):
    if allowed:
        panel.ASSESSMENT.check(current, new)
    else:
        with pytest.raises(TransitionRefused):
            panel.ASSESSMENT.check(current, new)


def test_the_even_spread_skips_the_conflicted_assessor_and_records_the_conflict(
        closed_round):
    people, first, second = closed_round
    made = panel.assign_even_spread(first.funding_round, by=people["manager"], now=clock.now())
    db.session.commit()
    assert made == 5  # C is kept off the first bid: its consortium's partner employs her
    assert {a.assessor.full_name for a in first.assessments} == {"Assessor A", "Assessor B"}
    assert len(second.assessments) == 3
    # Assigned by hand, C is recorded as conflicted by the service itself.
    flagged = panel.assign(first, people["c"], by=people["manager"], now=clock.now())
    db.session.commit()
    assert flagged.status is AssessmentStatus.conflicted and flagged.flagged_by_system
    assert "St Giles Trust is a partner of SE" in flagged.interest_details
    assert db.session.scalar(select(AuditEntry.summary).where(
        AuditEntry.action == "assessment.conflict_flagged")).startswith("Conflict of interest")
    assert not first.can_view(people["c"])
    with pytest.raises(TransitionRefused):
        panel.save_scores(flagged, _sheet(first), submit=False, by=people["c"], now=clock.now(),
                          expected_version=None)


def test_a_bid_is_opened_only_after_declaring_no_interest(client, closed_round):
    people, first, _second = closed_round
    assessment = panel.assign(first, people["a"], by=people["manager"], now=clock.now())
    db.session.commit()
    sign_in(client, people["a"].email)
    assert client.get(f"/eois/{first.id}/read").status_code == 403
    assert client.get(f"/eois/{first.id}/pdf").status_code == 403
    page = client.get(f"/assessment/assessments/{assessment.id}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/declaration")
    form = client.get(f"/assessment/assessments/{assessment.id}/declaration")
    response = client.post(f"/assessment/assessments/{assessment.id}/declaration", data={
        "csrf_token": csrf_token(form.text), "has_interest": "yes", "details": ""})
    assert "Describe the interest" in response.text  # beside the field, nothing saved
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.awaiting_declaration
    client.post(f"/assessment/assessments/{assessment.id}/declaration", data={
        "csrf_token": csrf_token(form.text), "has_interest": "no"})
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.in_progress
    assert client.get(f"/eois/{first.id}/read").status_code == 200
    assert client.get(f"/eois/{first.id}/pdf").status_code == 200


def test_declaring_an_interest_keeps_the_bid_closed(closed_round):
    people, first, _second = closed_round
    assessment = panel.assign(first, people["b"], by=people["manager"], now=clock.now())
    panel.declare(assessment, has_interest=True, details="My partner chairs the board",
                  by=people["b"], now=clock.now())
    db.session.commit()
    assert assessment.status is AssessmentStatus.conflicted
    assert not first.can_view(people["b"])
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "assessment.declared"))
    assert "My partner chairs the board" in entry.summary


def test_scoring_is_blind_until_one_has_submitted(client, closed_round):
    people, first, _second = closed_round
    for who in ("a", "b"):
        panel.assign(first, people[who], by=people["manager"], now=clock.now())
    _assess(first, people["a"], _sheet(first, default=2))
    b = _assess(first, people["b"], _sheet(first, default=3), submit=False)
    db.session.commit()
    sign_in(client, people["b"].email)
    page = client.get(f"/assessment/assessments/{b.id}")
    assert "The panel's scores" not in page.text and "Assessor A" not in page.text
    assert client.get(f"/assessment/eois/{first.id}/moderation").status_code == 403
    assert client.get(f"/assessment/rounds/{first.round_id}/panel-pack.pdf").status_code == 403
    panel.save_scores(b, _sheet(first, default=3), submit=True, by=people["b"], now=clock.now(),
                      expected_version=None)
    db.session.commit()
    page = client.get(f"/assessment/assessments/{b.id}")
    assert "The panel's scores" in page.text and "Assessor A" in page.text


def test_scores_need_comments_for_0_1_and_4_and_are_fixed_once_submitted(client,
                                                                         closed_round):
    people, first, _second = closed_round
    assessment = panel.assign(first, people["a"], by=people["manager"], now=clock.now())
    panel.declare(assessment, has_interest=False, details="", by=people["a"], now=clock.now())
    db.session.commit()
    criteria = first.funding_round.criteria
    sign_in(client, people["a"].email)
    page = client.get(f"/assessment/assessments/{assessment.id}")
    data = {"csrf_token": csrf_token(page.text), "version": assessment.version,
            "submit": "Submit scores"}
    for criterion in criteria:
        data[f"score_{criterion.id}"] = "3"
    data[f"score_{criteria[0].id}"] = "4"  # excellent, but not explained
    del data[f"score_{criteria[1].id}"]  # not scored at all
    response = client.post(f"/assessment/assessments/{assessment.id}", data=data)
    assert response.status_code == 200
    assert f"Explain a score of 4 for {criteria[0].title}" in response.text
    assert f"Score {criteria[1].title}" in response.text
    db.session.refresh(assessment)
    assert assessment.status is AssessmentStatus.in_progress  # nothing submitted
    # A draft with gaps saves.
    del data["submit"]
    data["save"] = "Save as draft"
    assert client.post(f"/assessment/assessments/{assessment.id}",
                       data=data).status_code == 302
    db.session.refresh(assessment)
    assert assessment.score_for(criteria[0].id).score == 4
    # A second window still holding the old version is refused, not applied.
    with pytest.raises(StaleEdit):
        panel.save_scores(assessment, _sheet(first), submit=False, by=people["a"],
                          now=clock.now(), expected_version=assessment.version - 1)
    db.session.rollback()
    panel.save_scores(assessment, _sheet(first, {criteria[0].title: 4}), submit=True,
                      by=people["a"], now=clock.now(), expected_version=assessment.version)
    db.session.commit()
    with pytest.raises(TransitionRefused):
        panel.save_scores(assessment, _sheet(first, default=0), submit=False, by=people["a"],
                          now=clock.now(), expected_version=None)
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("assessment.%"))).all()
    assert actions.count("assessment.saved") == 1 and actions.count("assessment.submitted") == 1


def _fully_scored(closed_round):
    """A and B score both bids; they disagree sharply on the first bid's heaviest criterion."""
    people, first, second = closed_round
    heaviest = max(first.funding_round.criteria, key=lambda c: (c.weight, -c.position))
    for eoi in (first, second):
        for who in ("a", "b"):
            panel.assign(eoi, people[who], by=people["manager"], now=clock.now())
    _assess(first, people["a"], _sheet(first, {heaviest.title: 0}, default=3))
    _assess(first, people["b"], _sheet(first, {heaviest.title: 4}, default=3))
    _assess(second, people["a"], _sheet(second, default=2))
    _assess(second, people["b"], _sheet(second, default=3))
    db.session.commit()
    return people, first, second, heaviest


def test_the_chair_moderates_a_disagreement(closed_round):
    people, first, _second, heaviest = _fully_scored(closed_round)
    summary = panel.summary_of(first)
    assert summary.needs_moderation
    assert {d.criterion_key for d in summary.disagreements} == {heaviest.id}
    before = summary.score
    with pytest.raises(FieldRefusal, match="Enter the reason"):
        panel.moderate(first, heaviest.id, score=3, rationale=" ", by=people["manager"])
    with pytest.raises(TransitionRefused):
        panel.moderate(first, heaviest.id, score=3, rationale="x", by=people["a"])
    panel.moderate(first, heaviest.id, score=3, rationale="Strong evidence of schools work",
                   by=people["manager"])
    db.session.commit()
    after = panel.summary_of(first)
    assert not after.needs_moderation
    # Mean 2 on a 15-weight criterion became 3: 15 × 1/4 = 3.75 points more.
    assert after.score - before == Fraction(15, 4)
    assert db.session.scalar(select(AuditEntry.summary).where(
        AuditEntry.action == "assessment.moderated")).endswith("Strong evidence of schools work")


def test_the_ranking_in_the_app_matches_the_scoring_package(closed_round):
    people, first, second, heaviest = _fully_scored(closed_round)
    rows = panel.ranking(first.funding_round)
    # The same scores, straight through eoi.scoring.
    rubric = panel.rubric_of(first.funding_round)
    bids = []
    for eoi in (first, second):
        sheets = {a.assessor.full_name: {s.criterion_id: s.score for s in a.scores}
                  for a in eoi.assessments}
        summary = summarise(rubric, sheets)
        bids.append(Bid(eoi.reference, summary.score,
                        summary.for_criterion(rubric.heaviest().key).agreed,
                        eois.budget_reconciliation(eoi).mopac_request, eoi.submitted_at))
    expected = rank(bids)
    assert [r.ranked for r in rows] == expected
    assert [r.eoi.reference for r in rows] == [first.reference, second.reference]
    envelope = 160_000_00
    assert panel.allocation(rows, envelope) == allocate(expected, envelope)
    # With £160,000 the first bid (£150,000) is funded and the second no longer fits.
    lines = panel.allocation(rows, envelope).lines
    assert [line.award_pence for line in lines] == [150_000_00, 0]


def test_the_rounds_loaded_as_rows_agree_with_each_bid_read_on_its_own(demo, app_context):
    """round_bids reads every score of the rounds as plain rows: for each demo bid, its
    sheets, summary and who is still scoring are what the bid's own records give."""
    from eoi.eois.models import Eoi, EoiStatus
    from eoi.rounds.models import FundingRound

    funding_rounds = list(db.session.scalars(select(FundingRound)))
    loaded = panel.round_bids(funding_rounds)
    bids = db.session.scalars(select(Eoi).where(Eoi.status == EoiStatus.submitted)).all()
    assert sorted(e.id for e in loaded.eois) == sorted(e.id for e in bids)
    assert any(loaded.sheets.values())  # who is still scoring: the test after the next
    for eoi in bids:
        assert loaded.sheets.get(eoi.id, {}) == panel.submitted_sheets(eoi), eoi.reference
        assert loaded.summary(eoi) == panel.summary_of(eoi), eoi.reference
        assert loaded.scoring.get(eoi.id, []) == [
            a.assessor.full_name for a in eoi.assessments
            if a.status in panel.STILL_SCORING], eoi.reference


def test_the_ranking_page_shows_the_allocation_and_a_what_if(client, closed_round):
    people, first, second, _heaviest = _fully_scored(closed_round)
    sign_in(client, people["manager"].email)
    page = client.get(f"/assessment/rounds/{first.round_id}/ranking")
    assert page.status_code == 200
    assert page.text.index(first.reference) < page.text.index(second.reference)
    assert "Needs moderation" in page.text
    what_if = client.get(f"/assessment/rounds/{first.round_id}/ranking?envelope=100000"
                         "&threshold=&partial=yes")
    assert f"{first.reference}: funded (£150,000) would become partly funded (£100,000)" in (
        what_if.text)
    wrong = client.get(f"/assessment/rounds/{first.round_id}/ranking?envelope=lots"
                       "&threshold=200")
    assert "Envelope must be a number of pounds" in wrong.text
    assert "Quality threshold must be a number from 0 to 100" in wrong.text


def test_decisions_are_checked_published_and_then_seen_by_the_consortium(client,
                                                                         closed_round):
    people, first, second, heaviest = _fully_scored(closed_round)
    funding_round = first.funding_round
    with pytest.raises(TransitionRefused, match="once the round is assessed"):
        panel.record_decision(first, outcome=DecisionOutcome.fund, amount_pence=1,
                              conditions="", feedback="", by=people["manager"])
    rounds.change_round_status(funding_round, RoundStatus.assessed, by=people["manager"],
                               now=clock.now())
    with pytest.raises(FieldRefusal, match="more than the MOPAC request"):
        panel.record_decision(first, outcome=DecisionOutcome.fund, amount_pence=150_000_01,
                              conditions="", feedback="", by=people["manager"])
    with pytest.raises(FieldRefusal, match="Enter the conditions"):
        panel.record_decision(first, outcome=DecisionOutcome.fund_with_conditions,
                              amount_pence=100_000_00, conditions=" ", feedback="",
                              by=people["manager"])
    panel.record_decision(first, outcome=DecisionOutcome.fund_with_conditions,
                          amount_pence=150_000_00, conditions="Quarterly data returns",
                          feedback="A strong partnership.", by=people["manager"])
    with pytest.raises(TransitionRefused, match=f"Record a decision for {second.reference}"):
        rounds.change_round_status(funding_round, RoundStatus.decided, by=people["manager"],
                                   now=clock.now())
    panel.record_decision(second, outcome=DecisionOutcome.not_funded, amount_pence=0,
                          conditions="", feedback="", by=people["manager"])
    with pytest.raises(TransitionRefused,
                       match=f"Moderate the disagreements on {first.reference}"):
        rounds.change_round_status(funding_round, RoundStatus.decided, by=people["manager"],
                                   now=clock.now())
    panel.moderate(first, heaviest.id, score=2, rationale="Agreed at the meeting",
                   by=people["manager"])
    db.session.commit()

    sign_in(client, people["lead"].email)
    letter_url = f"/assessment/eois/{first.id}/decision-letter.pdf"
    assert client.get(letter_url).status_code == 403  # not published yet
    assert "Decision:" not in client.get(f"/eois/{first.id}").text
    rounds.change_round_status(funding_round, RoundStatus.decided, by=people["manager"],
                               now=clock.now())
    db.session.commit()
    assert "Decision: Fund with conditions, £150,000" in client.get(f"/eois/{first.id}").text
    response = client.get(letter_url)
    assert response.status_code == 200
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Decision: Fund with conditions", "£150,000", "Quarterly data returns",
                     "A strong partnership.", "Because.", heaviest.title, "OFFICIAL-SENSITIVE",
                     first.reference):
        assert expected in text, expected
    for name in ("Assessor A", "Assessor B"):
        assert name not in text  # feedback without assessors' names
    sign_out(client)
    sign_in(client, second.consortium.lead.email)
    assert client.get(letter_url).status_code == 403  # another consortium's letter
    audit = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("decision.%"))).all()
    assert audit.count("decision.recorded") == 2


def test_the_round_is_marked_assessed_only_when_every_bid_is_scored(closed_round):
    people, first, _second = closed_round
    panel.assign(first, people["a"], by=people["manager"], now=clock.now())
    with pytest.raises(TransitionRefused, match="is still with Assessor A"):
        rounds.change_round_status(first.funding_round, RoundStatus.assessed,
                                   by=people["manager"], now=clock.now())


def test_the_panel_pack_has_the_ranking_scores_and_flags(client, closed_round):
    people, first, second, heaviest = _fully_scored(closed_round)
    sign_in(client, people["manager"].email)
    reader = PdfReader(io.BytesIO(prepared_pdf(
        client, f"/assessment/rounds/{first.round_id}/panel-pack.pdf")))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for expected in ("Panel pack", "Ranked bids", f"1. {first.reference}",
                     f"2. {second.reference}", "Assessor A", "Assessor B", "Spread",
                     "a spread of 4", "needs moderation", "OFFICIAL-SENSITIVE"):
        assert expected in text, expected
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text


# Access, person by person -----------------------------------------------------------------

ASSESSMENT_RULES = [  # endpoint, method, who may (an assessment of A's, declared)
    ("assessment.index", "GET", {"manager", "a", "b", "panel"}),
    ("assessment.panel", "GET", {"manager"}),
    ("assessment.assign", "GET", {"manager"}),
    ("assessment.score", "GET", {"a"}),
    ("assessment.declare", "GET", {"a"}),  # redirects to the scores once declared
    ("assessment.moderation", "GET", {"manager"}),
    ("assessment.ranking", "GET", {"manager"}),
    ("assessment.decision", "GET", {"manager"}),
    ("assessment.panel_pack", "GET", {"manager"}),
    ("assessment.decision_letter", "GET", set()),  # nobody sees an unmade decision
    ("assessment.spread", "POST", {"manager"}),
    ("assessment.panel_remove", "POST", {"manager"}),
    ("assessment.unassign", "POST", {"manager"}),
]


def test_every_assessment_route_has_a_rule():
    assert {e for e, _m, _w in ASSESSMENT_RULES} == {
        e for e, rule in ACCESS.items() if rule == PER_RECORD and e.startswith("assessment.")}


@pytest.mark.parametrize("who", ["anonymous", "lead", "member", "outsider", "manager", "panel",
                                 "partner", "a", "b"])
def test_assessment_routes(app, client, closed_round, who):
    people, first, _second = closed_round
    assessment = panel.assign(first, people["a"], by=people["manager"], now=clock.now())
    panel.declare(assessment, has_interest=False, details="", by=people["a"], now=clock.now())
    member = panel.panel_of(first.funding_round)[-1]
    db.session.commit()
    user = people.get(who)
    if user:
        sign_in(client, user.email)
    args = {"round_id": first.round_id, "eoi_id": first.id, "assessment_id": assessment.id,
            "member_id": member.id}
    failures = []
    for endpoint, method, allowed in ASSESSMENT_RULES:
        url, status = ask_route(app, client, endpoint, method, args, signed_in=user is not None)
        if user is None:
            expected = 302
        elif who not in allowed:
            expected = 403
        elif method == "POST" or endpoint == "assessment.declare":
            expected = 302
        else:
            expected = 200
        if status != expected:
            failures.append(f"{method} {url}: {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_only_submitted_bids_of_closed_rounds_are_assessed(client, world):
    people, draft = world
    sign_in(client, people["manager"].email)
    assert client.get(f"/assessment/eois/{draft.id}/assign").status_code == 403
    assert client.get(f"/assessment/rounds/{draft.round_id}/panel").status_code == 403


def test_what_stops_publishing_links_each_bid_to_where_it_is_put_right(app, demo):
    """The ranking and round pages name the bids to moderate: each is a link to its
    moderation page, not words to go and look for."""
    from eoi.eois.models import Eoi
    from eoi.rounds.models import FundingRound
    from tests.conftest import signed_in

    with app.app_context():
        round_one = db.session.scalar(select(FundingRound).where(
            FundingRound.status == RoundStatus.assessed))
        [problem] = panel.publishing_problems(round_one)
        [(reference, eoi_id)] = problem.bids
        assert db.session.get(Eoi, eoi_id).reference == reference
        round_id = round_one.id
    client = signed_in(app, "manager@demo.example")
    expected = (f'Moderate the disagreements on <a class="govuk-link" '
                f'href="/assessment/eois/{eoi_id}/moderation">{reference}</a>')
    for page in (f"/assessment/rounds/{round_id}/ranking", f"/rounds/{round_id}"):
        assert expected in client.get(page).text, page
    moderation = client.get(f"/assessment/eois/{eoi_id}/moderation")
    assert moderation.status_code == 200 and reference in moderation.text


def test_the_ranking_tells_a_suggested_allocation_from_a_recorded_decision(app, demo):
    """Before moderation a bid the scores would fund may be recorded as reserve: the page
    says which is the suggestion and which the decision, and that the suggestion waits on
    moderation."""
    from eoi.rounds.models import FundingRound
    from tests.conftest import signed_in

    with app.app_context():
        round_id = db.session.scalar(select(FundingRound.id).where(
            FundingRound.status == RoundStatus.assessed))
    page = signed_in(app, "manager@demo.example").get(
        f"/assessment/rounds/{round_id}/ranking").text
    assert ">Suggested by the scores</th>" in page and ">Recorded decision</th>" in page
    assert "It is a suggestion, not a decision" in page
    assert page.count("Until the scores are moderated") == page.count(
        ">Needs moderation</strong>") == 1


def test_a_panel_members_dashboard_counts_the_bids_waiting_on_them(client, closed_round):
    people, first, _second = closed_round
    panel.assign(first, people["a"], by=people["manager"], now=clock.now())
    db.session.commit()
    sign_in(client, people["a"].email)
    page = client.get("/dashboard").text
    assert ('<a class="govuk-link" href="/assessment">1 bid to declare or score</a>'
            in page)
