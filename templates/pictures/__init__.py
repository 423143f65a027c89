"""Pictures for Slack: PNGs drawn headless with matplotlib's Agg backend. They only draw.

    png = draw_trend(trend)              # scorecard.trend.Trend -> PNG bytes
    png = draw_strategy_map(strategy)    # scorecard.strategy_map.StrategyMap -> PNG bytes

What to draw is decided by the domain (scorecard/trend.py, scorecard/strategy_map.py).
matplotlib is imported with the first picture, not when the app starts: it takes most of a
second, and the clock, the CLI and most app processes never draw.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scorecard.strategy_map import StrategyMap
    from scorecard.trend import Trend

__all__ = ["draw_strategy_map", "draw_trend"]


def draw_trend(trend: "Trend") -> bytes:
    from templates.pictures.trend_chart import draw_trend as draw

    return draw(trend)


def draw_strategy_map(strategy: "StrategyMap") -> bytes:
    from templates.pictures.strategy_map import draw_strategy_map as draw

    return draw(strategy)
