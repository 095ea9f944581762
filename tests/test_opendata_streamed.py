"""Open data written as it is read: the streamed JSON is the package, valid, whatever the
size of the chunks its grants are read in; the CSV streams the same rows."""

import csv
import io
import json

from eoi import clock
from eoi.opendata import publishing
from eoi.opendata.threesixty import FLAT_COLUMNS, flat_row
from tests.opendata.test_threesixty import VALIDATOR
from tests.test_opendata import _publishable


def test_the_streamed_json_is_the_package_in_any_chunks(app, granted):
    _publishable()
    with app.test_request_context():
        published = publishing.publication(clock.today())
        whole = publishing.published_package(clock.today())
        for chunk in (1, 2, publishing.CHUNK):
            text = "".join(publishing.json_chunks(published.head, published.records(chunk)))
            assert json.loads(text) == whole
        assert list(VALIDATOR.iter_errors(whole)) == []
        assert len(whole["grants"]) == 1 and whole["version"] == "1.4"
        # A package with no grants still closes properly (the pages refuse to serve one).
        assert json.loads("".join(publishing.json_chunks(published.head, [])))["grants"] == []


def test_the_streamed_csv_has_a_row_a_grant(client, granted):
    _people, grant = granted
    _publishable()
    response = client.get("/open-data/grants.json")
    package = json.loads(response.get_data(as_text=True))
    rows = list(csv.reader(io.StringIO(client.get("/open-data/grants.csv").text)))
    assert rows[0] == [title for title, _ in FLAT_COLUMNS]
    assert rows[1:] == [[str(cell) for cell in flat_row(record)]
                        for record in package["grants"]]
    assert rows[1][0].endswith(grant.reference)


def test_the_open_data_page_lists_a_page_of_grants(client, granted):
    _people, grant = granted
    _publishable()
    page = client.get("/open-data").text
    assert "1 grant awarded" in page and grant.reference in page
    assert "Showing 1 to 1 of 1 grants" in page
