"""A workspace removes the app: tokens go at once, the scorecard stays for the retention period
(so a reinstall finds it), then the clock deletes it; or an operator exports and deletes it now."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.cli import main
from bot.digest_delivery import deliver_due_digests
from bot.nudging import run_nudge_sweep
from bot.scheduler import RETENTION_JOB, build_scheduler
from bot.slack_clients import WorkspaceClients
from scorecard.exporting import export_scorecard
from scorecard.importing import import_scorecard
from scorecard.workspace_lifecycle import uninstalled_since
from storage.db import Database
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, HomeTabView, Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.harness import SlackHarness
from tests.installs import event, install
from tests.test_oauth_install import ALPHA, BETA, scorecard_for

RETENTION = timedelta(days=30)


@pytest.fixture
def slack(database: Database) -> Iterator[SlackHarness]:
    """ALPHA and BETA, each with a scorecard and installed through the OAuth flow."""
    harness = SlackHarness(database, now=TEST_NOW, oauth=True)
    try:
        import_scorecard(database, scorecard_for(ALPHA, "Alpha agency"))
        import_scorecard(database, scorecard_for(BETA, "Beta brand"))
        install(harness, ALPHA, bot_token="xoxb-alpha", installer="U0ALICE")
        install(harness, BETA, bot_token="xoxb-beta", installer="U0BOB")
        harness.command("/kpi", "log instagram followers 12.4k", team=ALPHA)
        harness.api.clear()
        yield harness
    finally:
        harness.close()


def tokens_of(database: Database, team: str) -> list[str]:
    with database.reading() as session:
        bots = session.execute(
            select(SLACK_BOTS.c.bot_token).where(SLACK_BOTS.c.team_id == team)
        ).scalars()
        installs = session.execute(
            select(SLACK_INSTALLATIONS.c.bot_token).where(SLACK_INSTALLATIONS.c.team_id == team)
        ).scalars()
        return sorted([*bots, *installs])


def scorecards(database: Database) -> list[str]:
    with database.reading() as session:
        return sorted(session.exec(select(Scorecard.workspace)).all())


def run_retention(slack: SlackHarness, days_later: float) -> None:
    """The clock's retention job, run as the clock runs it, `days_later` than now."""
    later = slack.now + timedelta(days=days_later)
    scheduler = build_scheduler(
        slack.database,
        None,
        clock=lambda: later,
        retention=RETENTION,  # type: ignore[arg-type]
    )
    scheduler.get_job(RETENTION_JOB).func()


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0SCORECARD"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_removing_the_app_deletes_its_tokens_at_once_and_nothing_more_is_sent_there(
    slack: SlackHarness, payload: dict[str, object]
) -> None:
    answer = event(slack, ALPHA, payload)

    assert answer.status == 200
    assert tokens_of(slack.database, ALPHA) == []
    assert tokens_of(slack.database, BETA) == ["xoxb-beta", "xoxb-beta"]
    assert uninstalled_since(slack.database, ALPHA) == slack.now
    clients = WorkspaceClients(slack.settings, slack.database)
    assert clients.client_for(ALPHA) is None  # the clock and the CLI post nothing there
    assert clients.client_for(BETA) is not None

    gone = slack.command("/kpi", "log instagram followers 13k", team=ALPHA)
    kept = slack.command("/kpi", "log instagram followers 9k", team=BETA)

    assert "isn't installed" in slack.api.calls("response_url")[0].params["text"]
    assert gone.message == {}
    assert "Instagram followers" in kept.text
    assert {call.token for call in slack.api.calls() if call.token} <= {"xoxb-beta"}
    assert scorecards(slack.database) == [ALPHA, BETA]  # kept for the retention period


def test_a_retried_uninstall_event_changes_nothing(slack: SlackHarness) -> None:
    first = event(slack, ALPHA, {"type": "app_uninstalled"})
    slack.advance(minutes=1)
    retried = event(slack, ALPHA, {"type": "app_uninstalled"}, retry=1)
    revoked_too = event(
        slack, ALPHA, {"type": "tokens_revoked", "tokens": {"bot": ["U0SCORECARD"]}}, retry=2
    )

    assert (first.status, retried.status, revoked_too.status) == (200, 200, 200)
    assert uninstalled_since(slack.database, ALPHA) == slack.now - timedelta(minutes=1)
    assert tokens_of(slack.database, ALPHA) == []
    assert scorecards(slack.database) == [ALPHA, BETA]


def test_a_revoked_user_token_alone_keeps_the_workspace_installed(slack: SlackHarness) -> None:
    answer = event(slack, ALPHA, {"type": "tokens_revoked", "tokens": {"oauth": ["U0CAROL"]}})

    assert answer.status == 200
    assert uninstalled_since(slack.database, ALPHA) is None
    assert "xoxb-alpha" in tokens_of(slack.database, ALPHA)


def test_the_clock_deletes_a_removed_workspace_after_the_retention_period(
    slack: SlackHarness,
) -> None:
    event(slack, ALPHA, {"type": "app_uninstalled"})

    run_retention(slack, days_later=29)
    assert scorecards(slack.database) == [ALPHA, BETA]

    run_retention(slack, days_later=31)
    assert scorecards(slack.database) == [BETA]
    with slack.database.reading() as session:
        assert session.exec(select(Reading)).all() == []  # ALPHA's only reading went with it
        assert len(session.exec(select(Kpi)).all()) == 4  # BETA's KPIs stay
    assert uninstalled_since(slack.database, ALPHA) is None


