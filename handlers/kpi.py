"""/kpi: log readings, show a KPI, list the scorecard, notes, undo and help."""

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.action import ACTION
from handlers.commands import (
    Message,
    SlashCommand,
    Subcommand,
    command_text,
    from_command,
    split_verb,
)
from handlers.digests import DIGEST_SUBCOMMAND, is_preview
from handlers.home import HomeRefresh
from handlers.pictures import CHART_SUBCOMMAND, MAP_SUBCOMMAND
from handlers.replies import EPHEMERAL, Built, Reply, answer, answer_later, command_summary
from handlers.reviews import REVIEW_SUBCOMMAND
from handlers.services import services_of
from handlers.sharing import logged_reply
from handlers.why import WHY
from scorecard.caller import Caller
from scorecard.errors import Question, UserError
from scorecard.history import item_history
from scorecard.kpi_log import ReadingLogged
from scorecard.kpi_requests import (
    kpi_detail_for,
    log_or_show,
    log_typed_reading,
    note_latest_reading,
    scorecard_at_a_glance,
    undo_my_reading,
)
from templates import render

# `/kpi list` of the whole scorecard names this many objectives per perspective, and the
# command that shows the rest: a scorecard with many fits in one readable message.
OBJECTIVES_PER_PERSPECTIVE = 5


def log_reading(caller: Caller, text: str) -> Reply:
    return logged_reply(caller, log_typed_reading(caller, text))


def replace_reading(caller: Caller, text: str) -> Reply:
    """`/kpi replace`: `/kpi log`, without asking before replacing the day's reading."""
    return logged_reply(caller, log_typed_reading(caller, text, replacing=True))


def show_kpi(caller: Caller, text: str) -> Message:
    detail = kpi_detail_for(caller, text)
    return render("kpi_detail", detail=detail, today=detail.today)


def list_scorecard(caller: Caller, text: str) -> Message:
    """The whole scorecard shows a few objectives per perspective; one perspective shows all."""
    overview = scorecard_at_a_glance(caller, text)
    if text.strip():
        return render("kpi_list", overview=overview)
    return render("kpi_list", overview=overview, objectives_shown=OBJECTIVES_PER_PERSPECTIVE)


def note_reading(caller: Caller, text: str) -> Message:
    kpi, reading = note_latest_reading(caller, text)
    return render("note_added", kpi=kpi, reading=reading)


def undo_reading(caller: Caller, text: str) -> Reply:
    kpi, reading = undo_my_reading(caller)
    return Reply(render("reading_undone", kpi=kpi, reading=reading), (HomeRefresh(caller),))


def show_history(caller: Caller, text: str) -> Message:
    return render("history", history=item_history(caller, text))


def show_help(caller: Caller, text: str) -> Message:
    return render("help", commands=SLASH_COMMANDS)


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
            "/kpi list [perspective | theme T | objective O]",
            "/kpi list theme trust",
            "The whole scorecard at a glance, by perspective, or one perspective, theme or "
            "objective in full.",
            list_scorecard,
            aliases=("all", "ls"),
        ),
        CHART_SUBCOMMAND,
        MAP_SUBCOMMAND,
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
        Subcommand(
            "history",
            "/kpi history <item>",
            "/kpi history instagram followers",
            "Who changed a KPI, objective, action or the settings, when, and what it was before.",
            show_history,
        ),
        REVIEW_SUBCOMMAND,
        Subcommand("help", "/kpi help", "/kpi help", "Every command, with examples.", show_help),
    ],
)


# Every slash command, in the order help lists them: the one description that the dispatch, the
# help, the console and the manifest (`scorecard manifest`, bot/manifest.py) all come from.
SLASH_COMMANDS = (KPI, WHY, ACTION)


def run_kpi_command(caller: Caller, text: str) -> Built:
    """Dispatch `/kpi <verb> …`. Forgiving: `/kpi followers 12k` logs, `/kpi followers` shows."""
    verb, rest = split_verb(text)
    if not verb:
        return list_scorecard(caller, "")
    subcommand = KPI.find(verb)
    if subcommand is not None:
        return subcommand.run(caller, rest)
    try:
        found = log_or_show(caller, text)
    except Question:
        raise
    except UserError as error:  # no KPI by that name: perhaps a mistyped verb ("dgest here")
        question = KPI.mistyped_verb(verb, rest)
        if question is None:
            raise
        raise question from error
    if isinstance(found, ReadingLogged):
        return logged_reply(caller, found)
    return render("kpi_detail", detail=found)


def on_kpi(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    caller, text = from_command(command, services_of(context))
    answer(ack, client, lambda: run_kpi_command(caller, text), command_summary(command))


def is_slow(command: dict[str, Any]) -> bool:
    verb, rest = split_verb(command_text(command))
    return KPI.find(verb) is DIGEST_SUBCOMMAND and is_preview(rest)


def acknowledge_slow(ack: Ack) -> None:
    ack(response_type=EPHEMERAL, **render("working", what="the digest preview"))


def on_slow_kpi(
    respond: Respond, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Runs after the ack, in Bolt's lazy listener thread; the result replaces the ack."""
    caller, text = from_command(command, services_of(context))
    answer_later(respond, client, lambda: run_kpi_command(caller, text), command_summary(command))


def register(app: App) -> None:
    # Matched first: the slow few are acknowledged at once and finished by a lazy listener.
    app.command("/kpi", matchers=[is_slow])(ack=acknowledge_slow, lazy=[on_slow_kpi])
    app.command("/kpi")(on_kpi)
