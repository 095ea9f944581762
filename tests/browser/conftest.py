"""Real journeys: the app served on loopback, driven by Debian's headless Chromium,
with axe-core checking every page a journey visits."""

import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (as root it installs chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci installs axe-core)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    # bypass_csp lets the test inject axe; the app's own pages never need it.
    context = chromium.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    # A page may be meant to answer 403 or 404; what it loads (CSS, scripts) may not.
    page.on("response", lambda response: response.status >= 400
            and response.request.resource_type != "document"
            and problems.append(f"{response.status} {response.url}"))
    page.on("console", lambda msg: msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, f"browser errors: {problems}"


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: zero violations, WCAG 2.2 A/AA and best practice.

    Right after a click the browser may still be between pages; axe would then judge a
    half-made document (seen on a loaded machine as "no main landmark"). So the page must be
    loaded with its heading, and the check is run again if a navigation cut it short.
    """
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            page.wait_for_load_state()
            page.locator("main h1").first.wait_for()
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                """async () => await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                    'wcag22aa', 'best-practice']}
                })"""
            )
            if page.evaluate("document.querySelector('main h1') !== null"):
                break
        except Error as error:
            if "context was destroyed" not in str(error) or attempt == 2:
                raise
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert violations == [], f"axe on {page.url}:\n{json.dumps(violations, indent=2)}"
    assert result["passes"], "axe ran no checks"


@pytest.fixture
def outbox(app, tmp_path, monkeypatch, live_server):
    """Emails written to a folder a test can read, with links to the live server."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "EOI_OUTBOX_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "EOI_SMTP_HOST", None)
    monkeypatch.setitem(app.config, "EOI_NOTIFY_API_KEY", None)
    monkeypatch.setitem(app.config, "EOI_BASE_URL", live_server)
    return folder


def delivered(folder) -> list:
    """What the scheduler would send, sent now (all of it: it sends a batch at a time);
    every email in the folder, oldest first."""
    import email
    import email.policy

    from eoi.notifications.outbox import deliver_due

    while deliver_due():
        pass
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]
