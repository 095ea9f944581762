"""`make stress`: what happens when many people press the same button at once.

On a throwaway PostgreSQL server (scripts/with_postgres.sh, which this script starts itself
under when EOI_TEST_DATABASE_URL is not set), with the demo loaded as of a fixed instant and
the Procfile's web server (gunicorn, 4 workers of 4 threads) on loopback, each case fires
its requests at the same moment, from real sessions with their CSRF tokens, signed in as
the demo people who may do it:

- 20 saves of one EOI section, each with the version its form showed;
- the same without the `version` field;
- 50 payments scheduled on one grant, more than its award has room for;
- 50 additions of the same budget line cell (year, category, funder);
- 50 starts of the same consortium's EOI for the open round;
- 50 accepts of one consortium invitation.

For each it prints the requests, how they were answered, and then what the database says:
- 5xx: answers of 500 or more, or no answer at all;
- lost updates: requests told they succeeded whose change is not what a later reader sees
  (a save overwritten by another that was never told of it; a payment, line or EOI reported
  made that is not there);
- duplicates: rows or audit entries beyond one for each distinct change that succeeded;
- broken rules: changes the service's rules forbid that got in anyway (payments past the
  award).
It exits 1 if any of those is not 0. The figures are counted from the database after each
case, not from the answers alone. This is a measurement, not a timed test: it is not part
of `make test`.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOW = "2026-11-24T10:00+00:00"  # the demo as of this instant, whatever day it is run
WORKERS = 4
PASSWORD = "demo-pass-2026"


# HTTP: a browser tab, its cookies, and the forms on its pages ---------------------------------

@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset or timed out)
    location: str = ""
    text: str = ""
    error: str = ""


class Tab:
    """One browser tab: its own cookies, starting from a copy of another tab's (the same
    signed-in session, as a person opening a second tab has)."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port, self.cookies = port, dict(cookies or {})

    def copy(self) -> "Tab":
        return Tab(self.port, self.cookies)

    def request(self, method: str, path: str, fields: list | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, error=repr(error))
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value and "Max-Age=0" not in cookie and "expires=Thu, 01 Jan 1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return Answer(response.status, urlsplit(response.getheader("Location") or "").path,
                      text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def form(self, path: str, action: str | None = None) -> list[tuple[str, str]]:
        """The fields of the POST form on `path` whose action is `action` (the page's own
        address when None), as the browser would send them untouched."""
        page = self.get(path)
        if page.status != 200:
            raise RuntimeError(f"GET {path} answered {page.status}")
        forms = _PostForms()
        forms.feed(page.text)
        wanted = action or path
        for form_action, fields in forms.found:
            if (form_action or path) == wanted:
                return fields
        raise RuntimeError(f"no form posting to {wanted} on {path}")


def sign_in(port: int, email: str) -> Tab:
    tab = Tab(port)
    token = dict(tab.form("/sign-in"))["csrf_token"]
    answer = tab.request("POST", "/sign-in", [("csrf_token", token), ("email", email),
                                              ("password", PASSWORD)])
    if answer.status != 302 or answer.location != "/dashboard":
        raise RuntimeError(f"{email} could not sign in: {answer.status}")
    return tab


