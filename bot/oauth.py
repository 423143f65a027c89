"""Installing Scorecard in many workspaces: Slack's OAuth v2 flow through Bolt's `OAuthSettings`.

`GET /slack/install` shows the "Add to Slack" page (and sets the state cookie); Slack sends the
installer back to `GET /slack/oauth_redirect`, where Bolt exchanges the code (`oauth.v2.access`)
and saves the installation. Installations, bot tokens and install states live in our own database
through slack-sdk's SQLAlchemy stores (tables from migration 0011). Bolt's `authorize` then finds
the token of the workspace each request comes from. See Slack's "Installing with OAuth":
https://api.slack.com/authentication/oauth-v2
"""

import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from scorecard.workspace_lifecycle import (
    APP_UNINSTALLED,
    TOKENS_REVOKED,
    Arrival,
    workspace_installed,
    workspace_uninstalled,
)
from storage.db import Database
from templates import render

logger = logging.getLogger(__name__)

# The bot scopes an install asks for: the same list as manifest.yml's oauth_config.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "files:write",
    "users:read",
    "channels:history",
    "groups:history",
    "im:history",
    "canvases:write",
)
# How long an "Add to Slack" link stays good, in seconds (Bolt's default).
STATE_EXPIRES_AFTER_SECONDS = 600


def installation_store(settings: Settings, database: Database) -> SQLAlchemyInstallationStore:
    """slack-sdk's installation store on our database (tables slack_installations, slack_bots)."""
    assert settings.client_id is not None, "only in OAuth mode"
    return SQLAlchemyInstallationStore(
        client_id=settings.client_id,
        engine=database.engine,
        logger=logging.getLogger("scorecard.installations"),
    )


class SignedOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's state store, each state signed with SLACK_STATE_SECRET.

    A state comes back from the installer's browser: one that was not issued here is turned away
    by its signature before the database is asked; the stored state is single-use and expires.
    """

    def __init__(self, secret: str, database: Database) -> None:
        super().__init__(
            expiration_seconds=STATE_EXPIRES_AFTER_SECONDS,
            engine=database.engine,
            logger=logging.getLogger("scorecard.oauth_states"),
        )
        self._key = secret.encode()

    def issue(self, *args: object, **kwargs: object) -> str:
        state = super().issue()
        return f"{state}.{self._signature(state)}"

    def consume(self, state: str) -> bool:
        stored, _, signature = state.rpartition(".")
        if not stored or not hmac.compare_digest(signature, self._signature(stored)):
            return False
        return super().consume(stored)

    def _signature(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()


class Installations:
    """Workspaces coming and going: welcome on install, forget tokens and start the retention
    period on uninstall. The handlers of Slack's events (handlers/events.py) call this.

    Without an installation store (single-workspace mode, SLACK_BOT_TOKEN) there are no tokens to
    forget and nothing is deleted: the operator owns that token and that database.
    """

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        store: InstallationStore | None = None,
        client_for_token: Callable[[str], WebClient] | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.store = store
        self.client_for_token = client_for_token

    def app_uninstalled(self, workspace: str, enterprise: str | None) -> None:
        if self.store is None:
            logger.warning(
                "Workspace %s removed the app; SLACK_BOT_TOKEN no longer works", workspace
            )
            return
        self.store.delete_all(enterprise_id=enterprise, team_id=workspace)
        workspace_uninstalled(self.database, workspace, self.clock(), APP_UNINSTALLED)

    def tokens_revoked(
        self, workspace: str, enterprise: str | None, users: list[str], bot: bool
    ) -> None:
        """Slack revoked some of the workspace's tokens: the bot's means the app can do nothing
        there any more, so every installation of the workspace goes (its rows carry the bot token
        too) and the retention period starts, as for an uninstall."""
        if self.store is None:
            logger.warning(
                "Workspace %s revoked tokens; SLACK_BOT_TOKEN may no longer work", workspace
            )
            return
        for user in users:
            self.store.delete_installation(
                enterprise_id=enterprise, team_id=workspace, user_id=user
            )
        if bot:
            self.store.delete_all(enterprise_id=enterprise, team_id=workspace)
            workspace_uninstalled(self.database, workspace, self.clock(), TOKENS_REVOKED)

    def installed(self, args: SuccessArgs) -> BoltResponse:
        """Bolt's success callback: the installation is stored; keep the workspace's scorecard if
        it had one, DM the installer the next step, then show Bolt's "installed" page."""
        installation = args.installation
        if installation.team_id:
            arrival = workspace_installed(self.database, installation.team_id)
            self._welcome(installation.bot_token, installation.user_id, arrival)
        return args.default.success(args)

    def _welcome(self, token: str | None, installer: str, arrival: Arrival) -> None:
        if not token or self.client_for_token is None:
            return
        try:
            client = self.client_for_token(token)
            client.chat_postMessage(channel=installer, **render("welcome", arrival=arrival))
        except (SlackApiError, OSError) as error:  # the install worked all the same
            logger.warning("Could not send the welcome DM to %s: %s", installer, error)


def wire_installations(
    settings: Settings,
    database: Database,
    clock: Callable[[], datetime],
    client_for_token: Callable[[str], WebClient],
) -> tuple[Installations, OAuthSettings | None]:
    """What create_app needs: who hears of installs and uninstalls, and Bolt's OAuth settings
    (None in single-workspace mode, where there is no install flow and no installation store)."""
    if not settings.oauth_enabled:
        return Installations(database, clock), None
    store = installation_store(settings, database)
    installations = Installations(database, clock, store, client_for_token)
    return installations, oauth_settings(settings, database, installations)


def oauth_settings(
    settings: Settings, database: Database, installations: Installations
) -> OAuthSettings:
    """Bolt's OAuth settings: our stores, our scopes, and `installations` told of each install."""
    client_secret, state_secret = settings.require_oauth_secrets()
    store = installations.store or installation_store(settings, database)
    oauth_logger = logging.getLogger("scorecard.oauth")
    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SignedOAuthStateStore(state_secret, database),
        state_expiration_seconds=STATE_EXPIRES_AFTER_SECONDS,
        callback_options=CallbackOptions(success=installations.installed, failure=_failed),
        logger=oauth_logger,
    )
    # Bot tokens only (no user scopes): one query per request (find_bot) instead of two. Bolt's
    # default asks auth.test on every request; the answer for a token never changes, and the
    # store is still asked first each time, so a deleted installation stops at once.
    oauth.authorize = InstallationStoreAuthorize(
        logger=oauth_logger,
        installation_store=store,
        client_id=settings.client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
    )
    return oauth


def _failed(args: FailureArgs) -> BoltResponse:
    logger.warning("An install did not complete: %s", args.reason)
    return args.default.failure(args)
