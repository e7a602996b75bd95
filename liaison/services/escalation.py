"""The escalation ladder (R22), as the party-building department sets it: the steps replace the
ladder in one transaction; the steps before are kept, inactive, with an audit event (nothing is
deleted)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.deadlines import LADDER_MAX_STEPS
from liaison.models import ESCALATION_RECIPIENTS, AuditEvent, EscalationStep, User
from liaison.services.audit import audit_record


@transaction.atomic
def escalation_ladder_save(*, actor: User, steps: Sequence[dict]) -> list[EscalationStep]:
    """Replace the active ladder by `steps` (each: working_days, colour, and the to_* flags).
    Raise ValidationError, changing nothing, if a step is invalid, two steps are the same or
    there are more than LADDER_MAX_STEPS."""
    if not permissions.can_maintain_master_data(actor):
        raise PermissionDenied
    if len(steps) > LADDER_MAX_STEPS:
        raise ValidationError(_("The ladder has at most %(n)d steps.") % {"n": LADDER_MAX_STEPS})
    new = [EscalationStep(**step) for step in steps]
    seen = set()
    for step in new:
        step.full_clean()
        key = (step.working_days, step.colour)
        if key in seen:
            raise ValidationError(
                _("Two steps at %(days)+d working days for the same colour: merge them.")
                % {"days": step.working_days}
            )
        seen.add(key)
    before = [_describe(step) for step in EscalationStep.objects.filter(is_active=True)]
    EscalationStep.objects.filter(is_active=True).update(is_active=False)
    EscalationStep.objects.bulk_create(new)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        object_type="escalation_ladder",
        summary=_("Escalation ladder set: %(n)d steps") % {"n": len(new)},
        data={"before": before, "after": [_describe(step) for step in new]},
    )
    return new


def _describe(step: EscalationStep) -> dict:
    return {
        "working_days": step.working_days,
        "colour": step.colour,
        "to": sorted(name for name in ESCALATION_RECIPIENTS if getattr(step, f"to_{name}")),
    }
