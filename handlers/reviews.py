"""/kpi review: open a strategy review in the channel, answer its buttons, close it with minutes.

Opening and closing post several messages, so the command is acknowledged at once and the work
is done in a Bolt lazy listener (as pictures are). The buttons in the review's thread:
- `review_comment` opens the one-line commentary modal;
- `review_new_action`, `review_change_target`, `review_accept_miss` open the decision modal
  (value "<review id>:<objective id>");
- `review_link` (a select) records keep / revise / retire on a cause-and-effect link at once
  (value "<review id>:<verdict>:<cause objective id>:<effect objective id>").
Every commentary and decision is also noted in the review's thread, so the thread is the record.
The same decision modal answers a forecast's question in a nudge (`forecast_*` buttons, value
"<kpi id>:<projected value>"); those decisions belong to no review.
"""

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.review_meetings import agenda_publisher, minutes_publisher
from handlers.commands import Message, Subcommand, command_text, from_command, split_verb
from handlers.modals import FieldError, block_of
from handlers.replies import EPHEMERAL, answer_later, command_summary
from handlers.services import services_of
from handlers.slack_plumbing import (
    answer_click,
    answer_submission,
    as_id,
    caller_of_click,
    caller_of_submission,
    click_summary,
    field,
    is_workspace_admin,
    metadata_of,
    modal_metadata,
    open_modal,
)
from scorecard.caller import Caller
from scorecard.errors import UserError
from scorecard.review_requests import (
    DecisionRequest,
    Recorded,
    close_review,
    decision_form,
    open_review,
    record_commentary,
    record_decision,
    schedule_reviews_here,
    stop_reviews_here,
)
from scorecard.reviews import (
    ACCEPT_MISS,
    CHANGE_TARGET,
    LINK_VERDICTS,
    NEW_ACTION,
)
from templates import render

logger = logging.getLogger(__name__)

OPEN_VERBS = ("", "open", "start", "now")
CLOSE_VERBS = ("close", "end", "minutes")
DECISION_BUTTONS = {
    "review_new_action": NEW_ACTION,
    "review_change_target": CHANGE_TARGET,
    "review_accept_miss": ACCEPT_MISS,
    "forecast_new_action": NEW_ACTION,
    "forecast_change_target": CHANGE_TARGET,
    "forecast_accept_miss": ACCEPT_MISS,
}
LOST_TRACK = "That button has lost track of its review. Open the review again with `/kpi review`."


# Typed: /kpi review [close | here <schedule> | off]


def run_review_verb(caller: Caller, text: str) -> Message:
    """The verbs that need no posting; opening and closing run in `meet` (they post)."""
    verb, rest = split_verb(text)
    verb = verb.casefold()
    if verb in ("here", "schedule"):
        view = schedule_reviews_here(caller, rest)
        return render("review_reply", outcome="scheduled", schedule=view, today=caller.now.date())
    if verb in ("off", "stop"):
        return render("review_reply", outcome="off", channel=stop_reviews_here(caller))
    if verb in OPEN_VERBS or verb in CLOSE_VERBS:
        return render("review_reply", outcome="offer")
    raise UserError(
        f"I don't know `/kpi review {verb}`. Try `/kpi review`, `/kpi review close`, "
        "`/kpi review here monthly on the first monday at 10:00` or `/kpi review off`."
    )


REVIEW_SUBCOMMAND = Subcommand(
    "review",
    "/kpi review [close | here <schedule> | off]",
    "/kpi review here monthly on the first monday at 10:00",
    "Open a strategy review in this channel (walks the map, asks owners, records decisions); "
    "close it with minutes; or hold one on a schedule.",
    run_review_verb,
    aliases=("reviews",),
)


def meet(client: WebClient, caller: Caller, text: str) -> Message:
    verb, _ = split_verb(text)
    if verb.casefold() in CLOSE_VERBS:
        closed = close_review(caller, minutes_publisher(client))
        return render(
            "review_reply", outcome="closed", minutes=closed.minutes, canvas=closed.canvas_id
        )
    agenda = open_review(caller, agenda_publisher(client, caller.channel or ""))
    return render("review_reply", outcome="opened", agenda=agenda, today=agenda.today)


def _meeting_text(command: dict[str, Any]) -> str | None:
    """The words after `/kpi review` when they open or close a review, else None."""
    verb, rest = split_verb(command_text(command))
    if not REVIEW_SUBCOMMAND.answers_to(verb.casefold()):
        return None
    inner, _ = split_verb(rest)
    return rest if inner.casefold() in OPEN_VERBS + CLOSE_VERBS else None


def is_meeting_command(command: dict[str, Any]) -> bool:
    return _meeting_text(command) is not None


def acknowledge_meeting(ack: Ack, command: dict[str, Any]) -> None:
    verb, _ = split_verb(_meeting_text(command) or "")
    what = "the minutes" if verb.casefold() in CLOSE_VERBS else "the review"
    ack(response_type=EPHEMERAL, **render("working", what=what))


def hold_meeting(
    respond: Respond, client: WebClient, command: dict[str, Any], context: BoltContext
) -> None:
    """Runs after the ack, in Bolt's lazy listener thread; the result replaces the ack."""
    caller, _ = from_command(command, services_of(context))
    text = _meeting_text(command) or ""
    answer_later(respond, client, lambda: meet(client, caller, text), command_summary(command))


# Clicked: the review's buttons, and the forecast question's


