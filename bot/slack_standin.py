"""A local stand-in for Slack's Web API that records every call, for the tests and the console.

Like the mock server slack-bolt's own tests use: a real `WebClient` pointed at `api_url` talks
HTTP to it, so requests go through the SDK's encoding, retries and error handling exactly as they
would against slack.com. Answers are shaped like Slack's, and failures can be injected per method.
"""

import base64
import contextlib
import itertools
import json
import logging
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from bot.local_server import LOOPBACK, BackgroundServer, BurstReadyThreading

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RESPONSE_PREFIX = "/response/"
# Where files.getUploadURLExternal sends a file's bytes (files.slack.com/upload/v1/… on Slack).
UPLOAD_PREFIX = "/upload/"
# The pseudo-method under which posts to a response_url are recorded.
RESPONSE_URL = "response_url"
# The pseudo-method under which a file's bytes posted to an upload URL are recorded.
FILE_UPLOAD = "file_upload"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
TEAM_ID = "T0DEMO"
BOT_USER_ID = "U0SCORECARD"
BOT_ID = "B0SCORECARD"
# Message timestamps count up from here, so they sort and look like Slack's.
FIRST_TS_SECONDS = 1732442400
# Form fields the SDK sends as JSON text; decoded so tests can assert on them as data.
JSON_FIELDS = (
    "blocks",
    "attachments",
    "view",
    "metadata",
    "user_auth_blocks",
    "unfurls",
    "files",
    "outputs",
)
# Socket Mode's one method: it takes the app-level token (xapp-...), every other method a bot token.
CONNECTIONS_OPEN = "apps.connections.open"
APP_TOKEN_PREFIX = "xapp-"
# The OAuth code exchange: authenticated with the app's client id and secret, not a token.
OAUTH_ACCESS = "oauth.v2.access"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "standin-client-secret"
APP_ID = "A0SCORECARD"
# Ending a workflow step's execution: each takes that execution's own token (its event's
# `bot_access_token`, "xwfp-…") and works once.
COMPLETE_SUCCESS, COMPLETE_ERROR = "functions.completeSuccess", "functions.completeError"
WORKFLOW_TOKEN_PREFIX = "xwfp-"
# Slack refuses a view (a modal, a Home tab) with more blocks than this.
MAX_VIEW_BLOCKS = 100

Params = dict[str, Any]
# The parameter under which the raw bytes of an upload reach `SlackStandIn.handle`.
UPLOADED_BYTES = "bytes"
Answer = dict[str, Any]
# The HTTP "status" with which `handle` asks the server to close the connection without answering.
DROP_CONNECTION = 0


@dataclass(frozen=True)
class RecordedCall:
    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    params: Params
    token: str | None
    at: float  # time.time() when it arrived


