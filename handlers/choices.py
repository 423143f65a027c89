"""The buttons of a question ("Did you mean …?"): run the chosen command as if it was typed.

A `Question` reply (see `templates/question.json.j2`) carries one button per choice; each button's
value is the exact command text to run. Picking one replaces the question with the answer, so the
person sees one reply, never the question and the answer side by side.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.action import run_action_command
from handlers.kpi import run_kpi_command
from handlers.replies import EPHEMERAL, Built, answer_later, error_message
from handlers.services import services_of
from handlers.slack_plumbing import caller_of_click
from handlers.why import explain
from scorecard.caller import Caller

RUNNERS: dict[str, Callable[[Caller, str], Built]] = {
    "/kpi": run_kpi_command,
    "/why": explain,
    "/action": run_action_command,
}
NOTHING_STORED = "OK, nothing was stored."


def on_choice(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    chosen = _chosen(action.get("value"))
    if chosen is None:
        respond(response_type=EPHEMERAL, replace_original=True, **error_message(NOTHING_STORED))
        return
    command, text = chosen
    caller = caller_of_click(body, services_of(context))
    about = {
        "team_id": caller.workspace,
        "user_id": caller.user,
        "command": command,
        "text": text,
        "via": "choice button",
    }
    answer_later(respond, client, lambda: RUNNERS[command](caller, text), about)


def _chosen(value: Any) -> tuple[str, str] | None:
    """(command, text) from a choice button's value; None for "None of these" or a bad value."""
    try:
        chosen = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(chosen, dict) or chosen.get("command") not in RUNNERS:
        return None
    return chosen["command"], str(chosen.get("text") or "")


def register(app: App) -> None:
    app.action(re.compile(r"^choice_"))(on_choice)
