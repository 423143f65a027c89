"""Slash-command bodies signed the way Slack signs them (v0 HMAC-SHA256), for any sender."""

import hashlib
import hmac
import time
import urllib.parse

SIGNING_SECRET = "bench-signing-secret"
WORKSPACE = "T0BENCH"


def slash_command_body(command: str, text: str, user: str, team: str = WORKSPACE) -> str:
    form = {
        "token": "unused-verification-token",
        "team_id": team,
        "team_domain": "bench",
        "channel_id": "C0BENCH",
        "channel_name": "scorecard",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0SCORECARD",
        "response_url": "",
        "trigger_id": f"trigger.{time.time_ns()}",
    }
    return urllib.parse.urlencode(form)


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
    }


def command_text(kind: str, number: int, kpis: int, actions: int) -> tuple[str, str]:
    """The slash command and text for one of the benchmarked commands, on item `number`."""
    if kind == "kpi log":
        return "/kpi", f"log kpi_{number % kpis} {100 + number % 50}"
    if kind == "kpi show":
        return "/kpi", f"show kpi_{number % kpis}"
    if kind == "why":
        return "/why", f"action_{number % max(actions, 1)}"
    raise ValueError(f"unknown command kind {kind!r}")
