"""The history of changes: every structural change, whatever path made it, with who, when, what,
before and after; `/kpi history` and `scorecard history` read it back."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.cli import main
from bot.nudging import run_nudge_sweep
from storage.audit import FILE_IMPORT_ACTOR
from storage.db import Database
from storage.models import Change
from tests.harness import WORKSPACE, SlackHarness
from tests.sample import SAMPLE_SCORECARD
from tests.test_interactions import click as click_in_dm
from tests.test_interactions import client_of, opened_view, submit
from tests.test_nudge_sweep import plant_scorecard


def changes(database: Database) -> list[Change]:
    with database.reading() as session:
        return list(session.exec(select(Change).order_by(Change.id)).all())  # type: ignore[arg-type]


def changes_after(database: Database, before: list[Change]) -> list[Change]:
    return changes(database)[len(before) :]


def test_a_command_is_recorded_with_who_and_before_and_after(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    before = changes(slack.database)

    slack.command("/action", "done weekly live q&amp;a", user="U0COMMUNITY")

    [change] = changes_after(slack.database, before)
    assert (change.actor, change.workspace) == ("U0COMMUNITY", WORKSPACE)
    assert (change.item_kind, change.item_key, change.change) == ("action", "weekly_qa", "changed")
    assert change.fields == {"status": ["active", "done"]}
    reply = slack.command("/kpi", "history weekly live q&amp;a")
    assert "@U0COMMUNITY · changed action" in reply.text
    assert "status: active → done" in reply.text
    assert "file import by the CLI" in reply.text  # its creation, further down


def test_a_digest_subscription_is_recorded(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    before = changes(slack.database)

    slack.command("/kpi", "digest here weekly mon 09:00", channel="C0TEAM")
    slack.command("/kpi", "digest off", channel="C0TEAM")

    created, removed = changes_after(slack.database, before)
    assert (created.item_kind, created.item_key, created.change) == ("digest", "C0TEAM", "created")
    assert created.actor == "U0LEAD" and created.fields["schedule"][0] is None
    assert (removed.change, removed.fields["channel"]) == ("removed", ["C0TEAM", None])
    reply = slack.command("/kpi", "history digest <#C0TEAM|team>")
    assert "created digest" in reply.text and "removed digest" in reply.text


def test_a_button_and_a_modal_are_recorded(slack: SlackHarness) -> None:
    planted = plant_scorecard(slack.database, slack.now)
    run_nudge_sweep(slack.database, client_of(slack), slack.now, respect_working_hours=False)
    before = changes(slack.database)

    click_in_dm(slack, "mark_action_done", str(planted.past_due))
    click_in_dm(slack, "not_mine_action", str(planted.stalled))
    values = {"owner": {"owner": {"type": "users_select", "selected_user": "U0NEW"}}}
    submit(slack, opened_view(slack), values)

    done, handed = changes_after(slack.database, before)
    assert done.actor == "U0COMMUNITY" and done.fields == {"status": ["planned", "done"]}
    assert handed.actor == "U0COMMUNITY" and handed.fields == {"owner": ["U0COMMUNITY", "U0NEW"]}


def test_a_file_import_is_recorded_and_an_unchanged_one_records_nothing(
    slack: SlackHarness,
) -> None:
    slack.load(SAMPLE_SCORECARD)
    first = changes(slack.database)
    assert {change.actor for change in first} == {FILE_IMPORT_ACTOR}
    assert ("kpi", "instagram_followers", "created") in [
        (change.item_kind, change.item_key, change.change) for change in first
    ]

    slack.load(SAMPLE_SCORECARD)
    assert changes_after(slack.database, first) == []

    changed = SAMPLE_SCORECARD.replace("target: 15000", "target: 18000").replace(
        "supports: [loyalty]", "supports: [revenue]"
    )
    slack.load(changed)
    recorded = {
        (change.item_kind, change.item_key, change.change): change.fields
        for change in changes_after(slack.database, first)
    }
    assert recorded == {
        ("kpi", "instagram_followers", "changed"): {"target": [15000.0, 18000.0]},
        ("link", "fast_answers → loyalty", "removed"): {"supports": ["loyalty", None]},
        ("link", "fast_answers → revenue", "created"): {"supports": [None, "revenue"]},
    }
    reply = slack.command("/kpi", "history fast_answers")
    assert "fast_answers → revenue" in reply.text and "file import by the CLI" in reply.text


def test_history_of_an_unknown_item_says_so(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command("/kpi", "history nothing like it")
    assert "I don't know an item called “nothing like it”" in reply.text


def test_the_export_is_csv_safe_for_spreadsheets_and_filters_by_workspace_and_day(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scorecard.importing import import_scorecard

    import_scorecard(database, SAMPLE_SCORECARD.replace("Repeat revenue", "=HYPERLINK(1)"))
    import_scorecard(database, SAMPLE_SCORECARD.replace("T0DEMO", "T0OTHER"))
    monkeypatch.setenv("DATABASE_URL", database.url)

    assert main(["history", "--workspace", WORKSPACE, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["workspace"] for row in rows} == {WORKSPACE}
    names = [
        row["after"] for row in rows if row["key"] == "repeat_revenue" and row["field"] == "name"
    ]
    assert names == ["'=HYPERLINK(1)"]

    assert main(["history", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert {entry["workspace"] for entry in exported} == {WORKSPACE, "T0OTHER"}
    assert exported[0]["who"] == FILE_IMPORT_ACTOR

    tomorrow = datetime.now(UTC).date().replace(year=datetime.now(UTC).year + 1).isoformat()
    assert main(["history", "--since", tomorrow, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_digest_paused_by_scorecard_itself_is_recorded_as_its_doing(
    database: Database,
) -> None:
    from bot.app import create_web_client
    from bot.config import Settings
    from bot.digest_delivery import deliver_due_digests
    from bot.slack_standin import SlackStandIn
    from tests.test_digest_delivery import FIRST_DIGEST, subscribe_sample

    subscribe_sample(database)
    before = changes(database)
    with SlackStandIn() as api:
        client = create_web_client(Settings(bot_token="xoxb-test", slack_api_url=api.api_url))
        api.fail_next("chat.postMessage", "channel_not_found")
        deliver_due_digests(database, client, FIRST_DIGEST, "clock-a")

    [paused] = changes_after(database, before)
    assert (paused.actor, paused.item_kind, paused.item_key) == (None, "digest", "C0DIGEST")
    assert paused.fields == {"paused": [False, True], "paused_reason": [None, "channel_not_found"]}


def test_the_history_of_an_item_gone_from_the_file_is_still_found_by_its_key(
    slack: SlackHarness,
) -> None:
    slack.load(SAMPLE_SCORECARD)
    without = SAMPLE_SCORECARD.replace(
        "  - {key: daily_memes, title: Daily meme posts, owner: U0SOCIAL, status: active}\n", ""
    )
    slack.load(without)

    reply = slack.command("/kpi", "history daily_memes")
    assert "changed action `daily_memes`" in reply.text
    assert "archived: no → yes" in reply.text


def test_a_setting_changed_on_the_home_tab_is_recorded(slack: SlackHarness) -> None:
    from tests.test_home_tab import channel_selected

    slack.load(SAMPLE_SCORECARD)
    slack.api.add_user("U0ADMIN", is_admin=True)
    before = changes(slack.database)

    slack.interact(channel_selected("U0ADMIN", "C0NEWS"))

    [change] = changes_after(slack.database, before)
    assert (change.actor, change.item_kind, change.item_key) == ("U0ADMIN", "settings", WORKSPACE)
    assert change.fields == {"updates_channel": [None, "C0NEWS"]}
    reply = slack.command("/kpi", "history settings")
    assert "updates_channel: (none) → C0NEWS" in reply.text
