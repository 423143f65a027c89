"""Installing the app the way a browser and Slack go through it, and Slack's events, over HTTP.

answer = install(slack, "T0ALPHA", bot_token="xoxb-alpha", installer="U0ADMIN")
uninstall = event(slack, "T0ALPHA", {"type": "app_uninstalled"})
"""

import html
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from bot.signed_requests import HttpAnswer, signed_headers
from bot.slack_standin import APP_ID
from tests.harness import SIGNING_SECRET, SlackHarness

INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"


@dataclass(frozen=True)
class Page:
    status: int
    headers: Message
    body: str


def get(url: str, headers: dict[str, str] | None = None) -> Page:
    """A browser's GET that does not follow redirects."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.headers, error.read().decode())


def authorize_link(page: Page) -> str:
    """The "Add to Slack" link of the install page."""
    links = re.findall(r'href="([^"]+)"', page.body)
    return next(html.unescape(link) for link in links if link.startswith(AUTHORIZE_URL))


def state_cookie(page: Page) -> str:
    """`name=value` of the state cookie the install page sets."""
    return page.headers["Set-Cookie"].split(";")[0]


def install(
    slack: SlackHarness, team: str, *, bot_token: str, installer: str, code: str = ""
) -> Page:
    """Open the install page, consent at Slack (the stand-in grants `code`), come back to the
    redirect URL with the code, the state and the cookie: the answer is the redirect's page."""
    page = get(slack.server.url + INSTALL_PATH)
    assert page.status == 200, page
    state = urllib.parse.parse_qs(urllib.parse.urlparse(authorize_link(page)).query)["state"][0]
    code = code or f"code-{team}-{time.time_ns()}"
    slack.api.grant(code, team_id=team, bot_token=bot_token, installer=installer)
    query = urllib.parse.urlencode({"code": code, "state": state})
    return get(f"{slack.server.url}{REDIRECT_PATH}?{query}", {"Cookie": state_cookie(page)})


def event(
    slack: SlackHarness, team: str, payload: dict[str, Any], *, retry: int | None = None
) -> HttpAnswer:
    """An Events API `event_callback` from `team`, signed as Slack sends it; `retry` numbers a
    redelivery (X-Slack-Retry-Num)."""
    body = json.dumps(
        {
            "token": "unused-verification-token",
            "team_id": team,
            "api_app_id": APP_ID,
            "event": {**payload, "event_ts": f"{time.time():.6f}"},
            "type": "event_callback",
            "event_id": f"Ev{abs(hash((team, payload['type']))):010d}",
            "event_time": int(time.time()),
        }
    )
    headers = {**signed_headers(body, SIGNING_SECRET), "Content-Type": "application/json"}
    if retry is not None:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    request = urllib.request.Request(
        slack.sender.events_url, data=body.encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return HttpAnswer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read().decode())
