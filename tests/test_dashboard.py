"""Each person's dashboard: what needs them now, each thing one click from where it is done,
and what has happened lately, in plain words."""

from tests.conftest import signed_in


def test_recent_activity_names_a_person_once_when_they_acted_on_their_own_account(app, demo):
    page = signed_in(app, "manager@demo.example").get("/dashboard").text
    assert "Signed in, by Morgan Adeyemi" in page
    assert "Signed in (Morgan Adeyemi" not in page
