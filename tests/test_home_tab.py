"""The Home tab end to end: a signed `app_home_opened` event, the `views.publish` it causes."""

from pathlib import Path
from typing import Any

import yaml

from bot.plain_text import message_to_text
from handlers.home import HomeRefresh, finish_republishing
from scorecard.caller import Services
from scorecard.home_views import HOME_MAY_STAY_OPEN
from templates.limits import MAX_VIEW_BLOCKS, problems
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD


def published(slack: SlackHarness, count: int = 1) -> list[dict[str, Any]]:
    """The params of the first `count` views.publish calls, once they have arrived."""
    return [call.params for call in slack.api.wait_for("views.publish", count)]


def home_text(params: dict[str, Any]) -> str:
    view = params["view"]
    assert problems(view) == [], problems(view)
    return message_to_text(view)


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    """(action_id, value) of every button and select in the view."""
    found = []
    for block in view["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id"):
                found.append((element["action_id"], str(element.get("value", ""))))
    return found


def test_opening_the_home_tab_publishes_the_viewers_scorecard(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")

    assert slack.open_home("U0SOCIAL") == 200

    [params] = published(slack)
    assert params["user_id"] == "U0SOCIAL"
    assert params["view"]["type"] == "home"
    text = home_text(params)
    assert "Members trust us to help them live healthier" in text  # the mission
    for perspective in ("Financial", "Customer", "Community", "Learning & growth"):
        assert perspective in text
    assert "Keep members loyal" in text
    assert "Instagram followers: 12,400" in text and "15,000" in text
    assert "Yours" in text
    # Their action serving no objective is theirs, and listed apart as serving nothing.
    assert "Daily meme posts" in text and "serves no objective" in text.lower()
    actions = buttons(params["view"])
    assert ("open_log_reading", "") in actions
    assert ("open_action_update", "") in actions
    assert ("show_strategy_map", "") in actions
    assert any(action == "show_chart" for action, _ in actions)


def test_yours_puts_overdue_actions_first(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.advance(days=80)  # the training's due date (2027-02-01) has passed

    slack.open_home("U0LEAD")

    text = home_text(published(slack)[0])
    yours = text[text.index("Yours") :]
    assert "Social media training for product managers" in yours
    assert "overdue" in yours


def test_home_tab_is_published_again_after_the_viewer_logs_a_reading(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0SOCIAL")
    assert "Instagram followers: no data" in home_text(published(slack)[0])

    reply = slack.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")
    assert "Logged" in reply.text

    second = published(slack, 2)[1]
    assert second["user_id"] == "U0SOCIAL"
    assert "Instagram followers: 12,400" in home_text(second)


def test_home_tab_is_published_again_after_an_action_changes(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0SOCIAL")

    slack.command("/action", "done daily meme posts", user="U0SOCIAL")

    params = published(slack, 2)[1]
    assert params["user_id"] == "U0SOCIAL"
    assert "Daily meme posts" not in home_text(params)  # done: no longer open, nor unlinked


def test_a_change_redraws_no_home_tab_its_person_has_not_opened_lately(
    slack: SlackHarness,
) -> None:
    slack.load(SAMPLE_SCORECARD)

    slack.command("/kpi", "log instagram followers 12k", user="U0SOCIAL")  # never opened it
    slack.open_home("U0LEAD")
    slack.advance(hours=HOME_MAY_STAY_OPEN.total_seconds() / 3600 + 1)
    later = slack.command("/kpi", "log response time 5h", user="U0LEAD")

    assert "Logged" in later.text  # by someone who opened the tab, but long ago
    [opened] = published(slack)  # only the opening itself
    assert opened["user_id"] == "U0LEAD"
    assert len(slack.api.calls("views.publish")) == 1


def test_a_burst_of_changes_redraws_a_home_tab_at_most_twice(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0SOCIAL")
    slack.command("/kpi", "log instagram followers 12,000", user="U0SOCIAL")
    slack.api.clear()
    slack.api.delay = 0.3  # Slack slow to answer: the first redraw is still under way
    caller = Services(slack.database, lambda: slack.now).caller(workspace="T0DEMO", user="U0SOCIAL")

    for _ in range(10):  # ten changes, one after the other, as a burst of commands asks
        HomeRefresh(caller).send(slack.app.client)
    finish_republishing()

    redraws = slack.api.calls("views.publish")
    assert 1 <= len(redraws) <= 2  # (the one under way, then) one for all the rest
    assert all(call.params["user_id"] == "U0SOCIAL" for call in redraws)


def test_nothing_is_published_when_nothing_changed(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0SOCIAL")

    slack.command("/kpi", "log instagram followers 12k", user="U0SOCIAL")
    slack.api.clear()

    refused = slack.command("/kpi", "log instagram followers 12k tomorrow", user="U0SOCIAL")
    asked = slack.command("/kpi", "log instagram followers 30k", user="U0SOCIAL")  # replace?

    assert "in the future" in refused.text and "Replace it with" in asked.text

    assert slack.api.calls("views.publish") == []


def test_a_workspace_without_a_scorecard_gets_how_to_start(slack: SlackHarness) -> None:
    slack.open_home("U0LEAD")

    text = home_text(published(slack)[0])
    assert "no scorecard yet" in text
    assert "scorecard import" in text


def test_the_messages_tab_publishes_nothing(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)

    slack.event({"type": "app_home_opened", "user": "U0LEAD", "channel": "D0", "tab": "messages"})

    assert slack.api.calls("views.publish") == []


def test_slack_refusing_the_view_is_logged_not_raised(slack: SlackHarness, caplog: Any) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.api.fail_next("views.publish", "invalid_arguments")

    assert slack.open_home("U0LEAD") == 200

    published(slack)
    assert "views.publish refused (invalid_arguments" in caplog.text


def test_a_scorecard_of_300_kpis_fits_in_one_home_tab(slack: SlackHarness) -> None:
    slack.load(big_scorecard(perspectives=4, objectives=60, kpis=300, owner="U0LEAD"))

    slack.open_home("U0LEAD")

    view = published(slack)[0]["view"]
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert problems(view) == []
    text = message_to_text(view)
    assert "300 KPIs across 60 objectives" in text
    assert "/kpi list" in text  # what is left out is counted and pointed to


def test_the_stand_in_refuses_a_home_tab_over_100_blocks(slack: SlackHarness) -> None:
    client = slack.app.client
    blocks = [{"type": "divider"}] * (MAX_VIEW_BLOCKS + 1)
    try:
        client.views_publish(user_id="U0LEAD", view={"type": "home", "blocks": blocks})
    except Exception as error:  # SlackApiError
        assert "invalid_arguments" in str(error)
    else:
        raise AssertionError("a view of 101 blocks was accepted")


def test_an_admin_can_choose_the_updates_channel_from_the_home_tab(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.api.add_user("U0ADMIN", is_admin=True)
    slack.open_home("U0ADMIN")
    view = published(slack)[0]["view"]
    assert ("set_updates_channel", "") in buttons(view)
    assert problems(view) == []

    slack.interact(channel_selected("U0ADMIN", "C0NEWS"))

    republished = published(slack, 2)[1]["view"]
    select = next(b for b in republished["blocks"] if b.get("block_id") == "updates_channel")
    assert select["accessory"]["initial_conversation"] == "C0NEWS"
    slack.command("/action", "stop daily meme posts serves nothing", user="U0SOCIAL")
    [line] = slack.api.history("C0NEWS")
    assert "Daily meme posts" in line["text"]


def test_only_an_admin_may_choose_the_updates_channel(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0LEAD")
    assert ("set_updates_channel", "") not in buttons(published(slack)[0]["view"])

    slack.interact(channel_selected("U0LEAD", "C0NEWS"))  # a forged or stale select

    [refusal] = slack.api.wait_for("chat.postMessage")
    assert "Only a workspace admin or owner" in str(refusal.params)
    slack.command("/action", "stop daily meme posts serves nothing", user="U0SOCIAL")
    assert slack.api.history("C0NEWS") == []


def channel_selected(user: str, channel: str) -> dict[str, Any]:
    """The updates-channel menu on the Home tab, set to `channel`."""
    selected = {
        "type": "conversations_select",
        "action_id": "set_updates_channel",
        "block_id": "updates_channel",
        "selected_conversation": channel,
    }
    return home_action(user, selected)


def big_scorecard(perspectives: int, objectives: int, kpis: int, owner: str) -> str:
    """A scorecard file of the given size, KPIs spread evenly over objectives."""
    lines = ["workspace: T0DEMO", "name: Big scorecard", "mission: Grow.", "perspectives:"]
    lines += [f"  - {{key: p{p}, name: Perspective {p}}}" for p in range(perspectives)]
    lines.append("objectives:")
    lines += [
        f"  - {{key: o{o}, title: Objective {o}, perspective: p{o % perspectives}}}"
        for o in range(objectives)
    ]
    lines.append("kpis:")
    lines += [
        f"  - {{key: k{k}, name: KPI {k}, objective: o{k % objectives}, baseline: 0, "
        f"target: 100, owner: {owner}}}"
        for k in range(kpis)
    ]
    lines.append("actions:")
    lines += [f"  - {{key: a{a}, title: Action {a}, owner: {owner}}}" for a in range(12)]
    return "\n".join(lines) + "\n"


def test_the_limits_check_covers_a_home_tab() -> None:
    too_many = {"type": "home", "blocks": [{"type": "divider"}] * (MAX_VIEW_BLOCKS + 1)}
    assert any("over 100" in problem for problem in problems(too_many))
    assert problems({"type": "home", "blocks": [{"type": "divider"}]}) == []


def test_the_manifest_turns_on_the_home_tab_and_its_event() -> None:
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_a_reading_logged_from_the_home_tab_redraws_it(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.open_home("U0SOCIAL")
    view = published(slack)[0]["view"]
    kpi_id = next(
        value for action, value in buttons(view) if action == "open_log_reading" and value
    )
    # The tab was opened long ago and stayed on screen: Slack sends no app_home_opened when the
    # form closes back onto it, but the click on the tab says the person is looking.
    slack.advance(hours=HOME_MAY_STAY_OPEN.total_seconds() / 3600 + 0.5)

    slack.interact(home_click("U0SOCIAL", "open_log_reading", kpi_id))
    modal = slack.api.wait_for("views.open")[0].params["view"]
    submitted = slack.sender.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T0DEMO", "domain": "demo"},
            "user": {"id": "U0SOCIAL", "team_id": "T0DEMO"},
            "api_app_id": "A0SCORECARD",
            "token": "unused",
            "trigger_id": "trigger.submit",
            "view": {
                **modal,
                "id": "V0MODAL",
                "state": {
                    "values": {
                        "value": {"value": {"type": "plain_text_input", "value": "12400"}},
                        "day": {"day": {"type": "datepicker", "selected_date": None}},
                    }
                },
            },
        }
    )

    assert submitted.status == 200
    [confirmation] = slack.api.wait_for("chat.postMessage")  # no channel: by DM
    assert confirmation.params["channel"] == "D0SOCIAL"
    assert "share_reading" not in str(confirmation.params)  # nothing to share a DM with
    redrawn = published(slack, 2)[1]
    assert "Instagram followers: 12,400" in home_text(redrawn)


def home_click(user: str, action_id: str, value: str) -> dict[str, Any]:
    """A button pressed on the Home tab."""
    button = {"type": "button", "action_id": action_id, "block_id": "b", "value": value}
    return home_action(user, button)


def home_action(user: str, action: dict[str, Any]) -> dict[str, Any]:
    """An element used on the Home tab: Slack sends the view, no channel and no response_url."""
    return {
        "type": "block_actions",
        "team": {"id": "T0DEMO", "domain": "demo"},
        "user": {"id": user, "team_id": "T0DEMO"},
        "api_app_id": "A0SCORECARD",
        "token": "unused",
        "trigger_id": "trigger.home",
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "callback_id": ""},
        "actions": [action],
    }
