"""The EOI PDF as a person gets it (/eois/<id>/pdf, signed in, through the app) against
WeasyPrint alone on the same HTML (a fresh `HTML(string=...).write_pdf()`, tagged as the
service's are, as WeasyPrint's own documentation prints one). Target: the route within 2x
of WeasyPrint alone.

Printed for a web worker's first PDF too: before the warm-up (eoi.pdf.init_app) that was
where the five times went, importing WeasyPrint and parsing its stylesheets in the request.
The first figure is only a first if nothing in this process has imported WeasyPrint yet,
so `make bench` runs this before the other PDF benchmarks.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 2.0
RUNS = 5
PASSWORD = "benchmark-password"


def _median(work, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def eoi_pdf_against_weasyprint() -> None:
    from eoi import clock, create_app
    from eoi.demo.loader import load_demo_data
    from eoi.eois.models import Eoi, EoiStatus
    from eoi.eois.reading import read_budget, read_eoi
    from eoi.extensions import db
    from eoi.pdf import PDF_VARIANT, pdf_html, warm_up

    cold = "weasyprint" not in sys.modules
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.sqlite'}",
                          "EOI_UPLOAD_FOLDER": folder, "EOI_STORAGE_FOLDER": folder,
                          "WTF_CSRF_ENABLED": False, "EOI_WARM_PDF": False})
        with app.app_context():
            db.create_all()
            load_demo_data(PASSWORD)
            db.session.commit()
            eoi_id = db.session.scalar(db.select(Eoi.id).where(
                Eoi.status == EoiStatus.submitted).order_by(Eoi.id))
        client = app.test_client()
        client.post("/sign-in", data={"email": "manager@demo.example", "password": PASSWORD})
        url = f"/eois/{eoi_id}/pdf"
        client.get(f"/eois/{eoi_id}")  # the templates and the session, warmed

        started = time.perf_counter()
        warm_up()  # what each web worker now does in the background as it starts serving
        warming = time.perf_counter() - started
        first = _median(lambda: client.get(url), runs=1)
        route = _median(lambda: client.get(url))
        with app.test_request_context():
            eoi = db.session.get(Eoi, eoi_id)
            html = pdf_html("eois/pdf.html", title="Benchmark", eoi=eoi,
                            readings=read_eoi(eoi), budget=read_budget(eoi),
                            project_title="Benchmark", printed_at=clock.now(),
                            running_head="Benchmark")
        from weasyprint import HTML

        alone = _median(lambda: HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT))

    ratio = route / alone
    verdict = "ok" if ratio <= TARGET_RATIO else "SLOWER THAN TARGET"
    if cold:
        print(f"{'WeasyPrint warm-up (a worker, off the request)':<48} {warming:7.3f} s")
    print(f"{'EOI PDF route, first after the warm-up':<48} {first:7.3f} s")
    print(f"{'EOI PDF route (/eois/<id>/pdf), median':<48} {route:7.3f} s  "
          f"WeasyPrint alone {alone:.3f} s: {ratio:.2f}x (target {TARGET_RATIO}x: {verdict})")


if __name__ == "__main__":
    eoi_pdf_against_weasyprint()
