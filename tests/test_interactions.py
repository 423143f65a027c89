"""The nudge buttons and modals end to end: signed interactivity requests through the real app."""

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.nudging import run_nudge_sweep
from bot.signed_requests import HttpAnswer
from scorecard.nudges import NudgeLimits
from storage.models import Action, ActionUpdate, Nudge, Reading, Snooze
from templates import problems
from tests.harness import WORKSPACE, SlackHarness
from tests.test_nudge_sweep import Planted, plant_scorecard

OWNER = "U0COMMUNITY"


@pytest.fixture
def planted(slack: SlackHarness) -> Planted:
    planted = plant_scorecard(slack.database, slack.now)
    run_nudge_sweep(slack.database, client_of(slack), slack.now, respect_working_hours=False)
    return planted


def client_of(slack: SlackHarness) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api.api_url)


def dm_of(slack: SlackHarness, user: str) -> tuple[str, str]:
    with slack.database.reading() as session:
        nudge = session.exec(select(Nudge).where(Nudge.recipient == user)).first()
    assert nudge is not None and nudge.channel and nudge.message_ts
    return nudge.channel, nudge.message_ts


def click(
    slack: SlackHarness, action_id: str, value: str, user: str = OWNER, channel: str = ""
) -> Any:
    """A button pressed in the user's nudge DM (or, with `channel`, in a channel message)."""
    dm_channel, ts = dm_of(slack, user) if not channel else (channel, "1732442400.999999")
    payload = {
        "type": "block_actions",
        "team": {"id": WORKSPACE, "domain": "demo"},
        "user": {"id": user, "team_id": WORKSPACE},
        "api_app_id": "A0SCORECARD",
        "token": "unused",
        "trigger_id": f"trigger.{time.time_ns()}",  # Slack's are unique per click
        "container": {"type": "message", "message_ts": ts, "channel_id": dm_channel},
        "channel": {"id": dm_channel},
        "message": {"type": "message", "ts": ts},
        "response_url": slack.api.response_url(),
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }
    return slack.interact(payload)


def opened_view(slack: SlackHarness) -> dict[str, Any]:
    view = slack.api.calls("views.open")[-1].params["view"]
    assert problems(view) == []
    return view


def submit(
    slack: SlackHarness, view: dict[str, Any], values: dict[str, Any], user: str = OWNER
) -> HttpAnswer:
    """A modal submitted. The answer is empty (the modal closes) or a `response_action`, which
    is not a message, so it is read as sent rather than through the harness's message checks."""
    payload = {
        "type": "view_submission",
        "team": {"id": WORKSPACE, "domain": "demo"},
        "user": {"id": user, "team_id": WORKSPACE},
        "api_app_id": "A0SCORECARD",
        "token": "unused",
        "trigger_id": "trigger.456",
        "view": {
            **view,
            "id": "V0MODAL",
            "team_id": WORKSPACE,
            "hash": "1.hash",
            "state": {"values": values},
        },
    }
    return slack.sender.interaction(payload)


def text_input(block: str, action: str, value: str) -> dict[str, Any]:
    return {block: {action: {"type": "plain_text_input", "value": value}}}


def last_update_of_dm(slack: SlackHarness) -> str:
    update = slack.api.calls("chat.update")[-1].params
    assert problems(update) == []
    return json.dumps(update["blocks"])


def action_row(slack: SlackHarness, action_id: int) -> Action:
    with slack.database.reading() as session:
        action = session.get(Action, action_id)
        assert action is not None
        return action


