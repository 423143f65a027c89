"""The one way Scorecard sends a person a direct message.

`conversations.open` with the user gives the DM channel (scope `im:write`), then
`chat.postMessage` posts there. Nudges need the channel and ts back to redraw the message later;
a notice that may be lost (someone handed you an action, a digest was paused) uses `tell_privately`.
"""

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    channel: str  # the DM channel, "D0…"
    ts: str  # the message's timestamp, its id within the channel


def send_direct_message(client: WebClient, user: str, message: dict[str, Any]) -> Posted:
    """Post `message` ({"text", "blocks"}) to `user`'s DM with the app. Raises SlackApiError."""
    channel = client.conversations_open(users=user)["channel"]["id"]
    posted = client.chat_postMessage(channel=channel, **message)
    return Posted(posted.get("channel") or channel, posted["ts"])


def tell_privately(client: WebClient, user: str, message: dict[str, Any]) -> Posted | None:
    """Like `send_direct_message`, for a notice: failing to send it is logged, not raised."""
    try:
        return send_direct_message(client, user, message)
    except SlackApiError as error:
        logger.warning("Could not message %s: %s", user, error.response.get("error"))
    except Exception:  # a notice lost to a network failure must not fail what it reports on
        logger.exception("Could not message %s", user)
    return None
