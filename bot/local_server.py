"""A small threaded HTTP server on loopback for the console and the tests.

It serves the same WSGI app as `scorecard serve` does under waitress, so requests take the same
path through signature checks, Bolt and the listeners.
"""

import threading
from socketserver import BaseServer, ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

LOOPBACK = "127.0.0.1"
# A short poll interval makes stop() quick; the default half second adds up over many tests.
STOP_POLL_SECONDS = 0.02


class BurstReadyThreading(ThreadingMixIn):
    """A thread per request, and room for bursts of them."""

    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when many requests arrive at once.
    request_queue_size = 128


class BackgroundServer:
    """A socketserver served from a daemon thread: started, stopped quickly, its port known."""

    def __init__(self, server: BaseServer, name: str) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": STOP_POLL_SECONDS},
            name=name,
            daemon=True,
        )

    @property
    def port(self) -> int:
        return self.server.server_address[1]  # type: ignore[no-any-return,index]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits forever for a loop that never started
            self.server.shutdown()
        self.server.server_close()


class _ThreadingWSGIServer(BurstReadyThreading, WSGIServer):
    pass


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


class LocalHttpServer:
    def __init__(self, wsgi_app: Any, port: int = 0) -> None:
        server = make_server(
            LOOPBACK, port, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self._background = BackgroundServer(server, "local-http")

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._background.port}"

    def start(self) -> "LocalHttpServer":
        self._background.start()
        return self

    def stop(self) -> None:
        self._background.stop()

    def __enter__(self) -> "LocalHttpServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
