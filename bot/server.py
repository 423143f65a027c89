"""`scorecard serve`: the production HTTP server, waitress, serving the WSGI app.

Waitress reads each request completely in its I/O loop before a worker thread sees it, so slow
or idle clients (a body sent in dribs, or never finished) cost a socket, not a worker: 50 of
them do not delay a signed command (tests/faults/test_slow_clients.py). Behind a reverse proxy
in production (see "When things go wrong" in README.md) the proxy buffers them first anyway.
"""

from collections.abc import Callable
from typing import Any

import waitress

from bot.app import create_app
from bot.config import Settings
from bot.http import MAX_BODY_BYTES, ScorecardWSGI
from storage.db import IN_REQUEST, Database

# Whatever waitress serves: a WSGI callable.
WSGIApp = Callable[..., Any]

# Open connections served at once; more wait in the listen backlog.
CONNECTION_LIMIT = 500
# A connection that sends nothing for this long is closed, in seconds (Slack sends at once).
IDLE_CONNECTION_SECONDS = 20
# How often idle connections are looked for, in seconds.
CLEANUP_EVERY_SECONDS = 5


def build_wsgi(settings: Settings) -> ScorecardWSGI:
    database = Database(settings.database_url, IN_REQUEST)
    return ScorecardWSGI(create_app(settings, database), database)


def serve(
    settings: Settings,
    host: str = "0.0.0.0",
    build: Callable[[Settings], WSGIApp] = build_wsgi,
) -> None:
    """Serve the app `build` makes (ours; the benchmarks pass bare Bolt apps) until interrupted.

    One process with `settings.web_threads` worker threads: the work is short and mostly waits
    on the database and Slack.
    """
    waitress.serve(
        build(settings),
        host=host,
        port=settings.port,
        threads=settings.web_threads,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_CONNECTION_SECONDS,
        cleanup_interval=CLEANUP_EVERY_SECONDS,
        max_request_body_size=MAX_BODY_BYTES,
        asyncore_use_poll=True,  # select() stops at 1,024 sockets
        ident="scorecard",
    )
