import pytest

from eoi.scoring import TIE_BREAKS, RankedBid, ScoringError, rank
from eoi.scoring.ranking import LEVEL_ON_EVERY_RULE
from tests.scoring.examples import bid, pounds


def test_the_tie_break_rules_in_words():
    assert TIE_BREAKS == (
        "Higher score on the heaviest criterion",
        "Smaller MOPAC request",
        "Submitted earlier",
    )


def test_higher_scores_rank_first():
    bids = [bid("low", 55), bid("high", 80), bid("middle", 70)]
    assert rank(bids) == [
        RankedBid(1, bids[1], None),
        RankedBid(2, bids[2], None),
        RankedBid(3, bids[0], None),
    ]


def test_each_tie_break_rule_decides_one_pair():
    # B to F all score 70. Each bid is separated from the one above it by one rule:
    #   B over C: heaviest criterion 4 against 3
    #   C over D: heaviest level; request £50,000 against £60,000
    #   D over E: heaviest and request level; submitted 1 March against 2 March
    #   E over F: level on every rule; reference "E" before "F"
    bids = [
        bid("G", 60),
        bid("F", 70, heaviest=3, request_pence=pounds(60_000), submitted=2),
        bid("D", 70, heaviest=3, request_pence=pounds(60_000), submitted=1),
        bid("B", 70, heaviest=4, request_pence=pounds(100_000), submitted=5),
        bid("E", 70, heaviest=3, request_pence=pounds(60_000), submitted=2),
        bid("C", 70, heaviest=3, request_pence=pounds(50_000), submitted=9),
        bid("A", 80),
    ]
    ranked = rank(bids)
    assert [(r.rank, r.bid.key, r.tie_break) for r in ranked] == [
        (1, "A", None),
        (2, "B", None),  # its score differs from A's, so no tie-break was needed
        (3, "C", "Higher score on the heaviest criterion"),
        (4, "D", "Smaller MOPAC request"),
        (5, "E", "Submitted earlier"),
        (6, "F", LEVEL_ON_EVERY_RULE),
        (7, "G", None),
    ]


def test_ranking_does_not_depend_on_the_order_bids_arrive_in():
    bids = [bid("A", 70, heaviest=3), bid("B", 70, heaviest=3), bid("C", 70, heaviest=4)]
    assert rank(bids) == rank(reversed(bids))


def test_no_bids_rank_as_an_empty_list():
    assert rank([]) == []


def test_a_bid_can_only_be_ranked_once():
    with pytest.raises(ScoringError, match="^Bid 'A' appears more than once$"):
        rank([bid("A", 70), bid("A", 60)])
