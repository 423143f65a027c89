"""The Workflow Builder step "Log a KPI reading" end to end: Slack's signed `function_executed`
events into the real app, the step's completion recorded by the Web API stand-in."""

import itertools
import json
import urllib.error
import urllib.request
from datetime import date
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot.signed_requests import HttpAnswer, signed_headers
from bot.slack_standin import APP_ID, COMPLETE_ERROR, COMPLETE_SUCCESS, RecordedCall
from handlers.workflow_steps import LOG_READING_STEP
from storage.db import Database
from storage.models import Kpi, Reading
from tests.conftest import TEST_NOW
from tests.harness import SIGNING_SECRET, WORKSPACE, SlackHarness
from tests.installs import install
from tests.sample import SAMPLE_SCORECARD

_executions = itertools.count(1)


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(SAMPLE_SCORECARD)
    return slack


class Step:
    """One run of the step in a workflow: its event, as Slack sends (and resends) it."""

    def __init__(self, slack: SlackHarness, inputs: dict[str, Any], team: str = WORKSPACE) -> None:
        number = next(_executions)
        self.slack = slack
        self.execution_id = f"Fx{number:08d}"
        self.token = f"xwfp-{number}-workflow-token"
        self.body = json.dumps(
            {
                "token": "unused-verification-token",
                "team_id": team,
                "api_app_id": APP_ID,
                "type": "event_callback",
                "event_id": f"Ev{number:08d}",
                "event_time": int(slack.now.timestamp()),
                "event": {
                    "type": "function_executed",
                    "function": {
                        "id": "Fn0LOGREADING",
                        "callback_id": LOG_READING_STEP.callback_id,
                        "title": LOG_READING_STEP.title,
                        "type": "app",
                        "app_id": APP_ID,
                    },
                    "inputs": inputs,
                    "function_execution_id": self.execution_id,
                    "workflow_execution_id": f"Wx{number:08d}",
                    "event_ts": f"{slack.now.timestamp():.6f}",
                    "bot_access_token": self.token,
                },
            }
        )
        slack.api.run_function(self.execution_id, self.token)

    def send(self, *, retry: int | None = None) -> HttpAnswer:
        """Deliver the event (again, with X-Slack-Retry-Num, when `retry` is given)."""
        headers = {**signed_headers(self.body, SIGNING_SECRET), "Content-Type": "application/json"}
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(
            self.slack.sender.events_url, data=self.body.encode(), method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpAnswer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read().decode())

    def completions(self) -> list[RecordedCall]:
        return [
            call
            for call in self.slack.api.calls()
            if call.method in (COMPLETE_SUCCESS, COMPLETE_ERROR)
            and call.params.get("function_execution_id") == self.execution_id
        ]


def run_step(slack: SlackHarness, team: str = WORKSPACE, **inputs: Any) -> RecordedCall:
    """Run the step once; the one call that ended it."""
    step = Step(slack, {"logged_by": "U0SOCIAL", **inputs}, team)
    assert step.send().status == 200
    [completion] = step.completions()
    assert completion.token == step.token  # the execution's own token, not the bot's
    return completion


def readings_of(slack: SlackHarness, kpi_key: str) -> list[Reading]:
    with slack.database.reading() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == kpi_key)).one()
        rows = session.exec(select(Reading).where(Reading.kpi_id == kpi.id)).all()
        session.expunge_all()
        return list(rows)


def test_the_step_logs_the_reading_and_completes_with_its_outputs(team: SlackHarness) -> None:
    completion = run_step(
        team, kpi="instagram folowers", value="12.4k", date="2026-11-20", note="after the giveaway"
    )

    assert completion.method == COMPLETE_SUCCESS
    outputs = completion.params["outputs"]
    assert set(outputs) == {output.name for output in LOG_READING_STEP.outputs}
    assert outputs["status"] in ("on track", "at risk", "off track")
    assert "Logged Instagram followers: 12,400" in outputs["message"]
    assert "Fri 20 Nov" in outputs["message"]
    [reading] = readings_of(team, "instagram_followers")
    assert (reading.value, reading.period) == (12400, date(2026, 11, 20))
    assert (reading.logged_by, reading.note) == ("U0SOCIAL", "after the giveaway")


def test_without_a_date_the_reading_is_for_today_in_the_scorecards_time_zone(
    team: SlackHarness,
) -> None:
    completion = run_step(team, kpi="Response time", value="90 min")

    assert completion.method == COMPLETE_SUCCESS
    [reading] = readings_of(team, "response_time")
    assert (reading.value, reading.period, reading.note) == (1.5, date(2026, 11, 24), None)


