"""Settings, read from the environment once."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///scorecard.db"
DEFAULT_PORT = 3000
DEFAULT_WEB_WORKERS = 1
DEFAULT_WEB_THREADS = 8
# How long an uninstalled workspace's scorecard is kept, so a reinstall finds it.
DEFAULT_RETENTION_DAYS = 30


class MissingSetting(Exception):
    """A required environment variable is not set; the message names it and says where it is."""

    def __init__(self, variable: str, purpose: str) -> None:
        super().__init__(
            f"{variable} is not set: {purpose}. See the configuration table in README.md."
        )
        self.variable = variable


class InvalidSetting(Exception):
    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}. See the configuration table in README.md.")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    slack_api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = DEFAULT_PORT
    web_workers: int = DEFAULT_WEB_WORKERS
    web_threads: int = DEFAULT_WEB_THREADS
    log_level: str = "INFO"
    client_id: str | None = None
    client_secret: str | None = None
    state_secret: str | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        api_url = env.get("SLACK_API_URL") or None
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_api_url=api_url,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            port=_whole_number(env, "PORT", DEFAULT_PORT),
            web_workers=_whole_number(env, "WEB_CONCURRENCY", DEFAULT_WEB_WORKERS),
            web_threads=_whole_number(env, "WEB_THREADS", DEFAULT_WEB_THREADS),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            client_id=env.get("SLACK_CLIENT_ID") or None,
            client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            state_secret=env.get("SLACK_STATE_SECRET") or None,
            retention_days=_whole_number(env, "SCORECARD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS),
        )

    @property
    def oauth_enabled(self) -> bool:
        """Many workspaces, installed through "Add to Slack": SLACK_CLIENT_ID is set."""
        return self.client_id is not None

    def require_oauth_secrets(self) -> tuple[str, str]:
        """(client secret, state secret) for the OAuth flow; both are needed with a client id."""
        if not self.client_secret:
            raise MissingSetting(
                "SLACK_CLIENT_SECRET",
                "the client secret from your Slack app's Basic Information page",
            )
        if not self.state_secret:
            raise MissingSetting(
                "SLACK_STATE_SECRET", "a long random string that signs the OAuth state of installs"
            )
        return self.client_secret, self.state_secret

    def require_slack_credentials(self) -> None:
        """One workspace (SLACK_BOT_TOKEN) or many (SLACK_CLIENT_ID and its secrets)."""
        if self.oauth_enabled:
            self.require_oauth_secrets()
        else:
            self.require_bot_token()

    def require_bot_token(self) -> str:
        if not self.bot_token:
            raise MissingSetting(
                "SLACK_BOT_TOKEN", "the bot token (xoxb-…) from your Slack app's OAuth page"
            )
        return self.bot_token

    def require_signing_secret(self) -> str:
        if not self.signing_secret:
            raise MissingSetting(
                "SLACK_SIGNING_SECRET",
                "the signing secret from your Slack app's Basic Information page",
            )
        return self.signing_secret

    def require_app_token(self) -> str:
        if not self.app_token:
            raise MissingSetting(
                "SLACK_APP_TOKEN",
                "Socket Mode needs an app-level token (xapp-…) with the connections:write scope",
            )
        return self.app_token


def _whole_number(env: Mapping[str, str], variable: str, default: int) -> int:
    text = env.get(variable) or str(default)
    if not text.isdigit() or int(text) == 0:
        raise InvalidSetting(variable, f"must be a whole number above 0, not “{text}”")
    return int(text)
