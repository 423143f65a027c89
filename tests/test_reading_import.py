"""Importing a KPI history from CSV: the way back in for `scorecard export readings`."""

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from scorecard.digest import build_digest
from scorecard.errors import UserError
from scorecard.exporting import export_readings
from scorecard.importing import import_scorecard
from scorecard.reading_import import ReadingFileError, describe, import_readings
from storage.db import Database
from storage.models import Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.sample import SAMPLE_SCORECARD

ROOT = Path(__file__).resolve().parent.parent
COMMUNITY = (ROOT / "examples" / "community.yaml").read_text(encoding="utf-8")
COMMUNITY_READINGS = (ROOT / "examples" / "community-readings.csv").read_text(encoding="utf-8")
HEADER = "kpi,period,value,logged_by,logged_at,note\n"

# As `scorecard export readings` writes it: by KPI key, then period.
HISTORY = HEADER + (
    "engagement_rate,2026-11-02,2.5,U0SOCIAL,2026-11-02T09:30:00+00:00,\n"
    'engagement_rate,2026-11-09,2.75,U0SOCIAL,2026-11-09T09:30:00+00:00,"Reels, finally"\n'
    "instagram_followers,2026-11-02,11800,U0SOCIAL,2026-11-02T09:31:00+00:00,\n"
    "instagram_followers,2026-11-09,12100,U0SOCIAL,2026-11-09T09:31:00+00:00,\n"
    "instagram_followers,2026-11-16,12400,U0SOCIAL,2026-11-16T09:31:00+00:00,"
    '"Giveaway week: ""free sample"" posts"\n'
    "repeat_revenue,2026-10-31,21500,U0EXEC,2026-11-01T08:00:00+00:00,\n"
    "response_time,2026-11-23,3.5,import,2026-11-23T17:45:12+00:00,\n"
)


def count_readings(database: Database, workspace: str | None = None) -> int:
    with database.reading() as session:
        query = select(func.count()).select_from(Reading)
        if workspace:
            query = query.join(Scorecard, col(Scorecard.id) == Reading.scorecard_id).where(
                Scorecard.workspace == workspace
            )
        return session.exec(query).one()


def stored(database: Database, key: str) -> list[Reading]:
    with database.reading() as session:
        query = select(Reading).join(Kpi, col(Kpi.id) == Reading.kpi_id).where(Kpi.key == key)
        return list(session.exec(query.order_by(Reading.period, Reading.id)).all())


def problems_of(database: Database, text: str, workspace: str | None = "T0DEMO") -> list[str]:
    with pytest.raises(ReadingFileError) as raised:
        import_readings(database, text, workspace, now=TEST_NOW)
    return raised.value.problems


@pytest.fixture
def sample(database: Database) -> Database:
    import_scorecard(database, SAMPLE_SCORECARD)
    return database


def test_an_imported_history_exports_back_unchanged(sample: Database) -> None:
    summary = import_readings(sample, HISTORY, None, now=TEST_NOW)

    assert describe(summary) == (
        "Imported 7 readings of 4 KPIs into “Vitality community scorecard” (T0DEMO), "
        "from 2026-10-31 to 2026-11-23."
    )
    assert export_readings(sample, "T0DEMO", "csv") == HISTORY


def test_importing_an_export_again_adds_nothing(sample: Database) -> None:
    import_readings(sample, HISTORY, None, now=TEST_NOW)
    exported = export_readings(sample, "T0DEMO", "csv")

    again = import_readings(sample, exported, "T0DEMO", now=TEST_NOW)

    assert (again.added, again.already_there) == (0, 7)
    assert describe(again) == (
        "All 7 readings in the file were already in “Vitality community scorecard” (T0DEMO): "
        "nothing added."
    )
    assert count_readings(sample) == 7
    assert export_readings(sample, "T0DEMO", "csv") == exported


def test_readings_logged_in_slack_are_recognised_despite_their_microseconds(
    sample: Database,
) -> None:
    with sample.reading() as session:
        kpi = session.exec(select(Kpi).where(Kpi.key == "instagram_followers")).one()
    with sample.writing() as session:
        session.add(
            Reading(
                scorecard_id=kpi.scorecard_id,
                kpi_id=kpi.id,
                period=date(2026, 11, 23),
                value=12_600,
                logged_by="U0SOCIAL",
                logged_at=datetime(2026, 11, 23, 8, 15, 30, 123_456, tzinfo=UTC),
            )
        )

    summary = import_readings(sample, export_readings(sample, None), None, now=TEST_NOW)

    assert (summary.added, summary.already_there) == (0, 1)