class _PostForms(HTMLParser):
    """Each POST form of a page: its action and its fields, with the values a browser
    would submit (checked boxes and radios, each select's chosen option)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields = None
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.found.append((unescape(attrs.get("action") or ""), []))
                self._fields = self.found[-1][1]
        elif self._fields is None or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._option(attrs)
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file") or (
                    kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            self._fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = [attrs["name"], None, None]  # name, first, selected
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def _option(self, attrs):
        value = attrs.get("value", "")
        if self._select[1] is None:
            self._select[1] = value
        if "selected" in attrs:
            self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self._fields.append((name, selected if selected is not None else first or ""))
            self._select = None
        elif tag == "form":
            self._fields = None


def replaced(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """The fields with some replaced (a list value for a repeated name, such as a date's
    three boxes) or, given None, left out."""
    kept = [(n, v) for n, v in fields if n not in values]
    for name, value in values.items():
        if value is None:
            continue
        kept += [(name, str(v)) for v in value] if isinstance(value, list) else [
            (name, str(value))]
    return kept


def at_once(requests: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every request in its own thread, released together."""
    answers: list[Answer | None] = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def run(i: int) -> None:
        start.wait()
        answers[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# What the database says -----------------------------------------------------------------------

def reader():
    """An app on the same database, to read what a later reader would see."""
    from eoi import create_app

    return create_app()


def audit_watermark(app) -> int:
    from sqlalchemy import func, select

    from eoi.audit.models import AuditEntry
    from eoi.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def audit_entries_since(app, watermark: int, action: str, subject_type: str,
                        subject_id: int | None = None) -> int:
    from sqlalchemy import func, select

    from eoi.audit.models import AuditEntry
    from eoi.extensions import db

    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.id > watermark, AuditEntry.action == action,
        AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    with app.app_context():
        return db.session.scalar(query)


# The cases ------------------------------------------------------------------------------------

@dataclass
class Outcome:
    case: str
    answers: list[Answer]
    succeeded: int = 0
    refused: int = 0  # told no, or told of a conflict: an honest answer either way
    lost: int = 0
    duplicates: int = 0
    broken: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(a.status == 0 or a.status >= 500 for a in self.answers)

    @property
    def bad(self) -> bool:
        return bool(self.failed or self.lost or self.duplicates or self.broken)


def _eoi_of(app, lead_email: str):
    """The id of the draft EOI in the open round of the consortium `lead_email` leads, and
    of that consortium and round."""
    from sqlalchemy import select

    from eoi.accounts.models import User
    from eoi.consortia.models import Consortium
    from eoi.eois.models import Eoi
    from eoi.extensions import db
    from eoi.rounds.models import FundingRound, RoundStatus

    with app.app_context():
        consortium = db.session.scalar(select(Consortium).join(
            User, Consortium.lead_id == User.id).where(User.email == lead_email))
        funding_round = db.session.scalar(select(FundingRound).where(
            FundingRound.status == RoundStatus.open))
        eoi_id = db.session.scalar(select(Eoi.id).where(
            Eoi.consortium_id == consortium.id, Eoi.round_id == funding_round.id))
        return eoi_id, consortium.id, funding_round.id


def _section_content(app, eoi_id: int, key: str) -> dict:
    from sqlalchemy import select

    from eoi.eois.models import EoiSection
    from eoi.extensions import db

    with app.app_context():
        return dict(db.session.scalar(select(EoiSection.stored_content).where(
            EoiSection.eoi_id == eoi_id, EoiSection.key == key)))


def section_saves(app, tabs: list[Tab], *, with_version: bool) -> Outcome:
    """Every tab opens the Tri-borough draft's section, then all save different answers."""
    eoi_id, _, _ = _eoi_of(app, "lead.hammersmith@demo.example")
    key, question = ("summary", "summary") if with_version else ("need", "quantitative")
    path = f"/eois/{eoi_id}/sections/{key}"
    forms = [tab.form(path) for tab in tabs]  # each with the version its page showed
    if not with_version:
        forms = [[(name, value) for name, value in form if name != "version"]
                 for form in forms]
    watermark = audit_watermark(app)
    values = [f"Stress save {i}: {'with' if with_version else 'without'} its version."
              for i in range(len(tabs))]
    answers = at_once([
        (lambda tab=tab, form=form, value=value: tab.request("POST", path, replaced(
            form, **{question: value, "complete": "no"})))
        for tab, form, value in zip(tabs, forms, values, strict=True)])
    what = f"{len(tabs)} saves of one EOI section, {'with' if with_version else 'without'} " \
           "the version"
    outcome = Outcome(what, answers)
    content = _section_content(app, eoi_id, key)
    for answer, value in zip(answers, values, strict=True):
        if answer.status == 302:
            outcome.succeeded += 1
            # Told it saved, yet a later reader sees another answer: an overwrite unseen.
            outcome.lost += content.get(question) != value
        elif answer.status in (200, 409):
            outcome.refused += 1
    entries = audit_entries_since(app, watermark, "eoi.section_saved", "Eoi", eoi_id)
    outcome.duplicates = max(0, entries - outcome.succeeded)
    return outcome


def payments(app, tabs: list[Tab]) -> Outcome:
    """Every tab schedules a payment on the Tri-borough grant, whose award has room for ten
    once the fund manager has removed its last scheduled payment (the demo schedules the
    whole award)."""
    from sqlalchemy import func, select

    from eoi.extensions import db
    from eoi.grants.models import Grant, Payment, PaymentStatus

    _, consortium_id, _ = _eoi_of(app, "lead.hammersmith@demo.example")
    with app.app_context():
        grant = db.session.scalar(select(Grant).where(Grant.consortium_id == consortium_id))
        grant_id, award = grant.id, grant.award_pence
        last = max((p for p in grant.payments if p.status is PaymentStatus.scheduled),
                   key=lambda p: p.id)
    action = f"/grants/payments/{last.id}/remove"
    removed = tabs[0].request("POST", action, tabs[0].form(f"/grants/{grant_id}", action))
    if removed.status != 302:
        raise RuntimeError(f"could not remove a payment to make room: {removed.status}")
    with app.app_context():
        scheduled = db.session.scalar(select(func.sum(Payment.amount_pence)).where(
            Payment.grant_id == grant_id))
    each_pounds = (award - scheduled) // 100 // 10
    room_for = (award - scheduled) // (each_pounds * 100)  # ten; the eleventh passes the award
    path = f"/grants/{grant_id}/payments/new"
    forms = [tab.form(path) for tab in tabs]
    watermark = audit_watermark(app)
    descriptions = [f"Stress payment {i}" for i in range(len(tabs))]
    answers = at_once([
        (lambda tab=tab, form=form, text=text: tab.request("POST", path, replaced(
            form, description=text, amount=each_pounds, scheduled_on=[1, 3, 2027],
            milestone_id="none")))
        for tab, form, text in zip(tabs, forms, descriptions, strict=True)])
    outcome = Outcome(f"{len(tabs)} payments scheduled on one grant", answers)
    with app.app_context():
        made = Counter(db.session.scalars(select(Payment.description).where(
            Payment.grant_id == grant_id, Payment.description.like("Stress payment %"))))
        total = db.session.scalar(select(func.sum(Payment.amount_pence)).where(
            Payment.grant_id == grant_id))
    for answer, text in zip(answers, descriptions, strict=True):
        if answer.status == 302:
            outcome.succeeded += 1
            outcome.lost += made[text] == 0
        elif answer.status in (200, 409):
            outcome.refused += 1
    entries = audit_entries_since(app, watermark, "payment.scheduled", "Payment")
    rows = sum(made.values())
    outcome.duplicates = max(0, rows - outcome.succeeded) + max(0, entries - outcome.succeeded)
    outcome.broken = max(0, rows - room_for)
    if total > award:
        outcome.notes.append(f"payments come to £{total / 100:,.2f}, more than the award of "
                             f"£{award / 100:,.2f}")
    return outcome


def budget_lines(app, tabs: list[Tab]) -> Outcome:
    """Every tab adds a line for the same year, category and funder to the North West London
    draft, each with its own amount; the budget may have one line for the cell."""
    from sqlalchemy import select

    from eoi.eois.models import BudgetLine
    from eoi.extensions import db

    eoi_id, _, _ = _eoi_of(app, "lead.brent@demo.example")
    page, action = f"/eois/{eoi_id}/sections/budget", f"/eois/{eoi_id}/budget/lines"
    forms = [tab.form(page, action) for tab in tabs]
    year, category, funder = _free_cell(app, eoi_id, tabs[0], page)
    watermark = audit_watermark(app)
    amounts = [1_000 + i for i in range(len(tabs))]
    answers = at_once([
        (lambda tab=tab, form=form, amount=amount: tab.request("POST", action, replaced(
            form, financial_year=year, category=category, funder_id=funder, amount=amount)))
        for tab, form, amount in zip(tabs, forms, amounts, strict=True)])
    outcome = Outcome(f"{len(tabs)} additions of one budget line cell", answers)
    with app.app_context():
        lines = db.session.scalars(select(BudgetLine).where(
            BudgetLine.eoi_id == eoi_id, BudgetLine.financial_year == year,
            BudgetLine.funder_id == funder)).all()
        in_cell = [line.amount_pence for line in lines if line.category.value == category]
    for answer, amount in zip(answers, amounts, strict=True):
        if answer.status == 302:
            outcome.succeeded += 1
            outcome.lost += amount * 100 not in in_cell
        elif answer.status in (200, 409):
            outcome.refused += 1
    entries = audit_entries_since(app, watermark, "eoi.budget_line_added", "Eoi", eoi_id)
    distinct = min(outcome.succeeded, 1)  # one cell: one line can be added
    outcome.duplicates = max(0, len(in_cell) - distinct) + max(0, entries - distinct)
    return outcome


def _free_cell(app, eoi_id: int, tab: Tab, page: str) -> tuple[int, str, int]:
    """A (year, category, funder) the budget has no line for, from the form's own options."""
    from sqlalchemy import select

    from eoi.eois.models import BudgetLine
    from eoi.extensions import db

    options = _select_options(tab.get(page).text)
    with app.app_context():
        taken = {(line.financial_year, line.category.value, line.funder_id)
                 for line in db.session.scalars(select(BudgetLine).where(
                     BudgetLine.eoi_id == eoi_id))}
    for year in options["financial_year"]:
        for category in options["category"]:
            for funder in options["funder_id"]:
                if (int(year), category, int(funder)) not in taken:
                    return int(year), category, int(funder)
    raise RuntimeError("the budget has a line in every cell")


def _select_options(html: str) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html,
                                 re.DOTALL):
        options[name] = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', body) if v]
    return options


