"""How every file the service makes (PDFs, spreadsheets, CSV, JSON) is handed over."""

from flask import Response


def attachment(content, mimetype: str, filename: str, *, private: bool = True) -> Response:
    """A download under `filename`. Private files are never kept by browsers or proxies;
    public open data may be."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "no-store"
    return Response(content, mimetype=mimetype, headers=headers)