def test_rows_without_logged_at_are_not_added_twice(sample: Database) -> None:
    text = "kpi,period,value\ninstagram_followers,2026-11-20,12.4k\nresponse_time,2026-11-20,3\n"

    first = import_readings(sample, text, None, now=TEST_NOW)
    second = import_readings(sample, text, None, now=TEST_NOW)

    assert (first.added, second.added, second.already_there) == (2, 0, 2)
    assert "2 readings in the file were already in" in describe(second)
    followers = stored(sample, "instagram_followers")
    assert [(r.value, r.logged_by, r.logged_at) for r in followers] == [
        (12_400, "import", TEST_NOW)
    ]


def test_a_row_repeated_in_the_file_is_stored_once(sample: Database) -> None:
    row = "instagram_followers,2026-11-20,12400,U0SOCIAL,2026-11-20T10:00:00+00:00,\n"

    summary = import_readings(sample, HEADER + row + row, None, now=TEST_NOW)

    assert (summary.added, summary.already_there) == (1, 1)
    assert len(stored(sample, "instagram_followers")) == 1


def test_a_second_reading_for_the_same_day_with_another_value_is_kept(sample: Database) -> None:
    import_readings(sample, "kpi,period,value\nresponse_time,2026-11-20,3\n", None, now=TEST_NOW)

    summary = import_readings(
        sample, "kpi,period,value\nresponse_time,2026-11-20,2.5\n", None, now=TEST_NOW
    )

    assert summary.added == 1
    assert [reading.value for reading in stored(sample, "response_time")] == [3, 2.5]


def test_values_are_read_as_people_type_them(sample: Database) -> None:
    text = (
        "kpi,period,value,note\n"
        "Instagram Followers,2026-11-20,12.4k,by name\n"
        "engagement_rate,2026-11-20,35%,\n"
        'REPEAT_REVENUE,2026-10-31,"€21,500",key in capitals\n'
        "response_time,2026-11-20,90 min,\n"
    )

    import_readings(sample, text, "T0DEMO", now=TEST_NOW)

    assert [r.value for r in stored(sample, "instagram_followers")] == [12_400]
    assert [r.note for r in stored(sample, "instagram_followers")] == ["by name"]
    assert [r.value for r in stored(sample, "engagement_rate")] == [35]
    assert [r.value for r in stored(sample, "repeat_revenue")] == [21_500]
    assert [r.value for r in stored(sample, "response_time")] == [1.5]


def test_every_problem_is_listed_at_once_and_nothing_is_written(sample: Database) -> None:
    text = (
        "kpi,period,value,logged_by,logged_at,note,source\n"
        "instagram_followers,2026-11-20,12400,U0SOCIAL,2026-11-20T10:00:00+00:00,fine,\n"
        "instagram_folowers,2026-11-20,12400,,,,\n"
        "engagement_rate,20 nov,lots,,,,\n"
        "instagram_followers,2026-11-20,35%,someone,yesterday,,\n"
        ",2026-11-21,,,,,\n"
        'response_time,2026-11-20,3,U0COMMUNITY,2026-11-20,"a, b",extra,cells\n'
        "response_time,2026-11-25,3,,2026-11-30T10:00:00+00:00,,\n"
    )

    problems = problems_of(sample, text)

    assert problems == [
        "line 1: unknown column “source” (columns: kpi, period, value, logged_by, logged_at, note)",
        "line 3, `kpi`: there is no KPI “instagram_folowers” — did you mean “instagram_followers”?",
        "line 4, `value`: “lots” isn't a number. Try 35 or 35%",
        "line 4, `period`: “20 nov” is not a date (write it as YYYY-MM-DD, like 2027-06-30)",
        "line 5, `value`: “35%” is a percentage, but this KPI counts followers. Try 12400 or 12.4k",
        "line 5, `logged_by`: “someone” is not a Slack user id: use one like U012AB3CD "
        "(in Slack: the person's profile → ⋮ → Copy member ID)",
        "line 5, `logged_at`: “yesterday” is not a date and time "
        "(write it like 2026-11-20T09:30:00+00:00)",
        "line 6, `kpi`: is empty",
        "line 6, `value`: is empty",
        "line 7: 8 values, but the header names 7 columns "
        "(put a value that contains a comma in double quotes)",
        "line 8, `period`: 2026-11-25 is in the future (it is 2026-11-24 where the team is); "
        "readings are for what already happened",
        "line 8, `logged_at`: 2026-11-30T10:00:00+00:00 is in the future",
    ]
    assert count_readings(sample) == 0


