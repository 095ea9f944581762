"""A fund at national scale, built on top of the demo, to measure the pages against.

`load_national()` adds ten rounds, 5,000 EOIs from 1,500 consortia, 2,000 grants with 24,000
quarterly returns, 5,000 people and 100,000 audit entries; `grow_demo(factor)` adds the same
kinds of rows until the database holds `factor` times the demo's own counts (for the tests
that check a page costs as many statements on the demo as on ten times it).

Rows go in through SQLAlchemy Core, many at a time: the ORM one object at a time would take
an hour at national scale. Core inserts pass no ORM listener, so the privacy guard
(eoi.guard) never sees them: every text here is the service's own or generated from fixed
phrases and numbers, and names no young person. Ids are given here (each table's largest id
plus one) so rows can point at each other before they are written; PostgreSQL's sequences
are moved past them at the end. Every unique rule, check constraint and model invariant
holds: payments never add up to more than the award, a payment tied to a milestone is
approved only once the milestone is accepted, a funded decision has an amount no more than
the MOPAC request, returns exist for exactly the quarters their grant delivers in, and
decisions are published (their round decided) before grants are made from them.

The demo's people take part at realistic shares, so each person's pages have something
to show: the demo panel members assess a few hundred bids between them, the Greenwich lead
leads some dozens of consortia, St Giles Trust delivers some dozens of grants.
"""

import math
import random
from collections import defaultdict
from dataclasses import astuple, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update

from eoi import clock
from eoi.accounts.models import Role, User, UserRole
from eoi.accounts.operations import find_user_by_email
from eoi.accounts.passwords import hash_password
from eoi.assessment.models import (
    Assessment,
    AssessmentStatus,
    Decision,
    DecisionOutcome,
    ModeratedScore,
    PanelMember,
    Score,
)
from eoi.audit.models import AuditEntry
from eoi.clock import LONDON
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    ConsortiumPartner,
    MembershipStatus,
    PartnerRole,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from eoi.demo import found
from eoi.eois.models import BudgetLine, CostCategory, Eoi, EoiEditor, EoiSection, EoiStatus
from eoi.eois.sections import SECTIONS
from eoi.extensions import db
from eoi.grants.models import (
    ConditionStatus,
    Grant,
    GrantBudgetLine,
    GrantCondition,
    GrantFunding,
    GrantIndicator,
    GrantPartner,
    GrantState,
    IndicatorTarget,
    Milestone,
    MilestoneStatus,
    Payment,
    PaymentStatus,
)
from eoi.grants.periods import Quarter, quarters_between
from eoi.money import financial_year_of, share_out
from eoi.reference.models import (
    Indicator,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Priority,
    PriorityKind,
)
from eoi.returns.figures import AGE_BANDS, DISABILITIES, GENDERS, OUTSIDE_LONDON
from eoi.returns.models import (
    QuarterlyReturn,
    ReturnBoroughCount,
    ReturnCount,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
)
from eoi.rounds import operations as rounds
from eoi.rounds.models import FundingRound, RoundStatus


@dataclass(frozen=True)
class Volumes:
    """How many of each thing to add."""

    rounds: int
    eois: int
    consortia: int
    grants: int
    returns: int
    users: int
    audit_entries: int


NATIONAL = Volumes(rounds=10, eois=5_000, consortia=1_500, grants=2_000, returns=24_000,
                   users=5_000, audit_entries=100_000)

_COUNTED = {"rounds": FundingRound, "eois": Eoi, "consortia": Consortium, "grants": Grant,
            "returns": QuarterlyReturn, "users": User, "audit_entries": AuditEntry}


def counted_volumes() -> Volumes:
    """What the database holds now, counted as Volumes are."""
    return Volumes(**{name: db.session.scalar(select(func.count()).select_from(model)) or 0
                      for name, model in _COUNTED.items()})


def grow_demo(factor: int, password: str) -> Volumes:
    """Add (factor - 1) times the demo's counts, so the database holds `factor` times the
    demo. Call it right after the demo is loaded. Returns what was added."""
    if factor < 1:
        raise ValueError("the factor is a whole number of times the demo, at least 1")
    demo = counted_volumes()
    added = Volumes(*(count * (factor - 1) for count in astuple(demo)))
    load_scale(added, password)
    return added


def load_national(password: str, volumes: Volumes = NATIONAL) -> Volumes:
    """The national fund on top of the demo. MOPAC gets an identifier (an invented one, in
    the .invalid style of the demo's addresses) only if it has none, so the open data
    pages publish every grant and can be measured."""
    load_scale(volumes, password)
    db.session.execute(update(Organisation).where(
        Organisation.type == OrganisationType.mopac, Organisation.org_id.is_(None))
        .values(org_id="XI-INVALID-MOPAC", version=Organisation.version + 1))
    return volumes


def load_scale(volumes: Volumes, password: str, *, seed: int = 2026) -> None:
    if volumes.eois and not volumes.consortia:
        raise ValueError("EOIs need consortia to come from")
    _Builder(volumes, password, random.Random(seed)).build()
    db.session.expire_all()  # the ORM's copies of rows the Core statements changed


# Words -------------------------------------------------------------------------------------------
# Fixed phrases: no names, no numbers of young people, nothing the privacy guard would refuse.

# The budget by cost category each scale grant plans, as weights.
SCALE_CATEGORIES = {"staff": 6, "delivery": 3, "training": 1}

