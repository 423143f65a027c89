"""Building the Bolt app: the one place where Slack, the database and the listeners meet."""

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.oauth import wire_installations
from bot.once_only import OnceOnly
from bot.slack_outcomes import NoResendOnConnectionError
from handlers import events, register_all
from handlers.services import Services
from storage.db import Database
from storage.types import utc_now

# The answer in a workspace the app has no token for: never installed there, or removed.
NOT_INSTALLED = (
    "Scorecard isn't installed in this workspace (any more). A workspace admin can add it again "
    "with the “Add to Slack” link of whoever runs Scorecard; a scorecard that was here is kept "
    "for a while after the app is removed."
)

# Slack asks clients to wait out HTTP 429s; a few retries ride out short bursts.
RATE_LIMIT_RETRIES = 3


def create_web_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client with our retry handlers, for `token` (by default SLACK_BOT_TOKEN).

    In OAuth mode there is no default token: the app's own client has none, and Bolt's
    `authorize` gives each request's client the token of the workspace it comes from.
    """
    if token is None and not settings.oauth_enabled:
        token = settings.require_bot_token()
    client = WebClient(
        token=token,
        retry_handlers=[
            NoResendOnConnectionError(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
    if settings.slack_api_url:
        client.base_url = settings.slack_api_url
    return client


class ScorecardApp(App):  # type: ignore[misc]
    """Bolt's App, with each request from Slack run at most once (see bot/once_only.py).

    Overriding dispatch covers HTTP and Socket Mode alike, and sees the listener's answer, which
    a Bolt middleware does not.
    """

    def __init__(self, *, once_only: OnceOnly, **options: object) -> None:
        super().__init__(**options)
        self.once_only = once_only

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return self.once_only.dispatch(req, super().dispatch)


def create_app(
    settings: Settings,
    database: Database,
    *,
    clock: Callable[[], datetime] = utc_now,
    client: WebClient | None = None,
    verify_token: bool = True,
    socket_mode: bool = False,
) -> App:
    """The Bolt app for HTTP and Socket Mode alike.

    Quick work (a reading, a trace) is answered inside the request (`process_before_response`):
    Bolt's default ack-first mode polls for the ack every 10 ms, which costs a command ~10 ms and
    most of the throughput. Slow work belongs in lazy listeners. Socket Mode needs no signing
    secret: Slack authenticates the socket itself. With SLACK_CLIENT_ID (OAuth mode, see
    bot/oauth.py) workspaces install through /slack/install and each request gets its own token.
    """
    signing_secret = settings.signing_secret if socket_mode else settings.require_signing_secret()
    installations, oauth = wire_installations(
        settings, database, clock, lambda token: create_web_client(settings, token)
    )
    app = ScorecardApp(
        once_only=OnceOnly(database, signing_secret if not socket_mode else None),
        client=client or create_web_client(settings),
        signing_secret=signing_secret,
        oauth_settings=oauth,
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        token_verification_enabled=verify_token,
        logger=logging.getLogger("scorecard.bolt"),
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
    register_all(app, Services(database=database, clock=clock))
    events.register(app, installations)
    return app
