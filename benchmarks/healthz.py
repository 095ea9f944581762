"""/healthz while the worst uploads we know are checked, served as production serves it.

gunicorn with four workers of four threads on loopback, over a temporary SQLite
database with the demo loaded; the demo partner uploads each file as milestone
evidence through the real form while another thread asks /healthz every 100 ms. The
figure is the slowest answer /healthz gave while the upload was being checked
(target: under 1 s). Python's `re` once held the interpreter lock for 40 s over one
upload, and the whole worker stopped answering.
"""

import http.client
import io
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from eoi.returns.privacy import MAX_TEXT_LENGTH

TARGET_SECONDS = 1.0
POLL_SECONDS = 0.1
UPLOAD_LIMIT = 10 * 1024 * 1024
PARTNER = "partner.stgiles@demo.example"
PASSWORD = "benchmark-password"
BIN = Path(sys.executable).parent


# The files ----------------------------------------------------------------------------------

def _failing_nhs_numbers(length: int) -> str:
    """Ten-digit numbers grouped as NHS numbers, each failing the check digit: the
    slowest text for the guard that does not pack tightly enough to be a zip bomb."""
    chance, numbers, size = random.Random(2026), [], 0
    while size < length:
        digits = [chance.randrange(10) for _ in range(10)]
        weighted = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
        if (11 - weighted % 11) % 11 == digits[9]:
            digits[9] = (digits[9] + 1) % 10
        numbers.append("{}{}{} {}{}{} {}{}{}{}".format(*digits))
        size += 13
    return " ".join(numbers)[:length]


def worst_pdf() -> bytes:
    """As many small objects as fit in 10 MB (about 90,000): pypdf parses each in Python,
    until the check's budget of values runs out."""
    out, offsets, number = bytearray(b"%PDF-1.7\n"), [], 0
    body = b"<< /A [1 2 3 4 5 6 7 8] /B << /C /D /E (text) /F [9 10 11] >> >>"
    while len(out) < UPLOAD_LIMIT - 3_000_000:
        number += 1
        offsets.append(len(out))
        if number == 1:
            content = b"<< /Type /Catalog /Pages 2 0 R >>"
        elif number == 2:
            content = b"<< /Type /Pages /Kids [] /Count 0 >>"
        else:
            content = body
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (number + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (number + 1, xref)
    return bytes(out)


def worst_docx() -> bytes:
    """As many words as the guard reads, of its slowest kind, and parts that unpack to
    nearly the 100 MB limit, each just loosely enough packed to pass the ratio."""
    chance = random.Random(2026)
    padding = bytes(chance.choice(b"abcdefgh" + bytes(40)) for _ in range(1 << 20))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>"
                         + _failing_nhs_numbers(MAX_TEXT_LENGTH - 1000)
                         + "</w:t></w:r></w:p></w:body></w:document>")
        for n in range(95):
            archive.writestr(f"word/media/image{n}.bin", padding[n:] + padding[:n])
            if len(buffer.getvalue()) > UPLOAD_LIMIT - 300_000:
                break
    return buffer.getvalue()


def worst_csv() -> bytes:
    """10 MB of numbers a line at a time: every character is looked at to tell a CSV."""
    text = _failing_nhs_numbers(2_000_000).replace(" 9", "\n9")
    return (text * (UPLOAD_LIMIT // len(text) + 1)).encode()[:UPLOAD_LIMIT]


def zip_bomb() -> bytes:
    """The issue's zip bomb, as big as the upload limit lets it be."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(bytes(1024 * 1024))
    return buffer.getvalue()


UPLOADS = [
    ("a PDF as full of small objects as fits (~90,000)", "evidence.pdf", worst_pdf),
    ("a DOCX of the slowest words, unpacking to 100 MB", "evidence.docx", worst_docx),
    ("a 10 MB CSV of numbers", "evidence.csv", worst_csv),
    ("a 1 GB zip bomb", "evidence.docx", zip_bomb),
]


# The server ---------------------------------------------------------------------------------

class Browser:
    """Just enough of one: cookies (whatever their Secure flag) and CSRF tokens."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, timeout: float = 600) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body,
                           headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})})
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, text

    def token(self, path: str) -> tuple[str, str]:
        _, page = self.request("GET", path)
        return page, re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                               page)[1]

    def post_form(self, path: str, fields: dict, file: tuple[str, bytes] | None = None,
                  page: str | None = None) -> tuple[int, str]:
        _, token = self.token(page or path)
        boundary = secrets.token_hex(16)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                 f"{value}\r\n".encode() for name, value in {**fields, "csrf_token": token}.items()]
        if file:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                         f'filename="{file[0]}"\r\nContent-Type: application/octet-stream'
                         "\r\n\r\n".encode() + file[1] + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}"})


