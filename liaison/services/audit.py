from __future__ import annotations

from django.db import models, transaction
from django.http import HttpRequest, QueryDict

from liaison import security
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


# -- Logins, exports and the superuser (等保2.0 security audit; README "Administrators and the
# audit log"). Each writes one row in its own transaction: none goes with another change.


def client_address(request: HttpRequest | None) -> str:
    """The client's address (behind proxies, the one the outermost saw: liaison.security), ""
    without a request."""
    return "" if request is None else security.client_address(request)[:45]


@transaction.atomic
def audit_login(*, user: User, request: HttpRequest | None) -> AuditEvent:
    """A login; a superuser's is flagged (the superuser is for installation only)."""
    data: dict = {"address": client_address(request)}
    if user.is_superuser:
        data["superuser"] = True
    return audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        obj=user,
        summary=f"{user.get_username()} logged in",
        data=data,
    )


@transaction.atomic
def audit_logout(*, user: User | None, request: HttpRequest | None) -> AuditEvent | None:
    """A logout (none when the session had no user)."""
    if user is None or not user.pk:
        return None
    return audit_record(
        actor=user,
        action=AuditEvent.Action.LOGOUT,
        obj=user,
        summary=f"{user.get_username()} logged out",
        data={"address": client_address(request)},
    )


@transaction.atomic
def audit_export(*, actor: User, export: str, filters: dict, rows: int | None = None) -> AuditEvent:
    """An Excel export: who exported which list with which filter (the query string's
    parameters, as given)."""
    data: dict = {"export": export, "filters": filters}
    if rows is not None:
        data["rows"] = rows
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        object_type=export,
        summary=f"{actor.get_username()} exported {export}",
        data=data,
    )


def export_filters(params: QueryDict) -> dict[str, str | list[str]]:
    """The filter of an export as the audit log keeps it: each parameter, one value or a list."""
    filters: dict[str, str | list[str]] = {}
    for key in sorted(params):
        values = [value[:200] for value in params.getlist(key)]
        filters[key[:50]] = values[0] if len(values) == 1 else values
    return filters


@transaction.atomic
def audit_superuser_request(*, user: User, request: HttpRequest, status: int) -> AuditEvent:
    """One request by the installation's superuser, whatever it was (its every use is audited)."""
    return audit_record(
        actor=user,
        action=AuditEvent.Action.SUPERUSER,
        obj=user,
        summary=f"{request.method} {request.path}"[:200],
        data={
            "method": request.method,
            "path": request.path[:500],
            "status": status,
            "address": client_address(request),
        },
    )
