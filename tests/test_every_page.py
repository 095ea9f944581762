"""Every page each demo person can reach works: none answers 5xx, none shows markup as
text (a template that joined an HTML string to an escaped value, say), downloads included.

The crawl (tests/crawling.py) follows every same-site link and GET form from the
dashboard, as the person signed in, and never POSTs.
"""


from eoi.demo.consortia import DEMO_OFFICERS
from eoi.demo.loader import DEMO_ACCOUNTS
from tests.conftest import signed_in
from tests.crawling import crawl

PEOPLE = [account[0] for account in DEMO_ACCOUNTS] + [officer[0] for officer in DEMO_OFFICERS]

# Fewest pages a person's crawl must reach (the demo today gives each far more): fewer
# means the crawl stopped following something, not that the pages are fine.
FEWEST_PAGES = {"manager@demo.example": 150, "partner.stgiles@demo.example": 15}
FEWEST_PAGES_OTHERWISE = 15


def test_every_page_each_demo_person_reaches_works(app, demo):
    problems, too_few, asked = [], [], 0
    downloaded = set()  # each download is made once, by the first person to reach it
    for email in PEOPLE:
        result = crawl(signed_in(app, email), downloaded=downloaded)
        asked += len(result.visited)
        problems += [f"{email}: {problem}" for problem in result.problems]
        if len(result.html_pages) < FEWEST_PAGES.get(email, FEWEST_PAGES_OTHERWISE):
            too_few.append(f"{email} reached only {len(result.html_pages)} pages")
    assert not problems, "\n".join(problems)
    assert not too_few, "\n".join(too_few)
    # Bounded (about 1,600 requests today, half a minute): the crawl dedupes addresses and
    # caps filter variants and records of a kind. Many more means a bound stopped working.
    assert asked < 2500, f"the crawl asked {asked} addresses"
