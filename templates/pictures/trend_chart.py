"""A KPI's trend chart: readings coloured by status, baseline, target, the path to the target,
notes and the days linked actions started or finished."""

from datetime import date

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from scorecard.dates import short_day
from scorecard.trend import FINISHED_DONE, FINISHED_STOPPED, STARTED, Trend
from scorecard.values import format_value
from scorecard.vocabulary import AT_RISK, OFF_TRACK, ON_TRACK, UP
from templates.formatting import STATUS_LABELS
from templates.pictures.canvas import INK, MUTED, drawn, shortened, status_colour

WIDTH, HEIGHT = 10.0, 5.6  # inches
# Notes listed under the chart (the most recent ones) and actions marked on it, at most.
NOTES_SHOWN = 4
ACTIONS_SHOWN = 8
NOTE_LENGTH = 110
# Up to this many readings get big dots with a white ring; more get small plain ones.
DOTS_WITH_RINGS = 60
ACTION_LABEL_LENGTH = 34
EVENT_WORDS = {STARTED: "started", FINISHED_DONE: "done", FINISHED_STOPPED: "stopped"}
EVENT_STYLES = {STARTED: ":", FINISHED_DONE: "-", FINISHED_STOPPED: "--"}
ACTION_COLOUR = "#5b5fc7"
PATH_COLOUR = "#1264a3"
TARGET_COLOUR = "#2e9e5b"
# Units up to this many characters are written on each tick of the value axis.
SHORT_UNIT = 3
BASELINE_STYLE = (0, (1, 2))
LEGEND_STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)


def draw_trend(trend: Trend) -> bytes:
    """The chart as PNG bytes (about 1100 x 620 pixels)."""
    return drawn(WIDTH, HEIGHT, lambda figure: _draw(figure, trend))


def _draw(figure: Figure, trend: Trend) -> None:
    notes = trend.notes[-NOTES_SHOWN:]
    bottom = 0.16 + 0.035 * len(notes)
    axes = figure.add_axes((0.08, bottom, 0.74, 0.80 - bottom))
    _headline(figure, trend)
    _goal_lines(axes, trend)
    _readings(axes, trend)
    _actions(axes, trend)
    _number_notes(axes, trend, notes)
    _axes_style(axes, trend)
    _legend(figure, axes, trend)
    _note_list(figure, trend, notes)


def _headline(figure: Figure, trend: Trend) -> None:
    figure.text(0.02, 0.95, shortened(trend.name, 70), fontsize=15, weight="bold", color=INK)
    latest = trend.latest
    better = "higher" if trend.direction == UP else "lower"
    by = f" by {short_day(trend.target_date, trend.today)}" if trend.target_date else ""
    summary = (
        f"{_value(latest.value, trend)} on {short_day(latest.day, trend.today)}"
        f" · {STATUS_LABELS.get(trend.status, trend.status)}"
        f" · target {_value(trend.target, trend)}{by} ({better} is better)"
    )
    figure.text(0.02, 0.905, summary, fontsize=10.5, color=MUTED)
    figure.text(
        0.98, 0.95, shortened(trend.scorecard_name, 45), fontsize=9, color=MUTED, ha="right"
    )


def _goal_lines(axes: Axes, trend: Trend) -> None:
    axes.axhline(trend.baseline, color=MUTED, linestyle=BASELINE_STYLE, linewidth=1.2)
    axes.axhline(trend.target, color=TARGET_COLOUR, linestyle="--", linewidth=1.4)
    if trend.path:
        days, values = zip(*trend.path, strict=True)
        axes.plot(days, values, color=PATH_COLOUR, linestyle="--", linewidth=1.2, alpha=0.8)


def _readings(axes: Axes, trend: Trend) -> None:
    days = [point.day for point in trend.points]
    values = [point.value for point in trend.points]
    axes.plot(days, values, color=INK, linewidth=1.6, zorder=3)
    colours = [status_colour(point.status) for point in trend.points]
    few = len(days) <= DOTS_WITH_RINGS
    axes.scatter(
        days,
        values,
        c=colours,
        s=46 if few else 12,
        zorder=4,
        edgecolors="white",
        linewidths=0.8 if few else 0,
    )


