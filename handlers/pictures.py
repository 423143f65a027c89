"""Pictures: `/kpi chart <kpi>`, `/kpi map`, and the "Show chart" buttons; drawn, then uploaded.

Drawing and uploading take a moment, so the command or click is acknowledged at once and the
work is done in a Bolt lazy listener, well inside Slack's 3 seconds. The picture goes to the
channel it was asked in (into the thread, for a button in a thread); where the app can't post,
to the person by DM, and the reply says so. Uploads use `files_upload_v2`
(files.getUploadURLExternal, the upload, files.completeUploadExternal); `files.upload` is retired.

Buttons elsewhere can offer the pictures: action_id `show_chart` with the KPI's key as the
value (a button's `value` or a select's `selected_option`), and `show_strategy_map`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.direct_messages import send_direct_message
from handlers.commands import Message, Subcommand, from_command, split_verb
from handlers.replies import EPHEMERAL, answer_aside, answer_later, command_summary
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_click
from scorecard.caller import Caller
from scorecard.strategy_map import strategy_map_for
from scorecard.trend import kpi_trend_for
from templates import render
from templates.formatting import escape_mrkdwn
from templates.pictures import draw_strategy_map, draw_trend

SHOW_CHART = "show_chart"
SHOW_STRATEGY_MAP = "show_strategy_map"
# Slack's answers when the app may not post in a conversation: the picture goes by DM instead.
CANNOT_POST_THERE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
)


@dataclass(frozen=True)
class Picture:
    png: bytes
    filename: str
    title: str  # the file's title on Slack, escaped
    comment: str  # the message posted with it (mrkdwn, escaped by its template)
    alt_text: str  # what a screen reader says for it
    what: str  # "the chart of Engagement rate", for the reply (plain text)


def chart_of(caller: Caller, text: str) -> Picture:
    """The trend chart of the KPI `text` names."""
    trend = kpi_trend_for(caller, text)
    comment = render("trend_chart_comment", trend=trend, by=caller.user, today=trend.today)
    return Picture(
        png=draw_trend(trend),
        filename=f"{trend.key}-trend.png",
        title=escape_mrkdwn(f"{trend.name}: trend"),
        comment=comment["text"],
        alt_text=comment["alt"],
        what=f"the chart of {trend.name}",
    )


def map_of(caller: Caller, text: str = "") -> Picture:
    """The strategy map of the workspace's scorecard."""
    strategy = strategy_map_for(caller)
    comment = render("strategy_map_comment", strategy=strategy, by=caller.user, today=None)
    return Picture(
        png=draw_strategy_map(strategy),
        filename="strategy-map.png",
        title=escape_mrkdwn(f"{strategy.scorecard_name}: strategy map"),
        comment=comment["text"],
        alt_text=comment["alt"],
        what="the strategy map",
    )


def share(
    client: WebClient, caller: Caller, picture: Picture, thread_ts: str | None = None
) -> Message:
    """Upload `picture` where it was asked for, or to the person by DM; the reply says where."""
    reason = None
    if caller.channel:
        try:
            _upload(client, caller.channel, picture, thread_ts)
            return render(
                "picture_shared", what=picture.what, place="thread" if thread_ts else "here"
            )
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason not in CANNOT_POST_THERE:
                raise
    direct = client.conversations_open(users=caller.user)["channel"]["id"]
    _upload(client, direct, picture, None)
    return render("picture_shared", what=picture.what, place="dm", reason=reason)


def _upload(client: WebClient, channel: str, picture: Picture, thread_ts: str | None) -> None:
    client.files_upload_v2(
        channel=channel,
        content=picture.png,
        filename=picture.filename,
        title=picture.title,
        initial_comment=picture.comment,
        alt_txt=picture.alt_text,
        thread_ts=thread_ts,
    )


# Typed: /kpi chart <kpi>, /kpi map


def offer_chart(caller: Caller, text: str) -> Message:
    """`/kpi chart` run without a place to upload to (from a choice button): offer a button."""
    trend = kpi_trend_for(caller, text)
    return render(
        "picture_offer",
        what=f"the chart of {trend.name}",
        label="Show chart",
        action_id=SHOW_CHART,
        value=trend.key,
    )


