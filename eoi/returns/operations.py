"""Saving, submitting and reviewing quarterly returns, each audited. The return's state
machine is written here, once."""

from datetime import datetime

from sqlalchemy import and_, or_, select

from eoi.audit import record_audit
from eoi.columns import check_version
from eoi.eois.models import CostCategory
from eoi.extensions import db
from eoi.grants.models import MAX_NOTES, Grant
from eoi.inputs import clean_text
from eoi.notifications import recipients, tell
from eoi.reference.models import LocalAuthority
from eoi.refusals import FieldRefusal, Refusal, TransitionRefused
from eoi.returns.figures import (
    BREAKDOWNS,
    NARRATIVES,
    SMALL_NUMBERS_FIELD,
    Cohorts,
    Problem,
    ReturnFigures,
    problems_in,
    small_numbers_of_people,
)
from eoi.returns.models import (
    QuarterlyReturn,
    ReturnBoroughCount,
    ReturnCount,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
)
from eoi.states import StateMachine

RETURN = StateMachine("return", {
    ReturnStatus.draft: frozenset({ReturnStatus.submitted, ReturnStatus.signing}),
    # Signed off, it goes to MOPAC; declined, back to the partner.
    ReturnStatus.signing: frozenset({ReturnStatus.submitted, ReturnStatus.draft}),
    ReturnStatus.submitted: frozenset({ReturnStatus.accepted, ReturnStatus.returned}),
    ReturnStatus.returned: frozenset({ReturnStatus.submitted, ReturnStatus.signing}),
})


class ReturnRefused(Refusal):
    """The figures break the rules; each problem names the field it belongs to."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def indicators_for(grant: Grant) -> dict[str, str]:
    """indicator key -> name, for the indicators this grant reports on."""
    return {str(gi.indicator_id): gi.indicator.name for gi in grant.indicators}


def london_boroughs() -> dict[str, str]:
    """GSS code -> name, in name order."""
    return dict(db.session.execute(
        select(LocalAuthority.gss_code, LocalAuthority.name).order_by(LocalAuthority.name)
    ).all())


def figures_of(ret: QuarterlyReturn) -> ReturnFigures:
    figures = ReturnFigures(supported=Cohorts(ret.new_supported, ret.continuing_supported))
    for count in ret.counts:
        figures.breakdowns.setdefault(count.breakdown, {})[count.category] = Cohorts(
            count.new_count, count.continuing_count)
    figures.boroughs = {(c.residence_code, c.service_code): Cohorts(c.new_count,
                                                                   c.continuing_count)
                        for c in ret.borough_counts}
    figures.indicators = {str(v.indicator_id): v.value for v in ret.indicator_values}
    figures.spend = {s.category.value: s.amount_pence for s in ret.spend}
    figures.forecast = {f.category.value: f.amount_pence for f in ret.forecast}
    figures.narrative = {key: getattr(ret, key) for key, _, _ in NARRATIVES}
    return figures


def figures_to_start_from(ret: QuarterlyReturn) -> ReturnFigures:
    """The figures a return's form and spreadsheet open with: as saved, and while no spend
    is entered yet, the spend to date of the grant's last return sent in before it (spend is
    counted since the grant began, so last quarter's figure is where this one starts)."""
    figures = figures_of(ret)
    if not figures.spend and ret.status in (ReturnStatus.draft, ReturnStatus.returned):
        figures.spend = spend_carried_forward(ret)
    return figures


def spend_carried_forward(ret: QuarterlyReturn) -> dict[str, int]:
    earlier = (select(QuarterlyReturn.id)
               .where(QuarterlyReturn.grant_id == ret.grant_id,
                      QuarterlyReturn.status.in_([ReturnStatus.submitted,
                                                  ReturnStatus.accepted]),
                      or_(QuarterlyReturn.financial_year < ret.financial_year,
                          and_(QuarterlyReturn.financial_year == ret.financial_year,
                               QuarterlyReturn.quarter < ret.quarter)))
               .order_by(QuarterlyReturn.financial_year.desc(), QuarterlyReturn.quarter.desc())
               .limit(1).scalar_subquery())
    return {category.value: pence for category, pence in db.session.execute(
        select(ReturnSpend.category, ReturnSpend.amount_pence)
        .where(ReturnSpend.return_id == earlier))}


def problems_with(ret: QuarterlyReturn, figures: ReturnFigures, *,
                  for_submission: bool) -> list[Problem]:
    return problems_in(figures, indicators=indicators_for(ret.grant),
                       boroughs=london_boroughs(), for_submission=for_submission)


def save_return(ret: QuarterlyReturn, figures: ReturnFigures, *, by, now: datetime,
                entered_by: str = "web", expected_version: int | None = None) -> None:
    """Keep the figures as a draft. They must add up as far as they go and hold no personal
    data even now; completeness waits for submission."""
    if not ret.can_edit(by):
        raise TransitionRefused("This return cannot be changed now")
    check_version(ret, expected_version)
    if problems := problems_with(ret, figures, for_submission=False):
        raise ReturnRefused(problems)
    _write(ret, figures)
    ret.entered_by, ret.updated_at, ret.updated_by_id = entered_by, now, by.id
    how = "from a spreadsheet" if entered_by == "spreadsheet" else "on the web form"
    record_audit("return.saved", ret, user=by,
                 summary=f"Saved the {ret.period.short_label} return {how}: "
                 f"{figures.supported.total} young people supported")


