"""Acknowledged, then lost: the SQLite file deleted, replaced or made read-only under a running
server. Every later change must be refused honestly and /healthz must fail, because an open
connection would go on writing to a file nobody will ever read again."""

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import func, select

from storage.db import Database
from storage.models import Reading
from tests.faults.conftest import Served

NOTHING_STORED = "nothing was stored"


def delete(path: Path) -> None:
    path.unlink()


def replace(path: Path) -> None:
    """Restore an older copy over the file, as a careless backup restore does."""
    copy = path.with_name("restored.db")
    shutil.copy(path, copy)
    os.replace(copy, path)


def make_read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


@pytest.mark.parametrize("fault", [delete, replace, make_read_only], ids=lambda f: f.__name__)
def test_a_changed_database_file_is_refused_honestly_and_fails_the_health_check(
    served_sqlite: Served, fault: Callable[[Path], None]
) -> None:
    path = Path(served_sqlite.database.file.path)  # type: ignore[union-attr]
    before = served_sqlite.log_reading("log instagram followers 12000")
    assert "Logged" in before.body
    fault(path)

    answers = [served_sqlite.log_reading(f"log instagram followers {12001 + n}") for n in range(3)]
    health, reason = served_sqlite.health()

    assert all(answer.status == 200 and NOTHING_STORED in answer.body for answer in answers)
    assert not any("Logged" in answer.body for answer in answers)
    assert health == 503
    assert reason.strip()
    if path.exists():  # replaced or read-only: what a restart would find holds only the first
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        reopened = Database(f"sqlite:///{path}")
        with reopened.reading() as session:
            assert session.exec(select(func.count()).select_from(Reading)).one() == 1
        reopened.dispose()
    assert "Traceback" not in served_sqlite.log()
