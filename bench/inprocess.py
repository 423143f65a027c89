"""The real app, WSGI layer included, called in-process: no sockets, so only our code is timed."""

import io
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bench.signing import SIGNING_SECRET, WORKSPACE, signed_headers, slash_command_body
from storage.db import Database


class InProcessApp:
    """`status, body = app.command("/kpi", "show kpi_3")`: signature check, Bolt, handlers."""

    def __init__(self, database: Database, now: datetime, api_url: str) -> None:
        from bot.app import create_app
        from bot.config import Settings
        from bot.http import SLACK_PATH, ScorecardWSGI

        settings = Settings(
            bot_token="xoxb-bench", signing_secret=SIGNING_SECRET, slack_api_url=api_url
        )
        client = WebClient(token="xoxb-bench", base_url=api_url)
        app = create_app(settings, database, clock=lambda: now, client=client, verify_token=False)
        self.wsgi = ScorecardWSGI(app, database)
        self.path = SLACK_PATH

    def command(self, command: str, text: str, user: str = "U0000") -> tuple[int, bytes]:
        body = slash_command_body(command, text, user, team=WORKSPACE).encode()
        environ = _environ(self.path, body, signed_headers(body.decode()))
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> None:
            answer["status"] = int(status.split()[0])

        chunks = self.wsgi(environ, start_response)
        return answer["status"], b"".join(chunks)


def _environ(path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ
