"""The words of the Balanced Scorecard as Scorecard stores them."""

from datetime import timedelta

DEFAULT_PERSPECTIVES: tuple[tuple[str, str], ...] = (
    ("financial", "Financial"),
    ("customer", "Customer"),
    ("internal", "Internal processes"),
    ("learning", "Learning & growth"),
)

# A KPI's shape: higher is better, lower is better, stay within a band, or done / not done.
UP, DOWN, BAND, BINARY = "up", "down", "band", "binary"
DIRECTIONS = (UP, DOWN, BAND, BINARY)

KPI_KINDS = ("lead", "lag")

# How often a KPI is read, and how long after its last reading the next one counts as overdue.
READING_INTERVALS: dict[str, timedelta] = {
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
    "monthly": timedelta(days=31),
    "quarterly": timedelta(days=92),
}
FREQUENCIES = tuple(READING_INTERVALS)

PLANNED, ACTIVE, DONE, STOPPED = "planned", "active", "done", "stopped"
ACTION_STATUSES = (PLANNED, ACTIVE, DONE, STOPPED)
OPEN_ACTION_STATUSES = (PLANNED, ACTIVE)

# A review's decision on a cause-and-effect link: still believed, to be reworked, or dropped.
KEEP, REVISE, RETIRE = "keep", "revise", "retire"
LINK_DECISIONS = (KEEP, REVISE, RETIRE)
# What a digest subscription may be narrowed to.
PERSPECTIVE, OBJECTIVE, THEME = "perspective", "objective", "theme"
DIGEST_FILTERS = (PERSPECTIVE, OBJECTIVE, THEME)

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"

DEFAULT_TIMEZONE = "UTC"
DEFAULT_AT_RISK_TOLERANCE = 0.10
DEFAULT_STALL_AFTER_DAYS = 14
# People mute bots that ping too often: one nudge per item in this many days...
DEFAULT_NUDGE_INTERVAL_DAYS = 7
# ...and this many nudge messages per person a week.
DEFAULT_NUDGES_PER_WEEK = 3
