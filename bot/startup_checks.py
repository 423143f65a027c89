"""What `serve`, `socket`, `run` and `clock` make sure of before they start: Slack takes the bot
token. Each failure is one line for the operator, not a traceback."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.engine import make_url

from bot.config import InvalidSetting, Settings
from storage.db import normalize_database_url


class CannotStart(Exception):
    """Something outside us failed at start (Slack did not answer, the port is taken); the
    message says what, in one line."""


def check_bot_token(settings: Settings, client: WebClient | None = None) -> None:
    """Ask Slack who SLACK_BOT_TOKEN belongs to (`auth.test`); nothing to ask in OAuth mode.

    Raises `InvalidSetting` when Slack refuses the token (revoked, mistyped: a configuration
    problem) and `CannotStart` when Slack can't be asked.
    """
    from bot.app import create_web_client  # bot.app builds the whole app; only needed here

    if settings.oauth_enabled:
        return  # many workspaces, a token each: Bolt asks Slack per request
    client = client or create_web_client(settings)
    try:
        with _quiet(client.logger):  # it logs each failed try as an ERROR
            client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        raise InvalidSetting(
            "SLACK_BOT_TOKEN", f"was refused by Slack ({reason or 'no reason given'})"
        ) from error
    except (SlackRequestError, OSError) as error:
        raise CannotStart(f"can't reach Slack's Web API at {client.base_url}: {error}") from error


def check_app_token(settings: Settings, app_token: str, client: WebClient | None = None) -> None:
    """Ask Slack for a Socket Mode address with SLACK_APP_TOKEN (`apps.connections.open`), as
    the socket client would, before anything else starts (the scheduler, above all). The address
    is left unused; Slack lets it expire.

    Raises `InvalidSetting` when Slack refuses the token and `CannotStart` when Slack can't be
    asked. https://api.slack.com/methods/apps.connections.open
    """
    from bot.app import create_web_client  # bot.app builds the whole app; only needed here

    client = client or create_web_client(settings)
    try:
        with _quiet(client.logger):
            client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        raise InvalidSetting(
            "SLACK_APP_TOKEN", f"was refused by Slack ({reason or 'no reason given'})"
        ) from error
    except (SlackRequestError, OSError) as error:
        raise CannotStart(f"can't reach Slack's Web API at {client.base_url}: {error}") from error


def database_location(url: str) -> str:
    """Where the database is, for a message: the host and database, or the file; never a
    password."""
    try:
        parsed = make_url(normalize_database_url(url))
    except Exception:
        return "(DATABASE_URL)"
    if parsed.get_backend_name() == "sqlite":
        return f"file {parsed.database}"
    return f"at {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled
