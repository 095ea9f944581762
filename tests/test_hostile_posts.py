"""Every form the service has, posted with hostile values by people who may use it: huge
and odd numbers, control characters, markup, JSON, long texts, missing and repeated
fields. Whatever is refused must be refused in words: no answer is ever a 500."""

import random
import re

import pytest
from flask import url_for
from sqlalchemy import select

from eoi.accounts.models import Invitation, UserSession
from eoi.assessment.models import Assessment, Decision, PanelMember
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    ConsortiumPartner,
    LeadInterest,
    Pledge,
)
from eoi.demo.loader import load_demo_data
from eoi.documents.models import PreparedDocument
from eoi.eois.models import BudgetLine, Eoi, EoiAttachment
from eoi.extensions import db
from eoi.grants.models import (
    Claim,
    Grant,
    GrantCondition,
    Milestone,
    OfferQuestion,
    Payment,
    Variation,
)
from eoi.notifications.models import Notification
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    Outcome,
    Priority,
)
from eoi.returns.models import QuarterlyReturn
from eoi.rounds.models import Criterion, FundingRound
from eoi.service_map.models import Service
from tests.conftest import csrf_token, sign_in

DEMO_PASSWORD = "demo-pass-2026"
PEOPLE = ["manager@demo.example", "lead.greenwich@demo.example",
          "partner.stgiles@demo.example", "panel1@demo.example"]

HOSTILE = ["", "9" * 40, "²", "-1", "0", "1.5", "1e9", "\x00\x07\x1b", "<script>x</script>",
           "[1, 2]", '{"a": 1}', "x" * 20_000, "٣", "NaN", "🙂" * 50, "../../etc/passwd",
           "2026-02-30", " ", "\u202e", "true"]

# Each argument a route takes, and the record it names.
MODELS = {
    "eoi_id": Eoi, "consortium_id": Consortium, "round_id": FundingRound, "grant_id": Grant,
    "return_id": QuarterlyReturn, "milestone_id": Milestone, "payment_id": Payment,
    "condition_id": GrantCondition, "claim_id": Claim, "variation_id": Variation,
    "membership_id": ConsortiumMembership, "partner_id": ConsortiumPartner,
    "pledge_id": Pledge, "interest_id": LeadInterest, "criterion_id": Criterion,
    "assessment_id": Assessment, "decision_id": Decision, "line_id": BudgetLine,
    "attachment_id": EoiAttachment, "member_id": PanelMember, "bcu_id": BasicCommandUnit,
    "local_authority_id": LocalAuthority, "organisation_id": Organisation,
    "outcome_id": Outcome, "priority_id": Priority, "indicator_id": Indicator,
    "service_id": Service, "document_id": PreparedDocument, "invitation_id": Invitation,
    "notification_id": Notification, "session_id": UserSession, "question_id": OfferQuestion,
}

_INPUT = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


@pytest.fixture
def demo(app_context):
    load_demo_data(DEMO_PASSWORD)
    db.session.commit()


def _urls(app) -> list[tuple[str, str]]:
    """(endpoint, url) for every POST route, with the demo's first records for its ids."""
    from eoi.accounts.models import User

    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "POST" not in rule.methods or rule.endpoint == "auth.sign_out":
            continue
        values = {}
        for arg in rule.arguments:
            if arg == "key":
                values[arg] = "priorities"
            elif arg == "token":
                values[arg] = "x" * 43
            elif arg == "user_id":
                values[arg] = db.session.scalar(select(User.id).order_by(User.id.desc()))
            else:
                values[arg] = db.session.scalar(select(MODELS[arg].id).order_by(
                    MODELS[arg].id)) or 1
        with app.test_request_context():
            found.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return found


def _every_forms_fields() -> set[str]:
    from wtforms.fields.core import UnboundField

    from tests.test_bad_input import _form_classes

    return {name for form_class in _form_classes() for name in dir(form_class)
            if isinstance(getattr(form_class, name, None), UnboundField)}


@pytest.mark.parametrize("email", PEOPLE)
def test_hostile_posts_to_every_form_never_answer_500(app, client, demo, email):
    sign_in(client, email, DEMO_PASSWORD)
    chance = random.Random(email)  # the same posts on every run
    failures, urls = [], _urls(app)
    assert len(urls) > 70
    pages = {url: client.get(url) for _endpoint, url in urls}
    # Every field any form here has, so a button's POST gets a form's fields too, as a
    # crafted request would.
    everywhere = {name for page in pages.values() if page.status_code == 200
                  for name in _INPUT.findall(page.text)} | _every_forms_fields()
    assert len(everywhere) > 60
    everywhere |= {"version", "choice", "outcome", "accept", "mine", "consortium_id",
                   "round_id", "active"}
    token = csrf_token(client.get("/account").text)
    for endpoint, url in urls:
        page = pages[url]
        own = set(_INPUT.findall(page.text)) if page.status_code == 200 else set()
        names = own | everywhere
        # A huge number and an odd digit in every field at once, then four more of the
        # hostile values (a different four for each route), then two mixtures (one with
        # every field sent twice): about 2,500 posts in all.
        for attempt in [*HOSTILE[1:3], *chance.sample(HOSTILE, 4), "mixed", "repeated"]:
            data = {name: (attempt if attempt in HOSTILE else
                           [chance.choice(HOSTILE), chance.choice(HOSTILE)]
                           if attempt == "repeated" else chance.choice(HOSTILE))
                    for name in names - {"csrf_token"}}
            data["csrf_token"] = token
            response = client.post(url, data=data)
            if response.status_code >= 500:
                failures.append(f"{endpoint} {url}: {response.status_code} with {data!r:.300}")
    assert not failures, "\n".join(failures)
