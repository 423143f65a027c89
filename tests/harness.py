"""The whole bot in-process for tests: type a command, read the reply.

    reply = slack.command("/kpi", "log followers 12.4k", user="U1")

The app is the real Bolt app behind the real WSGI app, reached over HTTP with signed requests;
its Web API calls go to a local stand-in that records them.
"""

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.app import create_app
from bot.config import Settings
from bot.http import SLACK_PATH, ScorecardWSGI
from bot.local_server import LocalHttpServer
from bot.plain_text import message_to_text
from bot.signed_requests import HttpAnswer, SignedRequestSender
from bot.slack_standin import CLIENT_ID, CLIENT_SECRET, SlackStandIn
from handlers.home import finish_republishing
from scorecard.importing import import_scorecard
from storage.db import Database
from templates.limits import problems

SIGNING_SECRET = "test-signing-secret"
WORKSPACE = "T0DEMO"
OAUTH_SETTINGS = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "state_secret": "test-state-secret",
}


@dataclass
class Reply:
    status: int
    message: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """What a person reads: the blocks as plain text."""
        return message_to_text(self.message)

    @property
    def ephemeral(self) -> bool:
        return self.message.get("response_type") == "ephemeral"


class SlackHarness:
    def __init__(self, database: Database, now: datetime, *, oauth: bool = False) -> None:
        """`oauth`: many workspaces, each installed through the OAuth flow (tests/installs.py),
        instead of one SLACK_BOT_TOKEN."""
        self.database = database
        self.now = now
        self.api = SlackStandIn()
        self.api.start()
        settings = Settings(
            bot_token=None if oauth else "xoxb-test",
            signing_secret=SIGNING_SECRET,
            slack_api_url=self.api.api_url,
            **(OAUTH_SETTINGS if oauth else {}),
        )
        self.settings = settings
        self.app = create_app(settings, database, clock=lambda: self.now)
        self.server = LocalHttpServer(ScorecardWSGI(self.app, database)).start()
        self.sender = SignedRequestSender(self.server.url + SLACK_PATH, SIGNING_SECRET)
        self._triggers = itertools.count(1)
        self._events = itertools.count(1)

    def load(self, scorecard_yaml: str) -> None:
        """Import a scorecard file, as `scorecard import` does."""
        import_scorecard(self.database, scorecard_yaml)

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U0LEAD",
        team: str = WORKSPACE,
        channel: str = "C0DEMO",
    ) -> Reply:
        answer = self.sender.slash_command(
            command,
            text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=self.api.response_url(),
        )
        finish_republishing()  # the Home tab redrawn after a change, as a person would see it
        return _reply(answer)

    def interact(self, payload: dict[str, Any]) -> Reply:
        answer = self.sender.interaction(payload)
        finish_republishing()
        return _reply(answer)

    def click(
        self,
        button: dict[str, Any],
        *,
        user: str = "U0LEAD",
        team: str = WORKSPACE,
        channel: str = "C0DEMO",
    ) -> Reply:
        """Press a button of an ephemeral reply, as Slack sends the click (with a response_url)."""
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": "demo"},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": f"trigger.{next(self._triggers)}",
            "container": {
                "type": "message",
                "message_ts": "",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "channel": {"id": channel},
            "response_url": self.api.response_url(),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": button.get("block_id", "b"),
                    "value": button.get("value", ""),
                }
            ],
        }
        return self.interact(payload)

    def _interaction(self, kind: str, user: str, team: str, **fields: Any) -> dict[str, Any]:
        """What every interaction payload of `kind` carries, as Slack sends it."""
        return {
            "type": kind,
            "team": {"id": team, "domain": "demo"},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": f"trigger.{next(self._triggers)}",
            **fields,
        }

    def shortcut(self, callback_id: str, *, user: str = "U0LEAD", team: str = WORKSPACE) -> Reply:
        """A global shortcut used (from the lightning menu or search): no channel."""
        return self.interact(self._interaction("shortcut", user, team, callback_id=callback_id))

    def message_action(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: str = "U0LEAD",
        team: str = WORKSPACE,
        channel: str = "C0DEMO",
    ) -> Reply:
        """A message shortcut used on `message` ({"text", "user", "ts"}) in `channel`."""
        payload = self._interaction(
            "message_action",
            user,
            team,
            callback_id=callback_id,
            channel={"id": channel, "name": "general"},
            message={"type": "message", **message},
            message_ts=message.get("ts", ""),
            response_url=self.api.response_url(),
        )
        return self.interact(payload)

    def block_suggestion(
        self,
        view: dict[str, Any],
        block_id: str,
        action_id: str,
        value: str,
        *,
        user: str = "U0LEAD",
        team: str = WORKSPACE,
    ) -> list[dict[str, Any]]:
        """A select menu in an open modal asks for options for what was typed (`value`): the
        options the app answers with."""
        payload = self._interaction(
            "block_suggestion",
            user,
            team,
            block_id=block_id,
            action_id=action_id,
            value=value,
            view=_shown(view, {}),
            container={"type": "view", "view_id": "V0MODAL"},
        )
        del payload["trigger_id"]  # Slack sends none: options cannot open a modal
        answer = self.sender.interaction(payload)
        assert answer.status == 200, answer
        return answer.json()["options"]

    def view_submission(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        user: str = "U0LEAD",
        team: str = WORKSPACE,
    ) -> HttpAnswer:
        """A modal submitted with `values` ({block_id: {action_id: state}}). The answer is empty
        (the modal closes) or a `response_action`, which is not a message: read it as sent."""
        payload = self._interaction("view_submission", user, team, view=_shown(view, values))
        return self.sender.interaction(payload)

    def last_view(self, method: str = "views.open") -> dict[str, Any]:
        """The view the app last opened (or updated), checked against Block Kit and Slack's
        limits."""
        calls = self.api.calls(method)
        view = calls[-1].params["view"]
        assert problems(view) == [], problems(view)
        # Each opened view has an id of its own, as on Slack: submitting the same one twice is
        # a replay, which the app answers once.
        return {**view, "id": view.get("id") or f"V0MODAL{len(calls)}"}

    def event(self, event: dict[str, Any], *, team: str = WORKSPACE) -> int:
        """An Events API `event_callback` (`event` is its inner event), signed as Slack sends it;
        the HTTP status of the app's answer."""
        status = self.sender.event(
            event,
            team_id=team,
            at=self.now.timestamp(),
            event_id=f"Ev{next(self._events):010d}",
        ).status
        finish_republishing()
        return status

    def open_home(self, user: str = "U0LEAD", *, team: str = WORKSPACE) -> int:
        """The person opens the app's Home tab (Slack's `app_home_opened`)."""
        return self.event(
            {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
            team=team,
        )

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def close(self) -> None:
        finish_republishing()
        self.server.stop()
        self.api.stop()


def _shown(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A view as Slack sends it back in an interaction, with what was entered in it."""
    return {
        **view,
        "id": view.get("id") or "V0MODAL",
        "team_id": WORKSPACE,
        "hash": "1.hash",
        "state": {"values": values},
    }


def _reply(answer: HttpAnswer) -> Reply:
    """Every message the app answers with must be one Slack would accept."""
    message = answer.json() if answer.status == 200 and answer.body else {}
    if message and "response_action" not in message:  # a modal's answer is not a message
        assert problems(message) == [], (problems(message), message)
    return Reply(answer.status, message)
