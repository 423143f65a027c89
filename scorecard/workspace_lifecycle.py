"""A workspace's scorecard from install to deletion.

When a workspace removes the app its scorecard is kept for a retention period (the
`SCORECARD_RETENTION_DAYS` setting, 30 days by default), so installing again finds everything as
it was; after that the clock deletes it (`delete_expired_workspaces`). `delete_workspace` deletes
at once, `export_workspace` writes it all to files first.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scorecard.errors import UserError
from scorecard.exporting import export_readings, export_scorecard
from scorecard.history import export_history
from storage.db import Database
from storage.scorecards import find_scorecard
from storage.workspaces import (
    count_readings,
    delete_expired_oauth_states,
    delete_workspace_rows,
    find_uninstall,
    forget_uninstall,
    record_uninstall,
    uninstalled_before,
)

logger = logging.getLogger(__name__)

# Why a workspace left, as Slack's events name it.
APP_UNINSTALLED, TOKENS_REVOKED = "app_uninstalled", "tokens_revoked"


@dataclass(frozen=True)
class Arrival:
    """A workspace that installed the app: its scorecard's name when it already has one."""

    workspace: str
    scorecard: str | None
    returning: bool  # it had removed the app and came back within the retention period


def workspace_installed(database: Database, workspace: str) -> Arrival:
    """The app was installed (again): whatever the workspace had is kept."""
    with database.writing() as session:
        returning = forget_uninstall(session, workspace)
        scorecard = find_scorecard(session, workspace)
        name = scorecard.name if scorecard is not None else None
    return Arrival(workspace, name, returning)


def workspace_uninstalled(database: Database, workspace: str, now: datetime, reason: str) -> None:
    """The workspace removed the app (or its bot token): the retention period starts now.

    Harmless when repeated (Slack retries events): the first time is the one that counts.
    """
    with database.writing() as session:
        record_uninstall(session, workspace, now, reason)
    logger.info(
        "Workspace %s removed the app (%s); its scorecard is kept for now", workspace, reason
    )


def uninstalled_since(database: Database, workspace: str) -> datetime | None:
    """When the workspace removed the app, or None while it has it installed."""
    with database.reading() as session:
        record = find_uninstall(session, workspace)
        return record.uninstalled_at if record is not None else None


def delete_expired_workspaces(database: Database, now: datetime, keep_for: timedelta) -> list[str]:
    """Delete every workspace that removed the app more than `keep_for` ago; returns their ids.

    Each workspace goes in a transaction of its own that checks again that it is still removed,
    so one installing again at this very moment keeps its scorecard. Expired install links
    (OAuth states nobody came back with) are cleared at the same time.
    """
    cutoff = now - keep_for
    with database.reading() as session:
        expired = list(uninstalled_before(session, cutoff))
    deleted = []
    for workspace in expired:
        with database.writing() as session:
            still_expired = workspace in uninstalled_before(session, cutoff)
            if still_expired:
                delete_workspace_rows(session, workspace)
        if still_expired:
            deleted.append(workspace)
            logger.info("Deleted workspace %s: removed the app over %s ago", workspace, keep_for)
    with database.writing() as session:
        delete_expired_oauth_states(session, now)
    return deleted


def delete_workspace(database: Database, workspace: str) -> str:
    """Delete everything stored for `workspace` now: scorecard, readings, history, tokens.

    Returns what was deleted, in words. Raises UserError when nothing is stored for it.
    """
    with database.writing() as session:
        scorecard = find_scorecard(session, workspace)
        readings = count_readings(session, scorecard.id) if scorecard and scorecard.id else 0
        if not delete_workspace_rows(session, workspace):
            raise UserError(f"Nothing is stored for workspace {workspace}.")
    if scorecard is None:
        return f"Deleted workspace {workspace}'s installation; it had no scorecard."
    return (
        f"Deleted workspace {workspace}: scorecard “{scorecard.name}” with {readings} "
        f"reading{'s' if readings != 1 else ''}, its history and its installation."
    )


def export_workspace(database: Database, workspace: str, directory: Path) -> list[Path]:
    """Write the workspace's scorecard (YAML), all its readings (CSV) and its history of changes
    (CSV, as `scorecard history` writes it) into `directory`.

    Files are named after the workspace: `T0ABC-scorecard.yaml`, `T0ABC-readings.csv`,
    `T0ABC-history.csv`. Raises
    UserError when there is no scorecard for it or the directory can't be written.
    """
    files = {
        directory / f"{workspace}-scorecard.yaml": export_scorecard(database, workspace, "yaml"),
        directory / f"{workspace}-readings.csv": export_readings(database, workspace, "csv"),
        directory / f"{workspace}-history.csv": export_history(database, [workspace], None, "csv"),
    }
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"Can't write the export to {directory}: {error.strerror}.") from error
    return list(files)
