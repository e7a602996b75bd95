"""The first hour, as a new user meets it: `make run` in a fresh clone of this checkout, in a
terminal (a pseudo-terminal here), with nothing set in the environment.

Within a minute of the login page answering, the branch secretary's home page lists overdue
work and the bell shows unread notifications (the jobs have run once before the server
starts); a bad filter answers the app's own 400 page, not Django's debug page; Ctrl-C stops web,
worker and beat, and make exits 0 with no ERROR line and no traceback in what they printed.

Slow (a virtualenv, the assets and the demo are made from nothing: two to four minutes), so it
runs with the browser tests (`make e2e`, CI).
"""

from __future__ import annotations

import http.cookiejar
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SETUP_LIMIT = 900  # seconds until the login page answers, from nothing
FIRST_MINUTE = 60
STOP_LIMIT = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_environment() -> dict[str, str]:
    """What a new user's shell has: none of the services or settings CI exports (the demo
    uses its embedded SQLite and file-system broker, never the tests' database)."""
    prefixes = ("DATABASE_", "REDIS_", "DJANGO_", "LEDGER_", "CELERY_", "PYTEST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if ".venv" not in p)
    env["TERM"] = "dumb"
    return env


class Terminal:
    """`make run` in a pseudo-terminal: the terminal's Ctrl-C is what a user's is."""

    def __init__(self, cwd: Path, args: list[str], env: dict[str, str]):
        self.output = b""
        pid, self.master = pty.fork()
        if pid == 0:  # the child: the pseudo-terminal is its controlling terminal
            try:
                os.chdir(cwd)
                os.execvpe(args[0], args, env)
            finally:
                os._exit(127)
        self.pid = pid
        self.status: int | None = None

    def read(self, seconds: float = 0.5) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            try:
                self.output += os.read(self.master, 65536)
            except OSError:  # the child has gone and the terminal with it
                time.sleep(seconds)

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def wait(self, seconds: float) -> int | None:
        if self.status is not None:
            return self.status
        deadline = time.monotonic() + seconds
        while True:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.read(0.2)
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            if time.monotonic() >= deadline:
                return None
            self.read(0.2)

    def kill(self) -> None:
        if self.status is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.pid, sig)
                except ProcessLookupError:
                    break
                if self.wait(10) is not None:
                    break
        os.close(self.master)


class Browser:
    """A user agent without JavaScript: cookies, a login form, pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def log_in(self, username: str, password: str) -> tuple[int, str]:
        status, page = self.get("/accounts/login/")
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    clone = tmp_path / "liaison-ledger"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone


def test_make_run_in_a_fresh_clone_shows_work_at_once_and_stops_cleanly(fresh_clone: Path):
    if shutil.which("make") is None:
        pytest.fail("make is missing")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    terminal = Terminal(fresh_clone, ["make", "run", f"PORT={port}"], _clean_environment())
    try:
        browser = Browser(base)
        deadline = time.monotonic() + SETUP_LIMIT
        while time.monotonic() < deadline:
            terminal.read(1)
            if terminal.wait(0) is not None:
                pytest.fail(f"make run ended early ({terminal.status}):\n{terminal.text()[-4000:]}")
            if f"{base}" in terminal.text():
                try:
                    if browser.get("/accounts/login/")[0] == 200:
                        break
                except OSError:
                    pass
        else:
            pytest.fail(f"no login page in {SETUP_LIMIT} s:\n{terminal.text()[-4000:]}")
        serving = terminal.text()
        answered = time.monotonic()

        # Within the first minute: the secretary's overdue work and the bell's count.
        status, page = browser.log_in("shuji", "demo12345")
        assert status == 200
        assert 'data-testid="notification-bell"' in page
        bell = page.split('data-testid="notification-bell"', 1)[1].split("</a>", 1)[0]
        assert re.search(r'class="badge[^"]*">\d+\+?</span>', bell), bell
        overdue = page.split('data-testid="work-overdue"', 1)
        assert len(overdue) == 2, page[:3000]
        count = re.search(r'data-testid="work-count">(\d+)<', overdue[1])
        assert count and int(count[1]) > 0
        assert time.monotonic() - answered < FIRST_MINUTE

        # A bad filter: the app's own 400 page, in Chinese, without Django's debug page.
        status, page = browser.get("/ledger/?overdue=yes")
        assert status == 400
        assert 'data-testid="bad-request"' in page and "联系点服务台账" in page
        assert "Traceback" not in page and "DEBUG = True" not in page
        status, page = browser.get("/no-such-page/")
        assert status == 404 and "Django" not in page

        terminal.ctrl_c()
        assert terminal.wait(STOP_LIMIT) == 0, terminal.text()[-4000:]
        after_start = terminal.text()[len(serving) :]
        assert "ERROR" not in after_start, after_start[-4000:]
        assert "Traceback" not in after_start, after_start[-4000:]
        assert "Interrupt" not in after_start  # make's "*** [run] Interrupt"
    finally:
        terminal.kill()
