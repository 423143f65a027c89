"""Workflow Builder steps: "Log a KPI reading", so a team builds its own check-in form, no code.

Slack runs a step by sending a `function_executed` event (an `event_callback`) with the step's
inputs and a token for this one execution (`bot_access_token`, which Bolt's
AttachingFunctionToken puts on the request's client). The step ends with Bolt's `complete()`
(`functions.completeSuccess`, with the outputs) or `fail()` (`functions.completeError`, with a
message the person can act on). A reading the bot is not sure about (a Question) fails the step
with the question, and nothing is stored. https://docs.slack.dev/workflows/workflow-steps

Each step is declared once here, inputs and outputs included: `bot/manifest.py` writes the
manifest's `functions` from these declarations, and the listener reads the same names.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk.errors import SlackApiError

from bot.plain_text import message_to_text, mrkdwn_to_text
from handlers.replies import Outcome, settle
from handlers.services import services_of
from scorecard.caller import Caller
from scorecard.errors import Question, UserError
from scorecard.kpi_requests import log_reading_fields
from templates import render
from templates.formatting import status_label

logger = logging.getLogger(__name__)

# Slack's answer when a step's execution was completed already: a retried event finds it so.
ALREADY_COMPLETED = "execution_not_in_running_state"


@dataclass(frozen=True)
class StepParameter:
    """One input or output of a step, as Workflow Builder shows it."""

    name: str
    type: str  # Slack's parameter types: "string", "slack#/types/date", "slack#/types/user_id"
    title: str
    description: str
    required: bool = False
    hint: str = ""


@dataclass(frozen=True)
class WorkflowStep:
    callback_id: str  # the manifest's key under `functions`, and `app.function`'s id
    title: str
    description: str
    inputs: tuple[StepParameter, ...]
    outputs: tuple[StepParameter, ...]


KPI, VALUE, DATE, NOTE, LOGGED_BY = "kpi", "value", "date", "note", "logged_by"
STATUS, MESSAGE = "status", "message"

LOG_READING_STEP = WorkflowStep(
    "log_kpi_reading",
    "Log a KPI reading",
    "Record a reading of a scorecard KPI, exactly as /kpi log does.",
    inputs=(
        StepParameter(
            KPI,
            "string",
            "KPI",
            "The KPI's name or key, as /kpi log takes it (typos are forgiven).",
            required=True,
            hint="Instagram followers",
        ),
        StepParameter(
            VALUE,
            "string",
            "Value",
            "The reading as people type it: 12400, 12.4k, 35%, €1,200.",
            required=True,
            hint="12.4k",
        ),
        StepParameter(DATE, "slack#/types/date", "Date", "The day it is for; empty means today."),
        StepParameter(NOTE, "string", "Note", "What happened, for the team (optional)."),
        StepParameter(
            LOGGED_BY,
            "slack#/types/user_id",
            "Logged by",
            "Who the reading is from: usually the person who filled in the form.",
            required=True,
        ),
    ),
    outputs=(
        StepParameter(
            STATUS,
            "string",
            "KPI status",
            "Where the KPI stands after this reading: on track, at risk, off track or no data.",
            required=True,
        ),
        StepParameter(
            MESSAGE,
            "string",
            "Confirmation",
            "What was logged, as /kpi log says it.",
            required=True,
        ),
    ),
)

WORKFLOW_STEPS = (LOG_READING_STEP,)


def log_reading(caller: Caller, inputs: dict[str, Any]) -> dict[str, str]:
    """The step's outputs, after logging the reading its inputs describe."""
    logged = log_reading_fields(
        caller,
        _text(inputs.get(KPI)),
        _text(inputs.get(VALUE)),
        _day(inputs.get(DATE)),
        _text(inputs.get(NOTE)),
    )
    confirmation = message_to_text(render("kpi_logged", logged=logged))
    return {STATUS: status_label(logged.kpi.status), MESSAGE: confirmation}


def on_log_reading(
    body: dict[str, Any],
    event: dict[str, Any],
    inputs: dict[str, Any],
    context: BoltContext,
    complete: Complete,
    fail: Fail,
) -> None:
    caller = caller_of_step(body, event, inputs, services_of(context).caller)
    about = {"team_id": caller.workspace, "step": LOG_READING_STEP.callback_id, "inputs": inputs}
    outcome = settle(lambda: _with_person(caller, inputs), about)
    finish(outcome, complete, fail)


def _with_person(caller: Caller, inputs: dict[str, Any]) -> dict[str, str]:
    if not caller.user:
        raise UserError(
            "This step doesn't say who the reading is from. In Workflow Builder, set the step's "
            "“Logged by” to the person who filled in the form."
        )
    return log_reading(caller, inputs)


def caller_of_step(
    body: dict[str, Any],
    event: dict[str, Any],
    inputs: dict[str, Any],
    make_caller: Callable[..., Caller],
) -> Caller:
    """The person the step names, in the workspace it ran in, at the moment it ran: a retried
    event keeps its `event_ts`, so a retry means the same reading, on the same day."""
    caller = make_caller(workspace=body.get("team_id", ""), user=_text(inputs.get(LOGGED_BY)))
    moment = _moment(event.get("event_ts"))
    return caller if moment is None else replace(caller, now=moment)


def finish(outcome: Outcome, complete: Complete, fail: Fail) -> None:
    """Complete the step with its outputs, or fail it with what the person should do."""
    try:
        if outcome.succeeded:
            complete(outputs=outcome.message)
        else:
            fail(error=failure_text(outcome))
    except SlackApiError as error:
        code = error.response.get("error")
        if code == ALREADY_COMPLETED:
            logger.info("Workflow step already completed (a retried event): %s", code)
        else:
            logger.warning("Slack refused to complete the workflow step: %s", code)


def failure_text(outcome: Outcome) -> str:
    """A person's mistake or a question in plain words (a question's choices named), or the
    apology for a bug with its reference."""
    error = outcome.mistake
    if error is None:
        return message_to_text(outcome.message)
    text = mrkdwn_to_text(error.message)
    if isinstance(error, Question) and error.choices:
        labels = ", ".join(f"“{choice.label}”" for choice in error.choices)
        text += f" Nothing was logged: run it again with one of {labels}."
    return text


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _day(value: object) -> date | None:
    """A `slack#/types/date` input: "2026-11-20"; empty means today."""
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"“{text}” is not a date. Give the day as YYYY-MM-DD, or leave it empty for today."
        ) from None


def _moment(event_ts: object) -> datetime | None:
    """ "1764000000.123456" (Slack's event_ts) as a UTC time, to the microsecond."""
    seconds, _, fraction = _text(event_ts).partition(".")
    if not seconds.isdigit() or (fraction and not fraction.isdigit()):
        return None
    moment = datetime.fromtimestamp(int(seconds), UTC)
    return moment.replace(microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0)


def register(app: App) -> None:
    app.function(LOG_READING_STEP.callback_id)(on_log_reading)
