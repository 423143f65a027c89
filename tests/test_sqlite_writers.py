"""SQLite as a web app uses it: many writers in several processes, none refused as "locked"."""

import multiprocessing
from pathlib import Path

from sqlmodel import func, select

from storage.db import Database
from storage.models import Scorecard
from storage.write_queue import LOCK_FILE_SUFFIX

PROCESSES = 4
WRITES_EACH = 25


def write_scorecards(url: str, worker: int) -> None:
    database = Database(url)
    for number in range(WRITES_EACH):
        with database.writing() as session:
            # Read, then write, in one transaction: the pattern that fails without BEGIN IMMEDIATE.
            count = session.exec(select(func.count()).select_from(Scorecard)).one()
            session.add(Scorecard(workspace=f"T{worker}X{number}", name=f"after {count}"))
    database.dispose()


def test_writers_in_several_processes_all_get_their_turn(sqlite_database: Database) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=write_scorecards, args=(sqlite_database.url, worker))
        for worker in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    with sqlite_database.reading() as session:
        stored = session.exec(select(Scorecard.name)).all()
    assert len(stored) == PROCESSES * WRITES_EACH
    # Each writer saw every earlier write: the counts it read are all different.
    assert len(set(stored)) == PROCESSES * WRITES_EACH
    database_file = Path(sqlite_database.engine.url.database or "")
    assert Path(str(database_file) + LOCK_FILE_SUFFIX).exists()
