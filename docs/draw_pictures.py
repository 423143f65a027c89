"""Draw the README's pictures from the example scorecard: `python docs/draw_pictures.py`.

Loads examples/community.yaml and examples/community-readings.csv into a throwaway SQLite
database and writes docs/trend-chart.png and docs/strategy-map.png.
"""

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from scorecard.importing import import_scorecard
from scorecard.reading_import import import_readings
from scorecard.strategy_map import strategy_map
from scorecard.trend import kpi_trend
from storage.db import Database
from storage.migrate import upgrade
from templates.pictures import draw_strategy_map, draw_trend

ROOT = Path(__file__).resolve().parent.parent
CHART_KPI = "response_time"


def main(now: datetime) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(f"sqlite:///{Path(scratch) / 'demo.db'}")
        upgrade(database)
        examples = ROOT / "examples"
        loaded = import_scorecard(database, (examples / "community.yaml").read_text())
        import_readings(database, (examples / "community-readings.csv").read_text(), None, now)
        with database.reading() as session:
            trend = kpi_trend(session, loaded.workspace, CHART_KPI, now)
            strategy = strategy_map(session, loaded.workspace, now)
        (ROOT / "docs" / "trend-chart.png").write_bytes(draw_trend(trend))
        (ROOT / "docs" / "strategy-map.png").write_bytes(draw_strategy_map(strategy))
        database.dispose()


if __name__ == "__main__":
    main(datetime.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else datetime.now(UTC))
