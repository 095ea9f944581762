"""Fetching a prepared document as a person would: ask, let the worker prepare it (as the
scheduler does every few seconds), then download it."""

from eoi.documents.operations import prepare_waiting


def prepared_pdf(client, url: str) -> bytes:
    asked = client.get(url)
    assert asked.status_code == 200, (url, asked.status_code)
    assert asked.mimetype == "text/html" and "is being prepared" in asked.text, asked.text
    assert prepare_waiting() >= 1
    fetched = client.get(url)
    assert fetched.status_code == 200 and fetched.mimetype == "application/pdf", fetched.text
    return fetched.data