def _environment(folder: Path) -> dict:
    return {**os.environ, "EOI_ENV": "production", "EOI_ALLOW_SQLITE": "1",
            "EOI_SECRET_KEY": secrets.token_hex(32), "EOI_DEMO_PASSWORD": PASSWORD,
            "EOI_DATABASE_URL": f"sqlite:///{folder / 'eoi.sqlite'}",
            "EOI_STORAGE_FOLDER": str(folder / "storage"),
            "EOI_OUTBOX_FOLDER": str(folder / "outbox")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(browser: Browser, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before it answered")
        try:
            if browser.request("GET", "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer within a minute")


def _open_milestone(browser: Browser) -> int:
    """A milestone of the demo partner's that takes evidence, found as a person would."""
    _, grants = browser.request("GET", "/grants")
    for grant in dict.fromkeys(re.findall(r'href="/grants/(\d+)"', grants)):
        _, page = browser.request("GET", f"/grants/{grant}")
        for milestone in dict.fromkeys(re.findall(r'href="/grants/milestones/(\d+)"', page)):
            _, page = browser.request("GET", f"/grants/milestones/{milestone}")
            if f'action="/grants/milestones/{milestone}/evidence"' in page:
                return int(milestone)
    raise RuntimeError("the demo partner has no milestone open for evidence")


def _during(upload, port: int) -> tuple[float, int, float, str]:
    """Poll /healthz every 100 ms while `upload` runs; the slowest answer, how many were
    asked, how long the upload took and what it answered."""
    latencies: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        prober = Browser(port)
        while not stop.is_set():
            started = time.perf_counter()
            prober.request("GET", "/healthz", timeout=60)
            took = time.perf_counter() - started
            latencies.append(took)
            stop.wait(max(0.0, POLL_SECONDS - took))

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.perf_counter()
    try:
        answer = upload()
    finally:
        took = time.perf_counter() - started
        stop.set()
        poller.join()
    return max(latencies), len(latencies), took, answer


def _outcome(status: int, page: str) -> str:
    if status in (302, 303):
        return "accepted"
    error = re.search(r'id="file-error"[^>]*>\s*<span[^>]*>[^<]*</span>\s*([^<]+)', page)
    return f"refused: {error[1].strip()[:60]}…" if error else f"status {status}"


def healthz_while_checking_uploads() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        environment = _environment(folder)
        for command in (["db", "upgrade"], ["reference", "load"], ["demo", "load"]):
            subprocess.run([BIN / "flask", "--app", "eoi", *command], env=environment,
                           check=True, capture_output=True)
        port = _free_port()
        with open(folder / "gunicorn.log", "w") as log:
            server = subprocess.Popen(
                [BIN / "gunicorn", "--workers", "4", "--worker-class", "gthread",
                 "--threads", "4", "--bind", f"127.0.0.1:{port}", "eoi:create_app()"],
                env=environment, stdout=log, stderr=log)
        try:
            browser = Browser(port)
            _wait_for(browser, server)
            browser.post_form("/sign-in", {"email": PARTNER, "password": PASSWORD})
            milestone = _open_milestone(browser)
            page = f"/grants/milestones/{milestone}"

            def upload(filename: str, content: bytes) -> str:
                return _outcome(*browser.post_form(f"{page}/evidence", {"upload": "Upload"},
                                                   (filename, content), page=page))

            for label, filename, build in UPLOADS:
                content = build()
                worst, polls, took, answer = _during(
                    lambda filename=filename, content=content: upload(filename, content), port)
                verdict = "ok" if worst <= TARGET_SECONDS else "SLOWER THAN TARGET"
                print(f"/healthz while checking {label} ({len(content) / 1024 / 1024:.1f} MB, "
                      f"{took:.1f} s, {answer}): worst of {polls} answers {worst:.3f} s "
                      f"(target {TARGET_SECONDS} s: {verdict})", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=60)
