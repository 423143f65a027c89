"""Sending requests to our own HTTP endpoint exactly as Slack does: form-encoded and signed.

`scorecard console` and the tests use this to drive the real app through the same path as
production: HTTP, signature check, Bolt, listeners.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


def slash_command_form(
    command: str,
    text: str,
    *,
    team_id: str,
    user_id: str,
    channel_id: str = "C0DEMO",
    response_url: str = "",
    trigger_id: str = "",
) -> str:
    """A slash command's body, form-encoded with the fields Slack sends."""
    form = {
        "token": "unused-verification-token",
        "team_id": team_id,
        "team_domain": "demo",
        "channel_id": channel_id,
        "channel_name": "scorecard",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0SCORECARD",
        "response_url": response_url,
        "trigger_id": trigger_id or f"trigger.{time.time_ns()}",
    }
    return urllib.parse.urlencode(form)


def signed_headers(
    body: str, signing_secret: str, *, timestamp: int | None = None, signature: str | None = None
) -> dict[str, str]:
    """The headers Slack sends with `body`, signed (v0) with `signing_secret` at `timestamp`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    if signature is None:
        verifier = SignatureVerifier(signing_secret)
        signature = verifier.generate_signature(timestamp=str(timestamp), body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


class SignedRequestSender:
    def __init__(self, events_url: str, signing_secret: str, timeout: float = 10.0) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.timeout = timeout

    def slash_command(
        self,
        command: str,
        text: str,
        *,
        team_id: str,
        user_id: str,
        channel_id: str = "C0DEMO",
        response_url: str = "",
        trigger_id: str = "",
    ) -> HttpAnswer:
        form = slash_command_form(
            command,
            text,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            response_url=response_url,
            trigger_id=trigger_id,
        )
        return self.post(form)

    def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str,
        at: float | None = None,
        event_id: str | None = None,
    ) -> HttpAnswer:
        """An Events API `event_callback` around `event` (the inner event), happening `at` (a
        Unix time; now by default), with `event_id` (by default one of its own)."""
        at = time.time() if at is None else at
        body = {
            "token": "unused-verification-token",
            "team_id": team_id,
            "api_app_id": "A0SCORECARD",
            "event": {**event, "event_ts": f"{at:.6f}"},
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.time_ns()}",
            "event_time": int(at),
        }
        return self.post(json.dumps(body))

    def interaction(self, payload: dict[str, Any]) -> HttpAnswer:
        """A button click or a modal submission: Slack sends JSON in a `payload` form field."""
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}))

    def post(
        self, body: str, *, timestamp: int | None = None, signature: str | None = None
    ) -> HttpAnswer:
        headers = signed_headers(
            body, self.signing_secret, timestamp=timestamp, signature=signature
        )
        request = urllib.request.Request(
            self.events_url, data=body.encode(), method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return HttpAnswer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read().decode())