def _write(ret: QuarterlyReturn, figures: ReturnFigures) -> None:
    ret.new_supported = figures.supported.new
    ret.continuing_supported = figures.supported.continuing
    # Replaced whole: a return is small, and rewriting avoids stale rows for categories the
    # partner has since cleared. The old rows are deleted first: a flush inserts before it
    # deletes, and the new rows share their unique keys.
    for rows in (ret.counts, ret.borough_counts, ret.indicator_values, ret.spend,
                 ret.forecast):
        rows.clear()
    db.session.flush()
    ret.counts = [ReturnCount(breakdown=key, category=category, new_count=c.new,
                              continuing_count=c.continuing)
                  for key, _, _ in BREAKDOWNS
                  for category, c in figures.breakdowns.get(key, {}).items() if c.total]
    ret.borough_counts = [ReturnBoroughCount(residence_code=home, service_code=served,
                                             new_count=c.new, continuing_count=c.continuing)
                          for (home, served), c in figures.boroughs.items() if c.total]
    ret.indicator_values = [ReturnIndicatorValue(indicator_id=int(key), value=value)
                            for key, value in figures.indicators.items() if value is not None]
    ret.spend = [ReturnSpend(category=CostCategory(key), amount_pence=pence)
                 for key, pence in figures.spend.items() if pence]
    ret.forecast = [ReturnForecast(category=CostCategory(key), amount_pence=pence)
                    for key, pence in figures.forecast.items() if pence]
    for key, _, _ in NARRATIVES:
        # Browsers send line breaks as CRLF and spreadsheets store LF: keep one form, so a
        # round trip through the template is not mistaken for an edit.
        # Spreadsheet cells arrive here without passing a form: cleaned the same way.
        text = clean_text(figures.narrative.get(key) or "").strip()
        setattr(ret, key, text)


def submit_return(ret: QuarterlyReturn, *, by, now: datetime,
                  expected_version: int | None = None,
                  small_numbers_checked: bool = False) -> None:
    """Send the return to MOPAC. A narrative mentioning a few people ("one girl") needs
    the partner's confirmation that they cannot be recognised from it."""
    if not ret.can_edit(by):
        raise TransitionRefused("Only the grant's partners or lead submit its returns, "
                                "while the return is open")
    check_version(ret, expected_version)
    figures = figures_of(ret)
    if problems := problems_with(ret, figures, for_submission=True):
        raise ReturnRefused(problems)
    if small_numbers_of_people(figures.narrative) and not small_numbers_checked:
        raise ReturnRefused([Problem(SMALL_NUMBERS_FIELD, (
            "Confirm that nobody could recognise the young people your narrative mentions "
            "by number, or change the narrative"))])
    ret.submitted_at, ret.submitted_by_id = now, by.id
    ret.signed_off_at = ret.signed_off_by_id = None
    if recipients.certifiers_of(by.organisation_id):
        RETURN.move(ret, ReturnStatus.signing, by=by, action="return.sent_for_sign_off",
                    summary=f"Sent the {ret.period.short_label} return for sign-off")
        tell.return_for_sign_off(ret)
        return
    RETURN.move(ret, ReturnStatus.submitted, by=by, action="return.submitted",
                summary=f"Submitted the {ret.period.short_label} return")


def sign_off_return(ret: QuarterlyReturn, *, by, now: datetime,
                    expected_version: int | None = None) -> None:
    if not ret.can_sign_off(by):
        raise TransitionRefused("Only another certifier of the organisation that sent it "
                                "signs a return off")
    check_version(ret, expected_version)
    ret.signed_off_at, ret.signed_off_by_id = now, by.id
    ret.sign_off_comments = ""
    RETURN.move(ret, ReturnStatus.submitted, by=by, action="return.signed_off",
                summary=f"Signed off the {ret.period.short_label} return: it goes to MOPAC")


def decline_return(ret: QuarterlyReturn, *, reason: str, by, now: datetime,
                   expected_version: int | None = None) -> None:
    if not ret.can_sign_off(by):
        raise TransitionRefused("Only another certifier of the organisation that sent it "
                                "declines a return")
    check_version(ret, expected_version)
    if not reason.strip():
        raise FieldRefusal("reason", "Say why you cannot sign it off")
    if len(reason.strip()) > MAX_NOTES:
        raise FieldRefusal("reason", f"The reason must be {MAX_NOTES:,} characters or fewer")
    ret.sign_off_comments = reason.strip()
    ret.signed_off_at, ret.signed_off_by_id = now, by.id
    RETURN.move(ret, ReturnStatus.draft, by=by, action="return.sign_off_declined",
                summary=f"Declined to sign off the {ret.period.short_label} return",
                changes={"reason": [None, reason.strip()]})
    tell.return_declined(ret)


def review_return(ret: QuarterlyReturn, *, accept: bool, comments: str, by, now: datetime,
                  expected_version: int | None = None) -> None:
    if not ret.can_review(by):
        raise TransitionRefused("Only a fund manager reviews a submitted return")
    check_version(ret, expected_version)
    new = ReturnStatus.accepted if accept else ReturnStatus.returned
    if not accept and not comments.strip():
        raise FieldRefusal("comments", "Say what the partner needs to change")
    if len(comments.strip()) > MAX_NOTES:
        raise FieldRefusal("comments", f"Comments must be {MAX_NOTES:,} characters or fewer")
    ret.review_comments = comments.strip()
    ret.reviewed_at, ret.reviewed_by_id = now, by.id
    RETURN.move(ret, new, by=by, action=f"return.{new.value}",
                summary=f"{new.title}: the {ret.period.short_label} return"
                + (f" ({comments.strip()})" if comments.strip() else ""))
    tell.return_reviewed(ret)
