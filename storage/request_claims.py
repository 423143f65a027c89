"""Claims on requests from Slack: the storage half of handling each request exactly once."""

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete

from storage.db import Database
from storage.models import RequestClaim

# Slack refuses signatures older than five minutes and retries an event for about an hour.
KEEP_CLAIMS_FOR = timedelta(days=1)


def claim_request(database: Database, key: str, workspace: str, now: datetime) -> bool:
    """Claim `key` for this request: True the first time, False when it was claimed before.

    Claims older than a day are dropped in the same short write. Raises `CannotSaveNow` or
    `StoreBusy` when nothing can be written now.
    """
    try:
        with database.writing() as session:
            session.exec(
                delete(RequestClaim).where(col(RequestClaim.claimed_at) < now - KEEP_CLAIMS_FOR)
            )
            session.add(RequestClaim(key=key, workspace=workspace, claimed_at=now))
    except IntegrityError:
        return False
    return True


def release_request(database: Database, key: str) -> None:
    """Forget a claim, so the same request may run again (it ended with nothing done)."""
    with database.writing() as session:
        session.exec(delete(RequestClaim).where(col(RequestClaim.key) == key))
