"""Engines and sessions: one session per request or job, never shared across threads."""

import copy
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session

from scorecard.errors import CannotSaveNow, StoreBusy
from storage.audit import ACTOR_INFO
from storage.write_queue import NoWriterQueue, WriterQueue, WriteTurnTimeout

logger = logging.getLogger(__name__)

IMMEDIATE_OPTION = "scorecard_begin_immediate"
# SQLite's result codes (sqlite3.h) and PostgreSQL's SQLSTATEs (Appendix A of its manual) that
# mean "another writer had it" or "a timeout we set ran out": nothing was written, try again.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 5, 6, 8
POSTGRES_LOCK_NOT_AVAILABLE, POSTGRES_QUERY_CANCELED = "55P03", "57014"
# PostgreSQL connections an engine keeps open: one for each of a clock's digest workers
# (scorecard.digest_runs.WORKSPACES_AT_ONCE) and its claimer, or the web server's threads. With
# fewer kept, those beyond are closed on return and opened again for the next digest, a server
# process forked each time. Four clocks (at most 17 in use each) and a web server stay within
# PostgreSQL's default max_connections of 100.
POOL_SIZE = 20
# Further connections at a peak, closed again when returned.
MAX_OVERFLOW = 10


@dataclass(frozen=True)
class Patience:
    """How long the database may keep a caller waiting, in seconds.

    `connect`: to open a connection (PostgreSQL's connect_timeout, whole seconds, at least 2).
    `write_turn`: to get the right to write (SQLite's writer lock and busy timeout, PostgreSQL's
    lock_timeout). `statement`: the longest single statement (PostgreSQL's statement_timeout);
    None for no limit, as migrations and imports need.
    """

    connect: int = 5
    write_turn: float = 30.0
    statement: float | None = None


# The command line and the clock: a long import may be ahead of them, and nobody is on a timer.
PATIENT = Patience()
# Answering Slack, which gives up after 3 s: a command may wait for the write turn twice (its
# claim, then its change), so each wait stays near a second.
IN_REQUEST = Patience(connect=3, write_turn=1.0, statement=10.0)


def normalize_database_url(url: str) -> str:
    """Accept the URL spellings hosting platforms hand out and pick our PostgreSQL driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, patience: Patience = PATIENT, **options: Any) -> Engine:
    url = normalize_database_url(url)
    try:
        if not is_sqlite(url):
            connect_args = _postgres_timeouts(url, patience)
            options = {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW, **options}
            return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
    except ImportError as error:
        backend = make_url(url).get_backend_name()
        raise ArgumentError(f"no driver for {backend} is installed ({error.name})") from error
    _configure_sqlite(engine, patience)
    return engine


def _postgres_timeouts(url: str, patience: Patience) -> dict[str, Any]:
    """libpq's connect_timeout, and lock/statement timeouts as server options (in ms).

    Options already in the URL (a search_path, say) are kept: connect_args would replace them.
    """
    settings = [f"-c lock_timeout={int(patience.write_turn * 1000)}"]
    if patience.statement is not None:
        settings.append(f"-c statement_timeout={int(patience.statement * 1000)}")
    given = make_url(url).query.get("options")
    if given:
        settings.insert(0, given if isinstance(given, str) else " ".join(given))
    return {"connect_timeout": max(2, patience.connect), "options": " ".join(settings)}


def _configure_sqlite(engine: Engine, patience: Patience) -> None:
    """WAL, a busy timeout and foreign keys on every connection; writers take the lock up front.

    A deferred SQLite transaction that reads and then writes can fail at once with "database is
    locked" when another writer got there first (the busy timeout does not apply to that upgrade).
    Write sessions therefore begin with BEGIN IMMEDIATE and simply wait their turn.
    """
    busy_timeout_ms = int(patience.write_turn * 1000)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SqliteFile:
    """The SQLite file a Database opened, to notice when it is deleted, replaced or read-only.

    An open connection keeps writing to a deleted or replaced file without an error, so every
    change would be acknowledged and then lost: the file's identity (device and inode) is
    remembered when first seen and compared before each write.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self.remember()

    def remember(self) -> None:
        if self._identity is None:
            try:
                status = os.stat(self.path)
            except OSError:
                return
            self._identity = (status.st_dev, status.st_ino)

    def problem(self) -> str | None:
        """What is wrong with the file for writing, in words for an operator; None when fine."""
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return "the database file was deleted" if self._identity else None
        except OSError as error:
            return f"the database file can't be examined ({error.strerror})"
        if self._identity is not None and (status.st_dev, status.st_ino) != self._identity:
            return "the database file was replaced by another file"
        if status.st_mode & 0o222 == 0 or not os.access(self.path, os.W_OK):
            return "the database file is read-only"
        return None


