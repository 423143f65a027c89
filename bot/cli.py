"""The `scorecard` command: serve Slack, import and export scorecards, try it in a console."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import InvalidSetting, MissingSetting, Settings
from scorecard.errors import UserError
from storage.db import Database
from storage.migrate import upgrade

EXIT_OK, EXIT_USER_ERROR, EXIT_CONFIG_ERROR = 0, 1, 2

DESCRIPTION = """\
Scorecard: a Balanced Scorecard that lives in Slack.

Try it without Slack:      scorecard console --demo
Load your scorecard:       scorecard import my-scorecard.yaml
Run it for Slack (HTTP):   scorecard serve
Run it for Slack (socket): scorecard socket
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorecard",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="answer Slack over HTTP (gunicorn) on $PORT")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    serve.set_defaults(run=run_serve)

    socket = commands.add_parser("socket", help="answer Slack over Socket Mode (no public URL)")
    socket.set_defaults(run=run_socket)

    load = commands.add_parser("import", help="load or update a scorecard from a YAML file")
    load.add_argument("file", help="the scorecard file, e.g. examples/community.yaml")
    load.set_defaults(run=run_import)

    dump = commands.add_parser("export", help="print a scorecard or its readings")
    dump.add_argument("what", nargs="?", choices=("scorecard", "readings"), default="scorecard")
    dump.add_argument(
        "--format", choices=("yaml", "json", "csv"), help="default: yaml, or csv for readings"
    )
    dump.add_argument(
        "--workspace", help="Slack team id, when the database holds several scorecards"
    )
    dump.set_defaults(run=run_export)

    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    database_upgrade = database_commands.add_parser(
        "upgrade", help="apply pending schema migrations"
    )
    database_upgrade.set_defaults(run=run_db_upgrade)

    console = commands.add_parser("console", help="try the bot in your terminal, no Slack needed")
    console.add_argument(
        "--demo", action="store_true", help="load the example scorecard into a throwaway database"
    )
    console.add_argument(
        "--user", default=None, help="the Slack user id you play (default: the demo's lead)"
    )
    console.set_defaults(run=run_console)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        run: Callable[[argparse.Namespace, Settings], int] = arguments.run
        return run(arguments, settings)
    except (MissingSetting, InvalidSetting) as error:
        print(f"scorecard: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except UserError as error:
        print(error.message, file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return EXIT_OK


def run_serve(arguments: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.server import serve

    if arguments.port:
        settings = replace(settings, port=arguments.port)
    settings.require_bot_token()
    settings.require_signing_secret()
    _migrate(settings)
    serve(settings)
    return EXIT_OK


def run_socket(arguments: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    app_token = settings.require_app_token()
    database = _migrate(settings)
    app = create_app(settings, database, socket_mode=True)
    SocketModeHandler(app, app_token).start()
    return EXIT_OK


def run_import(arguments: argparse.Namespace, settings: Settings) -> int:
    from scorecard.importing import describe, import_scorecard

    try:
        with open(arguments.file, encoding="utf-8") as file:
            text = file.read()
    except OSError as error:
        raise UserError(f"Can't read {arguments.file}: {error.strerror}.") from error
    summary = import_scorecard(_migrate(settings), text)
    print(describe(summary))
    return EXIT_OK


def run_export(arguments: argparse.Namespace, settings: Settings) -> int:
    from scorecard.exporting import export_readings, export_scorecard

    database = _migrate(settings)
    if arguments.what == "readings":
        text = export_readings(database, arguments.workspace, arguments.format or "csv")
    else:
        if arguments.format == "csv":
            raise UserError("A scorecard exports as yaml or json; only readings export as csv.")
        text = export_scorecard(database, arguments.workspace, arguments.format or "yaml")
    sys.stdout.write(text)
    return EXIT_OK


def run_db_upgrade(arguments: argparse.Namespace, settings: Settings) -> int:
    _migrate(settings)
    print("The database schema is up to date.")
    return EXIT_OK


def run_console(arguments: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console as console

    return console(settings, demo=arguments.demo, user=arguments.user)


def _migrate(settings: Settings) -> Database:
    database = Database(settings.database_url)
    upgrade(database)
    return database
