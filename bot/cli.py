"""The `scorecard` command: serve Slack, import and export scorecards, try it in a console."""

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.config import InvalidSetting, MissingSetting, Settings
from bot.startup_checks import CannotStart, check_app_token, check_bot_token, database_location
from scorecard.errors import CannotSaveNow, UserError
from storage.db import Database, one_line
from storage.migrate import upgrade

EXIT_OK, EXIT_USER_ERROR, EXIT_CONFIG_ERROR = 0, 1, 2
EXIT_FAILURE = EXIT_USER_ERROR  # something outside us failed (the database, Slack): try again

DESCRIPTION = """\
Scorecard: a Balanced Scorecard that lives in Slack.

Try it without Slack:      scorecard console --demo
The app's Slack manifest:  scorecard manifest --host your.host
Load your scorecard:       scorecard import my-scorecard.yaml
Load its KPI history:      scorecard import readings.csv   (kpi,period,value,...)
Run it for Slack (HTTP):   scorecard serve
Run it for Slack (socket): scorecard socket
Digests and nudges:        scorecard clock   (or `scorecard run`: socket and clock together)
Who changed what:          scorecard history --since 2026-11-01 --format csv
A workspace's data:        scorecard workspace export T0123 --to backup/
                           scorecard workspace delete T0123
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorecard",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="answer Slack over HTTP (waitress) on $PORT")
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT or 3000)")
    serve.set_defaults(run=run_serve)

    socket = commands.add_parser("socket", help="answer Slack over Socket Mode (no public URL)")
    socket.set_defaults(run=run_socket)

    clock = commands.add_parser("clock", help="run the scheduler: digests and nudges, on time")
    clock.add_argument(
        "--every", type=int, default=60, metavar="SECONDS", help="how often to look for due digests"
    )
    clock.set_defaults(run=run_clock_command)

    both = commands.add_parser(
        "run", help="Socket Mode and the scheduler in one process (simplest for one team)"
    )
    both.set_defaults(run=run_socket_and_clock)

    digest = commands.add_parser("digest", help="post a channel's digest now, or print it")
    digest.add_argument("--channel", required=True, help="the channel id, e.g. C0123ABCD")
    digest.add_argument("--workspace", help="Slack team id, when the database holds several")
    digest.add_argument("--now", action="store_true", help="post it now, outside the schedule")
    digest.add_argument(
        "--dry-run", action="store_true", help="print the digest as text; post and store nothing"
    )
    digest.set_defaults(run=run_digest)

    load = commands.add_parser(
        "import", help="load or update a scorecard (.yaml), or add KPI readings (.csv)"
    )
    load.add_argument(
        "file",
        help="a scorecard file, e.g. examples/community.yaml, or readings as CSV with the columns "
        "kpi,period,value[,logged_by,logged_at,note], e.g. examples/community-readings.csv "
        "(readings already there are skipped)",
    )
    load.add_argument(
        "--workspace", help="readings only: Slack team id, when the database holds several"
    )
    load.set_defaults(run=run_import)

    dump = commands.add_parser("export", help="print a scorecard or its readings")
    dump.add_argument(
        "what", nargs="?", choices=("scorecard", "readings", "reviews"), default="scorecard"
    )
    dump.add_argument(
        "--format", choices=("yaml", "json", "csv"), help="default: yaml, or csv for readings"
    )
    dump.add_argument(
        "--workspace", help="Slack team id, when the database holds several scorecards"
    )
    dump.set_defaults(run=run_export)

    history = commands.add_parser("history", help="export the history of changes")
    history.add_argument(
        "--workspace", action="append", metavar="TEAM_ID", help="only this workspace (repeatable)"
    )
    history.add_argument(
        "--since", type=_iso_date, metavar="DATE", help="changes on or after this day (UTC)"
    )
    history.add_argument("--format", choices=("csv", "json"), default="csv")
    history.set_defaults(run=run_history)

    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    database_upgrade = database_commands.add_parser(
        "upgrade", help="apply pending schema migrations"
    )
    database_upgrade.set_defaults(run=run_db_upgrade)

    slack_manifest = commands.add_parser(
        "manifest", help="print the Slack app manifest, written from the code"
    )
    slack_manifest.add_argument(
        "--host", default=None, help="the public address `serve` answers at (default: YOUR-HOST)"
    )
    slack_manifest.add_argument(
        "--socket-mode", action="store_true", help="for `scorecard socket`: no request URLs"
    )
    slack_manifest.add_argument(
        "--no-workflow-steps",
        action="store_true",
        help="leave out the Workflow Builder step (apps with steps can't be distributed publicly)",
    )
    slack_manifest.set_defaults(run=run_manifest)

    console = commands.add_parser("console", help="try the bot in your terminal, no Slack needed")
    console.add_argument(
        "--demo", action="store_true", help="load the example scorecard into a throwaway database"
    )
    console.add_argument(
        "--user", default=None, help="the Slack user id you play (default: the demo's lead)"
    )
    console.set_defaults(run=run_console)

    nudge = commands.add_parser(
        "nudge", help="one nudge sweep: DM owners of stalled actions and overdue KPI readings"
    )
    nudge.add_argument(
        "--now",
        action="store_true",
        help="don't wait for working hours (the scorecard's nudge limits and snoozes still hold)",
    )
    nudge.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send and store nothing"
    )
    nudge.add_argument(
        "--workspace", action="append", metavar="TEAM_ID", help="only this workspace (repeatable)"
    )
    nudge.set_defaults(run=run_nudge)

    workspace = commands.add_parser(
        "workspace", help="one workspace's data: export it all, or delete it all now"
    )
    workspace_commands = workspace.add_subparsers(
        dest="workspace_command", metavar="ACTION", required=True
    )
    workspace_export = workspace_commands.add_parser(
        "export", help="write its scorecard (YAML) and readings (CSV) to files"
    )
    workspace_export.add_argument("workspace", metavar="TEAM_ID", help="Slack team id, e.g. T0123")
    workspace_export.add_argument(
        "--to", default=".", metavar="DIR", help="directory to write into (default: here)"
    )
    workspace_export.set_defaults(run=run_workspace_export)
    workspace_delete = workspace_commands.add_parser(
        "delete",
        help="delete its scorecard, readings, history and tokens now (export it first)",
    )
    workspace_delete.add_argument("workspace", metavar="TEAM_ID", help="Slack team id, e.g. T0123")
    workspace_delete.set_defaults(run=run_workspace_delete)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if settings.log_level != "DEBUG":  # each migration step is an INFO line: noise for people
            logging.getLogger("alembic").setLevel(logging.WARNING)
        run: Callable[[argparse.Namespace, Settings], int] = arguments.run
        return run(arguments, settings)
    except (MissingSetting, InvalidSetting) as error:
        print(f"scorecard: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except (ArgumentError, NoSuchModuleError) as error:
        print(f"scorecard: DATABASE_URL is not a database URL I can use: {error}.", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except CannotSaveNow as error:
        where = database_location(settings.database_url)
        print(f"scorecard: can't write to the database {where}: {error.detail}.", file=sys.stderr)
        return EXIT_FAILURE
    except DBAPIError as error:
        where = database_location(settings.database_url)
        print(f"scorecard: can't use the database {where}: {one_line(error)}", file=sys.stderr)
        return EXIT_FAILURE
    except CannotStart as error:
        print(f"scorecard: {error}", file=sys.stderr)
        return EXIT_FAILURE
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
    settings.require_slack_credentials()
    settings.require_signing_secret()
    check_bot_token(settings)
    _migrate(settings).dispose()  # before serving: nothing open is shared with forked processes
    _stop_on_sigterm()
    try:
        serve(settings)
    except OSError as error:  # raised while binding: once serving, waitress handles its own
        raise CannotStart(f"can't listen on port {settings.port}: {error.strerror}") from error
    return EXIT_OK


def run_socket(arguments: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    app_token = settings.require_app_token()
    check_bot_token(settings)
    check_app_token(settings, app_token)
    database = _migrate(settings)
    app = create_app(settings, database, socket_mode=True)
    _stop_on_sigterm()
    SocketModeHandler(app, app_token).start()
    return EXIT_OK


def run_clock_command(arguments: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from bot.scheduler import run_clock
    from bot.slack_clients import WorkspaceClients

    check_bot_token(settings)
    database = _migrate(settings)
    clients = WorkspaceClients(settings, database)  # each workspace's own token in OAuth mode
    run_clock(settings, database, clients, digest_every=timedelta(seconds=arguments.every))
    return EXIT_OK


def run_socket_and_clock(arguments: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from bot.scheduler import build_scheduler
    from bot.slack_clients import WorkspaceClients

    app_token = settings.require_app_token()
    check_bot_token(settings)
    check_app_token(settings, app_token)  # before the scheduler starts sending anything
    database = _migrate(settings)
    app = create_app(settings, database, socket_mode=True)
    scheduler = build_scheduler(
        database,
        WorkspaceClients(settings, database),
        retention=timedelta(days=settings.retention_days),
    )
    _stop_on_sigterm()
    scheduler.start()
    try:
        SocketModeHandler(app, app_token).start()
    finally:
        scheduler.shutdown()
    return EXIT_OK


def run_digest(arguments: argparse.Namespace, settings: Settings) -> int:
    from bot.digest_delivery import post_digest_now, preview_message
    from bot.plain_text import message_to_text
    from storage.types import utc_now

    database = _migrate(settings)
    if arguments.dry_run:
        messages = preview_message(database, arguments.channel, utc_now(), arguments.workspace)
        print("\n\n--- in the thread ---\n\n".join(message_to_text(m) for m in messages))
        return EXIT_OK
    if not arguments.now:
        raise UserError("Add --now to post the digest right away, or --dry-run to see it first.")
    from bot.scheduler import clock_id
    from bot.slack_clients import WorkspaceClients

    outcome = post_digest_now(
        database,
        WorkspaceClients(settings, database),
        arguments.channel,
        utc_now(),
        clock_id(),
        arguments.workspace,
    )
    reason = f" ({outcome.reason})" if outcome.reason else ""
    print(f"Digest for {arguments.channel}: {outcome.result}{reason}")
    return EXIT_OK if outcome.message_ts else EXIT_USER_ERROR


def run_import(arguments: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.import_progress import import_progress
    from scorecard import importing, reading_import
    from scorecard.file_encoding import decode_file, text_lines

    suffix = Path(arguments.file).suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise UserError(
            f"Can't tell what {arguments.file} holds: import a scorecard as .yaml (or .yml) "
            "or readings as .csv."
        )
    if suffix != ".csv" and arguments.workspace:
        raise UserError("--workspace is for readings: a scorecard file names its own workspace.")
    try:
        file = open(arguments.file, "rb")  # noqa: SIM115 (closed below, after a long import)
    except OSError as error:
        raise UserError(f"Can't read {arguments.file}: {error.strerror}.") from error
    with file:
        database = _migrate(settings)
        if suffix == ".csv":
            with import_progress(file, arguments.file) as progress:
                readings = reading_import.import_readings(
                    database, text_lines(file), arguments.workspace, progress=progress
                )
            print(reading_import.describe(readings))
        else:
            text = decode_file(file.read())
            print(importing.describe(importing.import_scorecard(database, text)))
    return EXIT_OK


def run_export(arguments: argparse.Namespace, settings: Settings) -> int:
    from scorecard.exporting import export_readings, export_scorecard

    database = _migrate(settings)
    if arguments.what == "readings":
        text = export_readings(database, arguments.workspace, arguments.format or "csv")
    elif arguments.what == "reviews":  # the minutes of every closed review, as Markdown
        from scorecard.review_requests import export_reviews

        text = export_reviews(database, arguments.workspace)
    else:
        if arguments.format == "csv":
            raise UserError("A scorecard exports as yaml or json; only readings export as csv.")
        text = export_scorecard(database, arguments.workspace, arguments.format or "yaml")
    sys.stdout.write(text)
    return EXIT_OK


def run_history(arguments: argparse.Namespace, settings: Settings) -> int:
    from scorecard.history import export_history

    since = arguments.since and datetime.combine(arguments.since, time(), UTC)
    text = export_history(_migrate(settings), arguments.workspace, since, arguments.format)
    sys.stdout.write(text)
    return EXIT_OK


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def run_db_upgrade(arguments: argparse.Namespace, settings: Settings) -> int:
    _migrate(settings)
    print("The database schema is up to date.")
    return EXIT_OK


def run_manifest(arguments: argparse.Namespace, settings: Settings) -> int:
    from bot.manifest import PLACEHOLDER_HOST, ManifestOptions, manifest_yaml

    options = ManifestOptions(
        host=arguments.host or PLACEHOLDER_HOST,
        socket_mode=arguments.socket_mode,
        workflow_steps=not arguments.no_workflow_steps,
    )
    sys.stdout.write(manifest_yaml(options))
    return EXIT_OK


def run_console(arguments: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console as console

    return console(settings, demo=arguments.demo, user=arguments.user)


def run_nudge(arguments: argparse.Namespace, settings: Settings) -> int:
    from bot.nudging import nudge_message, run_nudge_sweep
    from bot.plain_text import message_to_text
    from bot.slack_clients import WorkspaceClients
    from storage.types import utc_now

    database = _migrate(settings)
    # A dry run asks Slack nothing, so it needs neither the token nor a reachable Slack.
    clients = None if arguments.dry_run else WorkspaceClients(settings, database)
    now = utc_now()
    report = run_nudge_sweep(
        database,
        clients,
        now,
        dry_run=arguments.dry_run,
        respect_working_hours=not arguments.now,
        workspaces=arguments.workspace,
    )
    print(report.describe())
    for sent in report.sent:
        if sent.message is not None:
            print(f"\n--- to {sent.recipient} in {sent.workspace} ---")
            print(message_to_text(nudge_message(sent.message, now.date())))
    return EXIT_USER_ERROR if report.failed else EXIT_OK


def run_workspace_export(arguments: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from scorecard.workspace_lifecycle import export_workspace

    for path in export_workspace(_migrate(settings), arguments.workspace, Path(arguments.to)):
        print(f"Wrote {path}")
    return EXIT_OK


def run_workspace_delete(arguments: argparse.Namespace, settings: Settings) -> int:
    from scorecard.workspace_lifecycle import delete_workspace

    print(delete_workspace(_migrate(settings), arguments.workspace))
    return EXIT_OK


def _stop_on_sigterm() -> None:
    """Platforms stop a process with SIGTERM: treat it like Ctrl-C, so `finally` blocks run.

    SIGINT is set too: a shell that starts a command in the background (`scorecard run &`)
    leaves it ignoring SIGINT, and Python then never raises KeyboardInterrupt for it.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _migrate(settings: Settings) -> Database:
    """The database, its schema brought up to date; refused at once when it can't be written."""
    database = Database(settings.database_url)
    database.refuse_if_unwritable(log=False)  # said in one line by main()
    upgrade(database)
    return database
