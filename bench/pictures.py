"""How long the pictures take to draw: `python -m bench.pictures [--write DIR]`.

Draws the strategy map of synthetic scorecards (long names, many links, many unlinked actions)
and trend charts with many readings, notes and action marks, and prints the time each took
(median of a few runs), the PNG's pixel size and its bytes. Drawing only: the domain's queries
are measured by the other benchmarks.
"""

import argparse
import io
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PIL import Image

from scorecard.strategy_map import MapBand, MapObjective, StrategyMap
from scorecard.trend import FINISHED_DONE, STARTED, ActionMark, Trend, TrendPoint
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK
from templates.pictures import draw_strategy_map, draw_trend

STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)
PERSPECTIVES = ("Financial", "Customer", "Internal processes", "Learning & growth")
LONG_TITLE = "with a title far longer than anyone should write on a strategy map, honestly"
TODAY = date(2026, 11, 24)
RUNS = 3


def large_strategy_map(objectives: int, unlinked_actions: int = 30) -> StrategyMap:
    """`objectives` spread over four perspectives, each supporting two in the band above."""
    per_band = [objectives // 4 + (1 if band < objectives % 4 else 0) for band in range(4)]
    bands, keys = [], []
    for band, (name, count) in enumerate(zip(PERSPECTIVES, per_band, strict=True)):
        items = [
            MapObjective(f"o{band}_{i}", f"Objective {band}.{i} {LONG_TITLE}", STATUSES[i % 4])
            for i in range(count)
        ]
        bands.append(MapBand(name, items))
        keys.append([item.key for item in items])
    links = [
        (cause, effect)
        for band in range(1, 4)
        for i, cause in enumerate(keys[band])
        for effect in keys[band - 1][i % max(1, len(keys[band - 1])) :][:2]
    ]
    actions = [f"Unlinked action {i} {LONG_TITLE}" for i in range(unlinked_actions)]
    return StrategyMap(
        "A very large scorecard " + LONG_TITLE, LONG_TITLE, bands, links, actions, TODAY
    )


def long_trend(readings: int) -> Trend:
    """Daily readings climbing towards the target, a note every 20 days, an action every 30."""
    first = TODAY - timedelta(days=readings - 1)
    points = [
        TrendPoint(
            first + timedelta(days=i),
            1000 + i * 3 + (i % 7) * 20,
            STATUSES[(i // 15) % 3],
            f"Note {i} {LONG_TITLE}" if i % 20 == 0 else None,
        )
        for i in range(readings)
    ]
    actions = [
        ActionMark(
            first + timedelta(days=i), f"Action {i} {LONG_TITLE}", (STARTED, FINISHED_DONE)[i % 2]
        )
        for i in range(0, readings, 30)
    ]
    return Trend(
        scorecard_name="Synthetic",
        key="synthetic",
        name="A KPI " + LONG_TITLE,
        unit="followers",
        direction="up",
        baseline=1000,
        target=5000,
        target_date=TODAY + timedelta(days=200),
        status=AT_RISK,
        points=points,
        path=[(first, 1000), (TODAY, 4000)],
        actions=actions,
        first_day=first,
        last_day=TODAY,
        today=TODAY,
    )


def measure(name: str, draw: Callable[[], bytes], out: Path | None) -> dict[str, object]:
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        png = draw()
        seconds.append(time.perf_counter() - start)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    if out is not None:
        (out / f"{name}.png").write_bytes(png)
    return {
        "picture": name,
        "seconds": statistics.median(seconds),
        "pixels": f"{width}x{height}",
        "bytes": len(png),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write each PNG into this folder")
    args = parser.parse_args()
    cases: list[tuple[str, Callable[[], bytes]]] = [
        (f"map-{n}", lambda n=n: draw_strategy_map(large_strategy_map(n))) for n in (10, 40, 120)
    ] + [(f"trend-{n}", lambda n=n: draw_trend(long_trend(n))) for n in (12, 400)]
    print(f"{'picture':<12}{'seconds':>9}{'pixels':>12}{'bytes':>10}")
    for name, draw in cases:
        row = measure(name, draw, args.write)
        print(f"{row['picture']:<12}{row['seconds']:>9.2f}{row['pixels']:>12}{row['bytes']:>10}")


if __name__ == "__main__":
    main()
