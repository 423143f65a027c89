"""What each modal shows when it opens, for every way of opening it (a button, a slash command,
a shortcut): one builder per form, so they all open the same modal."""

from handlers.commands import Message
from handlers.slack_plumbing import modal_metadata
from scorecard.caller import Caller
from scorecard.kpi_requests import reading_form
from scorecard.structure_edits import NO_OBJECTIVE, StructureForm
from templates import render


def reading_modal(caller: Caller, kpi_id: int | None) -> Message:
    """The Log-reading modal for one KPI, or (no id) with a type-ahead KPI picker."""
    form = reading_form(caller, kpi_id)
    return render(
        "modal_log_reading",
        kpi=form.kpi,
        metadata=modal_metadata(caller, kpi_id),
        today=form.today,
    )


def structure_modal(caller: Caller, form: StructureForm) -> Message:
    """The form that adds or edits an objective, a KPI or an action."""
    metadata = {
        **modal_metadata(caller, None),
        "kind": form.kind.name,
        "key": form.key,
        "from_message": form.from_message,
    }
    return render("modal_structure", form=form, metadata=metadata, no_objective=NO_OBJECTIVE)
