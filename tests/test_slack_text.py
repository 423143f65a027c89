"""Text at the edges: Slack's encoding decoded once on the way in, escaped once on the way out."""

from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from handlers.slack_text import as_slack_sends, decode_command_text
from storage.models import Reading
from templates.formatting import escape_mrkdwn
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("Q&amp;A went well", "Q&A went well"),
        ("5 &gt; 4 &amp;&amp; 3 &lt; 4", "5 > 4 && 3 < 4"),
        ("&amp;lt; stays an entity", "&lt; stays an entity"),
        ("thanks <@U0ABC|ann>", "thanks <@U0ABC>"),
        ("thanks <@U0ABC>", "thanks <@U0ABC>"),
        ("in <#C0ABC|general>", "in <#C0ABC>"),
        ("in <#C0ABC|>", "in <#C0ABC>"),
        (
            "see <https://example.com/a?b=1&amp;c=2|the post>",
            "see <https://example.com/a?b=1&c=2|the post>",
        ),
        ("see <https://example.com>", "see <https://example.com>"),
        ("mail <mailto:ann@example.com|ann@example.com>", "mail ann@example.com"),
        ("<!here> look", "@here look"),
        ("<!channel> look", "@channel look"),
        ("<!subteam^S0TEAM|@social> look", "@social look"),
        ("&lt;!channel&gt; typed", "<!channel> typed"),
    ],
)
def test_command_text_is_decoded_once(sent: str, meant: str) -> None:
    assert decode_command_text(sent) == meant


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Q&A <b>", "Q&amp;A &lt;b&gt;"),
        ("<!channel> and <!here>", "&lt;!channel&gt; and &lt;!here&gt;"),
        ("<!subteam^S0TEAM>", "&lt;!subteam^S0TEAM&gt;"),
        ("thanks <@U0ABC>", "thanks <@U0ABC>"),
        ("in <#C0ABC>", "in <#C0ABC>"),
        ("<https://x.com/a?b=1&c=2|R&D>", "<https://x.com/a?b=1&amp;c=2|R&amp;D>"),
        ("<https://x.com>", "<https://x.com>"),
        ("<@U0ABC|ann>", "&lt;@U0ABC|ann&gt;"),  # not what decoding keeps: escaped
        ("<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;"),
        ("<@lowercase>", "&lt;@lowercase&gt;"),
    ],
)
def test_replies_escape_all_but_mentions_channels_and_links(text: str, shown: str) -> None:
    assert escape_mrkdwn(text) == shown


def test_a_note_keeps_what_slack_sent_as_plain_text(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD)
    slack.command("/kpi", "log instagram followers 12.4k")

    reply = slack.command("/kpi", "note instagram followers Q&amp;A went well, thanks <@U0ANN|ann>")

    with slack.database.reading() as session:
        [reading] = session.exec(select(Reading)).all()
    assert reading.note == "Q&A went well, thanks <@U0ANN>"
    raw = str(reply.message)
    assert "Q&amp;amp;A" not in raw and "Q&amp;A" in raw
    assert "<@U0ANN>" in raw


def test_a_kpi_name_with_an_ampersand_is_found_as_slack_sends_it(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD.replace("name: Response time", "name: R&D hours"))

    reply = slack.command("/kpi", "log r&amp;d hours 4")

    assert "Logged R&D hours" in reply.text


def test_the_manifest_asks_slack_for_the_encoding_the_app_decodes() -> None:
    """With should_escape true, Slack sends mentions as <@U…|name>, which decoding expects."""
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())

    commands = manifest["features"]["slash_commands"]
    assert {command["command"] for command in commands} == {"/kpi", "/why", "/action"}
    assert all(command["should_escape"] is True for command in commands)


@pytest.mark.parametrize(
    "typed",
    [
        "Q&A <b> 5 > 4",
        "thanks <@U0ABC>",
        "in <#C0ABC>",
        "see <https://x.com/a?b=1&c=2|R&D>",
        "&lt;",
    ],
)
def test_what_the_console_sends_decodes_back_to_what_was_typed(typed: str) -> None:
    assert decode_command_text(as_slack_sends(typed)) == typed