PURPOSES = (
    "Joint commissioning of specialist support for young people at risk of exploitation, "
    "following them across the member boroughs' boundaries.",
    "A shared hub of analysts, youth workers and advocates for peer-on-peer and "
    "gang-associated exploitation across the member boroughs.",
    "Trauma-informed support that stays with young people into adulthood, commissioned "
    "together so it does not stop at a borough boundary.",
    "Specialist workers for boys and young men, with training for the professionals who "
    "meet them first.",
)
SECTION_TEXT = {
    "summary": {"summary": "Specialist workers across the member boroughs, a shared caseload "
                "and one referral route, so support follows young people wherever they "
                "are in London."},
    "need": {"quantitative": "Referrals for exploitation rose across the member boroughs "
             "over the last two years, according to MASH returns.",
             "qualitative": "Young people told us they want one worker who stays and does "
             "not judge.",
             "contextual": "County lines and peer groups cross the boroughs' boundaries; "
             "existing services stop at them.",
             "data_sources": "Borough MASH returns, police flags, provider records "
             "(aggregated)"},
    "delivery": {"model": "Workers co-located with the boroughs' exploitation teams, with a "
                 "shared caseload and weekly partnership meetings.",
                 "components": "One-to-one advocacy, group work, counselling and training "
                 "for professionals.",
                 "follows_young_person": "A young person keeps the same worker across "
                 "boroughs and into adult services.",
                 "schools": "Termly briefings for designated safeguarding leads, planned "
                 "around the academic year."},
    "partnership": {"partners": "The member boroughs commission together; the lead provider "
                    "delivers.",
                    "vcs": "Small specialist providers are paid for their time in "
                    "governance.",
                    "lead_capacity": "The lead commissioner has four days a month agreed and "
                    "political sign-off."},
    "participation": {"participation": "A paid young people's advisory group reviews the "
                      "service each quarter."},
    "data_sharing": {"data_sharing": "Aggregate figures are shared monthly under one "
                     "information sharing agreement.",
                     "consent": "Young people are told in plain words what is shared, with "
                     "whom and why."},
    "risks": {"risks": "Recruitment delays, mitigated by secondments; low referrals, "
              "mitigated by training.",
              "local_provision": "Existing services were mapped first; the project adds to "
              "them."},
    "sustainability": {"sustainability": "Boroughs fund the core posts from the third year "
                       "if the outcomes are met.",
                       "exit": "Every young person has a plan for support to continue "
                       "through universal services."},
}
COMMENTS = {0: "No evidence for this criterion.", 1: "Weak: little evidence and no clear plan.",
            2: "Adequate, with gaps.", 3: "Good: clear evidence and a credible plan.",
            4: "Excellent: strong evidence, well planned and costed."}
NARRATIVE = {
    "progress": "Group work ran in every partner school and one-to-one support continued "
                "across the member boroughs.",
    "challenges": "Referrals dip in the school holidays; workers used the time for training.",
    "risks": "A fixed-term post ends in the spring; the lead commissioner is seeking an "
             "extension.",
    "case_study": "A young person referred by a teacher rebuilt contact with their family "
                  "after weekly sessions and now takes part in group work.",
}
GENDER_WEIGHTS, AGE_WEIGHTS, DISABILITY_WEIGHTS = (12, 5, 1, 1), (2, 8, 6, 3), (3, 14, 2)
AUDIT_ACTIONS = (  # (action, what it is done to, summary)
    ("eoi.section_saved", "eois", "Saved a section"),
    ("eoi.submitted", "eois", "Submitted the expression of interest"),
    ("return.saved", "returns", "Saved the return on the web form"),
    ("return.submitted", "returns", "Submitted the return"),
    ("return.accepted", "returns", "Accepted the return"),
    ("payment.paid", "payments", "Recorded the payment as paid"),
    ("milestone.accepted", "milestones", "Accepted the milestone's evidence"),
    ("user.signed_in", "users", "Signed in"),
    ("pledge.confirmed", "pledges", "Confirmed the pledge"),
)


def _london(day: date, hours: int = 10) -> datetime:
    return datetime.combine(day, time(hours), tzinfo=LONDON)


