"""Files that used to crash `scorecard import`: each is now a clear message naming the line, and
nothing is written. Real files in a temporary folder, imported through the command itself."""

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.cli import main
from scorecard.file_encoding import FileEncodingError, text_lines
from scorecard.importing import import_scorecard
from scorecard.reading_import import PROGRESS_EVERY, ReadingFileError, import_readings
from scorecard.scorecard_file import ScorecardFileError, parse_scorecard
from storage.db import Database
from storage.models import Action, Kpi, Objective, Reading
from tests.conftest import TEST_NOW
from tests.harness import SlackHarness
from tests.sample import SAMPLE_SCORECARD

HEADER = "kpi,period,value,logged_by,logged_at,note\n"
ROWS = (
    "instagram_followers,2026-11-16,12400,U0SOCIAL,2026-11-16T09:31:00+00:00,Giveaway café ☕\n"
    "response_time,2026-11-20,3.5,import,2026-11-20T17:45:12+00:00,\n"
)
MINIMAL = "workspace: T0DEMO\nname: Vitality community scorecard\n"


@pytest.fixture
def sample(database: Database) -> Database:
    import_scorecard(database, SAMPLE_SCORECARD)
    return database


def run_import(
    database: Database, path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> tuple[int, str, str]:
    """`scorecard import <path>` against `database`: exit status, stdout, stderr."""
    monkeypatch.setenv("DATABASE_URL", database.url)
    status = main(["import", str(path)])
    out = capsys.readouterr()
    return status, out.out, out.err


def count(database: Database, model: type) -> int:
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def notes(database: Database) -> list[str | None]:
    with database.reading() as session:
        return list(session.exec(select(Reading.note).order_by(Reading.period)).all())


# --- Encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "utf-32"])
def test_a_readings_file_saved_as_utf16_or_with_a_bom_imports_like_utf8(
    sample: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    encoding: str,
) -> None:
    path = tmp_path / "readings.csv"
    path.write_bytes((HEADER + ROWS).replace("\n", "\r\n").encode(encoding))

    status, out, err = run_import(sample, path, monkeypatch, capsys)

    assert (status, err) == (0, "")
    assert out.startswith("Imported 2 readings of 2 KPIs")
    assert notes(sample) == ["Giveaway café ☕", None]


def test_a_scorecard_file_saved_as_utf16_imports(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    path = tmp_path / "scorecard.yaml"
    path.write_bytes(SAMPLE_SCORECARD.encode("utf-16"))

    status, out, _ = run_import(database, path, monkeypatch, capsys)

    assert status == 0
    assert "Imported “Vitality community scorecard” for T0DEMO (a new scorecard)" in out


@pytest.mark.parametrize("name", ["readings.csv", "scorecard.yaml"])
def test_a_windows_1252_file_is_refused_with_the_line_and_column_and_nothing_is_written(
    sample: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    name: str,
) -> None:
    text = HEADER + ROWS if name.endswith(".csv") else SAMPLE_SCORECARD.replace("T0DEMO", "T0NEW")
    text = text.replace(" café ☕", "")  # the only non-ASCII text: “Café” on line 3
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace(lines[2][:6], "Café", 1)  # line 3 starts with “Café”
    path = tmp_path / name
    path.write_bytes("".join(lines).encode("cp1252"))
    readings_before, kpis_before = count(sample, Reading), count(sample, Kpi)

    status, out, err = run_import(sample, path, monkeypatch, capsys)

    assert status == 1
    assert out == ""
    assert err.startswith("Line 3, column 4: 0xE9 is not UTF-8 text, so nothing was imported.")
    assert "“CSV UTF-8”" in err
    assert (count(sample, Reading), count(sample, Kpi)) == (readings_before, kpis_before)


def test_a_nul_byte_in_a_readings_file_is_a_problem_with_line_and_column(sample: Database) -> None:
    text = HEADER + ROWS + "response_time,2026-11-21,3,import,,bad\x00note\n"

    with pytest.raises(ReadingFileError) as raised:
        import_readings(sample, text, None, now=TEST_NOW)

    assert raised.value.problems == [
        "line 4, `note`: holds a NUL character (\\0), which can't be stored: remove it"
    ]
    assert count(sample, Reading) == 0


def test_a_nul_byte_or_control_character_in_a_scorecard_file_names_its_line(
    database: Database,
) -> None:
    for text, problem in [
        (MINIMAL + "mission: Be\x00st\n", "line 3, column 12: the file holds a NUL character"),
        (MINIMAL + "mission: Be\x07st\n", "line 3, column 12: the character U+0007 can't be"),
    ]:
        with pytest.raises(ScorecardFileError) as raised:
            import_scorecard(database, text)
        assert raised.value.problems[0].startswith(problem)
    assert count(database, Kpi) == 0


# --- Shapes that used to overflow -----------------------------------------------------------


def chain(length: int, loop: bool = False) -> str:
    """Objectives o0 → o1 → … each supporting the next (the last the first, with `loop`)."""
    items = []
    for number in range(length):
        target = number + 1 if number + 1 < length else (0 if loop else None)
        supports = f", supports: [o{target}]" if target is not None else ""
        items.append(
            f"  - {{key: o{number}, title: Goal {number}, perspective: financial{supports}}}"
        )
    kpi = "kpis:\n  - {key: k0, name: Bottom KPI, objective: o0, target: 10}\n"
    return MINIMAL + "objectives:\n" + "\n".join(items) + "\n" + kpi


def test_a_supports_chain_of_1500_objectives_imports_and_traces_to_the_top(
    database: Database,
) -> None:
    import_scorecard(database, chain(1500))

    assert count(database, Objective) == 1500
    slack = SlackHarness(database, now=TEST_NOW)
    try:
        reply = slack.command("/why", "bottom kpi")
    finally:
        slack.close()
    assert reply.text.startswith("Why Bottom KPI?")
    assert "↳ supports ⚪ Goal 23 (Financial)" in reply.text


def test_a_supports_loop_through_1500_objectives_is_named_by_its_ends(database: Database) -> None:
    with pytest.raises(ScorecardFileError) as raised:
        import_scorecard(database, chain(1500, loop=True))

    assert raised.value.problems == [
        "objectives[1] (o0), line 4: `supports` goes round in a circle: o0 → o1 → o2 → … → "
        "o1499 → o0 (1,500 objectives) (an objective can't end up supporting itself)"
    ]
    assert count(database, Objective) == 0


def test_a_logged_at_in_year_one_east_of_greenwich_is_a_problem(sample: Database) -> None:
    text = HEADER + "response_time,2026-11-20,3,import,0001-01-01T00:00:00+01:00,\n"

    with pytest.raises(ReadingFileError) as raised:
        import_readings(sample, text, None, now=TEST_NOW)

    assert raised.value.problems == [
        "line 2, `logged_at`: 0001-01-01T00:00:00+01:00 is before the first year a date can have"
    ]


def test_a_date_at_the_edge_of_the_calendar_is_a_problem_not_a_crash(database: Database) -> None:
    text = (
        MINIMAL.replace("\n", "\ntimezone: Asia/Tokyo\n", 1)
        + "actions:\n  - {key: a, title: A, last_update: 0001-01-01}\n"
    )

    with pytest.raises(ScorecardFileError) as raised:
        import_scorecard(database, text)

    assert raised.value.problems == [
        "actions[1] (a), line 5: `last_update`: 0001-01-01 is too early a date to use"
    ]
    assert count(database, Action) == 0


# --- Fields given twice ----------------------------------------------------------------------


def test_a_second_kpis_section_is_refused_with_both_lines_and_nothing_is_archived(
    sample: Database,
) -> None:
    second = SAMPLE_SCORECARD + "kpis:\n  - {key: late, name: Late KPI, target: 1}\n"

    with pytest.raises(ScorecardFileError) as raised:
        import_scorecard(sample, second)

    first_line = SAMPLE_SCORECARD.splitlines().index("kpis:") + 1
    last_line = len(SAMPLE_SCORECARD.splitlines()) + 1
    assert raised.value.problems == [
        f"line {last_line}: `kpis` is given twice in the same place "
        f"(lines {first_line} and {last_line}); keep one"
    ]
    with sample.reading() as session:
        assert not any(kpi.archived for kpi in session.exec(select(Kpi)).all())


def test_a_field_given_twice_inside_an_item_is_refused() -> None:
    text = MINIMAL + "kpis:\n  - key: a\n    name: A\n    target: 1\n    target: 2\n"

    with pytest.raises(ScorecardFileError) as raised:
        parse_scorecard(text)

    assert raised.value.problems == [
        "line 7: `target` is given twice in the same place (lines 6 and 7); keep one"
    ]


# --- Large files -----------------------------------------------------------------------------


def test_problems_past_the_first_hundred_are_counted_not_listed(sample: Database) -> None:
    text = HEADER + "".join(f"nope,2026-11-20,{n},,,\n" for n in range(250))

    with pytest.raises(ReadingFileError) as raised:
        import_readings(sample, text, None, now=TEST_NOW)

    message = raised.value.message
    assert message.startswith("The readings file has 250 problems, so nothing was imported:")
    assert len(raised.value.problems) == 100
    assert raised.value.problems[-1].startswith("line 101, `kpi`: there is no KPI “nope”")
    assert message.endswith("\n- … and 150 more")
    assert count(sample, Reading) == 0


DAYS = [f"20{y}-{m:02d}-{d:02d}" for y in range(10, 26) for m in range(1, 13) for d in range(1, 29)]


def test_readings_another_import_stored_meanwhile_are_not_stored_twice(sample: Database) -> None:
    rows = [
        f"response_time,{day},{n % 7},import,{day}T09:00:00+00:00,\n"
        for n, day in enumerate(DAYS[: PROGRESS_EVERY + 10])
    ]
    text = HEADER + "".join(rows)
    overlap = HEADER + "".join(rows[:50])
    meanwhile = []

    def other_import_while_reading(read: int, problems: int) -> None:
        if not meanwhile:  # the same rows arrive from another import while this one reads
            meanwhile.append(import_readings(sample, overlap, None, now=TEST_NOW))

    summary = import_readings(sample, text, None, now=TEST_NOW, progress=other_import_while_reading)

    assert meanwhile[0].added == 50
    assert (summary.added, summary.already_there) == (len(rows) - 50, 50)
    assert count(sample, Reading) == len(rows)


def test_a_long_import_shows_its_progress_on_a_terminal(sample: Database, tmp_path: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_text(
        HEADER + "".join(f"response_time,{day},3,,,\n" for day in DAYS[: PROGRESS_EVERY + 100])
    )
    env = {**os.environ, "DATABASE_URL": sample.url, "COLUMNS": "120"}
    controller, terminal = pty.openpty()
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "bot", "import", str(path)],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            timeout=120,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)

    assert finished.returncode == 0
    assert finished.stdout.decode().startswith(
        f"Imported {PROGRESS_EVERY + 100:,} readings of 1 KPI"
    )
    assert f"{PROGRESS_EVERY:,} rows, 0 problems".encode() in shown


def test_a_bad_byte_deep_in_a_long_file_is_found_on_its_line(sample: Database) -> None:
    lines = [HEADER] + [f"response_time,{day},3,,,\n" for day in DAYS[:3000]]
    lines[2499] = lines[2499].replace(",,,", ",,,caf\xe9")
    data = io.BytesIO("".join(lines).encode("cp1252"))

    with pytest.raises(FileEncodingError) as raised:
        import_readings(sample, text_lines(data), None, now=TEST_NOW)

    assert raised.value.message.startswith("Line 2500, column 33: 0xE9 is not UTF-8 text")
    assert count(sample, Reading) == 0
