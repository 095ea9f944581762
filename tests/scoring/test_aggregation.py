from fractions import Fraction

import pytest

from eoi.scoring import CriterionSpec, Disagreement, Rubric, ScoringError, summarise
from tests.scoring.examples import DEFAULT_RUBRIC, sheet

RUBRIC = Rubric(
    (
        CriterionSpec("need", "Evidence of need", 50, position=1),
        CriterionSpec("partnership", "Partnership", 30, position=2),
        CriterionSpec("delivery", "Delivery model", 20, position=3),
    )
)

# need        A 2  B 4  C 2   mean 8/3  median 2  spread 2   B is 2 from the median
# partnership A 0  B 3  C 3   mean 2    median 3  spread 3   A is 3 from it; wide spread
# delivery    A 3  B 3  C 2   mean 8/3  median 3  spread 1
SCORESHEETS = {
    "A": {"need": 2, "partnership": 0, "delivery": 3},
    "B": {"need": 4, "partnership": 3, "delivery": 3},
    "C": {"need": 2, "partnership": 3, "delivery": 2},
}


def test_each_criterion_is_summarised_across_the_panel():
    need, partnership, delivery = summarise(RUBRIC, SCORESHEETS).criteria

    assert need.criterion.key == "need"
    assert need.scores == (2, 4, 2)
    assert (need.mean, need.median, need.spread) == (Fraction(8, 3), 2, 2)
    assert partnership.scores == (0, 3, 3)
    assert (partnership.mean, partnership.median, partnership.spread) == (2, 3, 3)
    assert delivery.scores == (3, 3, 2)
    assert (delivery.mean, delivery.median, delivery.spread) == (Fraction(8, 3), 3, 1)
    assert need.moderated is None
    assert need.agreed == need.mean


def test_disagreements_are_flagged_by_assessor_and_by_spread():
    summary = summarise(RUBRIC, SCORESHEETS)

    need, partnership, delivery = summary.criteria
    assert need.disagreements == (
        Disagreement("need", "B", "far_from_median",
                     "Assessor B scored 4, 2 points from the panel median of 2"),
    )
    assert partnership.disagreements == (
        Disagreement("partnership", "A", "far_from_median",
                     "Assessor A scored 0, 3 points from the panel median of 3"),
        Disagreement("partnership", None, "wide_spread",
                     "Scores range from 0 to 3, a spread of 3"),
    )
    assert delivery.disagreements == ()
    assert summary.disagreements == need.disagreements + partnership.disagreements
    assert summary.needs_moderation


def test_a_wide_spread_can_leave_everyone_near_the_median():
    # Scores 1, 2, 3, 4: median 2½, nobody more than 1½ away, but a spread of 3.
    rubric = Rubric((CriterionSpec("need", "Evidence of need", 100),))
    scoresheets = {name: {"need": score} for name, score in zip("ABCD", [1, 2, 3, 4],
                                                                   strict=True)}
    (need,) = summarise(rubric, scoresheets).criteria
    assert need.median == Fraction(5, 2)
    assert need.disagreements == (
        Disagreement("need", None, "wide_spread", "Scores range from 1 to 4, a spread of 3"),
    )


def test_a_half_point_median_is_shown_as_a_decimal():
    # Scores 0, 1, 4, 4: median (1 + 4) / 2 = 2½; only A, 2½ below it, is 2 or more away.
    rubric = Rubric((CriterionSpec("need", "Evidence of need", 100),))
    scoresheets = {name: {"need": score} for name, score in zip("ABCD", [0, 1, 4, 4],
                                                                   strict=True)}
    messages = [d.message for d in summarise(rubric, scoresheets).disagreements]
    assert messages == [
        "Assessor A scored 0, 2.5 points from the panel median of 2.5",
        "Scores range from 0 to 4, a spread of 4",
    ]


def test_each_assessor_has_their_own_weighted_score():
    # A: (50×2 + 30×0 + 20×3) / 4 = 40
    # B: (50×4 + 30×3 + 20×3) / 4 = 87½
    # C: (50×2 + 30×3 + 20×2) / 4 = 57½
    summary = summarise(RUBRIC, SCORESHEETS)
    assert summary.assessor_scores == {"A": 40, "B": Fraction(175, 2), "C": Fraction(115, 2)}


def test_without_moderation_the_bid_scores_the_mean_of_the_assessors():
    # Agreed scores are the means 8/3, 2, 8/3:
    # (50×8/3 + 30×2 + 20×8/3) / 4 = (400/3 + 180/3 + 160/3) / 4 = 185/3,
    # which is also (40 + 87½ + 57½) / 3.
    summary = summarise(RUBRIC, SCORESHEETS)
    assert summary.score == Fraction(185, 3)
    assert summary.score == sum(summary.assessor_scores.values()) / 3


def test_moderation_changes_the_bid_score_and_settles_the_disagreements():
    # Agreed scores become 2 (moderated), 3 (moderated), 8/3 (mean):
    # (50×2 + 30×3 + 20×8/3) / 4 = (300/3 + 270/3 + 160/3) / 4 = 730/12 = 365/6
    summary = summarise(RUBRIC, SCORESHEETS, moderated={"need": 2, "partnership": 3})
    need, partnership, delivery = summary.criteria
    assert (need.moderated, need.agreed) == (2, 2)
    assert (partnership.moderated, partnership.agreed) == (3, 3)
    assert (delivery.moderated, delivery.agreed) == (None, Fraction(8, 3))
    assert summary.score == Fraction(365, 6)
    assert not summary.needs_moderation
    # The flags stay visible: moderation records the panel's view, it does not hide them.
    assert len(summary.disagreements) == 3


def test_moderating_one_criterion_leaves_the_other_needing_moderation():
    summary = summarise(RUBRIC, SCORESHEETS, moderated={"need": Fraction(5, 2)})
    assert summary.for_criterion("need").agreed == Fraction(5, 2)
    assert summary.needs_moderation


def test_moderation_of_none_means_not_moderated():
    summary = summarise(RUBRIC, SCORESHEETS, moderated={"need": None})
    assert summary == summarise(RUBRIC, SCORESHEETS)


def test_a_single_assessor_cannot_disagree():
    summary = summarise(DEFAULT_RUBRIC, {"A": sheet(0, 4, 0, 4, 0, 4, 0, 4)})
    assert summary.disagreements == ()
    assert not summary.needs_moderation
    assert summary.score == summary.assessor_scores["A"]


def test_a_bid_needs_at_least_one_score_sheet():
    with pytest.raises(ScoringError, match="^No assessor has scored this bid$"):
        summarise(RUBRIC, {})


def test_every_score_sheet_must_be_complete():
    scoresheets = {**SCORESHEETS, "C": {"need": 2, "partnership": 3}}
    with pytest.raises(ScoringError, match="^The score sheet from C is not complete: "
                                           "Score Delivery model$"):
        summarise(RUBRIC, scoresheets)


def test_moderated_scores_must_be_on_the_scale():
    with pytest.raises(ScoringError, match="^The score for Partnership must be from 0 to 4, "
                                           "not 5$"):
        summarise(RUBRIC, SCORESHEETS, moderated={"partnership": 5})


def test_moderated_scores_must_be_for_criteria_in_the_rubric():
    with pytest.raises(ScoringError, match="^There is no criterion 'reach' in this rubric$"):
        summarise(RUBRIC, SCORESHEETS, moderated={"reach": 3})


def test_a_summary_has_no_unknown_criteria():
    with pytest.raises(ScoringError, match="^There is no criterion 'reach' in this summary$"):
        summarise(RUBRIC, SCORESHEETS).for_criterion("reach")
