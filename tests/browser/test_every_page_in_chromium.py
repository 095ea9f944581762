"""Pages each demo person reaches from their dashboard, in Chromium at a desktop's 1280 px
and a small phone's 320 px: axe finds nothing (WCAG 2.2 A and AA, best practice) at either
width, and at 320 px nothing scrolls the page sideways (WCAG 1.4.10, reflow). Wide tables
scroll inside their own labelled, focusable regions (static/init.js).

Bounded: the first pages of a breadth-first walk of each person's links (tests/
test_every_page.py walks every page, without a browser)."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import demo, sign_in  # noqa: F401  (demo is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.one_database]

PAGES_EACH = 12
PEOPLE = ["manager@demo.example", "lead.greenwich@demo.example",
          "partner.stgiles@demo.example", "panel1@demo.example"]
# Downloads and documents are not pages; signing out would end the walk.
NOT_PAGES = (".pdf", "/pdf", ".csv", ".xlsx", ".json", ".ics", "/sign-out", "/download",
             "/attachments/", "/evidence/")


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc == urlsplit(page.url).netloc and not any(
                marker in path for marker in NOT_PAGES):
            found.append(path)
    return found


def _reflows(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width} px wide at 320 px"


@pytest.mark.parametrize("email", PEOPLE)
def test_each_persons_pages_are_accessible_at_1280_and_reflow_at_320(page, demo, email):  # noqa: F811
    sign_in(page, email)
    waiting, seen = ["/dashboard"], set()
    while waiting and len(seen) < PAGES_EACH:
        path = waiting.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page.set_viewport_size({"width": 1280, "height": 900})
        answer = page.goto(path)
        assert answer is not None and answer.status < 500, path
        if answer.status >= 400:
            continue
        assert_accessible(page)
        waiting += [link for link in _links(page) if link not in seen]
        page.set_viewport_size({"width": 320, "height": 800})
        page.evaluate("window.dispatchEvent(new Event('resize'))")
        _reflows(page)
        assert_accessible(page)
    assert len(seen) == PAGES_EACH or not waiting