def _ids(value: str) -> tuple[int, int]:
    parts = value.split(":")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise UserError(LOST_TRACK)
    return int(parts[0]), int(parts[1])


def on_comment(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def build() -> Message:
        review_id, objective_id = _ids(str(action.get("value") or ""))
        form = decision_form(caller, review_id, objective_id)
        metadata = {**modal_metadata(caller, None), "review": review_id, "objective": objective_id}
        return render("modal_review_commentary", objective=form.objective, metadata=metadata)

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def on_decision_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))
    kind = DECISION_BUTTONS[str(action.get("action_id"))]
    from_forecast = str(action.get("action_id")).startswith("forecast_")

    def build() -> Message:
        first, second = _forecast_ids(action) if from_forecast else _ids(str(action.get("value")))
        if from_forecast:
            form = decision_form(caller, None, None, kpi_id=first)
            metadata = {"kpi": first, "forecast": second}
        else:
            form = decision_form(caller, first, second)
            metadata = {"review": first}
        metadata |= {
            **modal_metadata(caller, None),
            "objective": form.objective.id,
            "kind": kind,
        }
        return render(
            "modal_review_decision", kind=kind, form=form, metadata=metadata, today=form.today
        )

    open_modal(client, body["trigger_id"], caller, build, click_summary(body))


def _forecast_ids(action: dict[str, Any]) -> tuple[int, float]:
    kpi, _, projected = str(action.get("value") or "").partition(":")
    try:
        return int(kpi), float(projected)
    except ValueError:
        raise UserError("That button has lost track of its KPI. Try `/kpi show`.") from None


def on_link_verdict(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    caller = caller_of_click(body, services_of(context))

    def record() -> Message:
        value = str((action.get("selected_option") or {}).get("value") or "")
        parts = value.split(":")
        if len(parts) != 4 or parts[1] not in LINK_VERDICTS or not parts[0].isdigit():
            raise UserError(LOST_TRACK)
        request = DecisionRequest(
            kind=LINK_VERDICTS[parts[1]],
            review_id=int(parts[0]),
            objective_id=None,
            link=(int(parts[2]), int(parts[3])),
        )
        return _note_in_thread(client, record_decision(caller, request))

    answer_click(client, caller, record, click_summary(body))


# Submitted: the commentary and decision modals


def on_commentary_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    caller = caller_of_submission(body, services_of(context))
    metadata = metadata_of(view)

    def record() -> Message:
        review_id, objective_id = metadata.get("review"), metadata.get("objective")
        if not isinstance(review_id, int) or not isinstance(objective_id, int):
            raise UserError(LOST_TRACK)
        text = field(view, "commentary", "text") or ""
        return _note_in_thread(client, record_commentary(caller, review_id, objective_id, text))

    answer_submission(ack, client, caller, record, click_summary(body), block_of("commentary"))


def on_decision_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    caller = caller_of_submission(body, services_of(context))
    metadata = metadata_of(view)
    kind = str(metadata.get("kind") or "")
    if kind == CHANGE_TARGET:
        caller = caller.as_admin(is_workspace_admin(client, caller.user))

    def record() -> Message:
        kpi_id = metadata.get("kpi") or as_id(field(view, "kpi", "kpi"))
        if kind in (CHANGE_TARGET, ACCEPT_MISS) and kpi_id is None:
            raise FieldError("Which KPI?", "kpi")
        forecast = metadata.get("forecast")
        request = DecisionRequest(
            kind=kind,
            review_id=metadata.get("review"),
            objective_id=metadata.get("objective"),
            kpi_id=kpi_id,
            title=field(view, "title", "title") or "",
            owner=field(view, "owner", "owner"),
            due=_date(view, "due"),
            linked_action_id=as_id(field(view, "link", "link")),
            target=field(view, "target", "target") or "",
            target_date=_date(view, "target_date"),
            reason=field(view, "reason", "reason") or "",
            forecast_value=float(forecast) if isinstance(forecast, int | float) else None,
        )
        return _note_in_thread(client, record_decision(caller, request))

    default = {NEW_ACTION: "title", CHANGE_TARGET: "target", ACCEPT_MISS: "reason"}.get(kind, "kpi")
    answer_submission(ack, client, caller, record, click_summary(body), block_of(default))


def _date(view: dict[str, Any], block: str) -> date | None:
    text = field(view, block, block)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise FieldError("That isn't a date I can read.", block) from None


def _note_in_thread(client: WebClient, recorded: Recorded) -> Message:
    """Note a commentary or decision in its review's thread; the confirmation for the person."""
    noted = render("review_noted", recorded=recorded, today=recorded.today)
    if recorded.channel and recorded.thread_ts:
        try:
            client.chat_postMessage(channel=recorded.channel, thread_ts=recorded.thread_ts, **noted)
        except SlackApiError as error:  # stored all the same: the minutes will carry it
            logger.warning("Could not note in review thread: %s", error.response.get("error"))
    return noted


def register_commands(app: App) -> None:
    # Registered before /kpi's own listener, so opening and closing reach the lazy listener.
    app.command("/kpi", matchers=[is_meeting_command])(ack=acknowledge_meeting, lazy=[hold_meeting])


def register(app: App) -> None:
    app.action("review_comment")(on_comment)
    for action_id in DECISION_BUTTONS:
        app.action(action_id)(on_decision_button)
    app.action("review_link")(on_link_verdict)
    app.view("review_commentary")(on_commentary_submitted)
    app.view("review_decision")(on_decision_submitted)
