"""`make bench-scale`: the service's pages on a national fund, against targets.

On a throwaway PostgreSQL server (scripts/with_postgres.sh, which this script starts itself
under), migrated and loaded with the demo and the national fund (eoi.demo.scale; the loaded
database is kept as a pg_dump in instance/, keyed by the migration head and the demo
code, since loading takes minutes; the figures about young people the pages show are kept
first, as the scheduler keeps them), gunicorn serves the service with 4 sync workers, and
beside it the floor (benchmarks/floor.py: bare Flask, one indexed query, a 50-row table)
the same way. Then:

- each page, as the person who uses it: SQL statements per request (the service's opt-in
  X-Query-Count header), median and p95 time, both as a multiple of the floor's median,
  and bytes; 30 samples of a fast page, 5 of a slow one, at most 20 s on any page and
  a timeout of 60 s a request (so the run takes under 20 minutes even while pages take a
  minute);
- a mixed workload of signed-in people (the pages but PDFs and downloads) at 8 and 32
  concurrent clients for 20 s each, from a small asyncio HTTP/1.1 client that signs in
  through the real form: requests/s, errors, median and p95;
- each gunicorn worker's peak memory (VmHWM);
- the EOI PDF against WeasyPrint alone on the same HTML, in this process.

Targets: every list and dashboard median at most 5x the floor's and p95 at most 10x; at
most 25 statements a page; at least 300 requests/s with no errors at 32 clients; at most
150 MB a worker; the EOI PDF at most 2x WeasyPrint's own time. It prints "TARGETS MET" or
"SHORTFALLS: ..." and exits 0 either way: it is a measurement, not a test.
"""

import asyncio
import hashlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOW = "2026-11-24T10:00+00:00"  # the fund as of this instant, whatever day it is run
PASSWORD = "demo-pass-2026"
WORKERS = 4
TIMEOUT = 60.0  # seconds a request may take
PAGE_BUDGET = 20.0  # seconds of sampling a page, at most (one request at least)
FAST = 1.0  # a page answering within this is sampled 30 times; otherwise 5
WORKLOAD_SECONDS = 20.0

MANAGER, LEAD, PARTNER, PANEL = ("manager@demo.example", "lead.greenwich@demo.example",
                                 "partner.stgiles@demo.example", "panel1@demo.example")
# (what, who, address, kind): kind "page" is a list or dashboard, held to the floor targets.
PAGES = [
    ("Dashboard (fund manager)", MANAGER, "/dashboard", "page"),
    ("Dashboard (commissioner)", LEAD, "/dashboard", "page"),
    ("Dashboard (partner)", PARTNER, "/dashboard", "page"),
    ("Dashboard (panel member)", PANEL, "/dashboard", "page"),
    ("EOIs (lead)", LEAD, "/eois", "page"),
    ("EOIs (partner)", PARTNER, "/eois", "page"),
    ("EOIs (panel member)", PANEL, "/eois", "page"),
    ("EOIs as CSV", MANAGER, "/eois/export.csv", "download"),
    ("Grants", MANAGER, "/grants", "page"),
    ("Grants as XLSX", MANAGER, "/grants/export.xlsx", "download"),
    ("Returns", MANAGER, "/returns", "page"),
    ("Programme dashboard", MANAGER, "/programme", "page"),
    ("Payments", MANAGER, "/grants/payments", "page"),
    ("Users", MANAGER, "/admin/users", "page"),
    ("Round ranking", MANAGER, "/assessment/rounds/{round}/ranking", "page"),
    ("Open data page", None, "/open-data", "page"),
    ("Open data JSON", None, "/open-data/grants.json", "download"),
    ("Panel pack PDF", MANAGER, "/assessment/rounds/{round}/panel-pack.pdf", "pdf"),
    ("EOI PDF", MANAGER, "/eois/{eoi}/pdf", "pdf"),
]


# HTTP/1.1 over asyncio, keep-alive where the server keeps it ----------------------------------

@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset or timed out)
    seconds: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""


