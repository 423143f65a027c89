"""Supporting themes and digests for one part of the scorecard."""

import json
from datetime import timedelta

import pytest
import yaml
from sqlmodel import select

from bot.digest_delivery import preview_message
from bot.plain_text import message_to_text
from scorecard.exporting import export_scorecard
from scorecard.importing import import_scorecard
from scorecard.scorecard_file import ScorecardFileError, parse_scorecard
from storage.db import Database
from storage.models import Action, DigestSubscription
from tests.conftest import TEST_NOW
from tests.digest_setup import load_sample
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD

THEMES = """\
themes:
  - {key: trust, name: Trust, description: Members believe what we tell them.}
  - {key: reach, name: Reach}
  - {key: craft, name: Craft, description: Nobody works on this yet.}
"""


def themed_sample(database: Database) -> None:
    """The sample scorecard with themes: loyalty and fast answers serve trust, revenue reach."""
    load_sample(database)
    spec = yaml.safe_load(export_scorecard(database, "T0DEMO"))
    spec["themes"] = yaml.safe_load(THEMES)["themes"]
    themes = {"loyalty": "trust", "fast_answers": "trust", "revenue": "reach"}
    for objective in spec["objectives"]:
        if objective["key"] in themes:
            objective["theme"] = themes[objective["key"]]
    for action in spec["actions"]:
        if action["key"] == "daily_memes":
            action["theme"] = "reach"  # serves no objective, but a theme
    import_scorecard(database, yaml.safe_dump(spec, sort_keys=False))


def digest_for(database: Database, channel: str) -> str:
    main, *details = preview_message(database, channel, TEST_NOW)
    return message_to_text(main) + "\n" + "\n".join(message_to_text(d) for d in details)


def test_a_digest_for_one_perspective_holds_only_that_perspective(
    database: Database, slack: SlackHarness
) -> None:
    themed_sample(database)

    reply = slack.command("/kpi", "digest here weekly mon 9:00 for customer", channel="C0CONTENT")
    text = digest_for(database, "C0CONTENT")

    assert "for the perspective Customer" in reply.text
    with database.reading() as session:
        stored = session.exec(select(DigestSubscription)).one()
    assert (stored.filter_kind, stored.filter_key) == ("perspective", "customer")
    assert "just the perspective Customer" in text
    assert "Supporting themes" not in text  # themes cut across perspectives
    assert "Keep members loyal" in text and "Instagram followers" in text
    for elsewhere in (
        "Financial",
        "Grow repeat revenue",
        "Repeat revenue",
        "Answer product questions",
        "Response time",  # a community KPI, overdue in the sample
        "Weekly live Q&amp;A",  # a stalled community action
        "Weekly live Q&A",
        "Daily meme posts",  # serves no objective
        "Learning",
    ):
        assert elsewhere not in text, elsewhere
    # The whole-scorecard channel still gets everything.
    whole = digest_for(database, "C0ALL")
    assert "Grow repeat revenue" in whole and "Response time" in whole


def test_a_digest_for_a_theme_keeps_its_objectives_and_its_actions(
    database: Database, slack: SlackHarness
) -> None:
    themed_sample(database)

    slack.command("/kpi", "digest here for theme reach", channel="C0REACH")
    text = digest_for(database, "C0REACH")

    assert "Grow repeat revenue" in text
    assert "Daily meme posts" in text  # no objective, but the theme
    assert "Keep members loyal" not in text and "Instagram followers" not in text
    themes = text[text.index("Supporting themes") :]
    assert "Reach" in themes and "Trust" not in themes


def test_an_unknown_part_is_named_and_nothing_is_stored(
    database: Database, slack: SlackHarness
) -> None:
    themed_sample(database)

    reply = slack.command("/kpi", "digest here weekly for marketing", channel="C0X")

    assert "no perspective, objective or theme “marketing”" in reply.text
    with database.reading() as session:
        assert session.exec(select(DigestSubscription)).all() == []


