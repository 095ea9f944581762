"""The 360Giving export at national scale: 10,000 grants as JSON, streamed as
/open-data/grants.json sends it, against a target of 5 s.

The grants are made with bulk inserts into a throwaway SQLite file (a row per table at a
time through the ORM would take minutes): 100 rounds of 100 consortia, each consortium
of three boroughs with an EOI in every round, every EOI funded and made a grant with two
years of funding from MOPAC and a borough."""

import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

GRANTS = 10_000
ROUNDS = 100  # a consortium bids once a round, so the grants need rounds x consortia
TARGET_SECONDS = 5.0


def _build(rounds: int, consortia: int) -> None:
    from sqlalchemy import insert, select

    from eoi.accounts.models import User
    from eoi.assessment.models import Decision, DecisionOutcome
    from eoi.consortia.models import Consortium, ConsortiumMembership, MembershipStatus
    from eoi.eois.models import Eoi, EoiSection, EoiStatus
    from eoi.extensions import db
    from eoi.grants.models import Grant, GrantFunding
    from eoi.reference.loader import load_reference_data
    from eoi.reference.models import LocalAuthority, Organisation, OrganisationType
    from eoi.rounds.models import FundingRound, RoundStatus

    load_reference_data()
    mopac = db.session.scalar(select(Organisation).where(
        Organisation.type == OrganisationType.mopac))
    mopac.org_id = "GB-GOR-PC000001"
    boroughs = db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.id)).all()
    borough_orgs = [b.organisation for b in boroughs]
    manager = User(email="manager@bench.example", full_name="Bench Manager",
                   organisation=mopac, password_hash="!")
    db.session.add(manager)
    db.session.flush()
    moment = datetime(2026, 3, 1, tzinfo=UTC)

    def bulk(model, rows: list[dict]) -> None:
        db.session.execute(insert(model), rows)

    bulk(FundingRound, [dict(id=r, title=f"Round {r}", envelope_pence=10**12,
                             first_financial_year=2026, last_financial_year=2027,
                             opens_at=moment - timedelta(days=60), closes_at=moment,
                             status=RoundStatus.decided,
                             version=1) for r in range(1, rounds + 1)])
    bulk(Consortium, [dict(id=c, name=f"Consortium {c}", purpose="Benchmark",
                           lead_id=manager.id, created_by_id=manager.id, version=1)
                      for c in range(1, consortia + 1)])
    bulk(ConsortiumMembership, [
        dict(consortium_id=c, local_authority_id=boroughs[(c + k) % len(boroughs)].id,
             status=MembershipStatus.accepted, version=1)
        for c in range(1, consortia + 1) for k in range(3)])
    pairs = [(r, c) for r in range(1, rounds + 1) for c in range(1, consortia + 1)]
    bulk(Eoi, [dict(id=n, consortium_id=c, round_id=r, status=EoiStatus.submitted,
                    reference=f"CCF-2026-{n:05d}", submitted_at=moment,
                    created_by_id=manager.id, version=1) for n, (r, c) in enumerate(pairs, 1)])
    bulk(EoiSection, [dict(eoi_id=n, key="summary", version=1, stored_content={
        "summary": f"Summary of proposal {n}: mentoring and family support."})
        for n in range(1, len(pairs) + 1)])
    bulk(Decision, [dict(eoi_id=n, outcome=DecisionOutcome.fund, amount_awarded_pence=10**7,
                         decided_by_id=manager.id, decided_at=moment, version=1)
                    for n in range(1, len(pairs) + 1)])
    bulk(Grant, [dict(id=n, eoi_id=n, consortium_id=c, reference=f"GRT-2026-{n:05d}",
                      title=f"Grant {n}", owner_id=manager.id, award_pence=10**7,
                      starts_on=date(2026, 4, 1), ends_on=date(2028, 3, 31),
                      created_by_id=manager.id, created_at=moment, version=1)
                 for n, (_r, c) in enumerate(pairs, 1)])
    bulk(GrantFunding, [dict(grant_id=n, financial_year=year, funder_id=funder,
                             amount_pence=5 * 10**6)
                        for n, (_r, c) in enumerate(pairs, 1) for year in (2026, 2027)
                        for funder in (mopac.id, borough_orgs[c % len(borough_orgs)].id)])
    db.session.commit()


def threesixty_export(grants: int = GRANTS) -> None:
    from eoi import create_app
    from eoi.extensions import db

    rounds = min(ROUNDS, grants)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'o.sqlite'}",
                          "EOI_UPLOAD_FOLDER": folder, "SERVER_NAME": "localhost"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            _build(rounds, grants // rounds)
            built = time.perf_counter() - started
        client = app.test_client()
        started = time.perf_counter()
        response = client.get("/open-data/grants.json")
        body = response.get_data()
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        count = len(json.loads(body)["grants"])
        assert count == grants, count
        verdict = "ok" if elapsed <= TARGET_SECONDS else "SLOWER THAN TARGET"
        print(f"{f'360Giving JSON of {count:,} grants (streamed)':<48} {elapsed:7.3f} s  "
              f"{len(body) / 1024 / 1024:6.1f} MiB  (target {TARGET_SECONDS} s: {verdict}; "
              f"built in {built:.1f} s)")


if __name__ == "__main__":
    threesixty_export()
