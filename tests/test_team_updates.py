"""The team sees the same numbers: "Share in channel", and the updates channel's one-line news."""

from typing import Any

from scorecard.exporting import export_scorecard
from scorecard.scorecard_file import ScorecardFileError, parse_scorecard
from tests.harness import Reply, SlackHarness
from tests.sample import SAMPLE_SCORECARD

WITH_UPDATES_CHANNEL = SAMPLE_SCORECARD.replace(
    "timezone: Europe/Amsterdam\n",
    "timezone: Europe/Amsterdam\nsettings: {updates_channel: C0NEWS}\n",
).replace(
    "    title: Answer product questions within 2 hours\n",
    "    title: Answer product questions within 2 hours\n    updates_channel: C0COMMUNITY\n",
)


def share_button(reply: Reply) -> dict[str, Any]:
    for block in reply.message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id", "").startswith("share_"):
                return element
    raise AssertionError(f"no Share in channel button in {reply.message}")


def test_share_in_channel_posts_the_reading_once_attributed(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command(
        "/kpi", "log instagram followers 12.4k", user="U0SOCIAL", channel="C0TEAM"
    )
    assert reply.ephemeral
    assert slack.api.history("C0TEAM") == []  # private until shared

    answer = slack.click(share_button(reply), user="U0SOCIAL", channel="C0TEAM")
    assert answer.status == 200

    [posted] = slack.api.history("C0TEAM")
    assert "<@U0SOCIAL>" in str(posted["blocks"])
    assert "12,400" in str(posted["blocks"]) and "Instagram followers" in posted["text"]
    [replaced] = slack.api.calls("response_url")
    assert replaced.params["replace_original"] in (True, "true")
    assert "Shared in <#C0TEAM>" in str(replaced.params["blocks"])
    assert "share_reading" not in str(replaced.params)  # no button left to press twice


def test_share_in_channel_posts_an_action_update(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command("/action", "update weekly_qa 40 questions answered", user="U0COMMUNITY")

    slack.click(share_button(reply), user="U0COMMUNITY")

    [posted] = slack.api.history("C0DEMO")
    assert "<@U0COMMUNITY>" in str(posted["blocks"])
    assert "40 questions answered" in str(posted["blocks"])


def test_someone_elses_reading_is_not_shared(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")

    slack.click(share_button(reply), user="U0LEAD")  # a forged click

    assert slack.api.history("C0DEMO") == []
    [told] = slack.api.calls("chat.postEphemeral")
    assert "Only the person who posted it can share it" in str(told.params)


def test_sharing_where_the_app_cannot_post_says_so(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")
    slack.api.fail_next("chat.postMessage", "not_in_channel")

    slack.click(share_button(reply), user="U0SOCIAL")

    assert slack.api.history("C0DEMO") == []
    [told] = slack.api.calls("chat.postEphemeral")
    assert "not_in_channel" in str(told.params) and "/invite @Scorecard" in str(told.params)


def test_no_share_button_in_a_direct_message(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    reply = slack.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL", channel="D0SOC")

    assert "share_reading" not in str(reply.message)


def test_a_status_change_is_one_line_in_the_updates_channel(slack: SlackHarness) -> None:
    slack.load(WITH_UPDATES_CHANNEL)

    slack.command("/kpi", "log instagram followers 10100", user="U0SOCIAL")  # no data -> a status
    [line] = slack.api.history("C0NEWS")
    assert "Instagram followers" in line["text"]
    assert "<@U0SOCIAL>" in str(line["blocks"]) and "was no data" in str(line["blocks"])

    slack.command("/kpi", "log instagram followers 10150", user="U0SOCIAL")  # same status
    assert len(slack.api.history("C0NEWS")) == 1


def test_an_objectives_own_channel_gets_its_news_instead(slack: SlackHarness) -> None:
    slack.load(WITH_UPDATES_CHANNEL)

    slack.command("/kpi", "log response time 3", user="U0COMMUNITY")
    slack.command("/action", "done weekly_qa", user="U0COMMUNITY")

    lines = slack.api.history("C0COMMUNITY")
    assert [("Response time" in line["text"]) for line in lines] == [True, False]
    assert "Weekly live Q&amp;A" in lines[1]["text"] and "is done" in str(lines[1]["blocks"])
    assert slack.api.history("C0NEWS") == []


def test_finished_and_stopped_actions_are_news_updates_are_not(slack: SlackHarness) -> None:
    slack.load(WITH_UPDATES_CHANNEL)

    slack.command("/action", "update daily meme posts new format", user="U0SOCIAL")
    assert slack.api.history("C0NEWS") == []
    slack.command("/action", "stop daily meme posts serves no objective", user="U0SOCIAL")

    [line] = slack.api.history("C0NEWS")
    assert "Daily meme posts" in line["text"] and "stopped" in line["text"]


def test_a_channel_the_app_cannot_post_in_does_not_fail_the_command(
    slack: SlackHarness, caplog: Any
) -> None:
    slack.load(WITH_UPDATES_CHANNEL)
    slack.api.fail_next("chat.postMessage", "not_in_channel")

    reply = slack.command("/kpi", "log instagram followers 10100", user="U0SOCIAL")

    assert "Logged" in reply.text
    assert slack.api.history("C0NEWS") == []
    assert "Could not post in the updates channel C0NEWS: not_in_channel" in caplog.text


def test_the_updates_channels_survive_an_export(slack: SlackHarness) -> None:
    slack.load(WITH_UPDATES_CHANNEL)

    exported = export_scorecard(slack.database, "T0DEMO")

    spec = parse_scorecard(exported)
    assert spec.settings.updates_channel == "C0NEWS"
    [community] = [o for o in spec.objectives if o.key == "fast_answers"]
    assert community.updates_channel == "C0COMMUNITY"
    assert spec.objectives == parse_scorecard(WITH_UPDATES_CHANNEL).objectives


def test_an_updates_channel_must_be_a_channel_id() -> None:
    broken = WITH_UPDATES_CHANNEL.replace("{updates_channel: C0NEWS}", "{updates_channel: news}")
    try:
        parse_scorecard(broken)
    except ScorecardFileError as error:
        assert "“news” is not a channel id" in error.message
    else:
        raise AssertionError("a channel name was accepted")