class _Builder:
    def __init__(self, volumes: Volumes, password: str, rng: random.Random):
        self.volumes, self.password, self.rng = volumes, password, rng
        self.now, self.today = clock.now(), clock.today()
        self.year = financial_year_of(self.today)
        self.rows: dict[str, list[dict]] = defaultdict(list)  # table name -> rows to add
        self.next_id: dict[str, int] = {}
        self.plans: list[dict[str, Any]] = []
        self.references: dict[str, int] = {}

    # Bookkeeping ---------------------------------------------------------------------------
    def add(self, model, **values) -> int:
        """Queue one row of `model`'s table, giving it the next id; return the id."""
        table = model.__table__
        if "id" in table.c and "id" not in values:
            if table.name not in self.next_id:
                self.next_id[table.name] = (
                    db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            values["id"] = self.next_id[table.name]
            self.next_id[table.name] += 1
        if "version" in table.c:
            values["version"] = 1
        self.rows[table.name].append(values)
        return values.get("id", 0)

    def last(self, model) -> dict:
        """The row of `model` queued last."""
        return self.rows[model.__tablename__][-1]

    def write(self) -> None:
        """Every queued row, parents first, a thousand at a time."""
        for table in db.metadata.sorted_tables:
            rows = self.rows.pop(table.name, [])
            by_keys: dict[tuple, list[dict]] = defaultdict(list)
            for row in rows:  # one executemany per shape of row
                by_keys[tuple(sorted(row))].append(row)
            for batch in by_keys.values():
                for start in range(0, len(batch), 1000):
                    db.session.execute(insert(table), batch[start:start + 1000])
        if db.engine.dialect.name == "postgresql":
            for name in self.next_id:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"))

    def when(self, start: datetime, end: datetime) -> datetime:
        """An instant between the two, never after now."""
        end = min(end, self.now - timedelta(minutes=1))
        start = min(start, end)
        if end == start:
            return start
        return start + (end - start) * self.rng.random()

    # The fund ---------------------------------------------------------------------------------
    def build(self) -> None:
        self.audit_before = db.session.scalar(select(func.count(AuditEntry.id))) or 0
        self.reference_data()
        self.people()
        self.consortia()
        self.funding_rounds()
        for plan in self.plans:
            self.eois_of(plan)
        self.pledges()
        self.write()
        self.audit_trail()
        self.write()

    def reference_data(self) -> None:
        self.mopac = found(db.session.scalar(select(Organisation).where(
            Organisation.type == OrganisationType.mopac)), "MOPAC")
        self.boroughs = list(db.session.execute(
            select(LocalAuthority.id, LocalAuthority.name, LocalAuthority.gss_code,
                   Organisation.id).join(Organisation,
                                         Organisation.local_authority_id == LocalAuthority.id)
            .order_by(LocalAuthority.name)))
        self.borough_org = {b[0]: b[3] for b in self.boroughs}
        self.borough_name = {b[0]: b[1] for b in self.boroughs}
        self.borough_gss = {b[0]: b[2] for b in self.boroughs}
        self.indicators = list(db.session.scalars(
            select(Indicator.id).where(Indicator.is_archived.is_(False)).order_by(Indicator.id)))
        self.priorities = list(db.session.scalars(select(Priority.id).where(
            Priority.kind == PriorityKind.strategic, Priority.is_archived.is_(False))))
        self.manager = found(find_user_by_email("manager@demo.example"), "the demo manager")
        self.demo_panel = [found(find_user_by_email(f"panel{n}@demo.example"), "panel")
                           for n in (1, 2, 3)]
        self.greenwich_lead = found(find_user_by_email("lead.greenwich@demo.example"), "lead")
        self.st_giles = found(db.session.scalar(select(Organisation).where(
            Organisation.name == "St Giles Trust")), "St Giles Trust")
        self.nhs = db.session.scalar(select(Organisation).where(
            Organisation.name == "NHS England (London)"))

    def people(self) -> None:
        """Organisations for the new providers, then people in every role: most of them
        commissioners and partners, spread over every borough and provider."""
        n = self.volumes.users
        self.providers = [self.add(Organisation, name="", type=OrganisationType.vcs,
                                   is_archived=False) for _ in range(max(2, n // 25))]
        for row in self.rows[Organisation.__tablename__]:
            row["name"] = f"Community provider {row['id']:05d} (scale data)"
        self.providers.append(self.st_giles.id)
        password_hash = hash_password(self.password)
        # Who is who, existing people included: (id, organisation id) by role.
        self.commissioners: dict[int, list[int]] = defaultdict(list)  # borough id -> users
        self.borough_of: dict[int, int] = {}  # commissioner -> borough id
        self.partner_users: dict[int, list[int]] = defaultdict(list)  # organisation -> users
        self.panel_pool: list[tuple[int, int]] = []
        for user_id, organisation_id, local_authority_id, role in db.session.execute(
                select(User.id, User.organisation_id, Organisation.local_authority_id,
                       UserRole.role).join(User.organisation).join(UserRole)
                .where(User.is_active.is_(True))):
            if role is Role.commissioner and local_authority_id:
                self.commissioners[local_authority_id].append(user_id)
                self.borough_of[user_id] = local_authority_id
            elif role is Role.partner:
                self.partner_users[organisation_id].append(user_id)
        self.fund_managers = [self.manager.id]
        counts = share_out(n, {Role.fund_manager.value: 2, Role.panel_member.value: 4,
                               Role.commissioner.value: 54, Role.partner.value: 40})
        roles = [Role(value) for value, count in counts.items() for _ in range(count)]
        self.rng.shuffle(roles)
        seen: dict[Role, int] = defaultdict(int)
        for number, role in enumerate(roles):
            nth = seen[role]
            seen[role] += 1
            if role is Role.fund_manager:
                organisation = self.mopac.id
            elif role is Role.panel_member:
                organisation = self.nhs.id if self.nhs and nth % 4 == 3 else self.mopac.id
            elif role is Role.commissioner:
                borough = self.boroughs[nth % len(self.boroughs)]
                organisation = borough[3]
            else:
                organisation = self.providers[nth % len(self.providers)]
            active = number % 50 != 49
            user_id = self.add(User, email="", full_name="", organisation_id=organisation,
                               password_hash=password_hash, is_active=active,
                               created_at=self.now - timedelta(days=900 - number % 800))
            row = self.last(User)
            row["email"] = f"{role.value.replace('_', '.')}.{user_id:05d}@scale.example"
            row["full_name"] = f"{role.title} {user_id:05d}"
            self.add(UserRole, user_id=user_id, role=role)
            if not active:
                continue
            if role is Role.fund_manager:
                self.fund_managers.append(user_id)
            elif role is Role.panel_member:
                self.panel_pool.append((user_id, organisation))
            elif role is Role.commissioner:
                self.commissioners[borough[0]].append(user_id)
                self.borough_of[user_id] = borough[0]
            else:
                self.partner_users[organisation].append(user_id)

    def consortia(self) -> None:
        """Consortia of two to four boroughs, led by a commissioner of one of them; some with
        an invitation waiting, a declined one or a borough that left; partners from the
        providers, St Giles Trust in every thirtieth."""
        self.consortium: dict[int, dict] = {}
        with_officers = [b for b in self.boroughs if self.commissioners[b[0]]]
        if not with_officers:
            raise LookupError("the scale data needs commissioners to lead its consortia")
        greenwich = found(self.greenwich_lead.organisation.local_authority_id, "Greenwich")
        for number in range(self.volumes.consortia):
            if number % 40 == 0:
                lead, lead_borough = self.greenwich_lead.id, greenwich
            else:
                borough = with_officers[number % len(with_officers)]
                lead_borough = borough[0]
                lead = self.rng.choice(self.commissioners[lead_borough])
            others = [b[0] for b in self.rng.sample(self.boroughs, 6) if b[0] != lead_borough]
            members = [lead_borough] + others[:1 + number % 3]
            created = self.now - timedelta(days=self.rng.randint(400, 2400))
            consortium_id = self.add(
                Consortium, name="", purpose=PURPOSES[number % len(PURPOSES)], lead_id=lead,
                created_by_id=lead, created_at=created)
            names = [self.borough_name[b] for b in members]
            self.last(Consortium)["name"] = (
                f"{' and '.join(names[:2])}{' and others' if len(names) > 2 else ''} "
                f"partnership {consortium_id:05d}")
            for borough_id in members:
                self._membership(consortium_id, borough_id, MembershipStatus.accepted, lead,
                                 created)
            extra = others[len(members) - 1:]
            for status, every in ((MembershipStatus.invited, 5), (MembershipStatus.declined, 11),
                                  (MembershipStatus.left, 13)):
                if number % every == 0 and extra:
                    self._membership(consortium_id, extra.pop(), status, lead, created)
            lead_provider = (self.st_giles.id if number % 30 == 0
                             else self.providers[number % len(self.providers)])
            partners = [(lead_provider, PartnerRole.lead_provider, False)]
            if number % 3 == 0:
                other = self.providers[(number * 7 + 1) % len(self.providers)]
                if other != lead_provider:
                    partners.append((other, PartnerRole.delivery_partner, number % 23 == 0))
            if number % 17 == 0 and self.nhs is not None:
                partners.append((self.nhs.id, PartnerRole.co_funder, False))
            for organisation, role, removed in partners:
                self.add(ConsortiumPartner, consortium_id=consortium_id,
                         organisation_id=organisation, role=role, is_removed=removed)
            self.consortium[consortium_id] = {
                "lead": lead, "members": members, "created": created,
                "partners": {o for o, _r, removed in partners if not removed},
                "delivering": [o for o, r, removed in partners if not removed
                               and r in (PartnerRole.lead_provider,
                                         PartnerRole.delivery_partner)],
                "member_orgs": {self.borough_org[b] for b in members}}

    def _membership(self, consortium_id, borough_id, status, lead, created) -> None:
        answered = status is not MembershipStatus.invited
        officers = self.commissioners[borough_id]
        self.add(ConsortiumMembership, consortium_id=consortium_id, local_authority_id=borough_id,
                 status=status, invited_by_id=lead, invited_at=created,
                 responded_by_id=(lead if borough_id == self.borough_of.get(lead) else
                                  officers[0] if officers else None) if answered else None,
                 responded_at=created + timedelta(days=3) if answered else None)

    # Rounds --------------------------------------------------------------------------------
    def funding_rounds(self) -> None:
        """Newest first: one open, one closed and being assessed, one assessed with its
        decisions recorded but not published, one draft, and the rest decided, their grants
        in delivery or (the oldest) ended."""
        v = self.volumes
        count = v.rounds
        if v.grants and count < 2:
            raise ValueError("grants need a decided round and one more")
        kinds = [RoundStatus.open, RoundStatus.closed, RoundStatus.assessed,
                 RoundStatus.draft][:max(0, count - 1)] if count > 1 else []
        kinds += [RoundStatus.decided] * (count - len(kinds))
        decided = [k for k in kinds if k is RoundStatus.decided]
        self.quarters = max(1, v.returns // v.grants) if v.grants else 4
        # The returns left over go one each to the first grants, so the total is exact.
        self.extra_returns = v.returns - v.grants * self.quarters if v.grants else 0
        years = math.ceil((self.quarters + (1 if self.extra_returns > 0 else 0)) / 4)
        grants = share_out(v.grants, dict.fromkeys(range(len(decided)), 1)) if decided else {}
        # EOIs: enough in each decided round for its grants, the rest spread with more in
        # the rounds people are working on now.
        needed = {i: max(g, min(math.ceil(g * 1.7), len(self.consortium)))
                  for i, g in grants.items()}
        rest = v.eois - sum(needed.values())
        if rest < 0:
            raise ValueError(f"{v.eois} EOIs cannot fund {v.grants} grants")
        weights = {i: 0 if kind is RoundStatus.draft else 1 if kind is RoundStatus.decided
                   else 3 for i, kind in enumerate(kinds)}
        spread = share_out(rest, weights) if any(weights.values()) else {}
        # A consortium bids once a round: what a round cannot take goes to one with room.
        decided_at = [i for i, kind in enumerate(kinds) if kind is RoundStatus.decided]
        totals = {i: spread.get(i, 0) for i in range(len(kinds))}
        for nth, position in enumerate(decided_at):
            totals[position] += needed[nth]
        cap = len(self.consortium)
        floor = {position: needed[nth] for nth, position in enumerate(decided_at)}
        for position in totals:
            # Never below what a decided round needs for its grants (too few consortia for
            # those is refused below).
            over = min(totals[position] - cap, totals[position] - floor.get(position, 0))
            for other in totals:
                if over <= 0:
                    break
                room = cap - totals[other] if weights[other] else 0
                moved = min(max(room, 0), over)
                totals[other] += moved
                totals[position] -= moved
                over -= moved
        spread = {i: totals[i] - (needed[decided_at.index(i)] if i in decided_at else 0)
                  for i in totals}
        existing = db.session.scalar(select(func.count(FundingRound.id))) or 0
        nth_decided = 0
        for position, kind in enumerate(kinds):
            number = existing + count - position
            if kind is RoundStatus.decided:
                first_year = self.year - min((nth_decided + 1) // 2, 6)
                closes = _london(date(first_year - 1, 12 - nth_decided % 2 * 2, 16), 0)
                opens = closes - timedelta(days=90)
                funded = grants[nth_decided]
                eois = needed[nth_decided] + spread.get(position, 0)
                nth_decided += 1
            else:
                funded = 0
                eois = spread.get(position, 0)
                first_year = self.year + (2 if kind is RoundStatus.draft else 1)
                closes = {RoundStatus.assessed: self.now - timedelta(days=45),
                          RoundStatus.closed: self.now - timedelta(days=10),
                          RoundStatus.open: self.now + timedelta(days=40),
                          RoundStatus.draft: self.now + timedelta(days=150)}[kind]
                opens = closes - timedelta(days=60 if kind is RoundStatus.open else 90)
            if eois > len(self.consortium):
                raise ValueError(f"a round of {eois} EOIs needs as many consortia")
            funding_round = rounds.create_round(values={
                "title": f"Co-commissioning fund: national round {number} (scale data)",
                "envelope_pence": 1_000_000_00, "first_financial_year": first_year,
                "last_financial_year": first_year + years - 1, "opens_at": opens,
                "closes_at": closes, "guidance": "Bid as a consortium of boroughs with a "
                "named lead commissioner.", "min_member_boroughs": 2,
                "min_match_percent": 25}, by=self.manager)
            funding_round.status = kind
            self.plans.append({"round": funding_round, "kind": kind, "eois": eois,
                               "funded": funded, "first_year": first_year, "years": years,
                               "opens": opens, "closes": closes})
        db.session.flush()
        for plan in self.plans:
            funding_round = plan["round"]
            plan["id"] = funding_round.id
            plan["criteria"] = [(c.id, c.weight) for c in funding_round.criteria]
            plan["decided_at"] = plan["closes"] + timedelta(days=30)

    # EOIs, the panel and decisions -------------------------------------------------------------
    def eois_of(self, plan: dict) -> None:
        kind = plan["kind"]
        if not plan["eois"]:
            return
        years = list(range(plan["first_year"], plan["first_year"] + plan["years"]))
        chosen = self.rng.sample(sorted(self.consortium), plan["eois"])
        plan["submitted"] = []
        for number, consortium_id in enumerate(chosen):
            consortium = self.consortium[consortium_id]
            roll = self.rng.random()
            if kind is RoundStatus.decided and number < plan["funded"]:
                status = EoiStatus.submitted  # enough bids for the round's grants
            elif kind is RoundStatus.open:
                status = EoiStatus.submitted if roll < 0.3 else EoiStatus.draft
            else:
                status = (EoiStatus.submitted if roll < 0.88 else EoiStatus.withdrawn
                          if roll < 0.94 else EoiStatus.draft)
            submitted_at = (self.when(plan["opens"] + timedelta(days=5), plan["closes"])
                            if status is not EoiStatus.draft else None)
            eoi_id = self.add(
                Eoi, consortium_id=consortium_id, round_id=plan["id"], status=status,
                reference=self.reference(submitted_at) if submitted_at else None,
                created_by_id=consortium["lead"],
                created_at=self.when(plan["opens"], plan["opens"] + timedelta(days=5)),
                submitted_at=submitted_at,
                submitted_by_id=consortium["lead"] if submitted_at else None)
            place = self.borough_name[consortium["members"][0]]
            eoi = {"id": eoi_id, "consortium": consortium_id, "status": status,
                   "title": f"Exploitation prevention across {place} and partners, "
                            f"bid {eoi_id:05d}",
                   "reference": self.last(Eoi)["reference"],
                   "quality": self.rng.uniform(0.25, 0.95), "years": years}
            complete = status is not EoiStatus.draft
            keys = [s.key for s in SECTIONS]
            if not complete:
                keys = keys[:self.rng.randint(2, len(keys))]
            eoi["indicators"] = self.rng.sample(self.indicators, min(3, len(self.indicators)))
            for key in keys:
                self.add(EoiSection, eoi_id=eoi_id, key=key,
                         content=self.section_content(key, eoi),
                         is_complete=complete or self.rng.random() < 0.5,
                         updated_by_id=consortium["lead"],
                         updated_at=submitted_at or self.when(plan["opens"], plan["closes"]))
            if complete or number % 2 == 0:
                self.budget(eoi, consortium)
            if status is EoiStatus.draft and number % 4 == 0:
                helpers = self.partner_users.get(next(iter(consortium["delivering"]), 0))
                if helpers:
                    self.add(EoiEditor, eoi_id=eoi_id, user_id=helpers[0])
            if status is EoiStatus.submitted:
                plan["submitted"].append(eoi)
        if kind in (RoundStatus.closed, RoundStatus.assessed, RoundStatus.decided):
            self.panel(plan)
        if kind in (RoundStatus.assessed, RoundStatus.decided):
            self.decisions(plan)

    def reference(self, submitted_at: datetime) -> str:
        prefix = f"CCF-{submitted_at.astimezone(LONDON).year}-"
        if prefix not in self.references:  # numbered on from those already given
            self.references[prefix] = db.session.scalar(select(func.count(Eoi.id)).where(
                Eoi.reference.like(prefix + "%"))) or 0
        self.references[prefix] += 1
        return f"{prefix}{self.references[prefix]:04d}"

    def section_content(self, key: str, eoi: dict) -> dict:
        if key == "summary":
            return {"title": eoi["title"], **SECTION_TEXT["summary"]}
        if key == "priorities":
            return {"priority_ids": [self.priorities[eoi["id"] % len(self.priorities)]]
                    if self.priorities else [],
                    "how": "The proposal answers this priority across borough boundaries."}
        if key == "outcomes":
            return {"indicators": {str(indicator): {
                "baseline": 10 + 5 * n,
                "targets": {str(y): 20 + 10 * n + 10 * i for i, y in enumerate(eoi["years"])}}
                for n, indicator in enumerate(eoi["indicators"])}}
        if key == "budget":
            return {"notes": "Borough contributions are confirmed; in-kind contributions are "
                    "staff time and rooms."}
        return SECTION_TEXT[key]

    def budget(self, eoi: dict, consortium: dict) -> None:
        """MOPAC's ask for staff each year, and the member boroughs' match (about a third)."""
        eoi["mopac"], eoi["match"] = {}, defaultdict(int)
        boroughs = consortium["members"]
        for offset, year in enumerate(eoi["years"]):
            pounds = self.rng.randint(6, 20) * 10_000
            eoi["mopac"][year] = pounds * 100
            self.add(BudgetLine, eoi_id=eoi["id"], financial_year=year,
                     category=CostCategory.staff, funder_id=self.mopac.id,
                     amount_pence=pounds * 100)
            for n, (category, share) in enumerate(((CostCategory.delivery, 3),
                                                   (CostCategory.training, 2))):
                if offset and n:
                    continue
                funder = self.borough_org[boroughs[n % len(boroughs)]]
                amount = pounds * share // 10 * 100
                self.add(BudgetLine, eoi_id=eoi["id"], financial_year=year, category=category,
                         funder_id=funder, amount_pence=amount)
                eoi["match"][(year, funder)] += amount
        consortium.setdefault("budgets", []).append(eoi)

    def panel(self, plan: dict) -> None:
        """Three assessors on each bid, one of the demo panel on every fifth; a conflicted
        assessor (their organisation a partner or member) is flagged and another found."""
        kind, closes = plan["kind"], plan["closes"]
        pool = self.rng.sample(self.panel_pool, min(15, len(self.panel_pool)))
        demo = [(u.id, u.organisation_id) for u in self.demo_panel]
        panel = demo + pool
        for user_id, _org in panel:
            self.add(PanelMember, round_id=plan["id"], user_id=user_id,
                     added_at=closes - timedelta(days=20))
        plan["assessed_at"] = closes + timedelta(days=25)
        for number, eoi in enumerate(plan["submitted"]):
            consortium = self.consortium[eoi["consortium"]]
            interested = consortium["partners"] | consortium["member_orgs"]
            first = [demo[number // 5 % 3]] if number % 5 == 0 else []
            candidates = first + self.rng.sample(pool, min(4, len(pool))) + (
                [] if first else demo)
            scorers: list[int] = []
            seen: set[int] = set()
            for user_id, organisation in candidates:
                if user_id in seen or len(scorers) == 3:
                    continue
                seen.add(user_id)
                if organisation in interested:
                    self.add(Assessment, eoi_id=eoi["id"], assessor_id=user_id,
                             status=AssessmentStatus.conflicted, has_interest=True,
                             interest_details="Its organisation is a partner or member of "
                             "the consortium", flagged_by_system=True,
                             declared_at=closes + timedelta(days=1),
                             assigned_at=closes + timedelta(days=1),
                             updated_at=closes + timedelta(days=1))
                else:
                    scorers.append(user_id)
            flagged = number % 25 == 7 and len(scorers) >= 2
            eoi["flagged"] = flagged
            for n, user_id in enumerate(scorers):
                if kind is RoundStatus.closed:
                    status = (AssessmentStatus.awaiting_declaration, AssessmentStatus.in_progress,
                              AssessmentStatus.submitted, AssessmentStatus.submitted)[
                        (number + n) % 4]
                else:
                    status = AssessmentStatus.submitted
                assigned = closes + timedelta(days=1)
                declared = closes + timedelta(days=2) if (
                    status is not AssessmentStatus.awaiting_declaration) else None
                submitted = (self.when(closes + timedelta(days=4), closes + timedelta(days=20))
                             if status is AssessmentStatus.submitted else None)
                assessment_id = self.add(
                    Assessment, eoi_id=eoi["id"], assessor_id=user_id, status=status,
                    has_interest=False if declared else None, interest_details="",
                    flagged_by_system=False, declared_at=declared, submitted_at=submitted,
                    assigned_at=assigned, updated_at=submitted or declared or assigned)
                if declared is None:
                    continue
                for c, (criterion_id, _weight) in enumerate(plan["criteria"]):
                    if status is AssessmentStatus.in_progress and c >= 4:
                        break
                    base = round(eoi["quality"] * 4)
                    score = max(0, min(4, base + self.rng.choice((-1, 0, 0, 0, 1))))
                    if flagged and c == 0:
                        score = (0, 4, 4)[n]
                    self.add(Score, assessment_id=assessment_id, criterion_id=criterion_id,
                             score=score, comment=COMMENTS[score])

    def decisions(self, plan: dict) -> None:
        """The best bids funded (some with conditions), then reserves, then not funded; in a
        decided round every disagreement is moderated (decisions are published only then)."""
        bids = sorted(plan["submitted"], key=lambda e: -e["quality"])
        funded = plan["funded"] if plan["kind"] is RoundStatus.decided else len(bids) * 2 // 5
        decided_by = self.manager.id
        awards = 0
        for rank, eoi in enumerate(bids):
            if eoi["flagged"] and (plan["kind"] is RoundStatus.decided or rank % 2):
                self.add(ModeratedScore, eoi_id=eoi["id"], criterion_id=plan["criteria"][0][0],
                         score=3, rationale="The panel agreed the evidence is good but the "
                         "plan has gaps.", moderated_by_id=decided_by,
                         moderated_at=plan["assessed_at"])
            if rank < funded:
                outcome = (DecisionOutcome.fund_with_conditions if rank % 3 == 1
                           else DecisionOutcome.fund)
                ask = sum(eoi["mopac"].values())
                amount = max(100, ask * self.rng.randint(80, 100) // 100 // 100_000 * 100_000)
                amount = min(amount, ask)
            else:
                outcome = (DecisionOutcome.reserve if rank < funded + len(bids) // 5
                           else DecisionOutcome.not_funded)
                amount = 0
            awards += amount
            self.add(Decision, eoi_id=eoi["id"], outcome=outcome, amount_awarded_pence=amount,
                     conditions="Agree an information sharing protocol with every member "
                     "borough in the first quarter." if outcome is
                     DecisionOutcome.fund_with_conditions else "",
                     feedback="" if rank % 4 else "A clear plan; show more on how young "
                     "people shape the service.",
                     decided_by_id=decided_by, decided_at=plan["assessed_at"])
            if amount and plan["kind"] is RoundStatus.decided:
                self.grant(plan, eoi, amount, outcome)
        plan["round"].envelope_pence = max(plan["round"].envelope_pence, awards)

    # Grants ----------------------------------------------------------------------------------
    def grant(self, plan: dict, eoi: dict, award: int, outcome: DecisionOutcome) -> None:
        consortium = self.consortium[eoi["consortium"]]
        years = eoi["years"]
        ends_on = date(years[-1] + 1, 3, 31)
        quarters = self.quarters + (1 if self.extra_returns > 0 else 0)
        self.extra_returns -= 1
        first = Quarter(years[0], 1)
        for _ in range(4 * len(years) - quarters):
            first = first.next()
        starts_on = first.start
        days_after = 30 if eoi["id"] % 5 else 45
        state = (GrantState.closed if ends_on < self.today else GrantState.suspended
                 if eoi["id"] % 25 == 0 else GrantState.active)
        grant_id = self.add(
            Grant, eoi_id=eoi["id"], consortium_id=eoi["consortium"],
            reference="GRT-" + eoi["reference"].split("-", 1)[1], title=eoi["title"][:200],
            owner_id=consortium["lead"], state=state, award_pence=award, starts_on=starts_on,
            ends_on=ends_on, return_days_after_end=days_after,
            created_by_id=self.manager.id, created_at=plan["decided_at"] + timedelta(days=2),
            accepted_at=plan["decided_at"] + timedelta(days=9), accepted_by_id=consortium["lead"],
            accepted_name="Lead commissioner", accepted_role="For the consortium",
            accepted_version=1)
        if outcome is DecisionOutcome.fund_with_conditions:
            # Met in the first quarter, as the panel asked.
            self.add(GrantCondition, grant_id=grant_id, condition="Agree an information "
                     "sharing protocol with every member borough in the first quarter.",
                     evidence_required="The signed protocol", blocks_payments=True,
                     status=ConditionStatus.met, evidence_notes="Signed by every borough.",
                     submitted_at=plan["decided_at"] + timedelta(days=30),
                     submitted_by_id=consortium["lead"], review_comments="",
                     reviewed_at=plan["decided_at"] + timedelta(days=33),
                     reviewed_by_id=self.manager.id)
        for year, share in share_out(award, eoi["mopac"]).items():
            if share:
                self.add(GrantFunding, grant_id=grant_id, financial_year=year,
                         funder_id=self.mopac.id, amount_pence=share)
        year_totals: dict[int, int] = dict(share_out(award, eoi["mopac"]))
        for (year, funder), amount in sorted(eoi["match"].items()):
            self.add(GrantFunding, grant_id=grant_id, financial_year=year, funder_id=funder,
                     amount_pence=amount)
            year_totals[year] = year_totals.get(year, 0) + amount
        for year, total in sorted(year_totals.items()):
            # Each year's budget by cost category, mostly staff, adding up to its funding.
            for category, pence in sorted(share_out(total, SCALE_CATEGORIES).items()):
                if pence:
                    self.add(GrantBudgetLine, grant_id=grant_id, financial_year=year,
                             category=CostCategory(category), amount_pence=pence)
        for organisation in consortium["delivering"]:
            self.add(GrantPartner, grant_id=grant_id, organisation_id=organisation)
        targets: dict[int, dict[int, int]] = {}
        for n, indicator in enumerate(eoi["indicators"]):
            indicator_row = self.add(GrantIndicator, grant_id=grant_id, indicator_id=indicator,
                                     baseline=10 + 5 * n)
            targets[indicator] = {}
            for i, year in enumerate(years):
                targets[indicator][year] = 20 + 10 * n + 10 * i
                self.add(IndicatorTarget, grant_indicator_id=indicator_row, financial_year=year,
                         target=targets[indicator][year])
        grant = {"id": grant_id, "award": award, "starts_on": starts_on, "ends_on": ends_on,
                 "state": state, "owner": consortium["lead"], "targets": targets,
                 "members": consortium["members"], "days_after": days_after,
                 "reporter": next((self.partner_users[o][0] for o in consortium["delivering"]
                                   if self.partner_users.get(o)), consortium["lead"])}
        accepted = self.milestones_and_payments(grant)
        self.returns(grant, accepted)

    def milestones_and_payments(self, grant: dict) -> int | None:
        """Three milestones and four payments; returns the first milestone's id if it is
        accepted (a payment tied to it may then be approved)."""
        closed = grant["state"] is GrantState.closed
        milestone_ids, first_accepted = [], None
        for n, (title, days) in enumerate((("Workers in post", 60),
                                           ("Training for safeguarding leads delivered", 270),
                                           ("Mid-point evaluation report", 540))):
            due_on = min(grant["starts_on"] + timedelta(days=days),
                         grant["ends_on"] - timedelta(days=1))
            roll = (grant["id"] * 3 + n) % 20
            if closed or due_on < self.today - timedelta(days=30):
                status = (MilestoneStatus.accepted if closed or roll < 17 else
                          MilestoneStatus.returned if roll < 18 else MilestoneStatus.submitted
                          if roll < 19 else MilestoneStatus.due)
            elif due_on <= self.today + timedelta(days=14):
                status = MilestoneStatus.submitted if roll < 8 else MilestoneStatus.due
            else:
                status = MilestoneStatus.planned
            sent = status in (MilestoneStatus.submitted, MilestoneStatus.accepted,
                              MilestoneStatus.returned)
            reviewed = status in (MilestoneStatus.accepted, MilestoneStatus.returned)
            sent_at = self.when(_london(due_on - timedelta(days=5)), _london(due_on))
            milestone_id = self.add(
                Milestone, grant_id=grant["id"], title=title,
                evidence_required="A short report and the supporting records", due_on=due_on,
                status=status, evidence_notes="Sent to the fund team and kept on file."
                if sent else "", submitted_at=sent_at if sent else None,
                submitted_by_id=grant["reporter"] if sent else None,
                review_comments="Add the attendance figures by school and send it again."
                if status is MilestoneStatus.returned else "",
                reviewed_at=self.when(sent_at, sent_at + timedelta(days=7)) if reviewed
                else None, reviewed_by_id=self.manager.id if reviewed else None)
            milestone_ids.append(milestone_id)
            if n == 0 and status is MilestoneStatus.accepted:
                first_accepted = milestone_id
        parts = share_out(grant["award"], {0: 3, 1: 3, 2: 2, 3: 2})
        schedule = (
            ("First year, in advance", grant["starts_on"], None),
            ("On acceptance: workers in post", grant["starts_on"] + timedelta(days=74),
             milestone_ids[0]),
            ("Second year", grant["starts_on"] + timedelta(days=365), None),
            ("Final payment", grant["ends_on"] - timedelta(days=60), None))
        # On every eighth active grant the latest payment due is approved, not yet paid.
        latest = max((n for n, (_d, day, _m) in enumerate(schedule) if day < self.today),
                     default=None) if grant["state"] is GrantState.active and (
                         grant["id"] % 8 == 0) else None
        for n, (description, scheduled_on, milestone) in enumerate(schedule):
            if not parts[n]:
                continue
            blocked = milestone is not None and milestone != first_accepted
            if closed or (scheduled_on < self.today - timedelta(days=20) and not blocked
                          and n != latest):
                paying = PaymentStatus.paid
            elif scheduled_on < self.today and not blocked and grant["state"] is GrantState.active:
                paying = PaymentStatus.approved
            else:
                paying = PaymentStatus.scheduled
            approved = min(_london(scheduled_on + timedelta(days=7)),
                           self.now - timedelta(days=1))
            paid = min(_london(scheduled_on + timedelta(days=10)), self.now - timedelta(hours=1))
            self.add(Payment, grant_id=grant["id"], description=description,
                     amount_pence=parts[n], scheduled_on=scheduled_on, milestone_id=milestone,
                     status=paying,
                     approved_at=approved if paying is not PaymentStatus.scheduled else None,
                     approved_by_id=self.manager.id if paying is not PaymentStatus.scheduled
                     else None,
                     paid_at=paid if paying is PaymentStatus.paid else None,
                     paid_by_id=self.manager.id if paying is PaymentStatus.paid else None)
        return first_accepted

    def returns(self, grant: dict, _accepted: int | None) -> None:
        """A return for every quarter the grant delivers in: long accepted, the latest in
        every state (some overdue), the quarters to come not started."""
        quarters = quarters_between(grant["starts_on"], grant["ends_on"])
        due = [q for q in quarters if q.due_date(grant["days_after"]) < self.today]
        for position, quarter in enumerate(quarters):
            due_on = quarter.due_date(grant["days_after"])
            roll = self.rng.random()
            if grant["state"] is GrantState.closed:
                status = ReturnStatus.accepted
            elif quarter.end >= self.today:
                status = ReturnStatus.draft
            elif due_on >= self.today:
                status = ReturnStatus.submitted if roll < 0.3 else ReturnStatus.draft
            elif quarter == due[-1]:
                status = (ReturnStatus.draft if roll < 0.15 else ReturnStatus.submitted
                          if roll < 0.4 else ReturnStatus.returned if roll < 0.48
                          else ReturnStatus.accepted)
            else:
                status = (ReturnStatus.draft if roll < 0.02 else ReturnStatus.submitted
                          if roll < 0.03 else ReturnStatus.accepted)
            filled = status is not ReturnStatus.draft
            submitted_at = (self.when(_london(quarter.end + timedelta(days=1)),
                                      _london(due_on - timedelta(days=1))) if filled else None)
            reviewed = status in (ReturnStatus.accepted, ReturnStatus.returned)
            reviewed_at = (self.when(submitted_at, submitted_at + timedelta(days=10))
                           if reviewed and submitted_at else None)
            new, continuing = ((self.rng.randint(4, 30), self.rng.randint(3, 12) + 3 * position)
                               if filled else (0, 0))
            return_id = self.add(
                QuarterlyReturn, grant_id=grant["id"], financial_year=quarter.financial_year,
                quarter=quarter.number, due_on=due_on, status=status, new_supported=new,
                continuing_supported=continuing,
                entered_by="spreadsheet" if grant["id"] % 3 == 0 else "web",
                updated_at=submitted_at, updated_by_id=grant["reporter"] if filled else None,
                submitted_at=submitted_at,
                submitted_by_id=grant["reporter"] if filled else None,
                review_comments="The age bands do not add up to the total: check them and "
                "submit again." if status is ReturnStatus.returned else "",
                reviewed_at=reviewed_at, reviewed_by_id=self.manager.id if reviewed else None,
                **(NARRATIVE if filled else dict.fromkeys(NARRATIVE, "")))
            if filled:
                self.figures(grant, return_id, quarter, position, len(quarters), new,
                             continuing)

    def figures(self, grant, return_id, quarter, position, quarters, new, continuing) -> None:
        for breakdown, categories, proportions in (
                ("gender", GENDERS, GENDER_WEIGHTS), ("age_band", AGE_BANDS, AGE_WEIGHTS),
                ("disability", DISABILITIES, DISABILITY_WEIGHTS)):
            shares = {key: weight for (key, _), weight in zip(categories, proportions,
                                                              strict=True)}
            new_split, continuing_split = share_out(new, shares), share_out(continuing, shares)
            for key in shares:
                if new_split[key] or continuing_split[key]:
                    self.add(ReturnCount, return_id=return_id, breakdown=breakdown,
                             category=key, new_count=new_split[key],
                             continuing_count=continuing_split[key])
        gss = [self.borough_gss[b] for b in grant["members"]]
        # (where they live, where they are supported, share): most at home, some across a
        # boundary, now and then someone living outside London.
        pairs = [(code, code, 6) for code in gss] + [(gss[1], gss[0], 2)]
        if grant["id"] % 4 == 0:
            pairs.append((OUTSIDE_LONDON, gss[0], 1))
        weights = {n: share for n, (_home, _served, share) in enumerate(pairs)}
        new_by_pair, continuing_by_pair = share_out(new, weights), share_out(continuing, weights)
        for n, (home, served, _share) in enumerate(pairs):
            if new_by_pair[n] or continuing_by_pair[n]:
                self.add(ReturnBoroughCount, return_id=return_id, residence_code=home,
                         service_code=served, new_count=new_by_pair[n],
                         continuing_count=continuing_by_pair[n])
        for indicator, by_year in grant["targets"].items():
            self.add(ReturnIndicatorValue, return_id=return_id, indicator_id=indicator,
                     value=by_year.get(quarter.financial_year, 0) // 4 + position % 2)
        to_date = grant["award"] * (position + 1) // quarters * 9 // 10
        for category, pence in share_out(to_date, {"staff": 6, "delivery": 3,
                                                   "training": 1}).items():
            if pence:
                self.add(ReturnSpend, return_id=return_id, category=CostCategory(category),
                         amount_pence=pence)

    # Pledges and the audit trail ---------------------------------------------------------------
    def pledges(self) -> None:
        """What each consortium's boroughs put into its bids, confirmed (received once the
        year is past); a MOPAC proposal for next year; now and then a withdrawn pledge."""
        for consortium_id, consortium in self.consortium.items():
            match: dict[tuple[int, int], int] = defaultdict(int)
            for eoi in consortium.get("budgets", []):
                for key, amount in eoi["match"].items():
                    match[key] += amount
            lead, created = consortium["lead"], consortium["created"]
            for (year, funder), amount in sorted(match.items()):
                self._pledge(consortium_id, funder, year, amount,
                             PledgeStatus.received if year < self.year else PledgeStatus.confirmed,
                             lead, created)
            if match:
                self._pledge(consortium_id, self.mopac.id, self.year + 1, 100_000_00,
                             PledgeStatus.proposed, lead, created)
            if consortium_id % 9 == 0:
                self._pledge(consortium_id, self.borough_org[consortium["members"][-1]],
                             self.year, 20_000_00, PledgeStatus.withdrawn, lead, created)

    def _pledge(self, consortium_id, funder, year, amount, status, lead, created) -> None:
        self.add(Pledge, consortium_id=consortium_id, funder_id=funder, financial_year=year,
                 amount_pence=amount, kind=PledgeKind.cash, status=status,
                 withdrawal_reason="The borough's budget for the year was cut"
                 if status is PledgeStatus.withdrawn else None, created_by_id=lead,
                 created_at=created + timedelta(days=30))

    def audit_trail(self) -> None:
        """Entries until the trail has grown by the volumes' count (the rounds' own, made
        through the operations, included), oldest first, over the last three years."""
        wanted = self.audit_before + self.volumes.audit_entries - (
            db.session.scalar(select(func.count(AuditEntry.id))) or 0)
        subjects = {
            "eois": select(Eoi.id, Eoi.reference).where(Eoi.reference.is_not(None)),
            "returns": select(QuarterlyReturn.id, Grant.reference).join(QuarterlyReturn.grant),
            "payments": select(Payment.id, Payment.description),
            "milestones": select(Milestone.id, Milestone.title),
            "users": select(User.id, User.email),
            "pledges": select(Pledge.id, Pledge.financial_year),
        }
        models = {"eois": "Eoi", "returns": "QuarterlyReturn", "payments": "Payment",
                  "milestones": "Milestone", "users": "User", "pledges": "Pledge"}
        found_rows = {kind: list(db.session.execute(
            query.order_by(query.selected_columns[0]).limit(5000)))
            for kind, query in subjects.items()}
        actors = [self.manager.id, self.greenwich_lead.id, *self.fund_managers[:5]]
        actors += [people[0] for people in list(self.partner_users.values())[:20] if people]
        span = timedelta(days=3 * 365)
        for n in range(max(0, wanted)):
            action, kind, summary = AUDIT_ACTIONS[n % len(AUDIT_ACTIONS)]
            rows = found_rows[kind]
            if not rows:
                action, kind, summary = AUDIT_ACTIONS[7]  # there are always people
                rows = found_rows[kind]
            subject_id, label = rows[(n * 7919) % len(rows)]
            self.add(AuditEntry, created_at=self.now - span + span * n / max(1, wanted),
                     user_id=actors[n % len(actors)], action=action,
                     subject_type=models[kind], subject_id=subject_id,
                     subject_label=str(label)[:300], summary=summary)

