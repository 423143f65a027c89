"""Building the Bolt app: the one place where Slack, the database and the listeners meet."""

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings
from bot.once_only import OnceOnly
from handlers import register_all
from handlers.services import Services
from storage.db import Database
from storage.types import utc_now

# Slack asks clients to wait out HTTP 429s; a few retries ride out short bursts.
RATE_LIMIT_RETRIES = 3


def create_web_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.require_bot_token(),
        retry_handlers=[
            ConnectionErrorRetryHandler(),
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
    secret: Slack authenticates the socket itself.
    """
    signing_secret = settings.signing_secret if socket_mode else settings.require_signing_secret()
    app = ScorecardApp(
        once_only=OnceOnly(database, signing_secret if not socket_mode else None),
        client=client or create_web_client(settings),
        signing_secret=signing_secret,
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        token_verification_enabled=verify_token,
        logger=logging.getLogger("scorecard.bolt"),
    )
    register_all(app, Services(database=database, clock=clock))
    return app
