"""The Slack stand-in, driven by the real slack_sdk WebClient as the app drives it."""

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.slack_standin import RecordedCall, SlackStandIn

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Followers* 12.4k"}}]


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(
        token="xoxb-test",
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def test_api_url_ends_in_a_slash_for_the_sdk(standin: SlackStandIn) -> None:
    assert standin.api_url.startswith("http://127.0.0.1:")
    assert standin.api_url.endswith("/api/")


def test_post_message_is_recorded_with_blocks_as_data(
    standin: SlackStandIn, client: WebClient
) -> None:
    answer = client.chat_postMessage(channel="C0DEMO", text="Followers 12.4k", blocks=BLOCKS)

    assert answer["ok"] is True
    assert answer["channel"] == "C0DEMO"
    assert answer["message"]["blocks"] == BLOCKS
    [call] = standin.calls("chat.postMessage")
    assert call.params["channel"] == "C0DEMO"
    assert call.params["blocks"] == BLOCKS
    assert call.token == "xoxb-test"


def test_blocks_sent_as_form_text_are_decoded(standin: SlackStandIn, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        data={"channel": "C0DEMO", "text": "hi", "blocks": json.dumps(BLOCKS)},
    )

    assert standin.calls("chat.postMessage")[0].params["blocks"] == BLOCKS


def test_message_timestamps_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0DEMO", text=str(n))["ts"] for n in range(3)]

    assert len(set(stamps)) == 3
    assert stamps == sorted(stamps, key=float)
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_posting_to_a_user_lands_in_their_direct_message(client: WebClient) -> None:
    opened = client.conversations_open(users="U0LEAD")
    posted = client.chat_postMessage(channel="U0LEAD", text="Your KPI is overdue")

    assert opened["channel"]["id"] == "D0LEAD"
    assert posted["channel"] == "D0LEAD"


def test_rate_limited_call_is_retried_by_the_sdk(standin: SlackStandIn, client: WebClient) -> None:
    standin.rate_limit_next("chat.postMessage", retry_after=0)

    answer = client.chat_postMessage(channel="C0DEMO", text="after the burst")

    assert answer["ok"] is True
    assert len(standin.calls("chat.postMessage")) == 2


def test_rate_limit_without_retries_is_an_error(standin: SlackStandIn) -> None:
    standin.rate_limit_next("chat.postMessage", retry_after=7)
    plain = WebClient(token="xoxb-test", base_url=standin.api_url)

    with pytest.raises(SlackApiError) as raised:
        plain.chat_postMessage(channel="C0DEMO", text="too fast")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


def test_fail_next_answers_the_error_once(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GONE", text="hello?")

    assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C0DEMO", text="again")["ok"] is True


def test_missing_token_is_not_authed(standin: SlackStandIn) -> None:
    anonymous = WebClient(base_url=standin.api_url)

    with pytest.raises(SlackApiError) as raised:
        anonymous.chat_postMessage(channel="C0DEMO", text="who am I")

    assert raised.value.response["error"] == "not_authed"


def test_unknown_method_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.sendSmokeSignal", json={"channel": "C0DEMO"})

    assert raised.value.response["error"] == "unknown_method"


def test_auth_test_names_the_bot(client: WebClient) -> None:
    answer = client.auth_test()

    assert answer["team_id"] == "T0DEMO"
    assert answer["user_id"] and answer["bot_id"]


def test_users_info_reports_the_configured_time_zone(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.add_user("U0TOKYO", tz="Asia/Tokyo", away=True, status_text="On holiday")

    tokyo = client.users_info(user="U0TOKYO")["user"]
    someone = client.users_info(user="U0ANYONE")["user"]

    assert tokyo["tz"] == "Asia/Tokyo"
    assert tokyo["tz_offset"] == 9 * 3600
    assert tokyo["profile"]["status_text"] == "On holiday"
    assert someone["tz"] == "Europe/Amsterdam"
    assert someone["is_bot"] is False
    assert client.users_getPresence(user="U0TOKYO")["presence"] == "away"
    assert client.users_getPresence(user="U0ANYONE")["presence"] == "active"


def test_views_get_an_id_and_keep_it_on_update(client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Log a reading"},
        "blocks": BLOCKS,
    }

    opened = client.views_open(trigger_id="trigger.1", view=modal)["view"]
    updated = client.views_update(view_id=opened["id"], view=modal)["view"]

    assert opened["id"].startswith("V")
    assert updated["id"] == opened["id"]
    assert opened["blocks"] == BLOCKS


def test_response_url_posts_are_recorded(standin: SlackStandIn) -> None:
    seen: list[RecordedCall] = []
    standin.on_call = seen.append
    body = json.dumps({"text": "Logged", "response_type": "ephemeral"}).encode()
    request = urllib.request.Request(
        standin.response_url(), data=body, headers={"Content-Type": "application/json"}
    )

    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200

    [call] = standin.calls("response_url")
    assert call.params == {"text": "Logged", "response_type": "ephemeral"}
    assert seen == [call]


def test_each_response_url_is_fresh(standin: SlackStandIn) -> None:
    assert standin.response_url() != standin.response_url()


def test_wait_for_returns_once_background_calls_arrive(
    standin: SlackStandIn, client: WebClient
) -> None:
    def post_later() -> None:
        time.sleep(0.1)
        for n in range(2):
            client.chat_postMessage(channel="C0DEMO", text=f"digest {n}")

    threading.Thread(target=post_later).start()

    calls = standin.wait_for("chat.postMessage", count=2, timeout=5)

    assert [call.params["text"] for call in calls] == ["digest 0", "digest 1"]


def test_wait_for_says_what_arrived_on_timeout(standin: SlackStandIn, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match="auth.test"):
        standin.wait_for("chat.postMessage", timeout=0.2)


def test_clear_forgets_calls(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEMO", text="old")
    standin.clear()

    assert standin.calls() == []


def test_fifty_calls_at_once_are_all_answered_and_recorded(
    standin: SlackStandIn, client: WebClient
) -> None:
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(
            pool.map(lambda n: client.chat_postMessage(channel="C0DEMO", text=str(n)), range(50))
        )

    assert all(answer["ok"] for answer in answers)
    assert len({answer["ts"] for answer in answers}) == 50
    assert sorted(int(call.params["text"]) for call in standin.calls()) == list(range(50))


def test_history_returns_accepted_top_level_messages_newest_first(
    standin: SlackStandIn, client: WebClient
) -> None:
    metadata = {"event_type": "digest", "event_payload": {"period": "p1"}}
    first = client.chat_postMessage(channel="C1", text="first", metadata=metadata)
    client.chat_postMessage(channel="C1", text="in the thread", thread_ts=first["ts"])
    standin.fail_next("chat.postMessage", "not_in_channel")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="refused")
    client.chat_postMessage(channel="C1", text="second")

    history = client.conversations_history(channel="C1", include_all_metadata=True)

    assert [message["text"] for message in history["messages"]] == ["second", "first"]
    assert history["messages"][1]["metadata"] == metadata


@pytest.mark.parametrize("status", [500, 503])
def test_a_post_can_be_kept_and_answered_with_a_5xx(
    standin: SlackStandIn, client: WebClient, status: int
) -> None:
    standin.lose_answer_next("chat.postMessage", status=status)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0DEMO", text="digest")
    answered = client.chat_postMessage(channel="C0DEMO", text="next")

    assert raised.value.response.status_code == status
    assert [m["text"] for m in standin.history("C0DEMO")] == ["digest", "next"]
    assert answered["ok"] is True


@pytest.mark.parametrize("kept", [True, False])
def test_a_post_can_lose_its_connection_kept_or_not(
    standin: SlackStandIn, client: WebClient, kept: bool
) -> None:
    standin.lose_answer_next("chat.postMessage", status=None, kept=kept)

    with pytest.raises(OSError):  # http.client.RemoteDisconnected: no answer at all
        client.chat_postMessage(channel="C0DEMO", text="digest")

    assert [m["text"] for m in standin.history("C0DEMO")] == (["digest"] if kept else [])
    assert len(standin.calls("chat.postMessage")) == 1
