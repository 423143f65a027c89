"""A database that hangs or refuses, a read-only database file, a revoked bot token: every
command says in one line what is wrong and exits (2 for configuration, 1 for a failure), within
its timeouts, without a traceback."""

import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack_standin import SlackStandIn
from tests.faults.conftest import scorecard_env
from tests.sample import SAMPLE_SCORECARD
from tests.test_cli import free_port

# PostgreSQL's connect timeout for the command line (storage.db.PATIENT: 5 s) plus Python's
# start on a busy CI machine.
GIVES_UP_WITHIN_SECONDS = 30
EXIT_FAILURE, EXIT_CONFIG_ERROR = 1, 2


@pytest.fixture
def api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word, like a hung database server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # the kernel completes the handshakes; nobody ever reads or answers
        yield listener.getsockname()[1]


def run_all(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Run the commands side by side (each waits out its own timeout); exit status and stderr."""
    env = env | {"LOG_LEVEL": "ERROR"}
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "bot", *arguments],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, arguments in commands.items()
    }
    results = {}
    for name, process in started.items():
        try:
            _, stderr = process.communicate(timeout=GIVES_UP_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"`scorecard {' '.join(commands[name])}` still waiting")
        results[name] = (process.returncode, stderr)
    return results


def assert_one_line(results: dict[str, tuple[int, str]], status: int, *words: str) -> None:
    for name, (code, stderr) in results.items():
        assert code == status, (name, stderr)
        assert "Traceback" not in stderr, (name, stderr)
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scorecard: "), (name, stderr)
        assert all(word in lines[0] for word in words), (name, lines[0])


def database_commands(tmp_path: Path) -> dict[str, list[str]]:
    """`serve`, `clock`, and `import` for the rest (they all open the database the same way)."""
    scorecard_file = tmp_path / "scorecard.yaml"
    scorecard_file.write_text(SAMPLE_SCORECARD)
    return {
        "serve": ["serve", "--port", str(free_port())],
        "clock": ["clock"],
        "import": ["import", str(scorecard_file)],
    }


def test_a_database_that_never_answers_is_given_up_on_in_one_line(
    silent_server: int, api: SlackStandIn, tmp_path: Path
) -> None:
    url = f"postgresql://scorecard@127.0.0.1:{silent_server}/scorecard"
    start = time.monotonic()

    results = run_all(database_commands(tmp_path), scorecard_env(url, api.api_url))

    assert time.monotonic() - start < GIVES_UP_WITHIN_SECONDS
    assert_one_line(results, EXIT_FAILURE, f"127.0.0.1:{silent_server}", "timeout")


def test_a_database_that_refuses_is_reported_in_one_line(api: SlackStandIn, tmp_path: Path) -> None:
    url = f"postgresql://scorecard@127.0.0.1:{free_port()}/scorecard"

    results = run_all(database_commands(tmp_path), scorecard_env(url, api.api_url))

    assert_one_line(results, EXIT_FAILURE, "refused")


def test_a_read_only_database_file_stops_serve_and_clock_at_start(
    api: SlackStandIn, tmp_path: Path
) -> None:
    path = tmp_path / "scorecard.db"
    env = scorecard_env(f"sqlite:///{path}", api.api_url)
    assert run_all({"db upgrade": ["db", "upgrade"]}, env)["db upgrade"][0] == 0
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)

    results = run_all({"serve": ["serve", "--port", str(free_port())], "clock": ["clock"]}, env)

    assert_one_line(results, EXIT_FAILURE, "read-only", str(path))


def test_a_revoked_bot_token_stops_serve_and_clock_at_start(
    api: SlackStandIn, tmp_path: Path
) -> None:
    api.fail_next("auth.test", "invalid_auth", times=10)
    env = scorecard_env(f"sqlite:///{tmp_path / 'scorecard.db'}", api.api_url)

    results = run_all({"serve": ["serve", "--port", str(free_port())], "clock": ["clock"]}, env)

    assert_one_line(results, EXIT_CONFIG_ERROR, "SLACK_BOT_TOKEN", "invalid_auth")


def test_a_refused_app_token_stops_socket_and_run_before_anything_starts(
    api: SlackStandIn, tmp_path: Path
) -> None:
    env = scorecard_env(f"sqlite:///{tmp_path / 'scorecard.db'}", api.api_url)
    env["SLACK_APP_TOKEN"] = "xapp-faults"
    api.fail_next("apps.connections.open", "invalid_auth", times=10)

    results = run_all({"socket": ["socket"], "run": ["run"]}, env)

    assert_one_line(results, EXIT_CONFIG_ERROR, "SLACK_APP_TOKEN", "invalid_auth")
    assert api.calls("chat.postMessage") == []  # the clock never started


def test_slack_out_of_reach_at_start_is_one_line(tmp_path: Path) -> None:
    env = scorecard_env(
        f"sqlite:///{tmp_path / 'scorecard.db'}", f"http://127.0.0.1:{free_port()}/api/"
    )

    results = run_all({"serve": ["serve", "--port", str(free_port())], "clock": ["clock"]}, env)

    assert_one_line(results, EXIT_FAILURE, "can't reach Slack")
