"""The sections of an expression of interest, written as data.

Each section lists its questions. A draft may be saved with anything missing; a section
is complete only when every required question has an answer. Sections whose questions
depend on the round (priorities, outcomes) or the consortium (budget) are built by
functions in `eoi.eois.dynamic`.
"""

from dataclasses import dataclass, field
from typing import TypeGuard


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    hint: str | None = None
    required: bool = True
    long: bool = True  # a textarea; otherwise a one-line input
    max_length: int = 5000


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...] = field(default_factory=tuple)
    # Sections built at run time from the round or the consortium.
    dynamic: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Summary", (
        Question("title", "Project title", long=False, max_length=200),
        Question("summary", "Summary of the proposal",
                 hint="What you will do, for whom, where, and what will change. "
                 "About 300 words.", max_length=3000),
    )),
    Section("priorities", "Priorities addressed", dynamic=True),
    Section("need", "Need and evidence", (
        Question("quantitative", "Quantitative evidence",
                 hint="Numbers that show the level of need, with their sources"),
        Question("qualitative", "Qualitative evidence",
                 hint="What young people, families and professionals have told you"),
        Question("contextual", "Context",
                 hint="Local factors: gangs, county lines, schools, existing services"),
        Question("data_sources", "Data sources", long=False, max_length=1000),
    )),
    Section("delivery", "Proposed delivery model", (
        Question("model", "The delivery model",
                 hint="Hub, co-location, integrated governance and information sharing"),
        Question("components", "Service components and cohorts",
                 hint="What each partner delivers, and for which young people"),
        Question("follows_young_person", "How support follows young people",
                 hint="Across borough boundaries, outside London, and into adulthood"),
        Question("schools", "Work with schools",
                 hint="How you will engage schools and plan around the academic year"),
    )),
    Section("outcomes", "Outcomes and targets", dynamic=True),
    Section("partnership", "Partnership and governance", (
        Question("partners", "Partners and their roles"),
        Question("vcs", "Voluntary and community sector involvement",
                 hint="Including how small specialist providers take part"),
        Question("lead_capacity", "The lead commissioner's capacity",
                 hint="Time, seniority and political sign-off"),
    )),
    Section("participation", "Participation of young people and families", (
        Question("participation", "How young people and families shape the service",
                 hint="In design, delivery and review"),
    )),
    Section("data_sharing", "Data sharing and consent", (
        Question("data_sharing", "Information sharing between partners"),
        Question("consent", "Consent and young people's trust",
                 hint="How young people stay in control of what is shared about them"),
    )),
    Section("risks", "Risks and mitigations", (
        Question("risks", "Main risks and how you will manage them"),
        Question("local_provision", "Effect on local provision and small providers",
                 hint="How you avoid destabilising existing services or stretching small "
                 "providers"),
    )),
    Section("budget", "Budget", dynamic=True),
    Section("sustainability", "Sustainability and exit", (
        Question("sustainability", "How the work continues after the grant"),
        Question("exit", "Exit plan", hint="What happens to young people supported if the "
                 "service ends"),
    )),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
SECTION_ORDER = {section.key: position for position, section in enumerate(SECTIONS)}


def missing_answers(section: Section, content: dict) -> list[Question]:
    """The required questions of a fixed section without an answer."""
    return [q for q in section.questions
            if q.required and not str(content.get(q.name) or "").strip()]


def in_shape(key: str, content: object) -> dict:
    """`content` as section `key`'s questions expect it. Anything else (a list where a text
    belongs, a key no question has) is left out, so a damaged record reads as unanswered
    instead of breaking every page that shows it."""
    if not isinstance(content, dict):
        return {}
    if key == "priorities":
        ids = content.get("priority_ids")
        return {"priority_ids": [i for i in ids if _is_count(i)] if isinstance(ids, list)
                else [], "how": _text(content.get("how"))}
    if key == "outcomes":
        chosen = content.get("indicators")
        indicators = {}
        for indicator_id, figures in (chosen.items() if isinstance(chosen, dict) else ()):
            if not (_is_id(indicator_id) and isinstance(figures, dict)):
                continue
            targets = figures.get("targets")
            indicators[indicator_id] = {
                "baseline": _count(figures.get("baseline")),
                "targets": {year: _count(value) for year, value in targets.items()
                            if _is_id(year)} if isinstance(targets, dict) else {},
            }
        return {"indicators": indicators}
    if key == "budget":
        return {"notes": _text(content.get("notes"))}
    section = SECTIONS_BY_KEY.get(key)
    return {q.name: _text(content.get(q.name)) for q in section.questions} if section else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count(value: object) -> int | None:
    return value if _is_count(value) else None


def _is_id(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10
