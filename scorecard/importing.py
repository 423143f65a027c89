"""`scorecard import`: a scorecard file checked in full, then stored in one transaction."""

from scorecard.scorecard_file import parse_scorecard
from storage.audit import FILE_IMPORT_ACTOR
from storage.db import Database
from storage.sync import Changes, ImportSummary, apply_spec


def import_scorecard(database: Database, text: str) -> ImportSummary:
    """Create or update the scorecard the file describes. A file with any problem raises
    ScorecardFileError (a UserError listing them all) before anything is written. The history of
    changes names the import as FILE_IMPORT_ACTOR."""
    spec = parse_scorecard(text)
    with database.acting_for(FILE_IMPORT_ACTOR).writing() as session:
        return apply_spec(session, spec)


def describe(summary: ImportSummary) -> str:
    """One sentence for the person who ran the import."""
    fresh = " (a new scorecard)" if summary.new_scorecard else ""
    parts = [
        _describe_kind(summary.perspectives, "perspective", "perspectives", gone="removed"),
        _describe_kind(summary.objectives, "objective", "objectives"),
        _describe_kind(summary.kpis, "KPI", "KPIs"),
        _describe_kind(summary.actions, "action", "actions"),
    ]
    return f"Imported “{summary.name}” for {summary.workspace}{fresh}: {', '.join(parts)}."


def _describe_kind(changes: Changes, one: str, many: str, gone: str = "archived") -> str:
    counted = f"{changes.total} {one if changes.total == 1 else many}"
    details = [
        f"{number} {label}"
        for number, label in (
            (changes.created, "new"),
            (changes.updated, "updated"),
            (changes.archived, gone),
        )
        if number
    ]
    if not details:
        return counted if changes.total == 0 else f"{counted} (unchanged)"
    return f"{counted} ({', '.join(details)})"
