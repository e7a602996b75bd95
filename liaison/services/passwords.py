"""Setting a password: stamped, kept in the history, audited (liaison/passwords.py: the rules)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liaison.models import AuditEvent, PasswordHistory, User
from liaison.services.audit import audit_record


@transaction.atomic
def password_set(*, user: User, raw_password: str, actor: User | None) -> User:
    """Give the user a new password (already validated by the form that took it).

    Chosen by the user themselves, it is theirs until it expires; chosen by someone else (an
    administrator), the user must change it at their next login.
    """
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    return password_record(user=user, actor=actor, must_change=actor is not None and actor != user)


@transaction.atomic
def password_record(*, user: User, actor: User | None, must_change: bool) -> User:
    """Record that the user's stored password was just set (by `password_set`, or by a Django
    form that saved it): stamp its date, keep its hash in the history and audit the change,
    never the password or its hash."""
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password_changed_at", "must_change_password"])
    password_history_keep(user=user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.PASSWORD_CHANGED,
        obj=user,
        summary=str(user),
        data={"password_changed": True, "must_change_password": must_change},
    )
    return user


@transaction.atomic
def password_history_keep(*, user: User) -> None:
    """Keep the user's stored password hash in their history, and only the last
    PASSWORD_HISTORY_DEPTH of them (liaison.passwords.PasswordHistoryValidator reads them)."""
    PasswordHistory.objects.create(user=user, password=user.password)
    kept = user.password_history.order_by("-set_at", "-pk").values_list("pk", flat=True)
    stale = list(kept[settings.PASSWORD_HISTORY_DEPTH :])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()
