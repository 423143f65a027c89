"""The HTTP edge: Slack's signatures, the health check, and many commands at once."""

import json
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from storage.models import Reading
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD

FIVE_MINUTES = 5 * 60


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(SAMPLE_SCORECARD)
    return slack


def reading_count(team: SlackHarness) -> int:
    with team.database.reading() as session:
        return session.exec(select(func.count()).select_from(Reading)).one()


def log_form(text: str) -> str:
    return urllib.parse.urlencode(
        {"team_id": "T0DEMO", "user_id": "U0LEAD", "command": "/kpi", "text": text}
    )


def test_a_bad_signature_is_refused_and_changes_nothing(team: SlackHarness) -> None:
    answer = team.sender.post(log_form("log instagram followers 12000"), signature="v0=" + "0" * 64)

    assert answer.status == 401
    assert reading_count(team) == 0


def test_an_old_timestamp_is_refused_even_when_signed(team: SlackHarness) -> None:
    stale = int(time.time()) - FIVE_MINUTES - 30

    answer = team.sender.post(log_form("log instagram followers 12000"), timestamp=stale)

    assert answer.status == 401
    assert reading_count(team) == 0


def test_a_signed_request_with_the_same_body_is_accepted(team: SlackHarness) -> None:
    answer = team.sender.post(log_form("log instagram followers 12000"))

    assert answer.status == 200
    assert reading_count(team) == 1


def test_health_check_answers_when_the_database_does(team: SlackHarness) -> None:
    with urllib.request.urlopen(team.server.url + "/healthz", timeout=5) as response:
        assert response.status == 200


def test_fifty_readings_sent_at_once_all_land_exactly_once(team: SlackHarness) -> None:
    values = [12000 + number for number in range(50)]

    def log(value: int) -> int:
        user = f"U{value}"
        return team.command("/kpi", f"log instagram followers {value}", user=user).status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(log, values))

    assert statuses == [200] * 50
    with team.database.reading() as session:
        stored = session.exec(select(Reading.value, Reading.logged_by)).all()
    assert sorted(value for value, _ in stored) == values
    assert {user for _, user in stored} == {f"U{value}" for value in values}


def test_slack_url_verification_and_events_are_answered(team: SlackHarness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    answer = team.sender.post(body)

    assert answer.status == 200
    assert "abc123" in answer.body
