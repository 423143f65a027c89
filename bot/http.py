"""The WSGI application `scorecard serve` serves: Slack's requests, plus a health check.

Requests are checked at the door, before Bolt sees them: a body that is not UTF-8 or not the
form or JSON Slack sends gets 400, a missing or wrong signature 401, each with one log line that
quotes nothing from the body (Bolt itself would log the refused body, with its verification
token and response_url, at INFO).
"""

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier

from storage.db import Database

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's largest requests (a modal's state, a message's blocks) are tens of kilobytes.
MAX_BODY_BYTES = 1_000_000

logger = logging.getLogger(__name__)


class CheckedSlackRequests(SlackRequestHandler):  # type: ignore[misc]
    """Bolt's WSGI handler, with requests refused at the door instead of failing inside Bolt."""

    def __init__(self, app: App, signing_secret: str | None) -> None:
        super().__init__(app, path=SLACK_PATH)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            length = int(request.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refused(400, "its Content-Length is not a number")
        if length > MAX_BODY_BYTES:
            return _refused(413, f"its body is over {MAX_BODY_BYTES} bytes")
        try:
            body = request.environ["wsgi.input"].read(length).decode("utf-8") if length else ""
        except UnicodeDecodeError:
            return _refused(400, "its body is not UTF-8")
        headers = request.get_headers()
        if self.verifier is not None and not self.verifier.is_valid_request(body, headers):
            return _refused(401, "its signature is missing, wrong or too old")
        try:
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        except Exception as error:  # Bolt's parsing assumes the shapes Slack sends
            return _refused(400, f"its body is not what Slack sends ({type(error).__name__})")
        if not isinstance(bolt_request.body, dict):
            return _refused(400, "its body is not an object")
        return self.app.dispatch(bolt_request)


class ScorecardWSGI:
    """POST /slack/events goes to Bolt, and so do GET /slack/install and /slack/oauth_redirect in
    OAuth mode (bot/oauth.py); GET or HEAD /healthz answers 200 when the database can take
    writes, 503 with the reason when not (unreachable, file deleted, replaced or read-only)."""

    def __init__(self, app: App, database: Database, signing_secret: str | None = None) -> None:
        self.slack = CheckedSlackRequests(app, signing_secret or app._signing_secret)
        self.database = database

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            return self._health(start_response, head=environ["REQUEST_METHOD"] == "HEAD")
        return self.slack(environ, start_response)

    def _health(self, start_response: "StartResponse", *, head: bool) -> Iterable[bytes]:
        problem = self.database.problem()
        if problem is not None:
            logger.error("Health check failed: %s", problem)
        body = b"ok\n" if problem is None else f"{problem}\n".encode()
        status = "200 OK" if problem is None else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [] if head else [body]


def _refused(status: int, reason: str) -> BoltResponse:
    logger.info("Refused a request to %s with %d: %s.", SLACK_PATH, status, reason)
    return BoltResponse(status=status, body="", headers={"content-type": "text/plain"})