def eoi_starts(app, tabs: list[Tab]) -> Outcome:
    """Every tab starts Bexley and Greenwich's EOI for the open round, which has none yet."""
    from sqlalchemy import func, select

    from eoi.eois.models import Eoi
    from eoi.extensions import db

    _, consortium_id, round_id = _eoi_of(app, "lead.greenwich@demo.example")
    page = f"/consortia/{consortium_id}"
    forms = [tab.form(page, "/eois/start") for tab in tabs]
    watermark = audit_watermark(app)
    answers = at_once([(lambda tab=tab, form=form: tab.request("POST", "/eois/start", form))
                       for tab, form in zip(tabs, forms, strict=True)])
    outcome = Outcome(f"{len(tabs)} starts of one consortium's EOI for a round", answers)
    with app.app_context():
        made = set(db.session.scalars(select(Eoi.id).where(
            Eoi.consortium_id == consortium_id, Eoi.round_id == round_id)))
        count = db.session.scalar(select(func.count()).select_from(Eoi).where(
            Eoi.consortium_id == consortium_id, Eoi.round_id == round_id))
    for answer in answers:
        if answer.status == 302 and answer.location.startswith("/eois/"):
            outcome.succeeded += 1
            outcome.lost += int(answer.location.rsplit("/", 1)[1]) not in made
        elif answer.status == 302 or answer.status in (200, 409):
            outcome.refused += 1  # back to the consortium, told it already has one
    entries = audit_entries_since(app, watermark, "eoi.started", "Eoi")
    distinct = min(outcome.succeeded, 1)
    outcome.duplicates = max(0, count - distinct) + max(0, entries - distinct)
    return outcome


