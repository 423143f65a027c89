"""Waitress's backlog warning, let through once in a while instead of on every request."""

import logging

from bot.server import OnceInAWhile


def test_a_warning_repeated_within_the_interval_is_held_back_and_counted() -> None:
    now = [0.0]
    gate = OnceInAWhile(60.0, clock=lambda: now[0])

    def warned(depth: int) -> logging.LogRecord | None:
        record = logging.LogRecord(
            "waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d", (depth,), None
        )
        return record if gate.filter(record) else None

    first = warned(3)
    held = [warned(depth) for depth in (4, 5, 6)]
    now[0] = 61.0
    later = warned(7)

    assert first is not None and first.getMessage() == "Task queue depth is 3"
    assert held == [None, None, None]
    assert later is not None
    assert later.getMessage() == "Task queue depth is 7 (3 more such warnings held back)"
