"""Pictures end to end: /kpi chart, the Show chart buttons and /kpi map draw a real PNG and upload
it (files.getUploadURLExternal, the bytes, files.completeUploadExternal) where it was asked for,
or to the person by DM when the app can't post there."""

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bench.pictures import large_strategy_map
from bot.digest_delivery import preview_message
from bot.plain_text import message_to_text
from bot.slack_standin import FILE_UPLOAD, RESPONSE_URL, SharedFile, SlackStandIn
from scorecard.reading_import import import_readings
from scorecard.trend import STARTED, kpi_trend
from scorecard.vocabulary import DONE
from storage.models import Kpi, Objective
from templates.pictures import draw_strategy_map
from tests.conftest import TEST_NOW
from tests.harness import SlackHarness

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Drawing happens after the ack, in the background; on a busy machine it can take seconds.
WAIT = 30.0


@pytest.fixture
def community(slack: SlackHarness) -> SlackHarness:
    """The example scorecard with its twelve weeks of readings."""
    slack.load((EXAMPLES / "community.yaml").read_text(encoding="utf-8"))
    readings = (EXAMPLES / "community-readings.csv").read_text(encoding="utf-8")
    import_readings(slack.database, readings, None, TEST_NOW)
    return slack


def the_answer(slack: SlackHarness) -> dict[str, Any]:
    """What the lazy listener finally told the person (posted to the response URL)."""
    [answer] = slack.api.wait_for(RESPONSE_URL, timeout=WAIT)
    return answer.params


def shared_picture(slack: SlackHarness) -> SharedFile:
    [shared] = slack.api.wait_for_shared_files(timeout=WAIT)
    return shared