def test_post_update_opens_a_modal_and_records_the_update(
    slack: SlackHarness, planted: Planted
) -> None:
    reply = click(slack, "open_action_update", str(planted.stalled))

    assert reply.status == 200
    view = opened_view(slack)
    assert view["callback_id"] == "action_update_modal"
    assert "Weekly live Q&amp;A" in json.dumps(view["blocks"])
    slack.advance(minutes=5)
    answer = submit(slack, view, text_input("update", "text", "Guests booked for December"))

    assert answer.status == 200 and answer.body == ""  # the modal closes
    with slack.database.reading() as session:
        updates = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == planted.stalled)
        ).all()
        nudge = session.exec(
            select(Nudge).where(Nudge.item_kind == "action", Nudge.item_id == planted.stalled)
        ).one()
    assert updates[-1].text == "Guests booked for December"
    assert updates[-1].author == OWNER
    assert action_row(slack, planted.stalled).last_update_at == slack.now
    assert nudge.responded_at == slack.now and nudge.response == "update"
    channel, ts = dm_of(slack, OWNER)
    assert slack.api.calls("chat.update")[-1].params["ts"] == ts
    assert "Update posted" in last_update_of_dm(slack)


def test_an_empty_update_is_refused_in_the_modal(slack: SlackHarness, planted: Planted) -> None:
    click(slack, "open_action_update", str(planted.stalled))

    answer = submit(slack, opened_view(slack), text_input("update", "text", "   "))

    assert answer.json()["response_action"] == "errors"
    assert "What's the news" in answer.json()["errors"]["update"]


def test_post_update_from_a_digest_asks_which_action(slack: SlackHarness, planted: Planted) -> None:
    click(slack, "open_action_update", "", channel="C0DIGEST")
    view = opened_view(slack)
    options = view["blocks"][0]["element"]["options"]
    assert options[0]["text"]["text"] in ("Weekly live Q&amp;A", "FAQ page &lt;!channel&gt;")

    values = {
        "action": {
            "action": {"type": "static_select", "selected_option": {"value": str(planted.fresh)}}
        },
        **text_input("update", "text", "Syllabus drafted"),
    }
    answer = submit(slack, view, values)

    assert answer.status == 200 and answer.body == ""
    with slack.database.reading() as session:
        update = session.exec(
            select(ActionUpdate).where(ActionUpdate.action_id == planted.fresh)
        ).one()
    assert update.text == "Syllabus drafted"
    ephemeral = slack.api.calls("chat.postEphemeral")[-1].params
    assert ephemeral["channel"] == "C0DIGEST" and ephemeral["user"] == OWNER
    assert "Update posted" in json.dumps(ephemeral["blocks"])


def test_mark_done_closes_the_action_and_updates_the_dm(
    slack: SlackHarness, planted: Planted
) -> None:
    reply = click(slack, "mark_action_done", str(planted.stalled))

    assert reply.status == 200
    assert action_row(slack, planted.stalled).status == "done"
    with slack.database.reading() as session:
        nudge = session.exec(
            select(Nudge).where(Nudge.item_kind == "action", Nudge.item_id == planted.stalled)
        ).one()
    assert nudge.response == "done"  # answered: not raised in the digest
    dm = last_update_of_dm(slack)
    assert "Marked done" in dm
    # The other item in the same message still has its buttons.
    assert f'"value": "{planted.past_due}"' in dm


def test_snooze_keeps_the_item_out_of_the_next_sweeps(
    slack: SlackHarness, planted: Planted
) -> None:
    click(slack, "snooze_action", str(planted.stalled))

    with slack.database.reading() as session:
        snooze = session.exec(select(Snooze)).one()
    assert snooze.until == slack.now + timedelta(days=7)
    assert "Snoozed for a week" in last_update_of_dm(slack)

    # Even when the item could be nudged again, the snooze holds; the other item is nudged.
    daily = NudgeLimits(item_interval=timedelta(days=1))
    later = slack.now + timedelta(days=2)
    report = run_nudge_sweep(
        slack.database, client_of(slack), later, respect_working_hours=False, limits=daily
    )
    sent = {item.ref for message in report.sent for item in message.items}
    assert ("action", planted.stalled) not in sent and ("action", planted.past_due) in sent
    assert any(s.reason.startswith("snoozed until") for s in report.skipped)


