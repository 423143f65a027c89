"""The shared ground of every picture: the Agg backend, status colours, text fitting, PNG out."""

import io
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")  # headless: a server has no display, and Agg needs none

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from scorecard.vocabulary import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK  # noqa: E402

# Names and notes are people's text: a "$" in them must stay a dollar, not start math.
matplotlib.rcParams["text.parse_math"] = False

# The same colours as the status emoji in messages (🟢 🟡 🔴 ⚪).
STATUS_COLOURS = {
    ON_TRACK: "#2e9e5b",
    AT_RISK: "#e0a000",
    OFF_TRACK: "#d64541",
    NO_DATA: "#9aa0a6",
}
# Lighter fills of the same colours, for boxes with dark text on them.
STATUS_FILLS = {
    ON_TRACK: "#d5efdf",
    AT_RISK: "#fbeec2",
    OFF_TRACK: "#f7d4d2",
    NO_DATA: "#eceff1",
}
INK = "#1d1c1d"  # Slack's text colour
MUTED = "#616061"
DPI = 110
ELLIPSIS = "…"

# matplotlib is not thread-safe (its FAQ says so): listeners draw one picture at a time.
_drawing = threading.Lock()


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, STATUS_COLOURS[NO_DATA])


def status_fill(status: str) -> str:
    return STATUS_FILLS.get(status, STATUS_FILLS[NO_DATA])


def fitted(text: str, width: int, lines: int) -> str:
    """`text` wrapped to `width` characters a line, at most `lines` lines, cut with "…"."""
    wrapped = textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    kept[-1] = kept[-1][: width - 1].rstrip() + ELLIPSIS
    return "\n".join(kept)


def shortened(text: str, length: int) -> str:
    """One line of at most `length` characters."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + ELLIPSIS


@contextmanager
def new_figure(width: float, height: float) -> Iterator[Figure]:
    """A figure of `width` x `height` inches, drawn by the Agg canvas, under the drawing lock."""
    with _drawing:
        figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        yield figure


def png_of(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def drawn(width: float, height: float, draw: Callable[[Figure], None]) -> bytes:
    """The PNG bytes of a `width` x `height` inch figure that `draw` fills in."""
    with new_figure(width, height) as figure:
        draw(figure)
        return png_of(figure)
