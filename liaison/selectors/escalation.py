"""The escalation ladder in force (R22): the steps the party-building department stored, or the
default while there are none."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.deadlines import LADDER_MAX_STEPS, LadderStep, default_ladder
from liaison.models import EscalationStep


@dataclass(frozen=True)
class Ladder:
    steps: list[LadderStep]
    is_default: bool


def escalation_ladder() -> Ladder:
    """Return the active steps in order (one query), else the default ladder."""
    stored = list(
        EscalationStep.objects.filter(is_active=True).order_by("working_days", "pk")[
            :LADDER_MAX_STEPS
        ]
    )
    if not stored:
        return Ladder(default_ladder(), is_default=True)
    steps = [
        LadderStep(slot, step.working_days, step.colour, step.recipients)
        for slot, step in enumerate(stored, start=1)
    ]
    return Ladder(steps, is_default=False)