def accepts(app, tabs: list[Tab]) -> Outcome:
    """Every tab accepts Lewisham's invitation to Bexley and Greenwich's consortium."""
    from sqlalchemy import select

    from eoi.consortia.models import ConsortiumMembership, MembershipStatus
    from eoi.extensions import db
    from eoi.reference.models import LocalAuthority

    _, consortium_id, _ = _eoi_of(app, "lead.greenwich@demo.example")
    with app.app_context():
        membership = db.session.scalar(select(ConsortiumMembership).join(LocalAuthority).where(
            ConsortiumMembership.consortium_id == consortium_id,
            LocalAuthority.name == "Lewisham"))
        membership_id = membership.id
    page = f"/consortia/{consortium_id}"
    action = f"{page}/memberships/{membership_id}/accept"
    forms = [tab.form(page, action) for tab in tabs]
    watermark = audit_watermark(app)
    answers = at_once([(lambda tab=tab, form=form: tab.request("POST", action, form))
                       for tab, form in zip(tabs, forms, strict=True)])
    outcome = Outcome(f"{len(tabs)} accepts of one consortium invitation", answers)
    with app.app_context():
        status = db.session.get(ConsortiumMembership, membership_id).status
    for tab, answer in zip(tabs, answers, strict=True):
        if answer.status != 302:
            outcome.refused += answer.status in (200, 409)
            continue
        # Accepted or refused, the button leads back to the consortium: its banner says which.
        told = tab.get(answer.location).text
        if "is now a member of this consortium" in told:
            outcome.succeeded += 1
            outcome.lost += status is not MembershipStatus.accepted
        else:
            outcome.refused += 1
    entries = audit_entries_since(app, watermark, "consortium.invitation_accepted",
                                  "Consortium", consortium_id)
    outcome.duplicates = max(0, entries - min(outcome.succeeded, 1))
    if outcome.succeeded > 1:
        outcome.notes.append(f"{outcome.succeeded} people were each told they had accepted")
    return outcome


# Running it -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the web server stopped:\n{log.read_text()}")
        if Tab(port).get("/healthz").status == 200:
            return
        time.sleep(0.5)
    sys.exit(f"the web server did not answer /healthz:\n{log.read_text()}")


