"""Socket Mode end to end: `scorecard socket` and `scorecard run` answer Slack over a WebSocket.

Slack's side is played on loopback, as slack-bolt's own Socket Mode tests do: the stand-in
answers `apps.connections.open` with the address of a local WebSocket server, which greets the
app, sends it envelopes and records the acks. Nothing leaves the machine.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlmodel import select

from bot.app import create_app
from bot.config import Settings
from bot.plain_text import message_to_text
from bot.slack_standin import CONNECTIONS_OPEN, RecordedCall, SlackStandIn
from scorecard.importing import import_scorecard
from storage.db import Database
from storage.digests import subscribe
from storage.models import Reading, Scorecard
from tests.sample import SAMPLE_SCORECARD
from tests.socket_mode_server import SocketModeServer

APP_TOKEN = "xapp-1-A0SCORECARD-test"
BOT_TOKEN = "xoxb-socket-test"
DIGEST_CHANNEL = "C0DIGEST"
# Migrations and imports on a cold interpreter take a second or two; this is the worst case.
STARTUP_SECONDS = 8
# Generous: a CI machine busy with other tests is slow to start and stop a process, not wrong.
STOP_SECONDS = 15
# Settings the child must not inherit from a developer's shell: they would point it elsewhere.
INHERITED_OUT = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
)


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def slack_side(api: SlackStandIn) -> Iterator[SocketModeServer]:
    with SocketModeServer() as server:
        api.socket_mode_url = server.url
        yield server


@pytest.fixture
def loaded(database: Database) -> Database:
    import_scorecard(database, SAMPLE_SCORECARD)
    return database


def text_of(ack: dict[str, Any]) -> str:
    return message_to_text(ack.get("payload") or {})


def readings(database: Database) -> list[Reading]:
    with database.reading() as session:
        return list(session.exec(select(Reading)).all())


HANG_UP_SECONDS = 3.0

# In-process: the app behind slack-bolt's SocketModeHandler


@pytest.fixture
def connected(loaded: Database, api: SlackStandIn, slack_side: SocketModeServer) -> Iterator[None]:
    settings = Settings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, slack_api_url=api.api_url)
    handler = SocketModeHandler(create_app(settings, loaded, socket_mode=True), APP_TOKEN)
    handler.connect()
    try:
        slack_side.wait_for_connection()
        yield
    finally:
        # Hanging up first ends the client's blocking read; closing alone waits out its timeout.
        handler.client.auto_reconnect_enabled = False
        slack_side.hang_up()
        # Let the client notice first: closing while its reader is still disconnecting races
        # inside slack-sdk (both threads close the same socket).
        deadline = time.monotonic() + HANG_UP_SECONDS
        while handler.client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.01)
        handler.close()


@pytest.mark.usefixtures("connected")
def test_a_command_over_the_socket_is_answered_in_its_ack_and_stored(
    loaded: Database, api: SlackStandIn, slack_side: SocketModeServer
) -> None:
    ack = slack_side.slash_command(
        "/kpi", "log instagram followers 12.4k", user="U0SOCIAL", response_url=api.response_url()
    )

    assert "12,400" in text_of(ack)
    [reading] = readings(loaded)
    assert reading.value == 12_400
    assert reading.logged_by == "U0SOCIAL"
    [opened] = api.calls(CONNECTIONS_OPEN)
    assert opened.token == APP_TOKEN  # the app-level token opens the socket, not the bot token


@pytest.mark.usefixtures("connected")
def test_why_over_the_socket_says_when_an_action_serves_no_objective(
    slack_side: SocketModeServer,
) -> None:
    ack = slack_side.slash_command("/why", "daily meme posts")

    assert "serves no objective" in text_of(ack)


@pytest.mark.usefixtures("connected")
def test_a_workflow_step_over_the_socket_logs_and_completes_with_its_token(
    loaded: Database, api: SlackStandIn, slack_side: SocketModeServer
) -> None:
    api.run_function("Fx0SOCKET", "xwfp-socket")
    event = {
        "type": "function_executed",
        "function": {"callback_id": "log_kpi_reading", "title": "Log a KPI reading"},
        "inputs": {"kpi": "followers", "value": "12.4k", "logged_by": "U0SOCIAL"},
        "function_execution_id": "Fx0SOCKET",
        "event_ts": f"{time.time():.6f}",
        "bot_access_token": "xwfp-socket",
    }
    body = {"type": "event_callback", "team_id": "T0DEMO", "event_id": "Ev0SOCKET", "event": event}

    slack_side.wait_for_ack(slack_side.send("events_api", body))

    [completion] = api.wait_for("functions.completeSuccess")
    assert completion.token == "xwfp-socket"
    assert "Logged Instagram followers: 12,400" in completion.params["outputs"]["message"]
    [reading] = readings(loaded)
    assert (reading.value, reading.logged_by) == (12_400, "U0SOCIAL")


# The real process: `python -m bot socket` and `python -m bot run`


@pytest.fixture
def env(loaded: Database, api: SlackStandIn) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if key not in INHERITED_OUT}
    return inherited | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": api.api_url,
        "DATABASE_URL": loaded.url,
        "NO_PROXY": "127.0.0.1",
    }


class Running:
    """A `python -m bot ...` process whose log goes to a file (a full pipe would stall it)."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_connected(self, slack_side: SocketModeServer) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not slack_side.connected_within(0.1):
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"never connected:\n{self.output()}")

    def stop(self, signal_number: int) -> int:
        self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {STOP_SECONDS} s later:\n{self.output()}"
            ) from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def running(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Running]]:
    started: list[Running] = []

    def start(command: str) -> Running:
        started.append(Running(command, env, tmp_path / f"{command}.log"))
        return started[-1]

    yield start
    for process in started:
        process.kill()


