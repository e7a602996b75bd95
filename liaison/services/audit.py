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


def audit_text(value: object) -> str:
    """Return a value as the audit trail keeps it: as text, "" for none, lists sorted."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def audit_changes(before: dict, after: dict) -> dict[str, list[str]]:
    """Return {field: [before, after]}, as text, of the fields of `after` whose value changed."""
    changes = {}
    for key, value in after.items():
        old, new = audit_text(before.get(key)), audit_text(value)
        if before.get(key) != value and old != new:  # not the same instant in two time zones
            changes[key] = [old, new]
    return changes
