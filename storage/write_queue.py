"""SQLite lets one writer in at a time; this makes writers queue for that turn instead of polling.

SQLite's busy handler retries a locked database with sleeps that grow to 100 ms, so in a burst of
commands a writer may sleep on long after the lock came free: at 32 concurrent `/kpi log`s the
slowest took seconds. A lock that wakes the next writer at once (a thread lock within a process,
an flock on a file beside the database between gunicorn's worker processes) keeps each wait down
to the work queued ahead of it. The busy timeout stays as the safety net for other programs.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on POSIX: the thread lock still orders writers within a process
    fcntl = None  # type: ignore[assignment]

LOCK_FILE_SUFFIX = "-writer-lock"


class WriterQueue:
    """One writer at a time for one SQLite file, across threads and processes."""

    def __init__(self, database_path: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_path = database_path + LOCK_FILE_SUFFIX if database_path else None
        self._lock_file: int | None = None  # opened on first use, so after any fork
        self._opened_by_pid: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            lock_file = self._file()
            if lock_file is None:
                yield
                return
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

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


class NoWriterQueue:
    """For databases with row-level locking (PostgreSQL): writers go ahead together."""

    @contextmanager
    def turn(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass
