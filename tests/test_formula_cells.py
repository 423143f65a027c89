"""CSV exports can't smuggle spreadsheet formulas: notes that would run get a leading quote, and
the import reads them back as they were written."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from scorecard.exporting import export_readings
from scorecard.importing import import_scorecard
from scorecard.reading_import import import_readings
from storage.db import Database
from storage.models import Kpi, Reading, Scorecard
from tests.conftest import TEST_NOW
from tests.sample import SAMPLE_SCORECARD

NOTES = [
    '=HYPERLINK("https://evil.example","Click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted by its author",
    "''+two quotes",
    "'just a quote",
    "plain – text, with a comma",
    "a = b",
]


@pytest.fixture
def sample(database: Database) -> Database:
    import_scorecard(database, SAMPLE_SCORECARD)
    import_scorecard(database, SAMPLE_SCORECARD.replace("T0DEMO", "T0COPY"))
    return database


def log_readings_with_notes(database: Database, notes: list[str]) -> None:
    """Readings as people log them in Slack: a negative value too, and notes of any kind."""
    with database.reading() as session:
        kpi = session.exec(
            select(Kpi)
            .join(Scorecard, col(Scorecard.id) == Kpi.scorecard_id)
            .where(Kpi.key == "response_time", Scorecard.workspace == "T0DEMO")
        ).one()
    with database.writing() as session:
        for day, note in enumerate(notes, start=1):
            session.add(
                Reading(
                    scorecard_id=kpi.scorecard_id,
                    kpi_id=kpi.id,
                    period=date(2026, 11, day),
                    value=-day,
                    logged_by="U0COMMUNITY",
                    logged_at=datetime(2026, 11, day, 9, tzinfo=UTC),
                    note=note,
                )
            )


def test_notes_a_spreadsheet_would_run_are_exported_with_a_leading_quote(
    sample: Database,
) -> None:
    log_readings_with_notes(sample, NOTES)

    exported = export_readings(sample, "T0DEMO", "csv")

    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert [row["note"] for row in rows] == [
        '\'=HYPERLINK("https://evil.example","Click")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1:A9)",
        "'\t=1+1",
        "'\r=1+1",
        "''=already quoted by its author",
        "'''+two quotes",
        "'just a quote",
        "plain – text, with a comma",
        "a = b",
    ]
    # Numbers stay numbers: a negative value is not text to neutralise.
    assert [row["value"] for row in rows] == [str(-day) for day in range(1, len(NOTES) + 1)]


def test_the_import_reads_neutralised_notes_back_unchanged(sample: Database) -> None:
    log_readings_with_notes(sample, NOTES)
    exported = export_readings(sample, "T0DEMO", "csv")

    summary = import_readings(sample, exported, "T0COPY", now=TEST_NOW)

    assert summary.added == len(NOTES)
    with sample.reading() as session:
        copied = session.exec(
            select(Reading.note, Reading.value)
            .join(Scorecard, col(Scorecard.id) == Reading.scorecard_id)
            .where(Scorecard.workspace == "T0COPY")
            .order_by(Reading.period)
        ).all()
    assert [note for note, _ in copied] == NOTES
    assert [value for _, value in copied] == [-day for day in range(1, len(NOTES) + 1)]
    assert export_readings(sample, "T0COPY", "csv") == exported


def test_json_and_yaml_exports_keep_notes_as_they_are(sample: Database) -> None:
    log_readings_with_notes(sample, NOTES[:1])

    assert '"note": "=HYPERLINK(' in export_readings(sample, "T0DEMO", "json")
