"""/kpi: log readings, show a KPI, list the scorecard, notes, undo and help."""

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from handlers.action import ACTION
from handlers.commands import Message, Request, SlashCommand, Subcommand, split_verb
from handlers.digests import DIGEST_SUBCOMMAND, is_preview
from handlers.replies import EPHEMERAL, answer, answer_later, command_summary
from handlers.services import services_of
from handlers.why import WHY
from scorecard.kpi_log import (
    NewReading,
    add_note,
    kpi_detail,
    read_reading,
    reading_if_any,
    record_reading,
    undo_last_reading,
)
from scorecard.overview import load_overview
from scorecard.workspace import local_today, require_scorecard
from templates import render


def log_reading(request: Request) -> Message:
    with request.database.reading() as session:
        reading = read_reading(session, request.workspace, request.text, request.now)
    return _store(request, reading)


def _store(request: Request, reading: NewReading) -> Message:
    """The write turn holds only this: the reading was understood in a reading session."""
    with request.database.writing() as session:
        logged = record_reading(session, reading, request.user, request.now)
    return render("kpi_logged", logged=logged)


def replace_reading(request: Request) -> Message:
    """`/kpi replace`: `/kpi log`, without asking before replacing the day's reading."""
    with request.database.reading() as session:
        reading = read_reading(
            session, request.workspace, request.text, request.now, replacing=True
        )
    return _store(request, reading)


def show_kpi(request: Request) -> Message:
    with request.database.reading() as session:
        detail = kpi_detail(session, request.workspace, request.text, request.now)
    return render("kpi_detail", detail=detail)


def list_scorecard(request: Request) -> Message:
    with request.database.reading() as session:
        scorecard = require_scorecard(session, request.workspace)
        overview = load_overview(session, scorecard, local_today(scorecard, request.now))
    return render("kpi_list", overview=overview)


def note_reading(request: Request) -> Message:
    with request.database.writing() as session:
        kpi, reading = add_note(session, request.workspace, request.text, request.user, request.now)
    return render("note_added", kpi=kpi, reading=reading)


def undo_reading(request: Request) -> Message:
    with request.database.writing() as session:
        kpi, reading = undo_last_reading(session, request.workspace, request.user, request.now)
    return render("reading_undone", kpi=kpi, reading=reading)


def show_help(request: Request) -> Message:
    return render("help", commands=[KPI, WHY, ACTION])


KPI = SlashCommand(
    "/kpi",
    "KPIs: log readings and see how the scorecard stands",
    [
        Subcommand(
            "log",
            "/kpi log <kpi> <value> [date] [note]",
            "/kpi log instagram followers 12.4k yesterday after the giveaway",
            "Record a reading. A date (yesterday, on friday, 20 Nov) may come before or after "
            "the value and defaults to today; the rest is a note. Asks when unsure.",
            log_reading,
            aliases=("add", "record"),
        ),
        Subcommand(
            "replace",
            "/kpi replace <kpi> <value> [date] [note]",
            "/kpi replace response time 4 2026-11-20",
            "Like log, for correcting a day's reading: no question when it differs a lot.",
            replace_reading,
        ),
        Subcommand(
            "show",
            "/kpi show <kpi>",
            "/kpi show engagement rate",
            "Latest value, target, status and recent history of one KPI.",
            show_kpi,
            aliases=("status", "get"),
        ),
        Subcommand(
            "list",
            "/kpi list",
            "/kpi list",
            "The whole scorecard at a glance, by perspective.",
            list_scorecard,
            aliases=("all", "ls"),
        ),
        Subcommand(
            "note",
            "/kpi note <kpi> <text>",
            "/kpi note engagement rate algorithm change this week",
            "Explain the latest reading of a KPI.",
            note_reading,
        ),
        Subcommand(
            "undo",
            "/kpi undo",
            "/kpi undo",
            "Take back your most recent reading (within a day).",
            undo_reading,
        ),
        DIGEST_SUBCOMMAND,
        Subcommand("help", "/kpi help", "/kpi help", "Every command, with examples.", show_help),
    ],
)


def run_kpi_command(request: Request) -> Message:
    """Dispatch `/kpi <verb> …`. Forgiving: `/kpi followers 12k` logs, `/kpi followers` shows."""
    verb, rest = split_verb(request.text)
    if not verb:
        return list_scorecard(request)
    subcommand = KPI.find(verb)
    if subcommand is not None:
        return subcommand.run(request.with_text(rest))
    with request.database.reading() as session:
        reading = reading_if_any(session, request.workspace, request.text, request.now)
    return show_kpi(request) if reading is None else _store(request, reading)


def on_kpi(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    request = Request.from_command(command, services_of(context))
    answer(ack, lambda: run_kpi_command(request), command_summary(command))


def is_slow(command: dict[str, Any]) -> bool:
    verb, rest = split_verb(command.get("text") or "")
    return KPI.find(verb) is DIGEST_SUBCOMMAND and is_preview(rest)


def acknowledge_slow(ack: Ack) -> None:
    ack(response_type=EPHEMERAL, **render("working", what="the digest preview"))


def on_slow_kpi(respond: Respond, command: dict[str, Any], context: BoltContext) -> None:
    """Runs after the ack, in Bolt's lazy listener thread; the result replaces the ack."""
    request = Request.from_command(command, services_of(context))
    answer_later(respond, lambda: run_kpi_command(request), command_summary(command))


def register(app: App) -> None:
    # Matched first: the slow few are acknowledged at once and finished by a lazy listener.
    app.command("/kpi", matchers=[is_slow])(ack=acknowledge_slow, lazy=[on_slow_kpi])
    app.command("/kpi")(on_kpi)
