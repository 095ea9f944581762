"""A grant's red, amber or green status, with the reasons for it, worked out in one place.

Each area below can give reasons; the grant's status is the worst of them, and a grant with
none is green. "Profile" is what the budget profile expected to be spent by now.

=============  ==============================================  ===============================
Area           Amber when                                      Red when
=============  ==============================================  ===============================
Returns        any return overdue (1 to 30 days), or any       any return more than 30 days
               return sent back for changes                    overdue
Spend          spend below 75% or above 110% of profile        spend below 50% or above 125%
                                                               of profile, or above the award
Outcomes       average progress against targets below 85%      below 60%
Milestones     one milestone overdue                           two or more overdue
=============  ==============================================  ===============================

There is no spend-to-profile rule while nothing is profiled yet, and no outcomes rule until
some indicator has a target to date. The rules assume a profile never expects more than the
award by now, as a profile shares the award out over time.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from eoi.money import format_pence

# A month late is a missed quarter's cycle of reporting, not a slip of a few days.
RETURN_RED_AFTER_DAYS = 30

# Spend within 75% to 110% of profile is ordinary timing; beyond half or a quarter over,
# delivery or the profile itself has gone wrong. Underspend gets more room than overspend
# because invoices arrive late, whereas money spent early cannot be got back.
SPEND_AMBER_BELOW = Fraction(3, 4)
SPEND_RED_BELOW = Fraction(1, 2)
SPEND_AMBER_ABOVE = Fraction(11, 10)
SPEND_RED_ABOVE = Fraction(5, 4)

# Outcomes often lag activity, so only a clear shortfall on average is flagged.
OUTCOMES_AMBER_BELOW = Fraction(85, 100)
OUTCOMES_RED_BELOW = Fraction(60, 100)

# One late milestone can be a blip; two is a pattern.
MILESTONES_RED_FROM = 2

ON_TRACK = "On track: returns in, spend and outcomes on profile"


class Rag(StrEnum):
    # Declared best to worst; `severity` is what status comparisons use.
    green = "green"
    amber = "amber"
    red = "red"

    @property
    def title(self) -> str:  # type: ignore[override]  # the words a user reads, not str.title()
        return self.value.title()

    @property
    def hint(self) -> str:
        return _RAG_HINTS[self]

    @property
    def severity(self) -> int:
        """0 for green, 1 for amber, 2 for red: higher is worse."""
        return list(Rag).index(self)


_RAG_HINTS = {
    Rag.green: "On track: nothing needs doing",
    Rag.amber: "Some concerns: keep a close eye on the grant",
    Rag.red: "Serious concerns: act now",
}


@dataclass(frozen=True)
class Reason:
    rag: Rag
    text: str  # shown to users as it is


@dataclass(frozen=True)
class GrantStatus:
    rag: Rag
    reasons: tuple[Reason, ...]  # worst first; never empty


@dataclass(frozen=True)
class GrantFacts:
    """What is known about a grant on `today`, gathered by whoever asks for its status."""

    today: date  # the day the facts describe, so a status can be shown "as at"
    returns_overdue: int  # past their due date and not submitted
    days_most_overdue: int  # 0 when none are overdue
    returns_returned_for_changes: int
    award_pence: int
    spend_to_date_pence: int
    profiled_spend_to_date_pence: int
    # Per indicator: achieved to date ÷ target to date; None while there is no target yet.
    outcome_progress: Sequence[tuple[str, Fraction | None]]
    milestones_overdue: int
    # Optional, to name the return in words: "Q1 2026-27".
    most_overdue_return: str | None = None

    def __post_init__(self) -> None:
        for name in (
            "returns_overdue",
            "days_most_overdue",
            "returns_returned_for_changes",
            "award_pence",
            "spend_to_date_pence",
            "profiled_spend_to_date_pence",
            "milestones_overdue",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if (self.returns_overdue > 0) != (self.days_most_overdue > 0):
            raise ValueError("an overdue return is at least a day overdue, and only then")
        progress = tuple(
            (title, None if ratio is None else Fraction(ratio))
            for title, ratio in self.outcome_progress
        )
        if any(ratio is not None and ratio < 0 for _, ratio in progress):
            raise ValueError("outcome progress cannot be negative")
        # A tuple keeps the facts immutable even when given a list.
        object.__setattr__(self, "outcome_progress", progress)


def grant_status(facts: GrantFacts) -> GrantStatus:
    reasons = [
        *_returns(facts),
        *_spend(facts),
        *_outcomes(facts),
        *_milestones(facts),
    ]
    if not reasons:
        return GrantStatus(Rag.green, (Reason(Rag.green, ON_TRACK),))
    # Stable, so reasons of equal weight keep the order of the areas above.
    reasons.sort(key=lambda reason: reason.rag.severity, reverse=True)
    return GrantStatus(reasons[0].rag, tuple(reasons))


def _returns(facts: GrantFacts) -> list[Reason]:
    reasons = []
    if facts.returns_overdue:
        rag = Rag.red if facts.days_most_overdue > RETURN_RED_AFTER_DAYS else Rag.amber
        days = _count(facts.days_most_overdue, "day")
        label = facts.most_overdue_return
        if facts.returns_overdue > 1:
            oldest = f"the {label} return" if label else "the oldest"
            text = f"{facts.returns_overdue} returns are overdue; {oldest} is {days} overdue"
        elif label:
            text = f"The {label} return is {days} overdue"
        else:
            text = f"1 return is {days} overdue"
        reasons.append(Reason(rag, text))
    sent_back = facts.returns_returned_for_changes
    if sent_back:
        has = "has" if sent_back == 1 else "have"
        text = f"{_count(sent_back, 'return')} {has} been sent back for changes"
        reasons.append(Reason(Rag.amber, text))
    return reasons


def _spend(facts: GrantFacts) -> list[Reason]:
    reasons = []
    spend, profile = facts.spend_to_date_pence, facts.profiled_spend_to_date_pence
    if profile:
        ratio = Fraction(spend, profile)
        rag = _spend_rag(ratio)
        if rag is not Rag.green:
            # Rounded away from the profile, so the words never look inside the threshold.
            percent = math.floor(ratio * 100) if ratio < 1 else math.ceil(ratio * 100)
            text = (f"Spend to date is {format_pence(spend)}, {percent}% of the "
                    f"{format_pence(profile)} profiled by now")
            reasons.append(Reason(rag, text))
    if spend > facts.award_pence:
        text = (f"Spend to date, {format_pence(spend)}, is more than the "
                f"{format_pence(facts.award_pence)} award")
        reasons.append(Reason(Rag.red, text))
    return reasons


def _spend_rag(ratio: Fraction) -> Rag:
    if ratio < SPEND_RED_BELOW or ratio > SPEND_RED_ABOVE:
        return Rag.red
    if ratio < SPEND_AMBER_BELOW or ratio > SPEND_AMBER_ABOVE:
        return Rag.amber
    return Rag.green


def _outcomes(facts: GrantFacts) -> list[Reason]:
    known = [(title, ratio) for title, ratio in facts.outcome_progress if ratio is not None]
    if not known:
        return []
    mean = sum((ratio for _, ratio in known), Fraction(0)) / len(known)
    if mean < OUTCOMES_RED_BELOW:
        rag = Rag.red
    elif mean < OUTCOMES_AMBER_BELOW:
        rag = Rag.amber
    else:
        return []
    # Bands, not percentages: beside a target shown on the same page, "at 10%" of a target
    # of 20 young people would give the withheld count (2) away.
    band = OUTCOMES_RED_BELOW if rag is Rag.red else OUTCOMES_AMBER_BELOW
    text = (f"Outcomes are under {math.floor(band * 100)}% of target to date on average "
            f"across {_count(len(known), 'indicator')}")
    if len(known) > 1:
        title, _lowest = min(known, key=lambda pair: pair[1])
        text += f"; lowest is {title}"
    return [Reason(rag, text)]


def _milestones(facts: GrantFacts) -> list[Reason]:
    late = facts.milestones_overdue
    if not late:
        return []
    rag = Rag.red if late >= MILESTONES_RED_FROM else Rag.amber
    return [Reason(rag, f"{_count(late, 'milestone')} {'is' if late == 1 else 'are'} overdue")]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _percent(threshold: Fraction) -> str:
    return f"{float(threshold * 100):g}%"


RULES: tuple[tuple[str, str, str], ...] = (
    (
        "Returns",
        f"Any return overdue by up to {RETURN_RED_AFTER_DAYS} days, or any return sent back "
        "for changes",
        f"Any return overdue by more than {RETURN_RED_AFTER_DAYS} days",
    ),
    (
        "Spend",
        f"Spend to date below {_percent(SPEND_AMBER_BELOW)} or above "
        f"{_percent(SPEND_AMBER_ABOVE)} of what the budget profile expected by now",
        f"Spend to date below {_percent(SPEND_RED_BELOW)} or above {_percent(SPEND_RED_ABOVE)} "
        "of what the profile expected by now, or more than the award",
    ),
    (
        "Outcomes",
        f"Average progress against targets to date below {_percent(OUTCOMES_AMBER_BELOW)}",
        f"Average progress against targets to date below {_percent(OUTCOMES_RED_BELOW)}",
    ),
    (
        "Milestones",
        "One milestone overdue",
        f"{MILESTONES_RED_FROM} or more milestones overdue",
    ),
)


def explain_rules() -> list[tuple[str, str, str]]:
    """(area, amber when, red when) rows, built from the same constants the rules use."""
    return list(RULES)