def test_socket_answers_a_command_and_stops_on_ctrl_c(
    running: Callable[[str], Running], slack_side: SocketModeServer, loaded: Database
) -> None:
    bot = running("socket")
    bot.wait_until_connected(slack_side)

    ack = slack_side.slash_command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")
    status = bot.stop(signal.SIGINT)

    assert "12,400" in text_of(ack)
    assert [reading.value for reading in readings(loaded)] == [12_400]
    assert status == 0
    assert "Traceback" not in bot.output()


def test_run_answers_commands_and_its_clock_posts_a_due_digest(
    running: Callable[[str], Running],
    slack_side: SocketModeServer,
    api: SlackStandIn,
    loaded: Database,
) -> None:
    subscribe_with_a_digest_due_a_minute_ago(loaded)
    digests = watch_posts(api, DIGEST_CHANNEL)
    bot = running("run")
    bot.wait_until_connected(slack_side)

    ack = slack_side.slash_command("/why", "daily meme posts")
    digest_arrived = digests.arrived.wait(STARTUP_SECONDS)
    status = bot.stop(signal.SIGINT)

    assert "serves no objective" in text_of(ack)
    assert digest_arrived, bot.output()
    assert digests.calls[0].params["metadata"]["event_type"] == "scorecard_digest"
    assert status == 0
    assert "Traceback" not in bot.output()


@pytest.mark.parametrize("command", ["socket", "run"])
def test_sigterm_stops_socket_mode_cleanly(
    running: Callable[[str], Running], slack_side: SocketModeServer, command: str
) -> None:
    bot = running(command)
    bot.wait_until_connected(slack_side)

    status = bot.stop(signal.SIGTERM)

    assert status == 0, bot.output()


class PostWatch:
    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.arrived = threading.Event()


def watch_posts(api: SlackStandIn, channel: str) -> PostWatch:
    """Notes chat.postMessage calls to `channel` as they arrive, from the stand-in's thread."""
    watch = PostWatch()

    def on_call(call: RecordedCall) -> None:
        if call.method == "chat.postMessage" and call.params.get("channel") == channel:
            watch.calls.append(call)
            watch.arrived.set()

    api.on_call = on_call
    return watch


def subscribe_with_a_digest_due_a_minute_ago(database: Database) -> None:
    """A daily digest for DIGEST_CHANNEL whose time was a minute ago, in the scorecard's zone.

    The clock runs its jobs once as it starts, so `run` posts it straight away.
    """
    now = datetime.now(UTC)
    with database.writing() as session:
        scorecard = session.exec(select(Scorecard)).one()
        assert scorecard.id is not None
        local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(scorecard.timezone))
        schedule = f"daily at {local:%H:%M}"
        subscribe(
            session, scorecard.id, DIGEST_CHANNEL, schedule, "U0LEAD", now - timedelta(minutes=10)
        )