def test_reinstalling_within_the_retention_period_keeps_the_scorecard(
    slack: SlackHarness,
) -> None:
    event(slack, ALPHA, {"type": "app_uninstalled"})
    slack.advance(days=10)

    install(slack, ALPHA, bot_token="xoxb-alpha-2", installer="U0ALICE")
    run_retention(slack, days_later=60)

    assert scorecards(slack.database) == [ALPHA, BETA]
    [welcome] = slack.api.calls("chat.postMessage")
    assert welcome.token == "xoxb-alpha-2"
    assert "Welcome back" in str(welcome.params["blocks"])
    assert "Alpha agency" in str(welcome.params["blocks"])
    reply = slack.command("/kpi", "show instagram followers", team=ALPHA)
    assert "12.4k" in reply.text or "12,400" in reply.text, reply.text


def test_export_then_delete_a_workspace_from_the_command_line(
    slack: SlackHarness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", slack.database.url)
    slack.open_home("U0LEAD", team=ALPHA)
    slack.open_home("U0LEAD", team=BETA)
    exported_before = export_scorecard(slack.database, ALPHA)

    assert main(["workspace", "export", ALPHA, "--to", str(tmp_path / "backup")]) == 0
    assert main(["workspace", "delete", ALPHA]) == 0

    written = capsys.readouterr().out
    assert "Alpha agency" in written and "1 reading," in written
    yaml_file = tmp_path / "backup" / f"{ALPHA}-scorecard.yaml"
    csv_file = tmp_path / "backup" / f"{ALPHA}-readings.csv"
    assert yaml_file.read_text(encoding="utf-8") == exported_before
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert [(row["kpi"], row["value"]) for row in rows] == [("instagram_followers", "12400")]
    assert scorecards(slack.database) == [BETA]
    assert tokens_of(slack.database, ALPHA) == []
    assert tokens_of(slack.database, BETA) != []
    with slack.database.reading() as session:  # who opened the Home tab when, too
        assert session.exec(select(HomeTabView.workspace)).all() == [BETA]

    # The export brings it back: importing the files restores the scorecard and its readings.
    import_scorecard(slack.database, yaml_file.read_text(encoding="utf-8"))
    assert main(["import", str(csv_file), "--workspace", ALPHA]) == 0
    assert export_scorecard(slack.database, ALPHA) == exported_before
    with slack.database.reading() as session:
        restored = session.exec(
            select(Reading.value, Reading.logged_by)
            .join(Scorecard, Scorecard.id == Reading.scorecard_id)
            .where(Scorecard.workspace == ALPHA)
        ).all()
    assert restored == [(12400.0, "U0LEAD")]


def test_deleting_or_exporting_an_unknown_workspace_says_so(
    slack: SlackHarness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", slack.database.url)

    assert main(["workspace", "delete", "T0NOBODY"]) == 1
    assert main(["workspace", "export", "T0NOBODY", "--to", str(tmp_path / "out")]) == 1

    errors = capsys.readouterr().err
    assert "Nothing is stored for workspace T0NOBODY" in errors
    assert "no scorecard for workspace T0NOBODY" in errors
    assert not (tmp_path / "out").exists()
    assert scorecards(slack.database) == [ALPHA, BETA]


def test_the_clock_posts_no_digest_and_no_nudge_to_a_workspace_that_removed_the_app(
    slack: SlackHarness,
) -> None:
    slack.command("/kpi", "digest here", team=ALPHA, channel="C0ALPHA")
    slack.command("/kpi", "digest here", team=BETA, channel="C0BETA")
    event(slack, ALPHA, {"type": "app_uninstalled"})
    slack.api.clear()
    monday_morning = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam
    client = WebClient(token="xoxb-beta", base_url=slack.api.api_url)

    deliver_due_digests(slack.database, client, monday_morning, "test-clock")
    sweep = run_nudge_sweep(
        slack.database, None, monday_morning, dry_run=True, respect_working_hours=False
    )

    posted_to = {call.params["channel"] for call in slack.api.calls("chat.postMessage")}
    assert "C0BETA" in posted_to
    assert "C0ALPHA" not in posted_to
    assert {nudge.workspace for nudge in sweep.sent} <= {BETA}


def test_the_clock_posts_each_workspaces_digest_with_its_own_token(slack: SlackHarness) -> None:
    slack.command("/kpi", "digest here", team=ALPHA, channel="C0ALPHA")
    slack.command("/kpi", "digest here", team=BETA, channel="C0BETA")
    slack.api.clear()
    monday_morning = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam

    clients = WorkspaceClients(slack.settings, slack.database)
    deliver_due_digests(slack.database, clients, monday_morning, "test-clock")

    tokens = {
        call.params["channel"]: call.token
        for call in slack.api.calls("chat.postMessage")
        if "thread_ts" not in call.params
    }
    assert tokens == {"C0ALPHA": "xoxb-alpha", "C0BETA": "xoxb-beta"}
