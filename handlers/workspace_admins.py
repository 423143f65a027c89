"""Asking Slack whether someone is a workspace admin or owner (`users.info`)."""

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def is_workspace_admin(client: WebClient, user: str) -> bool:
    """Whether Slack says `user` is an admin or owner of the workspace (`users.info`).

    When Slack cannot say, the answer is no: a rule that needs an admin then refuses."""
    try:
        found = client.users_info(user=user)["user"]
    except SlackApiError as error:
        logger.warning("Could not look up %s: %s", user, error.response.get("error"))
        return False
    return bool(found.get("is_admin") or found.get("is_owner"))
