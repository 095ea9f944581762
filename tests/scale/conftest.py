"""A page's cost must not grow with the fund: each page's SQL statements are counted on the
demo, and (tests/scale/test_queries.py) the count is asserted."""

import pytest

from eoi.demo.loader import load_demo_data
from eoi.extensions import db
from tests.conftest import csrf_token


@pytest.fixture
def demo(app):
    # Loaded in an app context of its own: requests made inside a held context would share
    # its `g`, and with it the signed-in user of the previous person.
    with app.app_context():
        load_demo_data(app.config["EOI_DEMO_PASSWORD"])
        db.session.commit()


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/sign-in")
    answer = client.post("/sign-in", data={"email": email,
                                           "password": app.config["EOI_DEMO_PASSWORD"],
                                           "csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302, f"{email} could not sign in"
    return client