def test_the_message_says_nothing_was_imported(sample: Database) -> None:
    with pytest.raises(UserError) as raised:
        import_readings(sample, "kpi,period,value\nnope,2026-11-20,1\n", None, now=TEST_NOW)

    assert raised.value.message == (
        "The readings file has a problem, so nothing was imported:\n"
        "- line 2, `kpi`: there is no KPI “nope” (use the KPI's key, as `scorecard export` "
        "shows it)"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty: it should start with kpi,period,value,logged_by,logged_at,note"),
        (
            "instagram_followers,2026-11-20,12400\n",
            "line 1: the header row has no `kpi`, `period`, `value` columns: the first line "
            "names the columns, like kpi,period,value,logged_by,logged_at,note",
        ),
        (
            "kpi,date,value\ninstagram_followers,2026-11-20,12400\n",
            "line 1: unknown column “date” (columns: kpi, period, value, logged_by, logged_at, "
            "note)",
        ),
        ('kpi,period,value\n"instagram_followers,2026-11-20,1\n', None),
    ],
)
def test_a_file_that_is_not_a_readings_csv_is_refused(
    sample: Database, text: str, problem: str | None
) -> None:
    problems = problems_of(sample, text)

    if problem is not None:
        assert problem in problems
    assert count_readings(sample) == 0


def test_a_header_alone_imports_nothing(sample: Database) -> None:
    summary = import_readings(sample, HEADER, None, now=TEST_NOW)

    assert summary.added == 0
    assert describe(summary) == (
        "The file has no readings, so nothing was added to “Vitality community scorecard” (T0DEMO)."
    )


def test_future_means_after_today_where_the_team_is(sample: Database) -> None:
    # 23:30 UTC on the 24th is already the 25th in Amsterdam.
    late_evening = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    text = "kpi,period,value\nresponse_time,2026-11-25,3\n"

    assert problems_of(sample, text) == [
        "line 2, `period`: 2026-11-25 is in the future (it is 2026-11-24 where the team is); "
        "readings are for what already happened"
    ]
    assert import_readings(sample, text, None, now=late_evening).added == 1


def test_a_logged_at_without_a_time_zone_is_the_teams_clock(sample: Database) -> None:
    text = "kpi,period,value,logged_at\nresponse_time,2026-11-20,3,2026-11-20T09:30\n"

    import_readings(sample, text, None, now=TEST_NOW)

    # Amsterdam is UTC+1 in November.
    assert stored(sample, "response_time")[0].logged_at == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def test_readings_go_to_the_chosen_workspace_only(sample: Database) -> None:
    import_scorecard(sample, SAMPLE_SCORECARD.replace("T0DEMO", "T0OTHER"))

    with pytest.raises(UserError, match=r"several scorecards \(T0DEMO, T0OTHER\)"):
        import_readings(sample, HISTORY, None, now=TEST_NOW)
    with pytest.raises(UserError, match="no scorecard for workspace T0NONE"):
        import_readings(sample, HISTORY, "T0NONE", now=TEST_NOW)
    into_other = import_readings(sample, HISTORY, "T0OTHER", now=TEST_NOW)
    into_demo = import_readings(sample, HISTORY, "T0DEMO", now=TEST_NOW)

    # The same file in another workspace is not "already there".
    assert (into_other.added, into_demo.added) == (7, 7)
    assert count_readings(sample, "T0OTHER") == count_readings(sample, "T0DEMO") == 7
    assert export_readings(sample, "T0OTHER") == export_readings(sample, "T0DEMO") == HISTORY


def test_an_empty_database_says_how_to_start(database: Database) -> None:
    with pytest.raises(UserError, match="no scorecard yet"):
        import_readings(database, HISTORY, None, now=TEST_NOW)


def test_an_archived_kpis_readings_import_back_by_key(sample: Database) -> None:
    without_followers = SAMPLE_SCORECARD.replace(
        "  - {key: instagram_followers, name: Instagram followers, objective: loyalty, unit: "
        "followers,\n     baseline: 10000, target: 15000, direction: up, frequency: weekly, "
        "owner: U0SOCIAL}\n",
        "",
    )
    assert without_followers != SAMPLE_SCORECARD
    import_scorecard(sample, without_followers)

    summary = import_readings(sample, HISTORY, None, now=TEST_NOW)

    assert summary.added == 7
    assert len(stored(sample, "instagram_followers")) == 3


