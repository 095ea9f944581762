"""Documents people pass around, printed with WeasyPrint from Jinja templates.

Every PDF extends `pdf/base.html`: A4, the protective marking in each page's footer and
"Page n of m". Rendering takes a second or two, so it happens only when someone asks.
"""

from flask import Response, current_app, render_template

from eoi.downloads import attachment

MARKING = "OFFICIAL-SENSITIVE"


def render_pdf(template: str, **context) -> bytes:
    from weasyprint import HTML  # slow to import; most requests never need it

    html = render_template(template, marking=MARKING, **context)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def pdf_response(content: bytes, filename: str) -> Response:
    return attachment(content, "application/pdf", filename)
