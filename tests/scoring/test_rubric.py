from fractions import Fraction

import pytest

from eoi.scoring import (
    SCALE,
    SCALE_TITLES,
    CriterionSpec,
    Rubric,
    ScoringError,
    check_scoresheet,
    comment_required,
    weighted_score,
)
from tests.scoring.examples import DEFAULT_RUBRIC, EVIDENCE_OF_NEED, scaled, sheet


def test_the_scale_runs_from_no_evidence_to_excellent():
    assert list(SCALE) == [0, 1, 2, 3, 4]
    assert dict(zip(SCALE, SCALE_TITLES, strict=True)) == {
        0: "No evidence",
        1: "Weak",
        2: "Adequate",
        3: "Good",
        4: "Excellent",
    }


@pytest.mark.parametrize(("score", "required"), [(0, True), (1, True), (2, False),
                                                 (3, False), (4, True)])
def test_comments_are_required_for_weak_and_extreme_scores(score, required):
    assert comment_required(score) is required


# --- weighted score ---------------------------------------------------------------------


def test_weighted_score_of_the_default_criteria():
    # weight × score: 15×3 + 10×2 + 15×4 + 15×3 + 15×2 + 10×1 + 10×3 + 10×3
    #               = 45 + 20 + 60 + 45 + 30 + 10 + 30 + 30 = 270
    # out of 100:     270 / 4 (top score) / 100 (total weight) × 100 = 67½
    scores = sheet(3, 2, 4, 3, 2, 1, 3, 3)
    assert weighted_score(DEFAULT_RUBRIC, scores) == Fraction(135, 2)


def test_weighted_score_does_not_need_weights_adding_up_to_100():
    # Every weight tripled: 810 / 4 / 300 × 100 is still exactly 67½.
    scores = sheet(3, 2, 4, 3, 2, 1, 3, 3)
    assert weighted_score(scaled(DEFAULT_RUBRIC, 3), scores) == Fraction(135, 2)


def test_weighted_score_accepts_exact_fractions():
    # Two criteria weighted 3 and 1, scored 2½ and 4: (3×5/2 + 1×4) / 4 / 4 × 100 = 71⅞
    rubric = Rubric((CriterionSpec("a", "A", 3), CriterionSpec("b", "B", 1)))
    assert weighted_score(rubric, {"a": Fraction(5, 2), "b": 4}) == Fraction(575, 8)


def test_top_and_bottom_scores_give_100_and_0():
    assert weighted_score(DEFAULT_RUBRIC, sheet(*[4] * 8)) == 100
    assert weighted_score(DEFAULT_RUBRIC, sheet(*[0] * 8)) == 0


def test_weighted_score_needs_every_criterion_scored():
    scores = sheet(3, 2, 4, 3, 2, 1, 3, 3)
    del scores[EVIDENCE_OF_NEED]
    with pytest.raises(ScoringError, match="^Evidence of need has no score$"):
        weighted_score(DEFAULT_RUBRIC, scores)


@pytest.mark.parametrize("score", [5, -1, Fraction(9, 2), Fraction(-1, 2)])
def test_weighted_score_refuses_scores_off_the_scale(score):
    scores = sheet(3, score, 4, 3, 2, 1, 3, 3)
    with pytest.raises(ScoringError, match=f"^The score for Evidence of need must be from 0 to "
                                           f"4, not {score}$"):
        weighted_score(DEFAULT_RUBRIC, scores)


@pytest.mark.parametrize("score", [2.5, "3", True])
def test_weighted_score_refuses_inexact_or_non_numbers(score):
    # A float would make the result inexact; True is an int to Python but not a score.
    scores = sheet(3, score, 4, 3, 2, 1, 3, 3)
    with pytest.raises(ScoringError, match="^The score for Evidence of need must be a number"):
        weighted_score(DEFAULT_RUBRIC, scores)


def test_weighted_score_refuses_scores_for_unknown_criteria():
    scores = sheet(3, 2, 4, 3, 2, 1, 3, 3, 4)
    with pytest.raises(ScoringError, match="^There is no criterion 9 in this round$"):
        weighted_score(DEFAULT_RUBRIC, scores)


def test_weighted_score_needs_a_usable_rubric():
    with pytest.raises(ScoringError, match="^The rubric has no criteria$"):
        weighted_score(Rubric(()), {})
    with pytest.raises(ScoringError, match="must be a whole number above 0"):
        weighted_score(Rubric((CriterionSpec("a", "A", 0),)), {"a": 2})


# --- the rubric -------------------------------------------------------------------------


def test_the_default_rubric_passes_its_check():
    assert DEFAULT_RUBRIC.total_weight == 100
    DEFAULT_RUBRIC.check()


def test_a_rubric_can_be_built_from_a_list():
    rubric = Rubric([CriterionSpec("a", "A", 100)])
    assert rubric.criteria == (CriterionSpec("a", "A", 100),)
    rubric.check()


