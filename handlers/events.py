"""Slack's events about the app itself: a workspace uninstalled it, or revoked its tokens.

Both arrive as signed `event_callback` requests and are retried by Slack (X-Slack-Retry-Num) when
not answered in time; handling one twice changes nothing. Bolt lets both through without a token
(the workspace may already have none). https://api.slack.com/events/app_uninstalled
"""

from typing import Any, Protocol

from slack_bolt import App, BoltContext


class InstallationEvents(Protocol):
    """What happens when a workspace leaves (bot.oauth.Installations)."""

    def app_uninstalled(self, workspace: str, enterprise: str | None) -> None: ...

    def tokens_revoked(
        self, workspace: str, enterprise: str | None, users: list[str], bot: bool
    ) -> None: ...


def register(app: App, installations: InstallationEvents) -> None:
    @app.event("app_uninstalled")
    def on_app_uninstalled(context: BoltContext) -> None:
        installations.app_uninstalled(context.team_id or "", context.enterprise_id)

    @app.event("tokens_revoked")
    def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        tokens = event.get("tokens") or {}
        installations.tokens_revoked(
            context.team_id or "",
            context.enterprise_id,
            list(tokens.get("oauth") or []),
            bool(tokens.get("bot")),
        )