def picture_size(content: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read back from the PNG; fails on anything but a real PNG."""
    assert content.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(content)) as image:
        image.verify()
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "PNG"
        return image.size


def test_kpi_chart_posts_a_png_of_the_kpi_in_the_channel(community: SlackHarness) -> None:
    reply = community.command("/kpi", "chart engagement rate", channel="C0TEAM")

    assert "Working on the chart" in reply.text
    shared = shared_picture(community)
    assert shared.channel_id == "C0TEAM"
    width, height = picture_size(shared.content)
    assert (1000, 550) <= (width, height) <= (1300, 800)
    assert 20_000 < len(shared.content) < 400_000
    assert shared.filename == "engagement_rate-trend.png"
    assert "*Engagement rate*" in shared.initial_comment
    assert "<@U0LEAD>" in shared.initial_comment
    assert shared.alt_text.startswith("Line chart of Engagement rate from")
    [upload] = community.api.calls(FILE_UPLOAD)
    assert upload.params["size"] == len(shared.content)
    answer = the_answer(community)
    assert answer["replace_original"] is True
    assert "Posted the chart of Engagement rate in this channel" in message_to_text(answer)


def test_the_show_chart_button_on_kpi_show_posts_the_chart(community: SlackHarness) -> None:
    shown = community.command("/kpi", "show instagram followers")

    [button] = [
        element
        for block in shown.message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert button["text"]["text"] == "Show chart"
    community.click(button, channel="C0TEAM")

    shared = shared_picture(community)
    assert shared.channel_id == "C0TEAM"
    assert "*Instagram followers*" in shared.initial_comment
    picture_size(shared.content)
    answer = the_answer(community)
    assert answer["replace_original"] is False  # the KPI's details stay where they were
    assert "Posted the chart of Instagram followers" in message_to_text(answer)


def test_kpi_map_posts_the_strategy_map(community: SlackHarness) -> None:
    reply = community.command("/kpi", "map", channel="C0TEAM")

    assert "Working on the strategy map" in reply.text
    shared = shared_picture(community)
    assert shared.channel_id == "C0TEAM"
    width, height = picture_size(shared.content)
    assert width == 1320 and 700 < height < 1400
    assert 30_000 < len(shared.content) < 600_000
    assert "9 objectives" in shared.initial_comment
    assert "4 perspectives from top to bottom (Financial, Customer" in shared.alt_text
    assert "2 open actions serving no objective" in shared.initial_comment
    assert "Posted the strategy map in this channel" in message_to_text(the_answer(community))


def test_where_the_app_is_not_in_the_channel_the_picture_goes_by_dm(
    community: SlackHarness,
) -> None:
    community.api.fail_next("files.completeUploadExternal", "not_in_channel")

    community.command("/kpi", "chart response time", channel="C0PRIVATE", user="U0COMMUNITY")

    answer = message_to_text(the_answer(community))
    assert "not a member of this channel" in answer
    assert "sent the chart of Median response time to product questions to you" in answer
    [shared] = community.api.shared_files()
    assert shared.channel_id == "D0COMMUNITY"
    picture_size(shared.content)
    assert community.api.shared_files("C0PRIVATE") == []


def test_a_kpi_without_readings_gets_a_clear_message_and_no_chart(
    community: SlackHarness,
) -> None:
    community.command("/kpi", "chart playbook chapters")

    answer = message_to_text(the_answer(community))
    assert "Community playbook chapters written has no readings yet" in answer
    assert "/kpi log playbook_chapters" in answer
    assert community.api.calls("files.getUploadURLExternal") == []
    assert community.api.shared_files() == []


def test_an_unknown_kpi_is_named_back_and_nothing_is_uploaded(community: SlackHarness) -> None:
    community.command("/kpi", "chart tiktok views")

    assert "I don't know a KPI called “tiktok views”" in message_to_text(the_answer(community))
    assert community.api.calls("files.getUploadURLExternal") == []


def test_names_cannot_ping_a_channel_from_a_picture_message(community: SlackHarness) -> None:
    with community.database.writing() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == "engagement_rate")).one()
        kpi.name = '<!channel> engagement & "fun"'
        objective = session.exec(select(Objective).where(Objective.key == "revenue_growth")).one()
        objective.title = "<!here> revenue"
        session.add(kpi)
        session.add(objective)
    community.advance(seconds=1)

    community.command("/kpi", "chart engagement_rate")
    community.api.wait_for_shared_files(1, timeout=WAIT)
    community.command("/kpi", "map")

    chart, strategy_map = community.api.wait_for_shared_files(2, timeout=WAIT)
    assert "<!channel>" not in chart.initial_comment + chart.title
    assert '&lt;!channel&gt; engagement &amp; "fun"' in chart.initial_comment
    picture_size(chart.content)
    picture_size(strategy_map.content)
    answers = community.api.wait_for(RESPONSE_URL, count=2, timeout=WAIT)
    assert all("<!channel>" not in str(answer.params) for answer in answers)


def test_the_digest_thread_offers_charts_that_post_in_the_thread(
    community: SlackHarness,
) -> None:
    _, detail, *_ = preview_message(community.database, "C0DIGEST", TEST_NOW)
    [select_menu] = [
        element
        for block in detail["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert select_menu["type"] == "static_select"
    member_nps = next(o for o in select_menu["options"] if o["text"]["text"] == "Member NPS")

    community.interact(
        {
            "type": "block_actions",
            "team": {"id": "T0DEMO", "domain": "demo"},
            "user": {"id": "U0EXEC", "team_id": "T0DEMO"},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": "trigger.1",
            "container": {
                "type": "message",
                "message_ts": "1732442400.000200",
                "thread_ts": "1732442400.000100",
                "channel_id": "C0DIGEST",
                "is_ephemeral": False,
            },
            "channel": {"id": "C0DIGEST"},
            "response_url": community.api.response_url(),
            "actions": [
                {
                    "type": "static_select",
                    "action_id": select_menu["action_id"],
                    "block_id": "b",
                    "selected_option": member_nps,
                }
            ],
        }
    )

    shared = shared_picture(community)
    assert (shared.channel_id, shared.thread_ts) == ("C0DIGEST", "1732442400.000100")
    assert "*Member NPS*" in shared.initial_comment
    answer = the_answer(community)
    assert answer["replace_original"] is False  # the digest stays as it was, for everyone
    assert "Posted the chart of Member NPS in the thread" in message_to_text(answer)


def test_kpi_help_lists_the_pictures(community: SlackHarness) -> None:
    text = community.command("/kpi", "help").text

    assert "/kpi chart <kpi>" in text.replace("&lt;", "<").replace("&gt;", ">")
    assert "/kpi map" in text


def test_the_stand_in_refuses_to_share_a_file_never_uploaded() -> None:
    with SlackStandIn() as api:
        client = WebClient(token="xoxb-test", base_url=api.api_url)
        with pytest.raises(SlackApiError) as refused:
            client.files_completeUploadExternal(files=[{"id": "F404"}], channel_id="C0TEAM")
        assert refused.value.response["error"] == "file_not_found"
        assert api.shared_files() == []


def test_a_large_strategy_map_with_long_names_is_drawn_whole() -> None:
    strategy = large_strategy_map(40)

    png = draw_strategy_map(strategy)

    width, height = picture_size(png)
    assert width == 1320 and 1500 < height < 3000  # tall enough to read, within Slack's limits
    assert len(png) < 2_000_000


def test_the_chart_marks_the_days_linked_actions_started_and_finished(
    community: SlackHarness,
) -> None:
    community.command("/action", "update saved replies first ten written", user="U0COMMUNITY")

    with community.database.reading() as session:
        trend = kpi_trend(session, "T0DEMO", "response_time", community.now)

    marks = [(mark.title, mark.event, mark.day) for mark in trend.actions]
    assert marks == [
        ("Rota for answering product questions", DONE, date(2026, 10, 2)),  # the file's last_update
        ("Saved replies for the 30 most asked questions", STARTED, date(2026, 11, 24)),
    ]
    # The straight path from the baseline (9 h on 1 June) towards 2 h on 31 March 2027.
    assert trend.path[0] == (date(2026, 6, 1), 9.0)
    assert trend.path[-1][0] == date(2026, 11, 24) and 4 < trend.path[-1][1] < 5
    assert [point.note for point in trend.notes] == ["First full week of the question rota"]


def test_a_button_on_the_home_tab_sends_the_map_by_dm(community: SlackHarness) -> None:
    community.interact(
        {
            "type": "block_actions",
            "team": {"id": "T0DEMO", "domain": "demo"},
            "user": {"id": "U0EXEC", "team_id": "T0DEMO"},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": "trigger.1",
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home"},
            "actions": [
                {"type": "button", "action_id": "show_strategy_map", "block_id": "b", "value": ""}
            ],
        }
    )

    [told] = community.api.wait_for("chat.postMessage", timeout=WAIT)
    assert told.params["channel"] == "D0EXEC"
    assert "sent the strategy map to you in a direct message" in message_to_text(told.params)
    [shared] = community.api.shared_files()
    assert shared.channel_id == "D0EXEC"
    picture_size(shared.content)


def test_a_chart_picked_from_a_question_is_offered_with_a_button(community: SlackHarness) -> None:
    choice = {
        "action_id": "choice_0",
        "value": json.dumps({"command": "/kpi", "text": "chart engagement_rate"}),
    }
    community.click(choice)

    offer = the_answer(community)
    assert "Ready to draw the chart of Engagement rate" in message_to_text(offer)
    assert community.api.shared_files() == []
    [button] = [e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    community.click(button, channel="C0TEAM")

    assert shared_picture(community).channel_id == "C0TEAM"
    _, posted = community.api.wait_for(RESPONSE_URL, count=2, timeout=WAIT)
    assert "Posted the chart of Engagement rate" in message_to_text(posted.params)
