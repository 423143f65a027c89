"""`scorecard digest` and `scorecard clock` as someone at a terminal meets them."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.slack_standin import SlackStandIn
from tests.sample import SAMPLE_SCORECARD

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A scorecard loaded into a fresh SQLite file; no Slack settings."""
    clean = {key: value for key, value in os.environ.items() if key not in SLACK_VARIABLES}
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    scorecard_file = tmp_path / "scorecard.yaml"
    scorecard_file.write_text(SAMPLE_SCORECARD)
    assert scorecard("import", str(scorecard_file), env=clean).returncode == 0
    return clean


def scorecard(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_digest_dry_run_prints_the_digest_and_posts_nothing(env: dict[str, str]) -> None:
    result = scorecard("digest", "--channel", "C0DEMO", "--dry-run", env=env)

    assert result.returncode == 0, result.stderr
    for perspective in ("Financial", "Customer", "Community", "Learning & growth"):
        assert perspective in result.stdout
    assert "Why are we doing this?" in result.stdout
    assert "Daily meme posts" in result.stdout
    assert "in the thread" in result.stdout and "Every KPI in detail" in result.stdout


def test_digest_now_posts_to_the_channel(env: dict[str, str]) -> None:
    with SlackStandIn() as api:
        env = {**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": api.api_url}

        result = scorecard("digest", "--channel", "C0DEMO", "--now", env=env)

        posts = api.calls("chat.postMessage")
    assert result.returncode == 0, result.stderr
    assert "posted" in result.stdout
    assert posts[0].params["channel"] == "C0DEMO"
    assert posts[0].params["metadata"]["event_type"] == "scorecard_digest"
    assert posts[1].params["thread_ts"]  # the detail, in the thread


def test_digest_without_now_or_dry_run_explains_itself(env: dict[str, str]) -> None:
    result = scorecard("digest", "--channel", "C0DEMO", env=env)

    assert result.returncode == 1
    assert "--now" in result.stderr and "--dry-run" in result.stderr


def test_the_clock_starts_and_stops_cleanly_on_sigterm(env: dict[str, str]) -> None:
    with SlackStandIn() as api:
        env = {**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": api.api_url}
        clock = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            for line in clock.stderr:  # type: ignore[union-attr]
                if "started" in line:
                    break
            clock.send_signal(signal.SIGTERM)
            _, rest = clock.communicate(timeout=30)
        finally:
            if clock.poll() is None:
                clock.kill()

    assert clock.returncode == 0
    assert "stopped" in rest


def test_nudge_dry_run_needs_no_token_and_asks_slack_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    readings = tmp_path / "readings.csv"
    readings.write_text("kpi,period,value\nresponse_time,2020-01-06,5\n")
    assert scorecard("import", str(readings), env=env).returncode == 0
    # No SLACK_BOT_TOKEN, and SLACK_API_URL points where nothing listens.
    env = {**env, "SLACK_API_URL": "http://127.0.0.1:9/api/"}

    result = scorecard("nudge", "--now", "--dry-run", env=env)
    needs_token = scorecard("nudge", "--now", env=env)

    assert result.returncode == 0, result.stderr
    assert "would send 1" in result.stdout
    assert "would send T0DEMO U0COMMUNITY: Response time" in result.stdout
    assert "not looked up in a dry run" in result.stdout
    assert "--- to U0COMMUNITY in T0DEMO ---" in result.stdout
    assert needs_token.returncode == 2 and "SLACK_BOT_TOKEN" in needs_token.stderr
