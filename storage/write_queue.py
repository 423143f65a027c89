"""SQLite lets one writer in at a time; this makes writers queue for that turn instead of polling.

SQLite's busy handler retries a locked database with sleeps that grow to 100 ms, so in a burst of
commands a writer may sleep on long after the lock came free: at 32 concurrent `/kpi log`s the
slowest took seconds. A thread lock within a process wakes the next writer at once; between
processes (gunicorn workers, a CLI import beside the server) an flock on a file beside the
database is tried every few milliseconds. Each wait is bounded: a writer that does not get its
turn in time gets `WriteTurnTimeout` and writes nothing, so a person is answered within Slack's
three seconds instead of being stored after Slack has given up on the answer.
"""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on POSIX: the thread lock still orders writers within a process
    fcntl = None  # type: ignore[assignment]

LOCK_FILE_SUFFIX = "-writer-lock"
# How often a writer waiting on another process tries the file lock again, in seconds.
FLOCK_RETRY_SECONDS = 0.002


class WriteTurnTimeout(Exception):
    """Another writer held the turn longer than this writer may wait; nothing was written."""


class WriterQueue:
    """One writer at a time for one SQLite file, across threads and processes."""

    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = database_path + LOCK_FILE_SUFFIX if database_path else None
        self._lock_file: int | None = None  # opened on first use, so after any fork
        self._opened_by_pid: int | None = None

    @contextmanager
    def turn(self, wait_seconds: float) -> Iterator[None]:
        """Hold the write turn for the block; `WriteTurnTimeout` after `wait_seconds` of waiting."""
        deadline = time.monotonic() + wait_seconds
        if not self._threads.acquire(timeout=wait_seconds):
            raise WriteTurnTimeout(f"another writer in this process held on for {wait_seconds} s")
        try:
            lock_file = self._file()
            if lock_file is None:
                yield
                return
            _lock_before(lock_file, deadline, wait_seconds)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        if self._lock_file is not None and self._opened_by_pid == os.getpid():
            os.close(self._lock_file)
        self._lock_file = None

    def _file(self) -> int | None:
        if self._lock_path is None or fcntl is None:
            return None
        if self._lock_file is None or self._opened_by_pid != os.getpid():
            self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._opened_by_pid = os.getpid()
        return self._lock_file


def _lock_before(lock_file: int, deadline: float, wait_seconds: float) -> None:
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WriteTurnTimeout(
                    f"another process held the database for over {wait_seconds} s"
                ) from None
            time.sleep(FLOCK_RETRY_SECONDS)


class NoWriterQueue:
    """For databases with row-level locking (PostgreSQL): writers go ahead together.

    Their waits are bounded by PostgreSQL's lock_timeout instead (see storage/db.py).
    """

    @contextmanager
    def turn(self, wait_seconds: float) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass
