"""Suggested assignments: three each, never a conflicted assessor, an even spread."""

from hypothesis import given
from hypothesis import strategies as st

from eoi.scoring.assignment import suggest_assignments


def test_three_assessors_each_spread_evenly():
    suggestion = suggest_assignments(["A", "B", "C", "D"], ["p1", "p2", "p3", "p4"])
    assert all(len(people) == 3 for people in suggestion.values())
    loads = [sum(p in people for people in suggestion.values()) for p in ["p1", "p2", "p3", "p4"]]
    assert loads == [3, 3, 3, 3]


def test_a_conflicted_assessor_is_never_suggested_and_the_bid_gets_who_is_left():
    suggestion = suggest_assignments(["A", "B"], ["p1", "p2", "p3"], conflicts={"A": {"p3"}})
    assert suggestion["A"] == ["p1", "p2"]
    assert sorted(suggestion["B"]) == ["p1", "p2", "p3"]


def test_existing_assessors_count_towards_the_three_and_the_load():
    suggestion = suggest_assignments(["A", "B"], ["p1", "p2", "p3", "p4"],
                                     existing={"A": {"p1", "p2"}})
    assert suggestion["A"] == ["p3"]
    # p3 took A's place, so p4 is the only one with no work yet: it goes first on B.
    assert suggestion["B"] == ["p4", "p1", "p2"]


@given(bids=st.integers(1, 12), assessors=st.integers(1, 8), per_bid=st.integers(1, 4),
       conflict_pairs=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 7)), max_size=20))
def test_suggestions_respect_conflicts_and_spread_within_one(bids, assessors, per_bid,
                                                           conflict_pairs):
    bid_keys, people = list(range(bids)), [f"p{i}" for i in range(assessors)]
    conflicts = {}
    for bid, person in conflict_pairs:
        if bid < bids and person < assessors:
            conflicts.setdefault(bid, set()).add(f"p{person}")
    suggestion = suggest_assignments(bid_keys, people, conflicts=conflicts, per_bid=per_bid)
    for bid, chosen in suggestion.items():
        assert len(chosen) == len(set(chosen))
        assert not set(chosen) & conflicts.get(bid, set())
        free = assessors - len(conflicts.get(bid, set()))
        assert len(chosen) == min(per_bid, free)
    if not conflicts:
        loads = [sum(p in c for c in suggestion.values()) for p in people]
        assert max(loads) - min(loads) <= 1