def test_a_value_the_bot_is_unsure_of_fails_the_step_with_the_question(
    team: SlackHarness,
) -> None:
    completion = run_step(team, kpi="engagement rate", value="0.03")

    assert completion.method == COMPLETE_ERROR
    error = completion.params["error"]
    assert "0.03%" in error and "3%" in error
    assert "Nothing was logged" in error
    assert readings_of(team, "engagement_rate") == []


def test_a_kpi_name_that_could_be_two_fails_the_step_naming_both(team: SlackHarness) -> None:
    reach = "  - {key: instagram_reach, name: Instagram reach, baseline: 1, target: 2}\n"
    team.load(SAMPLE_SCORECARD.replace("kpis:\n", "kpis:\n" + reach, 1))

    completion = run_step(team, kpi="instagram", value="12400")

    assert completion.method == COMPLETE_ERROR
    assert "Instagram followers" in completion.params["error"]
    assert "Instagram reach" in completion.params["error"]
    assert readings_of(team, "instagram_followers") == []


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"kpi": "tiktok views", "value": "12"}, "tiktok views"),
        ({"kpi": "followers", "value": "lots"}, "lots"),
        ({"kpi": "followers", "value": "12400", "date": "2026-11-30"}, "future"),
        ({"kpi": "followers", "value": "12400", "date": "next week"}, "YYYY-MM-DD"),
        ({"kpi": "followers", "value": "12400", "logged_by": ""}, "Logged by"),
    ],
)
def test_what_cannot_be_logged_fails_the_step_saying_what_to_change(
    team: SlackHarness, inputs: dict[str, str], says: str
) -> None:
    completion = run_step(team, **inputs)

    assert completion.method == COMPLETE_ERROR
    assert says in completion.params["error"]
    assert readings_of(team, "instagram_followers") == []


def test_a_retried_event_logs_the_reading_once(team: SlackHarness) -> None:
    step = Step(team, {"kpi": "followers", "value": "12400", "logged_by": "U0SOCIAL"})

    assert step.send().status == 200
    team.advance(minutes=1)  # Slack retries after a minute; the event keeps its time
    assert step.send(retry=1).status == 200

    assert len(readings_of(team, "instagram_followers")) == 1
    first, second = step.completions()
    assert first.method == second.method == COMPLETE_SUCCESS
    answers = [call.params.get("function_execution_id") for call in (first, second)]
    assert answers == [step.execution_id] * 2  # the second one Slack refuses: already complete


def test_two_runs_of_the_same_form_log_two_readings(team: SlackHarness) -> None:
    run_step(team, kpi="followers", value="12400", date="2026-11-20")
    team.advance(seconds=30)
    run_step(team, kpi="followers", value="12400", date="2026-11-20")

    assert len(readings_of(team, "instagram_followers")) == 2


def test_in_a_workspace_installed_through_oauth_the_step_ends_with_its_own_token(
    database: Database,
) -> None:
    slack = SlackHarness(database, now=TEST_NOW, oauth=True)
    try:
        for team, token in ((WORKSPACE, "xoxb-demo"), ("T0OTHER", "xoxb-other")):
            assert install(slack, team, bot_token=token, installer="U0ADMIN").status == 200
        slack.load(SAMPLE_SCORECARD)  # for T0DEMO only

        logged = run_step(slack, kpi="followers", value="12400")
        elsewhere = run_step(slack, team="T0OTHER", kpi="followers", value="12400")
    finally:
        slack.close()

    assert logged.method == COMPLETE_SUCCESS
    assert len(readings_of(slack, "instagram_followers")) == 1
    assert elsewhere.method == COMPLETE_ERROR
    assert "scorecard" in elsewhere.params["error"].lower()


def test_the_stand_in_ends_a_step_only_with_its_token_and_only_once(slack: SlackHarness) -> None:
    """What makes the tests above mean something: Slack's answers for a step's completion."""
    slack.api.run_function("Fx0STANDIN", "xwfp-standin")

    def complete(token: str, execution: str = "Fx0STANDIN") -> str:
        client = WebClient(token=token, base_url=slack.api.api_url)
        try:
            client.functions_completeSuccess(function_execution_id=execution, outputs={})
        except SlackApiError as error:
            return str(error.response["error"])
        return "ok"

    assert complete("xoxb-test") == "invalid_auth"  # the bot's own token won't do
    assert complete("xwfp-standin", "Fx0UNKNOWN") == "function_execution_not_found"
    assert complete("xwfp-standin") == "ok"
    assert complete("xwfp-standin") == "execution_not_in_running_state"
