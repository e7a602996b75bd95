"""Writes of notifications: creating them once (the jobs, referrals, supervision), marking
them read, and the user's email preference."""

import logging
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from common.bulk import bulk_insert
from common.jobs import enqueue_on_commit
from liaison.models import AuditEvent, Notification, User
from liaison.services.audit import audit_record

logger = logging.getLogger(__name__)


class NewNotification(NamedTuple):
    """A notification to create, as plain values: a sweep may create tens of thousands, and
    a model instance each cost more than inserting them."""

    recipient_id: int
    entry_id: int
    kind: str
    message: str
    occasion: int = 0


def notifications_create(rows: list[NewNotification], *, checked: bool = False) -> int:
    """Create the notifications not yet there (one per recipient, entry, kind and occasion),
    email them after the commit, and return how many were new. Unless the
    caller's query `checked` already (with an Exists subquery) that none exists, one query
    looks; one inserts. A concurrent run inserting the same ones meanwhile is absorbed by the
    unique constraint (and may be counted here too)."""
    if not rows:
        return 0
    existing = set()
    if not checked:
        existing = set(
            Notification.objects.filter(
                entry_id__in={row.entry_id for row in rows}, kind__in={row.kind for row in rows}
            ).values_list("recipient_id", "entry_id", "kind", "occasion")
        )
    new, seen = [], set()
    for row in rows:
        key = (row.recipient_id, row.entry_id, row.kind, row.occasion)
        if key not in existing and key not in seen:
            seen.add(key)
            new.append(row)
    now = timezone.now()
    bulk_insert(
        Notification,
        ["recipient", "entry", "kind", "occasion", "message", "created_at"],
        [(n.recipient_id, n.entry_id, n.kind, n.occasion, n.message, now) for n in new],
        ignore_conflicts=True,
    )
    if new:
        enqueue_on_commit("liaison.notifications_email")
    return len(new)


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
def user_set_email_notifications(*, user: User, enabled: bool, digest: bool = False) -> User:
    """Turn the user's notification emails on or off, and choose one daily digest instead of
    one email each; with an audit event."""
    before = {"email_notifications": user.email_notifications, "email_digest": user.email_digest}
    user.email_notifications, user.email_digest = enabled, digest
    user.save(update_fields=["email_notifications", "email_digest"])
    after = {"email_notifications": enabled, "email_digest": digest}
    changed = [name for name in after if before[name] != after[name]]
    if changed:
        changes = ", ".join(f"{name} {before[name]} → {after[name]}" for name in changed)
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATED,
            obj=user,
            summary=f"{user.username}: {changes}",
            data={name: [before[name], after[name]] for name in changed},
        )
    return user
