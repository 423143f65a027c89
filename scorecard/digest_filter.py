"""A digest for one part of the scorecard: a perspective, an objective or a supporting theme.

`/kpi digest here weekly mon 9:00 for customer` stores the part on the channel's subscription,
so a content team's channel gets only what it serves. What a narrowed digest keeps: the part's
objectives and their KPIs, the actions serving them (and, for a theme, the actions naming it),
and the cause-and-effect doubts that touch them. Items that serve no objective are left out.
"""

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlmodel import Session

from scorecard.errors import Choice, Question, UserError
from scorecard.overview import ObjectiveView, PerspectiveView
from scorecard.status import roll_up
from scorecard.vocabulary import DIGEST_FILTERS, OBJECTIVE, PERSPECTIVE, THEME
from storage.action_queries import ActionFacts
from storage.models import Scorecard
from storage.nudges import KPI_ITEM
from storage.scorecards import objectives_of, perspectives_of, themes_of

if TYPE_CHECKING:
    from scorecard.digest import Digest

# "… for customer", "… for theme trust": the part follows the last "for".
FOR_PATTERN = re.compile(r"^(?P<schedule>.*?)\s*\bfor\s+(?P<part>\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class DigestFilter:
    """The part of the scorecard a channel's digest is about."""

    kind: str  # PERSPECTIVE, OBJECTIVE or THEME
    key: str
    name: str  # how people know it: the perspective's or theme's name, the objective's title


def split_for(text: str) -> tuple[str, str | None]:
    """`weekly mon 9:00 for customer` → ("weekly mon 9:00", "customer")."""
    match = FOR_PATTERN.match(text.strip())
    if match is None:
        return text, None
    return match.group("schedule"), match.group("part").strip()


def resolve_filter(session: Session, scorecard: Scorecard, part: str, again: str) -> DigestFilter:
    """The perspective, objective or theme `part` names (by key or name, any case; "theme
    trust" names the kind too). Question when it could be more than one, each choice running
    `/kpi {again} {kind} {key}`; UserError when none."""
    assert scorecard.id is not None
    words = part.split(maxsplit=1)
    kind = words[0].lower() if len(words) == 2 and words[0].lower() in DIGEST_FILTERS else None
    wanted = (words[1] if kind else part).strip().casefold()
    candidates = [
        *(DigestFilter(PERSPECTIVE, p.key, p.name) for p in perspectives_of(session, scorecard.id)),
        *(DigestFilter(OBJECTIVE, o.key, o.title) for o in objectives_of(session, scorecard.id)),
        *(DigestFilter(THEME, t.key, t.name) for t in themes_of(session, scorecard.id)),
    ]
    found = [
        each
        for each in candidates
        if (kind is None or each.kind == kind)
        and wanted in (each.key.casefold(), each.name.casefold())
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise Question(
            f"“{part}” is more than one part of the scorecard. Which one?",
            [
                Choice(f"{each.kind} {each.name}", "/kpi", f"{again} {each.kind} {each.key}")
                for each in found
            ],
        )
    raise UserError(
        f"There is no perspective, objective or theme “{part}”. Name one by its key or name, "
        "like `customer` or `theme trust`."
    )


def stored_filter(
    session: Session, scorecard: Scorecard, kind: str | None, key: str | None
) -> DigestFilter | None:
    """The filter a subscription stored, named as people know it (None: the whole scorecard)."""
    if kind is None or key is None:
        return None
    assert scorecard.id is not None
    names = {
        PERSPECTIVE: lambda: {p.key: p.name for p in perspectives_of(session, scorecard.id)},
        OBJECTIVE: lambda: {o.key: o.title for o in objectives_of(session, scorecard.id)},
        THEME: lambda: {t.key: t.name for t in themes_of(session, scorecard.id)},
    }[kind]()
    return DigestFilter(kind, key, names.get(key, key))


def narrow_digest(digest: "Digest", only: DigestFilter) -> None:
    """Keep only what serves `only` in `digest` (see the module's docstring)."""
    kept = {view.view.objective.id for view in digest.objectives if _serves(view.view, only)}
    digest.focus = only
    digest.objectives = [lines for lines in digest.objectives if lines.view.objective.id in kept]
    digest.perspectives = narrow_perspectives(digest.perspectives, only)
    for name in ("off_track", "at_risk", "projected_misses", "overdue", "movers"):
        lines = getattr(digest, name)
        setattr(digest, name, [line for line in lines if line.kpi.objective_id in kept])
    kpi_keys = {line.kpi.key for lines in digest.objectives for line in lines.kpis}
    digest.unmeasured = []
    digest.stalled = [line for line in digest.stalled if _action_serves(line.action, kept, only)]
    digest.unlinked = [action for action in digest.unlinked if _action_serves(action, kept, only)]
    digest.link_doubts = [
        doubt
        for doubt in digest.link_doubts
        if doubt.objective.objective.id in kept
        or any(o.objective.id in kept for o in doubt.unmoved)
    ]
    # An escalated action does not say which objective it serves: only KPIs are kept.
    digest.escalations = [
        item for item in digest.escalations if item.kind == KPI_ITEM and item.key in kpi_keys
    ]


def narrow_perspectives(
    perspectives: list[PerspectiveView], only: DigestFilter
) -> list[PerspectiveView]:
    """The perspectives holding objectives that serve `only`, with just those objectives (and
    their status rolled up again from them)."""
    kept = {o.objective.id for p in perspectives for o in p.objectives if _serves(o, only)}
    return [
        _narrowed(perspective, kept)
        for perspective in perspectives
        if any(o.objective.id in kept for o in perspective.objectives)
    ]


def _serves(view: ObjectiveView, only: DigestFilter) -> bool:
    if only.kind == PERSPECTIVE:
        return view.perspective.key == only.key
    if only.kind == OBJECTIVE:
        return view.objective.key == only.key
    return view.objective.theme == only.key


def _action_serves(action: ActionFacts, kept: set[int | None], only: DigestFilter) -> bool:
    return action.objective_id in kept or (only.kind == THEME and action.theme == only.key)


def _narrowed(perspective: PerspectiveView, kept: set[int | None]) -> PerspectiveView:
    objectives = [o for o in perspective.objectives if o.objective.id in kept]
    if len(objectives) == len(perspective.objectives):
        return perspective
    status, score = roll_up((o.status, o.objective.weight) for o in objectives)
    return replace(perspective, objectives=objectives, status=status, score=score)
