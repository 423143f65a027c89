"""Modals and shortcuts (issue 8, item 2) end to end through signed requests: the Log-reading
form from `/kpi log`, the global shortcut and its type-ahead KPI picker."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from scorecard.exporting import export_scorecard
from storage.models import Action, Kpi, Objective, Reading
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


# Creating and editing the structure: admins only, by the scorecard file's rules.


def text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def pick(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def structure_rows(slack: SlackHarness) -> tuple[list[Any], list[Any], list[Any]]:
    with slack.database.reading() as session:
        return (
            [(o.key, o.title, o.owner) for o in session.exec(select(Objective)).all()],
            [(k.key, k.name, k.target) for k in session.exec(select(Kpi)).all()],
            [(a.key, a.objective_id, a.owner, a.status) for a in session.exec(select(Action))],
        )


def action_named(slack: SlackHarness, key: str) -> Action:
    with slack.database.reading() as session:
        return session.exec(select(Action).where(Action.key == key)).one()


def objective_id(slack: SlackHarness, key: str) -> int | None:
    with slack.database.reading() as session:
        return session.exec(select(Objective).where(Objective.key == key)).one().id


@pytest.fixture
def boss(team: SlackHarness) -> str:
    team.api.add_user("U0BOSS", is_admin=True)
    return "U0BOSS"


def test_someone_who_is_not_an_admin_gets_no_form(team: SlackHarness) -> None:
    before = structure_rows(team)

    reply = team.command("/kpi", "new action", user="U0SOCIAL")

    assert reply.text == "" and team.api.calls("views.open") == []
    [refusal] = team.api.calls("chat.postEphemeral")
    assert "Only a workspace admin or owner" in str(refusal.params["blocks"])
    assert structure_rows(team) == before


def test_an_admin_adds_an_objective_that_supports_another(team: SlackHarness, boss: str) -> None:
    team.command("/kpi", "new objective", user=boss)
    view = team.last_view()
    assert view["callback_id"] == "structure_modal"

    answer = team.view_submission(
        view,
        {
            "title": {"title": text("Members <!channel> recommend us")},
            "perspective": {"perspective": pick("customer")},
            "owner": {"owner": {"type": "users_select", "selected_user": "U0COMMUNITY"}},
            "supports": {
                "supports": {
                    "type": "multi_static_select",
                    "selected_options": [{"value": "revenue_growth"}],
                }
            },
        },
        user=boss,
    )

    assert answer.body == ""
    objectives, _, _ = structure_rows(team)
    assert ("members_channel_recommend_us", "Members <!channel> recommend us", "U0COMMUNITY") in (
        objectives
    )
    told = str(team.api.calls("chat.postEphemeral")[-1].params["blocks"])
    assert "Added the objective" in told and "&lt;!channel&gt;" in told
    exported = export_scorecard(team.database, "T0DEMO")
    assert "supports:\n  - revenue_growth" in exported or "supports: [revenue_growth]" in exported


def test_a_kpi_form_is_checked_by_the_file_rules(team: SlackHarness, boss: str) -> None:
    team.command("/kpi", "new kpi", user=boss)
    view = team.last_view()
    before = structure_rows(team)
    values = {
        "name": {"name": text("TikTok followers")},
        "objective": {"objective": pick("brand_awareness")},
        "baseline": {"baseline": text("lots")},
        "target": {"target": text("12.4k")},
    }

    refused = team.view_submission(view, values, user=boss).json()
    values["baseline"] = {"baseline": text("1,200")}
    stored = team.view_submission(view, values, user=boss)

    assert refused["response_action"] == "errors" and list(refused["errors"]) == ["baseline"]
    assert "number" in refused["errors"]["baseline"]
    assert stored.body == ""
    _, kpis, _ = structure_rows(team)
    assert set(kpis) - set(before[1]) == {("tiktok_followers", "TikTok followers", 12400.0)}


def test_an_admin_links_and_unlinks_an_action(team: SlackHarness, boss: str) -> None:
    team.command("/kpi", "edit action daily meme posts", user=boss)
    view = team.last_view()
    assert view["blocks"][0]["element"]["initial_value"] == "Daily meme posts"

    def save(objective: str | None) -> None:
        team.command("/kpi", "edit action daily meme posts", user=boss)  # a form of its own
        view = team.last_view()
        values = {
            "title": {"title": text("Daily meme posts")},
            "owner": {"owner": {"type": "users_select", "selected_user": "U0SOCIAL"}},
        }
        if objective:
            values["objective"] = {"objective": pick(objective)}
        assert team.view_submission(view, values, user=boss).body == ""

    save("engaging_content")
    linked = action_named(team, "daily_meme_posts")
    save(None)
    unlinked = action_named(team, "daily_meme_posts")

    assert linked.objective_id == objective_id(team, "engaging_content")
    assert unlinked.objective_id is None and unlinked.status == linked.status
    assert "serving no objective" in str(team.api.calls("chat.postEphemeral")[-1].params)
    # The confirmation's Edit button opens the same form again.
    [edit] = [
        element
        for block in team.api.calls("chat.postEphemeral")[-1].params["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "open_structure_form"
    ]
    opened = len(team.api.calls("views.open"))
    team.click(edit, user=boss)
    assert len(team.api.calls("views.open")) == opened + 1
    assert team.last_view()["blocks"][0]["element"]["initial_value"] == "Daily meme posts"


def test_an_edit_by_someone_no_longer_an_admin_changes_nothing(
    team: SlackHarness, boss: str
) -> None:
    team.command("/kpi", "admins add <@U0EXEC>", user=boss)
    team.command("/kpi", "edit action daily meme posts", user="U0EXEC")
    view = team.last_view()
    team.command("/kpi", "admins remove <@U0EXEC>", user=boss)
    before = structure_rows(team)

    answer = team.view_submission(view, {"title": {"title": text("Renamed")}}, user="U0EXEC")

    assert "Only a workspace admin or owner" in answer.json()["errors"]["title"]
    assert structure_rows(team) == before


def test_make_this_an_action_from_a_message(team: SlackHarness, boss: str) -> None:
    message = {"text": "Try a TikTok trial &amp; measure it\nmore later", "user": "U0SOCIAL"}
    team.message_action("make_action_shortcut", {**message, "ts": "1732442400.000100"}, user=boss)
    view = team.last_view()
    title_box = view["blocks"][1]["element"]
    assert title_box["initial_value"] == "Try a TikTok trial & measure it"
    picker = next(block for block in view["blocks"] if block.get("block_id") == "objective")
    assert picker["optional"] is False
    assert picker["element"]["options"][0]["text"]["text"].startswith("Serves no objective")
    owner = next(block for block in view["blocks"] if block.get("block_id") == "owner")
    assert owner["element"]["initial_user"] == "U0SOCIAL"

    no_choice = team.view_submission(view, {"title": {"title": text("TikTok trial")}}, user=boss)
    answer = team.view_submission(
        view,
        {
            "title": {"title": text("TikTok trial")},
            "objective": {"objective": pick("-")},
            "owner": {"owner": {"type": "users_select", "selected_user": "U0SOCIAL"}},
        },
        user=boss,
    )

    assert "Pick the objective it serves" in no_choice.json()["errors"]["objective"]
    assert answer.body == ""
    trial = action_named(team, "tiktok_trial")
    assert (trial.status, trial.owner, trial.objective_id) == ("planned", "U0SOCIAL", None)
    told = team.api.calls("chat.postEphemeral")[-1].params
    assert told["channel"] == "C0DEMO" and "serving no objective" in str(told["blocks"])


@pytest.mark.parametrize(
    ("typed", "first_value"),
    [
        ("edit kpi instagram followers", "Instagram followers"),
        ("edit objective members buy again", "Members buy again and recommend us"),
        ("edit response time", "Median response time to product questions"),
    ],
)
def test_edit_forms_open_filled_in_and_valid(
    team: SlackHarness, boss: str, typed: str, first_value: str
) -> None:
    team.command("/kpi", typed, user=boss)

    view = team.last_view()  # checked against Block Kit and Slack's limits

    assert view["blocks"][0]["element"]["initial_value"] == first_value
    before = structure_rows(team)
    unchanged = {
        block["block_id"]: {block["element"]["action_id"]: _as_submitted(block["element"])}
        for block in view["blocks"]
        if block["type"] == "input"
    }
    assert team.view_submission(view, unchanged, user=boss).body == ""
    assert structure_rows(team) == before  # saved as it was: nothing lost on the way


def _as_submitted(element: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends for an input left as it was opened."""
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "multi_static_select":
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": element.get("initial_user")}
    return {"type": kind, "selected_date": element.get("initial_date")}


def test_an_action_made_where_the_bot_is_not_is_confirmed_in_a_dm(
    team: SlackHarness, boss: str
) -> None:
    message = {"text": "Film a how-to reel", "user": "U0SOCIAL", "ts": "1732442400.000200"}
    team.message_action("make_action_shortcut", message, user=boss, channel="C0PRIVATE")
    team.api.fail_next("chat.postEphemeral", "channel_not_found")

    answer = team.view_submission(
        team.last_view(),
        {
            "title": {"title": text("Film a how-to reel")},
            "objective": {"objective": pick("engaging_content")},
        },
        user=boss,
    )

    assert answer.body == ""
    reel = action_named(team, "film_a_how_to_reel")
    assert reel.objective_id == objective_id(team, "engaging_content") and reel.owner is None
    [dm] = team.api.calls("chat.postMessage")
    assert "serving *Post content members engage with*" in str(dm.params["blocks"])
