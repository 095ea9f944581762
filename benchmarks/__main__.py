"""`make bench`: how long the panel's arithmetic and the EOI PDF take, and their peak memory.

Targets (what a fund manager and a lead commissioner should never wait past):
- rank and allocate a round of 200 bids, three assessors each: under 0.5 s;
- print a complete demo EOI as a PDF: under 5 s.
"""

import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eoi.scoring import Bid, CriterionSpec, Rubric, allocate, rank, summarise, what_if

WEIGHTS = (15, 10, 15, 15, 15, 10, 10, 10)


def measure(label: str, target_seconds: float, work) -> None:
    """Time an untraced run (tracing slows Python down), then trace a second for memory."""
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    verdict = "ok" if elapsed <= target_seconds else "SLOWER THAN TARGET"
    print(f"{label:<48} {elapsed:7.3f} s  peak {peak / 1024 / 1024:6.1f} MiB  "
          f"(target {target_seconds} s: {verdict})")


def panel_round(bids: int = 200) -> None:
    chance = random.Random(2026)
    rubric = Rubric(tuple(CriterionSpec(i, f"Criterion {i}", w, i)
                          for i, w in enumerate(WEIGHTS)))
    start = datetime(2026, 9, 1, tzinfo=UTC)
    scored = []
    for n in range(bids):
        sheets = {f"assessor {a}": {c.key: chance.randint(0, 4) for c in rubric.criteria}
                  for a in range(3)}
        summary = summarise(rubric, sheets)
        scored.append(Bid(f"CCF-2026-{n:04d}", summary.score,
                          summary.for_criterion(rubric.heaviest().key).agreed,
                          chance.randint(50_000, 300_000) * 100, start + timedelta(hours=n)))
    ranked = rank(scored)
    base = allocate(ranked, 5_000_000_00)
    what_if(ranked, base, envelope_pence=7_500_000_00)


def demo_eoi_pdf() -> None:
    from eoi import create_app
    from eoi.demo.loader import load_demo_data
    from eoi.eois.models import Eoi, EoiStatus
    from eoi.eois.reading import read_budget, read_eoi
    from eoi.extensions import db
    from eoi.pdf import render_pdf

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.sqlite'}",
                          "EOI_UPLOAD_FOLDER": folder, "SERVER_NAME": "localhost"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            load_demo_data("benchmark-password")
            db.session.commit()
            eoi = db.session.scalar(db.select(Eoi).where(Eoi.status == EoiStatus.submitted))
            measure("EOI PDF (a complete demo EOI)", 5.0, lambda: render_pdf(
                "eois/pdf.html", title="Benchmark", eoi=eoi, readings=read_eoi(eoi),
                budget=read_budget(eoi), project_title="Benchmark",
                printed_at=datetime.now(UTC), running_head="Benchmark"))


if __name__ == "__main__":
    measure("Rank and allocate 200 bids (3 assessors, 8 criteria)", 0.5, panel_round)
    demo_eoi_pdf()
