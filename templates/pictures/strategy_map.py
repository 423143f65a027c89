"""The strategy map: perspectives as bands (the first at the top), objectives as boxes coloured
by status, cause-and-effect links as arrows, and the actions that serve no objective apart.

Laid out in inches on one axes that fills the figure, so sizes read as they will be seen.
"""

import math
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from scorecard.strategy_map import MapObjective, StrategyMap
from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK
from templates.formatting import STATUS_LABELS
from templates.pictures.canvas import (
    INK,
    MUTED,
    drawn,
    fitted,
    shortened,
    status_colour,
    status_fill,
)

WIDTH = 12.0  # inches
LABEL_WIDTH = 1.7  # the perspective names, left of the bands
MARGIN = 0.25
COLUMNS = 4  # objectives side by side in a band, at most
BOX_WIDTH, BOX_HEIGHT = 2.25, 0.82
BOX_PAD = 0.02  # the rounded outline's distance outside the box
ROW_HEIGHT = 1.2
BAND_PADDING = 0.18
HEADER_HEIGHT = 1.25
# A band shows this many objectives at most; the rest are counted in its last box.
MOST_PER_BAND = 4 * COLUMNS
TITLE_CHARS, TITLE_LINES = 28, 3
UNLINKED_SHOWN = 12
UNLINKED_COLUMNS = 3
UNLINKED_LINE = 0.22
BAND_COLOURS = ("#f6f7f9", "#eef1f5")
ARROW_COLOUR = "#4a4a4a"


@dataclass(frozen=True)
class Box:
    x: float  # centre, inches from the left
    y: float  # centre, inches from the bottom

    def edge_towards(self, other: "Box") -> tuple[float, float]:
        """Where the line from this box's centre to `other`'s leaves this box.

        Worked out here rather than by matplotlib's clipping to the patch, which costs about
        25 ms an arrow: most of the drawing time of a large map.
        """
        dx, dy = other.x - self.x, other.y - self.y
        half_width, half_height = BOX_WIDTH / 2 + BOX_PAD, BOX_HEIGHT / 2 + BOX_PAD
        scale = min(
            half_width / abs(dx) if dx else math.inf,
            half_height / abs(dy) if dy else math.inf,
        )
        return self.x + dx * scale, self.y + dy * scale


def draw_strategy_map(strategy: StrategyMap) -> bytes:
    """The map as PNG bytes: 1320 pixels wide, as tall as the scorecard needs."""
    rows = [_rows(len(band.objectives)) for band in strategy.bands]
    band_heights = [row_count * ROW_HEIGHT + 2 * BAND_PADDING for row_count in rows]
    footer = _footer_height(strategy)
    height = HEADER_HEIGHT + sum(band_heights) + footer + MARGIN
    return drawn(WIDTH, height, lambda figure: _draw(figure, strategy, band_heights, height))


def _draw(figure: Figure, strategy: StrategyMap, band_heights: list[float], height: float) -> None:
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, WIDTH)
    axes.set_ylim(0, height)
    axes.axis("off")
    _header(axes, strategy, height)
    boxes: dict[str, Box] = {}
    top = height - HEADER_HEIGHT
    for index, (band, band_height) in enumerate(zip(strategy.bands, band_heights, strict=True)):
        _band(axes, band.name, top, band_height, BAND_COLOURS[index % 2])
        shown = band.objectives[:MOST_PER_BAND]
        hidden = len(band.objectives) - len(shown)
        for position, objective in enumerate(shown):
            box = _objective_box(axes, objective, position, len(shown), top)
            boxes[objective.key] = box
        if hidden:
            axes.text(
                WIDTH - MARGIN - 0.1,
                top - band_height + 0.08,
                f"…and {hidden} more",
                ha="right",
                va="bottom",
                fontsize=8.5,
                color=MUTED,
            )
        top -= band_height
    _arrows(axes, strategy, boxes)
    _unlinked(axes, strategy, top)


def _rows(count: int) -> int:
    return max(1, math.ceil(min(count, MOST_PER_BAND) / COLUMNS))


def _header(axes: Axes, strategy: StrategyMap, height: float) -> None:
    axes.text(
        MARGIN,
        height - 0.3,
        shortened(strategy.scorecard_name, 80),
        fontsize=15,
        weight="bold",
        color=INK,
        va="center",
    )
    if strategy.mission:
        axes.text(
            MARGIN,
            height - 0.64,
            fitted(strategy.mission, 105, 1),
            fontsize=10,
            color=MUTED,
            va="center",
            style="italic",
        )
    statuses = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)
    handles = [
        Patch(facecolor=status_fill(s), edgecolor=status_colour(s), linewidth=1.5) for s in statuses
    ]
    handles.append(Line2D([], [], color=ARROW_COLOUR, marker=">", markevery=[1], linewidth=1.2))
    labels = [STATUS_LABELS[s] for s in statuses] + ["supports (cause → effect)"]
    axes.legend(
        handles,
        labels,
        loc="lower right",
        bbox_to_anchor=(1 - MARGIN / WIDTH, 1 - HEADER_HEIGHT / height),
        ncols=len(labels),
        frameon=False,
        fontsize=8.5,
        labelcolor=MUTED,
        handlelength=1.6,
        columnspacing=1.2,
    )


