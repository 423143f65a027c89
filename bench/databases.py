"""Throwaway databases: a SQLite file in a temporary folder, or a PostgreSQL schema of our own.

Both are migrated with the app's own migrations, so indexes are the ones production has.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from storage.db import Database, normalize_database_url
from storage.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
_serial = count(1)


def postgres_url() -> str:
    return normalize_database_url(os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL)


def postgres_reachable() -> bool:
    engine = create_engine(postgres_url(), connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextmanager
def temporary_database(kind: str) -> Iterator[Database]:
    """A migrated, empty database that disappears when the block ends."""
    if kind == SQLITE:
        with tempfile.TemporaryDirectory(prefix="scorecard-bench-") as folder:
            database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                upgrade(database)
                yield database
            finally:
                database.dispose()
        return
    yield from _postgres_schema()


def _postgres_schema() -> Iterator[Database]:
    schema = f"bench_{os.getpid()}_{next(_serial)}"
    admin = create_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(url.render_as_string(hide_password=False))
    try:
        upgrade(database)
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
