"""A forecast asks for a decision: the owner of a KPI projected to miss is asked once in a nudge,
the answer is recorded with who and when, shown in /kpi show and /why, quiets the question until
the projection moves materially, and opens the next review."""

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.nudging import run_nudge_sweep
from scorecard.forecast_questions import MATERIAL_FORECAST_CHANGE
from storage.models import Decision, Nudge
from templates import problems
from tests.harness import WORKSPACE, SlackHarness
from tests.sample import SAMPLE_SCORECARD
from tests.test_reviews import ROOM, open_review

SOCIAL = "U0SOCIAL"


@pytest.fixture
def heading_for_a_miss(slack: SlackHarness) -> SlackHarness:
    """Instagram followers creeping up by 50 a week: far from 15k by the end of the quarter."""
    slack.load(SAMPLE_SCORECARD)
    for day, value in (("2026-11-03", 10100), ("2026-11-10", 10150), ("2026-11-17", 10200)):
        slack.command("/kpi", f"log instagram followers {value} {day}", user=SOCIAL)
    slack.command("/kpi", "log instagram followers 10250", user=SOCIAL)
    return slack


def sweep(slack: SlackHarness) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.api.api_url)
    run_nudge_sweep(slack.database, client, slack.now, respect_working_hours=False)


def forecast_buttons(slack: SlackHarness) -> list[dict[str, Any]]:
    """The forecast question's buttons in the latest nudge to the owner (none: not asked)."""
    dms = [
        c.params
        for c in slack.api.calls("chat.postMessage")
        if c.params["channel"] == "D" + SOCIAL[1:]
    ]
    if not dms:
        return []
    assert problems(dms[-1]) == []
    return [
        element
        for block in dms[-1]["blocks"]
        if block.get("block_id", "").startswith("nudge-forecast-")
        for element in block.get("elements", [])
    ]


def press_in_dm(slack: SlackHarness, button: dict[str, Any]) -> None:
    with slack.database.reading() as session:
        nudge = session.exec(select(Nudge).where(Nudge.item_kind == "forecast")).first()
    assert nudge is not None and nudge.channel and nudge.message_ts
    payload = {
        "type": "block_actions",
        "team": {"id": WORKSPACE, "domain": "demo"},
        "user": {"id": SOCIAL, "team_id": WORKSPACE},
        "api_app_id": "A0SCORECARD",
        "token": "unused",
        "trigger_id": "trigger.forecast",
        "container": {
            "type": "message",
            "message_ts": nudge.message_ts,
            "channel_id": nudge.channel,
        },
        "channel": {"id": nudge.channel},
        "message": {"type": "message", "ts": nudge.message_ts},
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b",
                "value": button["value"],
            }
        ],
    }
    assert slack.interact(payload).status == 200


def submit_last_modal(slack: SlackHarness, values: dict[str, Any]) -> str:
    return slack.view_submission(slack.last_view(), values, user=SOCIAL).body


def test_a_projected_miss_asks_its_owner_once_and_the_decision_is_shown_and_reviewed(
    heading_for_a_miss: SlackHarness,
) -> None:
    slack = heading_for_a_miss
    assert "projected to miss" in slack.command("/kpi", "show instagram followers").text

    sweep(slack)
    buttons = forecast_buttons(slack)
    assert [b["text"]["text"] for b in buttons] == [
        "Add or link an action",
        "Change the target",
        "Accept the miss",
    ]
    nudge_text = json.dumps(slack.api.calls("chat.postMessage")[-1].params, ensure_ascii=False)
    assert "Instagram followers* is heading for a miss" in nudge_text

    # Asked once: the next sweep, a week on, does not ask again while it is unanswered.
    slack.advance(days=8)
    slack.api.clear()
    sweep(slack)
    assert forecast_buttons(slack) == []

    # The owner accepts the miss with a reason, from the first nudge.
    press_in_dm(slack, buttons[2])
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "Paid ads paused"}}}
    assert "errors" not in submit_last_modal(slack, reason)
    with slack.database.reading() as session:
        decision = session.exec(select(Decision)).one()
        answered = session.exec(select(Nudge).where(Nudge.item_kind == "forecast")).first()
    assert decision.kind == "accept_miss" and decision.decided_by == SOCIAL
    assert decision.decided_at == slack.now and decision.review_id is None
    assert decision.forecast_value is not None and decision.forecast_value < 15000
    assert answered is not None and answered.response == "decided"
    assert "Decision recorded" in json.dumps(slack.api.calls("chat.update")[-1].params)

    # Shown with who and when in /kpi show and /why.
    shown = slack.command("/kpi", "show instagram followers").text
    assert "Miss accepted on Instagram followers: Paid ads paused" in shown.replace("*", "")
    assert f"<@{SOCIAL}>" in json.dumps(slack.command("/kpi", "show instagram followers").message)
    assert "Paid ads paused" in slack.command("/why", "instagram followers").text

    # Quiet while the projection holds; asked again once it moves materially.
    slack.advance(days=8)
    slack.command("/kpi", "log instagram followers 10300", user=SOCIAL)
    slack.api.clear()
    sweep(slack)
    assert forecast_buttons(slack) == []
    slack.advance(days=8)
    slack.command("/kpi", "log instagram followers 9000", user=SOCIAL)  # 9000: a real slide
    slack.api.clear()
    sweep(slack)
    assert [b["action_id"] for b in forecast_buttons(slack)][2] == "forecast_accept_miss"
    assert MATERIAL_FORECAST_CHANGE == 0.10

    # The next review starts with it.
    start = open_review(slack)[1]
    assert "Decided on forecasts since" in json.dumps(start["blocks"])
    assert "Paid ads paused" in json.dumps(start["blocks"])
    assert "Instagram followers* projected to miss" in json.dumps(start["blocks"])


def test_changing_the_target_from_a_forecast_needs_an_admin(
    heading_for_a_miss: SlackHarness,
) -> None:
    slack = heading_for_a_miss
    sweep(slack)
    change = forecast_buttons(slack)[1]
    press_in_dm(slack, change)
    target = {"target": {"target": {"type": "plain_text_input", "value": "11k"}}}
    assert "Only a workspace admin" in submit_last_modal(slack, target)

    slack.api.add_user(SOCIAL, is_admin=True)
    press_in_dm(slack, change)
    assert "errors" not in submit_last_modal(slack, target)
    shown = slack.command("/kpi", "show instagram followers").text
    assert "Target of Instagram followers changed to 11" in shown.replace("*", "")
    assert ROOM  # the review room is shared with the review tests