class Client:
    """One person's browser: its cookies and one connection, opened again whenever the
    server closes it (gunicorn's sync workers close after every response)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        started = time.perf_counter()
        reused = self.writer is not None
        try:
            try:
                answer = await asyncio.wait_for(self._exchange(method, path, form), TIMEOUT)
            except (ConnectionError, asyncio.IncompleteReadError):
                if not reused:
                    raise
                # The server closed a kept-alive connection while it sat idle (as gunicorn
                # does after its keep-alive seconds): ask again on a new one, as browsers do.
                await self.close()
                started = time.perf_counter()
                answer = await asyncio.wait_for(self._exchange(method, path, form), TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            await self.close()
            return Answer(0, time.perf_counter() - started, error=repr(error)[:200])
        answer.seconds = time.perf_counter() - started
        return answer

    async def _exchange(self, method: str, path: str, form: dict | None) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                 "Connection: keep-alive", f"Content-Length: {len(body)}"]
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._cookie(value)
            headers[name] = value
        if "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunks()
        else:
            content = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, 0.0, content, headers)

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def _cookie(self, header: str) -> None:
        name, _, value = header.split(";", 1)[0].partition("=")
        if value and "Max-Age=0" not in header and "01 Jan 1970" not in header:
            self.cookies[name.strip()] = value
        else:
            self.cookies.pop(name.strip(), None)

    async def sign_in(self, email: str) -> None:
        page = await self.request("GET", "/sign-in")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"the sign-in page answered {page.status}")
        answer = await self.request("POST", "/sign-in", {
            "csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD})
        if answer.status != 302:
            raise RuntimeError(f"{email} could not sign in: {answer.status}")


# Measuring ----------------------------------------------------------------------------------

@dataclass
class Sampled:
    what: str
    kind: str
    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    size: int = 0
    statuses: set[int] = field(default_factory=set)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def sample(client: Client, what: str, kind: str, path: str) -> Sampled:
    """A warm-up request (kept as a sample when the page is slow: there is nothing to warm
    in ten seconds' work), then samples until there are enough or the page's time is up."""
    result = Sampled(what, kind)
    started = time.perf_counter()
    warm = await client.request("GET", path)
    wanted = 30 if warm.seconds < FAST else 5
    answers = [] if warm.seconds < 10 and warm.status else [warm]
    while (warm.status and len(answers) < wanted
           and (not answers or time.perf_counter() - started < PAGE_BUDGET)):
        answer = await client.request("GET", path)
        answers.append(answer)
        if not answer.status:
            break
    for answer in answers:
        result.statuses.add(answer.status)
        if answer.status:
            result.times.append(answer.seconds)
            result.size = len(answer.body)
            if "x-query-count" in answer.headers:
                result.statements.append(int(answer.headers["x-query-count"]))
        else:
            result.error = answer.error
    if not warm.status:
        result.statuses.add(0)
        result.error = warm.error
    return result


@dataclass
class Load:
    clients: int
    seconds: float
    times: list[float] = field(default_factory=list)
    errors: int = 0
    late: int = 0  # answered after the time was up
    kinds: dict[str, int] = field(default_factory=dict)


async def workload(port: int, clients: int, people: dict[str, list[str]]) -> Load:
    """`clients` people at once, each signed in through the form and going round their
    pages until the time is up; only answers that came back in the time count, and the
    run waits for the rest so the next one starts on idle workers."""
    emails = sorted(people)
    sessions = [Client(port) for _ in range(clients)]
    for i, client in enumerate(sessions):
        # One after another: two sign-ins of one account at the same instant conflict on
        # its row (the second is told to try again), which is not what is measured here.
        await client.sign_in(emails[i % len(emails)])
    load = Load(clients, WORKLOAD_SECONDS)
    started = time.perf_counter()
    deadline = started + WORKLOAD_SECONDS

    async def person(n: int, client: Client) -> None:
        pages = people[emails[n % len(emails)]]
        turn = n
        while time.perf_counter() < deadline:
            path = pages[turn % len(pages)]
            turn += 1
            answer = await client.request("GET", path)
            late = time.perf_counter() > deadline
            if not late:  # throughput: only answers within the time
                load.times.append(answer.seconds)
            else:
                load.late += 1
            if answer.status != 200:  # errors: of every request started in the time
                load.errors += 1
                key = str(answer.status or answer.error.split("(")[0])
                load.kinds[key] = load.kinds.get(key, 0) + 1
            if late:
                break
        await client.close()

    await asyncio.gather(*(person(n, c) for n, c in enumerate(sessions)))
    return load


async def settle() -> None:
    """Wait (at most a timeout and a little) until the machine is nearly idle: a request the
    client gave up on still runs in its worker and the database, and would slow the next."""
    def busy() -> tuple[int, int]:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split()[1:9]]
        return sum(ticks) - ticks[3] - ticks[4], sum(ticks)

    deadline = time.monotonic() + TIMEOUT + 15
    while time.monotonic() < deadline:
        work, total = busy()
        await asyncio.sleep(1)
        work2, total2 = busy()
        if work2 - work < 0.2 * max(1, total2 - total):
            return


def peak_memory(master: int) -> list[float]:
    """VmHWM of each of gunicorn's workers, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return peaks


def weasyprint_alone(eoi_id: int) -> tuple[float, float]:
    """In this process: the EOI PDF as the service makes it, and WeasyPrint alone on the
    HTML it was given (medians of 3). Returns (service seconds, WeasyPrint seconds)."""
    import weasyprint

    from eoi import create_app
    from eoi.pdf import PDF_VARIANT

    app = create_app()
    seen: list[dict] = []
    original = weasyprint.HTML.__init__

    def keep(self, *args, **kwargs):
        seen.append(kwargs)
        original(self, *args, **kwargs)

    weasyprint.HTML.__init__ = keep  # type: ignore[method-assign]
    try:
        client = app.test_client()
        page = client.get("/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token is not None
        client.post("/sign-in", data={"csrf_token": token.group(1), "email": MANAGER,
                                      "password": PASSWORD})
        service = []
        for _ in range(3):
            started = time.perf_counter()
            assert client.get(f"/eois/{eoi_id}/pdf").status_code == 200
            service.append(time.perf_counter() - started)
    finally:
        weasyprint.HTML.__init__ = original  # type: ignore[method-assign]
    alone = []
    for _ in range(3):
        started = time.perf_counter()
        weasyprint.HTML(**seen[-1]).write_pdf(pdf_variant=PDF_VARIANT)
        alone.append(time.perf_counter() - started)
    return statistics.median(service), statistics.median(alone)


# The database, cached -----------------------------------------------------------------------

def cache_key() -> str:
    """The loaded fund changes with the demo's code and the instant: a later migration is
    applied to a restored dump, as it would be to the production database."""
    digest = hashlib.sha256(NOW.encode())
    for path in sorted((ROOT / "eoi" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def flask(command: list[str], env: dict) -> None:
    done = subprocess.run([BIN / "flask", "--app", "eoi", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")


def analyse(url: str) -> None:
    """The planner's statistics, as autovacuum keeps them on a production database: a
    restored or freshly loaded one has none, and PostgreSQL plans blind."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def pg_tool(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda p: int(p.parts[-3]))
    return str(found[-1]) if found else name


def database(url: str, env: dict) -> str:
    """Migrated and loaded: from the cached dump when there is one, else built and dumped."""
    plain = url.replace("+psycopg", "")
    dump = ROOT / "instance" / f"bench-scale-{cache_key()}.dump"
    if dump.exists():
        subprocess.run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname",
                        plain, str(dump)], check=True)
        flask(["db", "upgrade"], env)
        analyse(url)
        return f"restored from {dump.relative_to(ROOT)}"
    started = time.perf_counter()
    # The figures about young people are kept by the scheduler in production: here the ones
    # the measured pages show (the latest quarter and the achievements), before measuring.
    for command in (["db", "upgrade"], ["demo", "load", "--scale", "national"],
                    ["documents", "figures", "--most", "2"]):
        flask(command, env)
    loaded = time.perf_counter() - started
    dump.parent.mkdir(exist_ok=True)
    for old in dump.parent.glob("bench-scale-*.dump"):
        old.unlink()
    subprocess.run([pg_tool("pg_dump"), "-Fc", "--dbname", plain, "-f", str(dump)], check=True)
    analyse(url)
    return f"built in {loaded:.0f} s, kept in {dump.relative_to(ROOT)}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
             # One thread each: gunicorn.conf.py's threads would turn sync into gthread.
             "--worker-class", "sync", "--threads", "1", "--timeout", str(int(TIMEOUT) + 10),
             "--no-control-socket", app], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)


async def wait_until_serving(port: int, path: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the web server stopped:\n{log.read_text()}")
        client = Client(port)
        answer = await client.request("GET", path)
        await client.close()
        if answer.status == 200:
            return
        await asyncio.sleep(0.5)
    sys.exit(f"the web server did not answer {path}:\n{log.read_text()}")


# The run ------------------------------------------------------------------------------------

def ids(url: str) -> dict[str, int]:
    """The round being decided (the assessed national round: the biggest ranking people
    work on) and its first submitted EOI."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        round_id = connection.execute(text(
            "SELECT id FROM funding_rounds WHERE status = 'assessed' "
            "ORDER BY id DESC LIMIT 1")).scalar_one()
        eoi_id = connection.execute(text(
            "SELECT id FROM eois WHERE round_id = :r AND status = 'submitted' ORDER BY id "
            "LIMIT 1"), {"r": round_id}).scalar_one()
    engine.dispose()
    return {"round": round_id, "eoi": eoi_id}


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:7.1f}x" if floor and value == value else "      -"


async def measure(port: int, floor_port: int, found: dict[str, int]) -> dict:
    floor_client = Client(floor_port)
    floor = await sample(floor_client, "Floor (bare Flask, 50-row table)", "floor", "/")
    await floor_client.close()
    people: dict[str | None, Client] = {}
    for email in {who for _, who, _, _ in PAGES}:
        people[email] = Client(port)
        if email:
            await people[email].sign_in(email)
    results = []
    for what, who, address, kind in PAGES:
        path = address.format(**found)
        print(f"  {what} ...", end="", flush=True, file=sys.stderr)
        result = await sample(people[who], what, kind, path)
        print(f" {result.median:.2f} s", file=sys.stderr)
        results.append(result)
        if 0 in result.statuses:
            await settle()
    for client in people.values():
        await client.close()
    workload_pages: dict[str, list[str]] = {}
    for _what, who, address, kind in PAGES:
        if who and kind == "page":
            workload_pages.setdefault(who, []).append(address.format(**found))
    loads = []
    for clients in (8, 32):
        await settle()
        loads.append(await workload(port, clients, workload_pages))
    return {"floor": floor, "pages": results, "loads": loads}


def report(measured: dict, memory: list[float], pdf: tuple[float, float] | None,
           loaded: str) -> None:
    floor: Sampled = measured["floor"]
    base = floor.median
    shortfalls = []
    print(f"\nNational fund on PostgreSQL ({loaded}), the service as of {NOW}; gunicorn "
          f"{WORKERS} sync workers, request timeout {TIMEOUT:.0f} s.")
    print(f"Floor: median {base * 1000:.1f} ms, p95 {floor.p95 * 1000:.1f} ms over "
          f"{len(floor.times)} requests.\n")
    header = (f"{'page':<28} {'n':>3} {'SQL':>5} {'median s':>9} {'p95 s':>8} "
              f"{'med/floor':>9} {'p95/floor':>9} {'bytes':>10}  status")
    print(header + "\n" + "-" * len(header))
    for r in measured["pages"]:
        sql = max(r.statements) if r.statements else None
        statuses = ",".join(str(s) for s in sorted(r.statuses))
        print(f"{r.what:<28} {len(r.times):>3} {sql if sql is not None else '-':>5} "
              f"{r.median:>9.3f} {r.p95:>8.3f} {ratio(r.median, base):>9} "
              f"{ratio(r.p95, base):>9} {r.size:>10}  {statuses}"
              + (f"  {r.error}" if r.error else ""))
        if r.statuses != {200}:
            shortfalls.append(f"{r.what} answered {statuses}")
        if sql is not None and sql > 25:
            shortfalls.append(f"{r.what}: {sql} statements (target 25)")
        if r.kind == "page" and r.times:
            if r.median > 5 * base:
                shortfalls.append(f"{r.what}: median {r.median / base:.0f}x the floor (5x)")
            if r.p95 > 10 * base:
                shortfalls.append(f"{r.what}: p95 {r.p95 / base:.0f}x the floor (10x)")
    print(f"\nMixed signed-in workload ({WORKLOAD_SECONDS:.0f} s each; the lists and "
          "dashboards above, no PDFs or downloads):")
    for load in measured["loads"]:
        rate = len(load.times) / load.seconds
        kinds = ", ".join(f"{k} x{v}" for k, v in load.kinds.items())
        print(f"  {load.clients:>2} clients: {rate:7.1f} requests/s, {load.errors} errors"
              f"{f' ({kinds})' if kinds else ''}, median "
              f"{statistics.median(load.times) if load.times else float('nan'):.3f} s, "
              f"p95 {percentile(load.times, 95):.3f} s, {len(load.times)} answers in the "
              f"time and {load.late} after it")
        if load.clients == 32:
            if rate < 300:
                shortfalls.append(f"{rate:.1f} requests/s at 32 clients (300)")
            if load.errors:
                shortfalls.append(f"{load.errors} errors at 32 clients (0)")
    print("\nWorker peak memory (VmHWM): " + ", ".join(f"{m:.0f} MB" for m in memory))
    if any(m > 150 for m in memory):
        shortfalls.append(f"worker memory up to {max(memory):.0f} MB (150 MB)")
    if pdf is not None:
        service, alone = pdf
        print(f"EOI PDF in process: {service:.2f} s; WeasyPrint alone on its HTML: "
              f"{alone:.2f} s ({service / alone:.1f}x)")
        if service > 2 * alone:
            shortfalls.append(f"EOI PDF {service / alone:.1f}x WeasyPrint's own time (2x)")
    served = next((r for r in measured["pages"] if r.what == "EOI PDF"), None)
    if served and served.times and pdf is not None and served.median > 2 * pdf[1]:
        shortfalls.append(f"EOI PDF served in {served.median:.1f} s, "
                          f"{served.median / pdf[1]:.1f}x WeasyPrint's own time (2x)")
    print("\nTargets: lists and dashboards median <= 5x the floor and p95 <= 10x; <= 25 SQL "
          "statements a page;\n>= 300 requests/s with 0 errors at 32 clients; <= 150 MB a "
          "worker; EOI PDF <= 2x WeasyPrint alone.")
    print("TARGETS MET" if not shortfalls else "SHORTFALLS: " + "; ".join(shortfalls))


def main() -> int:
    url = os.environ.get("EOI_TEST_DATABASE_URL")
    if not url:  # start a throwaway PostgreSQL server and run again inside it
        os.execv(ROOT / "scripts" / "with_postgres.sh",
                 [str(ROOT / "scripts" / "with_postgres.sh"), sys.executable, __file__])
    # Stopped (Ctrl-C, SIGTERM), it still stops both servers, in the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="eoi-bench-scale."))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "EOI_ENV": "development", "EOI_DATABASE_URL": url, "EOI_SECRET_KEY": "bench-scale",
           "EOI_NOW": NOW, "EOI_DEMO_PASSWORD": PASSWORD,
           "EOI_STORAGE_FOLDER": str(folder), "EOI_OUTBOX_FOLDER": str(folder / "outbox")}
    print("Loading the national fund ...", file=sys.stderr)
    loaded = database(url, env)
    found = ids(url)
    port, floor_port = free_port(), free_port()
    service_log, floor_log = folder / "service.log", folder / "floor.log"
    service = serve("eoi:create_app()", port, {**env, "EOI_QUERY_COUNT_HEADER": "1"},
                    service_log)
    floor = serve("benchmarks.floor:create_app()", floor_port, env, floor_log)
    try:
        asyncio.run(wait_until_serving(port, "/healthz", service, service_log))
        asyncio.run(wait_until_serving(floor_port, "/", floor, floor_log))
        print("Measuring ...", file=sys.stderr)
        measured = asyncio.run(measure(port, floor_port, found))
        memory = peak_memory(service.pid)
    finally:
        for server in (service, floor):
            server.terminate()
        for server in (service, floor):
            try:
                server.wait(timeout=TIMEOUT + 15)
            except subprocess.TimeoutExpired:
                server.kill()
    os.environ.update(env)
    try:
        pdf: tuple[float, float] | None = weasyprint_alone(found["eoi"])
    except Exception as error:  # a measurement: say what failed, and report the rest
        print(f"The in-process PDF measurement failed: {error!r}", file=sys.stderr)
        pdf = None
    report(measured, memory, pdf, loaded)
    print(f"\n(The run took {time.perf_counter() - started:.0f} s; the servers' logs are in "
          f"{folder}.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
