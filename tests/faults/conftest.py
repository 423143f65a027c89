"""`scorecard serve` as a real process on the test database, with a Slack stand-in: the server
the fault probes break, starve and feed bad requests."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.http import SLACK_PATH
from bot.signed_requests import HttpAnswer, SignedRequestSender
from bot.slack_standin import SlackStandIn
from scorecard.importing import import_scorecard
from storage.db import Database
from storage.models import Reading
from tests.sample import SAMPLE_SCORECARD
from tests.test_cli import SLACK_VARIABLES, free_port

SIGNING_SECRET = "faults-test-secret"
WORKSPACE = "T0DEMO"
KPI_OWNER = "U0SOCIAL"
START_TIMEOUT_SECONDS = 30


def scorecard_env(database_url: str, api_url: str | None = None) -> dict[str, str]:
    """The environment `scorecard` runs in: our settings only, none of the developer's."""
    env = {key: value for key, value in os.environ.items() if key not in SLACK_VARIABLES}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-faults",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        LOG_LEVEL="INFO",
    )
    if api_url:
        env["SLACK_API_URL"] = api_url
    return env


@dataclass
class Served:
    """A running `scorecard serve` and what a test needs to talk to it."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    database: Database
    sender: SignedRequestSender

    def log_reading(self, text: str = "log instagram followers 12400") -> HttpAnswer:
        return self.sender.slash_command("/kpi", text, team_id=WORKSPACE, user_id=KPI_OWNER)

    def health(self, method: str = "GET") -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + "/healthz", method=method)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def readings(self) -> int:
        with self.database.reading() as session:
            return session.exec(select(func.count()).select_from(Reading)).one()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_serve(
    database: Database, api: SlackStandIn, log_path: Path, port: int | None = None
) -> subprocess.Popen[bytes]:
    port = port or free_port()
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=scorecard_env(database.url, api.api_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> bool:
    """True once our server answers; False when it exited (its port was taken meanwhile).

    Other test runs share the machine's loopback: a health check is only believed when it comes
    from our process (waitress names itself "scorecard").
    """
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200 and response.headers.get("Server") == "scorecard":
                    return True
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"serve did not become healthy:\n{log_path.read_text()}")


@pytest.fixture
def served(database: Database, tmp_path: Path) -> Iterator[Served]:
    """`scorecard serve` on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    yield from _serve(database, tmp_path)


@pytest.fixture
def served_sqlite(sqlite_database: Database, tmp_path: Path) -> Iterator[Served]:
    yield from _serve(sqlite_database, tmp_path)


def _serve(database: Database, tmp_path: Path) -> Iterator[Served]:
    import_scorecard(database, SAMPLE_SCORECARD)
    api = SlackStandIn().start()
    process: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(3):  # another test run may take the free port before we bind it
            log_path = tmp_path / f"serve-{attempt}.log"
            port = free_port()
            process = start_serve(database, api, log_path, port)
            url = f"http://127.0.0.1:{port}"
            if wait_until_healthy(url, process, log_path):
                break
        else:
            raise AssertionError(f"serve exited early:\n{log_path.read_text()}")
        sender = SignedRequestSender(url + SLACK_PATH, SIGNING_SECRET)
        yield Served(url, process, log_path, database, sender)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=15)
        api.stop()
