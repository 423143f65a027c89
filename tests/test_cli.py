"""The `scorecard` command as a newcomer meets it: real processes, real exit codes."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from bot.http import SLACK_PATH
from bot.signed_requests import SignedRequestSender
from bot.slack_standin import SlackStandIn
from tests.sample import SAMPLE_SCORECARD

SIGNING_SECRET = "cli-test-secret"
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


def scorecard(
    *arguments: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if key not in SLACK_VARIABLES}
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return clean


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("command", "variable"),
    [("serve", "SLACK_BOT_TOKEN"), ("socket", "SLACK_APP_TOKEN")],
)
def test_a_missing_setting_is_one_clear_line_and_exit_status_2(
    env: dict[str, str], command: str, variable: str
) -> None:
    result = scorecard(command, env=env)

    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_explains_how_to_start(env: dict[str, str]) -> None:
    result = scorecard("--help", env=env)

    assert result.returncode == 0
    assert "scorecard console --demo" in result.stdout


def test_console_demo_logs_shows_and_answers_why(env: dict[str, str]) -> None:
    typed = "\n".join(
        [
            "/kpi log instagram followers 12.4k",
            "/kpi show instagram followers",
            "/why daily meme posts",
            "/kpi list",
            "quit",
        ]
    )

    result = scorecard("console", "--demo", env=env, stdin=typed)

    assert result.returncode == 0, result.stderr
    assert "Logged Instagram followers" in result.stdout
    assert "12,400" in result.stdout
    assert "serves no objective" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_console_shows_the_home_tab_and_says_when_a_change_redrew_it(
    env: dict[str, str],
) -> None:
    typed = "\n".join(
        [
            "/kpi log instagram followers 12.4k",
            "Home",
            "/kpi log instagram followers 12.5k",
            "as",
            "quit",
        ]
    )

    result = scorecard("console", "--demo", env=env, stdin=typed)

    assert result.returncode == 0, result.stderr
    before_home, after_home = result.stdout.split("you> Home")
    assert "redrawn" not in before_home  # never opened yet: nothing to redraw
    tab, after_log = after_home.split("you> /kpi log instagram followers 12.5k")
    assert "[your Home tab]" in tab and "Mission:" in tab and "12,400 followers" in tab
    assert "[your Home tab was redrawn: type `home` to see it]" in after_log
    assert "Say who you want to be" in after_log  # `as` alone
    assert "Traceback" not in result.stdout + result.stderr


def test_console_waits_for_slow_work_and_lets_its_person_try_the_forms(
    env: dict[str, str],
) -> None:
    typed = "\n".join(["/kpi map", "/kpi log", "/kpi new action", "quit"])

    result = scorecard("console", "--demo", env=env, stdin=typed)

    assert result.returncode == 0, result.stderr
    before_next_prompt = result.stdout.split("you> /kpi log")[0]
    assert "[picture posted to C0DEMO]" in before_next_prompt  # in order, not after quit
    assert "a form opened in Slack: Log a reading" in result.stdout
    assert "Only" not in result.stdout.split("you> /kpi new action")[1]  # the console's person
    assert "Traceback" not in result.stdout + result.stderr
    assert "Connection refused" not in result.stderr


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    processes: int  # WEB_CONCURRENCY


@pytest.fixture(params=["1", "2"], ids=["one process", "two processes"])
def served(env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """`scorecard serve` in WEB_CONCURRENCY processes, talking to a local Slack stand-in."""
    stand_in = SlackStandIn().start()
    scorecard_file = tmp_path / "scorecard.yaml"
    scorecard_file.write_text(SAMPLE_SCORECARD)
    assert scorecard("import", str(scorecard_file), env=env).returncode == 0
    port = free_port()
    env = env | {
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stand_in.api_url,
        "WEB_CONCURRENCY": request.param,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield Served(url, server, int(request.param))
    finally:
        server.terminate()
        server.wait(timeout=15)
        stand_in.stop()


def wait_until_healthy(url: str, server: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"serve exited early: {server.stderr.read() if server.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


def test_serve_answers_signed_commands(served: Served) -> None:
    sender = SignedRequestSender(served.url + SLACK_PATH, SIGNING_SECRET)

    answer = sender.slash_command(
        "/kpi", "log instagram followers 12400", team_id="T0DEMO", user_id="U0SOCIAL"
    )
    listed = sender.slash_command("/kpi", "list", team_id="T0DEMO", user_id="U0SOCIAL")

    assert answer.status == 200
    assert "12,400" in answer.body
    assert "Instagram followers" in listed.body


def test_serve_stops_all_its_processes_on_sigterm(served: Served) -> None:
    serving = psutil.Process(served.process.pid).children(recursive=True)
    # One process serves by itself; more are forked from the first, which watches them.
    assert len(serving) == (0 if served.processes == 1 else served.processes)

    served.process.terminate()

    assert served.process.wait(timeout=15) == 0
    gone, alive = psutil.wait_procs(serving, timeout=5)
    assert alive == []
    log = served.process.stderr.read() if served.process.stderr else ""
    assert log.count("Stopped serving") == served.processes  # each says so, in one line


@pytest.mark.parametrize("served", ["2"], indirect=True, ids=["two processes"])
def test_serving_processes_stop_when_their_watcher_is_killed(served: Served) -> None:
    serving = psutil.Process(served.process.pid).children(recursive=True)

    served.process.kill()  # SIGKILL: it can't pass anything on

    served.process.wait(timeout=5)
    gone, alive = psutil.wait_procs(serving, timeout=15)
    assert alive == []


@pytest.mark.parametrize("served", ["2"], indirect=True, ids=["two processes"])
def test_a_serving_process_that_dies_takes_the_server_down_to_be_restarted(
    served: Served,
) -> None:
    serving = psutil.Process(served.process.pid).children(recursive=True)

    serving[0].kill()

    assert served.process.wait(timeout=15) == 1
    log = served.process.stderr.read() if served.process.stderr else ""
    assert "ended (killed by SIGKILL); stopping the others" in log
    gone, alive = psutil.wait_procs(serving[1:], timeout=5)
    assert alive == []


def test_import_export_round_trip_on_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    scorecard_file = tmp_path / "scorecard.yaml"
    scorecard_file.write_text(SAMPLE_SCORECARD)

    imported = scorecard("import", str(scorecard_file), env=env)
    exported = scorecard("export", env=env)

    assert imported.returncode == 0, imported.stderr
    assert exported.returncode == 0, exported.stderr
    assert "Weekly live Q&A" in exported.stdout
    (tmp_path / "again.yaml").write_text(exported.stdout)
    assert scorecard("import", str(tmp_path / "again.yaml"), env=env).returncode == 0