def _band(axes: Axes, name: str, top: float, band_height: float, colour: str) -> None:
    axes.add_patch(
        FancyBboxPatch(
            (MARGIN, top - band_height + 0.05),
            WIDTH - 2 * MARGIN,
            band_height - 0.1,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=colour,
            edgecolor="none",
            zorder=0,
        )
    )
    axes.text(
        MARGIN + 0.15,
        top - band_height / 2,
        fitted(name, 16, 3),
        fontsize=10.5,
        weight="bold",
        color=INK,
        va="center",
        ha="left",
    )


def _objective_box(
    axes: Axes, objective: MapObjective, position: int, count: int, top: float
) -> Box:
    row, column = divmod(position, COLUMNS)
    in_row = min(COLUMNS, count - row * COLUMNS)
    area_left, area_width = MARGIN + LABEL_WIDTH, WIDTH - 2 * MARGIN - LABEL_WIDTH
    slot = area_width / in_row
    x = area_left + slot * (column + 0.5)
    y = top - BAND_PADDING - ROW_HEIGHT * (row + 0.5)
    outline = FancyBboxPatch(
        (x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2),
        BOX_WIDTH,
        BOX_HEIGHT,
        boxstyle=f"round,pad={BOX_PAD},rounding_size=0.1",
        facecolor=status_fill(objective.status),
        edgecolor=status_colour(objective.status),
        linewidth=1.8,
        zorder=3,
    )
    axes.add_patch(outline)
    axes.text(
        x,
        y + 0.06,
        fitted(objective.title, TITLE_CHARS, TITLE_LINES),
        ha="center",
        va="center",
        fontsize=8.5,
        color=INK,
        zorder=4,
        linespacing=1.15,
    )
    axes.text(
        x,
        y - BOX_HEIGHT / 2 + 0.09,
        STATUS_LABELS.get(objective.status, objective.status),
        ha="center",
        va="center",
        fontsize=7,
        color=status_colour(objective.status),
        weight="bold",
        zorder=4,
    )
    return Box(x, y)


def _arrows(axes: Axes, strategy: StrategyMap, boxes: dict[str, Box]) -> None:
    """Cause to effect. Links to an objective not drawn (beyond a band's limit) are left out."""
    for cause_key, effect_key in strategy.links:
        cause, effect = boxes.get(cause_key), boxes.get(effect_key)
        if cause is None or effect is None:
            continue
        same_row = abs(cause.y - effect.y) < 0.01
        axes.add_patch(
            FancyArrowPatch(
                cause.edge_towards(effect),
                effect.edge_towards(cause),
                shrinkA=1,
                shrinkB=1,
                arrowstyle="-|>",
                mutation_scale=13,
                connectionstyle=f"arc3,rad={0.35 if same_row else 0.08}",
                color=ARROW_COLOUR,
                alpha=0.75,
                linewidth=1.2,
                zorder=2,
            )
        )


def _footer_height(strategy: StrategyMap) -> float:
    if not strategy.unlinked_actions:
        return 0.0
    shown = min(len(strategy.unlinked_actions), UNLINKED_SHOWN)
    lines = math.ceil(shown / UNLINKED_COLUMNS) + (len(strategy.unlinked_actions) > shown)
    return 0.55 + lines * UNLINKED_LINE


def _unlinked(axes: Axes, strategy: StrategyMap, top: float) -> None:
    """Open actions serving no objective, listed below the map: work to link or to stop."""
    actions = strategy.unlinked_actions
    if not actions:
        return
    axes.text(
        MARGIN,
        top - 0.3,
        f"Actions that serve no objective ({len(actions)})",
        fontsize=10.5,
        weight="bold",
        color="#d64541",
        va="center",
    )
    shown = actions[:UNLINKED_SHOWN]
    column_width = (WIDTH - 2 * MARGIN) / UNLINKED_COLUMNS
    for index, title in enumerate(shown):
        row, column = divmod(index, UNLINKED_COLUMNS)
        axes.text(
            MARGIN + column * column_width,
            top - 0.62 - row * UNLINKED_LINE,
            "• " + shortened(title, 48),
            fontsize=9,
            color=INK,
            va="center",
        )
    if len(actions) > len(shown):
        rows = math.ceil(len(shown) / UNLINKED_COLUMNS)
        axes.text(
            MARGIN,
            top - 0.62 - rows * UNLINKED_LINE,
            f"…and {len(actions) - len(shown)} more",
            fontsize=9,
            color=MUTED,
            va="center",
        )
