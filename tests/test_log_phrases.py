"""Real `/kpi log` phrases, each a row: the text exactly as Slack sends it, the scorecard's
settings, and what must be stored (KPI, value, day, note) or asked or refused, with nothing stored.

Every row goes through the real app over signed HTTP. One database holds one scorecard per kind
of settings (a workspace each) and is shared by the whole module; readings are cleared between
rows, so each row starts from the KPI's baseline and target alone (plus its `before` readings).
"""

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlmodel import select

from bot.slack_standin import RESPONSE_URL
from scorecard.importing import import_scorecard
from scorecard.kpi_log import InvalidReading, log_reading_for
from scorecard.reading_import import import_readings
from storage.db import Database
from storage.models import Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.harness import Reply, SlackHarness

TODAY = date(2026, 11, 24)  # TEST_NOW, a Tuesday
YESTERDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 20)

# The workspaces: one scorecard per kind of settings.
EN = "T0UTC"  # UTC, no number_format: only the KPI's scale settles "12,000"
NL = "T0NL"  # Europe/Amsterdam, no number_format: 1.234,5 is usual there
EU = "T0EU"  # number_format 1.234,5
US = "T0US"  # number_format 1,234.5
FR = "T0FR"  # number_format 1 234,5, Europe/Paris
SETTINGS = {
    EN: ("UTC", None),
    NL: ("Europe/Amsterdam", None),
    EU: ("Europe/Berlin", "1.234,5"),
    US: ("America/New_York", "1,234.5"),
    FR: ("Europe/Paris", "1 234,5"),
}

KPIS = """\
kpis:
  - {key: instagram_followers, name: Instagram followers, unit: followers,
     baseline: 10000, target: 15000}
  - {key: engagement_rate, name: Engagement rate, unit: "%", baseline: 2, target: 4}
  - {key: churn, name: Churn, unit: "%", baseline: 5, target: 3, direction: down}
  - {key: response_time, name: Response time, unit: h, baseline: 6, target: 2, direction: down}
  - {key: repeat_revenue, name: Repeat revenue, unit: "€", baseline: 20000, target: 30000}
  - {key: event_guests, name: Event guests, unit: guests, baseline: 20, target: 50}
  - {key: top_posts, name: Top 10 posts, baseline: 10, target: 40}
  - {key: nps, name: Net promoter score, baseline: 20, target: 40}
  - {key: items_per_order, name: Items per order, baseline: 1.2, target: 1.5}
  - {key: rd_hours, name: R&D hours, unit: hours, baseline: 10, target: 20}
"""


def scorecard_file(workspace: str) -> str:
    timezone, number_format = SETTINGS[workspace]
    settings = f"settings:\n  number_format: {number_format}\n" if number_format else ""
    return f"workspace: {workspace}\nname: Phrases\ntimezone: {timezone}\n{settings}{KPIS}"


@dataclass(frozen=True)
class Stored:
    kpi: str
    value: float
    day: date = TODAY
    note: str = ""
    says: str = ""  # a phrase the confirmation must hold


@dataclass(frozen=True)
class Asks:
    says: str
    choices: tuple[str, ...] = ()  # the buttons' labels, besides "None of these"


@dataclass(frozen=True)
class Refuses:
    says: str


Expected = Stored | Asks | Refuses
Before = tuple[tuple[str, float, date], ...]  # readings already there: (KPI key, value, day)


@dataclass(frozen=True)
class Row:
    workspace: str
    text: str  # after `/kpi `, encoded as Slack sends it
    expected: Expected
    before: Before = ()


def rows_in(workspaces: tuple[str, ...], text: str, expected: Expected) -> list[Row]:
    return [Row(workspace, text, expected) for workspace in workspaces]


ALL = (EN, NL, EU, US, FR)
FOLLOWERS = "instagram_followers"