@dataclass(frozen=True)
class SharedFile:
    """A file an app uploaded and shared with files.completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    alt_text: str
    content: bytes
    channel_id: str
    initial_comment: str
    thread_ts: str | None


@dataclass(frozen=True)
class Grant:
    """What one OAuth code installs: the app in `team_id`, by `installer`, with `bot_token`."""

    code: str
    team_id: str
    bot_token: str
    installer: str
    team_name: str
    bot_user_id: str = BOT_USER_ID
    scope: str = "commands,chat:write"


@dataclass
class FunctionExecution:
    """A workflow step Slack is running: `token` may end it, once."""

    execution_id: str
    token: str
    outcome: str | None = None  # COMPLETE_SUCCESS or COMPLETE_ERROR once it has ended


@dataclass(frozen=True)
class LostAnswer:
    """How one call's answer goes missing: `status` (a 5xx) or, when None, a dropped connection;
    `kept` when Slack did what was asked anyway (the message is in the channel)."""

    status: int | None
    kept: bool


@dataclass(frozen=True)
class StandInUser:
    user_id: str
    tz: str = DEFAULT_TIMEZONE
    away: bool = False
    status_text: str = ""
    deleted: bool = False
    is_admin: bool = False  # a workspace admin (users.info's is_admin)


class SlackStandIn:
    """Answers Web API calls on loopback and remembers them. Start it, then use `api_url`."""

    def __init__(self, team_id: str = TEAM_ID, delay: float = 0.0) -> None:
        """`delay`: seconds each Web API call waits before it is answered (Slack's own latency)."""
        self.team_id = team_id
        self.delay = delay
        self.on_call: Callable[[RecordedCall], None] | None = None
        self._calls: list[RecordedCall] = []
        self._arrived = threading.Condition()
        self._failures: dict[str, deque[str]] = defaultdict(deque)
        self._rate_limits: dict[str, deque[int]] = defaultdict(deque)
        self._lost_answers: dict[str, deque[LostAnswer]] = defaultdict(deque)
        self._users: dict[str, StandInUser] = {}
        self._history: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._response_counter = itertools.count(1)
        self._file_counter = itertools.count(1)
        self._pending_files: dict[str, dict[str, Any]] = {}  # file id -> filename, length, bytes
        self._shared_files: list[SharedFile] = []
        # Channel canvases: canvas id -> the Markdown documents written to it, in order.
        self._canvases: dict[str, list[str]] = {}
        self._channel_canvases: dict[str, str] = {}  # channel -> its canvas id
        # Where apps.connections.open sends Socket Mode clients; a test sets it to its server.
        self.socket_mode_url: str | None = None
        # The app's credentials that oauth.v2.access accepts (HTTP Basic, as the SDK sends them).
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self._grants: dict[str, Grant] = {}  # by code, until it is exchanged
        self._installed: dict[str, Grant] = {}  # by bot token
        self._revoked: set[str] = set()
        self._executions: dict[str, FunctionExecution] = {}  # workflow steps, by execution id
        self._server = BackgroundServer(
            _StandInServer((LOOPBACK, 0), _handler_for(self)), "slack-standin"
        )
        self._answer_for = self._answers()

    # Lifecycle and addresses

    def start(self) -> "SlackStandIn":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "SlackStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.port}"

    @property
    def api_url(self) -> str:
        """For `WebClient(base_url=...)`: ends in a slash, as the SDK expects."""
        return self.base_url + API_PREFIX

    def response_url(self) -> str:
        """A fresh response_url; what is posted to it is recorded as method "response_url"."""
        return f"{self.base_url}{RESPONSE_PREFIX}{next(self._response_counter)}"

    # Configuration and failure injection

    def add_user(
        self,
        user_id: str,
        tz: str = DEFAULT_TIMEZONE,
        away: bool = False,
        status_text: str = "",
        deleted: bool = False,
        is_admin: bool = False,
    ) -> None:
        with self._arrived:
            self._users[user_id] = StandInUser(user_id, tz, away, status_text, deleted, is_admin)

    def grant(
        self,
        code: str,
        *,
        team_id: str,
        bot_token: str,
        installer: str,
        team_name: str = "",
        scope: str = "commands,chat:write",
    ) -> Grant:
        """Slack's side of an install: `oauth.v2.access` with `code` (once) answers with this
        workspace's bot token, and `auth.test` with that token answers for this workspace."""
        grant = Grant(
            code, team_id, bot_token, installer, team_name or f"Team {team_id}", scope=scope
        )
        with self._arrived:
            self._grants[code] = grant
        return grant

    def revoke(self, token: str) -> None:
        """Calls with `token` answer `token_revoked`, as after an uninstall."""
        with self._arrived:
            self._revoked.add(token)

    def run_function(self, execution_id: str, token: str) -> None:
        """Slack starts a workflow step: `functions.completeSuccess` or `completeError` for
        `execution_id`, with `token`, ends it (`function_execution_not_found` otherwise), and
        only once (then `execution_not_in_running_state`)."""
        with self._arrived:
            self._executions[execution_id] = FunctionExecution(execution_id, token)

    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        with self._arrived:
            self._failures[method].extend([error] * times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with a Retry-After header."""
        with self._arrived:
            self._rate_limits[method].extend([retry_after] * times)

    def lose_answer_next(
        self, method: str, *, status: int | None = 500, kept: bool = True, times: int = 1
    ) -> None:
        """The next `times` calls of `method` get no proper answer: HTTP `status` (a 5xx), or
        with `status=None` the connection is dropped before any answer. With `kept` the call
        still happens (a posted message is in the channel's history), as when Slack's answer
        is lost on the way back; without it, as when the request never got through."""
        with self._arrived:
            self._lost_answers[method].extend([LostAnswer(status, kept)] * times)

    # Reading what was recorded

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Every call so far, oldest first, including ones answered with an error or a 429."""
        with self._arrived:
            return [call for call in self._calls if method is None or call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until `count` calls of `method` have arrived (for work done in the background)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [call for call in self._calls if call.method == method]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._arrived.wait(remaining)
            if len(found) >= count:
                return found
            arrived = [call.method for call in self._calls]
        raise AssertionError(
            f"Expected {count} call(s) of {method} within {timeout}s, got {len(found)}. "
            f"Calls that did arrive: {arrived or 'none'}"
        )

    def history(self, channel: str) -> list[dict[str, Any]]:
        """Top-level messages Slack accepted in a channel, oldest first (failed posts left out)."""
        with self._arrived:
            return list(self._history.get(channel, []))

    def shared_files(self, channel: str | None = None) -> list[SharedFile]:
        """Files shared so far (in `channel`, if given), oldest first."""
        with self._arrived:
            return [f for f in self._shared_files if channel is None or f.channel_id == channel]

    def wait_for_shared_files(self, count: int = 1, timeout: float = 5.0) -> list[SharedFile]:
        """Block until `count` files have been shared (uploads finish in the background)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._shared_files) >= count, timeout):
                raise AssertionError(
                    f"Expected {count} shared file(s) within {timeout}s, "
                    f"got {len(self._shared_files)}"
                )
            return list(self._shared_files)

    def canvas(self, channel: str) -> list[str]:
        """The Markdown written to a channel's canvas (created, then each edit), oldest first."""
        with self._arrived:
            canvas_id = self._channel_canvases.get(channel)
            return list(self._canvases.get(canvas_id, [])) if canvas_id else []

    def clear(self) -> None:
        with self._arrived:
            self._calls.clear()
            self._failures.clear()
            self._rate_limits.clear()
            self._lost_answers.clear()

    # Answering

    def handle(
        self,
        path: str,
        params: Params,
        token: str | None,
        credentials: tuple[str, str] | None = None,
    ) -> tuple[int, Answer, int]:
        """Record one request and work out (HTTP status, JSON answer, Retry-After seconds).

        `credentials` are (client id, client secret) from an HTTP Basic Authorization header.
        """
        if path.startswith(RESPONSE_PREFIX):
            self._record(RecordedCall(RESPONSE_URL, params, None, time.time()))
            return 200, {"ok": True}, 0
        if path.startswith(UPLOAD_PREFIX):
            return self._receive_upload(path.removeprefix(UPLOAD_PREFIX), params)
        if not path.startswith(API_PREFIX):
            return 404, {"ok": False, "error": "not_found"}, 0
        method = path.removeprefix(API_PREFIX).strip("/")
        if self.delay:
            time.sleep(self.delay)
        self._record(RecordedCall(method, params, token, time.time()))
        with self._arrived:
            retry_after = _pop(self._rate_limits, method)
            failure = _pop(self._failures, method)
            lost = _pop(self._lost_answers, method)
        if retry_after is not None:
            return 429, {"ok": False, "error": "ratelimited"}, retry_after
        if method == OAUTH_ACCESS:
            return 200, self._oauth_access(params, credentials), 0
        if token in self._revoked:
            return 200, {"ok": False, "error": "token_revoked"}, 0
        expected_token = (
            (APP_TOKEN_PREFIX,) if method == CONNECTIONS_OPEN else ("xox", WORKFLOW_TOKEN_PREFIX)
        )
        if not token or not token.startswith(expected_token):
            return 200, {"ok": False, "error": "not_authed"}, 0
        if failure is not None:
            return 200, {"ok": False, "error": failure}, 0
        if method in (COMPLETE_SUCCESS, COMPLETE_ERROR):
            return 200, self._complete_function(method, params, token), 0
        installed = self._installed.get(token)
        if method == "auth.test" and installed is not None:
            return 200, self._installed_auth_test(installed), 0
        answer = self._answer_for.get(method)
        if answer is None:
            return 200, {"ok": False, "error": "unknown_method"}, 0
        if lost is not None:
            if lost.kept:
                answer(params)
            if lost.status is None:
                return DROP_CONNECTION, {}, 0
            return lost.status, {"ok": False, "error": "internal_error"}, 0
        return 200, answer(params), 0

    def _record(self, call: RecordedCall) -> None:
        with self._arrived:
            self._calls.append(call)
            self._arrived.notify_all()
        if self.on_call is not None:
            try:
                self.on_call(call)
            except Exception:  # a broken hook must not turn into a failed Slack call
                logger.exception("on_call hook failed for %s", call.method)

    def _answers(self) -> dict[str, Callable[[Params], Answer]]:
        return {
            "api.test": lambda params: {"ok": True, "args": params},
            CONNECTIONS_OPEN: self._open_connection,
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update_message,
            "chat.delete": self._delete_message,
            "conversations.open": self._open_conversation,
            "conversations.info": self._conversation_info,
            "conversations.history": self._conversation_history,
            "conversations.canvases.create": self._create_channel_canvas,
            "canvases.edit": self._edit_canvas,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "views.open": self._view,
            "views.update": self._view,
            "views.push": self._view,
            "views.publish": self._publish_view,
            "users.info": self._user_info,
            "users.getPresence": self._presence,
        }

    def _auth_test(self, params: Params) -> Answer:
        return {
            "ok": True,
            "url": "https://scorecard-demo.slack.com/",
            "team": "Scorecard demo",
            "user": "scorecard",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _installed_auth_test(self, grant: Grant) -> Answer:
        return {
            "ok": True,
            "url": f"https://{grant.team_id.lower()}.slack.com/",
            "team": grant.team_name,
            "user": "scorecard",
            "team_id": grant.team_id,
            "user_id": grant.bot_user_id,
            "bot_id": "B" + grant.team_id[1:],
            "is_enterprise_install": False,
        }

    def _oauth_access(self, params: Params, credentials: tuple[str, str] | None) -> Answer:
        """Exchange a code for a workspace's bot token, shaped like Slack's oauth.v2.access."""
        client_id, client_secret = credentials or (
            str(params.get("client_id", "")),
            str(params.get("client_secret", "")),
        )
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        with self._arrived:
            grant = self._grants.pop(str(params.get("code", "")), None)
            if grant is not None:
                self._installed[grant.bot_token] = grant
                self._revoked.discard(grant.bot_token)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer},
            "scope": grant.scope,
            "token_type": "bot",
            "access_token": grant.bot_token,
            "bot_user_id": grant.bot_user_id,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _open_connection(self, params: Params) -> Answer:
        if self.socket_mode_url is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode_url}

    def _post_message(self, params: Params) -> Answer:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        channel = _direct_channel(str(params["channel"]))
        ts = self._next_ts()
        message = self._message(params, ts)
        if not params.get("thread_ts"):
            with self._arrived:
                self._history[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, params: Params) -> Answer:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _update_message(self, params: Params) -> Answer:
        if not params.get("channel") or not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(params["ts"])
        return {
            "ok": True,
            "channel": params["channel"],
            "ts": ts,
            "text": params.get("text", ""),
            "message": self._message(params, ts),
        }

    def _delete_message(self, params: Params) -> Answer:
        if not params.get("channel") or not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": params["channel"], "ts": params["ts"]}

    def _open_conversation(self, params: Params) -> Answer:
        users = [user for user in str(params.get("users", "")).split(",") if user]
        if not users and params.get("channel"):
            return {"ok": True, "channel": {"id": params["channel"]}}
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": _direct_channel(users[0])}}
        return {"ok": True, "channel": {"id": "G" + "".join(u[1:4] for u in users)}}

    def _conversation_info(self, params: Params) -> Answer:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        info: dict[str, Any] = {
            "id": channel,
            "name": channel.lower(),
            "is_channel": channel.startswith("C"),
            "is_im": channel.startswith("D"),
            "is_mpim": channel.startswith("G"),
            "is_private": not channel.startswith("C"),
            "is_member": True,
            "is_archived": False,
        }
        if channel.startswith("D"):
            info["user"] = "U" + channel[1:]
        with self._arrived:
            canvas_id = self._channel_canvases.get(channel)
        if canvas_id:
            info["properties"] = {"canvas": {"file_id": canvas_id, "is_empty": False}}
        return {"ok": True, "channel": info}

    def _create_channel_canvas(self, params: Params) -> Answer:
        """A channel's one canvas; Slack refuses a second. Free workspaces, missing scopes and
        the like are Slack's errors injected with `fail_next` (not_allowed, free_team_not_allowed,
        missing_scope, …)."""
        channel = str(params.get("channel_id", ""))
        markdown = _markdown_of(params.get("document_content"))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._arrived:
            if channel in self._channel_canvases:
                return {"ok": False, "error": "channel_canvas_already_exists"}
            canvas_id = f"F0CANVAS{len(self._canvases) + 1:04d}"
            self._canvases[canvas_id] = [markdown] if markdown else []
            self._channel_canvases[channel] = canvas_id
        return {"ok": True, "canvas_id": canvas_id}

    def _edit_canvas(self, params: Params) -> Answer:
        canvas_id = str(params.get("canvas_id", ""))
        changes = params.get("changes")
        if not isinstance(changes, list) or not changes:
            return {"ok": False, "error": "invalid_arguments"}
        with self._arrived:
            if canvas_id not in self._canvases:
                return {"ok": False, "error": "canvas_not_found"}
            for change in changes:
                markdown = _markdown_of(change.get("document_content"))
                if markdown:
                    self._canvases[canvas_id].append(markdown)
        return {"ok": True}

    def _conversation_history(self, params: Params) -> Answer:
        """The channel's top-level messages posted through the stand-in, newest first.

        `oldest` and `latest` are not applied: the stand-in's ts values do not follow a test's
        clock. Messages keep their metadata, as Slack returns it with `include_all_metadata`.
        """
        messages = self.history(str(params.get("channel", "")))
        return {"ok": True, "messages": messages[::-1], "has_more": False}

    def _upload_url(self, params: Params) -> Answer:
        """Step 1 of an upload: a URL on the stand-in for the bytes, and the file's ID."""
        filename, length = params.get("filename"), str(params.get("length", ""))
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_counter):08d}"
        with self._arrived:
            self._pending_files[file_id] = {
                "filename": filename,
                "length": int(length),
                "alt_text": str(params.get("alt_txt") or ""),
            }
        return {
            "ok": True,
            "upload_url": self.base_url + UPLOAD_PREFIX + file_id,
            "file_id": file_id,
        }

    def _receive_upload(self, file_id: str, params: Params) -> tuple[int, Answer, int]:
        """Step 2: the bytes, POSTed to the upload URL (answered in plain text on Slack)."""
        content = params.get(UPLOADED_BYTES, b"")
        self._record(
            RecordedCall(FILE_UPLOAD, {"file_id": file_id, "size": len(content)}, None, time.time())
        )
        with self._arrived:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return 404, {"ok": False, "error": "file_not_found"}, 0
            pending["content"] = content
        return 200, {"ok": True}, 0

    def _complete_upload(self, params: Params) -> Answer:
        """Step 3: share the uploaded files in `channel_id`, with an optional comment."""
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = str(params.get("channel_id") or "")
        with self._arrived:
            pending = [self._pending_files.get(str(entry.get("id"))) for entry in files]
            if any(p is None or "content" not in p for p in pending):
                return {"ok": False, "error": "file_not_found"}
            shared = [
                SharedFile(
                    file_id=str(entry["id"]),
                    filename=p["filename"],
                    title=str(entry.get("title") or p["filename"]),
                    alt_text=p["alt_text"],
                    content=p["content"],
                    channel_id=_direct_channel(channel) if channel else "",
                    initial_comment=str(params.get("initial_comment") or ""),
                    thread_ts=params.get("thread_ts") or None,
                )
                for entry, p in zip(files, pending, strict=True)
            ]
            for entry in files:
                del self._pending_files[str(entry["id"])]
            if channel:  # without a channel Slack keeps the file private to the app
                self._shared_files.extend(shared)
                self._arrived.notify_all()
        return {
            "ok": True,
            "files": [
                {
                    "id": f.file_id,
                    "name": f.filename,
                    "title": f.title,
                    "size": len(f.content),
                    "channels": [f.channel_id] if f.channel_id else [],
                }
                for f in shared
            ],
        }

    def _complete_function(self, method: str, params: Params, token: str) -> Answer:
        """End a workflow step's execution, as functions.completeSuccess / completeError do."""
        given = "outputs" if method == COMPLETE_SUCCESS else "error"
        if not params.get("function_execution_id") or given not in params:
            return {"ok": False, "error": "invalid_arguments"}
        if method == COMPLETE_SUCCESS and not isinstance(params["outputs"], dict):
            return {"ok": False, "error": "parameter_validation_failed"}
        with self._arrived:
            execution = self._executions.get(str(params["function_execution_id"]))
            if execution is None:
                return {"ok": False, "error": "function_execution_not_found"}
            if token != execution.token:
                return {"ok": False, "error": "invalid_auth"}
            if execution.outcome is not None:
                return {"ok": False, "error": "execution_not_in_running_state"}
            execution.outcome = method
        return {"ok": True}

    def _view(self, params: Params) -> Answer:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = params.get("view_id") or f"V{next(self._view_counter):08d}"
        shown = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": f"{time.time():.6f}.hash",
            "app_id": "A0SCORECARD",
            "bot_id": BOT_ID,
        }
        return {"ok": True, "view": shown}

    def _publish_view(self, params: Params) -> Answer:
        """A user's Home tab. Refused as Slack refuses it: no user, no view, a view that is not
        a Home tab, or one over Slack's 100 blocks (`invalid_arguments` with the reason)."""
        view = params.get("view")
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        if len(view.get("blocks") or []) > MAX_VIEW_BLOCKS:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {
                    "messages": [
                        f"[ERROR] no more than {MAX_VIEW_BLOCKS} items allowed "
                        "[json-pointer:/view/blocks]"
                    ]
                },
            }
        return self._view({**params, "view_id": params.get("view_id")})

    def _user_info(self, params: Params) -> Answer:
        user_id = str(params.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        with self._arrived:
            user = self._users.get(user_id, StandInUser(user_id))
        now = datetime.now(ZoneInfo(user.tz))
        offset = now.utcoffset()
        return {
            "ok": True,
            "user": {
                "id": user.user_id,
                "team_id": self.team_id,
                "name": user.user_id.lower(),
                "real_name": user.user_id,
                "deleted": user.deleted,
                "is_bot": False,
                "is_admin": user.is_admin,
                "is_owner": False,
                "tz": user.tz,
                "tz_label": now.tzname(),
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "profile": {
                    "real_name": user.user_id,
                    "display_name": user.user_id.lower(),
                    "status_text": user.status_text,
                    "status_emoji": "",
                },
            },
        }

    def _presence(self, params: Params) -> Answer:
        with self._arrived:
            user = self._users.get(str(params.get("user", "")))
        return {"ok": True, "presence": "away" if user and user.away else "active"}

    def _message(self, params: Params, ts: str) -> dict[str, Any]:
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
        message["text"] = params.get("text", "")
        for field in ("blocks", "metadata", "thread_ts"):
            if field in params:
                message[field] = params[field]
        return message

    def _next_ts(self) -> str:
        step = next(self._ts_counter) * 100
        return f"{FIRST_TS_SECONDS + step // 1_000_000}.{step % 1_000_000:06d}"


def _markdown_of(content: Any) -> str:
    if isinstance(content, str) and content.startswith("{"):
        with contextlib.suppress(ValueError):
            content = json.loads(content)
    if isinstance(content, dict) and content.get("type") == "markdown":
        return str(content.get("markdown", ""))
    return ""


def _pop(queues: dict[str, deque[Any]], method: str) -> Any | None:
    queue = queues.get(method)
    return queue.popleft() if queue else None


def _direct_channel(channel_or_user: str) -> str:
    """Posting to a user ID lands in the DM with them, as on Slack: U0LEAD -> D0LEAD."""
    if channel_or_user[:1] in ("U", "W"):
        return "D" + channel_or_user[1:]
    return channel_or_user


def read_params(query: str, body: bytes, content_type: str) -> Params:
    """One dict from the query string and a JSON or form-encoded body, JSON fields decoded."""
    params: Params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    if body:
        text = body.decode("utf-8")
        if "json" in content_type or text.lstrip().startswith("{"):
            decoded = json.loads(text)
            if isinstance(decoded, dict):
                params.update(decoded)
        else:
            params.update(urllib.parse.parse_qsl(text, keep_blank_values=True))
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Left as sent when it is not JSON: a test can still see what the app got wrong.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


class _StandInServer(BurstReadyThreading, HTTPServer):
    pass


def _handler_for(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class StandInHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the base class's naming)
            self._answer(b"")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(length) if length else b"")

        def _answer(self, body: bytes) -> None:
            path, _, query = self.path.partition("?")
            if path.startswith(UPLOAD_PREFIX):  # a file's raw bytes, not form fields
                self._send(*standin.handle(path, {UPLOADED_BYTES: body}, None))
                return
            try:
                params = read_params(query, body, self.headers.get("Content-Type", ""))
            except ValueError:
                self._send(400, {"ok": False, "error": "invalid_json"}, 0)
                return
            token_param = params.pop("token", None)
            authorization = self.headers.get("Authorization")
            token = _bearer(authorization) or token_param
            self._send(*standin.handle(path, params, token, _basic(authorization)))

        def _send(self, status: int, answer: Answer, retry_after: int) -> None:
            if status == DROP_CONNECTION:
                self.close_connection = True  # the client sees the line go dead, no answer
                return
            if status >= 500:  # Slack's 5xx pages are not JSON
                self._send_text(status, b"<html><body>Internal Server Error</body></html>")
                return
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            if status == 429:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            self.wfile.write(payload)

        def _send_text(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return StandInHandler


def _basic(header: str | None) -> tuple[str, str] | None:
    """(client id, client secret) from `Authorization: Basic …`, as oauth.v2.access is called."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
    except ValueError:
        return None
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


def _bearer(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip() or None
    return None