def test_check_needs_at_least_one_criterion():
    with pytest.raises(ScoringError, match="^The rubric has no criteria$"):
        Rubric(()).check()


def test_check_needs_unique_keys():
    rubric = Rubric((CriterionSpec("a", "Need", 50), CriterionSpec("a", "Reach", 50)))
    with pytest.raises(ScoringError, match="^More than one criterion uses the key 'a'$"):
        rubric.check()


@pytest.mark.parametrize("weight", [0, -10, Fraction(50), 50.0, True])
def test_check_needs_positive_whole_weights(weight):
    rubric = Rubric((CriterionSpec("a", "Need", weight), CriterionSpec("b", "Reach", 50)))
    with pytest.raises(ScoringError, match="^The weight for Need must be a whole number above 0$"):
        rubric.check()


def test_check_needs_weights_adding_up_to_100():
    rubric = Rubric((CriterionSpec("a", "Need", 50), CriterionSpec("b", "Reach", 40)))
    with pytest.raises(ScoringError, match="^The weights add up to 90; they must add up to 100$"):
        rubric.check()


def test_the_heaviest_criterion_breaks_ties_on_weight_by_position():
    rubric = Rubric(
        (
            CriterionSpec("light", "Light", 10, position=1),
            CriterionSpec("later", "Later", 30, position=30),
            CriterionSpec("earlier", "Earlier", 30, position=20),
            CriterionSpec("same place", "Same place", 30, position=20),
        )
    )
    assert rubric.heaviest().key == "earlier"
    assert DEFAULT_RUBRIC.heaviest().title == "Strategic fit and additionality"


def test_an_empty_rubric_has_no_heaviest_criterion():
    with pytest.raises(ScoringError, match="^The rubric has no criteria$"):
        Rubric(()).heaviest()


def test_criteria_are_found_by_key():
    assert DEFAULT_RUBRIC.by_key(EVIDENCE_OF_NEED).title == "Evidence of need"
    with pytest.raises(ScoringError, match="^There is no criterion 9 in this rubric$"):
        DEFAULT_RUBRIC.by_key(9)


# --- completeness of a score sheet ------------------------------------------------------

COMMENTS = {1: "Fits the priorities well", 3: "Strong", 6: "Little involvement", 8: "Good"}


def test_a_complete_score_sheet_has_no_problems():
    scores = sheet(4, 2, 4, 3, 2, 1, 3, 3)
    assert check_scoresheet(DEFAULT_RUBRIC, scores, COMMENTS) == {}


def test_a_missing_score_is_a_problem():
    scores = sheet(4, None, 4, 3, 2, 1, 3, 3)
    assert check_scoresheet(DEFAULT_RUBRIC, scores, COMMENTS) == {
        EVIDENCE_OF_NEED: "Score Evidence of need"
    }
    del scores[EVIDENCE_OF_NEED]
    assert check_scoresheet(DEFAULT_RUBRIC, scores, COMMENTS) == {
        EVIDENCE_OF_NEED: "Score Evidence of need"
    }


@pytest.mark.parametrize("score", [5, -1, 2.5, Fraction(5, 2), "2", True])
def test_a_score_that_is_not_a_whole_number_from_0_to_4_is_a_problem(score):
    scores = sheet(4, score, 4, 3, 2, 1, 3, 3)
    assert check_scoresheet(DEFAULT_RUBRIC, scores, COMMENTS) == {
        EVIDENCE_OF_NEED: "Score Evidence of need with a whole number from 0 to 4"
    }


@pytest.mark.parametrize("score", [0, 1, 4])
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_weak_and_extreme_scores_need_a_comment(score, comment):
    scores = sheet(4, score, 4, 3, 2, 1, 3, 3)
    comments = {**COMMENTS, EVIDENCE_OF_NEED: comment}
    assert check_scoresheet(DEFAULT_RUBRIC, scores, comments) == {
        EVIDENCE_OF_NEED: f"Explain a score of {score} for Evidence of need"
    }


def test_without_comments_every_weak_or_extreme_score_is_a_problem():
    scores = sheet(4, 2, 3, 3, 2, 0, 3, 3)
    assert check_scoresheet(DEFAULT_RUBRIC, scores) == {
        1: "Explain a score of 4 for Strategic fit and additionality",
        6: "Explain a score of 0 for Participation of young people and families",
    }


def test_scores_and_comments_for_unknown_criteria_are_problems():
    scores = {**sheet(4, 2, 4, 3, 2, 1, 3, 3), 9: 2}
    comments = {**COMMENTS, "x": "Stray"}
    assert check_scoresheet(DEFAULT_RUBRIC, scores, comments) == {
        9: "There is no criterion 9 in this round",
        "x": "There is no criterion 'x' in this round",
    }
