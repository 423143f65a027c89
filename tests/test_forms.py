"""Modals and shortcuts (issue 8, item 2) end to end through signed requests: the Log-reading
form from `/kpi log`, the global shortcut and its type-ahead KPI picker."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from storage.models import Kpi, Reading
from tests.harness import SlackHarness
from tests.test_permissions import OWNERS_ONLY
from tests.test_the_right_item import COMMUNITY


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(COMMUNITY)
    return slack


def kpi_id(slack: SlackHarness, key: str) -> int:
    with slack.database.reading() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == key)).one()
        assert kpi.id is not None
        return kpi.id


def readings_of(slack: SlackHarness, key: str) -> list[tuple[float, str, str | None]]:
    with slack.database.reading() as session:
        query = select(Reading).where(Reading.kpi_id == kpi_id(slack, key)).order_by(Reading.id)
        return [(r.value, r.logged_by, r.note) for r in session.exec(query).all()]


def reading(kpi: int | None, value: str, day: str | None = None, note: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {
        "value": {"value": {"type": "plain_text_input", "value": value}},
        "note": {"note": {"type": "plain_text_input", "value": note or None}},
        "day": {"day": {"type": "datepicker", "selected_date": day}},
    }
    if kpi is not None:
        picked = {"value": str(kpi), "text": {"type": "plain_text", "text": "?"}}
        values["kpi"] = {"kpi_search": {"type": "external_select", "selected_option": picked}}
    return values


def test_kpi_log_alone_opens_the_form_and_logs_from_it(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log", user="U0SOCIAL")

    assert reply.status == 200 and reply.text == ""
    view = team.last_view()
    assert view["callback_id"] == "log_reading_modal"
    picker = view["blocks"][0]["element"]
    assert picker["type"] == "external_select" and picker["action_id"] == "kpi_search"

    own_first = team.block_suggestion(view, "kpi", "kpi_search", "", user="U0SOCIAL")
    assert own_first[0]["text"]["text"] == "Instagram followers"  # U0SOCIAL's own KPIs first
    typed = team.block_suggestion(view, "kpi", "kpi_search", "ig folowers", user="U0SOCIAL")
    assert typed[0]["text"]["text"] == "Instagram followers"
    assert typed[0]["value"] == str(kpi_id(team, "instagram_followers"))

    before = readings_of(team, "instagram_followers")
    followers = kpi_id(team, "instagram_followers")
    yesterday = (team.now - timedelta(days=1)).date().isoformat()
    answer = team.view_submission(
        view, reading(followers, "12.4k", yesterday, "after the giveaway"), user="U0SOCIAL"
    )

    assert answer.status == 200 and answer.body == ""
    assert readings_of(team, "instagram_followers") == [
        *before,
        (12400.0, "U0SOCIAL", "after the giveaway"),
    ]
    told = team.api.calls("chat.postEphemeral")[-1].params
    assert told["channel"] == "C0DEMO" and told["user"] == "U0SOCIAL"
    assert "Instagram followers" in str(told["blocks"])


def test_mistakes_show_on_the_field_that_is_wrong(team: SlackHarness) -> None:
    team.command("/kpi", "log", user="U0SOCIAL")
    view = team.last_view()
    followers = kpi_id(team, "instagram_followers")
    before = readings_of(team, "instagram_followers")
    future = (team.now + timedelta(days=2)).date().isoformat()

    no_kpi = team.view_submission(view, reading(None, "12"), user="U0SOCIAL").json()
    not_a_number = team.view_submission(view, reading(followers, "lots"), user="U0SOCIAL").json()
    too_early = team.view_submission(view, reading(followers, "12", future), user="U0SOCIAL").json()

    assert no_kpi["response_action"] == "errors" and list(no_kpi["errors"]) == ["kpi"]
    assert list(not_a_number["errors"]) == ["value"] and "number" in not_a_number["errors"]["value"]
    assert list(too_early["errors"]) == ["day"] and "future" in too_early["errors"]["day"]
    assert readings_of(team, "instagram_followers") == before


def test_the_global_shortcut_opens_the_same_form_and_answers_in_a_dm(team: SlackHarness) -> None:
    reply = team.shortcut("log_reading_shortcut", user="U0COMMUNITY")

    assert reply.status == 200
    view = team.last_view()
    assert view["callback_id"] == "log_reading_modal"
    answer = team.view_submission(
        view, reading(kpi_id(team, "response_time"), "3.5"), user="U0COMMUNITY"
    )

    assert answer.body == ""
    assert readings_of(team, "response_time")[-1] == (3.5, "U0COMMUNITY", None)
    [dm] = team.api.calls("chat.postMessage")
    assert "Logged *Median response time" in str(dm.params["blocks"])


def test_a_reading_the_scorecard_keeps_for_owners_is_refused_on_the_kpi(
    slack: SlackHarness,
) -> None:
    slack.load(OWNERS_ONLY)
    slack.shortcut("log_reading_shortcut", user="U0SOCIAL")
    before = readings_of(slack, "response_time")

    answer = slack.view_submission(
        slack.last_view(), reading(kpi_id(slack, "response_time"), "3.5"), user="U0SOCIAL"
    ).json()

    assert answer["response_action"] == "errors"
    assert "<@U0COMMUNITY>" in answer["errors"]["kpi"]
    assert readings_of(slack, "response_time") == before


def test_a_form_slack_will_not_open_is_explained(team: SlackHarness) -> None:
    team.api.fail_next("views.open", "expired_trigger_id")

    team.shortcut("log_reading_shortcut", user="U0SOCIAL")

    [dm] = team.api.calls("chat.postMessage")
    assert "took too long" in str(dm.params["blocks"])
