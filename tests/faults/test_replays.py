"""Replays and duplicates: a request Slack (or an attacker) sends again changes nothing the second
time. A slash command replayed within the signature's five minutes, a modal submitted twice, a
button click retried: each is run once, by its trigger_id or view id."""

import json
import time
from typing import Any

from sqlmodel import func, select

from bot.once_only import request_key
from bot.signed_requests import HttpAnswer, slash_command_form
from storage.models import Kpi, Reading
from tests.harness import WORKSPACE, SlackHarness
from tests.sample import SAMPLE_SCORECARD

OWNER = "U0SOCIAL"


def readings(slack: SlackHarness) -> list[float]:
    with slack.database.reading() as session:
        return list(session.exec(select(Reading.value).order_by(Reading.id)).all())


def followers_kpi(slack: SlackHarness) -> int:
    with slack.database.reading() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == "instagram_followers")).one()
    assert kpi.id is not None
    return kpi.id


def submission(kpi: int, value: str, view_id: str = "V0TWICE") -> dict[str, Any]:
    """The Log-reading modal submitted for one KPI, as Slack sends it."""
    return {
        "type": "view_submission",
        "team": {"id": WORKSPACE, "domain": "demo"},
        "user": {"id": OWNER, "team_id": WORKSPACE},
        "api_app_id": "A0SCORECARD",
        "trigger_id": "1234.5678.submit",
        "view": {
            "id": view_id,
            "team_id": WORKSPACE,
            "type": "modal",
            "callback_id": "log_reading_modal",
            "hash": "1.hash",
            "private_metadata": json.dumps({"item": kpi, "channel": None, "ts": None}),
            "state": {"values": {"value": {"value": {"type": "plain_text_input", "value": value}}}},
        },
    }


def replay(slack: SlackHarness, body: str, timestamp: int) -> HttpAnswer:
    """The very same signed request again: same body, same timestamp, same signature."""
    return slack.sender.post(body, timestamp=timestamp)


def test_a_replayed_slash_command_is_stored_once_and_says_so(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    body = slash_command_form(
        "/kpi", "log instagram followers 12400", team_id=WORKSPACE, user_id=OWNER
    )
    sent_at = int(time.time())

    first = replay(slack, body, sent_at)
    second = replay(slack, body, sent_at)
    third = replay(slack, body, sent_at)

    assert "Logged" in first.body
    assert second.status == third.status == 200
    assert "reached me twice" in second.body and "nothing more was done" in second.body
    assert readings(slack) == [12400.0]


def test_a_modal_submitted_twice_stores_one_reading(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    payload = submission(followers_kpi(slack), "12,400")

    first = slack.sender.interaction(payload)
    second = slack.sender.interaction(payload)

    assert first.status == second.status == 200
    assert second.body == ""  # the modal simply closes
    assert readings(slack) == [12400.0]


def test_a_modal_corrected_after_field_errors_is_stored(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    kpi = followers_kpi(slack)

    refused = slack.sender.interaction(submission(kpi, "lots"))
    corrected = slack.sender.interaction(submission(kpi, "12,400"))
    again = slack.sender.interaction(submission(kpi, "12,400"))

    assert refused.json()["response_action"] == "errors"
    assert corrected.status == 200 and corrected.body == ""
    assert again.status == 200
    assert readings(slack) == [12400.0]


def test_a_retried_button_click_runs_once(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    payload = {
        "type": "block_actions",
        "team": {"id": WORKSPACE, "domain": "demo"},
        "user": {"id": OWNER, "team_id": WORKSPACE},
        "api_app_id": "A0SCORECARD",
        "trigger_id": "1234.5678.click",
        "container": {"type": "message", "message_ts": "", "channel_id": "C0DEMO"},
        "channel": {"id": "C0DEMO"},
        "response_url": slack.api.response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": "open_log_reading",
                "block_id": "b",
                "value": str(followers_kpi(slack)),
                "action_ts": "1732442400.123456",
            }
        ],
    }

    answers = [slack.sender.interaction(payload) for _ in range(3)]

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert len(slack.api.calls("views.open")) == 1


def test_each_kind_of_request_is_known_by_its_own_id() -> None:
    """What the claim is keyed on; a retried event keeps its event_id (X-Slack-Retry-Num)."""
    event = {"type": "event_callback", "event_id": "Ev0RETRY", "event": {"type": "app_mention"}}
    command = {"command": "/kpi", "trigger_id": "13345224609.738474920.8088930838d88f008e0"}

    assert request_key(event) == "event:Ev0RETRY"
    assert request_key(command) == "command:13345224609.738474920.8088930838d88f008e0:/kpi"
    assert request_key({"type": "url_verification", "challenge": "x"}) is None
    assert request_key({"command": "/kpi", "text": "no trigger id"}) is None


def test_claims_leave_other_requests_alone(slack: SlackHarness) -> None:
    """Two different commands with the same text are two readings' worth of work."""
    slack.load(SAMPLE_SCORECARD)

    slack.command("/kpi", "log instagram followers 12400", user=OWNER)
    slack.command("/kpi", "log engagement rate 3.1%", user=OWNER)

    with slack.database.reading() as session:
        assert session.exec(select(func.count()).select_from(Reading)).one() == 2
