"""`scorecard export`: a scorecard as a file that imports back unchanged, and its readings.

In CSV, a note a spreadsheet would run as a formula starts with a quote; the import removes it."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date
from typing import Any

import yaml

from scorecard.errors import UserError
from scorecard.scorecard_file import dump_spec, plain
from scorecard.spreadsheet_cells import neutralise_cell
from scorecard.workspace import choose_scorecard
from storage.db import Database
from storage.sync import ReadingRow, read_spec, reading_rows

SCORECARD_FORMATS = ("yaml", "json")
READING_FORMATS = ("csv", "json", "yaml")
READING_COLUMNS = ("kpi", "period", "value", "logged_by", "logged_at", "note")
# libyaml's dumper when PyYAML has it: much faster for scorecards with thousands of actions.
YAML_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def export_scorecard(database: Database, workspace: str | None, fmt: str = "yaml") -> str:
    """The workspace's scorecard (archived items left out) in the import file's shape."""
    _check_format(fmt, SCORECARD_FORMATS, "A scorecard")
    with database.reading() as session:
        document = dump_spec(read_spec(session, choose_scorecard(session, workspace)))
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    return yaml.dump(document, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def export_readings(database: Database, workspace: str | None, fmt: str = "csv") -> str:
    """Every reading, by KPI key then period; archived KPIs' readings included."""
    _check_format(fmt, READING_FORMATS, "Readings")
    out = io.StringIO()
    with database.reading() as session:
        scorecard = choose_scorecard(session, workspace)
        assert scorecard.id is not None
        records = (_record(row) for row in reading_rows(session, scorecard.id))
        if fmt == "csv":
            _write_csv(out, records)
        elif fmt == "json":
            _write_json(out, records)
        else:
            _write_yaml(out, records)
    return out.getvalue()


def _check_format(fmt: str, formats: tuple[str, ...], what: str) -> None:
    if fmt not in formats:
        raise UserError(f"{what} can't be exported as “{fmt}”: use {' or '.join(formats)}.")


def _record(row: ReadingRow) -> dict[str, Any]:
    return {
        "kpi": row.kpi,
        "period": row.period.isoformat(),
        "value": plain(row.value),
        "logged_by": row.logged_by,
        "logged_at": row.logged_at.astimezone(UTC).isoformat(timespec="seconds"),
        "note": row.note,
    }


def _write_csv(out: io.StringIO, records: Iterator[dict[str, Any]]) -> None:
    """Notes that a spreadsheet would run as formulas get a leading quote (see
    spreadsheet_cells); the other columns are keys, ids, dates and numbers, never formulas."""
    writer = csv.DictWriter(out, fieldnames=READING_COLUMNS, lineterminator="\n")
    # With "\n" ending lines, the csv module leaves a cell holding a lone "\r" unquoted, and a
    # reader would end the row there: such rows are written with every cell quoted.
    quoting_all = csv.DictWriter(
        out, fieldnames=READING_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    for record in records:
        note = record["note"]
        if note:
            record["note"] = neutralise_cell(note)
        (quoting_all if note and "\r" in note else writer).writerow(record)


def _write_json(out: io.StringIO, records: Iterator[dict[str, Any]]) -> None:
    out.write("[")
    for index, record in enumerate(records):
        out.write(",\n  " if index else "\n  ")
        out.write(json.dumps(record, ensure_ascii=False))
    out.write("\n]\n")


def _write_yaml(out: io.StringIO, records: Iterator[dict[str, Any]]) -> None:
    wrote = False
    for record in records:
        out.write(yaml.dump([record], Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True))
        wrote = True
    if not wrote:
        out.write("[]\n")


def _json_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"can't write {type(value).__name__} as JSON")
