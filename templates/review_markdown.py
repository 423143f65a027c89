"""A review's minutes as Markdown: what is stored, exported (`scorecard export reviews`) and put
in the channel's canvas.

Canvases show a person for `![](@U0ABC)` (Slack's canvas Markdown); the stored and exported
copy names people as `@U0ABC`, readable anywhere.
"""

from collections.abc import Callable

from scorecard.reviews import DecisionLine, Minutes
from scorecard.values import format_value

LINK_VERDICTS = {"keep_link": "Keep", "revise_link": "Revise", "retire_link": "Retire"}


def plain_mention(user: str | None) -> str:
    return f"@{user}" if user else "nobody"


def canvas_mention(user: str | None) -> str:
    return f"![](@{user})" if user else "nobody"


def minutes_markdown(minutes: Minutes, mention: Callable[[str | None], str] = plain_mention) -> str:
    lines = [
        f"## Strategy review of {minutes.opened_on.isoformat()} ({minutes.scorecard_name})",
        "",
        f"Closed on {minutes.today.isoformat()} by {mention(minutes.closed_by)}.",
        "",
        "### Attendance",
        "",
        ", ".join(mention(person) for person in minutes.attendance) or "Nobody answered.",
        "",
        "### Commentaries",
        "",
    ]
    lines += [
        f"- **{_line(c.objective or 'Objective')}**: {_line(c.text)} ({mention(c.author)})"
        for c in minutes.commentaries
    ] or ["None."]
    lines += ["", "### Decisions", ""]
    lines += [f"- {decision_markdown(d, mention)}" for d in minutes.decisions] or ["None."]
    lines += ["", "### New actions", ""]
    lines += [
        f"- {_line(d.action or '')}: {mention(d.action_owner)}"
        + (f", due {d.action_due.isoformat()}" if d.action_due else "")
        for d in minutes.new_actions
    ] or ["None."]
    return "\n".join(lines) + "\n"


def decision_markdown(
    decision: DecisionLine, mention: Callable[[str | None], str] = plain_mention
) -> str:
    if decision.kind == "new_action":
        what = (
            f"New action **{_line(decision.action or '')}**, owner {mention(decision.action_owner)}"
        )
        if decision.objective:
            what += f", for {_line(decision.objective)}"
    elif decision.kind == "change_target":
        what = f"Target of **{_line(decision.kpi or '')}** changed to "
        what += format_value(decision.target, decision.kpi_unit)
        if decision.target_date:
            what += f" by {decision.target_date.isoformat()}"
    elif decision.kind == "accept_miss":
        what = f"Miss accepted on **{_line(decision.kpi or '')}**: {_line(decision.reason)}"
    else:
        verdict = LINK_VERDICTS.get(decision.kind, decision.kind)
        what = f"{verdict} the link {decision.link_from} → {decision.link_to}"
    state = ", open" if decision.is_open else ""
    return f"{what} ({mention(decision.decided_by)}, {decision.decided_on.isoformat()}{state})"


def _line(text: str) -> str:
    """User text on one Markdown line."""
    return " ".join(text.split())
