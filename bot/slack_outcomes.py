"""Slack's answers in the delivery rules' terms: nothing posted, or maybe posted.

A post that reached Slack can still come back as an HTTP 5xx or a dropped connection. Resending
it blindly posts it twice, so posts are never resent by the client's own retry handlers
(`NoResendOnConnectionError`), and `slack_call` turns such answers into `MaybePosted` for the
rules to confirm first (scorecard.posting).
"""

from collections.abc import Callable
from datetime import datetime
from http.client import HTTPException
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from scorecard.posting import MaybePosted, NotPosted

Answer = TypeVar("Answer")  # what the call returns: a SlackResponse, or a value built from one

# Methods that create something each time they are called: never resent without confirming.
POSTING_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage")
# Slack's own words for "it may have partly happened" (docs.slack.dev, chat.postMessage errors:
# "It's possible some aspect of the operation succeeded before the error was raised").
UNCLEAR_ERRORS = ("internal_error", "fatal_error", "service_unavailable")


class NoResendOnConnectionError(ConnectionErrorRetryHandler):
    """slack-sdk's connection-error retry, except for posts: Slack may already have the message."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.rstrip("/").rsplit("/", 1)[-1] in POSTING_METHODS:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def slack_call(call: Callable[[], Answer]) -> Answer:
    """Make one Web API call: its answer, NotPosted when Slack said no, MaybePosted when unclear."""
    try:
        return call()
    except SlackApiError as error:
        status = error.response.status_code
        code = str(error.response.get("error") or f"HTTP {status}")
        if status >= 500 or code in UNCLEAR_ERRORS:
            raise MaybePosted(f"Slack answered HTTP {status} ({code})") from error
        raise NotPosted(code) from error
    except (OSError, HTTPException) as error:  # URLError, resets, time-outs: the answer is lost
        raise MaybePosted(f"no answer from Slack: {error!r}") from error


def find_marked_message(
    client: WebClient,
    channel: str,
    since: datetime,
    event_type: str,
    is_it: Callable[[dict[str, Any]], bool],
    page: int,
) -> dict[str, Any] | None:
    """The first message in `channel` since `since` whose metadata of `event_type` has a payload
    `is_it` accepts, paging through conversations.history `page` messages at a time; None when
    there is none. Raises NotPosted or MaybePosted as `slack_call` does."""
    cursor = None
    while True:
        response = slack_call(
            lambda cursor=cursor: client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=page,
                cursor=cursor,
            )
        )
        for message in response.get("messages") or []:
            payload = metadata_payload(message, event_type)
            if payload is not None and is_it(payload):
                return message
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def metadata_payload(message: dict[str, Any], event_type: str) -> dict[str, Any] | None:
    """The event payload of a message's metadata of `event_type`, if it carries one."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != event_type:
        return None
    return metadata.get("event_payload") or {}
