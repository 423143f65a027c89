"""`scorecard serve`: the production HTTP server, waitress, serving the WSGI app.

Waitress reads each request completely in its I/O loop before a worker thread sees it, so slow
or idle clients (a body sent in dribs, or never finished) cost a socket, not a worker: 50 of
them do not delay a signed command (tests/faults/test_slow_clients.py). Behind a reverse proxy
in production (see "When things go wrong" in README.md) the proxy buffers them first anyway.

Python runs one thread at a time in a process, so one process uses one core, however many
threads it has. With `WEB_CONCURRENCY` above 1, the listening socket is opened once and that
many processes are forked to serve it, each with its own waitress, threads and database
connections; the kernel hands each new connection to one of them. The first process stays to
watch the others: a stop signal is passed on to them, and when one of them dies the rest are
stopped too, so the platform (or systemd) restarts the whole server rather than a part of it.
"""

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import waitress

from bot.app import create_app
from bot.config import Settings
from bot.http import MAX_BODY_BYTES, ScorecardWSGI
from storage.db import IN_REQUEST, Database

logger = logging.getLogger(__name__)

# Whatever waitress serves: a WSGI callable.
WSGIApp = Callable[..., Any]

# Open connections served at once, per process; more wait in the listen backlog.
CONNECTION_LIMIT = 500
# A connection that sends nothing for this long is closed, in seconds (Slack sends at once).
IDLE_CONNECTION_SECONDS = 20
# How often idle connections are looked for, in seconds.
CLEANUP_EVERY_SECONDS = 5
# Connections the kernel holds for the server before it accepts them.
LISTEN_BACKLOG = 1024
# How long the serving processes get to finish what they are doing once told to stop, in seconds.
STOP_GRACE_SECONDS = 10
# How often a serving process checks that the process watching it is still there, in seconds.
ORPHAN_CHECK_SECONDS = 1.0
# Waitress warns of a backlog ("Task queue depth is 28") on every request that joins one: under
# load that is a line per request, costing CPU when it is scarcest. One a minute says as much.
QUEUE_WARNING_EVERY_SECONDS = 60.0


class OnceInAWhile(logging.Filter):
    """Lets a logger's records through at most once every `seconds`, counting what it held back."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.seconds = seconds
        self.clock = clock
        self._last: float | None = None
        self._held_back = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.seconds:
            self._held_back += 1
            return False
        if self._held_back:
            record.msg = f"{record.msg} ({self._held_back} more such warnings held back)"
        self._last, self._held_back = now, 0
        return True


def build_wsgi(settings: Settings) -> ScorecardWSGI:
    database = Database(settings.database_url, IN_REQUEST)
    return ScorecardWSGI(create_app(settings, database), database)


def serve(
    settings: Settings,
    host: str = "0.0.0.0",
    build: Callable[[Settings], WSGIApp] = build_wsgi,
) -> None:
    """Serve the app `build` makes (ours; the benchmarks pass bare Bolt apps) until interrupted,
    in `settings.web_workers` processes of `settings.web_threads` threads each.

    Raises OSError when the port can't be listened on. `build` runs in each serving process, so
    nothing it opens (database connections above all) is shared across a fork.
    """
    listener = _listen(host, settings.port)
    if settings.web_workers <= 1:
        with contextlib.suppress(KeyboardInterrupt):  # told to stop (waitress returns by itself)
            _serve(build(settings), listener, settings)
        _log_stopped()
        return
    _serve_in_processes(settings.web_workers, lambda: _serve(build(settings), listener, settings))


def _listen(host: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(LISTEN_BACKLOG)
    listener.setblocking(False)
    return listener


def _serve(app: WSGIApp, listener: socket.socket, settings: Settings) -> None:
    logging.getLogger("waitress.queue").addFilter(OnceInAWhile(QUEUE_WARNING_EVERY_SECONDS))
    waitress.serve(
        app,
        sockets=[listener],
        threads=settings.web_threads,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_CONNECTION_SECONDS,
        cleanup_interval=CLEANUP_EVERY_SECONDS,
        max_request_body_size=MAX_BODY_BYTES,
        asyncore_use_poll=True,  # select() stops at 1,024 sockets
        ident="scorecard",
    )


def _serve_in_processes(count: int, serve_one: Callable[[], None]) -> None:
    """Fork `count` processes that each run `serve_one`; watch them until stopped or one dies."""
    children: set[int] = set()
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            _run_child(serve_one)
        children.add(pid)
    logger.info("Serving in %s processes: %s", count, sorted(children))
    try:
        pid, status = os.wait()
        children.discard(pid)
        logger.error(
            "Serving process %s ended (%s); stopping the others.", pid, _how_it_ended(status)
        )
        raise SystemExit(1)
    except KeyboardInterrupt:
        logger.info("Told to stop: stopping %s serving processes.", len(children))
        raise
    finally:
        _stop(children)


def _how_it_ended(wait_status: int) -> str:
    """ "exit code 1" or "killed by SIGKILL", from a status `os.wait` gave."""
    code = os.waitstatus_to_exitcode(wait_status)
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def _run_child(serve_one: Callable[[], None]) -> None:
    """In a forked process: serve until told to stop, then leave without the parent's cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _stop_when_orphaned(os.getppid())
        serve_one()
    except KeyboardInterrupt:
        pass
    except BaseException:
        logger.exception("A serving process failed")
        code = 1
    finally:
        if code == 0:
            _log_stopped()
        logging.shutdown()
        os._exit(code)


def _log_stopped() -> None:
    logger.info("Stopped serving (process %s).", os.getpid())


def _stop_when_orphaned(parent: int) -> None:
    """Stop this serving process once its watcher is gone (killed with SIGKILL, say, which it
    can't pass on): nothing else would, and the port would stay taken for the next start."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        logger.error("The watching process %s is gone; this serving process stops.", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _stop(children: set[int]) -> None:
    """Ask each child to stop (SIGTERM), wait up to STOP_GRACE_SECONDS, then kill what is left."""
    for pid in children:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while children and time.monotonic() < deadline:
        for pid in list(children):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                children.discard(pid)
        time.sleep(0.05)
    for pid in children:
        _signal(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile
        os.kill(pid, signum)
