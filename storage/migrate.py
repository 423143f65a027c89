"""Apply the schema migrations that a database has not had yet."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.db import IMMEDIATE_OPTION, Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: the PostgreSQL advisory lock that serialises concurrent migrations.
LOCK_KEY = 0x5C0EC4D


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the newest by default); safe to run at every start."""
    config = alembic_config(database.url)
    with database.engine.connect() as connection:
        # Two processes starting at once (web and clock) must not migrate side by side.
        if connection.dialect.name == "postgresql":
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return
        connection = connection.execution_options(**{IMMEDIATE_OPTION: True})
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
