"""eoi.pdf: WeasyPrint warmed up off the request, once per process, and one font
configuration per thread serving every PDF that thread prints."""

import io
import threading

from pypdf import PdfReader

from eoi import create_app, pdf


def test_a_serving_process_warms_weasyprint_up_in_the_background(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                      "EOI_WARM_PDF": True, "EOI_STORAGE_FOLDER": str(tmp_path)})
    assert app.test_client().get("/accessibility").status_code == 200
    warming = [t for t in threading.enumerate() if t.name == "warm-pdf"]
    for thread in warming:
        thread.join(timeout=120)
    assert pdf._warmed.is_set()
    compiled = {name for _loader, name in app.jinja_env.cache}  # before anyone asks
    assert {"eois/pdf.html", "pdf/base.html", "assessment/panel_pack.pdf.html"} <= compiled
    pdf.warm_up()  # once done, a no-op


def test_the_test_app_does_not_warm_up(app):
    assert not any(f.__name__ == "_warm_pdf_once" for f in app.before_request_funcs[None])


def test_one_thread_reuses_its_font_configuration_and_others_get_their_own():
    mine = pdf.font_config()
    assert pdf.font_config() is mine
    theirs = []
    other = threading.Thread(target=lambda: theirs.append(pdf.font_config()))
    other.start()
    other.join()
    assert theirs[0] is not mine


def test_pdfs_printed_one_after_another_with_one_font_configuration_are_whole():
    for name in ("Bexley", "Greenwich"):
        content = pdf.write_pdf(f"<html><body><h1>{name}</h1><p>Zoë’s £1,000</p></body></html>")
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert name in text and "Zoë’s £1,000" in text
