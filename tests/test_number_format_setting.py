"""The scorecard's `number_format` setting: read from the file, stored, exported, and its default
from the time zone when the file leaves it out."""

import pytest
import yaml
from sqlmodel import select

from scorecard.exporting import export_scorecard
from scorecard.importing import import_scorecard
from scorecard.scorecard_file import ScorecardFileError, parse_scorecard
from scorecard.values import usual_number_format
from storage.db import Database
from storage.models import Scorecard

FILE = """\
workspace: T0NUMBERS
name: Numbers
timezone: Europe/Amsterdam
{settings}
kpis:
  - {{key: revenue, name: Revenue, unit: "€", baseline: "€20,000", target: 30000}}
"""


def stored_format(database: Database) -> str | None:
    with database.reading() as session:
        scorecard = session.exec(select(Scorecard).where(Scorecard.workspace == "T0NUMBERS")).one()
        return scorecard.number_format


@pytest.mark.parametrize("setting", ["1,234.5", "1.234,5", "1 234,5", "'1\u00a0234,5'"])
def test_the_setting_is_stored_and_exported(database: Database, setting: str) -> None:
    import_scorecard(database, FILE.format(settings=f"settings:\n  number_format: {setting}"))

    expected = setting.strip("'").replace("\u00a0", " ")
    assert stored_format(database) == expected
    exported = yaml.safe_load(export_scorecard(database, "T0NUMBERS"))
    assert exported["settings"]["number_format"] == expected


def test_without_the_setting_nothing_is_stored_or_exported(database: Database) -> None:
    import_scorecard(database, FILE.format(settings=""))

    assert stored_format(database) is None
    assert "number_format" not in export_scorecard(database, "T0NUMBERS")


def test_an_unknown_format_is_reported_with_the_ones_there_are() -> None:
    with pytest.raises(ScorecardFileError) as raised:
        parse_scorecard(FILE.format(settings="settings:\n  number_format: 1234,5"))

    [problem] = raised.value.problems
    assert "number_format" in problem and "“1,234.5”, “1.234,5”, “1 234,5”" in problem


def test_numbers_in_the_file_are_written_the_way_exports_write_them() -> None:
    """The file's "€20,000" is 20000 whatever the team types in Slack: files use a decimal dot."""
    spec = parse_scorecard(FILE.format(settings="settings:\n  number_format: 1.234,5"))

    assert spec.kpis[0].baseline == 20000


@pytest.mark.parametrize(
    ("timezone", "usual"),
    [
        ("Europe/Amsterdam", "1.234,5"),
        ("Europe/Berlin", "1.234,5"),
        ("America/Sao_Paulo", "1.234,5"),
        ("Europe/Paris", "1 234,5"),
        ("America/New_York", "1,234.5"),
        ("Europe/London", "1,234.5"),
        ("Asia/Tokyo", "1,234.5"),
        ("UTC", None),
    ],
)
def test_the_default_comes_from_the_time_zone(timezone: str, usual: str | None) -> None:
    found = usual_number_format(timezone)

    assert (found.setting if found else None) == usual