def why(log_text: str) -> str:
    """The exceptions behind the 500s, from the server's log: for each traceback Flask
    logged ("Exception on ..."), its last exception line (what the request died of, with the
    constraint it broke); and how often the error page then failed as well (gunicorn's "Error
    handling request"), leaving gunicorn's bare 500."""
    causes: Counter[str] = Counter()
    raised, in_traceback = None, False

    def died_of() -> None:
        if raised:
            name = raised.split(":", 1)[0].rsplit(".", 1)[-1]
            constraint = re.search(r'constraint "(\w+)"', raised)
            causes[f"{name} ({constraint.group(1)})" if constraint else name] += 1

    for line in log_text.splitlines() + ["[end]"]:
        line = line.split("| ", 1)[-1]  # honcho's prefix
        if "Exception on " in line or line.startswith("["):  # a new log record
            died_of()
            raised, in_traceback = None, "Exception on " in line
            if "Error handling request" in line:
                causes["then the error page failed too"] += 1
        elif in_traceback and re.match(r"[\w.]+(Error|Exception|Violation): ", line):
            raised = line
        elif raised and line and not line.startswith((" ", "Traceback", "During", "The ")):
            raised += " " + line  # the message goes on: the database's words, the SQL
    return ", ".join(f"{cause} x{count}" for cause, count in causes.most_common())


def main() -> int:
    database_url = os.environ.get("EOI_TEST_DATABASE_URL")
    if not database_url:  # start a throwaway PostgreSQL server and run again inside it
        os.execv(ROOT / "scripts" / "with_postgres.sh",
                 [str(ROOT / "scripts" / "with_postgres.sh"), sys.executable, __file__])
    folder = Path(tempfile.mkdtemp(prefix="eoi-stress."))
    port = free_port()
    os.environ.update({
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "EOI_ENV": "development",
        "EOI_DATABASE_URL": database_url, "EOI_SECRET_KEY": "stress", "EOI_NOW": NOW,
        "EOI_DEMO_PASSWORD": PASSWORD, "EOI_STORAGE_FOLDER": str(folder / "storage"),
        "EOI_OUTBOX_FOLDER": str(folder / "outbox"), "EOI_BIND": f"127.0.0.1:{port}",
        "EOI_WEB_WORKERS": str(WORKERS)})
    for command in (["db", "upgrade"], ["reference", "load"], ["demo", "load"]):
        subprocess.run([BIN / "flask", "--app", "eoi", *command], cwd=ROOT, check=True,
                       capture_output=True)
    log = folder / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([BIN / "honcho", "start", "--procfile", ROOT / "Procfile",
                                   "--app-root", ROOT, "web"], cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, server, log)
        app = reader()

        def tabs(count: int, *emails: str) -> list[Tab]:
            sessions = [sign_in(port, email) for email in emails]
            return [sessions[i % len(sessions)].copy() for i in range(count)]

        editors = ("lead.hammersmith@demo.example", "officer.kensington@demo.example",
                   "officer.westminster@demo.example")
        cases = [
            lambda: section_saves(app, tabs(20, *editors), with_version=True),
            lambda: section_saves(app, tabs(20, *editors), with_version=False),
            lambda: payments(app, tabs(50, "manager@demo.example")),
            lambda: budget_lines(app, tabs(50, "lead.brent@demo.example",
                                           "officer.harrow@demo.example",
                                           "officer.barnet@demo.example")),
            lambda: eoi_starts(app, tabs(50, "lead.greenwich@demo.example",
                                         "officer.bexley@demo.example")),
            lambda: accepts(app, tabs(50, "officer.lewisham@demo.example")),
        ]
        print(f"PostgreSQL, gunicorn with {WORKERS} workers of 4 threads, the demo as of "
              f"{NOW}\n")
        header = (f"{'case':<52} {'requests':>8} {'ok':>4} {'refused':>7} {'5xx':>4} "
                  f"{'lost':>4} {'dupes':>5} {'broken':>6}")
        print(header + "\n" + "-" * len(header))
        outcomes = []
        for case in cases:
            logged = log.stat().st_size
            outcome = case()
            outcomes.append(outcome)
            print(f"{outcome.case:<52} {len(outcome.answers):>8} {outcome.succeeded:>4} "
                  f"{outcome.refused:>7} {outcome.failed:>4} {outcome.lost:>4} "
                  f"{outcome.duplicates:>5} {outcome.broken:>6}")
            with log.open() as text:
                text.seek(logged)
                cause = why(text.read())
            if outcome.failed and cause:
                print(f"    5xx: {cause}")
            unanswered = [a.error for a in outcome.answers if a.status == 0]
            if unanswered:
                print(f"    no answer: {unanswered[0]} (and {len(unanswered) - 1} more)")
            for note in outcome.notes:
                print(f"    {note}")
        print("\nok: told it succeeded; refused: told no, or of a conflict; 5xx: 500 or more, "
              "or no answer;\nlost: told it succeeded, but not what a later reader sees; "
              "dupes: rows or audit entries\nbeyond one per change; broken: changes past "
              "the service's rules (payments over the award).")
        print(f"The server's log: {log}")
        return 1 if any(o.bad for o in outcomes) else 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