class Database:
    """The application's database: an engine plus the two ways to open a session.

    Writes are refused with `CannotSaveNow` (nothing stored) when the SQLite file is no longer
    the one opened or can't be written, and with `StoreBusy` when the write turn does not come
    within `patience.write_turn` seconds.
    """

    def __init__(self, url: str, patience: Patience = PATIENT, **engine_options: Any) -> None:
        self.url = normalize_database_url(url)
        self.patience = patience
        self.engine = create_db_engine(self.url, patience, **engine_options)
        self._writers = _writer_queue(self.url)
        self.file = _sqlite_file(self.url)
        if self.file is not None:
            event.listen(self.engine, "connect", lambda *_: self.file.remember())  # type: ignore[union-attr]
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
        """A short write transaction: committed when the block ends, rolled back on any error.

        Raises `CannotSaveNow` or `StoreBusy` (UserErrors: nothing was stored) instead of the
        driver's "database is locked", "readonly database" or lock-timeout errors.
        """
        self.refuse_if_unwritable()
        try:
            with (
                self._writers.turn(self.patience.write_turn),
                Session(self.engine, expire_on_commit=False) as session,
            ):
                session.connection(execution_options={IMMEDIATE_OPTION: True})
                session.info[ACTOR_INFO] = self.actor
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except WriteTurnTimeout as error:
            logger.warning("A write gave up waiting for its turn: %s", error)
            raise StoreBusy(str(error)) from error
        except DBAPIError as error:
            refusal = _refusal(error)
            if refusal is None:
                raise
            raise refusal from error

    def refuse_if_unwritable(self, *, log: bool = True) -> None:
        """Raise `CannotSaveNow` when the SQLite file is gone, replaced or read-only."""
        problem = self.file.problem() if self.file is not None else None
        if problem is not None:
            if log:
                logger.error("Refusing to write: %s (%s).", problem, self.file.path)  # type: ignore[union-attr]
            raise CannotSaveNow(problem)

    def problem(self) -> str | None:
        """Why the database can't serve requests now, for an operator; None when it can."""
        problem = self.file.problem() if self.file is not None else None
        if problem is not None:
            return problem
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            return f"the database does not answer ({one_line(error)})"
        return None

    def is_reachable(self) -> bool:
        return self.problem() is None

    def dispose(self) -> None:
        self.engine.dispose()
        self._writers.close()


def one_line(error: BaseException) -> str:
    """The first line of the driver's own message, without SQLAlchemy's statement and links."""
    origin = getattr(error, "orig", None) or error
    lines = str(origin).strip().splitlines()
    return lines[0] if lines else type(origin).__name__


def _refusal(error: DBAPIError) -> CannotSaveNow | None:
    origin = error.orig
    code = getattr(origin, "sqlite_errorcode", None)
    if code is not None:
        code &= 0xFF  # extended result codes carry the primary code in the low byte
    state = getattr(origin, "sqlstate", None)
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or state in (
        POSTGRES_LOCK_NOT_AVAILABLE,
        POSTGRES_QUERY_CANCELED,
    ):
        logger.warning("A write gave up waiting: %s", one_line(error))
        return StoreBusy(one_line(error))
    if code == SQLITE_READONLY:
        logger.error("Refusing to write: %s", one_line(error))
        return CannotSaveNow(one_line(error))
    return None


def _sqlite_file(url: str) -> SqliteFile | None:
    path = make_url(url).database if is_sqlite(url) else None
    return SqliteFile(path) if path and path != ":memory:" else None


def _writer_queue(url: str) -> WriterQueue | NoWriterQueue:
    """SQLite writers queue for their turn; PostgreSQL's go ahead together."""
    if not is_sqlite(url):
        return NoWriterQueue()
    path = make_url(url).database
    return WriterQueue(path if path and path != ":memory:" else None)
