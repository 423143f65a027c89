"""Digest build time and peak memory for scorecards with a year of daily readings per KPI.

Time is measured without tracemalloc (it slows Python down several times); a second build under
tracemalloc gives the peak memory. Rendering the digest message is timed separately.
"""

import statistics
import time
import tracemalloc
from datetime import datetime, timedelta

from bench.databases import temporary_database
from bench.signing import WORKSPACE
from bench.sizes import Sizes
from bench.sql_count import counting_statements
from bench.synthetic import add_actions, build_scorecard, grow_readings

# Each size is timed this many times and the median reported.
TIMED_RUNS = 3

# Open work to report on: two actions per KPI, some of them stalled.
ACTIONS_PER_KPI = 2


def run_digests(database_kind: str, sizes: Sizes, now: datetime) -> list[dict]:
    from scorecard.digest import build_digest
    from storage.models import Scorecard

    rows = []
    for kpis in sizes.digest_kpis:
        with temporary_database(database_kind) as database:
            started = time.perf_counter()
            synthetic = build_scorecard(database, WORKSPACE, kpis, now)
            grow_readings(synthetic, kpis * sizes.digest_days)
            add_actions(synthetic, kpis * ACTIONS_PER_KPI, now)
            built = time.perf_counter() - started
            since = now - timedelta(days=7)
            with database.reading() as session:
                scorecard = session.get(Scorecard, synthetic.scorecard_id)
                build_digest(session, scorecard, now, since)  # warm caches and the planner
            timings = []
            for _ in range(TIMED_RUNS):  # the median of a few, so one GC pause doesn't decide
                with database.reading() as session, counting_statements(database.engine) as log:
                    scorecard = session.get(Scorecard, synthetic.scorecard_id)
                    started = time.perf_counter()
                    digest = build_digest(session, scorecard, now, since)
                    timings.append(time.perf_counter() - started)
            seconds = statistics.median(timings)
            render_seconds, render_note = _time_render(digest)
            with database.reading() as session:
                scorecard = session.get(Scorecard, synthetic.scorecard_id)
                tracemalloc.start()
                build_digest(session, scorecard, now, since)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            row = {
                "database": database_kind,
                "kpis": kpis,
                "readings": synthetic.readings,
                "actions": synthetic.actions,
                "build_seconds": round(seconds, 3),
                "render_seconds": render_seconds,
                "peak_mb": round(peak / 2**20, 1),
                "statements": log.total,
                "off_track": len(digest.off_track),
                "stalled": len(digest.stalled),
                "data_seconds": round(built, 1),
                "note": render_note,
            }
            rows.append(row)
            print(
                f"  digest {database_kind:10} {kpis:>5} KPIs {synthetic.readings:>9,} readings "
                f"{seconds:7.3f} s  peak {row['peak_mb']:7.1f} MB  {log.total} SQL",
                flush=True,
            )
    return rows


def _time_render(digest: object) -> tuple[float | None, str]:
    try:
        from templates import render

        started = time.perf_counter()
        render("digest", digest=digest, late=False, today=digest.today)  # type: ignore[attr-defined]
        return round(time.perf_counter() - started, 3), ""
    except Exception as error:  # a template still being written must not stop the bench
        return None, f"render failed: {type(error).__name__}: {error}"[:200]
