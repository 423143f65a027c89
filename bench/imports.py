"""`scorecard import readings.csv` on a large file: time, peak memory, and the longest time any
other writer had to wait for SQLite's write lock while it ran.

Each import runs as the real command in a process of its own, so its peak memory is the peak
resident set size the operating system reports for that process (not tracemalloc, which slows
Python down several times and misses memory held outside Python's allocator). While it runs, a
probe here opens a write transaction on the same SQLite file every few milliseconds, as
`/kpi log` would, and keeps the longest wait: that is how long the import held the writer.

Three runs per size: a fresh history into an empty scorecard, the same file again (everything
already there), and a file where every row is bad (only the problems to collect and report).
"""

import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.databases import SQLITE, temporary_database
from bench.signing import WORKSPACE
from bench.synthetic import build_scorecard

IMPORT_KPIS = 100
# How often the lock probe tries for the write lock, in seconds.
PROBE_INTERVAL = 0.005
RUNS = ("fresh", "again", "all bad")


def run_imports(database_kind: str, rows: int, now: datetime) -> list[dict]:
    results = []
    with temporary_database(database_kind) as database, tempfile.TemporaryDirectory() as folder:
        build_scorecard(database, WORKSPACE, IMPORT_KPIS, now)
        good, bad = Path(folder) / "readings.csv", Path(folder) / "bad.csv"
        write_readings_csv(good, rows, now.date(), bad_values=False)
        write_readings_csv(bad, rows, now.date(), bad_values=True)
        sqlite_path = make_url(database.url).database if database_kind == SQLITE else None
        for run in RUNS:
            result = import_file(database.url, bad if run == "all bad" else good, sqlite_path)
            row = {"database": database_kind, "rows": rows, "run": run, **result}
            results.append(row)
            held = row["longest_lock_wait_s"]
            print(
                f"  import {database_kind:10} {rows:>9,} rows {run:8} {row['seconds']:7.1f} s  "
                f"peak {row['peak_mb']:7.1f} MB  "
                f"writer waited {'-' if held is None else f'{held:.2f} s'}  exit {row['exit']}",
                flush=True,
            )
    return results


def write_readings_csv(path: Path, rows: int, today: date, bad_values: bool) -> None:
    """`rows` readings spread over the synthetic KPIs, one a day each going back from today."""
    days = -(-rows // IMPORT_KPIS)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["kpi", "period", "value", "logged_by", "logged_at", "note"])
        written = 0
        for day in range(days):
            period = today - timedelta(days=day + 1)
            logged_at = f"{period.isoformat()}T09:00:00+00:00"
            for kpi in range(IMPORT_KPIS):
                if written == rows:
                    return
                value = "lots" if bad_values else str(1000 + (day * 7 + kpi) % 500)
                note = "weekly review" if day % 7 == 0 else ""
                writer.writerow(
                    [f"kpi_{kpi}", period.isoformat(), value, "U0BENCH", logged_at, note]
                )
                written += 1


def import_file(url: str, path: Path, sqlite_path: str | None) -> dict:
    """Run `scorecard import` on `path` in its own process: seconds, peak MB, exit status, and
    (SQLite) the longest a writer waited for the lock meanwhile."""
    probe = LockProbe(sqlite_path) if sqlite_path else None
    if probe:
        probe.start()
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    longest = probe.stop() if probe else None
    return {
        "seconds": round(seconds, 1),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "longest_lock_wait_s": None if longest is None else round(longest, 2),
        "exit": process.returncode,
    }


class LockProbe:
    """Takes SQLite's write lock again and again, as a `/kpi log` would, timing each wait."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.longest

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=600)
        try:
            while not self._stop.is_set():
                started = time.perf_counter()
                connection.execute("BEGIN IMMEDIATE")
                self.longest = max(self.longest, time.perf_counter() - started)
                connection.execute("ROLLBACK")
                time.sleep(PROBE_INTERVAL)
        finally:
            connection.close()
