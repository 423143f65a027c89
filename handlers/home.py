"""The Home tab: the live scorecard for whoever opens it (`app_home_opened` -> `views.publish`).

Published when the person opens the tab, and again after they change something (a reading, an
action: `HomeRefresh` is a follow-up of those results, sent in the background so the change is
answered at once). Admins get a channel select for the scorecard's updates channel.
https://api.slack.com/surfaces/app-home
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.commands import Message
from handlers.replies import settle
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_click, click_summary, is_workspace_admin, tell
from scorecard.caller import Caller
from scorecard.home import home_for
from scorecard.home_views import may_be_looking_at_home, note_home_opened
from scorecard.team_updates import set_updates_channel
from templates import render

logger = logging.getLogger(__name__)

HOME_TAB = "home"  # app_home_opened also fires for the Messages and About tabs
SET_UPDATES_CHANNEL = "set_updates_channel"
# What fits in Slack's 100 blocks of a view, whatever the scorecard's size: the rest is counted
# and `/kpi list` shows it.
OBJECTIVES_SHOWN = 40  # across all perspectives
PERSPECTIVES_SHOWN = 8
YOURS_SHOWN = 5  # of your KPIs, and of your actions
# Redrawing a Home tab after a change is done off the request, so the change is answered at once,
# by this many threads. The threads are daemons: stopping the app never waits on a redraw (the
# next time the person opens the tab, it is drawn anew).
REDRAWS_AT_ONCE = 2


def home_view(caller: Caller) -> Message:
    home = home_for(caller)
    perspectives = min(len(home.perspectives), PERSPECTIVES_SHOWN) or 1
    return render(
        "home",
        home=home,
        perspectives_shown=PERSPECTIVES_SHOWN,
        objectives_per_perspective=max(1, OBJECTIVES_SHOWN // perspectives),
        yours_shown=YOURS_SHOWN,
        today=home.today,
    )


def publish_home(client: WebClient, caller: Caller) -> None:
    """Build and publish `caller.user`'s Home tab; a bug publishes the apology instead, and Slack
    refusing is logged (there is nobody waiting for an answer)."""
    caller = caller.as_admin(caller.is_workspace_admin or is_workspace_admin(client, caller.user))
    about = {"team_id": caller.workspace, "user_id": caller.user, "via": "home tab"}
    outcome = settle(lambda: home_view(caller), about)
    view = outcome.message if outcome.succeeded else home_of(outcome.message)
    try:
        client.views_publish(user_id=caller.user, view=view)
    except SlackApiError as error:
        response = error.response
        logger.warning(
            "views.publish refused (%s %s): %s",
            response.get("error"),
            (response.get("response_metadata") or {}).get("messages"),
            about,
        )


def home_of(message: Message) -> Message:
    """A message (an apology, a person's mistake) shown as a Home tab."""
    return {"type": "home", "blocks": message.get("blocks") or []}


@dataclass(frozen=True)
class HomeRefresh:
    """A follow-up of a change: the person's Home tab, redrawn in the background."""

    caller: Caller

    def send(self, client: WebClient) -> None:
        _redraws.ask(client, self.caller)


class HomeRedraws:
    """Home tabs waiting to be redrawn, at most one per person, drawn by a few daemon threads.

    A burst of changes by one person (ten `/kpi log`s in a row) asks for one redraw, or two when
    a change comes in while their tab is being drawn: each redraw reads the scorecard as it is
    when it starts, and one person's tab is drawn by one thread at a time, so an older drawing
    never lands after a newer one. A person who has not opened the tab lately is skipped
    (scorecard/home_views.py): Slack draws it anew when they next open it.
    """

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._started: list[threading.Thread] = []
        # (workspace, user) -> the latest client and caller asking; dicts keep the order asked.
        self._waiting: dict[tuple[str, str], tuple[WebClient, Caller]] = {}
        self._drawing: set[tuple[str, str]] = set()
        self._changed = threading.Condition()

    def ask(self, client: WebClient, caller: Caller) -> None:
        with self._changed:
            self._waiting[(caller.workspace, caller.user)] = (client, caller)
            self._start_threads()
            self._changed.notify_all()

    def wait_until_done(self, timeout: float) -> None:
        """Until nothing waits or is being drawn, or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._waiting or self._drawing:
                left = deadline - time.monotonic()
                if left <= 0 or not self._changed.wait(left):
                    return

    def _start_threads(self) -> None:
        while len(self._started) < self._threads:
            thread = threading.Thread(target=self._draw_forever, name="home-tab", daemon=True)
            self._started.append(thread)
            thread.start()

    def _draw_forever(self) -> None:
        while True:
            with self._changed:
                while (key := self._next_person()) is None:
                    self._changed.wait()
                client, caller = self._waiting.pop(key)
                self._drawing.add(key)
            try:
                if may_be_looking_at_home(caller):
                    publish_home(client, caller)
            except Exception:  # nobody waits for a redraw: log it, never lose the thread
                logger.exception("Redrawing the Home tab of %s failed", caller.user)
            finally:
                with self._changed:
                    self._drawing.discard(key)
                    self._changed.notify_all()

    def _next_person(self) -> tuple[str, str] | None:
        """The longest-waiting person whose tab no other thread is drawing now."""
        return next((key for key in self._waiting if key not in self._drawing), None)


_redraws = HomeRedraws(REDRAWS_AT_ONCE)


def finish_republishing(timeout: float = 10.0) -> None:
    """Wait for Home tabs being redrawn, for a clean stop (the tests' harness, the console)."""
    _redraws.wait_until_done(timeout)


def on_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab") != HOME_TAB or not event.get("user"):
        return
    caller = services_of(context).caller(workspace=context.team_id or "", user=event["user"])
    note_home_opened(caller)
    publish_home(client, caller)


def on_set_updates_channel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))
    caller = caller.as_admin(is_workspace_admin(client, caller.user))
    channel = action.get("selected_conversation") or action.get("selected_channel")

    def record() -> Message:
        set_updates_channel(caller, channel)
        return {}

    outcome = settle(record, click_summary(body))
    if not outcome.succeeded:
        tell(client, caller, outcome.message)
    publish_home(client, caller)


def note_clicks_on_home(
    body: dict[str, Any], context: BoltContext, next: Callable[[], None]
) -> None:
    """A button or menu used on the Home tab: its person is looking at it. A form it opens
    closes back onto the tab, and Slack sends no `app_home_opened` then, so this too keeps the
    tab redrawn after the change the form makes."""
    if body.get("type") == "block_actions" and (body.get("view") or {}).get("type") == HOME_TAB:
        note_home_opened(caller_of_click(body, services_of(context)))
    next()


def register(app: App) -> None:
    app.middleware(note_clicks_on_home)
    app.event("app_home_opened")(on_app_home_opened)
    app.action(SET_UPDATES_CHANNEL)(on_set_updates_channel)
