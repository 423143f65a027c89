"""Readings checked and waiting to be written, held compactly: a million take about 40 MB.

Each field is a column of plain machine numbers (Python's `array`), not an object per reading,
so a long history fits in memory while the whole file is checked before anything is written.
Dates are kept as ordinals, moments as microseconds since 1970 in UTC, authors as an index into
the few distinct names a file has.
"""

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NO_MOMENT = -(2**63)  # the file doesn't say when the reading was logged
# Readings looked up together when leaving out what is already stored.
WINDOW = 20_000

# A reading as duplicates are recognised: KPI id, period (ordinal), value, and the second it was
# logged (microseconds since 1970, cut to the second), or None when that doesn't matter.
Fingerprint = tuple[int, int, float, int | None]


@dataclass(frozen=True)
class StagedReading:
    kpi_id: int
    period: date
    value: float
    logged_by: str
    logged_at: datetime | None  # None: the file doesn't say
    note: str | None


class StagedReadings:
    """Readings in file order; `add` one, read one back by its position."""

    def __init__(self) -> None:
        self.kpi_ids = array("q")
        self.periods = array("l")
        self.values = array("d")
        self.moments = array("q")
        self.authors = array("l")
        self.notes: list[str | None] = []
        self._author_names: list[str] = []
        self._author_index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.kpi_ids)

    def add(
        self,
        kpi_id: int,
        period: date,
        value: float,
        logged_by: str,
        logged_at: datetime | None,
        note: str | None,
    ) -> None:
        author = self._author_index.get(logged_by)
        if author is None:
            author = self._author_index[logged_by] = len(self._author_names)
            self._author_names.append(logged_by)
        self.kpi_ids.append(kpi_id)
        self.periods.append(period.toordinal())
        self.values.append(value)
        self.moments.append(NO_MOMENT if logged_at is None else to_microseconds(logged_at))
        self.authors.append(author)
        self.notes.append(note)

    def clear(self) -> None:
        """Forget every reading (the file has a problem, so none will be written)."""
        for column in (self.kpi_ids, self.periods, self.values, self.moments, self.authors):
            del column[:]
        self.notes.clear()

    def reading(self, position: int) -> StagedReading:
        moment = self.moments[position]
        return StagedReading(
            kpi_id=self.kpi_ids[position],
            period=date.fromordinal(self.periods[position]),
            value=self.values[position],
            logged_by=self._author_names[self.authors[position]],
            logged_at=None if moment == NO_MOMENT else from_microseconds(moment),
            note=self.notes[position],
        )

    def fingerprint(self, position: int) -> Fingerprint:
        moment = self.moments[position]
        second = None if moment == NO_MOMENT else moment - moment % 1_000_000
        return (self.kpi_ids[position], self.periods[position], self.values[position], second)

    def windows(self) -> Iterator[list[int]]:
        """Positions grouped by KPI and then by period, file order kept within a period, in
        groups of about WINDOW: a reading and any reading it could repeat share a group."""
        by_kpi: dict[int, array[int]] = {}
        for position, kpi_id in enumerate(self.kpi_ids):
            by_kpi.setdefault(kpi_id, array("l")).append(position)
        window: list[int] = []
        for positions in by_kpi.values():
            if len(window) + len(positions) <= WINDOW:
                window.extend(positions)
                continue
            if window:
                yield window
                window = []
            ordered = sorted(positions, key=self.periods.__getitem__)  # stable: file order kept
            for position in ordered:
                if len(window) >= WINDOW and self.periods[position] != self.periods[window[-1]]:
                    yield window
                    window = []
                window.append(position)
        if window:
            yield window


def to_microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def from_microseconds(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def stored_fingerprints(kpi_id: int, period: date, value: float, logged_at: datetime) -> tuple:
    """A stored reading's exact fingerprint, and the one a row without `logged_at` matches."""
    moment = to_microseconds(logged_at)
    return (
        (kpi_id, period.toordinal(), value, moment - moment % 1_000_000),
        (kpi_id, period.toordinal(), value, None),
    )
