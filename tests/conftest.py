"""Shared fixtures: a real database (SQLite file, or PostgreSQL with TEST_DATABASE_URL) and the
real app over HTTP with a stand-in for Slack's Web API."""

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, make_url, text
from sqlmodel import SQLModel

from storage.db import Database, normalize_database_url
from storage.migrate import upgrade
from tests.harness import SlackHarness

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# On CI the property tests run the same examples every time (a red run is a real find, and the
# same run reproduces it); on a developer's machine they explore anew each run. No deadline: a
# loaded machine is slow, not wrong.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
# A Tuesday in late November: the "today" of most tests.
TEST_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once, copy per test: every test gets a fresh, fully migrated SQLite file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Database | None]:
    if not POSTGRES_URL:
        yield None
        return
    # A schema of its own per test run, so runs in parallel (or a developer's shell) don't collide.
    schema = f"test_run_{os.getpid()}"
    admin = create_engine(normalize_database_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(normalize_database_url(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    database = Database(url.render_as_string(hide_password=False))
    upgrade(database)
    yield database
    database.dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def database(
    tmp_path: Path, migrated_sqlite_file: Path, postgres_database: Database | None
) -> Iterator[Database]:
    """The database the app runs on in this test run: PostgreSQL when TEST_DATABASE_URL is set."""
    if postgres_database is not None:
        _empty_postgres(postgres_database)
        yield postgres_database
        return
    yield from _sqlite_copy(tmp_path, migrated_sqlite_file)


@pytest.fixture
def sqlite_database(tmp_path: Path, migrated_sqlite_file: Path) -> Iterator[Database]:
    """Always SQLite, for what is about SQLite itself (WAL, locking)."""
    yield from _sqlite_copy(tmp_path, migrated_sqlite_file)


@pytest.fixture
def slack(database: Database) -> Iterator[SlackHarness]:
    harness = SlackHarness(database, now=TEST_NOW)
    try:
        yield harness
    finally:
        harness.close()


def _sqlite_copy(tmp_path: Path, template: Path) -> Iterator[Database]:
    path = tmp_path / "scorecard.db"
    shutil.copy(template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def _empty_postgres(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
