"""/kpi: log readings, show a KPI, list the scorecard, notes, undo and help."""

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.action import ACTION
from handlers.admins import ADMINS_SUBCOMMAND
from handlers.commands import (
    Message,
    SlashCommand,
    Subcommand,
    command_text,
    from_command,
    split_verb,
)
from handlers.digests import DIGEST_SUBCOMMAND, is_preview
from handlers.forms import reading_modal, structure_modal
from handlers.home import HomeRefresh
from handlers.pictures import CHART_SUBCOMMAND, MAP_SUBCOMMAND
from handlers.replies import EPHEMERAL, Built, Reply, answer, answer_later, command_summary
from handlers.reviews import REVIEW_SUBCOMMAND
from handlers.services import services_of
from handlers.sharing import logged_reply
from handlers.slack_plumbing import open_modal
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
from scorecard.structure_edits import edit_item_form, new_item_form
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


LOG_SUBCOMMAND = Subcommand(
    "log",
    "/kpi log <kpi> <value> [date] [note]",
    "/kpi log instagram followers 12.4k yesterday after the giveaway",
    "Record a reading. A date (yesterday, on friday, 20 Nov) may come before or after "
    "the value and defaults to today; the rest is a note. Asks when unsure. "
    "`/kpi log` alone opens a form.",
    log_reading,
    aliases=("add", "record"),
)


def type_it(caller: Caller, text: str) -> Message:
    """`/kpi new` and `/kpi edit` open a form, which needs Slack's trigger: only typed commands
    reach them (see `on_structure_form`); a button that runs one gets this."""
    raise UserError("That one opens a form: type it yourself, like `/kpi new action`.")


NEW_SUBCOMMAND = Subcommand(
    "new",
    "/kpi new objective|kpi|action",
    "/kpi new action",
    "A form to add an objective, a KPI or an action (admins).",
    type_it,
    aliases=("create",),
)
EDIT_SUBCOMMAND = Subcommand(
    "edit",
    "/kpi edit [objective|kpi|action] <name>",
    "/kpi edit action daily meme posts",
    "A form to change an objective, a KPI or an action, or link an action to an objective "
    "(admins).",
    type_it,
    aliases=("change",),
)

KPI = SlashCommand(
    "/kpi",
    "KPIs: log readings and see how the scorecard stands",
    [
        LOG_SUBCOMMAND,
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
        NEW_SUBCOMMAND,
        EDIT_SUBCOMMAND,
        ADMINS_SUBCOMMAND,
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


def wants_reading_form(command: dict[str, Any]) -> bool:
    """`/kpi log` with nothing after it: the Log-reading modal, instead of a usage error."""
    verb, rest = split_verb(command_text(command))
    return KPI.find(verb) is LOG_SUBCOMMAND and not rest.strip()


def on_reading_form(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller, _ = from_command(command, services_of(context))
    build = lambda: reading_modal(caller, None)  # noqa: E731
    open_modal(client, command["trigger_id"], caller, build, command_summary(command))


def wants_structure_form(command: dict[str, Any]) -> bool:
    """`/kpi new …` and `/kpi edit …` open a form."""
    verb, _ = split_verb(command_text(command))
    return KPI.find(verb) in (NEW_SUBCOMMAND, EDIT_SUBCOMMAND)


def on_structure_form(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller, text = from_command(command, services_of(context))
    verb, rest = split_verb(text)
    opens = new_item_form if KPI.find(verb) is NEW_SUBCOMMAND else edit_item_form
    build = lambda: structure_modal(caller, opens(caller, rest))  # noqa: E731
    open_modal(client, command["trigger_id"], caller, build, command_summary(command))


def register(app: App) -> None:
    # Matched first: the slow few are acknowledged at once and finished by a lazy listener.
    app.command("/kpi", matchers=[is_slow])(ack=acknowledge_slow, lazy=[on_slow_kpi])
    app.command("/kpi", matchers=[wants_reading_form])(on_reading_form)
    app.command("/kpi", matchers=[wants_structure_form])(on_structure_form)
    app.command("/kpi")(on_kpi)
