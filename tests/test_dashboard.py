"""Each person's dashboard: what needs them now, each thing one click from where it is done,
and what has happened lately, in plain words."""

import html
import re

from tests.conftest import signed_in


def test_recent_activity_names_a_person_once_when_they_acted_on_their_own_account(app, demo):
    page = signed_in(app, "manager@demo.example").get("/dashboard").text
    assert "Signed in, by Morgan Adeyemi" in page
    assert "Signed in (Morgan Adeyemi" not in page


def _needs(page: str, list_id: str) -> list[tuple[str, str]]:
    """(address, words) of each link in the dashboard's list of what needs the person."""
    found = re.search(rf'<ul class="govuk-list govuk-list--bullet" id="{list_id}">(.*?)</ul>',
                      page, re.S)
    assert found, f"no #{list_id}"
    return [(html.unescape(href), html.unescape(words)) for href, words in
            re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', found.group(1))]


def test_the_fund_managers_dashboard_says_what_needs_the_fund_team(app, demo):
    client = signed_in(app, "manager@demo.example")
    page = client.get("/dashboard").text
    needs = dict(_needs(page, "fund-manager-needs"))
    by_words = {words: href for href, words in needs.items()}
    assert by_words["1 quarterly return to review"] == "/returns?status=submitted"
    assert any(w.startswith("Check the evidence for") for w in by_words)
    assert any(w.startswith("Moderate and publish the decisions on") for w in by_words)
    assert any(w.startswith("Confirm Mayor's Office") for w in by_words)
    assert by_words["Grants at amber"] == "/grants?status=amber"
    assert "No funding rounds yet" not in page and "See every funding round</a> (3)" in page
    for href in needs:  # each one click from where it is done, and it is there
        assert client.get(href).status_code == 200, href
    returns = client.get("/returns?status=submitted").text
    assert "1 return" in returns and "Submitted" in returns


def test_a_commissioners_dashboard_says_what_needs_them(app, demo):
    """Greenwich's lead: round two is open and their consortium has not started, their
    borough's pledge waits on them, and the pilot round's decision is theirs to read."""
    client = signed_in(app, "lead.greenwich@demo.example")
    needs = _needs(client.get("/dashboard").text, "commissioner-needs")
    words = [w for _href, w in needs]
    assert words[0] == "Start an EOI for Co-commissioning fund: round two (demonstration)"
    assert "Confirm Royal Borough of Greenwich's pledge of £40,000" in words
    assert any(w.startswith("Read the decision on CCF-") for w in words)
    start = client.get(needs[0][0]).text
    assert "Start an expression of interest for Co-commissioning fund: round two" in start
    for href, _words in needs:
        assert client.get(href).status_code == 200, href


def test_a_panel_member_with_nothing_to_score_is_told_so(app, demo):
    page = signed_in(app, "panel1@demo.example").get("/dashboard").text
    assert '<p class="govuk-body" id="panel-needs">Nothing is waiting for you.' in page


def test_what_is_not_named_is_counted_in_words():
    from eoi.dashboard.needs import Need, _and_more

    named = [Need(f"Pledge {n}", "consortia.index") for n in range(5)]
    more = _and_more(list(named), 7, "pledge to confirm", "pledges to confirm",
                     "consortia.index")
    assert more[-1].text == "2 more pledges to confirm"
    assert _and_more(named[:1], 2, "draft", "drafts", "eois.index")[-1].text == "1 more draft"
    assert _and_more(list(named), 5, "draft", "drafts", "eois.index") == named
