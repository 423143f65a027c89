"""A small threaded HTTP server on loopback for the console and the tests.

It serves the same WSGI app as `scorecard serve` does under gunicorn, so requests take the same
path through signature checks, Bolt and the listeners.
"""

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

LOOPBACK = "127.0.0.1"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when many commands arrive at once.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


class LocalHttpServer:
    def __init__(self, wsgi_app: Any, port: int = 0) -> None:
        self._server = make_server(
            LOOPBACK, port, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        # A short poll interval makes stop() quick; the default half second adds up over many tests.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_port}"

    def start(self) -> "LocalHttpServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LocalHttpServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
