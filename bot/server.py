"""`scorecard serve`: the production HTTP server, gunicorn, serving the WSGI app."""

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.app import create_app
from bot.config import Settings
from bot.http import ScorecardWSGI
from storage.db import Database

# Whatever gunicorn serves: a WSGI callable.
WSGIApp = Callable[..., Any]


def build_wsgi(settings: Settings) -> ScorecardWSGI:
    database = Database(settings.database_url)
    return ScorecardWSGI(create_app(settings, database), database)


class ScorecardServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn run from our own command, so `serve` needs no separate config file.

    Each worker builds its own app and database engine after the fork (no preloading), so no
    connection is ever shared between processes.
    """

    def __init__(
        self,
        settings: Settings,
        options: dict[str, Any],
        build: Callable[[Settings], WSGIApp] = build_wsgi,
    ) -> None:
        self.settings = settings
        self.options = options
        self.build = build
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self.build(self.settings)


def serve(
    settings: Settings,
    host: str = "0.0.0.0",
    build: Callable[[Settings], WSGIApp] = build_wsgi,
) -> None:
    """Serve the app `build` makes (ours; the benchmarks pass bare Bolt apps) under gunicorn."""
    options = {
        "bind": f"{host}:{settings.port}",
        "workers": settings.web_workers,
        "threads": settings.web_threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "loglevel": settings.log_level.lower(),
        # Slack gives a command 3 seconds; a request still running after 30 is stuck.
        "timeout": 30,
        "graceful_timeout": 10,
    }
    ScorecardServer(settings, options, build).run()
