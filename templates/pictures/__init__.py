"""Pictures for Slack: PNGs drawn headless with matplotlib's Agg backend. They only draw.

    png = draw_trend(trend)              # scorecard.trend.Trend -> PNG bytes
    png = draw_strategy_map(strategy)    # scorecard.strategy_map.StrategyMap -> PNG bytes

What to draw is decided by the domain (scorecard/trend.py, scorecard/strategy_map.py).
"""

from templates.pictures.strategy_map import draw_strategy_map
from templates.pictures.trend_chart import draw_trend

__all__ = ["draw_strategy_map", "draw_trend"]
