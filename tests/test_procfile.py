"""The Procfile, run for real by honcho as `make run` and production run it: the web server
(gunicorn) and the reminder scheduler start together and stop together, leaving no process
behind, whether honcho is stopped (SIGTERM, or Ctrl-C's SIGINT) or one of the two dies."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_NOW

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
WORKERS = 2


@pytest.fixture(autouse=True)
def _clean_database():
    """Stands in for the suite-wide fixture: these tests run the service in processes of
    its own, on a SQLite file of their own, so they run once, not again on PostgreSQL."""
    yield


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict:
    """A migrated SQLite database and folders of its own; EOI_NOW so that the scheduler's
    first run counts from the tests' instant, not the real date."""
    folder = tmp_path_factory.mktemp("procfile")
    env = {**os.environ,
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "EOI_ENV": "development",
           "EOI_DATABASE_URL": f"sqlite:///{folder / 'eoi.sqlite'}",
           "EOI_SECRET_KEY": "procfile-test",
           "EOI_OUTBOX_FOLDER": str(folder / "outbox"),
           "EOI_STORAGE_FOLDER": str(folder / "storage"),
           "EOI_WEB_WORKERS": str(WORKERS),
           "EOI_NOW": TEST_NOW.isoformat()}
    subprocess.run([BIN / "flask", "--app", "eoi", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children() -> dict[int, list[int]]:
    """Every live process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if fields[0] != "Z":
                tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def runs(pid: int, program: str) -> bool:
    """Whether the process is `program` itself (or Python running it), not a shell that
    starts it."""
    argv = command_line(pid).split()
    return any(Path(arg).name == program for arg in argv[:2])


class Honcho:
    """`honcho start` with the repository's Procfile, its output in a file."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [BIN / "honcho", "start", "--procfile", ROOT / "Procfile", "--app-root", ROOT],
                env={**env, "EOI_BIND": f"127.0.0.1:{self.port}"}, cwd=ROOT,
                stdout=out, stderr=subprocess.STDOUT)
        self.group: set[int] = set()

    def wait_until_serving(self, timeout: float = 90) -> None:
        """Until /healthz answers and both processes, with every web worker, are up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"honcho stopped:\n{self.log.read_text()}"
            self.group = descendants(self.process.pid)
            gunicorns = sum(runs(pid, "gunicorn") for pid in self.group)
            if (gunicorns == 1 + WORKERS and any(runs(pid, "flask") for pid in self.group)
                    and "Reminder scheduler started" in self.log.read_text()
                    and self._healthy()):
                return
            time.sleep(0.5)
        raise AssertionError(f"not serving after {timeout}s:\n{self.log.read_text()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz",
                                        timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False

    def pid_of(self, program: str) -> int:
        """The process running `program`: for gunicorn its master, not a worker."""
        return next(pid for pid in self.group
                    if runs(pid, program) and not runs(parent(pid), program))

    def survivors(self) -> list[str]:
        return [f"{pid}: {command_line(pid)}" for pid in sorted(self.group) if alive(pid)]

    def kill_everything(self) -> None:
        """After a failed test: nothing of this run may stay behind for the next one."""
        for pid in [self.process.pid, *self.group]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.mark.parametrize("how", ["SIGTERM to honcho", "SIGINT to honcho (Ctrl-C)",
                                 "the scheduler dies", "the web server dies"])
def test_web_server_and_scheduler_stop_together(environment, tmp_path, how):
    honcho = Honcho(environment, tmp_path / "honcho.log")
    try:
        honcho.wait_until_serving()
        if how.startswith("SIGTERM"):
            honcho.process.send_signal(signal.SIGTERM)
        elif how.startswith("SIGINT"):
            honcho.process.send_signal(signal.SIGINT)
        elif how == "the scheduler dies":
            os.kill(honcho.pid_of("flask"), signal.SIGKILL)
        else:
            os.kill(honcho.pid_of("gunicorn"), signal.SIGKILL)
        honcho.process.wait(timeout=30)
        log = honcho.log.read_text()
        if "to honcho" in how:
            # Once honcho has gone, nothing may be left, not even a server still stopping.
            assert honcho.survivors() == [], log
            # Stopped, not killed: each had the time to finish what it was doing.
            assert "Reminder scheduler stopped." in log, log
            assert "Shutting down: Master" in log, log
        else:
            # A web worker whose master was killed notices within a second or two.
            deadline = time.monotonic() + 5
            while honcho.survivors() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert honcho.survivors() == [], log
    finally:
        honcho.kill_everything()


def gunicorn_settings(environment: dict, **settings: str) -> dict[str, str]:
    """The settings gunicorn itself resolves from gunicorn.conf.py (the Procfile's `-c`) in
    this environment, as `--print-config` prints them after loading the app."""
    env = {name: value for name, value in environment.items()
           if not name.startswith(("EOI_BIND", "EOI_WEB_", "EOI_PROXY", "FORWARDED_"))}
    answer = subprocess.run(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "eoi:create_app()"],
        env={**env, **settings}, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    lines = (line.split("=", 1) for line in answer.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in lines}


def test_the_procfile_runs_gunicorn_with_its_config_file():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    assert web == 'web: exec gunicorn -c gunicorn.conf.py "eoi:create_app()"'


def test_gunicorn_config_defaults(environment):
    settings = gunicorn_settings(environment)
    assert settings["config"] == "gunicorn.conf.py"
    assert settings["bind"] == "['127.0.0.1:5000']"
    assert settings["workers"] == str(min(2 * len(os.sched_getaffinity(0)) + 1, 4))
    assert (settings["worker_class"], settings["threads"]) == ("gthread", "4")
    assert (settings["graceful_timeout"], settings["timeout"]) == ("4", "30")
    assert (settings["max_requests"], settings["max_requests_jitter"]) == ("2000", "200")
    assert settings["accesslog"] == "-"
    assert settings["control_socket_disable"] == "True"
    # Without EOI_PROXY_HOPS nobody's X-Forwarded-Proto is believed, not even loopback's.
    assert settings["forwarded_allow_ips"] == "[]"


def test_gunicorn_config_honours_the_environment(environment):
    settings = gunicorn_settings(environment, EOI_BIND="0.0.0.0:8001", EOI_WEB_WORKERS="7",
                                 EOI_PROXY_HOPS="1")
    assert settings["bind"] == "['0.0.0.0:8001']"
    assert settings["workers"] == "7"
    assert settings["forwarded_allow_ips"] == "['*']"
    narrowed = gunicorn_settings(environment, EOI_PROXY_HOPS="1",
                                 FORWARDED_ALLOW_IPS="10.0.0.5")
    assert narrowed["forwarded_allow_ips"] == "['10.0.0.5']"
