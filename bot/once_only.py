"""Each request from Slack changes things at most once: replays, double submissions and retries.

Slack gives every invocation an id of its own: a slash command's `trigger_id`, a click's
`trigger_id`, a modal's view id (the same for each submission of that modal), an event's
`event_id` (kept when Slack retries it with `X-Slack-Retry-Num`). Before a listener runs, the
request's id is claimed in the database; a request whose id is already claimed (a signed request
replayed within Slack's five minutes, a modal submitted twice, a retried event) runs nothing:
a command is told so in a line, anything else is acknowledged silently.

A claim is released when the request ended with nothing done, so that a corrected retry of the
same id works: a modal answered with field errors (the person fixes them and submits the same
view again), or a failure (a non-200 answer, an exception). A command that ended in a person's
error keeps its claim: its correction is typed anew and carries a new trigger_id.

When nothing can be written (the database is busy, replaced or read-only) the request is not run
at all: a command gets the honest "nothing was stored" reply, anything else HTTP 503, which Slack
shows as a failure (and retries, for events).
"""

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from scorecard.errors import CannotSaveNow
from storage.db import Database
from storage.request_claims import claim_request, release_request
from storage.types import utc_now
from templates import render

logger = logging.getLogger(__name__)

ALREADY_HANDLED = (
    "That command reached me twice; I did it the first time, so nothing more was done."
)

KEY_LENGTH = 255  # storage.models.RequestClaim.key
# Events whose listener is safe to run again and must, when Slack retries them: a workflow step
# stores its reading once by itself and completes the step again, in case the first completion
# was what got lost (handlers/workflow_steps.py).
RUN_AGAIN_ON_RETRY = frozenset({"function_executed"})

Dispatch = Callable[[BoltRequest], BoltResponse]


def request_key(body: dict[str, Any]) -> str | None:
    """The id that makes this request unique, with its kind; None for requests that change
    nothing (URL verification, option lists) or that carry no id.

    Slack's ids are unique on their own; the callback or action id beside them only keeps apart
    hand-made requests that reuse one id (as tests and scripts do).
    """
    kind = body.get("type")
    if body.get("command"):
        return _key("command", body.get("trigger_id"), body.get("command"))
    if kind == "view_submission":
        view = body.get("view") or {}
        return _key("view", view.get("id"), view.get("callback_id"))
    if kind == "block_actions":
        action = (body.get("actions") or [{}])[0]
        return _key("click", body.get("trigger_id"), action.get("action_id"), action.get("value"))
    if kind in ("shortcut", "message_action"):
        return _key("shortcut", body.get("trigger_id"), body.get("callback_id"))
    if kind == "event_callback":
        if (body.get("event") or {}).get("type") in RUN_AGAIN_ON_RETRY:
            return None
        return _key("event", body.get("event_id"))
    return None


def workspace_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    return (
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (body.get("user") or {}).get("team_id")
        or ""
    )


class OnceOnly:
    """Around the Bolt app's dispatch: claim the request's id, run it, release it if nothing was
    done."""

    def __init__(self, database: Database, signing_secret: str | None) -> None:
        self.database = database
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def dispatch(self, request: BoltRequest, dispatch: Dispatch) -> BoltResponse:
        key = None if request.lazy_only else request_key(request.body)
        if key is None or not self._is_signed(request):
            return dispatch(request)  # Bolt refuses the unsigned itself
        try:
            claimed = claim_request(self.database, key, workspace_of(request.body), utc_now())
        except CannotSaveNow as error:
            logger.warning("Not run, nothing can be stored now (%s): %s", error.detail, key)
            return _refusal(request.body, error.message)
        if not claimed:
            logger.info("Already handled, not run again: %s", key)
            return _duplicate(request.body)
        try:
            response = dispatch(request)
        except BaseException:
            self._release(key)
            raise
        if response.status != 200 or _has_field_errors(response):
            self._release(key)
        return response

    def _is_signed(self, request: BoltRequest) -> bool:
        if request.mode == "socket_mode" or self.verifier is None:
            return True  # Slack authenticated the socket itself
        timestamp = request.headers.get("x-slack-request-timestamp", ["0"])[0]
        signature = request.headers.get("x-slack-signature", [""])[0]
        return self.verifier.is_valid(request.raw_body, timestamp, signature)

    def _release(self, key: str) -> None:
        try:
            release_request(self.database, key)
        except CannotSaveNow as error:
            logger.warning(
                "Could not release the claim %s (%s): a retry will be refused", key, error.detail
            )


def _duplicate(body: dict[str, Any]) -> BoltResponse:
    if body.get("command"):
        return _message(ALREADY_HANDLED)
    return BoltResponse(status=200, body="")


def _refusal(body: dict[str, Any], message: str) -> BoltResponse:
    if body.get("command"):
        return _message(message)
    return BoltResponse(status=503, body="")


def _message(text: str) -> BoltResponse:
    message = {"response_type": "ephemeral", **render("error", message=text)}
    return BoltResponse(
        status=200, body=json.dumps(message), headers={"content-type": "application/json"}
    )


def _has_field_errors(response: BoltResponse) -> bool:
    """A modal answered with `response_action: errors`: the person is fixing their entries."""
    if not isinstance(response.body, str) or "response_action" not in response.body:
        return False
    try:
        answer = json.loads(response.body)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("response_action") == "errors"


def _key(kind: str, id_: object, *beside: object) -> str | None:
    """ "kind:id:beside…" cut to the column's 255 characters; None without an id."""
    if not isinstance(id_, str) or not id_:
        return None
    parts = [kind, id_, *(str(part) for part in beside if part)]
    return ":".join(parts)[:KEY_LENGTH]
