"""The floor for `make bench-scale`: the least a page can cost on this machine and database.
A bare Flask and Flask-SQLAlchemy app runs one indexed query (the newest 50 grants, by
primary key) and renders them as a 50-row HTML table; gunicorn serves it exactly as it
serves the service, so a page's time divided by the floor's is what the service adds."""

import os

from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

db = SQLAlchemy()

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grants</title></head><body>
<table><thead><tr><th>Reference</th><th>Title</th><th>Starts</th><th>Award</th></tr></thead>
<tbody>
{% for grant in grants %}
<tr><td>{{ grant.reference }}</td><td>{{ grant.title }}</td><td>{{ grant.starts_on }}</td>
<td>£{{ "{:,.2f}".format(grant.award_pence / 100) }}</td></tr>
{% endfor %}
</tbody></table></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["EOI_DATABASE_URL"]
    db.init_app(app)

    @app.get("/")
    def grants():
        rows = db.session.execute(text(
            "SELECT reference, title, starts_on, award_pence FROM grants "
            "ORDER BY id DESC LIMIT 50")).all()
        return render_template_string(PAGE, grants=rows)

    return app
