"""/kpi end to end: signed HTTP requests into the real app, replies and stored rows checked."""

from datetime import date

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Kpi, Reading
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD


@pytest.fixture
def team(slack: SlackHarness) -> SlackHarness:
    slack.load(SAMPLE_SCORECARD)
    return slack


def readings_of(database: Database, kpi_key: str) -> list[Reading]:
    with database.reading() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == kpi_key)).one()
        rows = session.exec(
            select(Reading).where(Reading.kpi_id == kpi.id).order_by(Reading.period, Reading.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_log_stores_the_reading_and_confirms_it(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log instagram followers 12.4k", user="U0SOCIAL")

    assert reply.status == 200
    assert reply.ephemeral
    assert "Instagram followers" in reply.text
    assert "12,400" in reply.text
    [reading] = readings_of(team.database, "instagram_followers")
    assert reading.value == 12400
    assert reading.period == date(2026, 11, 24)
    assert reading.logged_by == "U0SOCIAL"
    assert reading.note is None


def test_log_forgives_typos_dates_and_takes_the_rest_as_a_note(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log instagram folowers 12,000 yesterday after the giveaway")

    assert reply.status == 200, reply.text
    [reading] = readings_of(team.database, "instagram_followers")
    assert (reading.value, reading.period) == (12000, date(2026, 11, 23))
    assert reading.note == "after the giveaway"


def test_log_shows_the_change_since_the_previous_reading(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12000 2026-11-20")
    reply = team.command("/kpi", "log instagram followers 12.4k")

    assert "+400" in reply.text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("log instagram followers 1.2M", "1.2M"),
        ("log engagement rate 35%", "35%"),
        ("log response time 3.5", "3.5"),
    ],
)
def test_log_understands_the_ways_people_write_numbers(
    team: SlackHarness, text: str, says: str
) -> None:
    reply = team.command("/kpi", text)

    assert says in reply.text.replace("\u202f", " ")


def test_an_unknown_kpi_is_refused_with_the_closest_suggestion(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log tiktok folowers 200")

    assert "tiktok folowers" in reply.text
    assert "/kpi list" in reply.text
    assert readings_of(team.database, "instagram_followers") == []


@pytest.mark.parametrize(
    "text",
    [
        "log instagram followers lots",
        "log instagram followers",
        "log instagram followers 12k 2026-12-01",
    ],
)
def test_a_bad_reading_is_refused_and_nothing_is_stored(team: SlackHarness, text: str) -> None:
    reply = team.command("/kpi", text)

    assert reply.status == 200
    assert "Logged" not in reply.text
    assert readings_of(team.database, "instagram_followers") == []


def test_a_future_date_says_why_it_was_refused(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log instagram followers 12k 2026-12-01")

    assert "future" in reply.text


def test_an_off_track_reading_without_a_note_asks_for_one(team: SlackHarness) -> None:
    reply = team.command("/kpi", "log response time 9")

    assert "off track" in reply.text.lower()
    assert "/kpi note response_time" in reply.text


def test_note_explains_the_latest_reading(team: SlackHarness) -> None:
    team.command("/kpi", "log response time 9")
    reply = team.command("/kpi", "note response time two people off sick")

    assert reply.status == 200
    [reading] = readings_of(team.database, "response_time")
    assert reading.note == "two people off sick"


def test_undo_removes_only_the_callers_latest_reading(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12000", user="U0SOCIAL")
    team.command("/kpi", "log engagement rate 3", user="U0LEAD")

    reply = team.command("/kpi", "undo", user="U0SOCIAL")

    assert "Instagram followers" in reply.text
    assert readings_of(team.database, "instagram_followers") == []
    assert len(readings_of(team.database, "engagement_rate")) == 1


def test_undo_with_nothing_recent_says_so(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12000")
    team.advance(days=2)

    reply = team.command("/kpi", "undo")

    assert "no readings from the last 24 hours" in reply.text
    assert len(readings_of(team.database, "instagram_followers")) == 1


def test_show_gives_value_target_status_and_owner(team: SlackHarness) -> None:
    team.command("/kpi", "log engagement rate 2.5 2026-11-10")
    team.command("/kpi", "log engagement rate 3.9")

    reply = team.command("/kpi", "show engagement rate")

    assert "Engagement rate" in reply.text
    assert "3.9%" in reply.text
    assert "4%" in reply.text  # the target
    assert "Keep members loyal" in reply.text  # the objective it measures
    assert "U0SOCIAL" in reply.text  # the owner, mentioned


def test_list_and_bare_kpi_show_every_perspective(team: SlackHarness) -> None:
    for text in ("list", ""):
        reply = team.command("/kpi", text)
        for perspective in ("Financial", "Customer", "Community", "Learning & growth"):
            assert perspective in reply.text
        assert "Instagram followers" in reply.text


def test_help_covers_every_command(team: SlackHarness) -> None:
    reply = team.command("/kpi", "help")

    for usage in ("/kpi log", "/kpi show", "/kpi list", "/kpi undo", "/why", "/action update"):
        assert usage in reply.text


def test_an_unknown_verb_that_looks_like_a_reading_is_logged(team: SlackHarness) -> None:
    reply = team.command("/kpi", "instagram followers 12.4k")

    assert "Logged" in reply.text
    assert len(readings_of(team.database, "instagram_followers")) == 1


def test_another_workspace_sees_nothing_of_ours(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12000")

    reply = team.command("/kpi", "show instagram followers", team="T0OTHER")

    assert "12,000" not in reply.text
    assert "scorecard import" in reply.text
    assert len(readings_of(team.database, "instagram_followers")) == 1


def test_user_text_is_escaped_so_nobody_gets_pinged(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD.replace("name: Instagram followers", 'name: "<!channel> hype"'))

    reply = slack.command(
        "/kpi", "log instagram_followers 12000 <!here> look &amp; see &lt;!channel&gt;"
    )

    blocks = str(reply.message["blocks"])
    assert "<!channel>" not in blocks and "<!here>" not in blocks
    assert "&lt;!channel&gt; hype" in blocks
    assert "&amp; see" in blocks


def test_a_back_dated_reading_leaves_the_newer_one_current(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12400")

    reply = team.command("/kpi", "log instagram followers 12000 2026-11-20")

    assert "older reading" in reply.text
    assert "12,400 followers stays the latest" in reply.text
    assert [r.value for r in readings_of(team.database, "instagram_followers")] == [12000, 12400]


def test_a_second_reading_for_the_same_day_replaces_the_first(team: SlackHarness) -> None:
    team.command("/kpi", "log instagram followers 12400")

    reply = team.command("/kpi", "log instagram followers 12450")

    assert "replaces 12,400" in reply.text
    show = team.command("/kpi", "show instagram followers")
    assert "12,450" in show.text


def test_a_reading_ten_times_off_the_previous_one_asks_if_it_is_a_typo(team: SlackHarness) -> None:
    team.command("/kpi", "log engagement rate 3.5 2026-11-22")

    fine = team.command("/kpi", "log engagement rate 3.6 yesterday")
    slip = team.command("/kpi", "log engagement rate 36")

    assert "A typo?" in slip.text and "/kpi undo" in slip.text
    assert "A typo?" not in fine.text


def test_a_kpi_named_with_a_number_is_shown_not_logged(slack: SlackHarness) -> None:
    slack.load(SAMPLE_SCORECARD.replace("name: Engagement rate", "name: Top 10 posts"))

    reply = slack.command("/kpi", "top 10 posts")

    assert "Logged" not in reply.text
    assert "Top 10 posts" in reply.text
    assert readings_of(slack.database, "engagement_rate") == []
