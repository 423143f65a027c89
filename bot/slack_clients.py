"""The Web API client to act for a workspace with, for code that runs outside a Slack request.

Listeners get theirs from Bolt (`authorize` puts the workspace's token on each request's client).
The clock and the CLI ask here:

    clients = WorkspaceClients(settings, database)
    client = clients.client_for("T0ABC")   # None: the app is not installed there (any more)
"""

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.app import create_web_client
from bot.config import Settings
from bot.oauth import installation_store
from storage.db import Database


class WorkspaceClients:
    """Clients per workspace: from the installation store in OAuth mode (SLACK_CLIENT_ID), or the
    one SLACK_BOT_TOKEN client for every workspace in single-workspace mode."""

    def __init__(
        self, settings: Settings, database: Database, store: InstallationStore | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        if settings.oauth_enabled and store is None:
            self.store = installation_store(settings, database)
        # Single-workspace mode: the one client, made now so a missing SLACK_BOT_TOKEN is said
        # at start (MissingSetting), not at the first post.
        self._shared = create_web_client(settings) if self.store is None else None

    def client_for(self, workspace: str) -> WebClient | None:
        """A client with `workspace`'s bot token, or None when it has none (not installed, or
        uninstalled: then nothing may be posted there)."""
        if self.store is None:
            return self._shared
        bot = self.store.find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            return None
        return create_web_client(self.settings, bot.bot_token)
