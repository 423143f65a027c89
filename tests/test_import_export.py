"""Importing scorecard files into the database, and exporting scorecards and readings back out."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import col, select

from scorecard.errors import UserError
from scorecard.exporting import export_readings, export_scorecard
from scorecard.importing import describe, import_scorecard
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Action, Kpi, Objective, ObjectiveLink, Perspective, Reading, Scorecard

ROOT = Path(__file__).resolve().parent.parent
COMMUNITY = (ROOT / "examples" / "community.yaml").read_text(encoding="utf-8")
SHOP = (ROOT / "examples" / "fashion-shop.yaml").read_text(encoding="utf-8")


def count(database: Database, model: type, *conditions: object) -> int:
    with database.reading() as session:
        query = select(func.count()).select_from(model).where(*conditions)  # type: ignore[arg-type]
        return session.exec(query).one()


def kpi_named(database: Database, workspace: str, key: str) -> Kpi:
    with database.reading() as session:
        query = select(Kpi).join(Scorecard, col(Scorecard.id) == Kpi.scorecard_id)
        return session.exec(query.where(Scorecard.workspace == workspace, Kpi.key == key)).one()


def add_reading(
    database: Database, kpi: Kpi, period: date, value: float, note: str | None = None
) -> None:
    with database.writing() as session:
        session.add(
            Reading(
                scorecard_id=kpi.scorecard_id,
                kpi_id=kpi.id,
                period=period,
                value=value,
                logged_by="U0SOCIAL",
                logged_at=datetime(period.year, period.month, period.day, 9, 30, tzinfo=UTC),
                note=note,
            )
        )


def test_importing_the_example_creates_the_whole_scorecard(database: Database) -> None:
    summary = import_scorecard(database, COMMUNITY)

    assert describe(summary) == (
        "Imported “Verdant community scorecard” for T0DEMO (a new scorecard): "
        "4 perspectives (4 new), 9 objectives (9 new), 10 KPIs (10 new), 8 actions (8 new)."
    )
    assert count(database, Perspective) == 4
    assert count(database, Objective) == 9
    assert count(database, ObjectiveLink) == 11
    assert count(database, Kpi) == 10
    assert count(database, Action, col(Action.objective_id).is_(None)) == 2
    with database.reading() as session:
        scorecard = session.exec(select(Scorecard)).one()
        assert (scorecard.timezone, scorecard.stall_after_days) == ("Europe/Amsterdam", 14)
        stalled = session.exec(select(Action).where(Action.key == "saved_replies")).one()
    # The file's last_update is the start of that day where the team is (CEST: UTC+2).
    assert stalled.last_update_at == datetime(2026, 9, 14, 22, 0, tzinfo=UTC)


def test_importing_the_same_file_again_changes_nothing(database: Database) -> None:
    import_scorecard(database, COMMUNITY)

    summary = import_scorecard(database, COMMUNITY)

    assert describe(summary) == (
        "Imported “Verdant community scorecard” for T0DEMO: 4 perspectives (unchanged), "
        "9 objectives (unchanged), 10 KPIs (unchanged), 8 actions (unchanged)."
    )
    assert (count(database, Kpi), count(database, ObjectiveLink)) == (10, 11)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_export_imports_back_to_the_same_scorecard(database: Database, fmt: str) -> None:
    import_scorecard(database, COMMUNITY)
    exported = export_scorecard(database, "T0DEMO", fmt)

    again = import_scorecard(database, exported)
    copy = import_scorecard(database, exported.replace("T0DEMO", "T0COPY"))

    assert again.kpis.unchanged == 10 and again.objectives.unchanged == 9
    assert copy.new_scorecard and copy.actions.created == 8
    assert export_scorecard(database, "T0DEMO", fmt) == exported
    assert export_scorecard(database, "T0COPY", fmt) == exported.replace("T0DEMO", "T0COPY")


def test_the_export_follows_the_file_format(database: Database) -> None:
    import_scorecard(database, COMMUNITY)

    document = yaml.safe_load(export_scorecard(database, None))

    assert list(document)[:4] == ["workspace", "name", "mission", "timezone"]
    assert document["perspectives"][2] == {"key": "community", "name": "Community"}
    followers = next(kpi for kpi in document["kpis"] if kpi["key"] == "instagram_followers")
    assert followers == {
        "key": "instagram_followers",
        "name": "Instagram followers",
        "objective": "brand_awareness",
        "unit": "followers",
        "baseline": 9800,
        "target": 20000,
        "direction": "up",
        "frequency": "weekly",
        "owner": "U0SOCIAL",
        "target_date": date(2027, 6, 30),
        "baseline_date": date(2026, 1, 1),
        "kind": "lag",
    }
    memes = next(action for action in document["actions"] if action["key"] == "daily_meme_posts")
    assert "objective" not in memes and memes["last_update"] == date(2026, 11, 20)


def test_reimporting_a_changed_file_updates_by_key_and_archives_what_is_gone(
    database: Database,
) -> None:
    import_scorecard(database, COMMUNITY)
    followers = kpi_named(database, "T0DEMO", "instagram_followers")
    add_reading(database, followers, date(2026, 11, 20), 12_400)
    spec = yaml.safe_load(COMMUNITY)
    spec["kpis"] = [kpi for kpi in spec["kpis"] if kpi["key"] != "instagram_followers"]
    spec["kpis"][0]["target"] = 75_000
    spec["actions"] = [a for a in spec["actions"] if a["key"] != "daily_meme_posts"]
    spec["objectives"][1]["supports"] = []  # member_loyalty no longer supports revenue

    summary = import_scorecard(database, yaml.safe_dump(spec, sort_keys=False))

    assert describe(summary) == (
        "Imported “Verdant community scorecard” for T0DEMO: 4 perspectives (unchanged), "
        "9 objectives (1 updated), 9 KPIs (1 updated, 1 archived), 7 actions (1 archived)."
    )
    archived = kpi_named(database, "T0DEMO", "instagram_followers")
    assert archived.archived and archived.id == followers.id
    assert count(database, Reading, Reading.kpi_id == followers.id) == 1
    assert kpi_named(database, "T0DEMO", "online_revenue").target == 75_000
    assert count(database, Action, col(Action.archived).is_(True)) == 1
    assert count(database, ObjectiveLink) == 10
    exported = yaml.safe_load(export_scorecard(database, "T0DEMO"))
    assert "instagram_followers" not in [kpi["key"] for kpi in exported["kpis"]]

    back = import_scorecard(database, COMMUNITY)

    assert (back.kpis.updated, back.kpis.created, back.actions.updated) == (2, 0, 1)
    restored = kpi_named(database, "T0DEMO", "instagram_followers")
    assert not restored.archived and restored.id == followers.id
    assert count(database, Kpi) == 10 and count(database, Action) == 8
    assert count(database, Reading, Reading.kpi_id == followers.id) == 1


def test_a_perspective_gone_from_the_file_is_removed_once_nothing_uses_it(
    database: Database,
) -> None:
    import_scorecard(database, COMMUNITY)
    spec = yaml.safe_load(COMMUNITY)
    spec["perspectives"].append({"key": "planet", "name": "Planet"})
    import_scorecard(database, yaml.safe_dump(spec))
    spec["perspectives"].pop()

    summary = import_scorecard(database, yaml.safe_dump(spec))

    assert summary.perspectives.archived == 1
    assert "4 perspectives (1 removed)" in describe(summary)
    assert count(database, Perspective) == 4


def test_a_file_never_moves_an_actions_last_update_back(database: Database) -> None:
    import_scorecard(database, COMMUNITY)
    reported_in_slack = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    with database.writing() as session:
        action = session.exec(select(Action).where(Action.key == "saved_replies")).one()
        action.last_update_at = reported_in_slack
        session.add(action)

    import_scorecard(database, COMMUNITY)

    with database.reading() as session:
        action = session.exec(select(Action).where(Action.key == "saved_replies")).one()
    assert action.last_update_at == reported_in_slack


def test_workspaces_do_not_touch_each_other(database: Database) -> None:
    import_scorecard(database, COMMUNITY)
    demo_before = export_scorecard(database, "T0DEMO")
    spec = yaml.safe_load(SHOP)
    spec["kpis"] = spec["kpis"][:2]
    spec["actions"] = []

    import_scorecard(database, SHOP)
    summary = import_scorecard(database, yaml.safe_dump(spec))

    assert (summary.kpis.archived, summary.actions.archived) == (4, 4)
    assert export_scorecard(database, "T0DEMO") == demo_before
    assert count(database, Kpi, col(Kpi.archived).is_(True)) == 4
    assert count(database, Scorecard) == 2


def test_readings_export_as_csv_by_kpi_then_period(database: Database) -> None:
    import_scorecard(database, COMMUNITY)
    followers = kpi_named(database, "T0DEMO", "instagram_followers")
    engagement = kpi_named(database, "T0DEMO", "engagement_rate")
    add_reading(database, followers, date(2026, 11, 20), 12_400, "after the giveaway")
    add_reading(database, engagement, date(2026, 11, 21), 3.25)
    add_reading(database, followers, date(2026, 11, 13), 11_900)

    text = export_readings(database, "T0DEMO", "csv")

    assert text.splitlines() == [
        "kpi,period,value,logged_by,logged_at,note",
        "engagement_rate,2026-11-21,3.25,U0SOCIAL,2026-11-21T09:30:00+00:00,",
        "instagram_followers,2026-11-13,11900,U0SOCIAL,2026-11-13T09:30:00+00:00,",
        "instagram_followers,2026-11-20,12400,U0SOCIAL,2026-11-20T09:30:00+00:00,"
        "after the giveaway",
    ]
    records = list(csv.DictReader(io.StringIO(text)))
    assert json.loads(export_readings(database, "T0DEMO", "json")) == [
        {**record, "value": float(record["value"]), "note": record["note"] or None}
        for record in records
    ]
    assert yaml.safe_load(export_readings(database, "T0DEMO", "yaml")) == json.loads(
        export_readings(database, "T0DEMO", "json")
    )


def test_a_scorecard_without_readings_exports_an_empty_list(database: Database) -> None:
    import_scorecard(database, SHOP)

    assert export_readings(database, None) == "kpi,period,value,logged_by,logged_at,note\n"
    assert json.loads(export_readings(database, None, "json")) == []
    assert yaml.safe_load(export_readings(database, None, "yaml")) == []


def test_exporting_an_unknown_workspace_says_how_to_import(database: Database) -> None:
    import_scorecard(database, COMMUNITY)
    import_scorecard(database, SHOP)

    with pytest.raises(UserError, match="no scorecard for workspace T0NOPE.*scorecard import"):
        export_scorecard(database, "T0NOPE")
    with pytest.raises(UserError, match=r"several scorecards \(T0DEMO, T0SHOP\).*--workspace"):
        export_readings(database, None)
    with pytest.raises(UserError, match="“xml”: use csv or json or yaml"):
        export_readings(database, "T0DEMO", "xml")
    with pytest.raises(UserError, match="“csv”: use yaml or json"):
        export_scorecard(database, "T0DEMO", "csv")


def test_an_empty_database_says_how_to_import(database: Database) -> None:
    with pytest.raises(UserError, match="no scorecard yet.*scorecard import"):
        export_scorecard(database, None)


# --- The command line ------------------------------------------------------------------------


class Cli:
    """`python -m bot …` in a child process, on its own SQLite file, as an operator runs it."""

    def __init__(self, tmp_path: Path) -> None:
        self.database_url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "DATABASE_URL": self.database_url, "LOG_LEVEL": "WARNING"}
        return subprocess.run(
            [sys.executable, "-m", "bot", *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_the_command_line_imports_and_exports(cli: Cli) -> None:
    imported = cli.run("import", "examples/community.yaml")
    assert imported.returncode == 0, imported.stderr
    assert "Imported “Verdant community scorecard” for T0DEMO" in imported.stdout

    readings = cli.run("export", "readings")
    assert readings.returncode == 0, readings.stderr
    assert readings.stdout == "kpi,period,value,logged_by,logged_at,note\n"

    exported = cli.run("export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["workspace"] == "T0DEMO"


def test_the_command_line_rejects_a_broken_file_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(COMMUNITY.replace("target: 20k", "targt: 20k"), encoding="utf-8")

    result = cli.run("import", str(broken))

    assert result.returncode == 1
    assert "kpis[4] (instagram_followers), line" in result.stderr
    assert "unknown field “targt” — did you mean “target”?" in result.stderr
    assert "`target` is missing" in result.stderr
    database = Database(cli.database_url)
    upgrade(database)
    assert count(database, Scorecard) == 0
    database.dispose()
