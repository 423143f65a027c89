"""INSERT … ON CONFLICT, which SQLAlchemy builds per dialect: the one way to get it here."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_on_conflict(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` (a model class or Table) that can take `.on_conflict_do_nothing()`
    or `.on_conflict_do_update()`, for the database `session` is bound to: PostgreSQL or SQLite
    (3.24 and newer)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