def test_the_digest_counts_each_theme_and_names_themes_without_action(
    database: Database,
) -> None:
    themed_sample(database)
    with database.writing() as session:
        memes = session.exec(select(Action).where(Action.key == "daily_memes")).one()
        memes.status = "done"
        memes.last_update_at = TEST_NOW - timedelta(days=1)
        session.add(memes)

    text = digest_for(database, "C0ALL")
    themes = text[text.index("Supporting themes") :]

    # trust: loyalty's 2 KPIs and fast answers' 1; the Q&A is active, serving fast answers.
    trust = next(line for line in themes.splitlines() if "Trust" in line)
    assert "0 actions done, 1 under way" in trust
    assert "KPIs" in trust and "on track" in trust
    reach = next(line for line in themes.splitlines() if "Reach" in line)
    assert "1 action done, 0 under way" in reach
    assert "No action under way for" in themes
    idle = next(line for line in themes.splitlines() if "No action under way" in line)
    assert "Reach" in idle and "Craft" in idle and "Trust" not in idle


def test_why_names_an_actions_theme(database: Database, slack: SlackHarness) -> None:
    themed_sample(database)

    reply = slack.command("/why", "weekly_qa")

    assert "Theme: Trust" in reply.text


def test_kpi_list_can_be_filtered_by_theme(database: Database, slack: SlackHarness) -> None:
    themed_sample(database)

    reply = slack.command("/kpi", "list theme trust")

    assert "Instagram followers" in reply.text and "Response time" in reply.text
    assert "Repeat revenue" not in reply.text


def test_themes_lags_and_filters_round_trip_through_the_file(database: Database) -> None:
    text = SAMPLE_SCORECARD.replace("objectives:\n", THEMES + "objectives:\n").replace(
        "    supports: [revenue]\n",
        "    theme: trust\n    supports:\n      - objective: revenue\n        lag: 6 weeks\n"
        "        review: {decision: revise, by: U0EXEC, day: 2026-11-01, note: check pricing}\n",
    )
    text += "digests:\n  - {channel: C0CONTENT, schedule: weekly mon 09:00, theme: trust}\n"
    import_scorecard(database, text)

    exported = export_scorecard(database, "T0DEMO")

    back, sent = parse_scorecard(exported), parse_scorecard(text)
    assert (back.themes, back.objectives, back.digests) == (
        sent.themes,
        sent.objectives,
        sent.digests,
    )
    assert back.objectives[1].supports[0].lag_weeks == 6
    assert back.objectives[1].supports[0].review is not None
    document = yaml.safe_load(exported)
    assert [t["key"] for t in document["themes"]] == ["trust", "reach", "craft"]
    assert document["digests"] == [
        {"channel": "C0CONTENT", "schedule": "weekly mon 09:00", "theme": "trust"}
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("supports: [{objective: revenue, lag: soon}]", "`lag` should be whole weeks"),
        ("supports: [{objective: revenue, lag: 200 weeks}]", "`lag` should be whole weeks"),
        ("supports: [{objective: revenue, delay: 2}]", "link 1 should have `objective`"),
        (
            "supports: [{objective: revenue, review: {decision: drop}}]",
            "“drop” is not one of keep, revise, retire",
        ),
        ("supports: [{objective: revenue, review: {by: U0EXEC}}]", "`review` needs a `decision`"),
        ("supports: [revenue]\n    theme: nope", "there is no theme “nope”"),
    ],
)
def test_bad_links_and_themes_are_explained(change: str, problem: str) -> None:
    text = SAMPLE_SCORECARD.replace("objectives:\n", THEMES + "objectives:\n").replace(
        "supports: [revenue]", change
    )

    with pytest.raises(ScorecardFileError) as error:
        parse_scorecard(text)

    assert problem in error.value.message


def test_a_name_that_is_two_parts_is_asked_about_with_one_button_each(
    database: Database, slack: SlackHarness
) -> None:
    themed_sample(database)
    spec = yaml.safe_load(export_scorecard(database, "T0DEMO"))
    spec["themes"].append({"key": "customer", "name": "Customer care"})
    import_scorecard(database, yaml.safe_dump(spec, sort_keys=False))

    reply = slack.command("/kpi", "digest here weekly mon 9:00 for customer", channel="C0X")

    assert "more than one part of the scorecard" in reply.text
    values = json.dumps(reply.message)
    assert "digest here weekly mon 9:00 for perspective customer" in values
    assert "digest here weekly mon 9:00 for theme customer" in values
    with database.reading() as session:
        assert session.exec(select(DigestSubscription)).all() == []