ROWS: list[Row] = [
    # --- Existing behaviour, the same in every scorecard ---------------------------------------
    *rows_in(ALL, "log instagram followers 12.4k", Stored(FOLLOWERS, 12400, says="12,400")),
    *rows_in(ALL, "log instagram followers 12400", Stored(FOLLOWERS, 12400)),
    *rows_in(ALL, "log instagram followers 1.2M", Stored(FOLLOWERS, 1_200_000)),
    *rows_in(ALL, "log engagement rate 35%", Stored("engagement_rate", 35)),
    *rows_in(ALL, "log engagement rate 3,5", Stored("engagement_rate", 3.5)),
    *rows_in(ALL, "log response time 90 min", Stored("response_time", 1.5)),
    *rows_in(ALL, "log response time 2h", Stored("response_time", 2)),
    *rows_in(
        ALL,
        "log instagram followers 12.4k yesterday after the giveaway",
        Stored(FOLLOWERS, 12400, YESTERDAY, "after the giveaway"),
    ),
    # --- Item 2: digit grouping ----------------------------------------------------------------
    *rows_in(ALL, "log instagram followers 12 400", Stored(FOLLOWERS, 12400)),
    *rows_in(ALL, "log instagram followers 12\u00a0400", Stored(FOLLOWERS, 12400)),
    *rows_in(ALL, "log instagram followers 12\u202f400", Stored(FOLLOWERS, 12400)),
    *rows_in(ALL, "log repeat revenue 52 000 €", Stored("repeat_revenue", 52000)),
    *rows_in(ALL, "log repeat revenue 1 234 567", Stored("repeat_revenue", 1_234_567)),
    *rows_in(ALL, "log repeat revenue €52 000", Stored("repeat_revenue", 52000)),
    *rows_in(
        ALL,
        "log instagram followers 12 400 after the giveaway",
        Stored(FOLLOWERS, 12400, note="after the giveaway"),
    ),
    *rows_in(ALL, "log instagram followers 12 400 yesterday", Stored(FOLLOWERS, 12400, YESTERDAY)),
    *rows_in(ALL, "log repeat revenue 1.234,56", Stored("repeat_revenue", 1234.56)),
    *rows_in(ALL, "log repeat revenue 1,234.56", Stored("repeat_revenue", 1234.56)),
    *rows_in(ALL, "log repeat revenue 1.234.567", Stored("repeat_revenue", 1_234_567)),
    *rows_in(ALL, "log repeat revenue 1,234,567", Stored("repeat_revenue", 1_234_567)),
    *rows_in(ALL, "log items per order 0,500", Stored("items_per_order", 0.5)),
    # The KPI's scale settles it where no setting does.
    *rows_in((EN, NL, EU), "log repeat revenue €52.000", Stored("repeat_revenue", 52000)),
    *rows_in((EN, NL, US), "log instagram followers 12,000", Stored(FOLLOWERS, 12000)),
    *rows_in((EN, NL), "log instagram followers 12.400", Stored(FOLLOWERS, 12400)),
    *rows_in((EN, NL, US), "log items per order 1.350", Stored("items_per_order", 1.35)),
    # The setting settles it for everyone.
    Row(EU, "log items per order 1.350", Stored("items_per_order", 1350)),
    Row(US, "log repeat revenue €52.000", Stored("repeat_revenue", 52)),
    Row(EU, "log instagram followers 12,000", Stored(FOLLOWERS, 12)),
    Row(FR, "log items per order 1,350", Stored("items_per_order", 1.35)),
    Row(FR, "log repeat revenue 52 000,50 €", Stored("repeat_revenue", 52000.5)),
    # Nothing settles it in a UTC scorecard: ask, with both readings as choices.
    Row(EN, "log nps 1.350", Asks("Is “1.350” 1 350 or 1.35?", ("1 350", "1.35"))),
    Row(EN, "log nps 1,350", Asks("Is “1,350” 1 350 or 1.35?", ("1 350", "1.35"))),
    Row(NL, "log nps 1.350", Stored("nps", 1350)),  # 1.234,5 is usual in the Netherlands
    Row(NL, "log nps 1,350", Stored("nps", 1.35)),
    Row(EU, "log nps 1.350", Stored("nps", 1350)),
    Row(US, "log nps 1.350", Stored("nps", 1.35)),
    # --- Item 4: percent KPIs and currencies ---------------------------------------------------
    *rows_in(ALL, "log churn 0.04", Asks("0.04% or 4%?", ("0.04%", "4%"))),
    *rows_in(ALL, "log churn 4", Stored("churn", 4)),
    *rows_in(ALL, "log churn 4%", Stored("churn", 4)),
    *rows_in(ALL, "log churn 0.04%", Stored("churn", 0.04)),
    *rows_in((EN, US), "log engagement rate 0.035", Asks("0.035% or 3.5%?")),
    Row(EN, "log churn 400", Asks("4% or 400%?", ("4%", "400%"))),
    *rows_in(ALL, "log repeat revenue $52k", Refuses("I don't convert currencies")),
    *rows_in((EN, EU), "log repeat revenue 52k usd", Refuses("is in $")),
    Row(EN, "log repeat revenue £100", Refuses("kept in €")),
    *rows_in((EN, EU), "log repeat revenue 52k eur", Stored("repeat_revenue", 52000)),
    Row(EN, "log repeat revenue €52k", Stored("repeat_revenue", 52000)),
    Row(EN, "log instagram followers 35%", Refuses("is a percentage")),
    Row(EN, "log instagram followers €35", Refuses("amount of money")),
    # --- Item 3: dates, before or after the value ----------------------------------------------
    *rows_in((EN, NL), "log response time 4 on friday", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 friday", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 fri", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 on 2026-11-20", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 2026-11-20", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 on 2026-11-27", Refuses("in the future")),
    Row(EN, "log response time 4 27.11.2026", Refuses("in the future")),
    Row(EN, "log response time 4 20.11.2026", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 20.11.26", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 20-11-2026", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 on 20 Nov", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 20 nov", Stored("response_time", 4, FRIDAY)),
    Row(
        EN,
        "log response time 4 nov 20",
        Asks(
            "Is that 20 for Wed 4 Nov or 4 for Fri 20 Nov?",
            ("20 for Wed 4 Nov", "4 for Fri 20 Nov"),
        ),
    ),
    Row(EN, "log response time 20 nov 4", Asks("Is that 20 for Wed 4 Nov or 4 for Fri 20 Nov?")),
    Row(EN, "log response time 4 20th", Stored("response_time", 4, FRIDAY)),
    Row(EN, "log response time 4 on the 20th", Stored("response_time", 4, note="on the 20th")),
    Row(EN, "log response time 4 last week", Stored("response_time", 4, date(2026, 11, 17))),
    Row(EN, "log response time 4 last friday", Stored("response_time", 4, FRIDAY)),
    Row(
        EN,
        "log response time 4 last friday of october",
        Stored("response_time", 4, date(2026, 10, 30)),
    ),
    Row(EN, "log response time 4 3 days ago", Stored("response_time", 4, date(2026, 11, 21))),
    Row(EN, "log response time 4 for yesterday", Stored("response_time", 4, YESTERDAY)),
    Row(EN, "log response time 4 today", Stored("response_time", 4)),
    Row(EN, "log response time 4 tomorrow", Refuses("in the future")),
    Row(EN, "log response time 4 next monday", Refuses("in the future")),
    Row(EN, "log response time 4 in 3 days", Refuses("in the future")),
    Row(EN, "log response time 4 this friday", Refuses("in the future")),
    *rows_in(
        (EN, NL, EU),
        "log instagram followers yesterday 12.4k",
        Stored(FOLLOWERS, 12400, YESTERDAY, says="12,400"),
    ),
    Row(EN, "log instagram followers on friday 12.4k", Stored(FOLLOWERS, 12400, FRIDAY)),
    Row(EN, "log instagram followers 2026-11-20 12.4k", Stored(FOLLOWERS, 12400, FRIDAY)),
    Row(EN, "log instagram followers 20 nov 12.4k", Stored(FOLLOWERS, 12400, FRIDAY)),
    Row(EN, "log instagram followers 20.11.2026 12 400", Stored(FOLLOWERS, 12400, FRIDAY)),
    Row(
        EN,
        "log instagram followers yesterday 12.4k after the giveaway",
        Stored(FOLLOWERS, 12400, YESTERDAY, "after the giveaway"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k last friday - campaign paused",
        Stored(FOLLOWERS, 12400, FRIDAY, "campaign paused"),
    ),
    # A phrase that looks like a date but can't be read is asked about, never kept as a note.
    Row(EN, "log instagram followers 12.4k 31.11.2026", Asks("isn't a real date")),
    Row(EN, "log instagram followers 12.4k 2026.11.40", Asks("looks like a date")),
    Row(EN, "log instagram followers 12.4k 31 nov", Asks("There's no 31 Nov")),
    Row(EN, "log instagram followers 12.4k 3/4", Asks("could be 4 Mar or 3 Apr")),
    Row(EN, "log instagram followers 12.4k 2026-02-30", Asks("isn't a real date")),
    Row(EN, "log instagram followers 12.4k mon 20 nov", Asks("is a Friday, not a Monday")),
    Row(EN, "log response time 4 last fryday", Asks("did you mean “last friday”?")),
    Row(EN, "log response time 4 on wensday", Asks("did you mean “wednesday”?")),
    Row(EN, "log response time 4 20 novmber", Asks("did you mean “20 november”?")),
    Row(EN, "log instagram followers wensday 12.4k", Asks("did you mean “wednesday”?")),
    # ...while words that are not dates stay the note.
    Row(
        EN,
        "log response time 4 mondays are slow",
        Stored("response_time", 4, note="mondays are slow"),
    ),
    Row(
        EN,
        "log response time 4 20 members asked",
        Stored("response_time", 4, note="20 members asked"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k on track again",
        Stored(FOLLOWERS, 12400, note="on track again"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k for the giveaway",
        Stored(FOLLOWERS, 12400, note="for the giveaway"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k may be a fluke",
        Stored(FOLLOWERS, 12400, note="may be a fluke"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k -5% on last week",
        Stored(FOLLOWERS, 12400, note="-5% on last week"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k the 2 new posts did well",
        Stored(FOLLOWERS, 12400, note="the 2 new posts did well"),
    ),
    # --- Replacing a reading of the same day ---------------------------------------------------
    Row(
        EN,
        "log instagram followers 12400",
        Stored(FOLLOWERS, 12400, says="replaces 12,000"),
        before=((FOLLOWERS, 12000, TODAY),),
    ),
    Row(
        EN,
        "log instagram followers 30000",
        Asks(
            "already has 12,000 followers for today. Replace it with 30,000 followers?",
            ("Replace with 30,000 followers", "Keep 12,000 followers"),
        ),
        before=((FOLLOWERS, 12000, TODAY),),
    ),
    Row(
        EN,
        "log instagram followers 3000 on friday",
        Asks("already has 12,000 followers for Fri 20 Nov", ("Replace with 3,000 followers",)),
        before=((FOLLOWERS, 12000, FRIDAY),),
    ),
    Row(
        EN,
        "replace instagram followers 30000",
        Stored(FOLLOWERS, 30000, says="replaces 12,000"),
        before=((FOLLOWERS, 12000, TODAY),),
    ),
    Row(
        EN,
        "log instagram followers 30000",
        Stored(FOLLOWERS, 30000),
        before=((FOLLOWERS, 12000, YESTERDAY),),
    ),
    # --- Item 1: text as Slack sends it --------------------------------------------------------
    *rows_in(
        (EN, EU),
        "log instagram followers 12.4k Q&amp;A went well",
        Stored(FOLLOWERS, 12400, note="Q&A went well"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k thanks <@U0ANN|ann>",
        Stored(FOLLOWERS, 12400, note="thanks <@U0ANN>"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k thanks <@U0ANN>",
        Stored(FOLLOWERS, 12400, note="thanks <@U0ANN>"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k in <#C0MKT|marketing>",
        Stored(FOLLOWERS, 12400, note="in <#C0MKT>"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k see <https://example.com/p?a=1&amp;b=2|the post>",
        Stored(FOLLOWERS, 12400, note="see <https://example.com/p?a=1&b=2|the post>"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k &lt;!channel&gt; look",
        Stored(FOLLOWERS, 12400, note="<!channel> look"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k <!here> look",
        Stored(FOLLOWERS, 12400, note="@here look"),
    ),
    Row(
        EN,
        "log instagram followers 12.4k 5 &gt; 4 &amp; 3 &lt; 4",
        Stored(FOLLOWERS, 12400, note="5 > 4 & 3 < 4"),
    ),
    *rows_in((EN, EU), "log r&amp;d hours 12", Stored("rd_hours", 12)),
    Row(EN, "log rd_hours 12", Stored("rd_hours", 12)),
    # --- Which KPI ----------------------------------------------------------------------------
    *rows_in((EN, NL), "log instagram folowers 12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "log ig followers 12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "log followers 12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "log instagram_followers 12400", Stored(FOLLOWERS, 12400)),
    Row(EN, "log Instagram Followers 12400", Stored(FOLLOWERS, 12400)),
    Row(EN, "log instagram followers: 12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "log instagram followers=12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "log “instagram followers” 12.4k yesterday", Stored(FOLLOWERS, 12400, YESTERDAY)),
    Row(EN, "log top 10 posts 45", Stored("top_posts", 45)),
    Row(EN, "log top 10 posts 45 yesterday", Stored("top_posts", 45, YESTERDAY)),
    Row(EN, "log top 10 posts 45 20 nov best week", Stored("top_posts", 45, FRIDAY, "best week")),
    Row(EN, "log nps 35", Stored("nps", 35)),
    Row(EN, "log net promoter score 35", Stored("nps", 35)),
    Row(EN, "log nps -5", Stored("nps", -5)),
    Row(
        EN,
        "log instagram reach 12.4k",
        Asks("Did you mean Instagram followers?", ("Instagram followers",)),
    ),
    Row(EN, "log tiktok followers 200", Asks("Did you mean")),
    Row(EN, "log weekly revenue report 5", Refuses("/kpi list")),
    Row(EN, "log 12.4k", Refuses("Which KPI is 12.4k for")),
    Row(EN, "log instagram followers", Refuses("What was the value")),
    Row(EN, "log instagram followers great week", Refuses("What was the value")),
    # `/kpi log` alone opens the Log-reading form (tests/test_forms.py).
    Row(EN, "instagram followers 12.4k", Stored(FOLLOWERS, 12400)),
    Row(EN, "instagram followers yesterday 12.4k", Stored(FOLLOWERS, 12400, YESTERDAY)),
    Row(EN, "add instagram followers 12.4k", Stored(FOLLOWERS, 12400)),
    # --- Units that agree with the number -----------------------------------------------------
    Row(EN, "log event guests 1", Stored("event_guests", 1, says="1 guest ")),
    Row(EN, "log event guests 2", Stored("event_guests", 2, says="2 guests")),
    Row(EN, "log rd hours 1", Stored("rd_hours", 1, says="1 hour ")),
    Row(
        EN,
        "log rd hours 2",
        Stored("rd_hours", 2, says="+1 hour since"),
        before=(("rd_hours", 1, YESTERDAY),),
    ),
    # --- The reply shows which words were which -----------------------------------------------
    Row(
        EN,
        "log instagram followers yesterday 12 400 great week",
        Stored(
            FOLLOWERS,
            12400,
            YESTERDAY,
            "great week",
            says="Read as KPI “instagram followers” · value “12 400” · date “yesterday” · "
            "note “great week”",
        ),
    ),
]


@pytest.fixture(scope="module")
def phrases(
    tmp_path_factory: pytest.TempPathFactory,
    migrated_sqlite_file: Path,
    postgres_database: Database | None,
) -> Iterator[SlackHarness]:
    """One app and database for the module, with a scorecard for each kind of settings."""
    if postgres_database is not None:
        database = postgres_database
        from tests.conftest import _empty_postgres

        _empty_postgres(database)
    else:
        path = tmp_path_factory.mktemp("phrases") / "scorecard.db"
        shutil.copy(migrated_sqlite_file, path)
        database = Database(f"sqlite:///{path}")
    for workspace in SETTINGS:
        import_scorecard(database, scorecard_file(workspace))
    harness = SlackHarness(database, now=TEST_NOW)
    try:
        yield harness
    finally:
        harness.close()
        if postgres_database is None:
            database.dispose()


def _row_id(row: Row) -> str:
    return f"{row.workspace}:{row.text}"


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_phrase(phrases: SlackHarness, row: Row) -> None:
    _start_from(phrases.database, row)

    reply = phrases.command("/kpi", row.text, team=row.workspace)

    assert reply.status == 200
    new = _new_readings(phrases.database, row)
    expected = row.expected
    if isinstance(expected, Stored):
        assert len(new) == 1, (reply.text, new)
        stored = new[0]
        assert (stored.kpi_key, stored.period, stored.note or "") == (
            expected.kpi,
            expected.day,
            expected.note,
        ), reply.text
        assert stored.value == pytest.approx(expected.value), reply.text
        assert expected.says in reply.text.replace("\u202f", " ") + " ", reply.text
        return
    assert new == [], reply.text
    assert expected.says in reply.text, reply.text
    if isinstance(expected, Asks):
        assert expected.choices == _choice_labels(reply)[: len(expected.choices)], reply.text


def test_there_are_enough_rows() -> None:
    assert len(ROWS) >= 150


def test_picking_a_choice_logs_exactly_that(phrases: SlackHarness) -> None:
    row = Row(EN, "log churn 0.04 yesterday", Asks("0.04% or 4%?"))
    _start_from(phrases.database, row)
    question = phrases.command("/kpi", row.text, team=EN)
    [four] = [button for button in _buttons(question) if button["text"]["text"] == "4%"]

    phrases.api.clear()
    answer = phrases.click(four, team=EN)

    assert answer.status == 200
    [response] = phrases.api.wait_for(RESPONSE_URL)
    assert response.params["replace_original"] is True
    assert "Logged" in json.dumps(response.params)
    [stored] = _new_readings(phrases.database, row)
    assert (stored.kpi_key, stored.value, stored.period) == ("churn", 4, YESTERDAY)


def test_picking_replace_stores_the_new_reading_over_the_days_old_one(
    phrases: SlackHarness,
) -> None:
    row = Row(EN, "log instagram followers 30000 great week", Asks("Replace it"))
    row = Row(row.workspace, row.text, row.expected, before=((FOLLOWERS, 12000, TODAY),))
    _start_from(phrases.database, row)
    question = phrases.command("/kpi", row.text, team=EN)
    [replace] = [b for b in _buttons(question) if b["text"]["text"].startswith("Replace")]

    phrases.api.clear()
    phrases.click(replace, team=EN)

    [response] = phrases.api.wait_for(RESPONSE_URL)
    assert "replaces 12,000" in json.dumps(response.params, ensure_ascii=False)
    [stored] = _new_readings(phrases.database, row)
    assert (stored.value, stored.period, stored.note) == (30000, TODAY, "great week")


def test_a_note_that_says_channel_pings_nobody_in_the_reply(phrases: SlackHarness) -> None:
    _start_from(phrases.database, Row(EN, "", Refuses("")))

    reply = phrases.command(
        "/kpi", "log instagram followers 12.4k &lt;!channel&gt; <@U0ANN|ann>", team=EN
    )

    raw = str(reply.message)
    assert "&lt;!channel&gt;" in raw and "<!channel>" not in raw
    assert "<@U0ANN>" in raw  # the mention stays a mention


@dataclass(frozen=True)
class _NewReading:
    kpi_key: str
    value: float
    period: date
    note: str | None


def _start_from(database: Database, row: Row) -> None:
    with database.writing() as session:
        session.exec(delete(Reading))  # type: ignore[call-overload]
        scorecard = session.exec(
            select(Scorecard).where(Scorecard.workspace == row.workspace)
        ).one()
        for key, value, day in row.before:
            kpi = session.exec(
                select(Kpi).where(Kpi.scorecard_id == scorecard.id, Kpi.key == key)
            ).one()
            session.add(
                Reading(
                    scorecard_id=scorecard.id,
                    kpi_id=kpi.id,
                    period=day,
                    value=value,
                    logged_by="U0BEFORE",
                    logged_at=TEST_NOW,
                )
            )


def _new_readings(database: Database, row: Row) -> list[_NewReading]:
    with database.reading() as session:
        found = session.exec(
            select(Kpi.key, Reading.value, Reading.period, Reading.note)
            .join(Kpi, Kpi.id == Reading.kpi_id)
            .where(Reading.logged_by != "U0BEFORE")
        ).all()
    return [_NewReading(*each) for each in found]


def _buttons(reply: Reply) -> list[dict[str, Any]]:
    return [
        element
        for block in reply.message.get("blocks", [])
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


def _choice_labels(reply: Reply) -> tuple[str, ...]:
    return tuple(
        button["text"]["text"] for button in _buttons(reply) if button["action_id"] != "choice_none"
    )


def _kpi_id(database: Database, workspace: str, key: str) -> int:
    with database.reading() as session:
        scorecard = session.exec(select(Scorecard).where(Scorecard.workspace == workspace)).one()
        kpi = session.exec(
            select(Kpi).where(Kpi.scorecard_id == scorecard.id, Kpi.key == key)
        ).one()
        assert kpi.id is not None
        return kpi.id


@pytest.mark.parametrize(
    ("workspace", "key", "typed", "stored"),
    [
        (EN, FOLLOWERS, "12 400", 12400),
        (EN, "repeat_revenue", "€52.000", 52000),  # the KPI's scale settles it
        (NL, "nps", "1.350", 1350),  # 1.234,5 is usual in the Netherlands
        (EU, FOLLOWERS, "12,000", 12),  # the setting settles it for everyone
    ],
)
def test_the_log_reading_modal_reads_values_with_the_same_parser(
    phrases: SlackHarness, workspace: str, key: str, typed: str, stored: float
) -> None:
    row = Row(workspace, "", Refuses(""))
    _start_from(phrases.database, row)
    kpi_id = _kpi_id(phrases.database, workspace, key)

    with phrases.database.writing() as session:
        log_reading_for(session, workspace, kpi_id, typed, None, "", "U0MODAL", TEST_NOW)

    [reading] = _new_readings(phrases.database, row)
    assert (reading.kpi_key, reading.value) == (key, stored)


def test_the_modal_asks_through_its_field_when_nothing_settles_the_number(
    phrases: SlackHarness,
) -> None:
    _start_from(phrases.database, Row(EN, "", Refuses("")))
    kpi_id = _kpi_id(phrases.database, EN, "nps")

    with phrases.database.writing() as session, pytest.raises(InvalidReading) as raised:
        log_reading_for(session, EN, kpi_id, "1.350", None, "", "U0MODAL", TEST_NOW)

    assert raised.value.field == "value"
    assert "Is “1.350” 1 350 or 1.35?" in raised.value.message
    assert "Type 1350 or 1.35." in raised.value.message


def test_a_readings_csv_reads_values_and_dates_with_the_same_parsers(phrases: SlackHarness) -> None:
    """Files write numbers as exports do (a decimal dot), whatever the scorecard's setting."""
    _start_from(phrases.database, Row(EU, "", Refuses("")))
    csv_text = (
        "kpi,period,value\n"
        "items_per_order,2026-11-20,1.350\n"
        'instagram_followers,20.11.2026,"12 400"\n'
        "repeat_revenue,20 Nov 2026,€52k\n"
    )

    import_readings(phrases.database, csv_text, EU, TEST_NOW)

    stored = {
        (r.kpi_key, r.period, r.value)
        for r in _new_readings(phrases.database, Row(EU, "", Refuses("")))
    }
    assert stored == {
        ("items_per_order", FRIDAY, 1.35),
        (FOLLOWERS, FRIDAY, 12400),
        ("repeat_revenue", FRIDAY, 52000),
    }