def _actions(axes: Axes, trend: Trend) -> None:
    """A vertical line on each day an action started or finished, labelled at the top."""
    for mark in trend.actions[-ACTIONS_SHOWN:]:
        axes.axvline(
            mark.day, color=ACTION_COLOUR, linestyle=EVENT_STYLES[mark.event], linewidth=1.1
        )
        label = f"{shortened(mark.title, ACTION_LABEL_LENGTH)} {EVENT_WORDS[mark.event]}"
        axes.text(
            mdates.date2num(mark.day),
            0.98,
            label,
            transform=axes.get_xaxis_transform(),
            rotation=90,
            ha="right",
            va="top",
            fontsize=7.5,
            color=ACTION_COLOUR,
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1},
        )


def _number_notes(axes: Axes, trend: Trend, notes: list) -> None:
    """A ring and a number on each reading with a note; the notes are listed under the chart."""
    for number, point in enumerate(notes, start=1):
        axes.scatter([point.day], [point.value], s=160, facecolors="none", edgecolors=INK, zorder=5)
        axes.annotate(
            str(number),
            (mdates.date2num(point.day), point.value),
            xytext=(0, 11),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            weight="bold",
            color=INK,
            zorder=6,
        )


def _axes_style(axes: Axes, trend: Trend) -> None:
    axes.set_xlim(_padded(trend.first_day, trend.last_day))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    # A short unit (%, €, h) goes on every tick; a long one ("followers") once, beside the axis.
    tick_unit = trend.unit if len(trend.unit) <= SHORT_UNIT else ""
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_value(value, tick_unit)))
    if not tick_unit and trend.unit:
        axes.set_ylabel(shortened(trend.unit, 30), color=MUTED, fontsize=9)
    low, high = axes.get_ylim()
    axes.set_ylim(low, high + (high - low) * 0.08)  # room for note numbers
    axes.grid(axis="y", color="#e8e8e8", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9, colors=MUTED)


def _legend(figure: Figure, axes: Axes, trend: Trend) -> None:
    """The status colours always; the other lines only when the chart has them."""
    handles = [(_dot(status_colour(status)), STATUS_LABELS[status]) for status in LEGEND_STATUSES]
    handles.append((_line(TARGET_COLOUR, "--"), "target"))
    if trend.path:
        handles.append((_line(PATH_COLOUR, "--"), "path to target"))
    handles.append((_line(MUTED, BASELINE_STYLE), "baseline"))
    if trend.notes:
        handles.append((_dot("none", edge=INK, size=9), "note"))
    for event in sorted({mark.event for mark in trend.actions}, key=list(EVENT_WORDS).index):
        handles.append((_line(ACTION_COLOUR, EVENT_STYLES[event]), f"action {EVENT_WORDS[event]}"))
    figure.legend(
        [handle for handle, _ in handles],
        [label for _, label in handles],
        loc="upper left",
        bbox_to_anchor=(0.835, axes.get_position().y1),
        frameon=False,
        fontsize=8.5,
        labelcolor=MUTED,
    )


def _dot(colour: str, edge: str | None = None, size: float = 7) -> Line2D:
    return Line2D(
        [],
        [],
        marker="o",
        linestyle="none",
        markersize=size,
        markerfacecolor=colour,
        markeredgecolor=edge or colour,
    )


def _line(colour: str, style: object) -> Line2D:
    return Line2D([], [], color=colour, linestyle=style, linewidth=1.4)


def _note_list(figure: Figure, trend: Trend, notes: list) -> None:
    for number, point in enumerate(notes, start=1):
        text = f"{number}  {short_day(point.day, trend.today)}: {point.note}"
        figure.text(
            0.08,
            0.035 * (len(notes) - number) + 0.03,
            shortened(text, NOTE_LENGTH),
            fontsize=8.5,
            color=INK,
        )


def _padded(first: date, last: date) -> tuple[float, float]:
    start, end = mdates.date2num(first), mdates.date2num(last)
    margin = max((end - start) * 0.03, 1.0)
    return start - margin, end + margin


def _value(value: float, trend: Trend) -> str:
    return format_value(value, trend.unit)
