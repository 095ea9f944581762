"""Documents people pass around, printed with WeasyPrint from Jinja templates.

Every PDF extends `pdf/base.html`: A4, the protective marking in each page's footer and
"Page n of m". Short documents (an EOI, a decision letter, a grant agreement) render in the
request; long ones (panel packs, programme reports) are prepared by the scheduler
(eoi.documents).

What made a four-page EOI cost five times WeasyPrint's own time was not the document but
the process: the first PDF a web worker printed imported WeasyPrint (a second or more: its
CSS engine, fontTools, Pango through cffi) and parsed its user-agent stylesheets, and every
PDF loaded the system's fonts again into a new font map, so no font's glyphs were ever
cached. So each worker now warms WeasyPrint up in the background as it starts serving
(`init_app`), and each thread keeps one font configuration for all its PDFs. The SQL and
the template work are a few per cent of a render (benchmarks/pdfs.py measures it all).
"""

import threading
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, render_template

from eoi.downloads import attachment

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

MARKING = "OFFICIAL-SENSITIVE"

# One font configuration per thread: a Pango font map is not to be shared between threads
# (gunicorn's gthread workers print in several at once), but within one it can serve every
# document, with the fonts loaded and their glyphs cached once.
_fonts = threading.local()
_warming = threading.Lock()
_warmed = threading.Event()


def font_config() -> "FontConfiguration":
    found = getattr(_fonts, "config", None)
    if found is None:
        from weasyprint.text.fonts import FontConfiguration

        found = _fonts.config = FontConfiguration()
    return found


# Tagged PDF for people using screen readers (PDF/UA-1): a structure tree of the headings,
# paragraphs, tables and figures with their alternative text, the language, and the title
# shown in place of the file name.
PDF_VARIANT = "pdf/ua-1"


def write_pdf(html: str) -> bytes:
    """WeasyPrint on `html`. No base URL: the templates fetch nothing (charts are inline
    SVG), so nothing is looked for on disk or the network."""
    from weasyprint import HTML  # slow to import; most requests never need it

    return HTML(string=html).write_pdf(font_config=font_config(), pdf_variant=PDF_VARIANT)


def pdf_html(template: str, **context) -> str:
    return render_template(template, marking=MARKING, **context)


def render_pdf(template: str, **context) -> bytes:
    return write_pdf(pdf_html(template, **context))


def pdf_response(content: bytes, filename: str) -> Response:
    return attachment(content, "application/pdf", filename)


def warm_up() -> None:
    """Import WeasyPrint and print one small page, so that the process's first real PDF
    costs what the others do. Once per process; later calls return at once."""
    with _warming:
        if _warmed.is_set():
            return
        write_pdf('<!DOCTYPE html><html lang="en-GB"><head><style>@page { size: A4; '
                  '@bottom-right { content: "Page " counter(page) } }</style></head>'
                  '<body><h1>Warm</h1><table><tr><th>a</th><td>1</td></tr></table></body>'
                  '</html>')
        _warmed.set()


def init_app(app: Flask) -> None:
    """Warm WeasyPrint up in a thread of its own when a process starts serving requests
    (each gunicorn worker loads the app itself), never delaying the request that starts it.
    Not under test unless EOI_WARM_PDF says so: tests print few PDFs, and each process's
    first is just slower."""
    if not app.config.get("EOI_WARM_PDF", app.config["EOI_ENV"] != "test"):
        return
    started = threading.Event()

    @app.before_request
    def _warm_pdf_once() -> None:
        if started.is_set():
            return
        started.set()
        serving = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_warm_in_background, args=[serving], name="warm-pdf",
                         daemon=True).start()


def _warm_in_background(app: Flask) -> None:
    try:
        warm_up()
        with app.app_context():  # and the PDF templates compiled, as Jinja keeps them
            for name in app.jinja_env.list_templates(
                    filter_func=lambda name: name.endswith("pdf.html") or name.startswith("pdf/")):
                app.jinja_env.get_template(name)
    except Exception:  # a warm-up that fails costs the first PDF its time, nothing more
        app.logger.exception("Warming WeasyPrint up failed")
