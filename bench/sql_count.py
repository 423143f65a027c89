"""Counting the SQL statements a piece of work sends, with SQLAlchemy's cursor events."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


class StatementLog:
    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.statements.values())

    def most_common(self, n: int = 5) -> list[tuple[str, int]]:
        common = self.statements.most_common(n)
        return [(" ".join(sql.split())[:160], count) for sql, count in common]


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementLog]:
    log = StatementLog()

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        log.statements[statement] += 1

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