def offer_map(caller: Caller, text: str) -> Message:
    return render(
        "picture_offer",
        what="the strategy map",
        label="Show strategy map",
        action_id=SHOW_STRATEGY_MAP,
        value="",
    )


CHART_SUBCOMMAND = Subcommand(
    "chart",
    "/kpi chart <kpi>",
    "/kpi chart engagement rate",
    "A picture of a KPI over time (target, path, notes, actions), posted in this channel.",
    offer_chart,
    aliases=("trend", "graph", "plot"),
)
MAP_SUBCOMMAND = Subcommand(
    "map",
    "/kpi map",
    "/kpi map",
    "The strategy map as a picture: objectives by perspective, status and cause and effect.",
    offer_map,
    aliases=("strategy",),
)
DRAWINGS: dict[Subcommand, tuple[Callable[[Caller, str], Picture], str]] = {
    CHART_SUBCOMMAND: (chart_of, "the chart"),
    MAP_SUBCOMMAND: (map_of, "the strategy map"),
}


def _picture_command(command: dict[str, Any]) -> tuple[Subcommand, str] | None:
    verb, rest = split_verb(command.get("text") or "")
    found = next((sub for sub in DRAWINGS if sub.answers_to(verb.casefold())), None)
    return None if found is None else (found, rest)


def is_picture_command(command: dict[str, Any]) -> bool:
    return _picture_command(command) is not None


def acknowledge_command(ack: Ack, command: dict[str, Any]) -> None:
    found = _picture_command(command)
    what = DRAWINGS[found[0]][1] if found else "the picture"
    ack(response_type=EPHEMERAL, **render("working", what=what))


def draw_for_command(
    respond: Respond, client: WebClient, command: dict[str, Any], context: BoltContext
) -> None:
    """Runs after the ack, in Bolt's lazy listener thread; the result replaces the ack."""
    found = _picture_command(command)
    assert found is not None  # the matcher let only picture commands through
    subcommand, rest = found
    draw = DRAWINGS[subcommand][0]
    caller, _ = from_command(command, services_of(context))
    answer_later(
        respond, client, lambda: share(client, caller, draw(caller, rest)), command_summary(command)
    )


# Clicked: "Show chart" (a button or a select of KPIs), "Show strategy map"


def acknowledge_click(ack: Ack) -> None:
    ack()


def draw_chart_for_click(
    respond: Respond,
    client: WebClient,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
) -> None:
    key = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    _draw_for_click(respond, client, body, context, chart_of, key)


def draw_map_for_click(
    respond: Respond, client: WebClient, body: dict[str, Any], context: BoltContext
) -> None:
    _draw_for_click(respond, client, body, context, map_of, "")


def _draw_for_click(
    respond: Respond,
    client: WebClient,
    body: dict[str, Any],
    context: BoltContext,
    draw: Callable[[Caller, str], Picture],
    text: str,
) -> None:
    container = body.get("container") or {}
    caller = caller_of_click(body, services_of(context))
    # A button on a message in a thread (the digest's detail) answers in that thread.
    thread_ts = None if container.get("is_ephemeral") else container.get("thread_ts")
    about = {"team_id": caller.workspace, "user_id": caller.user, "text": text, "via": "button"}
    reply = respond if body.get("response_url") else _by_direct_message(client, caller.user)
    answer_aside(reply, client, lambda: share(client, caller, draw(caller, text), thread_ts), about)


def _by_direct_message(client: WebClient, user: str) -> Callable[..., None]:
    """Where a click has no message to answer under (a Home tab button): reply by DM."""

    def reply(response_type: str = "", replace_original: bool = False, **message: Any) -> None:
        send_direct_message(client, user, message)

    return reply


def register_commands(app: App) -> None:
    # Registered before /kpi's own listeners, so these verbs reach the lazy listener first.
    app.command("/kpi", matchers=[is_picture_command])(
        ack=acknowledge_command, lazy=[draw_for_command]
    )


def register(app: App) -> None:
    app.action(SHOW_CHART)(ack=acknowledge_click, lazy=[draw_chart_for_click])
    app.action(SHOW_STRATEGY_MAP)(ack=acknowledge_click, lazy=[draw_map_for_click])
