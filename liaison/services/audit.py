from __future__ import annotations

from django.db import models

from liaison.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    summary: str,
    data: dict | None = None,
) -> AuditEvent:
    """Write the event row that goes with a change (call inside the change's transaction)."""
    return AuditEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk else "",
        summary=summary[:200],
        data=data or {},
    )
