"""A workspace's whole stay: when it removed the app, and deleting everything stored for it."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from storage.models import (
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
    HomeTabView,
    Reading,
    Scorecard,
    WorkspaceUninstall,
)
from storage.upserts import insert_on_conflict


def record_uninstall(session: Session, workspace: str, at: datetime, reason: str) -> None:
    """Note that `workspace` removed the app at `at`, unless already noted (the first time counts,
    so a retried event never postpones the deletion)."""
    values = {"workspace": workspace, "uninstalled_at": at, "reason": reason}
    statement = insert_on_conflict(session, WorkspaceUninstall).values(values)
    statement = statement.on_conflict_do_nothing()
    session.execute(statement)


def forget_uninstall(session: Session, workspace: str) -> bool:
    """The workspace installed the app again: keep its scorecard. True when it had been removed."""
    result = session.execute(
        delete(WorkspaceUninstall).where(col(WorkspaceUninstall.workspace) == workspace)
    )
    return bool(result.rowcount)


def find_uninstall(session: Session, workspace: str) -> WorkspaceUninstall | None:
    return session.get(WorkspaceUninstall, workspace)


def uninstalled_before(session: Session, moment: datetime) -> Sequence[str]:
    """Workspaces that removed the app before `moment`, oldest first."""
    query = select(WorkspaceUninstall.workspace).where(
        col(WorkspaceUninstall.uninstalled_at) < moment
    )
    return session.exec(query.order_by(col(WorkspaceUninstall.uninstalled_at))).all()


def count_readings(session: Session, scorecard_id: int) -> int:
    query = select(func.count()).select_from(Reading).where(Reading.scorecard_id == scorecard_id)
    return session.exec(query).one()


def delete_workspace_rows(session: Session, workspace: str) -> bool:
    """Delete the workspace's scorecard (its items, readings, digests and nudges go with it through
    ON DELETE CASCADE), its uninstall record, who opened its Home tab when, and its Slack
    installations and tokens.

    True when anything was there to delete.
    """
    deleted = 0
    for statement in (
        delete(Scorecard).where(col(Scorecard.workspace) == workspace),
        delete(WorkspaceUninstall).where(col(WorkspaceUninstall.workspace) == workspace),
        delete(HomeTabView).where(col(HomeTabView.workspace) == workspace),
        delete(SLACK_INSTALLATIONS).where(SLACK_INSTALLATIONS.c.team_id == workspace),
        delete(SLACK_BOTS).where(SLACK_BOTS.c.team_id == workspace),
    ):
        deleted += session.execute(statement).rowcount or 0
    return deleted > 0


def delete_expired_oauth_states(session: Session, now: datetime) -> int:
    """Install links nobody finished; slack-sdk's state store keeps expire_at as naive UTC."""
    cutoff = now.astimezone(UTC).replace(tzinfo=None)
    statement = delete(SLACK_OAUTH_STATES).where(SLACK_OAUTH_STATES.c.expire_at <= cutoff)
    return session.execute(statement).rowcount or 0