def test_a_long_history_imports_in_one_go(sample: Database) -> None:
    days = 5_000
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kpi", "period", "value"])
    for key in ("instagram_followers", "engagement_rate", "response_time", "repeat_revenue"):
        for day in range(days):
            period = date.fromordinal(date(2026, 11, 23).toordinal() - day)
            writer.writerow([key, period.isoformat(), day])

    first = import_readings(sample, out.getvalue(), None, now=TEST_NOW)
    again = import_readings(sample, out.getvalue(), None, now=TEST_NOW)

    assert (first.added, again.added, again.already_there) == (4 * days, 0, 4 * days)
    assert count_readings(sample) == 4 * days


def test_the_demo_history_gives_the_digest_something_to_say(database: Database) -> None:
    import_scorecard(database, COMMUNITY)

    summary = import_readings(database, COMMUNITY_READINGS, None, now=TEST_NOW)

    with database.reading() as session:
        scorecard = session.exec(select(Scorecard)).one()
        digest = build_digest(session, scorecard, TEST_NOW, None)
    keys = {
        "off track": [line.view.kpi.key for line in digest.off_track],
        "at risk": [line.view.kpi.key for line in digest.at_risk],
        "overdue": [line.view.kpi.key for line in digest.overdue],
        "no data": [line.view.kpi.key for line in digest.objectives[-1].kpis],
    }
    assert summary.kpis == 9 and summary.last == date(2026, 11, 23)
    assert keys == {
        "off track": ["instagram_followers"],
        "at risk": ["engagement_rate"],
        "overdue": ["response_time"],
        "no data": ["playbook_chapters"],
    }
    assert {line.view.kpi.key for line in digest.movers} == {
        "engagement_rate",
        "answered_within_2h",
    }


# --- The command line --------------------------------------------------------------------------


def scorecard(*arguments: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return clean


def test_the_import_command_takes_readings_as_csv(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "scorecard.yml").write_text(SAMPLE_SCORECARD)
    (tmp_path / "history.csv").write_text(HISTORY.replace("\n", "\r\n"), encoding="utf-8-sig")
    assert scorecard("import", str(tmp_path / "scorecard.yml"), env=env).returncode == 0

    loaded = scorecard("import", str(tmp_path / "history.csv"), env=env)
    again = scorecard("import", str(tmp_path / "history.csv"), "--workspace", "T0DEMO", env=env)
    exported = scorecard("export", "readings", env=env)

    assert loaded.returncode == 0, loaded.stderr
    assert "Imported 7 readings of 4 KPIs" in loaded.stdout
    assert again.returncode == 0 and "nothing added" in again.stdout
    assert exported.stdout == HISTORY


def test_the_import_command_lists_a_bad_files_problems(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "scorecard.yaml").write_text(SAMPLE_SCORECARD)
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi,period,value\nfollowers,2026-11-20,12400\nresponse_time,someday,3\n")
    assert scorecard("import", str(tmp_path / "scorecard.yaml"), env=env).returncode == 0

    result = scorecard("import", str(bad), env=env)
    wrong_kind = scorecard("import", str(tmp_path / "notes.txt"), env=env)
    misplaced = scorecard("import", str(tmp_path / "scorecard.yaml"), "--workspace", "T0X", env=env)

    assert result.returncode == 1
    assert "The readings file has 2 problems, so nothing was imported" in result.stderr
    assert "line 2, `kpi`: there is no KPI “followers”" in result.stderr
    assert "line 3, `period`: “someday” is not a date" in result.stderr
    assert "Traceback" not in result.stderr
    assert scorecard("export", "readings", env=env).stdout == HEADER
    assert wrong_kind.returncode == 1 and ".yaml (or .yml) or readings as .csv" in wrong_kind.stderr
    assert misplaced.returncode == 1 and "--workspace is for readings" in misplaced.stderr


def test_the_console_demo_shows_history(env: dict[str, str]) -> None:
    typed = "/kpi show instagram followers\n/kpi list\nquit\n"

    result = scorecard("console", "--demo", env=env, stdin=typed)

    assert result.returncode == 0, result.stderr
    assert "Latest: 12,110 followers" in result.stdout
    assert "12,040 followers" in result.stdout  # the reading before, in the recent history
    assert "Growth has stalled since the algorithm change" in result.stdout
    assert any(block in result.stdout for block in "▁▂▃▄▅▆▇█")
    assert "Community playbook chapters written: no data" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
