"""A bare Bolt app to compare against: `/kpi` and `/why` listeners that only ack.

    python -m bench.bare_app --mode default|inline --port 8001

It is served by `bot.server.serve`, so waitress gets exactly the options `scorecard serve` uses
(workers, threads, worker class, access log). `default` is Bolt's ack-first mode, the listener in
a thread pool; `inline` is `process_before_response=True`, the listener inside the request.
"""

import argparse
from collections.abc import Sequence
from dataclasses import replace

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

import bot.server
from bench.signing import SIGNING_SECRET
from bot.config import Settings
from bot.http import SLACK_PATH

MODES = ("default", "inline")


def create_bare_app(mode: str, api_url: str | None) -> App:
    app = App(
        client=WebClient(token="xoxb-bench", base_url=api_url or WebClient.BASE_URL),
        signing_secret=SIGNING_SECRET,
        token_verification_enabled=False,
        process_before_response=mode == "inline",
    )

    def only_ack(ack: Ack) -> None:
        ack()

    app.command("/kpi")(only_ack)
    app.command("/why")(only_ack)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_app")
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    settings = replace(Settings.from_env(), port=arguments.port)

    def build_bare_wsgi(_settings: Settings) -> SlackRequestHandler:
        app = create_bare_app(arguments.mode, settings.slack_api_url)
        return SlackRequestHandler(app, SLACK_PATH)

    bot.server.serve(settings, host="127.0.0.1", build=build_bare_wsgi)


if __name__ == "__main__":
    main()
