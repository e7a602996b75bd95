"""Writes to a user's own notifications and notification preference."""

from django.db import transaction
from django.utils import timezone

from liaison.models import AuditEvent, Notification, User
from liaison.services.audit import audit_record


def notification_mark_read(*, notification: Notification) -> None:
    """Mark one notification read (once; a second call changes nothing)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def user_set_email_notifications(*, user: User, enabled: bool) -> User:
    """Turn the user's notification emails on or off, with an audit event."""
    before = user.email_notifications
    user.email_notifications = enabled
    user.save(update_fields=["email_notifications"])
    if before != enabled:
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATED,
            obj=user,
            summary=f"{user.username}: email_notifications {before} → {enabled}",
            data={"email_notifications": [before, enabled]},
        )
    return user
