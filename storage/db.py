"""Engines and sessions: one session per request or job, never shared across threads."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from storage.audit import ACTOR_INFO
from storage.write_queue import NoWriterQueue, WriterQueue

# How long a SQLite connection waits for another writer before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
IMMEDIATE_OPTION = "scorecard_begin_immediate"


def normalize_database_url(url: str) -> str:
    """Accept the URL spellings hosting platforms hand out and pick our PostgreSQL driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, **options: Any) -> Engine:
    url = normalize_database_url(url)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **options)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and foreign keys on every connection; writers take the lock up front.

    A deferred SQLite transaction that reads and then writes can fail at once with "database is
    locked" when another writer got there first (the busy timeout does not apply to that upgrade).
    Write sessions therefore begin with BEGIN IMMEDIATE and simply wait their turn.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The application's database: an engine plus the two ways to open a session."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = normalize_database_url(url)
        self.engine = create_db_engine(self.url, **engine_options)
        self._writers = _writer_queue(self.url)
        # Who the history of changes names for what this object's write sessions change: a Slack
        # user id, "file import by the CLI", or None for Scorecard's own bookkeeping.
        self.actor: str | None = None

    def acting_for(self, actor: str | None) -> "Database":
        """The same database (engine, writer turns), with its writes recorded as `actor`'s."""
        if actor == self.actor:
            return self
        acting = copy.copy(self)
        acting.actor = actor
        return acting

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries; nothing it changes is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A short write transaction: committed when the block ends, rolled back on any error."""
        with self._writers.turn(), Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={IMMEDIATE_OPTION: True})
            session.info[ACTOR_INFO] = self.actor
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        self._writers.close()


def _writer_queue(url: str) -> WriterQueue | NoWriterQueue:
    """SQLite writers queue for their turn; PostgreSQL's go ahead together."""
    if not is_sqlite(url):
        return NoWriterQueue()
    path = make_url(url).database
    return WriterQueue(path if path and path != ":memory:" else None)
