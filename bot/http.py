"""The WSGI application gunicorn serves: Slack's requests, plus a health check."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class ScorecardWSGI:
    """POST /slack/events goes to Bolt, and so do GET /slack/install and /slack/oauth_redirect in
    OAuth mode (bot/oauth.py); GET /healthz answers 200 when the database answers."""

    def __init__(self, app: App, database: Database) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_PATH)
        self.database = database

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self._health(start_response)
        return self.slack(environ, start_response)

    def _health(self, start_response: "StartResponse") -> Iterable[bytes]:
        healthy = self.database.is_reachable()
        body = b"ok\n" if healthy else b"database unreachable\n"
        status = "200 OK" if healthy else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