def test_not_mine_hands_the_action_to_someone_else(slack: SlackHarness, planted: Planted) -> None:
    click(slack, "not_mine_action", str(planted.stalled))
    view = opened_view(slack)
    assert view["callback_id"] == "reassign_modal"

    values = {"owner": {"owner": {"type": "users_select", "selected_user": "U0NEW"}}}
    answer = submit(slack, view, values)

    assert answer.status == 200 and answer.body == ""
    assert action_row(slack, planted.stalled).owner == "U0NEW"
    told = slack.api.calls("chat.postMessage")[-1].params
    assert told["channel"] == "D0NEW"
    assert "handed you" in json.dumps(told["blocks"])
    assert "Handed to <@U0NEW>" in last_update_of_dm(slack)


def test_log_reading_stores_a_reading_and_refuses_nonsense(
    slack: SlackHarness, planted: Planted
) -> None:
    click(slack, "open_log_reading", str(planted.overdue_kpi), user="U0SOCIAL")
    view = opened_view(slack)
    assert view["callback_id"] == "log_reading_modal"
    day = slack.now.date().isoformat()

    def values(value: str, on: str = day) -> dict[str, Any]:
        return {
            **text_input("value", "value", value),
            "day": {"day": {"type": "datepicker", "selected_date": on}},
            **text_input("note", "note", "after the FAQ launch"),
        }

    refused = submit(slack, view, values("abc"), user="U0SOCIAL")
    future = (slack.now + timedelta(days=3)).date().isoformat()
    too_early = submit(slack, view, values("2.5", on=future), user="U0SOCIAL")
    stored = submit(slack, view, values("1.5k"), user="U0SOCIAL")

    assert refused.json()["response_action"] == "errors"
    assert "isn't a number" in refused.json()["errors"]["value"]
    assert "in the future" in too_early.json()["errors"]["day"]
    assert stored.status == 200 and stored.body == ""
    with slack.database.reading() as session:
        readings = session.exec(
            select(Reading).where(Reading.kpi_id == planted.overdue_kpi).order_by(Reading.id)
        ).all()
    assert [(r.value, r.note, r.logged_by) for r in readings[1:]] == [
        (1500.0, "after the FAQ launch", "U0SOCIAL")
    ]
    assert "Reading logged" in last_update_of_dm(slack)


def test_log_reading_from_a_digest_asks_which_kpi(slack: SlackHarness, planted: Planted) -> None:
    click(slack, "open_log_reading", "", channel="C0DIGEST")
    view = opened_view(slack)
    names = [o["text"]["text"] for o in view["blocks"][0]["element"]["options"]]
    assert set(names) == {"Response time", "Instagram followers"}

    values = {
        "kpi": {
            "kpi": {"type": "static_select", "selected_option": {"value": str(planted.fresh_kpi)}}
        },
        **text_input("value", "value", "12400"),
    }
    answer = submit(slack, view, values)

    assert answer.status == 200 and answer.body == ""
    with slack.database.reading() as session:
        latest = session.exec(
            select(Reading).where(Reading.kpi_id == planted.fresh_kpi).order_by(Reading.id.desc())
        ).first()
    assert latest is not None and latest.value == 12400.0
    assert latest.period == slack.now.date()


def test_a_button_for_another_workspaces_action_changes_nothing(
    slack: SlackHarness, planted: Planted
) -> None:
    other = plant_scorecard(slack.database, slack.now, workspace="T0OTHER")

    click(slack, "mark_action_done", str(other.stalled))

    assert action_row(slack, other.stalled).status == "active"
    refusal = slack.api.calls("chat.postEphemeral")[-1].params
    assert "no longer on the scorecard" in json.dumps(refusal["blocks"])


def test_a_nudge_slack_will_not_redraw_still_gets_a_confirmation(
    slack: SlackHarness, planted: Planted
) -> None:
    slack.api.fail_next("chat.update", "message_not_found")

    reply = click(slack, "mark_action_done", str(planted.stalled))

    assert reply.status == 200
    assert action_row(slack, planted.stalled).status == "done"
    told = slack.api.calls("chat.postEphemeral")[-1].params
    assert told["user"] == OWNER and "Marked done" in json.dumps(told)
