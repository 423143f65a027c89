"""Past Slack's 3 seconds: a /kpi log waiting behind another writer (a long import) is answered
in time with "busy, nothing stored", and nothing is stored after that answer."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from scorecard.errors import StoreBusy
from storage.db import Database, Patience
from tests.faults.conftest import Served

SLACK_GIVES_UP_SECONDS = 3.0
HOLD_SECONDS = 4.0


@contextmanager
def another_writer(database: Database) -> Iterator[None]:
    """Hold the write lock from another process's point of view, as a long import does.

    SQLite: the write turn itself (the writer lock file and BEGIN IMMEDIATE). PostgreSQL: a lock
    on the readings table that lets reads through and holds back every write.
    """
    holder = Database(database.url)
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.writing() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE readings IN EXCLUSIVE MODE"))
            started.set()
            release.wait(HOLD_SECONDS)

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()
        holder.dispose()


def test_a_command_behind_a_long_writer_is_told_busy_in_time_and_stores_nothing(
    served: Served,
) -> None:
    with another_writer(served.database):
        start = time.monotonic()
        answer = served.log_reading("log instagram followers 12400")
        waited = time.monotonic() - start

    time.sleep(0.3)  # anything stored late would be there by now
    assert answer.status == 200
    assert "busy" in answer.body and "nothing was stored" in answer.body
    assert waited < SLACK_GIVES_UP_SECONDS
    assert served.readings() == 0
    assert "database is locked" not in served.log()
    assert "Traceback" not in served.log()


def test_once_the_writer_is_done_the_same_command_typed_again_is_stored(served: Served) -> None:
    with another_writer(served.database):
        served.log_reading("log instagram followers 12400")

    again = served.log_reading("log instagram followers 12400")

    assert "Logged" in again.body
    assert served.readings() == 1


def test_a_write_kept_waiting_too_long_is_refused_and_writes_nothing(database: Database) -> None:
    impatient = Database(database.url, Patience(connect=3, write_turn=0.3))
    try:
        with another_writer(database):
            start = time.monotonic()
            with pytest.raises(StoreBusy), impatient.writing() as session:
                session.execute(text("DELETE FROM readings"))  # waits for PostgreSQL's lock
            waited = time.monotonic() - start
    finally:
        impatient.dispose()

    assert waited < 1.5
